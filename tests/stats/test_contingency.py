"""2x2 tests against hand arithmetic, R's tea-tasting example and scipy."""

import numpy as np
import pytest
from scipy import stats

from analysis.stats.contingency import two_by_two


def test_chi2_yates_ztest_hand_arithmetic():
    # [[10, 20], [30, 40]]: row totals 30, 70; column totals 40, 60; N = 100.
    # Expected [[12, 18], [28, 42]]; |O - E| = 2 everywhere.
    # chi2 = 4 * (1/12 + 1/18 + 1/28 + 1/42) = 0.793651
    # Yates: 1.5^2 * (1/12 + 1/18 + 1/28 + 1/42) = 0.446429
    # z: p1 = 1/3, p2 = 3/7, pooled 0.4, se = sqrt(0.24 (1/30 + 1/70)); z^2 = chi2
    s = 1 / 12 + 1 / 18 + 1 / 28 + 1 / 42
    r = two_by_two(10, 20, 30, 40, "chi2")
    assert r.statistic == pytest.approx(4 * s)
    assert r.p_value == pytest.approx(stats.chi2.sf(4 * s, 1))
    y = two_by_two(10, 20, 30, 40, "chi2_yates")
    assert y.statistic == pytest.approx(2.25 * s)
    z = two_by_two(10, 20, 30, 40, "ztest")
    assert z.statistic == pytest.approx((1 / 3 - 3 / 7) / np.sqrt(0.24 * (1 / 30 + 1 / 70)))
    assert z.p_value == pytest.approx(r.p_value)
    assert r.estimate == pytest.approx(1 / 3 - 3 / 7)
    assert r.extra["odds_ratio"] == pytest.approx(400 / 600)


def test_fisher_tea_tasting():
    # R: fisher.test(matrix(c(3, 1, 1, 3), 2))  (example in ?fisher.test): p-value = 0.4857
    # Hand: hypergeometric, margins 4/4: P(3) = P(1) = 16/70, P(4) = P(0) = 1/70 -> 34/70.
    r = two_by_two(3, 1, 1, 3, "fisher")
    assert r.p_value == pytest.approx(34 / 70)
    assert np.isnan(r.statistic)


@pytest.mark.parametrize("cells", [(3, 12, 9, 4), (0, 10, 5, 5), (25, 75, 40, 60)])
def test_matches_scipy(cells):
    a, b, c, d = cells
    for test, corr in (("chi2", False), ("chi2_yates", True)):
        ref = stats.chi2_contingency([[a, b], [c, d]], correction=corr)
        r = two_by_two(a, b, c, d, test)
        assert r.statistic == pytest.approx(ref.statistic)
        assert r.p_value == pytest.approx(ref.pvalue)
    assert two_by_two(a, b, c, d, "fisher").p_value == pytest.approx(
        stats.fisher_exact([[a, b], [c, d]]).pvalue)


def test_degenerate_tables():
    with pytest.raises(ValueError, match="no units"):
        two_by_two(0, 0, 3, 4)
    none = two_by_two(0, 5, 0, 7, "chi2")
    assert np.isnan(none.p_value) and "undefined" in none.method
    assert two_by_two(0, 5, 0, 7, "fisher").p_value == 1.0
    with pytest.raises(ValueError):
        two_by_two(1.5, 2, 3, 4)
