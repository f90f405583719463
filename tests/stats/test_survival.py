"""Kaplan-Meier, restricted mean, median, Cox and PH test.

Independent values: hand arithmetic (shown), lifelines' KM/RMST/median as a second
implementation for the hand-rolled code, R's coxph output on the Rossi recidivism data
(Fox & Weisberg, "Cox Proportional-Hazards Regression for Survival Data in R", appendix
to An R Companion to Applied Regression), and statsmodels PHReg.
"""

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter
from lifelines.datasets import load_rossi
from lifelines.utils import median_survival_times, restricted_mean_survival_time
from statsmodels.duration.hazard_regression import PHReg

from analysis.stats.survival import (
    COX_METHOD, cox_ph, kaplan_meier, median_survival, ph_test, restricted_mean,
)

T = [1, 2, 2, 3, 4, 5]
E = [1, 1, 0, 1, 0, 1]


def test_km_hand_worked():
    # t=1: Y=6, d=1 -> S = 5/6;  t=2: Y=5, d=1, c=1 -> S = 5/6*4/5 = 2/3
    # t=3: Y=3, d=1 -> S = 4/9;  t=4: Y=2, c=1 -> 4/9;  t=5: Y=1, d=1 -> 0
    # Greenwood at t=3: S * sqrt(1/30 + 1/20 + 1/6) = 4/9 * 0.5 = 2/9
    km = kaplan_meier(T, E)
    assert km["time"].tolist() == [1, 2, 3, 4, 5]
    assert km["at_risk"].tolist() == [6, 5, 3, 2, 1]
    assert km["events"].tolist() == [1, 1, 1, 0, 1]
    assert km["censored"].tolist() == [0, 1, 0, 1, 0]
    assert km["survival"].tolist() == pytest.approx([5 / 6, 2 / 3, 4 / 9, 4 / 9, 0])
    assert km.loc[2, "se"] == pytest.approx(2 / 9)
    assert np.isnan(km.loc[4, "se"])  # S = 0: Greenwood SE undefined


def test_restricted_mean_hand_worked():
    # tau = 5 (largest time). Area = 1*1 + 5/6*1 + 2/3*1 + 4/9*2 = 61/18.
    # A_i (area from event time to tau): t=1: 43/18, t=2: 14/9, t=3: 8/9, t=5: 0.
    # Var = (43/18)^2/(6*5) + (14/9)^2/(5*4) + (8/9)^2/(3*2) + 0 (Y = d at t = 5)
    r = restricted_mean(T, E)
    var = (43 / 18) ** 2 / 30 + (14 / 9) ** 2 / 20 + (8 / 9) ** 2 / 6
    assert r["mean"] == pytest.approx(61 / 18)
    assert r["se"] == pytest.approx(np.sqrt(var))
    assert r["tau"] == 5
    # tau = 2.5: area = 1 + 5/6 + 2/3*0.5 = 13/6; A: t=1: 5/6 + 1/3 = 7/6, t=2: 1/3
    r2 = restricted_mean(T, E, tau=2.5)
    assert r2["mean"] == pytest.approx(13 / 6)
    assert r2["se"] == pytest.approx(np.sqrt((7 / 6) ** 2 / 30 + (1 / 3) ** 2 / 20))


def _greenwood_double_integral(t, e, tau):
    # Same variance by another route: Var = int int Cov(S(u), S(v)) du dv with Greenwood's
    # Cov(S(u), S(v)) = S(u) S(v) sum_{t_i <= min(u,v)} d_i / (Y_i (Y_i - d_i)), on a grid.
    t, e = np.asarray(t, float), np.asarray(e, float)
    cuts = np.unique(np.concatenate([[0.0], t[t < tau], [tau]]))
    mids = (cuts[:-1] + cuts[1:]) / 2
    width = np.diff(cuts)
    s, g = [], []
    for m in mids:
        surv, acc = 1.0, 0.0
        for u in np.unique(t[(e == 1) & (t <= m)]):
            y, d = (t >= u).sum(), ((t == u) & (e == 1)).sum()
            surv *= 1 - d / y
            acc += d / (y * (y - d)) if y > d else 0.0
        s.append(surv)
        g.append(acc)
    s, g = np.array(s), np.array(g)
    cov = np.outer(s, s) * np.minimum.outer(g, g)
    return float(width @ cov @ width), float(s @ width)


def test_restricted_mean_matches_lifelines_and_double_integral():
    rng = np.random.default_rng(11)
    t = np.round(rng.exponential(10, 80), 1)
    e = (rng.random(80) < 0.7).astype(int)
    for tau in (None, 8.0):
        r = restricted_mean(t, e, tau)
        kmf = KaplanMeierFitter().fit(t, e)
        assert r["mean"] == pytest.approx(restricted_mean_survival_time(kmf, t=r["tau"]), rel=1e-9)
        var, area = _greenwood_double_integral(t, e, r["tau"])
        assert r["mean"] == pytest.approx(area)
        assert r["se"] == pytest.approx(np.sqrt(var), rel=1e-9)


def test_km_matches_lifelines():
    rng = np.random.default_rng(5)
    t = rng.integers(1, 30, 200).astype(float)
    e = (rng.random(200) < 0.6).astype(int)
    km = kaplan_meier(t, e)
    kmf = KaplanMeierFitter().fit(t, e)
    ref = kmf.survival_function_["KM_estimate"].loc[km["time"]].to_numpy()
    assert km["survival"].to_numpy() == pytest.approx(ref)


def test_median_and_ci_match_lifelines():
    rng = np.random.default_rng(2)
    t = np.round(rng.exponential(12, 150), 2)
    e = (rng.random(150) < 0.75).astype(int)
    m = median_survival(t, e)
    kmf = KaplanMeierFitter().fit(t, e)  # default CI: exponential Greenwood = log(-log)
    assert m["median"] == kmf.median_survival_time_
    ci = median_survival_times(kmf.confidence_interval_).to_numpy().ravel()
    assert (m["ci_low"], m["ci_high"]) == pytest.approx(tuple(ci))


def test_median_hand_and_not_reached():
    assert median_survival(T, E)["median"] == 3  # first S(t) <= 0.5 is 4/9 at t = 3
    nr = median_survival([1, 2, 3, 4], [1, 0, 0, 0])
    assert np.isnan(nr["median"]) and "not reached" in nr["method"]


def test_survival_bad_input():
    with pytest.raises(ValueError, match="CNSR"):
        kaplan_meier([1, 2], [0, 2])
    with pytest.raises(ValueError, match=">= 0"):
        kaplan_meier([-1, 2], [1, 1])
    with pytest.raises(ValueError, match="missing"):
        restricted_mean([np.nan, 2], [1, 1])
    with pytest.raises(ValueError, match="tau"):
        restricted_mean([1, 2], [1, 1], tau=3)
    one = restricted_mean([4.0], [1])  # n = 1: S = 1 up to 4, then 0
    assert one["mean"] == 4 and one["se"] == 0


ROSSI_COV = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]


def test_cox_rossi_matches_r():
    # R (Fox & Weisberg appendix):
    # coxph(Surv(week, arrest) ~ fin + age + race + wexp + mar + paro + prio, data = Rossi)
    #          coef exp(coef) se(coef)      z      p
    # fin  -0.37942   0.68426  0.19138 -1.983 0.0474
    # age  -0.05744   0.94418  0.02200 -2.611 0.0090
    # race  0.31390   1.36875  0.30799  1.019 0.3081
    # wexp -0.14980   0.86088  0.21222 -0.706 0.4803
    # mar  -0.43370   0.64810  0.38187 -1.136 0.2561
    # paro -0.08487   0.91863  0.19576 -0.434 0.6646
    # prio  0.09150   1.09581  0.02865  3.194 0.0014
    r = cox_ph(load_rossi(), "week", "arrest", ROSSI_COV).set_index("covariate")
    coef = [-0.37942, -0.05744, 0.31390, -0.14980, -0.43370, -0.08487, 0.09150]
    se = [0.19138, 0.02200, 0.30799, 0.21222, 0.38187, 0.19576, 0.02865]
    p = [0.0474, 0.0090, 0.3081, 0.4803, 0.2561, 0.6646, 0.0014]
    assert r.loc[ROSSI_COV, "coef"].to_numpy() == pytest.approx(coef, abs=6e-6)
    assert r.loc[ROSSI_COV, "se"].to_numpy() == pytest.approx(se, abs=6e-6)
    assert r.loc[ROSSI_COV, "p_value"].to_numpy() == pytest.approx(p, abs=6e-5)
    assert r.loc["fin", "ci_low"] == pytest.approx(np.exp(-0.37942 - 1.959964 * 0.19138), abs=1e-4)
    assert (r["n"] == 432).all() and (r["events"] == 114).all()
    assert (r["method"] == COX_METHOD).all()


def _small_cox_data():
    rng = np.random.default_rng(4)
    n = 120
    df = pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.integers(0, 2, n)})
    df["t"] = rng.exponential(1 / np.exp(0.5 * df.x1 - 0.4 * df.x2)) + 1e-6 * np.arange(n)
    df["e"] = (rng.random(n) < 0.8).astype(int)
    return df


def test_cox_and_ph_test_vs_statsmodels_phreg():
    df = _small_cox_data()
    r = cox_ph(df, "t", "e", ["x1", "x2"])
    ph = PHReg(df["t"], df[["x1", "x2"]], status=df["e"], ties="efron").fit()
    assert r["coef"].to_numpy() == pytest.approx(ph.params, rel=1e-5)
    assert r["se"].to_numpy() == pytest.approx(ph.bse, rel=1e-4)
    # Grambsch-Therneau per-covariate test with g = rank of event time (no tied times):
    # scaled residuals r* = d * U V; T_j = (sum (g-gbar) r*_j)^2 / (d V_jj sum (g-gbar)^2)
    order = np.argsort(df["t"].to_numpy())
    ev = df["e"].to_numpy()[order] == 1
    u = np.asarray(ph.schoenfeld_residuals)[order][ev]
    v = np.asarray(ph.cov_params())
    d = ev.sum()
    g = np.arange(1, d + 1) - (d + 1) / 2
    stat = (g @ (d * u @ v)) ** 2 / (d * np.diag(v) * (g @ g))
    test = ph_test(df, "t", "e", ["x1", "x2"]).set_index("covariate")
    assert test.loc[["x1", "x2"], "statistic"].to_numpy() == pytest.approx(stat, rel=1e-3)


def test_cox_refuses_bad_models():
    df = _small_cox_data()
    with pytest.raises(ValueError, match="constant"):
        cox_ph(df.assign(k=1.0), "t", "e", ["x1", "k"])
    with pytest.raises(ValueError, match="no events"):
        cox_ph(df.assign(e=0), "t", "e", ["x1"])
    with pytest.raises(ValueError, match="not in the data"):
        cox_ph(df, "t", "e", ["nope"])
    sep = pd.DataFrame({"t": np.arange(1.0, 21), "e": [1] * 20, "x": [1] * 10 + [0] * 10})
    with pytest.raises(ValueError, match="converge"):
        cox_ph(sep, "t", "e", ["x"])  # every x=1 fails before every x=0: monotone likelihood


@pytest.mark.parametrize("transform", ["km", "identity", "log", "rank"])
def test_ph_test_matches_lifelines_rossi(transform):
    # lifelines' own (loop-based) Schoenfeld residuals and test as the second implementation.
    # Rossi has tied event weeks: lifelines' "rank" (cumsum of events) breaks ties by row
    # order while we use mid-ranks, so for "rank" compare on untied data below instead.
    from lifelines import CoxPHFitter
    from lifelines.statistics import proportional_hazard_test

    rossi = load_rossi()
    if transform == "rank":
        rossi = rossi.assign(week=rossi["week"] + np.linspace(0, 0.5, len(rossi)))
    cph = CoxPHFitter().fit(rossi, "week", "arrest")
    ref = proportional_hazard_test(cph, rossi, time_transform=transform).summary
    ours = ph_test(rossi, "week", "arrest", ROSSI_COV, transform).set_index("covariate")
    assert ours.loc[ROSSI_COV, "statistic"].to_numpy() == pytest.approx(
        ref.loc[ROSSI_COV, "test_statistic"].to_numpy(), rel=1e-6)


def test_schoenfeld_residuals_sum_to_zero_at_mle():
    # The score equation at the MLE: the residuals (Efron) sum to zero over events.
    from analysis.stats.survival import schoenfeld_residuals
    from lifelines import CoxPHFitter

    rossi = load_rossi()
    cph = CoxPHFitter().fit(rossi, "week", "arrest")
    r, _ = schoenfeld_residuals(rossi[ROSSI_COV].to_numpy(float), rossi["week"], rossi["arrest"],
                                cph.params_.loc[ROSSI_COV])
    assert np.abs(r.sum(axis=0)).max() < 1e-4  # limited by the fit tolerance


def test_cox_accepts_boolean_and_nullable_columns():
    df = _small_cox_data()
    typed = df.assign(x2=pd.array(df["x2"].astype(bool), dtype="boolean"), e=df["e"].astype(bool))
    typed.loc[0, "x2"] = pd.NA
    a = cox_ph(df.iloc[1:], "t", "e", ["x1", "x2"])
    b = cox_ph(typed, "t", "e", ["x1", "x2"])
    assert b["coef"].to_numpy() == pytest.approx(a["coef"].to_numpy())
    assert b.loc[0, "n"] == len(df) - 1
