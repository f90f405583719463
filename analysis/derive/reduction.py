"""Percent reduction from baseline, under its two common definitions.

Papers print "a 70 % reduction in EASI" meaning one of two different numbers:

- the reduction of the group mean, ``100 * (mean(base) - mean(post)) / mean(base)``
  over patients with both values (:func:`reduction_of_means`); a patient with a
  zero baseline is no problem here;
- the mean of per-patient reductions, ``mean(100 * (base - post) / base)``, the
  "improvement rate" (:func:`add_improvement_rate` on long rows, :func:`improvement_rate`
  on paired arrays); undefined for a patient whose baseline is 0, who must then be
  counted and left out, not divided by zero.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.derive.changes import add_changes

REDUCTION_OF_MEANS = (
    "reduction of the group mean: 100 * (mean at baseline - mean at visit) / mean at baseline, "
    "over patients with both values"
)
IMPROVEMENT_RATE = (
    "per-patient improvement rate: 100 * (baseline - visit) / baseline (= -PCHG); "
    "undefined when baseline = 0 (counted, left out)"
)


def reduction_of_means(base, post) -> dict[str, float]:
    """Percent reduction of the mean over complete pairs.

    Parameters
    ----------
    base, post : array-like of float
        Paired values; a pair with a missing side is dropped and counted.

    Returns
    -------
    dict
        ``n`` (pairs), ``n_dropped``, ``mean_base``, ``mean_post``, ``reduction``
        (percent; positive = improvement). ``reduction`` is NaN and ``undefined``
        is 1 when the baseline mean is 0 (or there are no pairs), else ``undefined`` is 0.

    Examples
    --------
    >>> reduction_of_means([10, 20, None], [5, 5, 1])["reduction"]
    66.66666666666667
    """
    b = np.asarray(base, dtype=float)
    p = np.asarray(post, dtype=float)
    keep = ~(np.isnan(b) | np.isnan(p))
    n = int(keep.sum())
    out = {"n": n, "n_dropped": int((~keep).sum())}
    if n == 0:
        return {**out, "mean_base": np.nan, "mean_post": np.nan, "reduction": np.nan, "undefined": 1}
    mb, mp = float(b[keep].mean()), float(p[keep].mean())
    if mb == 0:
        return {**out, "mean_base": mb, "mean_post": mp, "reduction": np.nan, "undefined": 1}
    return {**out, "mean_base": mb, "mean_post": mp, "reduction": 100.0 * (mb - mp) / mb,
            "undefined": 0}


def add_improvement_rate(measurements: pd.DataFrame) -> pd.DataFrame:
    """Add BASE, CHG, PCHG, PCHGFL (see :func:`add_changes`) and ``IMPRATE = -PCHG``.

    ``IMPRATE`` is NaN exactly where ``PCHG`` is, and ``PCHGFL`` says why.

    Examples
    --------
    >>> m = pd.DataFrame({"USUBJID": ["a", "a", "b", "b"], "PARAMCD": "EASIHN",
    ...                   "AVISIT": ["BASELINE", "WEEK 16"] * 2, "AVAL": [4.0, 1.0, 0.0, 0.3]})
    >>> add_improvement_rate(m).loc[lambda d: d.AVISIT == "WEEK 16", ["IMPRATE", "PCHGFL"]].values.tolist()
    [[75.0, ''], [nan, 'BASE=0']]
    """
    out = add_changes(measurements)
    out["IMPRATE"] = 0.0 - out["PCHG"]  # 0.0 - x, not -x: no "-0.0" for unchanged patients
    return out


def improvement_rate(base, post) -> tuple[np.ndarray, np.ndarray]:
    """Per-patient improvement rate and its flag from paired arrays.

    The same numbers as :func:`add_improvement_rate` gives on long rows (``IMPRATE``,
    ``PCHGFL``), computed with the same operations in the same order, for arrays that
    are already one value per patient (as :func:`analysis.derive.visits.visit_wide`
    returns them): no merge of a baseline onto every row.

    Parameters
    ----------
    base, post : array-like of float
        Baseline and later value of each patient; NaN where missing.

    Returns
    -------
    rate : ndarray of float
        ``0 - 100 * (post - base) / base``; NaN when either is missing or base is 0.
    flag : ndarray of str (object)
        ``"NO BASE"`` (baseline missing), ``"BASE=0"``, else ``""``.

    Examples
    --------
    >>> rate, flag = improvement_rate([4.0, 0.0, None], [1.0, 0.3, 2.0])
    >>> rate.tolist(), flag.tolist()
    ([75.0, nan, nan], ['', 'BASE=0', 'NO BASE'])
    """
    b = np.asarray(base, dtype=float)
    p = np.asarray(post, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        pchg = 100.0 * (p - b) / b
    missing = np.isnan(b)
    zero = b == 0
    pchg = np.where(~zero & ~missing, pchg, np.nan)
    flag = np.select([missing, zero], ["NO BASE", "BASE=0"], default="").astype(object)
    return 0.0 - pchg, flag
