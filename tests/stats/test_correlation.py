"""Pearson / Spearman against R's cor.test documentation example, scipy and hand arithmetic."""

import numpy as np
import pytest
from scipy import stats

from analysis.stats.correlation import pearson, spearman

# Example of R's ?cor.test (Hollander & Wolfe 1973, p. 187)
X = [44.4, 45.9, 41.9, 53.3, 44.7, 44.1, 50.7, 45.2, 60.1]
Y = [2.6, 3.1, 2.5, 5.0, 3.6, 4.0, 5.2, 2.8, 3.8]


def test_pearson_r_cor_test_example():
    # R: cor.test(x, y)
    #   t = 1.8411, df = 7, p-value = 0.1082
    #   95 percent confidence interval: -0.1497426  0.8955795;  cor 0.5711816
    r = pearson(X, Y)
    assert r.estimate == pytest.approx(0.5711816, abs=1e-7)
    assert r.statistic == pytest.approx(1.8411, abs=1e-4)
    assert r.df == 7
    assert r.p_value == pytest.approx(0.1082, abs=1e-4)
    assert (r.ci_low, r.ci_high) == pytest.approx((-0.1497426, 0.8955795), abs=1e-7)


def test_pearson_matches_scipy_and_drops_missing():
    rng = np.random.default_rng(0)
    x = rng.normal(size=50)
    y = 0.4 * x + rng.normal(size=50)
    x[2] = np.nan
    r = pearson(x, y)
    ref = stats.pearsonr(x[~np.isnan(x)], y[~np.isnan(x)])
    ci = ref.confidence_interval()
    assert r.estimate == pytest.approx(ref.statistic)
    assert r.p_value == pytest.approx(ref.pvalue)
    assert (r.ci_low, r.ci_high) == pytest.approx((ci.low, ci.high))
    assert r.n == 49 and r.extra["n_dropped"] == 1


def test_spearman_r_example_rho_and_t_approx():
    # R: cor.test(x, y, method = "spearman") gives S = 48, rho = 0.6 (S = sum d^2,
    # rho = 1 - 6*48/(9*80)). R's p (0.0968) is exact; ours is the t approximation:
    # t = 0.6 * sqrt(7 / 0.64) = 1.98431, p = 2 * P(T_7 > 1.98431).
    r = spearman(X, Y)
    assert r.estimate == pytest.approx(0.6)
    t = 0.6 * np.sqrt(7 / 0.64)
    assert r.statistic == pytest.approx(t)
    assert r.p_value == pytest.approx(2 * stats.t.sf(t, 7))
    assert "t approximation" in r.method


def test_spearman_ties_match_scipy():
    x = [1, 2, 2, 3, 4, 4, 4, 5, 6, 7]
    y = [2, 1, 3, 3, 5, 4, 6, 6, 8, 7]
    r = spearman(x, y)
    ref = stats.spearmanr(x, y)
    assert r.estimate == pytest.approx(ref.statistic)
    assert r.p_value == pytest.approx(ref.pvalue)
    assert r.extra["has_ties"] is True


def test_correlation_edge_cases():
    with pytest.raises(ValueError, match="at least 3"):
        pearson([1, 2], [1, 2])
    with pytest.raises(ValueError, match="constant"):
        spearman([1, 1, 1, 1], [1, 2, 3, 4])
    perfect = pearson([1, 2, 3, 4], [2, 4, 6, 8])
    assert perfect.estimate == 1.0 and perfect.p_value == 0.0
    three = pearson([1, 2, 3], [1, 3, 2])
    assert np.isnan(three.ci_low)  # Fisher-z SE 1/sqrt(n-3) needs n > 3
