"""Matsutani 2021: Markdown tables and figures, every number drawn from the ARD.

Tables are pipe-format Markdown (tabulate). Figures use Matplotlib's Agg backend and
are written as PNG with fixed metadata (no date, no version), so the same ARD and
dataset give byte-identical files.

Examples
--------
>>> from analysis.report import matsutani2021 as rep
>>> rep.PARAM_LABELS["EASIHN"]
'Head/neck EASI'
"""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from tabulate import tabulate  # noqa: E402

from analysis.derive.reduction import add_improvement_rate  # noqa: E402
from analysis.report.format import fmt_num, fmt_p  # noqa: E402
from analysis.report.suppress import cell, count_text, is_masked, min_cell, row_n  # noqa: E402
from analysis.results.ard import select  # noqa: E402
from analysis.report.figsave import save_png  # noqa: E402

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


def _analysed_measurements(ard, dataset) -> pd.DataFrame:
    g = analysed_group(ard)
    meas = dataset["measurements"].assign(USUBJID=lambda d: d["USUBJID"].astype(str))
    if g == "all":
        return meas
    subj = dataset["subjects"]
    ids = set(subj.loc[subj["TACGRP"] == g.split("=", 1)[1], "USUBJID"].astype(str))
    return meas[meas["USUBJID"].isin(ids)]


def paired_figure(ard, dataset, out_dir: Path) -> list[Path]:
    """Baseline vs endpoint per measure: each patient's two values joined, with boxes."""
    endpoint = option(ard, "endpoint_visit") or "WEEK 16"
    g = analysed_group(ard)
    meas = _analysed_measurements(ard, dataset)
    params = [p for p in PARAMS if not select(ard, analysis="measures_by_visit", variable=p,
                                               visit=endpoint).empty]
    if not params:
        return []
    fig, axes = plt.subplots(1, len(params), figsize=(2.6 * len(params), 3.6), squeeze=False)
    for ax, p in zip(axes[0], params):
        wide = (meas[meas["PARAMCD"] == p]
                .pivot(index="USUBJID", columns="AVISIT", values="AVAL")
                .reindex(columns=["BASELINE", endpoint]).dropna().sort_index())
        for _, r in wide.iterrows():
            ax.plot([0, 1], [r["BASELINE"], r[endpoint]], color="0.6", lw=0.8, marker="o", ms=3)
        ax.boxplot([wide["BASELINE"], wide[endpoint]], positions=[0, 1], widths=0.35,
                   showfliers=False, medianprops={"color": "black"})
        ax.set_xticks([0, 1], ["Baseline", endpoint.title()])
        pval = _get(ard, analysis="wilcoxon_signed_rank", variable=p, group=g,
                    visit=f"{endpoint} vs BASELINE", statistic="p_value")
        ax.set_title(f"{PARAM_LABELS[p]}\n(n = {count_text(len(wide), min_cell(ard))}, "
                     f"Wilcoxon {fmt_p(pval)})", fontsize=9)
        if p == "TARC":
            ax.set_yscale("log")
    fig.tight_layout()
    return save_png(fig, out_dir, "matsutani2021_paired")


def correlation_figure(ard, dataset, out_dir: Path) -> list[Path]:
    """Per-patient improvement rate of head/neck EASI against overall EASI, with OLS line."""
    import numpy as np

    endpoint = option(ard, "endpoint_visit") or "WEEK 16"
    g = analysed_group(ard)
    k = dict(variable="EASIHN vs EASI", group=g, visit=f"{endpoint} vs BASELINE")
    if select(ard, analysis="improvement_correlation_pearson", **k).empty:
        return []
    meas = add_improvement_rate(_analysed_measurements(ard, dataset))
    at = meas[(meas["AVISIT"] == endpoint) & meas["PARAMCD"].isin(["EASI", "EASIHN"])]
    wide = at.pivot(index="USUBJID", columns="PARAMCD", values="IMPRATE").dropna().sort_index()
    fig, ax = plt.subplots(figsize=(4.5, 4.0))
    ax.scatter(wide["EASI"], wide["EASIHN"], s=18, color="C0", zorder=3)
    slope, icept = np.polyfit(wide["EASI"], wide["EASIHN"], 1)  # drawing only; r, p from the ARD
    xs = np.array([wide["EASI"].min(), wide["EASI"].max()])
    r = _get(ard, analysis="improvement_correlation_pearson", **k, statistic="estimate")
    p = _get(ard, analysis="improvement_correlation_pearson", **k, statistic="p_value")
    rs = _get(ard, analysis="improvement_correlation_spearman", **k, statistic="estimate")
    ps = _get(ard, analysis="improvement_correlation_spearman", **k, statistic="p_value")
    excl = _get(ard, analysis="improvement_correlation_pearson", **k, statistic="n_excluded_base0")
    excl = excl if is_masked(excl) else int(excl)
    ax.plot(xs, icept + slope * xs, color="C3",
            label=f"Pearson r = {fmt_num(r, 2)}, {fmt_p(p)}\nSpearman ρ = {fmt_num(rs, 2)}, "
                  f"{fmt_p(ps)}\nn = {count_text(len(wide), min_cell(ard))}"
                  + (f" ({excl} left out: baseline 0)" if excl else ""))
    ax.set_xlabel("EASI improvement rate (%)")
    ax.set_ylabel("Head/neck EASI improvement rate (%)")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return save_png(fig, out_dir, "matsutani2021_correlation")


def flow_figure(ard, out_dir: Path) -> list[Path]:
    """Patient flow diagram from the ``patient_flow`` counts."""
    f = dict(analysis="patient_flow", group="all", statistic="count")
    n = {v: _get(ard, **f, variable=v) for v in
         ("STARTERS", "TACROLIMUS", "TACGRP=NONE", "TACGRP=TAC_TCS", "TACGRP=TAC_ONLY", "ANALYSED")}
    fmt = {k: fmt_num(v, 0) for k, v in n.items()}
    boxes = [
        (0.5, 0.88, f"Started dupilumab\nn = {fmt['STARTERS']}"),
        (0.5, 0.62, f"Used tacrolimus ointment\nn = {fmt['TACROLIMUS']}"),
        (0.88, 0.62, f"No tacrolimus\nn = {fmt['TACGRP=NONE']}"),
        (0.22, 0.34, f"With topical corticosteroids\non head/neck\nn = {fmt['TACGRP=TAC_TCS']}"),
        (0.72, 0.34, f"Tacrolimus alone\non head/neck\nn = {fmt['TACGRP=TAC_ONLY']}"),
        (0.72, 0.08, f"Analysed\nn = {fmt['ANALYSED']}"),
    ]
    arrows = [((0.5, 0.82), (0.5, 0.68)), ((0.6, 0.88), (0.88, 0.68)), ((0.45, 0.56), (0.25, 0.42)),
              ((0.55, 0.56), (0.7, 0.42)), ((0.72, 0.25), (0.72, 0.14))]
    fig, ax = plt.subplots(figsize=(6.0, 5.0))
    ax.set_axis_off()
    for x0, x1 in arrows:
        ax.annotate("", xy=x1, xytext=x0, arrowprops={"arrowstyle": "->", "color": "0.3"})
    for x, y, text in boxes:
        ax.text(x, y, text, ha="center", va="center", fontsize=9,
                bbox={"boxstyle": "round,pad=0.4", "fc": "white", "ec": "0.3"})
    return save_png(fig, out_dir, "matsutani2021_flow")


def figures(ard: pd.DataFrame, dataset, out_dir) -> list[Path]:
    """Every figure of the study; returns the PNG files written."""
    out_dir = Path(out_dir)
    paths = flow_figure(ard, out_dir)
    paths += paired_figure(ard, dataset, out_dir)
    paths += correlation_figure(ard, dataset, out_dir)
    return paths
