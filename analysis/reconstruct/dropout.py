"""Dropout patterns that give a printed number of patients at each visit.

A cohort followed over visits loses patients: the paper prints n per visit. With
monotone dropout (a patient who misses a visit misses every later one) each patient
is summarised by the index of the last visit attended, and the printed n per visit
fixes how many patients stop after each visit.

Examples
--------
>>> import numpy as np
>>> last = monotone_last_visit(np.zeros(10, dtype=int), {0: [10, 8, 5]}, np.random.default_rng(0))
>>> [int((last >= v).sum()) for v in range(3)]
[10, 8, 5]
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from analysis.reconstruct.allocation import assign_categories, largest_remainder


def stops_after(n_per_visit) -> list[int]:
    """How many patients attend visit v as their last one, from n per visit.

    Examples
    --------
    >>> stops_after([342, 312, 274, 204])
    [30, 38, 70, 204]
    """
    n = [int(k) for k in n_per_visit]
    if any(b > a for a, b in zip(n, n[1:])) or min(n) < 0:
        raise ValueError(f"n per visit must not increase under monotone dropout: {n}")
    return [a - b for a, b in zip(n, n[1:])] + [n[-1]]


def monotone_last_visit(strata, n_per_visit: Mapping, rng, score=None) -> np.ndarray:
    """Index of the last visit attended by each patient, exact n per visit per stratum.

    Parameters
    ----------
    strata : array-like
        Stratum of each patient (e.g. evaluable or not); ``n_per_visit`` gives the
        n at each visit within each stratum, first visit = stratum size.
    n_per_visit : mapping stratum -> sequence of int
    rng : numpy.random.Generator
    score : array-like, optional
        Retention score: higher stays longer. None = at random.

    Returns
    -------
    ndarray of int (0 = baseline only).
    """
    table = {s: dict(enumerate(stops_after(counts)[::-1])) for s, counts in n_per_visit.items()}
    # categories are listed from the last visit down so that the top scores stay longest
    n_visits = {s: len(c) for s, c in n_per_visit.items()}
    out = assign_categories(strata, table, rng, score=score)
    strata = np.asarray(strata)
    last = np.empty(strata.size, dtype=np.int64)
    for s, k in n_visits.items():
        m = strata == s
        last[m] = k - 1 - out[m].astype(np.int64)
    return last


def scale_visits(n_per_visit, total: int) -> list[int]:
    """n per visit rescaled to a new first-visit total, keeping the retention shape.

    Examples
    --------
    >>> scale_visits([342, 312, 274, 204], 1000)
    [1000, 912, 801, 596]
    """
    stops = stops_after(n_per_visit)
    scaled = largest_remainder(stops, total)
    return [int(v) for v in np.cumsum(scaled[::-1])[::-1]]
