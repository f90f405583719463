"""Ferrucci 2022 blocks on baseline data: patient flow, demographics, Table I,
comorbidities, prior systemic treatments."""

from __future__ import annotations

import pandas as pd

from analysis.derive.categories import combination, equals, yn
from analysis.derive.tabulate import frequencies, summaries
from analysis.derive.topicals import uses
from analysis.stats.describe import SUMMARY_METHOD, count_percent
from analysis.studies.ferrucci2022_common import Context, add_frequencies, add_summaries

COUNT_METHOD = "count and percent of the denominator in n"

TABLE1_ROWS = {  # ARD variable -> (column, code); code None = Y/N flag
    "COURSE=RELAPSING": ("COURSE", "RELAPSING"),
    "COURSE=PERSISTENT": ("COURSE", "PERSISTENT"),
    "LATEONFL=Y": ("LATEONFL", None),
    "CLASSFL=Y": ("CLASSFL", None),
    "GENERFL=Y": ("GENERFL", None),
    "PRURFL=Y": ("PRURFL", None),
    "NUMMFL=Y": ("NUMMFL", None),
}
SITES = {"FACE": "SITEFACE", "HANDS": "SITEHAND", "GENITALIA": "SITEGEN"}
SITE_ROWS = ("GENITALIA", "HANDS", "HANDS+GENITALIA", "FACE", "FACE+GENITALIA",
             "FACE+HANDS", "FACE+HANDS+GENITALIA")
COMORBIDITIES = ("COMORBFL", "RHINFL", "CONJFL", "ASTHFL", "FOODFL")
PRIOR = ("PCYCLOFL", "PSCSFL", "PPHOTOFL", "PMTXFL", "PALITRFL", "PAZAFL")


def _flag(subjects: pd.DataFrame, column: str, code=None) -> pd.Series:
    if column not in subjects:
        return pd.Series(float("nan"), index=subjects.index)
    return yn(subjects[column]) if code is None else equals(subjects[column], code)


def flow(ctx: Context) -> None:
    b, subj = ctx.builder, ctx.subjects
    n_all = len(subj)
    b.add("flow", "count", n_all, variable="ENROLLED", group="all", n=n_all, method=COUNT_METHOD)
    in_eval = pd.Series(ctx.in_evaluable(), index=subj.index)
    evaluable, excluded = in_eval.astype(float), (~in_eval).astype(float)
    add_frequencies(ctx, "flow", frequencies({"EVALUABLE": evaluable, "EXCLUDED": excluded},
                                             {"all": pd.Series(True, index=subj.index)}),
                    COUNT_METHOD, ctx.params("evaluable_rule"))
    if "EVALRSN" in subj:
        reasons = subj.loc[excluded == 1, "EVALRSN"].fillna("NOT STATED").astype(str).str.upper()
        for reason in sorted(reasons.unique()):
            cp = count_percent(int((reasons == reason).sum()), n_all)
            b.add("flow", "count", cp["count"], variable="EXCLUDED", group=f"EVALRSN={reason}",
                  n=n_all, method=COUNT_METHOD)
    for paramcd in ("EASI", "PNRS", "SNRS", "DLQI"):
        if ctx.has_param(paramcd):
            wide = ctx.scores(paramcd)
            for visit in ctx.visits:
                b.add("flow", "n", int(wide[visit].notna().sum()), variable=paramcd, group="all",
                      visit=visit, method="patients with a value at the visit")
    if ctx.topicals is not None:
        codes = ctx.topical_codes()
        for visit in ctx.visits:
            b.add("flow", "n", int(codes[visit].notna().sum()), variable="TOPICAL", group="all",
                  visit=visit, method="evaluable patients with a topical-therapy record at the visit")
    ctx.done("flow")


def demographics(ctx: Context) -> None:
    subj = ctx.subjects
    everyone = {"all": pd.Series(True, index=subj.index)}
    sex = {f"SEX={s}": equals(subj["SEX"], s) for s in ("M", "F")}
    add_frequencies(ctx, "demographics", frequencies(sex, everyone), COUNT_METHOD)
    for column in ("AGECUR", "AGEDIAG", "AGE"):
        if column in subj:
            wide = subj[[column]].astype(float).rename(columns={column: ""})
            summ = summaries(wide, column)
            add_summaries(ctx, "demographics", summ, SUMMARY_METHOD)
        else:
            ctx.skip(f"demographics:{column}", f"subjects has no {column} column")
    ctx.done("demographics")


def table1(ctx: Context) -> None:
    subj = ctx.subjects
    groups = {"SEX=M": subj["SEX"] == "M", "SEX=F": subj["SEX"] == "F",
              "all": pd.Series(True, index=subj.index)}
    flags = {var: _flag(subj, col, code) for var, (col, code) in TABLE1_ROWS.items()}
    if all(c in subj for c in SITES.values()):
        # categorical: each of the seven tests below then compares codes, not text
        combo = combination({k: yn(subj[c]) for k, c in SITES.items()}).astype("category")
        for row in SITE_ROWS:
            flags[f"SITES={row}"] = equals(combo, row)
    else:
        ctx.skip("table1:SITES", "subjects lacks SITEFACE/SITEHAND/SITEGEN")
    denominator = ctx.options["table1_denominator"]
    params = ctx.params("table1_denominator")
    method = ("count and percent of every patient in the column (missing = not present)"
              if denominator == "group" else "count and percent of the column's patients with the item recorded")
    for grp, mask in groups.items():
        ctx.builder.add("table1", "n", int(mask.sum()), variable="SUBJECTS", group=grp,
                        method="patients in the column")
    add_frequencies(ctx, "table1", frequencies(flags, groups, denominator=denominator), method, params)
    ctx.done("table1")


def _flag_block(ctx: Context, analysis: str, columns) -> None:
    subj = ctx.subjects
    present = [c for c in columns if c in subj]
    for c in set(columns) - set(present):
        ctx.skip(f"{analysis}:{c}", f"subjects has no {c} column")
    if not present:
        ctx.skip(analysis, "no column of this block in subjects")
        return
    flags = {f"{c}=Y": yn(subj[c]) for c in present}
    denominator = ctx.options["table1_denominator"]
    add_frequencies(ctx, analysis, frequencies(flags, {"all": pd.Series(True, index=subj.index)},
                                               denominator=denominator),
                    COUNT_METHOD, ctx.params("table1_denominator"))
    ctx.done(analysis)


def comorbidities(ctx: Context) -> None:
    _flag_block(ctx, "comorbidities", COMORBIDITIES)


def prior_treatments(ctx: Context) -> None:
    _flag_block(ctx, "prior_treatments", PRIOR)


def tacrolimus_at_baseline(ctx: Context) -> pd.Series:
    """TACBL indicator (1.0/0.0/NaN) over the evaluable patients, per option."""
    codes = ctx.topical_codes()["BASELINE"]
    wanted = {"TAC": ("TAC",), "TAC_OR_BOTH": ("TAC", "BOTH")}[ctx.options["tacbl_definition"]]
    return uses(codes, wanted)
