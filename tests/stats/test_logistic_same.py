"""``stats.regression.logistic`` after the scale changes (the model class imported
alone, statsmodels' second rank check skipped after ours, the constant-covariate
test without sorting) gives exactly the table of the code it replaced, on random
data and on refusals (separation, constant or collinear covariates, one class).

Reference: ``logistic`` verbatim from analysis/stats/regression.py at c4b3bb8.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.stats._checks import fail
from analysis.stats.regression import INTERCEPT, _SEPARATION_ETA, logistic


def ref_logistic(df, outcome, covariates, confidence=0.95):  # c4b3bb8
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import (
        ConvergenceWarning, HessianInversionWarning, PerfectSeparationError,
        PerfectSeparationWarning,
    )

    covariates = list(covariates)
    missing = [c for c in [outcome, *covariates] if c not in df.columns]
    if missing:
        fail("required-column", f"column(s) not in the data: {missing}", column=missing[0])
    if INTERCEPT in covariates:
        fail("option", f"{INTERCEPT!r} is added automatically", column=INTERCEPT)
    data = df[[outcome, *covariates]].apply(pd.to_numeric, errors="coerce").dropna().astype(float)
    y = data[outcome].to_numpy(float)
    if not np.isin(y, (0.0, 1.0)).all():
        fail("binary", f"outcome {outcome} must be 1/0", column=outcome)
    events = int(y.sum())
    if events == 0 or events == y.size:
        fail("one-class", f"outcome {outcome} has a single class among {y.size} complete rows",
             column=outcome)
    x = data[covariates].to_numpy(float)
    for j, c in enumerate(covariates):
        if np.unique(x[:, j]).size < 2:
            fail("zero-variance", f"covariate {c} is constant among complete rows", column=c)
    design = np.column_stack([np.ones(y.size), x])
    if np.linalg.matrix_rank(design) < design.shape[1]:
        fail("collinear", f"covariates {covariates} are collinear (with the intercept)")
    with warnings.catch_warnings():
        for w in (ConvergenceWarning, HessianInversionWarning, PerfectSeparationWarning,
                  RuntimeWarning):
            warnings.simplefilter("error", w)
        try:
            res = sm.Logit(y, design).fit(method="newton", maxiter=100, disp=False)
        except (PerfectSeparationError, PerfectSeparationWarning) as err:
            fail("separation", f"perfect separation: the maximum likelihood estimate does not exist ({err})")
        except (ConvergenceWarning, HessianInversionWarning, RuntimeWarning,
                np.linalg.LinAlgError) as err:
            fail("convergence", "logistic model did not converge (often quasi-complete "
                 "separation: a covariate value at which every unit has the same outcome): "
                 f"{str(err).splitlines()[0]}")
    if not res.mle_retvals.get("converged", False):
        fail("convergence", "logistic model did not converge in 100 Newton steps")
    eta = design @ res.params
    if np.abs(eta).max() > _SEPARATION_ETA:
        fail("separation", "quasi-complete separation: fitted probabilities of 0 or 1, "
             "the maximum likelihood estimate does not exist")
    coef, se = np.asarray(res.params), np.asarray(res.bse)
    zc = stats.norm.ppf(0.5 + confidence / 2)
    z = coef / se
    return pd.DataFrame({
        "covariate": [INTERCEPT, *covariates],
        "coef": coef,
        "se": se,
        "or": np.exp(coef),
        "ci_low": np.exp(coef - zc * se),
        "ci_high": np.exp(coef + zc * se),
        "z": z,
        "p_value": 2 * stats.norm.sf(np.abs(z)),
        "n": int(y.size),
        "events": events,
        "method": f"logistic regression (maximum likelihood), Wald z test, "
        f"{confidence:.0%} Wald CI of the odds ratio",
    })


def outcome_of(fn, *args):
    try:
        return "ok", fn(*args)
    except ValueError as err:
        return "error", str(err)


def cases():
    rng = np.random.default_rng(11)
    for seed in range(25):
        n = int(rng.integers(5, 400))
        df = pd.DataFrame({
            "y": (rng.random(n) < rng.uniform(0.05, 0.6)).astype(float),
            "relapsing": rng.integers(0, 2, n).astype(float),
            "age": np.round(rng.normal(40, 12, n), 1),
        })
        if seed % 5 == 0:
            df.loc[df.sample(frac=0.1, random_state=seed).index, "age"] = np.nan
        if seed % 7 == 0:
            df["relapsing"] = 1.0  # constant
        if seed % 11 == 0:
            df["y"] = (df["age"] > 40).astype(float)  # separation
        yield df


def assert_same(got, want):
    assert got[0] == want[0], (got, want)
    if want[0] == "ok":
        pd.testing.assert_frame_equal(got[1], want[1], check_exact=True)
    else:
        assert got[1] == want[1]


@pytest.mark.parametrize("df", list(cases()))
@pytest.mark.parametrize("covs", [["relapsing", "age"], ["relapsing"], ["age"]])
def test_logistic_matches_reference(df, covs):
    assert_same(outcome_of(logistic, df, "y", covs), outcome_of(ref_logistic, df, "y", covs))


def test_collinear_and_one_class_refusals_match():
    df = pd.DataFrame({"y": [0.0, 1, 0, 1, 1, 0], "a": [1.0, 2, 3, 4, 5, 6]})
    df["b"] = 2 * df["a"]
    for frame, covs in ((df, ["a", "b"]), (df, ["a"]), (df.assign(y=1.0), ["a"]),
                        (df.assign(a=3.0), ["a"])):
        assert_same(outcome_of(logistic, frame, "y", covs), outcome_of(ref_logistic, frame, "y", covs))
