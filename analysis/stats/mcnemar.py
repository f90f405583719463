"""McNemar test for paired binary data, in its four common variants.

With the paired 2x2 table ``[[a, b], [c, d]]`` (rows: before yes/no, columns: after
yes/no), only the discordant counts ``b`` (yes -> no) and ``c`` (no -> yes) matter.

=========  ====================================================================
variant    computation
=========  ====================================================================
exact      exact conditional binomial: p = min(1, 2 P(X <= min(b, c))), X ~ Bin(b+c, 1/2)
midp       mid-p: exact p minus P(X = min(b, c))  (Fagerland et al. 2013)
chi2       (b - c)^2 / (b + c) on 1 df, no continuity correction
chi2_cc    (|b - c| - 1)^2 / (b + c) on 1 df, Edwards' continuity correction (as R's
           ``mcnemar.test`` and statsmodels compute it, without truncation at 0)
=========  ====================================================================
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from analysis.stats._checks import fail
from analysis.stats.result import TestResult

VARIANTS = {
    "exact": "McNemar exact binomial (conditional), two-sided",
    "midp": "McNemar mid-p (exact binomial minus half the point probability), two-sided",
    "chi2": "McNemar chi-square, no continuity correction, two-sided",
    "chi2_cc": "McNemar chi-square with Edwards continuity correction, two-sided",
}


def _count(v, name: str) -> int:
    if not float(v).is_integer() or v < 0:
        fail("count", f"{name} must be a non-negative whole number", column=name, value=v)
    return int(v)


def mcnemar(b, c, variant: str = "exact") -> TestResult:
    """McNemar test from the two discordant counts.

    Parameters
    ----------
    b, c : int
        Discordant pairs: ``b`` yes -> no, ``c`` no -> yes.
    variant : {"exact", "midp", "chi2", "chi2_cc"}
        See the module table.

    Returns
    -------
    TestResult
        ``statistic``: the chi-square (NaN for the exact variants), ``df`` 1 for the
        chi-square variants, ``n`` = b + c (discordant pairs); ``extra`` b, c.
        With b = c = 0 there is no information against the null: p = 1 by
        convention and the method says so.

    Examples
    --------
    >>> round(mcnemar(1, 7, "exact").p_value, 6)  # 2 * 9/256
    0.070312
    """
    if variant not in VARIANTS:
        fail("option", f"variant must be one of {sorted(VARIANTS)}", value=variant)
    b, c = _count(b, "b"), _count(c, "c")
    m = b + c
    method = VARIANTS[variant]
    df = 1.0 if variant.startswith("chi2") else None
    stat = float("nan")
    if m == 0:
        p = 1.0
        method += "; no discordant pairs (b = c = 0): p = 1 by convention"
    elif variant in ("exact", "midp"):
        k = min(b, c)
        p = 2 * stats.binom.cdf(k, m, 0.5)
        if variant == "midp":
            p -= stats.binom.pmf(k, m, 0.5)
        p = min(1.0, float(p))
    else:
        corr = 1.0 if variant == "chi2_cc" else 0.0
        stat = (abs(b - c) - corr) ** 2 / m
        p = float(stats.chi2.sf(stat, 1))
    return TestResult(
        test="McNemar",
        method=method,
        statistic=float(stat),
        p_value=float(p),
        n=m,
        df=df,
        extra={"b": b, "c": c},
        params={"variant": variant},
    )


def _binary(v, name: str) -> np.ndarray:
    try:
        arr = np.asarray(v, dtype=float)
    except (TypeError, ValueError):
        fail("binary", f"{name} must hold True/False (or 1/0), NaN for missing", column=name)
    if arr.ndim != 1:
        fail("shape", f"{name} must be one-dimensional", column=name)
    bad = ~np.isnan(arr) & (arr != 0) & (arr != 1)
    if bad.any():
        fail("binary", f"{name} must hold True/False (or 1/0), NaN for missing", column=name,
             value=float(arr[bad][0]))
    return arr


def mcnemar_paired(before, after, variant: str = "exact") -> TestResult:
    """McNemar test from per-unit binary outcomes at two occasions.

    Parameters
    ----------
    before, after : array-like of bool (or 1/0, NaN = missing)
        One entry per unit; units missing either value are dropped and counted.
    variant : {"exact", "midp", "chi2", "chi2_cc"}

    Returns
    -------
    TestResult
        As :func:`mcnemar`, but ``n`` = complete pairs; ``estimate`` = proportion
        yes after minus before, ``(c - b) / n``; ``extra``: a, b, c, d, n_dropped.

    Examples
    --------
    >>> r = mcnemar_paired([1, 1, 0, 0, 1], [1, 0, 1, 1, 1], "exact")
    >>> r.extra["b"], r.extra["c"], r.estimate
    (1, 2, 0.2)
    """
    x, y = _binary(before, "before"), _binary(after, "after")
    if x.shape != y.shape:
        fail("paired-length", f"before and after must have the same length ({x.size} vs {y.size})")
    keep = ~(np.isnan(x) | np.isnan(y))
    x, y = x[keep].astype(bool), y[keep].astype(bool)
    n = int(x.size)
    if n == 0:
        fail("too-few", "McNemar test needs at least one complete pair")
    a, b = int((x & y).sum()), int((x & ~y).sum())
    c, d = int((~x & y).sum()), int((~x & ~y).sum())
    res = mcnemar(b, c, variant)
    return TestResult(
        test=res.test,
        method=res.method,
        statistic=res.statistic,
        p_value=res.p_value,
        n=n,
        df=res.df,
        estimate=(c - b) / n,
        extra={"a": a, "b": b, "c": c, "d": d, "n_dropped": int((~keep).sum())},
        params=res.params,
    )
