"""Patient trajectories from per-visit samples: rank coupling and count-preserving swaps.

Each visit's values are found on their own (:mod:`analysis.reconstruct.sprite`); this
module hands them to patients so that a patient's course is believable. A latent score
per patient (Gaussian copula) ranks the values: correlated scores at two visits give
correlated values, so a patient with severe disease at baseline tends to stay among
the more severe later, without a constant shift. Swapping two patients' values at one
visit never changes that visit's mean, SD or bands, so within-patient counts ("a
reduction of at least 4 points") can then be set exactly by swaps.

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> base = np.array([9., 8, 7, 6, 5, 9, 8, 7])
>>> follow = np.array([1., 2, 3, 4, 5, 6, 7, 8])
>>> new = swap_to_count(base, follow, lambda b, f: b - f >= 4, 5, rng)
>>> int((base - new >= 4).sum()), sorted(new) == sorted(follow)
(5, True)
"""

from __future__ import annotations

import numpy as np


def correlated_scores(anchor, rho: float, rng) -> np.ndarray:
    """Scores with correlation ``rho`` to a standard-normal ``anchor``.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.random.default_rng(1).standard_normal(20000)
    >>> s = correlated_scores(a, 0.6, np.random.default_rng(2))
    >>> round(float(np.corrcoef(a, s)[0, 1]), 1)
    0.6
    """
    anchor = np.asarray(anchor, dtype=float)
    if not -1 <= rho <= 1:
        raise ValueError("rho must lie in [-1, 1]")
    return rho * anchor + np.sqrt(1 - rho * rho) * rng.standard_normal(anchor.size)


def assign_by_rank(values, score) -> np.ndarray:
    """Give the i-th smallest value to the patient with the i-th smallest score.

    Examples
    --------
    >>> assign_by_rank([10, 30, 20], [0.5, -1.0, 2.0]).tolist()
    [20, 10, 30]
    """
    values = np.sort(np.asarray(values))
    score = np.asarray(score, dtype=float)
    if values.size != score.size:
        raise ValueError("one value per score")
    out = np.empty_like(values)
    out[np.argsort(score)] = values
    return out


def swap_to_count(base, follow, predicate, target: int, rng, *, max_iter: int = 20000,
                  batch: int | None = None) -> np.ndarray:
    """Swap follow-up values between patients until ``predicate`` holds for ``target`` of them.

    Parameters
    ----------
    base, follow : array-like of float
        Paired values of the patients present at both visits.
    predicate : callable (base, follow) -> bool array
        Vectorised, e.g. ``lambda b, f: b - f >= 4``.
    target : int
        Exact number of patients for whom ``predicate`` must hold.
    rng : numpy.random.Generator
    batch : int, optional
        Pairs tried per round (default: half the patients); disjoint pairs that move
        the count the right way are swapped together, so large cohorts take few rounds.

    Returns
    -------
    ndarray
        A permutation of ``follow``: the visit's distribution is unchanged.
        Swaps between values close to each other are preferred, so the rank
        coupling made before is disturbed as little as possible.

    Raises
    ------
    ValueError
        When the target is not reached (e.g. more responders asked for than patients
        whose baseline allows it).
    """
    b = np.asarray(base, dtype=float)
    f = np.asarray(follow, dtype=float).copy()
    n = f.size
    if not 0 <= target <= n:
        raise ValueError(f"target {target} outside 0..{n}")
    half = max(1, min(n // 2, batch or n // 2))
    for _ in range(max_iter):
        hit = predicate(b, f)
        need = target - int(hit.sum())
        if need == 0:
            return f
        if n < 2:
            break
        perm = rng.permutation(n)[:2 * half]
        i, j = perm[:half], perm[half:2 * half]
        gain = (predicate(b[i], f[j]).astype(int) + predicate(b[j], f[i]).astype(int)
                - hit[i].astype(int) - hit[j].astype(int))
        step = 1 if need > 0 else -1
        ok = np.flatnonzero(gain == step)
        if ok.size == 0:
            ok = np.flatnonzero(gain == 2 * step) if abs(need) >= 2 else ok
            if ok.size == 0:
                continue
        ok = ok[np.argsort(np.abs(f[i[ok]] - f[j[ok]]), kind="stable")]
        ok = ok[:max(1, abs(need) // abs(int(gain[ok[0]])))]
        f[i[ok]], f[j[ok]] = f[j[ok]], f[i[ok]]
    raise ValueError(f"could not reach {target} patients meeting the condition")
