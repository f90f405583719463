"""Descriptive statistics: n, mean, SD, median, quartiles, range; counts and percents.

Quartiles use numpy's default ``method="linear"``, which is Hyndman & Fan (1996)
type 7, the default of R's ``quantile()`` (SPSS's default is type 6; results differ
slightly in small samples).
"""

from __future__ import annotations

import numpy as np

from analysis.stats._checks import as_float, fail

QUANTILE_METHOD = "quartiles by linear interpolation (Hyndman-Fan type 7, numpy 'linear', R default)"
SUMMARY_METHOD = f"n, mean, SD (n-1 denominator), median, {QUANTILE_METHOD}; missing values dropped"


def summarize(x) -> dict[str, float]:
    """Summary of one numeric variable, missing values dropped and counted.

    Parameters
    ----------
    x : array-like of float
        NaN (or None) marks a missing value.

    Returns
    -------
    dict
        ``n`` (non-missing), ``n_missing``, ``mean``, ``sd`` (ddof=1), ``median``,
        ``q1``, ``q3`` (type 7, see :data:`QUANTILE_METHOD`), ``min``, ``max``.
        With n = 0 every statistic is NaN; with n = 1 ``sd`` is NaN (a standard
        deviation needs two values). The describing text is :data:`SUMMARY_METHOD`.

    Examples
    --------
    >>> s = summarize([1, 2, 3, 4, None])
    >>> s["n"], s["n_missing"], s["mean"], s["q1"]
    (4, 1, 2.5, 1.75)
    """
    arr = as_float(x)
    kept = arr[~np.isnan(arr)]
    n = int(kept.size)
    out: dict[str, float] = {"n": n, "n_missing": int(arr.size - n)}
    if n == 0:
        out.update({k: float("nan") for k in ("mean", "sd", "median", "q1", "q3", "min", "max")})
        return out
    q1, med, q3 = np.quantile(kept, [0.25, 0.5, 0.75], method="linear")
    out.update(
        mean=float(kept.mean()),
        sd=float(kept.std(ddof=1)) if n > 1 else float("nan"),
        median=float(med),
        q1=float(q1),
        q3=float(q3),
        min=float(kept.min()),
        max=float(kept.max()),
    )
    return out


def count_percent(count, n) -> dict[str, float]:
    """A count and its percentage (0-100) of a denominator.

    Parameters
    ----------
    count, n : int
        ``0 <= count <= n``. With ``n == 0`` the percent is NaN (no denominator).

    Examples
    --------
    >>> count_percent(3, 12)
    {'count': 3, 'percent': 25.0}
    """
    if not (float(count).is_integer() and float(n).is_integer()):
        fail("integer", f"count and n must be whole numbers (got {count}, {n})")
    count, n = int(count), int(n)
    if n < 0 or count < 0 or count > n:
        fail("count-range", f"need 0 <= count <= n, got count={count}, n={n}")
    return {"count": count, "percent": 100.0 * count / n if n else float("nan")}
