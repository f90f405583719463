"""Time-to-event analysis: Kaplan-Meier, restricted mean, median, Cox model, PH test.

All functions take ``events`` with 1 = event observed, 0 = censored. ADaM time-to-event
data code the opposite (``CNSR`` 1 = censored), so the caller passes ``1 - CNSR``.
Durations must be non-negative and present; the caller chooses the population.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from analysis.stats._checks import as_float, fail
from analysis.stats._lifelines import fit_efron

KM_COLUMNS = ["time", "at_risk", "events", "censored", "survival", "se"]


def _check_survival(durations, events) -> tuple[np.ndarray, np.ndarray]:
    t = as_float(durations, "durations")
    e = as_float(events, "events")
    if t.shape != e.shape:
        fail("paired-length", f"durations and events must have the same length ({t.size} vs {e.size})")
    if t.size == 0:
        fail("too-few", "survival analysis needs at least one subject")
    if np.isnan(t).any():
        fail("missing", f"{int(np.isnan(t).sum())} duration(s) missing: choose the population first",
             column="durations")
    if (t < 0).any():
        fail("range", "durations must be >= 0", column="durations", value=float(t[t < 0][0]))
    if np.isnan(e).any() or not np.isin(e, (0.0, 1.0)).all():
        fail("binary", "events must be 1 (event) or 0 (censored); ADaM CNSR is the reverse",
             column="events")
    return t, e


def _km_arrays(t: np.ndarray, e: np.ndarray):
    times, inverse = np.unique(t, return_inverse=True)
    d = np.bincount(inverse, weights=e, minlength=times.size)
    removed = np.bincount(inverse, minlength=times.size).astype(float)
    at_risk = t.size - np.concatenate([[0.0], np.cumsum(removed)[:-1]])
    surv = np.cumprod(1.0 - d / at_risk)
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(d > 0, d / (at_risk * (at_risk - d)), 0.0)
    greenwood = np.cumsum(term)  # inf once S reaches 0
    return times, at_risk, d, removed - d, surv, greenwood


def kaplan_meier(durations, events) -> pd.DataFrame:
    """Kaplan-Meier estimate with Greenwood standard errors, one row per distinct time.

    Parameters
    ----------
    durations : array-like of float
        Time to event or censoring (>= 0).
    events : array-like of {0, 1}
        1 = event, 0 = censored (pass ``1 - CNSR`` for ADaM data).

    Returns
    -------
    DataFrame
        ``time, at_risk, events, censored, survival, se``: ``survival`` is S(t) just
        after ``time``; ``se`` is Greenwood's ``S(t) sqrt(sum d/(Y(Y-d)))``, NaN once
        S(t) = 0 (undefined there).

    Examples
    --------
    >>> kaplan_meier([1, 2, 2, 3], [1, 1, 0, 1])[["time", "at_risk", "survival"]].values.tolist()
    [[1.0, 4.0, 0.75], [2.0, 3.0, 0.5], [3.0, 1.0, 0.0]]
    """
    t, e = _check_survival(durations, events)
    times, at_risk, d, cens, surv, gw = _km_arrays(t, e)
    with np.errstate(invalid="ignore"):
        se = np.where(surv > 0, surv * np.sqrt(gw), np.nan)
    return pd.DataFrame(
        {"time": times, "at_risk": at_risk, "events": d, "censored": cens,
         "survival": surv, "se": se},
        columns=KM_COLUMNS,
    )


def restricted_mean(durations, events, tau: float | None = None) -> dict:
    """Restricted mean survival time (area under the KM curve up to ``tau``) with its SE.

    Parameters
    ----------
    durations, events : array-like
        As in :func:`kaplan_meier`.
    tau : float, optional
        Upper limit of integration. Default: the largest observed time (event or
        censored), which is what SPSS reports as the "mean survival time" and R as
        ``print(survfit(...), rmean = "common")`` for one curve. Must not exceed the
        largest observed time (the KM curve is unknown beyond it).

    Returns
    -------
    dict
        ``mean``, ``se``, ``tau``, ``method``. The variance is Klein & Moeschberger
        (2003, eq. 4.5.2), as in SPSS and R's survival package:
        ``Var = sum_i A_i^2 d_i / (Y_i (Y_i - d_i))`` over event times ``t_i <= tau``,
        with ``A_i`` the area under the curve from ``t_i`` to ``tau``; a term with
        ``Y_i = d_i`` is 0 (its ``A_i`` is 0).

    Examples
    --------
    >>> r = restricted_mean([1, 2, 3], [1, 1, 1])
    >>> r["mean"], r["tau"]
    (2.0, 3.0)
    """
    t, e = _check_survival(durations, events)
    top = float(t.max())
    tau = top if tau is None else float(tau)
    if not (0 < tau <= top):
        fail("range", f"tau must lie in (0, largest observed time {top:g}]", column="tau", value=tau)
    times, at_risk, d, _, surv, _ = _km_arrays(t, e)
    is_event = (d > 0) & (times <= tau)
    ev_t, ev_d, ev_y, ev_s = times[is_event], d[is_event], at_risk[is_event], surv[is_event]
    edges = np.concatenate([[0.0], ev_t, [tau]])
    heights = np.concatenate([[1.0], ev_s])
    areas = heights * np.diff(edges)
    mean = float(areas.sum())
    after = np.cumsum(areas[::-1])[::-1][1:]  # A_i: area from event time i to tau
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(ev_y > ev_d, after**2 * ev_d / (ev_y * (ev_y - ev_d)), 0.0)
    default = " (largest observed time)" if tau == top else ""
    return {
        "mean": mean,
        "se": float(np.sqrt(term.sum())),
        "tau": tau,
        "method": f"restricted mean survival time: area under the Kaplan-Meier curve up to "
        f"tau = {tau:g}{default}; SE by Klein-Moeschberger eq. 4.5.2 (as SPSS, R survival)",
    }


def median_survival(durations, events, confidence: float = 0.95) -> dict:
    """Median survival time from the Kaplan-Meier curve, with a confidence interval.

    The median is the smallest time with ``S(t) <= 0.5`` (SPSS, SAS and lifelines
    convention; R's ``survfit`` averages two times when S(t) equals 0.5 exactly on a
    plateau). Its CI (Brookmeyer-Crowley) is the set of times whose pointwise CI of
    S(t) contains 0.5, with the log(-log) transformed Greenwood interval (SAS and
    lifelines default; R's default is ``conf.type = "log"``).

    Returns
    -------
    dict
        ``median``, ``ci_low``, ``ci_high`` (NaN where not reached), ``method``.

    Examples
    --------
    >>> median_survival([1, 2, 3, 4], [1, 1, 1, 1])["median"]
    2.0
    """
    t, e = _check_survival(durations, events)
    times, _, d, _, surv, gw = _km_arrays(t, e)
    z = stats.norm.ppf(0.5 + confidence / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        theta = np.log(-np.log(surv))
        se_theta = np.sqrt(gw) / np.abs(np.log(surv))
        low = np.exp(-np.exp(theta + z * se_theta))
        high = np.exp(-np.exp(theta - z * se_theta))
    # S = 1 before the first event (interval degenerate at 1); S = 0 after a total wipe-out
    low = np.where(surv >= 1, 1.0, np.where(surv <= 0, 0.0, low))
    high = np.where(surv >= 1, 1.0, np.where(surv <= 0, 0.0, high))

    def first_below(curve: np.ndarray) -> float:
        hit = np.flatnonzero(curve <= 0.5)
        return float(times[hit[0]]) if hit.size else float("nan")

    med = first_below(surv)
    note = "" if not np.isnan(med) else "; median not reached (S(t) stays above 0.5)"
    return {
        "median": med,
        "ci_low": first_below(low),  # the lower S limit crosses 0.5 first
        "ci_high": first_below(high),
        "method": "Kaplan-Meier median (smallest t with S(t) <= 0.5); "
        f"{confidence:.0%} CI from log(-log) Greenwood pointwise limits (Brookmeyer-Crowley)"
        + note,
    }


COX_COLUMNS = ["covariate", "coef", "se", "hr", "ci_low", "ci_high", "z", "p_value"]
COX_METHOD = "Cox proportional hazards, Efron ties, Wald 95% CI and p"


def _cox_frame(df: pd.DataFrame, duration: str, event: str, covariates: list[str]) -> pd.DataFrame:
    missing = [c for c in [duration, event, *covariates] if c not in df.columns]
    if missing:
        fail("required-column", f"column(s) not in the data: {missing}", column=missing[0])
    data = df[[duration, event, *covariates]].apply(pd.to_numeric, errors="coerce")
    data = data.dropna().astype(float)  # booleans and nullable integers become 0/1 floats
    _check_survival(data[duration].to_numpy(), data[event].to_numpy())
    if data[event].sum() == 0:
        fail("no-events", "no events: a Cox model cannot be estimated", column=event)
    for c in covariates:
        values = data[c].to_numpy()
        if not (values != values[0]).any():  # one distinct value; no hashing of n values
            fail("zero-variance", f"covariate {c} is constant among complete cases", column=c)
    return data


class CoxFit:
    """One fitted Cox model: its coefficient table and its proportional-hazards test
    from a single fit (see :func:`cox_fit`)."""

    def __init__(self, data: pd.DataFrame, duration: str, event: str, covariates: list, model):
        self.data, self.duration, self.event = data, duration, event
        self.covariates, self.model = list(covariates), model

    def table(self) -> pd.DataFrame:
        """The :func:`cox_ph` table."""
        s = self.model.summary
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
        out["n"] = len(self.data)
        out["events"] = int(self.data[self.event].sum())
        out["method"] = COX_METHOD
        return out

    def ph_test(self, time_transform: str = "rank") -> pd.DataFrame:
        """The :func:`ph_test` table of this model."""
        return _ph_table(self, time_transform)


def cox_fit(df: pd.DataFrame, duration: str, event: str, covariates: list[str],
            ties: str = "efron") -> CoxFit:
    """Fit the :func:`cox_ph` model once; ``.table()`` and ``.ph_test()`` read it.

    Same arguments, checks and errors as :func:`cox_ph`. Use it when both the
    coefficients and the PH test are wanted: the model is fitted once, not twice.

    Examples
    --------
    >>> d = pd.DataFrame({"t": [1, 2, 3, 4, 5, 6], "e": [1, 1, 0, 1, 1, 0],
    ...                   "x": [1, 0, 1, 0, 1, 0]})
    >>> f = cox_fit(d, "t", "e", ["x"])
    >>> list(f.table()["covariate"]), list(f.ph_test()["covariate"])
    (['x'], ['x'])
    """
    if ties != "efron":
        fail("option", "only Efron ties are available (lifelines)", value=ties)
    covariates = list(covariates)
    data = _cox_frame(df, duration, event, covariates)
    return CoxFit(data, duration, event, covariates, fit_efron(data, duration, event))


def cox_ph(df: pd.DataFrame, duration: str, event: str, covariates: list[str],
           ties: str = "efron") -> pd.DataFrame:
    """Cox proportional hazards model (lifelines, Efron ties, batch mode).

    Parameters
    ----------
    df : DataFrame
        One row per subject.
    duration, event : str
        Columns of time and event indicator (1 = event; pass ``1 - CNSR``).
    covariates : list of str
        Numeric covariates (code binary ones 0/1). Rows with a missing value in any
        used column are dropped; the ``n`` column says how many were used.
    ties : {"efron"}
        Only Efron's method (lifelines' only one) is available.

    Returns
    -------
    DataFrame
        One row per covariate: ``covariate, coef, se, hr, ci_low, ci_high, z, p_value``
        (hazard-ratio CI), plus ``n``, ``events``, ``method`` (:data:`COX_METHOD`).

    Raises
    ------
    StatsInputError (a ValueError)
        Missing columns, no events, a constant covariate, or non-convergence
        (e.g. monotone likelihood when a covariate separates events).

    Examples
    --------
    >>> d = pd.DataFrame({"t": [1, 2, 3, 4, 5, 6], "e": [1, 1, 0, 1, 1, 0],
    ...                   "x": [1, 0, 1, 0, 1, 0]})
    >>> list(cox_ph(d, "t", "e", ["x"]).columns[:4])
    ['covariate', 'coef', 'se', 'hr']
    """
    return cox_fit(df, duration, event, covariates, ties).table()


def schoenfeld_residuals(x, durations, events, beta) -> tuple[np.ndarray, np.ndarray]:
    """Schoenfeld residuals with Efron-weighted risk-set means, vectorised, O(n log n).

    At an event time with ``m`` tied events, the expected covariate is
    ``(1/m) sum_{l<m} (R1 - l/m T1) / (R0 - l/m T0)``, with ``R`` sums over the risk
    set and ``T`` over the tied events, of ``exp(x beta)`` (0) and ``x exp(x beta)`` (1)
    (lifelines' and R's definition for Efron ties).

    Returns
    -------
    resid : ndarray, shape (events, p)
        ``x_i - xbar(t_i)`` for each event, in time order.
    times : ndarray
        The event time of each row of ``resid``.
    """
    x = np.asarray(x, dtype=float)
    order = np.argsort(durations, kind="stable")
    x, t, e = x[order], np.asarray(durations, float)[order], np.asarray(events, float)[order]
    lin = x @ np.asarray(beta, dtype=float)
    phi = np.exp(lin - lin.max())  # a common factor cancels in every ratio
    times, start = np.unique(t, return_index=True)
    g0 = np.add.reduceat(phi, start)
    g1 = np.add.reduceat(phi[:, None] * x, start, axis=0)
    r0 = np.cumsum(g0[::-1])[::-1]
    r1 = np.cumsum(g1[::-1], axis=0)[::-1]
    t0 = np.add.reduceat(phi * e, start)
    t1 = np.add.reduceat((phi * e)[:, None] * x, start, axis=0)
    m = np.add.reduceat(e, start).astype(np.int64)
    grp = np.flatnonzero(m > 0)
    reps = np.repeat(grp, m[grp])
    first = np.repeat(np.cumsum(m[grp]) - m[grp], m[grp])
    frac = ((np.arange(reps.size) - first) / m[reps])[:, None]
    contrib = (r1[reps] - frac * t1[reps]) / (r0[reps] - frac[:, 0] * t0[reps])[:, None]
    xbar = np.add.reduceat(contrib / m[reps][:, None], np.cumsum(m[grp]) - m[grp], axis=0)
    which = np.repeat(np.arange(times.size), np.diff(np.append(start, t.size)))
    is_event = e == 1
    slot = np.searchsorted(grp, which[is_event])
    return x[is_event] - xbar[slot], t[is_event]


TRANSFORMS = ("rank", "km", "identity", "log")


def ph_test(df: pd.DataFrame, duration: str, event: str, covariates: list[str],
            time_transform: str = "rank") -> pd.DataFrame:
    """Test of proportional hazards per covariate (Grambsch-Therneau score test).

    Fits the same model as :func:`cox_ph`, then for each covariate ``j`` correlates
    the scaled Schoenfeld residuals ``D r V`` (``D`` events, ``V`` the model
    covariance) with a transform ``g`` of the event time:
    ``T_j = (sum (g - gbar) r*_j)^2 / (D V_jj sum (g - gbar)^2)``, chi-square 1 df.
    This is the per-covariate test of R's ``cox.zph`` before survival 3.0 and of
    lifelines' ``proportional_hazard_test``; it is computed here in O(n log n) because
    lifelines' residual routine is quadratic in n. ``"rank"`` uses mid-ranks of the
    event times (tied event times share a rank, as R's ``rank()``; lifelines breaks
    such ties by row order). Other transforms: ``"km"`` (1 - KM), ``"identity"``, ``"log"``.

    Returns
    -------
    DataFrame
        ``covariate, statistic, df, p_value, n, events, method``; no global test.
    """
    if time_transform not in TRANSFORMS:
        fail("option", f"time_transform must be one of {TRANSFORMS}", value=time_transform)
    return cox_fit(df, duration, event, covariates).ph_test(time_transform)


def _ph_table(fit: CoxFit, time_transform: str) -> pd.DataFrame:
    if time_transform not in TRANSFORMS:
        fail("option", f"time_transform must be one of {TRANSFORMS}", value=time_transform)
    data, duration, event, covariates = fit.data, fit.duration, fit.event, fit.covariates
    cph = fit.model
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
