"""Logistic regression (maximum likelihood, statsmodels) as a tidy table of odds ratios."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from analysis.stats._checks import fail

LOGISTIC_COLUMNS = ["covariate", "coef", "se", "or", "ci_low", "ci_high", "z", "p_value"]
INTERCEPT = "(Intercept)"
#: |linear predictor| beyond this means fitted probabilities of 0 or 1 (separation)
_SEPARATION_ETA = 25.0


def logistic(df: pd.DataFrame, outcome: str, covariates: list[str],
             confidence: float = 0.95) -> pd.DataFrame:
    """Binary logistic regression with Wald tests and Wald CIs of the odds ratios.

    Parameters
    ----------
    df : DataFrame
        One row per unit.
    outcome : str
        Column coded 1/0 (or True/False).
    covariates : list of str
        Numeric columns (code categories as 0/1 indicators). Rows with a missing
        value in the outcome or any covariate are dropped; ``n`` says how many remain.
    confidence : float
        Level of the Wald CI ``exp(coef -/+ z se)``.

    Returns
    -------
    DataFrame
        ``covariate, coef, se, or, ci_low, ci_high, z, p_value`` (first row
        ``"(Intercept)"``, whose ``or`` is the baseline odds), plus ``n``, ``events``,
        ``method``.

    Raises
    ------
    StatsInputError (a ValueError)
        Non-binary outcome, only one outcome class, a constant or collinear covariate,
        complete or quasi-complete separation (MLE does not exist), or
        non-convergence within 100 Newton steps. Never loops without bound.

    Examples
    --------
    >>> d = pd.DataFrame({"y": [1, 0, 1, 1, 0, 0, 1, 0], "x": [1, 1, 1, 0, 0, 0, 1, 0]})
    >>> t = logistic(d, "y", ["x"])
    >>> round(float(t.loc[1, "or"]), 3)  # (3*3)/(1*1) from the 2x2 table
    9.0
    """
    # the model class alone: statsmodels.api imports every model (~1 s)
    from statsmodels.discrete.discrete_model import Logit
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
        if not (x[:, j] != x[0, j]).any():  # one distinct value (no sort of n values)
            fail("zero-variance", f"covariate {c} is constant among complete rows", column=c)
    design = np.column_stack([np.ones(y.size), x])
    if np.linalg.matrix_rank(design) < design.shape[1]:
        fail("collinear", f"covariates {covariates} are collinear (with the intercept)")
    with warnings.catch_warnings():
        for w in (ConvergenceWarning, HessianInversionWarning, PerfectSeparationWarning,
                  RuntimeWarning):
            warnings.simplefilter("error", w)
        try:
            # full rank was checked above: statsmodels need not take a second SVD
            res = Logit(y, design, check_rank=False).fit(method="newton", maxiter=100, disp=False)
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
