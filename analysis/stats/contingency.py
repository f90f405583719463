"""Tests of a 2x2 table of two independent groups by a binary outcome.

The table is ``[[a, b], [c, d]]``: row 1 = group 1 (a with the outcome, b without),
row 2 = group 2 (c with, d without).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from analysis.stats._checks import fail
from analysis.stats.result import TestResult

TESTS = {
    "chi2": "Pearson chi-square, no continuity correction, two-sided",
    "chi2_yates": "Pearson chi-square with Yates continuity correction, two-sided",
    "fisher": "Fisher exact test, two-sided (sum of tables no more probable than observed)",
    "ztest": "two-proportion z-test, pooled variance, two-sided",
}


def two_by_two(a, b, c, d, test: str = "chi2", confidence: float = 0.95) -> TestResult:
    """Compare the proportion with the outcome between two groups.

    Parameters
    ----------
    a, b, c, d : int
        Cell counts of ``[[a, b], [c, d]]`` (rows = groups, columns = outcome yes/no).
    test : {"chi2", "chi2_yates", "fisher", "ztest"}
        Pearson chi-square without / with Yates' correction (``|O - E|`` reduced by
        ``min(0.5, |O - E|)``, as R's ``chisq.test`` and scipy do), Fisher's exact
        test (scipy), or the pooled two-proportion z-test (z^2 equals the
        uncorrected chi-square).
    confidence : float
        Level of the Wald (unpooled) CI of the risk difference.

    Returns
    -------
    TestResult
        ``estimate`` = risk difference ``a/(a+b) - c/(c+d)`` with its Wald CI, for
        every test; ``statistic`` chi-square, z, or (Fisher) NaN; ``extra``:
        ``risk_1``, ``risk_2`` (proportions 0-1), ``odds_ratio`` (sample OR,
        ``ad/bc``; inf or NaN with zero cells), ``min_expected``. When no unit (or
        every unit) has the outcome the chi-square and z statistics are undefined:
        statistic and p are NaN and the method says why; Fisher gives p = 1.

    Raises
    ------
    StatsInputError (a ValueError)
        Negative or fractional counts, or an empty group.

    Examples
    --------
    >>> round(two_by_two(3, 1, 1, 3, "fisher").p_value, 4)  # tea tasting, 34/70
    0.4857
    """
    if test not in TESTS:
        fail("option", f"test must be one of {sorted(TESTS)}", value=test)
    cells = {}
    for name, v in zip("abcd", (a, b, c, d)):
        if not float(v).is_integer() or v < 0:
            fail("count", f"cell {name} must be a non-negative whole number", column=name, value=v)
        cells[name] = int(v)
    a, b, c, d = (cells[k] for k in "abcd")
    n1, n2 = a + b, c + d
    if n1 == 0 or n2 == 0:
        fail("empty-group", f"a group has no units (row totals {n1}, {n2})")
    n = n1 + n2
    yes, no = a + c, b + d
    p1, p2 = a / n1, c / n2
    rd = p1 - p2
    se_rd = np.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    zc = stats.norm.ppf(0.5 + confidence / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        odds = np.float64(a * d) / np.float64(b * c)
    expected = np.outer([n1, n2], [yes, no]) / n
    method = TESTS[test]
    df = None
    if test == "fisher":
        stat = float("nan")
        p = float(stats.fisher_exact([[a, b], [c, d]], alternative="two-sided").pvalue)
    elif yes == 0 or no == 0:
        stat = p = float("nan")
        method += "; undefined: the outcome is present in no unit or in every unit"
        df = 1.0 if test != "ztest" else None
    elif test == "ztest":
        pooled = yes / n
        stat = rd / np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        p = float(2 * stats.norm.sf(abs(stat)))
    else:
        obs = np.array([[a, b], [c, d]], dtype=float)
        dev = np.abs(obs - expected)
        if test == "chi2_yates":
            dev = dev - np.minimum(0.5, dev)
        stat = float((dev**2 / expected).sum())
        p = float(stats.chi2.sf(stat, 1))
        df = 1.0
    return TestResult(
        test={"fisher": "Fisher exact", "ztest": "two-proportion z-test"}.get(test, "chi-square"),
        method=method,
        statistic=float(stat),
        p_value=float(p),
        n=n,
        df=df,
        estimate=rd,
        ci_low=float(rd - zc * se_rd),
        ci_high=float(rd + zc * se_rd),
        extra={
            "risk_1": p1, "risk_2": p2, "odds_ratio": float(odds),
            "min_expected": float(expected.min()), "n_1": n1, "n_2": n2,
        },
        params={"test": test, "confidence": confidence, "ci": "Wald (unpooled) risk difference"},
    )
