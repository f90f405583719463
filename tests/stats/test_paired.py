"""Paired t-test and Wilcoxon signed-rank against R outputs, scipy and hand enumeration."""

import numpy as np
import pytest
from scipy import stats

from analysis.stats.paired import paired_t, signed_rank_distribution, wilcoxon_signed_rank

# R's `sleep` data (Cushny & Peebles; datasets::sleep), extra hours of sleep by drug.
SLEEP1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]


def test_paired_t_r_sleep_example():
    # R (example in ?t.test): t.test(extra ~ group, data = sleep, paired = TRUE)
    #   t = -4.0621, df = 9, p-value = 0.002833
    #   95 percent CI: -2.4598858 -0.7001142; mean difference -1.58   (group1 - group2)
    # Here d = second - first = group2 - group1, so signs flip.
    r = paired_t(SLEEP1, SLEEP2)
    assert r.statistic == pytest.approx(4.0621, abs=1e-4)
    assert r.df == 9
    assert r.p_value == pytest.approx(0.002833, abs=1e-6)
    assert r.estimate == pytest.approx(1.58)
    assert (r.ci_low, r.ci_high) == pytest.approx((0.7001142, 2.4598858), abs=1e-7)
    assert "two-sided" in r.method


def test_paired_t_matches_scipy_one_sided_and_drops_missing():
    rng = np.random.default_rng(1)
    x = rng.normal(size=30)
    y = x + rng.normal(0.3, 1, size=30)
    y[[3, 7]] = np.nan
    r = paired_t(x, y, alternative="greater")
    keep = ~np.isnan(y)
    ref = stats.ttest_rel(y[keep], x[keep], alternative="greater")
    assert r.statistic == pytest.approx(ref.statistic)
    assert r.p_value == pytest.approx(ref.pvalue)
    assert r.n == 28 and r.extra["n_dropped"] == 2


def test_paired_t_edge_cases():
    with pytest.raises(ValueError, match="at least 2"):
        paired_t([1.0], [2.0])
    with pytest.raises(ValueError, match="undefined"):
        paired_t([1, 2, 3], [2, 3, 4])  # every difference 1: zero variance
    with pytest.raises(ValueError, match="same length"):
        paired_t([1, 2, 3], [2, 3])


def test_wilcoxon_r_hollander_wolfe_exact():
    # R (example in ?wilcox.test; Hollander & Wolfe 1973, p. 29, depression scale):
    #   wilcox.test(x, y, paired = TRUE, alternative = "greater")  ->  V = 40, p-value = 0.01953
    # Hand check: T- = 2 + 3 = 5; P(T- <= 5) = 10 subsets of 1..9 / 2^9 = 0.01953.
    x = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30]
    y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]
    r = wilcoxon_signed_rank(y, x, alternative="greater")  # d = x - y as in R
    assert r.statistic == 40
    assert r.p_value == pytest.approx(10 / 512)
    assert r.method == (
        "Wilcoxon signed-rank, exact null distribution, "
        "zero differences dropped (Wilcox), one-sided (greater)"
    )


def test_wilcoxon_r_sleep_normal_approx_with_ties_and_zero():
    # R: wilcox.test(sleep$extra[1:10], sleep$extra[11:20], paired = TRUE)
    #   V = 0, p-value = 0.009091 (warnings: cannot compute exact p-value with ties/zeroes)
    # R drops the zero, uses the tie-corrected normal approximation WITH continuity correction.
    # Hand: n = 9, E = 22.5, Var = 9*10*19/24 - (2^3-2)/48 = 71.125, z = (0-22.5+0.5)/8.4336.
    r = wilcoxon_signed_rank(SLEEP1, SLEEP2, method="auto", correction=True)
    assert r.statistic == 45  # T+ of group2 - group1 = 45 - R's V (0)
    assert r.extra["t_minus"] == 0
    assert r.p_value == pytest.approx(0.009091, abs=5e-7)
    assert r.extra["z"] == pytest.approx(22.0 / np.sqrt(71.125))
    assert "normal approximation (with tie correction, with continuity correction)" in r.method
    assert r.extra["n_zero"] == 1 and r.n == 10


@pytest.mark.parametrize("zero_method", ["wilcox", "pratt"])
@pytest.mark.parametrize("alternative", ["two-sided", "less", "greater"])
def test_wilcoxon_approx_matches_scipy(zero_method, alternative):
    rng = np.random.default_rng(7)
    x = rng.integers(0, 8, 60).astype(float)
    y = x + rng.integers(-3, 5, 60)
    r = wilcoxon_signed_rank(x, y, zero_method=zero_method, method="approx",
                             alternative=alternative)
    ref = stats.wilcoxon(y - x, zero_method=zero_method, method="asymptotic",
                         correction=False, alternative=alternative)
    assert r.p_value == pytest.approx(ref.pvalue, rel=1e-10)


def test_wilcoxon_exact_no_ties_matches_scipy_exact():
    rng = np.random.default_rng(3)
    d = rng.permutation(np.arange(1, 41)) * rng.choice([-1, 1], 40) + 0.1 * rng.normal(size=40)
    r = wilcoxon_signed_rank(np.zeros(40), d, method="exact")
    ref = stats.wilcoxon(d, method="exact")
    assert r.p_value == pytest.approx(ref.pvalue, rel=1e-9)


@pytest.mark.parametrize("zero_method", ["wilcox", "pratt", "zsplit"])
def test_wilcoxon_exact_with_ties_matches_full_sign_flip_enumeration(zero_method):
    # scipy's permutation_test enumerates all 2^n sign flips when n is small: an
    # independent brute-force of the conditional exact distribution.
    d = np.array([1, 1, 2, 2, 2, -3, 4, 4, 0, 5, -1, 6], dtype=float)
    r = wilcoxon_signed_rank(np.zeros(d.size), d, zero_method=zero_method, method="exact")
    ref = stats.wilcoxon(d, zero_method=zero_method, method=stats.PermutationMethod(n_resamples=10**6))
    assert r.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    assert "exact permutation distribution over tied mid-ranks" in r.method


def test_wilcoxon_exact_ties_hand_enumeration():
    # d = 1, 1, 2 -> mid-ranks 1.5, 1.5, 3. The 8 sign patterns give T+ in
    # {0, 1.5, 1.5, 3, 3, 4.5, 4.5, 6}; observed T+ = 6, so P(T+ >= 6) = 1/8, two-sided 1/4.
    r = wilcoxon_signed_rank([0, 0, 0], [1, 1, 2], method="exact")
    assert r.statistic == 6 and r.p_value == pytest.approx(0.25)
    # auto with ties -> normal approximation, and says so
    auto = wilcoxon_signed_rank([0, 0, 0], [1, 1, 2])
    assert "normal approximation (with tie correction" in auto.method


def test_wilcoxon_zsplit_approx_hand():
    # d = 0, 1, -2, 3, 4: ranks of |d| = 1..5; zsplit adds 1/2 to each sum.
    # T+ = 2 + 4 + 5 + 0.5 = 11.5; random ranks 2..5: E = 14/2 + 0.5 = 7.5,
    # Var = (4 + 9 + 16 + 25)/4 = 13.5; z = 4 / sqrt(13.5).
    r = wilcoxon_signed_rank([0] * 5, [0, 1, -2, 3, 4], zero_method="zsplit", method="approx")
    assert r.statistic == 11.5
    assert r.extra["z"] == pytest.approx(4 / np.sqrt(13.5))
    assert r.p_value == pytest.approx(2 * stats.norm.sf(4 / np.sqrt(13.5)))


def test_signed_rank_distribution_sums_to_one_and_is_symmetric():
    p = signed_rank_distribution([1.5, 1.5, 3, 4, 5.5, 5.5])
    assert p.sum() == pytest.approx(1.0)
    assert p == pytest.approx(p[::-1])


def test_wilcoxon_edge_cases():
    with pytest.raises(ValueError, match="all 3 paired differences are zero"):
        wilcoxon_signed_rank([1, 2, 3], [1, 2, 3])
    one = wilcoxon_signed_rank([1.0], [2.0])  # n = 1: both sign patterns equally likely
    assert one.p_value == 1.0
    with pytest.raises(ValueError):
        wilcoxon_signed_rank([1, 2], [1, 2], zero_method="bogus")
    with pytest.raises(ValueError, match="at least 1"):
        wilcoxon_signed_rank([np.nan], [1.0])
