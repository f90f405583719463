"""Matsutani et al. 2021 (J Dermatol, doi:10.1111/1346-8138.16039): every analysis.

Tacrolimus ointment with dupilumab in atopic dermatitis, one Japanese centre. The
analysed group is the patients who used tacrolimus ointment alone on the head and
neck (``subjects.TACGRP == "TAC_ONLY"``). Blocks, each written to the ARD:

========================================  =============================================
ARD ``analysis``                          what
========================================  =============================================
``patient_flow``                          starters, tacrolimus users, TAC_TCS/TAC_ONLY, analysed
``ointment_strength_{ever,first,last}``   0.1 % / 0.03 % users and switches, per counting rule
``measures_by_visit``                     IGA, EASI, EASIHN, POEM, TARC: n, mean, SD, median, IQR
``pct_reduction_of_means``                reduction of the group mean from baseline, per visit
``improvement_rate``                      per-patient % reduction (mean, SD, median, IQR; undefined count)
``wilcoxon_signed_rank``, ``paired_t``    baseline vs each later visit
``improvement_correlation_{pearson,spearman}``  EASIHN vs EASI improvement rates at the endpoint
``adverse_events``                        conjunctivitis, herpes simplex: n (%) in analysed and TAC_TCS
``study_options``, ``run_notes``          choices made, blocks skipped and why
========================================  =============================================

This module chooses populations and options and calls ``analysis.derive`` and
``analysis.stats``; it does no arithmetic of its own.

Examples
--------
>>> from analysis.studies import matsutani2021 as m
>>> sorted(m.DEFAULT_OPTIONS)[:3]
['analysed_group', 'comparison_group', 'correlation_headline']
"""

from __future__ import annotations

import weakref

import numpy as np
import pandas as pd

from analysis.derive.changes import BASELINE, visit_number
from analysis.derive.patients import PatientValues, in_patients
from analysis.derive.reduction import (
    IMPROVEMENT_RATE, REDUCTION_OF_MEANS, improvement_rate, reduction_of_means,
)
from analysis.derive.strength import (
    RULE_TEXT, RULES, strength_history, strength_label, switched, uses_strength,
)
from analysis.errors import InputError, Problem
from analysis.io.dataset import Dataset
from analysis.results.ard import ArdBuilder
from analysis.schema.contract import TACGRP_CODES, TACROLIMUS_STRENGTHS
from analysis.stats import correlation, describe, paired
from analysis.stats._checks import StatsInputError

STUDY_ID = "matsutani2021"
TITLE = ("Tacrolimus ointment combined with dupilumab for atopic dermatitis in real-world "
         "practice (Matsutani et al. 2021)")
REQUIRED_TABLES = ("subjects", "measurements")
OPTIONAL_TABLES = ("topicals", "events")
PARAMS = ("IGA", "EASI", "EASIHN", "POEM", "TARC")
OPTIONAL_PARAMS = {
    p: ("measures_by_visit", "pct_reduction_of_means", "improvement_rate",
        "wilcoxon_signed_rank", "paired_t") for p in PARAMS
}
CORRELATION_PAIR = ("EASIHN", "EASI")

DEFAULT_OPTIONS = {
    "analysed_group": "TAC_ONLY",
    "comparison_group": "TAC_TCS",
    "endpoint_visit": "WEEK 16",
    # "ever" is the only rule under which 75 % on 0.1 % and 6 on 0.03 % (with one
    # 0.03 -> 0.1 switcher) hold together in 20 patients; all three rules are computed.
    "strength_counting": "ever",
    # The paper prints one "% reduction" per measure without its formula. The
    # reduction of the group mean is taken as the headline: a 93.6 % fall of TARC is
    # plausible for a ratio of means dominated by a few very high baselines, but not
    # as the average of 20 per-patient falls; it is also defined when a patient's
    # baseline is 0 (head/neck EASI), which a per-patient mean is not. Both are computed.
    "headline_reduction": "reduction_of_means",
    "correlation_headline": "pearson",
    "wilcoxon_zero_method": "wilcox",
    # exact (conditional on tied mid-ranks) up to this many pairs, normal approx above
    "wilcoxon_exact_max_n": 50,
    "wilcoxon_correction": False,
    "events": ("CONJUNCTIVITIS", "HERPES SIMPLEX"),
}
_CHOICES = {
    "analysed_group": TACGRP_CODES, "comparison_group": TACGRP_CODES,
    "strength_counting": RULES,
    "headline_reduction": ("reduction_of_means", "mean_of_improvement_rates"),
    "correlation_headline": ("pearson", "spearman"),
    "wilcoxon_zero_method": tuple(paired.ZERO_METHODS),
}


def _options(options: dict | None) -> dict:
    opts = dict(DEFAULT_OPTIONS)
    problems = []
    for key, val in (options or {}).items():
        if key not in DEFAULT_OPTIONS:
            problems.append(Problem("option", f"unknown option for {STUDY_ID}", column=key, value=val))
        elif key in _CHOICES and val not in _CHOICES[key]:
            problems.append(Problem("option", f"must be one of {_CHOICES[key]}", column=key, value=val))
        else:
            opts[key] = val
    if problems:
        raise InputError(problems, summary=f"{len(problems)} invalid study option(s)")
    return opts


def _grp(code: str) -> str:
    return f"TACGRP={code}"


def _note(b: ArdBuilder, block: str, message: str) -> None:
    b.add("run_notes", "skipped", 1, variable=block, method=message)


def _count_pct(b, analysis, variable, group, count, n, method, params=None):
    cp = describe.count_percent(count, n)
    _add_defined(b, analysis, cp, dict(variable=variable, group=group), n=n, method=method,
                 params=params)


def _add_defined(b, analysis, stats: dict, coords: dict, **kw):
    """Add the statistics that are defined; name the undefined ones in ``run_notes``
    (an SD of one value, a percent of nobody), so the ARD never holds a bare NaN."""
    undefined = sorted(k for k, v in stats.items() if v != v)
    for k, v in stats.items():
        if v == v:
            b.add(analysis, k, v, **coords, **kw)
    if undefined:
        b.add("run_notes", f"undefined:{analysis}", len(undefined), **coords,
              method=f"{analysis}: {', '.join(undefined)} undefined (n = {stats.get('n', kw.get('n'))})")


def run(dataset: Dataset, options: dict | None = None) -> pd.DataFrame:
    """Every analysis of the paper on ``dataset``; returns the ARD.

    Parameters
    ----------
    dataset : Dataset
        Contract tables; ``subjects`` and ``measurements`` required, ``topicals`` and
        ``events`` optional (their blocks are skipped, with a ``run_notes`` row).
    options : dict, optional
        Overrides of :data:`DEFAULT_OPTIONS` (unknown keys or values: InputError).
    """
    opts = _options(options)
    missing = [t for t in REQUIRED_TABLES if t not in dataset]
    if missing:
        raise InputError([Problem("required-table", f"{STUDY_ID} needs table {t!r}", file=t)
                          for t in missing])
    b = ArdBuilder(STUDY_ID)
    for key in sorted(opts):
        val = opts[key]
        shown = ",".join(val) if isinstance(val, tuple) else val
        b.add("study_options", "chosen", 1, variable=f"{key}={shown}",
              params={key: list(val) if isinstance(val, tuple) else val})
    subjects = dataset["subjects"]
    has_grp = "TACGRP" in subjects
    _flow(b, subjects, opts, has_grp, dataset.factorized("subjects", "USUBJID"))
    if has_grp:
        group = _grp(opts["analysed_group"])
        analysed = subjects.loc[subjects["TACGRP"] == opts["analysed_group"], "USUBJID"]
    else:
        group = "all"
        analysed = subjects["USUBJID"]
        _note(b, "TACGRP", "subjects has no TACGRP column: every patient is analysed, "
                           "comparison-group blocks skipped")
    analysed = pd.Index(sorted(analysed.astype(str).unique()))
    _strength(b, dataset, analysed, group, opts)
    values = analysed_values(dataset, analysed)
    for param in PARAMS:
        if not values.visits(param):
            _note(b, param, f"no {param} values in the analysed group: its blocks are skipped")
            continue
        _measure(b, values, param, group, opts)
    _correlation(b, values, group, opts)
    _adverse_events(b, dataset, subjects, group, analysed, opts, has_grp)
    return b.frame()


_LAST: list = []


def analysed_values(dataset: Dataset, analysed: pd.Index) -> PatientValues:
    """The analysed patients' measurements by parameter and visit (ids as text).

    The last answer is kept (one entry) and given again for the same measurements
    table and patients: the figures drawn after a run ask for it too, and coding a
    million patients' rows takes about a second.
    """
    meas = dataset["measurements"]
    if _LAST and _LAST[0]() is meas and _LAST[1].equals(analysed):
        return _LAST[2]
    rows = np.flatnonzero(in_patients(meas["USUBJID"], analysed,
                                      dataset.factorized("measurements", "USUBJID")))
    codes = {c: dataset.factorized("measurements", c) for c in ("PARAMCD", "AVISIT", "USUBJID")}
    values = PatientValues(meas, analysed, PARAMS, rows=rows, text_ids=True, codes=codes)
    # a weak reference: the kept coding goes when the table does
    _LAST[:] = [weakref.ref(meas, lambda _: _LAST.clear()), analysed, values]
    return values


def _flow(b, subjects, opts, has_grp, id_codes=None):
    a = "patient_flow"
    if id_codes is not None and (np.asarray(id_codes[0]) >= 0).all():
        # distinct ids from the reader's codes (every id is text: astype(str) is a no-op)
        n_all = int((np.bincount(id_codes[0], minlength=len(id_codes[1])) > 0).sum())
    else:
        n_all = int(subjects["USUBJID"].astype(str).nunique())
    b.add(a, "count", n_all, variable="STARTERS", group="all", n=n_all,
          method="patients in subjects (dupilumab starters)")
    if not has_grp:
        b.add(a, "count", n_all, variable="ANALYSED", group="all", n=n_all,
              method="every patient (no TACGRP column)")
        return
    grp = subjects["TACGRP"]
    counts = grp.value_counts(dropna=True)  # one pass over a million rows, not one per code

    def count(code):
        return int(counts.get(code, 0))

    users = count("TAC_TCS") + count("TAC_ONLY")
    _count_pct(b, a, "TACROLIMUS", "all", users, n_all,
               "tacrolimus ointment users (TACGRP TAC_TCS or TAC_ONLY), % of starters")
    _count_pct(b, a, _grp("NONE"), "all", count("NONE"), n_all,
               "no tacrolimus ointment, % of starters")
    for code in ("TAC_TCS", "TAC_ONLY"):
        _count_pct(b, a, _grp(code), "all", count(code), users,
                   f"TACGRP {code}, % of tacrolimus users")
    if grp.isna().any():
        _count_pct(b, a, "TACGRP=NOT RECORDED", "all", int(grp.isna().sum()), n_all,
                   "TACGRP blank, % of starters")
        _note(b, "patient_flow", f"{int(grp.isna().sum())} patient(s) without TACGRP: "
                                 "counted as not recorded, in no group")
    n_an = count(opts["analysed_group"])
    b.add(a, "count", n_an, variable="ANALYSED", group="all", n=n_an,
          method=f"analysed group: TACGRP {opts['analysed_group']}",
          params={"analysed_group": opts["analysed_group"]})


def _strength(b, dataset, analysed, group, opts):
    if "topicals" not in dataset or "TACSTR" not in dataset["topicals"]:
        _note(b, "ointment_strength", "no topicals table with TACSTR: ointment strength skipped")
        return
    top = dataset["topicals"]
    top = top[in_patients(top["USUBJID"], analysed,
                          dataset.factorized("topicals", "USUBJID"))].assign(
        USUBJID=lambda d: d["USUBJID"].astype(str))
    hist = strength_history(top)
    n = len(analysed)
    labels = [strength_label(s) for s in TACROLIMUS_STRENGTHS]
    seen = {lab for seq in hist["TACSTRSEQ"].unique() for lab in seq.split("->")}
    labels += sorted(seen - set(labels))
    for rule in RULES:
        a = f"ointment_strength_{rule}"
        params = {"counting": rule, "headline": rule == opts["strength_counting"]}
        for lab in labels:
            _count_pct(b, a, f"TACSTR={lab}", group, int(uses_strength(hist, lab, rule).sum()), n,
                       f"patients by tacrolimus strength: {RULE_TEXT[rule]}; % of analysed group",
                       params)
        _count_pct(b, a, "TACSTR=NOT RECORDED", group, n - len(hist), n,
                   "analysed patients with no tacrolimus strength recorded", params)
        _count_pct(b, a, "SWITCH", group, int((hist["NSWITCH"] > 0).sum()), n,
                   "patients whose strength changed at least once", params)
        for x in labels:
            for y in labels:
                if x != y:
                    _count_pct(b, a, f"SWITCH={x}->{y}", group, int(switched(hist, x, y).sum()), n,
                               f"patients with a change from {x} % to {y} %", params)


def _visits(values: PatientValues, param: str) -> list[str]:
    visits = pd.Series(values.visits(param), dtype=object)
    order = visit_number(visits)
    return list(visits.iloc[order.argsort(kind="mergesort")])


def _measure(b, values, param, group, opts):
    visits = _visits(values, param)
    wide = values.wide("AVAL", param)
    for visit in visits:
        s = describe.summarize(wide[visit].to_numpy())
        _add_defined(b, "measures_by_visit", s, dict(variable=param, group=group, visit=visit),
                     n=s["n"], method=describe.SUMMARY_METHOD
                     + "; n_missing = analysed patients without a value")
    if BASELINE not in visits:
        _note(b, param, f"no BASELINE {param}: changes from baseline skipped")
        return
    for visit in visits:
        if visit == BASELINE:
            continue
        contrast = f"{visit} vs {BASELINE}"
        coords = dict(variable=param, group=group, visit=contrast)
        r = reduction_of_means(wide[BASELINE].to_numpy(), wide[visit].to_numpy())
        _add_defined(b, "pct_reduction_of_means", r, coords, n=r["n"], method=REDUCTION_OF_MEANS,
                     params={"headline": opts["headline_reduction"] == "reduction_of_means"})
        imp, flag = improvement_rate(wide[BASELINE].to_numpy(), wide[visit].to_numpy())
        at_visit = wide[visit].notna().to_numpy()
        s = describe.summarize(imp[at_visit])
        s.pop("n_missing")
        s["n_undefined_base0"] = int((flag[at_visit] == "BASE=0").sum())
        s["n_no_baseline"] = int((flag[at_visit] == "NO BASE").sum())
        _add_defined(b, "improvement_rate", s, coords, n=s["n"], method=IMPROVEMENT_RATE,
                     params={"headline": opts["headline_reduction"] == "mean_of_improvement_rates"})
        if s["n_undefined_base0"]:
            b.add("run_notes", "undefined_improvement_rate", s["n_undefined_base0"],
                  variable=param, group=group, visit=contrast,
                  method=f"{s['n_undefined_base0']} patient(s) with baseline {param} = 0: "
                         "per-patient % change undefined, left out of improvement_rate")
        _paired_tests(b, wide[BASELINE].to_numpy(), wide[visit].to_numpy(), coords, opts)


def _paired_tests(b, base, post, coords, opts):
    pairs = int((pd.notna(base) & pd.notna(post)).sum())
    method = "exact" if pairs <= opts["wilcoxon_exact_max_n"] else "approx"
    runs = (
        ("wilcoxon_signed_rank", lambda: paired.wilcoxon_signed_rank(
            base, post, zero_method=opts["wilcoxon_zero_method"], method=method,
            correction=opts["wilcoxon_correction"])),
        ("paired_t", lambda: paired.paired_t(base, post)),
    )
    for analysis, call in runs:
        try:
            b.add_test(analysis, call(), **coords)
        except StatsInputError as err:
            b.add("run_notes", f"skipped:{analysis}", 1, **coords, method=f"{analysis}: {err.summary}")


def endpoint_rates(values: PatientValues, visit: str) -> pd.DataFrame | None:
    """Improvement rates (``IMPRATE``) and flags (``PCHGFL``) of the correlation pair at
    ``visit``, one row per analysed patient with a row of either measure there, in id
    order; None when the two are not both measured at ``visit``."""
    present = {p: values.has_row(p, visit) for p in CORRELATION_PAIR}
    if not all(has.any() for has in present.values()):
        return None
    keep = (present[CORRELATION_PAIR[0]] | present[CORRELATION_PAIR[1]]).to_numpy()
    out = {}
    for p in CORRELATION_PAIR:
        wide = values.wide("AVAL", p)
        post = wide[visit].to_numpy()[keep]
        base = (wide[BASELINE].to_numpy()[keep] if BASELINE in wide
                else np.full(post.size, np.nan))
        rate, flag = improvement_rate(base, post)
        has = present[p].to_numpy()[keep]  # no row: no flag, as a pivot leaves it
        out[("IMPRATE", p)] = rate  # no row: no value, so the rate is NaN already
        out[("PCHGFL", p)] = np.where(has, flag, np.nan)
    return pd.DataFrame(out, index=values.patients[keep])


def _correlation(b, values, group, opts):
    hn, overall = CORRELATION_PAIR
    visit = opts["endpoint_visit"]
    rates = endpoint_rates(values, visit)
    if rates is None:
        _note(b, "improvement_correlation",
              f"{hn} and {overall} are not both measured at {visit}: correlation skipped")
        return
    imp, flag = rates["IMPRATE"], rates["PCHGFL"]
    undefined = int(((flag[hn] == "BASE=0") | (flag[overall] == "BASE=0")).sum())
    coords = dict(variable=f"{hn} vs {overall}", group=group, visit=f"{visit} vs {BASELINE}")
    for name, fn in (("pearson", correlation.pearson), ("spearman", correlation.spearman)):
        a = f"improvement_correlation_{name}"
        try:
            b.add_test(a, fn(imp[hn].to_numpy(), imp[overall].to_numpy()), **coords)
        except StatsInputError as err:
            b.add("run_notes", f"skipped:{a}", 1, method=f"{a}: {err.summary}", **coords)
            continue
        b.add(a, "n_excluded_base0", undefined, n=len(imp), **coords,
              method="patients left out: baseline of either measure = 0 (improvement rate undefined)",
              params={"headline": opts["correlation_headline"] == name})


def _adverse_events(b, dataset, subjects, group, analysed, opts, has_grp):
    if "events" not in dataset:
        _note(b, "adverse_events", "no events table: adverse events skipped")
        return
    ev = dataset["events"]
    codes, names = pd.factorize(ev["AEDECOD"].astype(str))  # clean each distinct term once
    terms = pd.Index(names, dtype=object).str.strip().str.upper().to_numpy()[codes]
    pops = [(group, analysed)]
    if has_grp:
        comp = opts["comparison_group"]
        pops.append((_grp(comp), pd.Index(subjects.loc[subjects["TACGRP"] == comp, "USUBJID"]
                                          .astype(str).unique())))
    ev_ids = ev["USUBJID"].astype(str).to_numpy()
    id_codes = dataset.factorized("events", "USUBJID")
    for label, ids in pops:
        n = len(ids)
        b.add("adverse_events", "n", n, group=label, n=n, method="patients in the group")
        member = in_patients(ev["USUBJID"], ids, id_codes)
        for term in opts["events"]:
            who = len(pd.unique(ev_ids[member & (terms == term)]))  # patients, not events
            _count_pct(b, "adverse_events", f"AEDECOD={term}", label, who, n,
                       f"patients with at least one {term.lower()} event, % of the group")


def figures(ard: pd.DataFrame, dataset: Dataset, out_dir) -> list:
    """Flow diagram, baseline vs endpoint per measure, improvement rates (PNG files)."""
    from analysis.report import matsutani2021 as report  # drawing lives in the report layer

    return report.figures(ard, dataset, out_dir)
