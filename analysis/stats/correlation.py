"""Correlation of two paired variables: Pearson (Fisher-z CI) and Spearman.

Pairs with a missing value on either side are dropped and counted.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from analysis.stats._checks import complete_pairs, fail, need
from analysis.stats.result import TestResult


def _r_and_t_p(x: np.ndarray, y: np.ndarray, what: str) -> tuple[float, float, float]:
    for arr, name in ((x, "x"), (y, "y")):
        if np.all(arr == arr[0]):
            fail("zero-variance", f"{what}: {name} is constant, the correlation is undefined",
                 column=name)
    xc, yc = x - x.mean(), y - y.mean()
    r = float(np.dot(xc, yc) / np.sqrt(np.dot(xc, xc) * np.dot(yc, yc)))
    r = min(1.0, max(-1.0, r))
    df = x.size - 2
    if abs(r) == 1.0:
        return r, float("inf") * np.sign(r), 0.0
    t = r * np.sqrt(df / (1 - r * r))
    return r, float(t), float(2 * stats.t.sf(abs(t), df))


def pearson(x, y, confidence: float = 0.95) -> TestResult:
    """Pearson product-moment correlation, two-sided t-test of rho = 0.

    Parameters
    ----------
    x, y : array-like of float
        Paired values; NaN on either side drops the pair.
    confidence : float
        Level of the Fisher-z confidence interval ``tanh(atanh(r) -/+ z / sqrt(n - 3))``.

    Returns
    -------
    TestResult
        ``estimate`` r with its CI (NaN for n = 3: the Fisher-z SE needs n > 3),
        ``statistic`` t = r sqrt((n-2)/(1-r^2)) on ``df`` n - 2.

    Raises
    ------
    StatsInputError (a ValueError)
        Fewer than 3 complete pairs, or a constant variable.

    Examples
    --------
    >>> r = pearson([1, 2, 3, 4], [1, 3, 2, 4])
    >>> round(r.estimate, 2)
    0.8
    """
    xs, ys, dropped = complete_pairs(x, y)
    n = xs.size
    need(n, 3, "a correlation test")
    r, t, p = _r_and_t_p(xs, ys, "Pearson correlation")
    if n > 3 and abs(r) < 1:
        zc = stats.norm.ppf(0.5 + confidence / 2) / np.sqrt(n - 3)
        lo, hi = float(np.tanh(np.arctanh(r) - zc)), float(np.tanh(np.arctanh(r) + zc))
    elif abs(r) == 1:
        lo = hi = r
    else:
        lo = hi = float("nan")
    return TestResult(
        test="Pearson correlation",
        method=f"Pearson correlation, t-test of rho = 0 (n-2 df), two-sided; "
        f"{confidence:.0%} CI by Fisher z-transformation",
        statistic=t,
        p_value=p,
        n=n,
        df=float(n - 2),
        estimate=r,
        ci_low=lo,
        ci_high=hi,
        extra={"n_dropped": dropped},
        params={"confidence": confidence},
    )


def spearman(x, y) -> TestResult:
    """Spearman rank correlation, p-value from the t approximation.

    Ranks are mid-ranks (ties averaged), and rho is the Pearson correlation of the
    ranks, which is the tie-corrected Spearman coefficient. The p-value uses
    ``t = rho sqrt((n-2)/(1-rho^2))`` on n - 2 df, as scipy's ``spearmanr`` does;
    R's ``cor.test(method="spearman")`` instead uses an exact/Edgeworth p when n is
    small and there are no ties, so small-sample p-values can differ from R's.

    Returns
    -------
    TestResult
        ``estimate`` rho, ``statistic`` t, ``df`` n - 2; ``extra``: ``n_dropped``.

    Raises
    ------
    StatsInputError (a ValueError)
        Fewer than 3 complete pairs, or a constant variable.

    Examples
    --------
    >>> spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]).estimate
    0.8
    """
    xs, ys, dropped = complete_pairs(x, y)
    n = xs.size
    need(n, 3, "a correlation test")
    rx, ry = stats.rankdata(xs), stats.rankdata(ys)
    rho, t, p = _r_and_t_p(rx, ry, "Spearman correlation")
    ties = np.unique(xs).size < n or np.unique(ys).size < n
    return TestResult(
        test="Spearman correlation",
        method="Spearman rank correlation (mid-ranks for ties), "
        "p from t approximation (n-2 df), two-sided",
        statistic=t,
        p_value=p,
        n=n,
        df=float(n - 2),
        estimate=rho,
        extra={"n_dropped": dropped, "has_ties": bool(ties)},
        params={"p_method": "t approximation"},
    )
