"""Random-intercept LMM against statsmodels MixedLM, dense GLS algebra and RM-ANOVA."""

import numpy as np
import pandas as pd
import pytest

from analysis.stats.anova import rm_anova
from analysis.stats.mixed import random_intercept

VISITS = ["BASELINE", "WEEK 4", "WEEK 16", "WEEK 52"]


def _cohort(n=40, seed=1, frac=1.0):
    rng = np.random.default_rng(seed)
    y = np.array([20, 12, 9, 8.0]) + rng.normal(0, 2, (n, 1)) + rng.normal(0, 3, (n, 4))
    long = pd.DataFrame({"id": np.repeat(np.arange(n), 4), "t": np.tile(VISITS, n),
                         "y": y.ravel()})
    if frac < 1:
        long = long.sample(frac=frac, random_state=seed).sort_index()
    return y, long


@pytest.mark.parametrize("reml", [True, False])
def test_matches_statsmodels_mixedlm_with_dropout(reml):
    import statsmodels.formula.api as smf

    _, long = _cohort(frac=0.8)
    r = random_intercept(long, "id", "t", "y", reml=reml)
    # statsmodels, tight tolerance (its default stops ~1e-4 away on the flat likelihood)
    m = smf.mixedlm("y ~ C(t, Treatment('BASELINE'))", long, groups=long["id"]).fit(
        reml=reml, method="bfgs", gtol=1e-10)
    fe = m.fe_params.to_numpy()
    ours = [r.extra["mean[BASELINE]"]] + [r.extra[f"diff[{v}]"] for v in VISITS[1:]]
    # statsmodels orders levels alphabetically: WEEK 16, WEEK 4, WEEK 52
    assert ours == pytest.approx([fe[0], fe[2], fe[1], fe[3]], abs=1e-4)
    assert r.extra["var_subject"] == pytest.approx(float(m.cov_re.iloc[0, 0]), rel=1e-4)
    assert r.extra["var_residual"] == pytest.approx(m.scale, rel=1e-4)
    assert r.extra["loglik"] == pytest.approx(m.llf, abs=1e-6)


def test_standard_errors_equal_dense_gls():
    # SE = sqrt(diag(s2 (X' V^-1 X)^-1)) with V = s2 I + s2_b Z Z', built densely here
    # (this is the R nlme/lme4 and SAS convention; statsmodels' bse uses the joint
    # Hessian with the variance parameters and differs in the 3rd-4th digit).
    _, long = _cohort(frac=0.8)
    r = random_intercept(long, "id", "t", "y")
    d = long.reset_index(drop=True)
    x = np.column_stack([np.ones(len(d))] + [(d["t"] == v).to_numpy(float) for v in VISITS[1:]])
    z = (d["id"].to_numpy()[:, None] == np.unique(d["id"])[None, :]).astype(float)
    v = r.extra["var_residual"] * np.eye(len(d)) + r.extra["var_subject"] * z @ z.T
    cov = np.linalg.inv(x.T @ np.linalg.solve(v, x))
    beta = cov @ x.T @ np.linalg.solve(v, d["y"].to_numpy())
    assert [r.extra[f"diff[{w}]"] for w in VISITS[1:]] == pytest.approx(beta[1:], rel=1e-9)
    assert [r.extra[f"se_diff[{w}]"] for w in VISITS[1:]] == pytest.approx(
        np.sqrt(np.diag(cov)[1:]), rel=1e-9)
    wald = beta[1:] @ np.linalg.solve(cov[1:, 1:], beta[1:])
    assert r.extra["chi2"] == pytest.approx(wald, rel=1e-9)
    assert r.statistic == pytest.approx(wald / 3, rel=1e-9)


def test_complete_balanced_data_reproduce_rm_anova():
    # With complete balanced data and a positive subject variance, the REML random
    # intercept model is compound symmetry and its F for time equals the RM-ANOVA F,
    # on (k-1, (n-1)(k-1)) df (e.g. Maxwell & Delaney, Designing Experiments, ch. 15).
    y, long = _cohort()
    r = random_intercept(long, "id", "t", "y")
    a = rm_anova(y)
    assert r.extra["var_subject"] > 0
    assert r.statistic == pytest.approx(a.statistic, rel=1e-7)
    assert r.extra["df2"] == a.extra["df2"]
    assert r.p_value == pytest.approx(a.p_value, rel=1e-5)
    # REML variances are the ANOVA mean squares: s2 = MS_error, s2_b = (MS_subj - MS_err)/k
    ms_subj = a.extra["ss_subjects"] / (len(y) - 1)
    assert r.extra["var_residual"] == pytest.approx(a.extra["ms_error"], rel=1e-6)
    assert r.extra["var_subject"] == pytest.approx((ms_subj - a.extra["ms_error"]) / 4, rel=1e-5)


def test_boundary_zero_subject_variance():
    # Field's bushtucker data: MS_subjects (2.48) < MS_error (7.30), so the REML subject
    # variance is 0 and the model reduces to a one-way ANOVA of the 32 values.
    # (Field 2009, ch. 13; the same data as in test_anova.py)
    BUSHTUCKER = np.column_stack([[8, 9, 6, 5, 8, 7, 10, 12], [7, 5, 2, 3, 4, 5, 2, 6],
                                  [1, 2, 3, 1, 5, 6, 7, 8], [6, 5, 8, 9, 8, 7, 2, 1]])
    n, k = BUSHTUCKER.shape
    long = pd.DataFrame({"id": np.repeat(np.arange(n), k), "t": np.tile(list("abcd"), n),
                         "y": BUSHTUCKER.ravel().astype(float)})
    r = random_intercept(long, "id", "t", "y")
    assert r.extra["var_subject"] == 0 and "boundary" in r.method
    assert r.extra["var_residual"] == pytest.approx((153.375 + 17.375) / 28)


def test_levels_natural_order_and_validation():
    _, long = _cohort(n=10)
    r = random_intercept(long, "id", "t", "y")
    assert r.params["levels"] == VISITS and r.params["reference"] == "BASELINE"
    with pytest.raises(ValueError, match="same t"):
        random_intercept(pd.concat([long, long.head(1)]), "id", "t", "y")
    with pytest.raises(ValueError, match="at least 2 levels"):
        random_intercept(long[long["t"] == "BASELINE"], "id", "t", "y")
    with pytest.raises(ValueError, match="not in the data"):
        random_intercept(long, "id", "visit", "y")
    one_each = pd.DataFrame({"id": [1, 2, 3, 4], "t": ["a", "a", "b", "b"], "y": [1.0, 2, 3, 5]})
    with pytest.raises(ValueError, match="within-subject"):
        random_intercept(one_each, "id", "t", "y")
    with_nan = long.assign(y=long["y"].where(long.index % 7 != 0))
    assert random_intercept(with_nan, "id", "t", "y").extra["n_dropped"] == (long.index % 7 == 0).sum()


def test_runs_on_large_data_quickly():
    import time

    rng = np.random.default_rng(0)
    n = 200_000
    long = pd.DataFrame({"id": np.repeat(np.arange(n), 4), "t": np.tile(VISITS, n),
                         "y": rng.normal(size=4 * n)})
    long = long[rng.random(len(long)) < 0.8]
    t0 = time.perf_counter()
    r = random_intercept(long, "id", "t", "y")
    assert time.perf_counter() - t0 < 20 and r.n == long["id"].nunique()
