"""Two independent samples: Welch and Student t-tests, Mann-Whitney U test.

Missing values (NaN) are dropped within each sample and counted.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from analysis.stats._checks import as_float, check_alternative, complete, fail, need
from analysis.stats.paired import _t_p
from analysis.stats.result import TestResult

#: method="auto" of the Mann-Whitney test is exact below this size per group, without ties
AUTO_EXACT_MAX_N = 50


def _samples(x, y, what: str, minimum: int):
    xs, dx = complete(as_float(x, "x"))
    ys, dy = complete(as_float(y, "y"))
    need(xs.size, minimum, f"{what} (sample x)")
    need(ys.size, minimum, f"{what} (sample y)")
    return xs, ys, dx + dy


def _t_test(x, y, welch: bool, alternative: str, confidence: float) -> TestResult:
    side = check_alternative(alternative)
    name = "Welch t-test" if welch else "Student t-test"
    xs, ys, dropped = _samples(x, y, name, 2)
    n1, n2 = xs.size, ys.size
    v1, v2 = xs.var(ddof=1), ys.var(ddof=1)
    if v1 == 0 and v2 == 0:
        fail("zero-variance", f"{name}: both samples are constant, t is undefined")
    if welch:
        s1, s2 = v1 / n1, v2 / n2
        se = np.sqrt(s1 + s2)
        df = (s1 + s2) ** 2 / (s1**2 / (n1 - 1) + s2**2 / (n2 - 1))
    else:
        df = n1 + n2 - 2
        pooled = ((n1 - 1) * v1 + (n2 - 1) * v2) / df
        se = np.sqrt(pooled * (1 / n1 + 1 / n2))
    diff = float(xs.mean() - ys.mean())
    t = diff / se
    half = stats.t.ppf(0.5 + confidence / 2, df) * se
    variance = "unequal variances, Welch-Satterthwaite df" if welch else "pooled variance"
    return TestResult(
        test=name,
        method=f"{name} ({variance}), {side}; {confidence:.0%} CI two-sided",
        statistic=float(t),
        p_value=_t_p(t, df, alternative),
        n=n1 + n2,
        df=float(df),
        estimate=diff,
        ci_low=diff - half,
        ci_high=diff + half,
        extra={"n_x": n1, "n_y": n2, "mean_x": float(xs.mean()), "mean_y": float(ys.mean()),
               "n_dropped": dropped},
        params={"alternative": alternative, "confidence": confidence},
    )


def welch_t(x, y, alternative: str = "two-sided", confidence: float = 0.95) -> TestResult:
    """Welch's t-test of mean(x) - mean(y) (unequal variances).

    Returns
    -------
    TestResult
        ``estimate`` mean(x) - mean(y) with CI, ``df`` Welch-Satterthwaite.

    Examples
    --------
    >>> round(welch_t([1, 2, 3, 4], [2, 4, 6, 8]).df, 3)
    4.412
    """
    return _t_test(x, y, True, alternative, confidence)


def student_t(x, y, alternative: str = "two-sided", confidence: float = 0.95) -> TestResult:
    """Student's two-sample t-test with pooled variance.

    Examples
    --------
    >>> student_t([1, 2, 3, 4], [2, 4, 6, 8]).df
    6.0
    """
    return _t_test(x, y, False, alternative, confidence)


def mann_whitney(
    x, y, method: str = "auto", alternative: str = "two-sided", correction: bool = True
) -> TestResult:
    """Mann-Whitney U (Wilcoxon rank-sum) test, computed by scipy.

    Parameters
    ----------
    method : {"auto", "exact", "approx"}
        ``"exact"``: exact null distribution of U (valid without ties; refused with
        ties). ``"approx"``: normal approximation with tie-corrected variance.
        ``"auto"``: exact when both groups have at most :data:`AUTO_EXACT_MAX_N`
        values and there are no ties (R's rule), else approx.
    correction : bool
        Continuity correction in the normal approximation (R's and scipy's default).

    Returns
    -------
    TestResult
        ``statistic`` U of x (R's ``W`` for ``wilcox.test(x, y)``); ``extra``:
        ``u_y``, ``median_x``, ``median_y``, ``n_x``, ``n_y``, ``has_ties``.

    Examples
    --------
    >>> r = mann_whitney([1, 2, 3], [4, 5, 6, 7])
    >>> r.statistic, round(r.p_value, 4)  # 2 / C(7, 3)
    (0.0, 0.0571)
    """
    side = check_alternative(alternative)
    if method not in ("auto", "exact", "approx"):
        fail("option", "method must be 'auto', 'exact' or 'approx'", value=method)
    xs, ys, dropped = _samples(x, y, "the Mann-Whitney test", 1)
    both = np.concatenate([xs, ys])
    ties = bool(np.unique(both).size < both.size)
    if ties and np.unique(both).size == 1:
        fail("no-information", "Mann-Whitney: every value is identical, the test is undefined")
    if method == "auto":
        small = max(xs.size, ys.size) <= AUTO_EXACT_MAX_N
        method = "exact" if small and not ties else "approx"
    if method == "exact" and ties:
        fail("ties", "the exact Mann-Whitney distribution here assumes no ties; use method='approx'")
    res = stats.mannwhitneyu(
        xs, ys, alternative=alternative, use_continuity=correction,
        method="exact" if method == "exact" else "asymptotic",
    )
    u = float(res.statistic)
    if method == "exact":
        desc = f"Mann-Whitney U, exact null distribution, {side}"
    else:
        t = "with tie correction" if ties else "no ties"
        cc = "with continuity correction" if correction else "no continuity correction"
        desc = f"Mann-Whitney U, normal approximation ({t}, {cc}), {side}"
    return TestResult(
        test="Mann-Whitney U",
        method=desc,
        statistic=u,
        p_value=float(res.pvalue),
        n=int(both.size),
        extra={"u_y": float(xs.size * ys.size - u), "n_x": int(xs.size), "n_y": int(ys.size),
               "median_x": float(np.median(xs)), "median_y": float(np.median(ys)),
               "has_ties": ties, "n_dropped": dropped},
        params={"method": method, "alternative": alternative,
                "correction": bool(correction) if method == "approx" else False},
    )
