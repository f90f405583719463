"""Logistic regression against the closed-form 2x2 result and statsmodels GLM (IRLS)."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from analysis.stats.regression import logistic


def _table_frame(a, b, c, d):
    # x = 1: a events, b non-events; x = 0: c events, d non-events
    rows = [(1, 1)] * a + [(1, 0)] * b + [(0, 1)] * c + [(0, 0)] * d
    return pd.DataFrame(rows, columns=["x", "y"])


def test_single_binary_covariate_closed_form():
    # Hand: with one 0/1 covariate the MLE reproduces the 2x2 table:
    # coef = log(a d / (b c)), se = sqrt(1/a + 1/b + 1/c + 1/d); intercept = log(c/d),
    # se(intercept) = sqrt(1/c + 1/d). Table a=12, b=8, c=5, d=15.
    t = logistic(_table_frame(12, 8, 5, 15), "y", ["x"]).set_index("covariate")
    assert t.loc["x", "coef"] == pytest.approx(np.log(12 * 15 / (8 * 5)), rel=1e-8)
    se = np.sqrt(1 / 12 + 1 / 8 + 1 / 5 + 1 / 15)
    assert t.loc["x", "se"] == pytest.approx(se, rel=1e-6)
    assert t.loc["x", "or"] == pytest.approx(4.5, rel=1e-8)
    assert t.loc["x", "ci_low"] == pytest.approx(4.5 * np.exp(-1.959964 * se), rel=1e-5)
    assert t.loc["(Intercept)", "coef"] == pytest.approx(np.log(5 / 15), rel=1e-8)
    assert (t["n"] == 40).all() and (t["events"] == 17).all()


def test_matches_glm_binomial():
    rng = np.random.default_rng(8)
    n = 400
    df = pd.DataFrame({"age": rng.normal(40, 12, n), "rel": rng.integers(0, 2, n)})
    p = 1 / (1 + np.exp(-(-2 + 0.03 * df.age + 0.8 * df.rel)))
    df["y"] = (rng.random(n) < p).astype(int)
    df.loc[5, "age"] = np.nan
    t = logistic(df, "y", ["rel", "age"])
    ok = df.dropna()
    ref = sm.GLM(ok["y"], sm.add_constant(ok[["rel", "age"]]), family=sm.families.Binomial()).fit()
    assert t["coef"].to_numpy() == pytest.approx(ref.params.to_numpy(), rel=1e-7)
    assert t["se"].to_numpy() == pytest.approx(ref.bse.to_numpy(), rel=1e-6)
    assert t["p_value"].to_numpy() == pytest.approx(ref.pvalues.to_numpy(), rel=1e-5)
    assert t.loc[0, "n"] == n - 1


def test_refuses_separation_and_degenerate_input():
    sep = pd.DataFrame({"x": np.arange(10.0), "y": [0] * 5 + [1] * 5})
    with pytest.raises(ValueError, match="separation"):
        logistic(sep, "y", ["x"])
    quasi = _table_frame(10, 0, 5, 5)  # x = 1 always an event: OR infinite
    with pytest.raises(ValueError, match="separation|converge"):
        logistic(quasi, "y", ["x"])
    with pytest.raises(ValueError, match="single class"):
        logistic(pd.DataFrame({"x": [1, 2, 3], "y": [1, 1, 1]}), "y", ["x"])
    with pytest.raises(ValueError, match="constant"):
        logistic(pd.DataFrame({"x": [1, 1, 1, 1], "y": [1, 0, 1, 0]}), "y", ["x"])
    with pytest.raises(ValueError, match="collinear"):
        logistic(pd.DataFrame({"x": [1, 2, 3, 4], "z": [2, 4, 6, 8], "y": [1, 0, 1, 0]}),
                 "y", ["x", "z"])
    with pytest.raises(ValueError, match="1/0"):
        logistic(pd.DataFrame({"x": [1, 2, 3], "y": [1, 2, 0]}), "y", ["x"])


def test_boolean_and_nullable_columns_are_accepted():
    base = _table_frame(12, 8, 5, 15)
    typed = pd.DataFrame({"x": pd.array(base["x"].astype(bool), dtype="boolean"),
                          "y": base["y"].astype(bool)})
    a = logistic(base, "y", ["x"])
    b = logistic(typed, "y", ["x"])
    assert b["coef"].to_numpy() == pytest.approx(a["coef"].to_numpy())
