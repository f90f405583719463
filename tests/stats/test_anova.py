"""RM-ANOVA against Field's textbook example (SPSS output), statsmodels AnovaRM and formulas."""

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.stats.anova import rm_anova
from analysis.stats.paired import paired_t

# Field, A. (2009) Discovering Statistics Using SPSS, 3rd ed., ch. 13 (repeated-measures
# designs), "Bushtucker" example: time to retch for 8 celebrities eating 4 animals.
BUSHTUCKER = np.column_stack([
    [8, 9, 6, 5, 8, 7, 10, 12],   # stick insect
    [7, 5, 2, 3, 4, 5, 2, 6],     # kangaroo testicle
    [1, 2, 3, 1, 5, 6, 7, 8],     # fish eye
    [6, 5, 8, 9, 8, 7, 2, 1],     # witchetty grub
])


def test_field_bushtucker_spss_output():
    # Field reports (SPSS): F(3, 21) = 3.79, p = .026; Mauchly's W = 0.136, chi2(5) = 11.41;
    # Greenhouse-Geisser epsilon = .533 (p = .063), Huynh-Feldt epsilon = .666 (p = .048),
    # lower bound .333; SS effect 83.13, SS error 153.38.
    r = rm_anova(BUSHTUCKER)
    assert r.statistic == pytest.approx(3.79, abs=0.005)
    assert (r.df, r.extra["df2"]) == (3, 21)
    assert r.p_value == pytest.approx(0.026, abs=0.0005)
    assert r.extra["ss_effect"] == pytest.approx(83.125)
    assert r.extra["ss_error"] == pytest.approx(153.375)
    assert r.extra["epsilon_gg"] == pytest.approx(0.533, abs=0.0005)
    assert r.extra["epsilon_hf"] == pytest.approx(0.666, abs=0.0005)
    assert r.extra["epsilon_lb"] == pytest.approx(1 / 3)
    assert r.extra["p_gg"] == pytest.approx(0.063, abs=0.0005)
    assert r.extra["p_hf"] == pytest.approx(0.048, abs=0.0005)
    assert r.extra["mauchly_w"] == pytest.approx(0.136, abs=0.0005)
    assert r.extra["mauchly_chi2"] == pytest.approx(11.41, abs=0.005)
    assert r.extra["mauchly_p"] == pytest.approx(stats.chi2.sf(r.extra["mauchly_chi2"], 5))
    assert r.extra["partial_eta_sq"] == pytest.approx(83.125 / (83.125 + 153.375))


def test_matches_statsmodels_anovarm_small_n():
    from statsmodels.stats.anova import AnovaRM

    rng = np.random.default_rng(3)
    y = rng.normal(size=(12, 4)) + np.array([0, 0.5, 1.0, 0.2]) + rng.normal(size=(12, 1))
    long = pd.DataFrame({"id": np.repeat(np.arange(12), 4), "cond": np.tile(list("abcd"), 12),
                         "y": y.ravel()})
    ref = AnovaRM(long, "y", "id", within=["cond"]).fit().anova_table
    r = rm_anova(y)
    assert r.statistic == pytest.approx(ref["F Value"].item())
    assert r.p_value == pytest.approx(ref["Pr > F"].item())
    assert r.extra["df2"] == ref["Den DF"].item()


def test_gg_epsilon_from_eigenvalues_of_double_centred_covariance():
    # Greenhouse-Geisser (1959) / Box (1954): eps = (sum l)^2 / ((k-1) sum l^2) over the
    # eigenvalues of the double-centred covariance matrix; HF from Huynh & Feldt (1976).
    rng = np.random.default_rng(9)
    n, k = 15, 5
    y = rng.normal(size=(n, k)) @ np.diag([1, 2, 1, 3, 1.5]) + rng.normal(size=(n, 1))
    s = np.cov(y, rowvar=False)
    c = np.eye(k) - np.ones((k, k)) / k
    lam = np.linalg.eigvalsh(c @ s @ c)
    eps = lam.sum() ** 2 / ((k - 1) * (lam**2).sum())
    hf = min(1.0, (n * (k - 1) * eps - 2) / ((k - 1) * (n - 1 - (k - 1) * eps)))
    r = rm_anova(y)
    assert r.extra["epsilon_gg"] == pytest.approx(eps)
    assert r.extra["epsilon_hf"] == pytest.approx(hf)


def test_two_conditions_equals_paired_t_squared():
    rng = np.random.default_rng(2)
    y = rng.normal(size=(20, 2)) + [0, 0.4]
    r = rm_anova(y)
    t = paired_t(y[:, 0], y[:, 1])
    assert r.statistic == pytest.approx(t.statistic**2)
    assert r.p_value == pytest.approx(t.p_value)
    assert r.extra["epsilon_gg"] == 1.0


def test_edge_cases():
    with pytest.raises(ValueError, match="missing"):
        rm_anova([[1, 2], [np.nan, 3], [2, 2]])
    with pytest.raises(ValueError, match="at least 2 subjects"):
        rm_anova([[1, 2, 3]])
    with pytest.raises(ValueError, match="SS_error = 0"):
        rm_anova([[1, 2, 3], [2, 3, 4], [5, 6, 7]])  # purely additive: no residual
    with pytest.raises(ValueError, match="2-D"):
        rm_anova([1, 2, 3])


def test_scales_linearly():
    y = np.random.default_rng(0).normal(size=(200_000, 4))
    r = rm_anova(y)  # would take minutes with AnovaRM; here well under a second
    assert r.n == 200_000
