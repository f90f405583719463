"""Ferrucci et al. 2022: topical tacrolimus during dupilumab for severe atopic dermatitis.

Ferrucci SM, Angileri L, Marzano AV, Berti E, Tavecchio S. Eur Rev Med Pharmacol Sci
2022;26(7):2518-2523. This module chooses populations and options and calls
``analysis.derive`` / ``analysis.stats``; the blocks live in ``ferrucci2022_*.py``.

Populations
-----------
- Enrolled: every row of ``subjects``. Baseline description, scores by visit.
- Evaluable: ``EVALFL == "Y"`` (every patient when the column is absent). Every
  topical-therapy block: Table II, tacrolimus use, time to tacrolimus, Cox,
  baseline-tacrolimus comparisons, late starts.

ARD blocks (``analysis`` column)
--------------------------------
flow, demographics, table1, comorbidities, prior_treatments, easi_by_visit,
easi_rm_anova, easi_mixed, easi_paired_t, nrs_by_visit, nrs_change_test,
nrs_responders, dlqi_by_visit, dlqi_change_test, table2, table2_mcnemar,
tacrolimus_use, tac_time_to_start, tac_km, cox_tacrolimus_start, cox_ph_check,
tac_start_by_generalized, tacbl_vs_others, easi_lt7_w4_by_tacbl,
easi_bands_w4_by_tacbl, late_tac_start, availability (1 = block produced, 0 = not,
with the reason in ``method``), notes (tests the data could not support).

Example
-------
>>> from analysis.studies import ferrucci2022
>>> sorted(ferrucci2022.DEFAULT_OPTIONS)[:3]
['change_test', 'dlqi_low_cut', 'easi_low_cut']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.derive.changes import visit_number
from analysis.errors import InputError, Problem
from analysis.results.ard import ArdBuilder
from analysis.studies import ferrucci2022_baseline as base
from analysis.studies import ferrucci2022_scores as scores
from analysis.studies import ferrucci2022_topicals as tops
from analysis.studies.ferrucci2022_common import Context

STUDY_ID = "ferrucci2022"
TITLE = "Topical tacrolimus during systemic therapy for severe atopic dermatitis in the clinical practice"
REQUIRED_TABLES = ("subjects", "measurements")
OPTIONAL_TABLES = ("topicals", "tte")
OPTIONAL_PARAMS = {
    "EASI": ("easi_by_visit", "easi_rm_anova", "easi_paired_t", "easi_lt7_w4_by_tacbl"),
    "PNRS": ("nrs_by_visit", "nrs_change_test", "nrs_responders"),
    "SNRS": ("nrs_by_visit", "nrs_change_test", "nrs_responders"),
    "DLQI": ("dlqi_by_visit", "dlqi_change_test", "cox_tacrolimus_start", "tacbl_vs_others"),
}

# Option -> (default, allowed values or None for free, what it decides).
OPTIONS = {
    "visits": (["BASELINE", "WEEK 4", "WEEK 16", "WEEK 52"], None,
               "visits analysed, baseline first; the last is the end point (week 52)"),
    "evaluable_rule": ("EVALFL", ("EVALFL",), "topical-therapy population: EVALFL == 'Y'"),
    "table1_denominator": ("group", ("group", "classified"),
                           "Table I, comorbidity and prior-treatment percents over every patient "
                           "of the column ('group') or over those with the item recorded"),
    "easi_severe_cut": (21.0, None, "EASI > cut counts as severe or very severe"),
    "rm_anova": (True, (True, False), "repeated-measures ANOVA of EASI over complete cases"),
    "mixed_model": (True, (True, False), "random-intercept model of EASI over all values"),
    "change_test": ("paired_t", ("paired_t", "wilcoxon"),
                    "baseline vs week 52 test of itch NRS, sleep NRS and DLQI"),
    "responder_points": (4.0, None, "NRS responder: reduction of at least this many points"),
    "dlqi_low_cut": (10.0, None, "DLQI < cut"),
    "mcnemar_variant": ("exact", ("exact", "midp", "chi2", "chi2_cc"), "Table II McNemar variant"),
    "tacbl_definition": ("TAC_OR_BOTH", ("TAC", "TAC_OR_BOTH"),
                         "baseline tacrolimus user: tacrolimus alone, or alone or with corticosteroids"),
    "tte_baseline_users": ("include", ("include", "exclude"),
                           "time to tacrolimus: baseline users kept (event at day 0 when derived "
                           "from visits) or left out"),
    "time_unit": ("months", ("days", "weeks", "months", "years"), "unit of the KM times"),
    "rmst_tau": (None, None, "restriction time of the restricted mean (None = largest time)"),
    "generalized_test": ("cox", ("cox", "chi2", "chi2_yates", "fisher"),
                         "test of tacrolimus start by non-generalized vs generalized AD"),
    "tacbl_sex_test": ("chi2", ("chi2", "chi2_yates", "fisher", "ztest"),
                       "female sex by baseline tacrolimus use"),
    "tacbl_dlqi_test": ("student_t", ("student_t", "welch_t", "mann_whitney", "chi2_low"),
                        "baseline DLQI by baseline tacrolimus use (chi2_low: DLQI < cut, 2x2)"),
    "easi_low_cut": (7.0, None, "low EASI threshold at week 4"),
    "easi_low_rule": ("<", ("<", "<="), "EASI below (or at most) the cut"),
    "two_by_two_test": ("chi2", ("chi2", "chi2_yates", "fisher", "ztest"),
                        "EASI < 7 at week 4 by baseline tacrolimus use"),
    "late_start_weeks": ([4, 16], None, "start of tacrolimus after these weeks"),
    "late_start_population": ("naive", ("naive", "all"),
                              "at risk of a late start: no tacrolimus up to week k ('naive') or "
                              "everyone followed after week k ('all', earlier users count as no)"),
    "late_start_model": ("multivariable", ("multivariable", "univariable"),
                         "relapsing course and age in one logistic model or one each"),
}
DEFAULT_OPTIONS = {k: v[0] for k, v in OPTIONS.items()}

BLOCKS = (
    ("flow", base.flow, ()), ("demographics", base.demographics, ()),
    ("table1", base.table1, ()), ("comorbidities", base.comorbidities, ()),
    ("prior_treatments", base.prior_treatments, ()),
    ("easi", scores.easi, ()), ("nrs", scores.nrs, ()), ("dlqi", scores.dlqi, ()),
    ("table2", tops.table2, ("topicals",)),
    ("tac_time_to_start", tops.time_to_tacrolimus, ()),
    ("cox_tacrolimus_start", tops.cox_models, ()),
    ("tacbl_vs_others", tops.tacbl_comparisons, ("topicals",)),
    ("easi_lt7_w4_by_tacbl", tops.easi_week4_by_tacbl, ("topicals",)),
    ("late_tac_start", tops.late_tacrolimus_start, ("topicals",)),
)
TOPICAL_BLOCKS = ("table2", "table2_mcnemar", "tacrolimus_use", "tacbl_vs_others",
                  "easi_lt7_w4_by_tacbl", "easi_bands_w4_by_tacbl", "late_tac_start")


def resolve_options(options: dict | None) -> dict:
    """Defaults overlaid with ``options``; unknown names or values are refused."""
    problems = []
    out = dict(DEFAULT_OPTIONS)
    for key, val in (options or {}).items():
        if key not in OPTIONS:
            problems.append(Problem("option", f"unknown option {key!r} for {STUDY_ID}", value=key))
            continue
        allowed = OPTIONS[key][1]
        if allowed is not None and val not in allowed:
            problems.append(Problem("option", f"option {key} must be one of {list(allowed)}", value=val))
            continue
        out[key] = val
    if out["visits"][0] != "BASELINE":
        problems.append(Problem("option", "the first visit must be BASELINE", value=out["visits"]))
    if problems:
        raise InputError(problems)
    return out


def prepare(dataset, options: dict | None = None) -> Context:
    opts = resolve_options(options)
    table = _text_ids(dataset["subjects"])
    # the reshaping needs these two id columns' codes anyway: they also tell text apart
    meas = _text_ids(dataset["measurements"], dataset.factorized("measurements", "USUBJID"))
    topicals = (_text_ids(dataset["topicals"], dataset.factorized("topicals", "USUBJID"))
                if "topicals" in dataset else None)
    tte = _text_ids(dataset["tte"]) if "tte" in dataset else None
    visits = list(opts["visits"])
    weeks = visit_number(pd.Series(visits)).tolist()
    ctx = Context(ArdBuilder(STUDY_ID), opts, table, meas, topicals, tte, table.index, visits,
                  dict(zip(visits, (int(w) for w in weeks))), dataset=dataset)
    # tables whose ids were rewritten as text: the reader's id codes do not describe them
    ctx._cache["rewritten_ids"] = {name for name, frame in (
        ("subjects", table), ("measurements", meas), ("topicals", topicals), ("tte", tte))
        if name in dataset and frame is not dataset[name]}
    ctx.subjects = subjects = _subjects_frame(ctx, table)
    evalfl = (subjects["EVALFL"] == "Y").to_numpy() if "EVALFL" in subjects else None
    ctx.evaluable = subjects.index if evalfl is None else subjects.index[evalfl]
    if "EVALFL" not in subjects:
        ctx.skip("evaluable_rule", "subjects has no EVALFL: every patient counted as evaluable")
    ctx._cache["evalfl"] = evalfl
    return ctx


# Subject columns the blocks only compare with codes (yn, equals, ==): held as
# categoricals over the dataset's codes, so each test is decided once per value.
CODED_SUBJECT_COLUMNS = ("SEX", "EVALFL", "GENERFL", "COURSE", *base.SITES.values(),
                         *(c for c, _ in base.TABLE1_ROWS.values()), *base.COMORBIDITIES,
                         *base.PRIOR)


def _subjects_frame(ctx: Context, table: pd.DataFrame) -> pd.DataFrame:
    """``table.set_index("USUBJID", drop=False)`` with the code columns as categoricals.

    Assembled column by column: ``set_index`` copies and re-blocks every column
    (~1.5 s at a million patients) only for most of them to be replaced.
    """
    coded = set(CODED_SUBJECT_COLUMNS)
    if not table.columns.is_unique:
        frame = table.set_index("USUBJID", drop=False)
        frame.index.name = "USUBJID"
        columns = frame.columns
    else:
        frame, columns = None, table.columns
    data = {}
    for column in columns:
        values = table[column]
        if column in coded and values.dtype == object:
            codes, uniques = ctx.text_codes("subjects", column)
            data[column] = pd.Categorical.from_codes(np.asarray(codes, dtype=np.int64),
                                                     categories=pd.Index(uniques, dtype=object))
        elif frame is None:
            data[column] = values.array
    if frame is not None:
        for column, values in data.items():
            frame[column] = values
        return frame
    index = pd.Index(table["USUBJID"].array, name="USUBJID")
    return pd.DataFrame(data, index=index, columns=columns)


def _text_ids(table: pd.DataFrame, codes: tuple | None = None) -> pd.DataFrame:
    """``table`` with USUBJID as text; the table itself (no copy) when it already is.

    The blocks only read these tables; copying ~14 million measurement rows to
    rewrite ids that are already text cost seconds at a million patients. ``codes``:
    the reader's codes of the column (text cells only), which answer without a scan.
    """
    ids = table["USUBJID"]
    if ids.dtype == object:
        if codes is not None and len(codes[0]) == len(ids):
            if len(ids) and np.asarray(codes[0]).min() >= 0:  # every cell text, none missing
                return table
        elif pd.api.types.infer_dtype(ids, skipna=False) == "string":
            return table
    table = table.copy()
    table["USUBJID"] = ids.astype(str)
    return table


def run(dataset, options: dict | None = None) -> pd.DataFrame:
    """Every analysis of the paper on ``dataset``; returns the ARD.

    Parameters
    ----------
    dataset : analysis.io.dataset.Dataset
        Valid under the data contract (``subjects`` and ``measurements`` required).
    options : dict, optional
        Overrides of :data:`DEFAULT_OPTIONS` (see :data:`OPTIONS`); every block
        records the options it used in the ARD ``params`` column.
    """
    ctx = prepare(dataset, options)
    for name, block, needs in BLOCKS:
        missing = [t for t in needs if getattr(ctx, t) is None]
        if missing:
            ctx.skip(name, f"dataset has no {', '.join(missing)} table")
            continue
        block(ctx)
    if ctx.topicals is None:
        for name in TOPICAL_BLOCKS:
            ctx.skip(name, "dataset has no topicals table")
    for name, reason in sorted(ctx.available.items()):
        ctx.builder.add("availability", "available", 0.0 if reason else 1.0, variable=name,
                        method=reason or "produced")
    ctx.builder.add("availability", "options", None, variable="ALL",
                    method="options of this run (params)", params=ctx.options)
    return ctx.builder.frame()


def figures(ard: pd.DataFrame, dataset, out_dir) -> list:
    """Every figure of the study from the ARD (see :mod:`analysis.report.ferrucci2022`)."""
    from analysis.report.ferrucci2022 import figures as make

    return make(ard, dataset, out_dir)
