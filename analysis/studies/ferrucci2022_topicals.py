"""Ferrucci 2022 blocks on topical therapy: Table II with McNemar tests, tacrolimus
use, time to first tacrolimus (Kaplan-Meier, Cox), baseline tacrolimus users."""

from __future__ import annotations

import pandas as pd

from analysis.derive.categories import easi_band, EASI_BAND_METHOD, EASI_BANDS, equals
from analysis.derive.tabulate import frequencies, summaries, two_by_two_counts
from analysis.derive.topicals import TACROLIMUS_CODES, uses
from analysis.derive.tte import (
    FROM_VISITS_METHOD, event_flag, from_adtte, from_visits, nominal_days, one_row_per_patient,
    to_unit,
)
from analysis.stats import contingency, mcnemar, two_sample
from analysis.stats.describe import SUMMARY_METHOD
from analysis.studies.ferrucci2022_common import (
    Context, add_frequencies, add_summaries, add_test, first_line, stats_function,
)
from analysis.studies.ferrucci2022_baseline import tacrolimus_at_baseline

BASELINE = "BASELINE"
TOPICAL_ROWS = ("NONE", "TCS", "TAC", "BOTH")
COX_NAMES = {"DLQI": "DLQI", "AGE": "AGE", "FEMALE": "SEX=F", "NONGEN": "GENERFL=N",
             "RELAPSING": "COURSE=RELAPSING"}
MODEL_STATS = ("hr", "or", "ci_low", "ci_high", "p_value", "coef", "se", "z")


def table2(ctx: Context) -> None:
    codes = ctx.topical_codes()
    everyone = {"all": pd.Series(True, index=codes.index)}
    # each visit x code indicator once: the frequencies and the McNemar tests share them
    use = {(v, c): uses(codes[v], (c,)) for v in ctx.visits for c in TOPICAL_ROWS}
    for visit in ctx.visits:
        flags = {f"TOPICAL={c}": use[visit, c] for c in TOPICAL_ROWS}
        freq = frequencies(flags, everyone, visit=visit)
        ctx.builder.add("table2", "n", int(freq["n"].iloc[0]), variable="TOPICAL", group="all",
                        visit=visit, method="evaluable patients with a topical-therapy record")
        add_frequencies(ctx, "table2", freq, "count and percent of the evaluable patients "
                        "with a record at the visit")
        tac = frequencies({"TACROLIMUS": uses(codes[visit], TACROLIMUS_CODES)}, everyone, visit=visit)
        add_frequencies(ctx, "tacrolimus_use", tac, "tacrolimus alone or with corticosteroids, "
                        "over evaluable patients with a record at the visit")
    variant = ctx.options["mcnemar_variant"]
    for visit in ctx.visits[1:]:
        for c in TOPICAL_ROWS:
            before, after = use[BASELINE, c], use[visit, c]
            add_test(ctx, "table2_mcnemar",
                     lambda: mcnemar.mcnemar_paired(before.to_numpy(float), after.to_numpy(float), variant),
                     params={"population": "evaluable patients with a record at both visits"},
                     variable=f"TOPICAL={c}", group="all", visit=f"{visit} vs {BASELINE}")
    for block in ("table2", "table2_mcnemar", "tacrolimus_use"):
        ctx.done(block)


def tte_rows(ctx: Context) -> tuple[pd.DataFrame | None, str]:
    """TTTAC per evaluable patient (days), with the baseline-users option applied.

    Made once per run (two blocks read it, neither changes it).
    """
    if "tte_rows" not in ctx._cache:
        ctx._cache["tte_rows"] = _tte_rows(ctx)
    return ctx._cache["tte_rows"]


def _tte_rows(ctx: Context) -> tuple[pd.DataFrame | None, str]:
    codes = ctx.topical_codes() if ctx.topicals is not None else None
    if ctx.tte is not None and (ctx.tte["PARAMCD"] == "TTTAC").any():
        times, source = from_adtte(ctx.tte, "TTTAC"), "ADTTE TTTAC rows"
    elif codes is not None:
        days = nominal_days({v: ctx.visit_weeks[v] for v in ctx.visits})
        times, source = from_visits(codes, TACROLIMUS_CODES, days), FROM_VISITS_METHOD
    else:
        return None, "no tte table and no topicals table"
    evaluable = ctx.is_evaluable(times.index)
    if not evaluable.all():  # (a selection would drop the index's hash table)
        times = times[evaluable]
    if ctx.options["tte_baseline_users"] == "exclude":
        if codes is not None:
            at_baseline = uses(codes[BASELINE], TACROLIMUS_CODES).reindex(times.index) == 1
        else:
            at_baseline = (times["AVAL"] == 0) & (times["CNSR"] == 0)
        times = times[~at_baseline]
    return times, source


def time_to_tacrolimus(ctx: Context) -> None:
    times, source = tte_rows(ctx)
    fns = {name: stats_function("survival", name)
           for name in ("kaplan_meier", "restricted_mean", "median_survival")}
    if times is None or len(times) == 0:
        ctx.skip("tac_time_to_start", source if times is None else "no evaluable patient with a time")
        return
    if any(f is None for f in fns.values()):
        ctx.skip("tac_time_to_start", "analysis.stats.survival (Kaplan-Meier) is not available")
        return
    unit = ctx.options["time_unit"]
    dur = to_unit(times["AVAL"], unit).to_numpy()
    ev = event_flag(times["CNSR"]).to_numpy()
    params = {**ctx.params("tte_baseline_users", "time_unit", "rmst_tau"), "source": source}
    b, n = ctx.builder, len(times)
    try:  # every statistic first, so a refusal leaves no half-written block
        rm = fns["restricted_mean"](dur, ev, tau=ctx.options["rmst_tau"])
        med = fns["median_survival"](dur, ev)
        km = fns["kaplan_meier"](dur, ev)
    except ValueError as err:
        ctx.skip("tac_time_to_start", f"not estimable: {first_line(err)}")
        ctx.skip("tac_km", f"not estimable: {first_line(err)}")
        return
    coords = dict(variable="TTTAC", group="all", n=n, params=params)
    events = frequencies({"EVENTS": pd.Series(ev.astype(float))}, {"all": pd.Series(True, index=range(n))})
    b.add("tac_time_to_start", "events", events["count"].iloc[0], method="patients who started", **coords)
    km_method = f"{rm.get('method', 'Kaplan-Meier restricted mean')}; time to first tacrolimus in {unit}"
    b.add("tac_time_to_start", "rmst", rm["mean"], method=km_method, **coords)
    b.add("tac_time_to_start", "rmst_se", rm["se"], method=km_method + "; standard error", **coords)
    b.add("tac_time_to_start", "tau", rm["tau"], method=f"restriction time, {unit}", **coords)
    med_method = med.get("method", "Kaplan-Meier median") if isinstance(med, dict) else "Kaplan-Meier median"
    for stat in ("median", "ci_low", "ci_high"):
        if isinstance(med, dict) and stat in med:
            b.add("tac_time_to_start", stat if stat == "median" else f"median_{stat}", med[stat],
                  method=f"{med_method}; {unit} (NaN if not reached)", **coords)
    started = times[((times["CNSR"] == 0) & (times["AVAL"] > 0)).to_numpy()]
    summ = summaries(pd.DataFrame({"": to_unit(started["AVAL"], unit).to_numpy()}), "TTTAC",
                     group="STARTED AFTER BASELINE")
    add_summaries(ctx, "tac_time_to_start", summ, f"{SUMMARY_METHOD}; observed start times, {unit}",
                  params)
    time_col = "time" if "time" in km else km.columns[0]
    for rec in km.to_dict("records"):
        for stat, val in rec.items():
            if stat != time_col:
                b.add("tac_km", stat, val, variable="TTTAC", group="all",
                      visit=f"TIME {rec[time_col]:.6g}", n=n, params=params,
                      method=f"Kaplan-Meier estimate of not yet on tacrolimus; time in {unit}")
    ctx.done("tac_time_to_start")
    ctx.done("tac_km")


def _covariates(ctx: Context) -> pd.DataFrame:
    subj = ctx.subjects
    cov = pd.DataFrame(index=subj.index)
    cov["DLQI"] = ctx.scores("DLQI")[BASELINE] if ctx.has_param("DLQI") else float("nan")
    cov["AGE"] = subj["AGE"].astype(float)
    cov["FEMALE"] = equals(subj["SEX"], "F")
    cov["NONGEN"] = equals(subj["GENERFL"], "N") if "GENERFL" in subj else float("nan")
    return cov


def cox_models(ctx: Context) -> None:
    times, source = tte_rows(ctx)
    cox_ph, ph_test = stats_function("survival", "cox_ph"), stats_function("survival", "ph_test")
    if times is None or cox_ph is None:
        for block in ("cox_tacrolimus_start", "cox_ph_check", "tac_start_by_generalized"):
            ctx.skip(block, source if times is None else "analysis.stats.survival.cox_ph is not available")
        return
    cov = _covariates(ctx)
    # every timed patient is evaluable, hence a subject: the join below keeps each row,
    # so the covariates can come in the times' order (one id lookup instead of two)
    aligned = ctx.subject_rows(cov, times.index)
    cov = cov if aligned is None else aligned
    params = {**ctx.params("tte_baseline_users"), "source": source}
    names = ["DLQI", "AGE", "FEMALE"]
    data = one_row_per_patient(times, cov[names])
    fit = stats_function("survival", "cox_fit")
    try:  # one fit serves the coefficients and the PH test
        model = fit(data, "duration", "event", names) if fit else None
        tidy = model.table() if model else cox_ph(data, "duration", "event", names)
    except ValueError as err:
        ctx.skip("cox_tacrolimus_start", f"Cox model not estimable: {first_line(err)}")
    else:
        method = "covariates: DLQI at baseline, age at dupilumab start (years), female sex"
        _add_model(ctx, "cox_tacrolimus_start", tidy, data, method, {**params, "n_dropped": data.attrs["n_dropped"]})
        ctx.done("cox_tacrolimus_start")
        if ph_test is None:
            ctx.skip("cox_ph_check", "analysis.stats.survival.ph_test is not available")
        else:
            try:
                ph = model.ph_test() if model else ph_test(data, "duration", "event", names)
            except ValueError as err:
                ctx.skip("cox_ph_check", f"PH test not computable: {first_line(err)}")
            else:
                for rec in ph.to_dict("records"):
                    for stat in ("statistic", "p_value", "df"):
                        if stat in rec:
                            ctx.builder.add("cox_ph_check", stat, rec[stat],
                                            variable=COX_NAMES.get(rec["covariate"], rec["covariate"]),
                                            group="all", n=len(data), params=params,
                                            method="proportional-hazards test on scaled Schoenfeld residuals")
                ctx.done("cox_ph_check")
    _generalized(ctx, times, cov, params, cox_ph)


def _add_model(ctx: Context, analysis: str, tidy: pd.DataFrame, data: pd.DataFrame, method: str,
               params: dict, events: bool = True, **coords) -> None:
    n = len(data)
    if "method" in tidy:
        method = f"{tidy['method'].iloc[0]}; {method}"
    for rec in tidy.to_dict("records"):
        var = COX_NAMES.get(rec["covariate"], rec["covariate"])
        for stat in MODEL_STATS:
            if stat in rec:
                ctx.builder.add(analysis, stat, rec[stat], variable=var, group="all", n=n,
                                method=method, params=params, **coords)
    if not events:
        return
    outcome = "event" if "event" in data else data.columns[0]
    ev = frequencies({"EVENTS": data[outcome].astype(float)}, {"all": pd.Series(True, index=data.index)})
    ctx.builder.add(analysis, "events", ev["count"].iloc[0], variable="MODEL", group="all", n=n,
                    method="patients with the outcome in the model", params=params, **coords)


def _generalized(ctx, times, cov, params, cox_ph) -> None:
    test = ctx.options["generalized_test"]
    params = {**params, "generalized_test": test}
    data = one_row_per_patient(times, cov[["NONGEN"]])
    if test == "cox":
        try:
            tidy = cox_ph(data, "duration", "event", ["NONGEN"])
        except ValueError as err:
            ctx.skip("tac_start_by_generalized", f"Cox model not estimable: {first_line(err)}")
            return
        _add_model(ctx, "tac_start_by_generalized", tidy, data,
                   "covariate: non-generalized vs generalized AD", params)
    else:
        a, b, c, d = two_by_two_counts(data["NONGEN"], data["event"])
        add_test(ctx, "tac_start_by_generalized", lambda: contingency.two_by_two(a, b, c, d, test=test),
                 params=params, variable="GENERFL=N", group="all")
    ctx.done("tac_start_by_generalized")


def tacbl_comparisons(ctx: Context) -> None:
    tacbl = tacrolimus_at_baseline(ctx)
    groups = {"TACBL=Y": tacbl == 1, "TACBL=N": tacbl == 0}
    vs = "TACBL=Y vs TACBL=N"
    params = ctx.params("tacbl_definition")
    add_frequencies(ctx, "tacbl_vs_others",
                    frequencies({"TACBL=Y": tacbl}, {"all": pd.Series(True, index=tacbl.index)}),
                    "evaluable patients using tacrolimus at baseline", params)
    female = equals(ctx.subject_column("SEX", tacbl.index), "F")
    add_frequencies(ctx, "tacbl_vs_others", frequencies({"SEX=F": female}, groups),
                    "female patients within each group", params)
    a, b, c, d = two_by_two_counts(tacbl, female)
    test = ctx.options["tacbl_sex_test"]
    add_test(ctx, "tacbl_vs_others", lambda: contingency.two_by_two(a, b, c, d, test=test),
             params={**params, "tacbl_sex_test": test}, variable="SEX=F", group=vs)
    if ctx.has_param("DLQI"):
        dlqi = ctx.scores("DLQI", patients=tacbl.index)[[BASELINE]]
        for grp, mask in groups.items():
            add_summaries(ctx, "tacbl_vs_others", summaries(dlqi[mask], "DLQI", group=grp), SUMMARY_METHOD, params)
        _dlqi_test(ctx, dlqi[BASELINE], tacbl, {**params, **ctx.params("tacbl_dlqi_test", "dlqi_low_cut")})
    ctx.done("tacbl_vs_others")


def _dlqi_test(ctx: Context, dlqi: pd.Series, tacbl: pd.Series, params: dict) -> None:
    test = ctx.options["tacbl_dlqi_test"]
    x, y = dlqi[tacbl == 1].to_numpy(float), dlqi[tacbl == 0].to_numpy(float)
    coords = dict(variable="DLQI", group="TACBL=Y vs TACBL=N", visit=BASELINE, params=params)
    if test == "chi2_low":
        from analysis.derive.categories import threshold_flag

        low = threshold_flag(dlqi, "<", ctx.options["dlqi_low_cut"])
        a, b, c, d = two_by_two_counts(tacbl, low)
        add_test(ctx, "tacbl_vs_others", lambda: contingency.two_by_two(a, b, c, d, test="chi2"), **coords)
        return
    fn = {"student_t": two_sample.student_t, "welch_t": two_sample.welch_t,
          "mann_whitney": two_sample.mann_whitney}[test]
    add_test(ctx, "tacbl_vs_others", lambda: fn(x, y), **coords)


def easi_week4_by_tacbl(ctx: Context) -> None:
    from analysis.derive.categories import threshold_flag

    if not ctx.has_param("EASI") or "WEEK 4" not in ctx.visits:
        ctx.skip("easi_lt7_w4_by_tacbl", "no EASI at WEEK 4")
        return
    tacbl = tacrolimus_at_baseline(ctx)
    easi4 = ctx.scores("EASI", patients=tacbl.index)["WEEK 4"]
    groups = {"TACBL=Y": tacbl == 1, "TACBL=N": tacbl == 0}
    op = ctx.options["easi_low_rule"]
    cut = ctx.options["easi_low_cut"]
    low = threshold_flag(easi4, op, cut)
    params = ctx.params("tacbl_definition", "easi_low_rule", "easi_low_cut")
    add_frequencies(ctx, "easi_lt7_w4_by_tacbl",
                    frequencies({f"EASI<{cut:g}": low}, groups, visit="WEEK 4"),
                    f"patients with EASI {op} {cut:g} at week 4 among those with a week-4 EASI", params)
    a, b, c, d = two_by_two_counts(tacbl, low)
    test = ctx.options["two_by_two_test"]
    add_test(ctx, "easi_lt7_w4_by_tacbl", lambda: contingency.two_by_two(a, b, c, d, test=test),
             params={**params, "two_by_two_test": test}, variable=f"EASI<{cut:g}",
             group="TACBL=Y vs TACBL=N", visit="WEEK 4")
    bands = easi_band(easi4).astype("category")  # six equality tests on codes
    flags = {f"EASIBAND={label}": equals(bands, label) for label, _ in EASI_BANDS}
    add_frequencies(ctx, "easi_bands_w4_by_tacbl", frequencies(flags, groups, visit="WEEK 4"),
                    EASI_BAND_METHOD, params)
    ctx.done("easi_lt7_w4_by_tacbl")
    ctx.done("easi_bands_w4_by_tacbl")


def late_tacrolimus_start(ctx: Context) -> None:
    from analysis.derive.tte import started_after

    logistic = stats_function("regression", "logistic")
    codes = ctx.topical_codes()
    cov = pd.DataFrame({"RELAPSING": equals(ctx.subject_column("COURSE", codes.index), "RELAPSING")
                        if "COURSE" in ctx.subjects else float("nan"),
                        "AGE": ctx.subject_column("AGE", codes.index).astype(float)}, index=codes.index)
    model = ctx.options["late_start_model"]
    params = ctx.params("late_start_population", "late_start_model")
    for week in ctx.options["late_start_weeks"]:
        before = [v for v in ctx.visits if ctx.visit_weeks[v] <= week]
        after = [v for v in ctx.visits if ctx.visit_weeks[v] > week]
        label = f"AFTER WEEK {week}"
        flags = started_after(codes, TACROLIMUS_CODES, before, after, ctx.options["late_start_population"])
        data = _at_risk(flags, cov).dropna()
        add_frequencies(ctx, "late_tac_start",
                        frequencies({"STARTED": data["STARTED"]}, {"all": pd.Series(True, index=data.index)},
                                    visit=label), "patients at risk who started tacrolimus", params)
        if logistic is None:
            ctx.skip("late_tac_start", "analysis.stats.regression.logistic is not available")
            continue
        sets = [["RELAPSING", "AGE"]] if model == "multivariable" else [["RELAPSING"], ["AGE"]]
        for covs in sets:
            try:
                tidy = logistic(data, "STARTED", covs)
            except ValueError as err:
                ctx.skip(f"late_tac_start:{label}", f"logistic model not estimable: {first_line(err)}")
                continue
            tidy = tidy[tidy["covariate"].isin(covs)]
            _add_model(ctx, "late_tac_start", tidy, data,
                       f"covariates: {' + '.join(COX_NAMES.get(c, c) for c in covs)}",
                       params, events=False, visit=label)
    if logistic is not None:
        ctx.done("late_tac_start")


def _at_risk(flags: pd.DataFrame, cov: pd.DataFrame) -> pd.DataFrame:
    """STARTED and the covariates of the patients at risk: ``pd.concat([at-risk
    STARTED, cov], axis=1, join="inner")``, by position when both frames list the
    same (distinct) patients in the same order, as they do here."""
    if flags.index.is_unique and (flags.index is cov.index or flags.index.equals(cov.index)) \
            and flags.index.names == cov.index.names and "STARTED" not in cov:
        mask = flags["AT_RISK"].to_numpy(dtype=bool)
        columns = {"STARTED": flags["STARTED"].to_numpy()[mask]}
        columns.update({c: cov[c].to_numpy()[mask] for c in cov.columns})
        return pd.DataFrame(columns, index=flags.index[mask])
    return pd.concat([flags.loc[flags["AT_RISK"], ["STARTED"]], cov], axis=1, join="inner")
