"""Wald HR/CI/p ranges and critical correlations, against published worked examples."""

import math
from decimal import Decimal as D

import pytest
from scipy import stats

from analysis.audit.correlation import min_abs_r
from analysis.audit.wald import estimates_fitting_p, wald_p_range


def test_altman_bland_p_from_ci():
    # Altman & Bland, BMJ 2011;343:d2304, ratio example: RR 0.81 (95% CI 0.70 to 0.94);
    # log scale: SE = (log 0.94 - log 0.70)/3.92 = 0.075, z = 2.81, P = 0.005.
    r = wald_p_range(D("0.81"), 2, D("0.70"), D("0.94"), 2)
    assert r.p_min < 0.005 < r.p_max
    assert r.p_max < 0.01                           # far from 0.05: the CI excludes 1 widely


def test_altman_bland_ci_from_p():
    # Altman & Bland, BMJ 2011;343:d2090, ratio example: RR 0.30, P = 0.034 gives a 95% CI
    # of 0.10 to 0.91 (log 0.30 = -1.204, z = 2.12, SE = 0.569). Read backwards, that CI
    # and RR must allow P = 0.034.
    r = wald_p_range(D("0.30"), 2, D("0.10"), D("0.91"), 2)
    assert r.p_min <= 0.034 <= r.p_max


def test_hand_worked_range():
    # HR 0.99, CI 0.98-0.99: the least |log HR|/SE is at L = 0.97510, U = 0.995
    # (log HR = log 0.985 on the HR's lower printing bound): z = 1.96 x 1.1988/0.8012
    # = 2.933, p = 0.0034 at most; a p of 0.031 cannot come from these.
    r = wald_p_range(D("0.99"), 2, D("0.98"), D("0.99"), 2)
    zc = stats.norm.ppf(0.975)
    a, c = -math.log(0.975099), -math.log(0.995)
    assert r.p_max == pytest.approx(2 * stats.norm.sf(zc * (a + c) / (a - c)), rel=1e-3)
    assert r.p_max < 0.0035


def test_estimate_subinterval():
    # HR 0.96 (0.94-0.99), p 0.011 fits only when the unrounded HR is near the top of
    # [0.955, 0.965): at HR 0.955 the CI centre cannot be that low (sqrt(0.945 x 0.995) = 0.9697
    # is the highest centre, sqrt(0.935 x 0.985) = 0.9597 the lowest).
    fit = estimates_fitting_p(D("0.96"), 2, D("0.94"), D("0.99"), 2, 0.0105, 0.0115)
    assert fit is not None and 0.959 < fit[0] < 0.964 and fit[1] == pytest.approx(0.965)


def test_difference_scale():
    # Natural scale (a difference): est 17, CI 1.4 to 32.6 (Altman & Bland d2090, zinc
    # example: 49% v 32%, P = 0.032; their CI used an approximate z of 2.141). Printed
    # "0.032" stands for [0.0315, 0.0325], which the range must reach.
    r = wald_p_range(D("17.0"), 1, D("1.4"), D("32.6"), 1, log=False)
    assert r.p_min <= 0.0325 and r.p_max >= 0.0315


def test_min_r_table_value():
    # Critical values of Pearson's r (two-tailed alpha 0.01, df = 18): 0.561 (e.g. the
    # table in Fisher & Yates; t(18) 0.995 quantile 2.878: 2.878/sqrt(2.878^2 + 18)).
    crit = min_abs_r(0.01, 20)
    assert round(crit["t"], 3) == 0.561
    # alpha 0.05, df = 10: 0.576 (same tables)
    assert round(min_abs_r(0.05, 12)["t"], 3) == 0.576
    assert crit["fisher_z"] == pytest.approx(math.tanh(2.5758 / math.sqrt(17)), abs=1e-4)
