"""Paired comparisons: paired t-test and Wilcoxon signed-rank test.

Both take the two measurements of each unit (``x`` = first, e.g. baseline; ``y`` =
second, e.g. week 16) and analyse the differences ``d = y - x``. Pairs with a missing
value on either side are dropped and counted (``extra["n_dropped"]``).
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from analysis.stats._checks import check_alternative, complete_pairs, fail, need
from analysis.stats.result import TestResult

ZERO_METHODS = {
    "wilcox": "zero differences dropped (Wilcox)",
    "pratt": "zero differences ranked then dropped (Pratt)",
    "zsplit": "zero-difference ranks split between signs (zsplit)",
}
#: largest number of signed ranks for which the exact distribution is enumerated
EXACT_MAX_N = 500
#: method="auto" uses the exact distribution up to this n when there are no ties
AUTO_EXACT_MAX_N = 50


def paired_t(x, y, alternative: str = "two-sided", confidence: float = 0.95) -> TestResult:
    """Paired t-test of the mean difference ``y - x``.

    Parameters
    ----------
    x, y : array-like of float
        Paired measurements; NaN in either drops the pair.
    alternative : {"two-sided", "greater", "less"}
        ``"greater"``: mean of ``y - x`` > 0.
    confidence : float
        Level of the (always two-sided) confidence interval of the mean difference.

    Returns
    -------
    TestResult
        ``statistic`` t, ``df`` n - 1, ``estimate`` mean of ``y - x`` with its CI;
        ``extra``: ``sd_diff``, ``se_diff``, ``n_dropped``.

    Raises
    ------
    StatsInputError (a ValueError)
        Fewer than 2 pairs, or all differences equal (zero variance: t undefined).

    Examples
    --------
    >>> r = paired_t([1, 2, 3, 4], [2, 4, 5, 4])
    >>> round(r.estimate, 2), r.df
    (1.25, 3.0)
    """
    side = check_alternative(alternative)
    xs, ys, dropped = complete_pairs(x, y)
    n = xs.size
    need(n, 2, "the paired t-test")
    d = ys - xs
    sd = float(d.std(ddof=1))
    if sd == 0.0:
        fail(
            "zero-variance",
            f"all {n} paired differences equal {d[0]:g}: the paired t statistic is undefined",
            value=float(d[0]),
        )
    mean = float(d.mean())
    se = sd / np.sqrt(n)
    t = mean / se
    df = n - 1
    p = _t_p(t, df, alternative)
    half = stats.t.ppf(0.5 + confidence / 2, df) * se
    return TestResult(
        test="paired t-test",
        method=f"paired t-test on differences (second - first), {side}; "
        f"{confidence:.0%} CI two-sided",
        statistic=float(t),
        p_value=float(p),
        n=n,
        df=float(df),
        estimate=mean,
        ci_low=mean - half,
        ci_high=mean + half,
        extra={"sd_diff": sd, "se_diff": float(se), "n_dropped": dropped},
        params={"alternative": alternative, "confidence": confidence},
    )


def _t_p(t: float, df: float, alternative: str) -> float:
    if alternative == "two-sided":
        return float(2 * stats.t.sf(abs(t), df))
    if alternative == "greater":
        return float(stats.t.sf(t, df))
    return float(stats.t.cdf(t, df))


def wilcoxon_signed_rank(
    x,
    y,
    zero_method: str = "wilcox",
    method: str = "auto",
    alternative: str = "two-sided",
    correction: bool = False,
) -> TestResult:
    """Wilcoxon signed-rank test of the differences ``y - x``.

    Parameters
    ----------
    x, y : array-like of float
        Paired measurements; NaN in either drops the pair.
    zero_method : {"wilcox", "pratt", "zsplit"}
        ``"wilcox"`` drops zero differences before ranking; ``"pratt"`` ranks them
        with the others and then drops them; ``"zsplit"`` ranks them and adds half of
        their ranks to each signed sum (a constant under the null).
    method : {"auto", "exact", "approx"}
        ``"exact"``: the permutation distribution of the signed ranks, enumerated by
        dynamic programming over the actual (mid-)ranks. Without ties this is the
        classical exact null distribution; with ties it is the exact conditional
        distribution given the tied mid-ranks. Allowed up to :data:`EXACT_MAX_N`
        signed ranks. ``"approx"``: normal approximation with mean and variance of
        the permutation distribution, ``E = sum(r)/2``, ``Var = sum(r**2)/4``,
        which equals the textbook tie-corrected variance
        ``n(n+1)(2n+1)/24 - sum(t**3 - t)/48``. ``"auto"``: exact when there are at
        most :data:`AUTO_EXACT_MAX_N` signed ranks and no ties among them, else approx.
    alternative : {"two-sided", "greater", "less"}
        ``"greater"``: differences ``y - x`` tend to be positive.
    correction : bool
        Continuity correction of 0.5 in the normal approximation (R's default is
        ``correct=TRUE``; scipy's default is False). Ignored for the exact test.

    Returns
    -------
    TestResult
        ``statistic`` = T+ (sum of ranks of positive ``y - x``; R's ``V`` for
        ``wilcox.test(y, x, paired=TRUE)``), ``estimate`` = median of ``y - x``,
        ``extra``: ``t_plus``, ``t_minus``, ``n_zero``, ``n_nonzero``, ``has_ties``,
        ``z`` (approx only), ``n_dropped``. ``n`` counts complete pairs, zeros included.

    Raises
    ------
    StatsInputError (a ValueError)
        No pairs, or no non-zero difference (the test has no information).

    Notes
    -----
    For zero_method="zsplit" the variance counts only the random (non-zero) signed
    ranks, consistent with the exact distribution; scipy instead also counts the
    zeros' ranks, so its zsplit z differs from this one.

    Examples
    --------
    >>> r = wilcoxon_signed_rank([0, 0, 0, 0, 0], [1, 2, -3, 4, 5])
    >>> r.statistic, round(r.p_value, 4)
    (12.0, 0.3125)
    """
    side = check_alternative(alternative)
    if zero_method not in ZERO_METHODS:
        fail("option", f"zero_method must be one of {sorted(ZERO_METHODS)}", value=zero_method)
    if method not in ("auto", "exact", "approx"):
        fail("option", "method must be 'auto', 'exact' or 'approx'", value=method)
    xs, ys, dropped = complete_pairs(x, y)
    n = xs.size
    need(n, 1, "the Wilcoxon signed-rank test")
    d = ys - xs
    zero = d == 0
    n_zero = int(zero.sum())
    if n_zero == n:
        fail("no-information", f"all {n} paired differences are zero: the signed-rank test is undefined")

    ranked = d[~zero] if zero_method == "wilcox" else d
    ranks = stats.rankdata(np.abs(ranked), method="average")
    sign = np.sign(ranked)
    random_ranks = ranks[sign != 0]
    fixed = ranks[sign == 0].sum() / 2 if zero_method == "zsplit" else 0.0
    t_plus = float(ranks[sign > 0].sum() + fixed)
    t_minus = float(ranks[sign < 0].sum() + fixed)
    has_ties = bool(np.unique(random_ranks).size < random_ranks.size)
    m = random_ranks.size

    if method == "auto":
        method = "exact" if (m <= AUTO_EXACT_MAX_N and not has_ties) else "approx"
    extra = {
        "t_plus": t_plus, "t_minus": t_minus, "n_zero": n_zero, "n_nonzero": m,
        "has_ties": has_ties, "n_dropped": dropped,
    }
    if method == "exact":
        if m > EXACT_MAX_N:
            fail(
                "too-many",
                f"exact signed-rank distribution is enumerated up to n={EXACT_MAX_N} "
                f"(got {m}); use method='approx'",
                value=m,
            )
        p = _exact_p(random_ranks, t_plus - fixed, alternative)
        dist = (
            "exact permutation distribution over tied mid-ranks"
            if has_ties
            else "exact null distribution"
        )
        desc = f"Wilcoxon signed-rank, {dist}, {ZERO_METHODS[zero_method]}, {side}"
    else:
        mean = random_ranks.sum() / 2 + fixed
        sd = np.sqrt((random_ranks**2).sum() / 4)
        diff = t_plus - mean
        if correction:
            cc = {"two-sided": np.sign(diff) * 0.5, "greater": 0.5, "less": -0.5}[alternative]
            diff -= cc
        z = diff / sd
        p = _norm_p(z, alternative)
        extra["z"] = float(z)
        ties = "with tie correction" if has_ties else "no ties"
        cc_txt = "with continuity correction" if correction else "no continuity correction"
        desc = (
            f"Wilcoxon signed-rank, normal approximation ({ties}, {cc_txt}), "
            f"{ZERO_METHODS[zero_method]}, {side}"
        )
    return TestResult(
        test="Wilcoxon signed-rank",
        method=desc,
        statistic=t_plus,
        p_value=float(p),
        n=n,
        estimate=float(np.median(d)),
        extra=extra,
        params={
            "zero_method": zero_method, "method": method, "alternative": alternative,
            "correction": bool(correction) if method == "approx" else False,
        },
    )


def _norm_p(z: float, alternative: str) -> float:
    if alternative == "two-sided":
        return float(min(1.0, 2 * stats.norm.sf(abs(z))))
    if alternative == "greater":
        return float(stats.norm.sf(z))
    return float(stats.norm.cdf(z))


def signed_rank_distribution(ranks) -> np.ndarray:
    """Null distribution of ``2 * T+`` for the given (mid-)ranks with random signs.

    Mid-ranks are multiples of 1/2, so doubled ranks are integers; the distribution
    is built by the recursion ``P_k(s) = (P_{k-1}(s) + P_{k-1}(s - 2 r_k)) / 2``,
    one vectorised shift-and-add per rank.

    Returns
    -------
    ndarray
        ``p[s]`` = probability that ``2 * T+ == s``, ``s = 0 .. 2 * sum(ranks)``.

    Examples
    --------
    >>> signed_rank_distribution([1, 2]) [[0, 2, 4, 6]]
    array([0.25, 0.25, 0.25, 0.25])
    """
    doubled = np.rint(2 * np.asarray(ranks, dtype=float)).astype(np.int64)
    prob = np.zeros(int(doubled.sum()) + 1)
    prob[0] = 1.0
    top = 0
    for r in doubled:  # one vectorised step per rank, O(n * sum(r)) in all
        top += r
        prob[r : top + 1] = 0.5 * (prob[r : top + 1] + prob[: top + 1 - r])
        prob[:r] *= 0.5
    return prob


def _exact_p(ranks: np.ndarray, t_plus: float, alternative: str) -> float:
    prob = signed_rank_distribution(ranks)
    s = int(np.rint(2 * t_plus))
    lower = prob[: s + 1].sum()
    upper = prob[s:].sum()
    if alternative == "greater":
        return float(min(1.0, upper))
    if alternative == "less":
        return float(min(1.0, lower))
    return float(min(1.0, 2 * min(lower, upper)))
