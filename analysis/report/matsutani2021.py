"""Matsutani 2021: Markdown tables and figures, every number drawn from the ARD.

Tables are pipe-format Markdown (tabulate). The figures are drawn in
:mod:`analysis.report.matsutani2021_figures` (PNG with fixed metadata, so the same ARD
and dataset give byte-identical files).

Examples
--------
>>> from analysis.report import matsutani2021 as rep
>>> rep.PARAM_LABELS["EASIHN"]
'Head/neck EASI'
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from tabulate import tabulate

from analysis.report.format import fmt_num, fmt_p
from analysis.report.suppress import cell, is_masked, row_n
from analysis.results.ard import select

PARAMS = ("IGA", "EASI", "EASIHN", "POEM", "TARC")
PARAM_LABELS = {"IGA": "IGA", "EASI": "EASI", "EASIHN": "Head/neck EASI", "POEM": "POEM",
                "TARC": "TARC (pg/mL)"}
DECIMALS = {"IGA": 1, "EASI": 1, "EASIHN": 2, "POEM": 1, "TARC": 0}


def _get(ard, **c):
    return cell(ard, **c)


def suppression_sums(ard: pd.DataFrame) -> list:
    """Sums across the flow counts a reader can form (for :mod:`analysis.report.suppress`):
    starters = no tacrolimus + tacrolimus users; users = with TCS + alone."""
    f = dict(analysis="patient_flow", group="all", statistic="count")
    return [(dict(f, variable="STARTERS"), [dict(f, variable="TACGRP=NONE"),
                                            dict(f, variable="TACROLIMUS")]),
            (dict(f, variable="TACROLIMUS"), [dict(f, variable="TACGRP=TAC_TCS"),
                                              dict(f, variable="TACGRP=TAC_ONLY")])]


def option(ard: pd.DataFrame, name: str) -> str | None:
    """The value of a study option recorded in ``study_options`` (None if absent)."""
    rows = select(ard, analysis="study_options", statistic="chosen")
    for params in rows["params"]:
        d = json.loads(params) if params else {}
        if name in d:
            return d[name]
    return None


def analysed_group(ard: pd.DataFrame) -> str:
    g = option(ard, "analysed_group")
    has_flow_grp = not select(ard, analysis="patient_flow", variable="TACROLIMUS").empty
    return f"TACGRP={g}" if (g and has_flow_grp) else "all"


def _n_pct(ard, **c):
    count, pct = _get(ard, **c, statistic="count"), _get(ard, **c, statistic="percent")
    if is_masked(count):
        return str(count)
    if count != count:
        return "–"
    return f"{int(count)} ({fmt_num(pct, 1)}%)" if pct == pct else f"{int(count)}"


def flow_table(ard: pd.DataFrame) -> str:
    """Patient flow: starters, tacrolimus users and their groups, analysed group."""
    f = dict(analysis="patient_flow", group="all")
    rows = [
        ["Started dupilumab", fmt_num(_get(ard, **f, variable="STARTERS", statistic="count"), 0), ""],
        ["Used tacrolimus ointment", _n_pct(ard, **f, variable="TACROLIMUS"), "starters"],
        ["… with topical corticosteroids on head/neck", _n_pct(ard, **f, variable="TACGRP=TAC_TCS"),
         "tacrolimus users"],
        ["… tacrolimus alone on head/neck", _n_pct(ard, **f, variable="TACGRP=TAC_ONLY"),
         "tacrolimus users"],
        ["No tacrolimus ointment", _n_pct(ard, **f, variable="TACGRP=NONE"), "starters"],
        ["Analysed", fmt_num(_get(ard, **f, variable="ANALYSED", statistic="count"), 0), ""],
    ]
    return tabulate(rows, headers=["Patients", "n (%)", "% of"], tablefmt="pipe")


def strength_table(ard: pd.DataFrame) -> str:
    """Tacrolimus strength in the analysed group under each counting rule."""
    g = analysed_group(ard)
    headline = option(ard, "strength_counting")
    rules = [r for r in ("ever", "first", "last")
             if not select(ard, analysis=f"ointment_strength_{r}").empty]
    if not rules:
        return "No tacrolimus strength was recorded."
    variables = [v for v in dict.fromkeys(select(ard, analysis=f"ointment_strength_{rules[0]}",
                                                 statistic="count")["variable"])]
    label = {"ever": "ever used", "first": "first used", "last": "last used"}
    headers = ["Strength"] + [label[r] + (" (headline)" if r == headline else "") for r in rules]
    rows = []
    for var in variables:
        name = var.replace("TACSTR=", "").replace("SWITCH=", "switched ").replace("->", " % → ")
        name = {"SWITCH": "any switch", "NOT RECORDED": "not recorded"}.get(name, name)
        if var.startswith("TACSTR=") and var != "TACSTR=NOT RECORDED":
            name += " %"
        if var.startswith("SWITCH="):
            name += " %"
        rows.append([name] + [_n_pct(ard, analysis=f"ointment_strength_{r}", group=g, variable=var)
                              for r in rules])
    return tabulate(rows, headers=headers, tablefmt="pipe")


def _visits(ard, param, g):
    rows = select(ard, analysis="measures_by_visit", variable=param, group=g, statistic="n")
    return list(rows["visit"])


MEASURES_NOTE = ("Red.: reduction of the group mean, %; Impr.: mean of the patients' own "
                 "percent improvements; p (W): Wilcoxon signed-rank test; p (t): paired t-test; "
                 "both against baseline.")


def _p_cell(p: float) -> str:
    """``<0.001`` / ``0.027``: the p of a table cell, without the ``p =`` of a sentence."""
    return fmt_p(p).removeprefix("p = ").replace("p < ", "<")


def measures_table(ard: pd.DataFrame) -> str:
    """Each measure by visit (mean ± SD; median [IQR]; n), % reductions and paired p-values.

    Short column heads keep the nine columns on one line per row in print; the note
    under the table spells them out.
    """
    g = analysed_group(ard)
    headline = option(ard, "headline_reduction")
    rows = []
    for p in PARAMS:
        visits = _visits(ard, p, g)
        d = DECIMALS[p]
        for k_visit, visit in enumerate(visits):
            c = dict(analysis="measures_by_visit", variable=p, group=g, visit=visit)
            s = {k: _get(ard, **c, statistic=k) for k in ("n", "mean", "sd", "median", "q1", "q3")}
            hidden = next((v for v in s.values() if is_masked(v)), None)
            row = [PARAM_LABELS[p] if k_visit == 0 else "", visit.title(), fmt_num(s["n"], 0),
                   str(hidden) if hidden else f"{fmt_num(s['mean'], d)} ± {fmt_num(s['sd'], d)}",
                   str(hidden) if hidden else
                   f"{fmt_num(s['median'], d)} [{fmt_num(s['q1'], d)}–{fmt_num(s['q3'], d)}]"]
            if visit == "BASELINE":
                row += ["", "", "", ""]
            else:
                k = dict(variable=p, group=g, visit=f"{visit} vs BASELINE")
                red = _get(ard, analysis="pct_reduction_of_means", **k, statistic="reduction")
                imp = _get(ard, analysis="improvement_rate", **k, statistic="mean")
                undef = _get(ard, analysis="improvement_rate", **k, statistic="n_undefined_base0")
                imp_txt = fmt_num(imp, 1) + (f" ({fmt_num(undef, 0)} undefined)"
                                             if is_masked(undef) or (undef and undef == undef) else "")
                row += [fmt_num(red, 1), imp_txt,
                        _p_cell(_get(ard, analysis="wilcoxon_signed_rank", **k, statistic="p_value")),
                        _p_cell(_get(ard, analysis="paired_t", **k, statistic="p_value"))]
            rows.append(row)
    mark = {"reduction_of_means": 5, "mean_of_improvement_rates": 6}.get(headline)
    headers = ["Measure", "Visit", "n", "Mean ± SD", "Median [IQR]", "Red.", "Impr.", "p (W)",
               "p (t)"]
    note = MEASURES_NOTE
    if mark:
        headers[mark] += " *"
        note += " \\* The reduction used in the text."
    return (tabulate(rows, headers=headers, tablefmt="pipe", disable_numparse=True)
            + "\n\n" + note)


def correlation_table(ard: pd.DataFrame) -> str:
    """Correlation of head/neck EASI and EASI improvement rates (Pearson, Spearman)."""
    rows = []
    for name in ("pearson", "spearman"):
        c = select(ard, analysis=f"improvement_correlation_{name}", statistic="estimate")
        if c.empty:
            continue
        k = dict(analysis=f"improvement_correlation_{name}", variable=c["variable"].iloc[0],
                 group=c["group"].iloc[0], visit=c["visit"].iloc[0])
        rows.append([name.title(), fmt_num(_get(ard, **k, statistic="estimate"), 3),
                     fmt_p(_get(ard, **k, statistic="p_value")), fmt_num(row_n(c), 0),
                     fmt_num(_get(ard, **k, statistic="n_excluded_base0"), 0)])
    return tabulate(rows, headers=["Correlation", "r", "p", "n", "Excluded (baseline 0)"],
                    tablefmt="pipe", disable_numparse=True)


def ae_table(ard: pd.DataFrame) -> str:
    """Adverse events n (%) in the analysed and comparison groups."""
    ae = select(ard, analysis="adverse_events")
    groups = list(dict.fromkeys(ae["group"]))
    events = [v for v in dict.fromkeys(ae["variable"]) if v]
    headers = ["Event"] + [f"{g.replace('TACGRP=', '')} (n = {fmt_num(_get(ard, analysis='adverse_events', group=g, statistic='n'), 0)})"
                           for g in groups]
    rows = [[e.replace("AEDECOD=", "").capitalize()]
            + [_n_pct(ard, analysis="adverse_events", group=g, variable=e) for g in groups]
            for e in events]
    return tabulate(rows, headers=headers, tablefmt="pipe", disable_numparse=True)


def notes(ard: pd.DataFrame) -> list[str]:
    """Sentences for the blocks skipped or partly undefined (from ``run_notes``)."""
    return list(select(ard, analysis="run_notes")["method"])


# ---------------------------------------------------------------------------- figures
# Drawn in analysis.report.matsutani2021_figures (imported when called: it imports this
# module); the names stay here for the manuscript and the study's ``figures`` hook.


def flow_figure(ard, out_dir: Path) -> list[Path]:
    """Patient flow diagram (see :mod:`analysis.report.matsutani2021_figures`)."""
    from analysis.report import matsutani2021_figures as f

    return f.flow_figure(ard, out_dir)


def paired_figure(ard, dataset, out_dir: Path) -> list[Path]:
    """Baseline vs endpoint per measure (see :mod:`analysis.report.matsutani2021_figures`)."""
    from analysis.report import matsutani2021_figures as f

    return f.paired_figure(ard, dataset, out_dir)


def correlation_figure(ard, dataset, out_dir: Path) -> list[Path]:
    """Improvement rates, head/neck vs overall EASI (see
    :mod:`analysis.report.matsutani2021_figures`)."""
    from analysis.report import matsutani2021_figures as f

    return f.correlation_figure(ard, dataset, out_dir)


def figures(ard: pd.DataFrame, dataset, out_dir) -> list[Path]:
    """Every figure of the study; returns the PNG files written."""
    from analysis.report import matsutani2021_figures as f

    return f.figures(ard, dataset, out_dir)
