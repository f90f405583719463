"""``survival.cox_fit`` (one lean lifelines fit) gives exactly the numbers of the
code it replaced: ``cox_ph`` and ``ph_test`` each running a full
``CoxPHFitter(baseline_estimation_method="breslow").fit``.

The reference functions below are copied verbatim from analysis/stats/survival.py
at commit c4b3bb8 (``_fit_cox``, ``cox_ph``, ``ph_test``). The lean fitter skips
lifelines' baseline hazard, predicted partial hazards and central values; these
tests hold it to the full fit number for number (exact equality), on random data
with tied times, binary and continuous covariates, text row labels and missing
values, and on the Rossi data; refusals must match too.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from lifelines.datasets import load_rossi
from scipy import stats

from analysis.stats._checks import fail
from analysis.stats.survival import (
    COX_METHOD, TRANSFORMS, _cox_frame, _km_arrays, cox_fit, cox_ph, ph_test, schoenfeld_residuals,
)


def ref_fit_cox(data, duration, event):  # c4b3bb8
    from lifelines import CoxPHFitter
    from lifelines.exceptions import ConvergenceError, ConvergenceWarning

    cph = CoxPHFitter(baseline_estimation_method="breslow")
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        try:
            cph.fit(data, duration_col=duration, event_col=event, batch_mode=True,
                    fit_options={"max_steps": 100})
        except (ConvergenceError, ConvergenceWarning, np.linalg.LinAlgError) as err:
            fail("convergence",
                 "Cox model did not converge (monotone likelihood / separation or collinear "
                 f"covariates): {str(err).splitlines()[0]}")
    return cph


def ref_cox_ph(df, duration, event, covariates, ties="efron"):  # c4b3bb8
    if ties != "efron":
        fail("option", "only Efron ties are available (lifelines)", value=ties)
    data = _cox_frame(df, duration, event, list(covariates))
    cph = ref_fit_cox(data, duration, event)
    s = cph.summary
    out = pd.DataFrame({
        "covariate": list(s.index),
        "coef": s["coef"].to_numpy(),
        "se": s["se(coef)"].to_numpy(),
        "hr": s["exp(coef)"].to_numpy(),
        "ci_low": s["exp(coef) lower 95%"].to_numpy(),
        "ci_high": s["exp(coef) upper 95%"].to_numpy(),
        "z": s["z"].to_numpy(),
        "p_value": s["p"].to_numpy(),
    })
    out["n"] = len(data)
    out["events"] = int(data[event].sum())
    out["method"] = COX_METHOD
    return out


def ref_ph_test(df, duration, event, covariates, time_transform="rank"):  # c4b3bb8
    if time_transform not in TRANSFORMS:
        fail("option", f"time_transform must be one of {TRANSFORMS}", value=time_transform)
    covariates = list(covariates)
    data = _cox_frame(df, duration, event, covariates)
    cph = ref_fit_cox(data, duration, event)
    beta = cph.params_.loc[covariates].to_numpy()
    v = cph.variance_matrix_.loc[covariates, covariates].to_numpy()
    t_all, e_all = data[duration].to_numpy(float), data[event].to_numpy(float)
    resid, t_ev = schoenfeld_residuals(data[covariates].to_numpy(float), t_all, e_all, beta)
    n_ev = t_ev.size
    if time_transform == "rank":
        g = stats.rankdata(t_ev)
    elif time_transform == "km":
        times, _, _, _, surv, _ = _km_arrays(t_all, e_all)
        g = 1 - surv[np.searchsorted(times, t_ev)]
    elif time_transform == "log":
        if (t_ev <= 0).any():
            fail("range", "log time transform needs event times > 0", column=duration)
        g = np.log(t_ev)
    else:
        g = t_ev
    g = g - g.mean()
    scaled = n_ev * resid @ v
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = (g @ scaled) ** 2 / (n_ev * np.diag(v) * (g @ g))
    return pd.DataFrame({
        "covariate": covariates,
        "statistic": stat,
        "df": 1.0,
        "p_value": stats.chi2.sf(stat, 1),
        "n": len(data),
        "events": n_ev,
        "method": f"proportional hazards test, scaled Schoenfeld residuals vs {time_transform}"
        "-transformed time (Grambsch-Therneau), chi-square 1 df per covariate",
    })


def outcome(fn, *args):
    try:
        return "ok", fn(*args)
    except ValueError as err:
        return "error", str(err)


def assert_same(got, want):
    assert got[0] == want[0], (got, want)
    if want[0] == "ok":
        pd.testing.assert_frame_equal(got[1], want[1], check_exact=True)
    else:
        assert got[1] == want[1]


@st.composite
def cohorts(draw):
    n = draw(st.integers(2, 60))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    t = rng.integers(0, draw(st.integers(1, 12)), n).astype(float)  # many ties, zeros
    df = pd.DataFrame({
        "t": t,
        "e": (rng.random(n) < draw(st.floats(0.05, 1.0))).astype(int),
        "age": np.round(rng.normal(40, 12, n), 1),
        "female": rng.integers(0, 2, n).astype(float),
        "dlqi": rng.integers(0, 31, n).astype(float),
    }, index=[f"P{i:04d}" for i in rng.permutation(n)])
    if draw(st.booleans()):
        df.loc[df.sample(frac=0.1, random_state=1).index, "dlqi"] = np.nan
    return df


COVARIATE_SETS = st.sampled_from([["age"], ["female"], ["dlqi", "age", "female"], ["female", "dlqi"]])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(df=cohorts(), covs=COVARIATE_SETS, transform=st.sampled_from(TRANSFORMS))
def test_one_lean_fit_equals_two_full_fits(df, covs, transform):
    want_tab = outcome(ref_cox_ph, df, "t", "e", covs)
    want_ph = outcome(ref_ph_test, df, "t", "e", covs, transform)
    got_fit = outcome(cox_fit, df, "t", "e", covs)
    if got_fit[0] == "error":
        assert want_tab == got_fit and want_ph == got_fit
        return
    assert_same(outcome(got_fit[1].table), want_tab)
    assert_same(outcome(got_fit[1].ph_test, transform), want_ph)
    # the public functions, now built on cox_fit
    assert_same(outcome(cox_ph, df, "t", "e", covs), want_tab)
    assert_same(outcome(ph_test, df, "t", "e", covs, transform), want_ph)


def test_rossi_summary_is_lifelines_full_fit():
    rossi = load_rossi()
    covs = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]
    assert_same(outcome(cox_ph, rossi, "week", "arrest", covs),
                outcome(ref_cox_ph, rossi, "week", "arrest", covs))
    assert_same(outcome(ph_test, rossi, "week", "arrest", covs, "km"),
                outcome(ref_ph_test, rossi, "week", "arrest", covs, "km"))


def test_refusals_are_the_same():
    sep = pd.DataFrame({"t": np.arange(1.0, 21), "e": [1] * 20, "x": [1] * 10 + [0] * 10})
    assert_same(outcome(cox_ph, sep, "t", "e", ["x"]), outcome(ref_cox_ph, sep, "t", "e", ["x"]))
    const = sep.assign(x=1.0)
    assert_same(outcome(cox_ph, const, "t", "e", ["x"]), outcome(ref_cox_ph, const, "t", "e", ["x"]))
    with pytest.raises(ValueError, match="time_transform"):
        ph_test(sep, "t", "e", ["x"], "square")
