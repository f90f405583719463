"""Welch / Student t and Mann-Whitney against R's documented sleep example and scipy."""

import numpy as np
import pytest
from scipy import stats

from analysis.stats.two_sample import mann_whitney, student_t, welch_t

SLEEP1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]


def test_welch_r_sleep():
    # R: t.test(extra ~ group, data = sleep)   (Welch, the default)
    #   t = -1.8608, df = 17.776, p-value = 0.07939
    #   95 percent CI: -3.3654832  0.2054832; means 0.75 and 2.33
    r = welch_t(SLEEP1, SLEEP2)
    assert r.statistic == pytest.approx(-1.8608, abs=1e-4)
    assert r.df == pytest.approx(17.776, abs=1e-3)
    assert r.p_value == pytest.approx(0.07939, abs=1e-5)
    assert (r.ci_low, r.ci_high) == pytest.approx((-3.3654832, 0.2054832), abs=1e-7)
    assert r.estimate == pytest.approx(0.75 - 2.33)


def test_student_matches_scipy():
    ref = stats.ttest_ind(SLEEP1, SLEEP2, equal_var=True)
    r = student_t(SLEEP1, SLEEP2)
    assert r.statistic == pytest.approx(ref.statistic)
    assert r.p_value == pytest.approx(ref.pvalue)
    assert r.df == 18
    ci = ref.confidence_interval()
    assert (r.ci_low, r.ci_high) == pytest.approx((ci.low, ci.high))


def test_mann_whitney_exact_hand():
    # x = 1, 2, 3 all below y = 4..7: U_x = 0; P(U <= 0) = 1 / C(7, 3) = 1/35; two-sided 2/35.
    r = mann_whitney([1, 2, 3], [4, 5, 6, 7])
    assert r.statistic == 0 and r.p_value == pytest.approx(2 / 35)
    assert r.method == "Mann-Whitney U, exact null distribution, two-sided"


def test_mann_whitney_approx_with_ties_r_sleep():
    # R: wilcox.test(extra ~ group, data = sleep)  -> W = 25.5, p-value = 0.06933
    # (ties -> normal approximation with continuity correction, R's default)
    r = mann_whitney(SLEEP1, SLEEP2)
    assert r.statistic == 25.5
    assert r.p_value == pytest.approx(0.06933, abs=1e-5)
    assert "tie correction, with continuity correction" in r.method


def test_two_sample_edge_cases():
    with pytest.raises(ValueError, match="at least 2"):
        welch_t([1.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="constant"):
        student_t([1, 1, 1], [2, 2])
    with pytest.raises(ValueError, match="ties"):
        mann_whitney([1, 2, 2], [3, 4], method="exact")
    with pytest.raises(ValueError, match="identical"):
        mann_whitney([1, 1], [1, 1])
    r = welch_t([1, 2, np.nan], [3, 4, 5])
    assert r.extra["n_dropped"] == 1
