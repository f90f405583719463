"""Matsutani 2021 figures: flow diagram, paired values per measure, improvement rates.

Numbers printed on a figure come from the ARD. The paired and correlation figures
also show patients' values, read once through the study's own coding of the analysed
group (:func:`analysis.studies.matsutani2021.analysed_values`), and stay readable and
quick whatever the size of the group:

- paired values: each patient's line up to :data:`LINES_ALL` patients; above that the
  lines of :data:`LINES_SHOWN` patients evenly spaced in patient-id order (a fixed,
  documented subsample, written on the figure), the boxes always from every patient;
- improvement rates: one point per patient up to :data:`POINTS_ALL` patients, above
  that a hexagonal 2-D histogram (patients per cell; cells under ``min_cell`` left
  blank), the least-squares line always from every patient.

Matplotlib's Agg backend; PNG with fixed metadata, so the same data give the same bytes.
"""

from __future__ import annotations

import weakref
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from analysis.report.figsave import save_png  # noqa: E402
from analysis.report.format import fmt_num, fmt_p  # noqa: E402
from analysis.report.matsutani2021 import (  # noqa: E402
    PARAM_LABELS, PARAMS, _get, analysed_group, option,
)
from analysis.report.suppress import count_text, is_masked, min_cell  # noqa: E402
from analysis.results.ard import select  # noqa: E402

LINES_ALL = 200
LINES_SHOWN = 200
POINTS_ALL = 2000


_IDS: list = []  # the last group's ids (weakly tied to its subjects table)


def analysed_values(ard, dataset):
    """The analysed group's measurements as the study coded them (the study keeps its
    last coding, so the figures of a run do not code a million patients again)."""
    from analysis.studies import matsutani2021 as study

    g = analysed_group(ard)
    subj = dataset["subjects"]
    if not (_IDS and _IDS[0]() is subj and _IDS[1] == g):
        ids = subj["USUBJID"] if g == "all" else subj.loc[subj["TACGRP"] == g.split("=", 1)[1],
                                                         "USUBJID"]
        _IDS[:] = [weakref.ref(subj), g, pd.Index(sorted(ids.astype(str).unique()))]
    return study.analysed_values(dataset, _IDS[2])


def line_sample(n: int, shown: int = LINES_SHOWN) -> np.ndarray:
    """Positions of the patients whose lines are drawn: all when ``n <= LINES_ALL``,
    else ``shown`` positions evenly spaced over ``0 .. n-1`` (first and last included).

    >>> line_sample(5).tolist(), line_sample(1000, 5).tolist()
    ([0, 1, 2, 3, 4], [0, 250, 500, 749, 999])
    """
    if n <= LINES_ALL:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, shown).round().astype(np.int64))


def _pairs(values, param: str, endpoint: str) -> pd.DataFrame:
    wide = values.wide("AVAL", param).reindex(columns=["BASELINE", endpoint])
    return wide.dropna()  # complete pairs, in patient-id order


def paired_figure(ard, dataset, out_dir: Path) -> list[Path]:
    """Baseline vs endpoint per measure: patients' lines (all, or a fixed even subsample
    in id order above :data:`LINES_ALL`), with boxes of every patient's values."""
    endpoint = option(ard, "endpoint_visit") or "WEEK 16"
    g = analysed_group(ard)
    params = [p for p in PARAMS if not select(ard, analysis="measures_by_visit", variable=p,
                                               visit=endpoint).empty]
    if not params:
        return []
    values = analysed_values(ard, dataset)
    fig, axes = plt.subplots(1, len(params), figsize=(2.6 * len(params), 3.6), squeeze=False)
    notes = []
    for ax, p in zip(axes[0], params):
        wide = _pairs(values, p, endpoint)
        pick = line_sample(len(wide))
        shown = wide.iloc[pick]
        if len(pick) == len(wide):
            for _, r in shown.iterrows():
                ax.plot([0, 1], [r["BASELINE"], r[endpoint]], color="0.6", lw=0.8, marker="o",
                        ms=3)
        else:  # two artists for all the lines drawn, left out of the layout computation
            xy = shown[["BASELINE", endpoint]].to_numpy()
            segments = np.stack([np.column_stack([np.zeros(len(xy)), xy[:, 0]]),
                                 np.column_stack([np.ones(len(xy)), xy[:, 1]])], axis=1)
            lines = LineCollection(segments, colors="0.6", linewidths=0.6, alpha=0.5)
            dots = ax.scatter(np.repeat([[0.0, 1.0]], len(xy), axis=0).ravel(), xy.ravel(),
                              s=4, color="0.6", alpha=0.5, linewidths=0)
            ax.add_collection(lines)
            for artist in (lines, dots):
                artist.set_in_layout(False)
            notes.append((PARAM_LABELS[p], len(pick), len(wide)))
        ax.boxplot([wide["BASELINE"], wide[endpoint]], positions=[0, 1], widths=0.35,
                   showfliers=False, medianprops={"color": "black"})
        ax.set_xticks([0, 1], ["Baseline", endpoint.title()])
        pval = _get(ard, analysis="wilcoxon_signed_rank", variable=p, group=g,
                    visit=f"{endpoint} vs BASELINE", statistic="p_value")
        ax.set_title(f"{PARAM_LABELS[p]}\n(n = {count_text(len(wide), min_cell(ard))}, "
                     f"Wilcoxon {fmt_p(pval)})", fontsize=9)
        if p == "TARC" and (wide.to_numpy() > 0).any():  # no pairs: no log axis to draw
            ax.set_yscale("log")
    if notes:
        fig.text(0.01, 0.005, _sample_note(notes, len(params)), fontsize=7, va="bottom")
        fig.tight_layout(rect=(0, 0.04, 1, 1))
    else:
        fig.tight_layout()
    return save_png(fig, out_dir, "matsutani2021_paired")


def _sample_note(notes: list, n_panels: int) -> str:
    """What the lines of a subsampled paired figure are, written under the panels.

    >>> _sample_note([("EASI", 200, 5000), ("IGA", 200, 5000)], 2)
    'Lines: 200 of 5,000 patients in each panel, evenly spaced in patient-id order; boxes: every patient.'
    """
    tail = " evenly spaced in patient-id order; boxes: every patient."
    if len(notes) == n_panels and len({(k, n) for _, k, n in notes}) == 1:
        _, k, n = notes[0]
        return f"Lines: {k:,} of {n:,} patients in each panel,{tail}"
    return ("Lines: " + "; ".join(f"{lab}: {k:,} of {n:,} patients" for lab, k, n in notes)
            + "," + tail)


def correlation_figure(ard, dataset, out_dir: Path) -> list[Path]:
    """Per-patient improvement rate of head/neck EASI against overall EASI, with the OLS
    line: points up to :data:`POINTS_ALL` patients, a hexagonal 2-D histogram above."""
    from analysis.studies.matsutani2021 import endpoint_rates

    endpoint = option(ard, "endpoint_visit") or "WEEK 16"
    g = analysed_group(ard)
    k = dict(variable="EASIHN vs EASI", group=g, visit=f"{endpoint} vs BASELINE")
    if select(ard, analysis="improvement_correlation_pearson", **k).empty:
        return []
    rates = endpoint_rates(analysed_values(ard, dataset), endpoint)
    wide = rates["IMPRATE"].dropna()  # both rates defined, in patient-id order
    x, y = wide["EASI"].to_numpy(), wide["EASIHN"].to_numpy()
    fig, ax = plt.subplots(figsize=(4.5, 4.0))
    k_min = min_cell(ard)
    if len(wide) <= POINTS_ALL:
        ax.scatter(x, y, s=18, color="C0", zorder=3)
    else:
        cells = ax.hexbin(x, y, gridsize=40, mincnt=max(1, k_min), cmap="Blues", bins="log",
                          linewidths=0.2)
        cells.set_in_layout(False)
        bar = fig.colorbar(cells, ax=ax, pad=0.02)
        bar.set_label("patients per cell" + (f" (cells under {k_min} not drawn)"
                                              if k_min > 1 else ""), fontsize=8)
        bar.ax.tick_params(labelsize=7)
    slope, icept = np.polyfit(x, y, 1)  # drawing only; r, p from the ARD
    xs = np.array([x.min(), x.max()])
    r = _get(ard, analysis="improvement_correlation_pearson", **k, statistic="estimate")
    p = _get(ard, analysis="improvement_correlation_pearson", **k, statistic="p_value")
    rs = _get(ard, analysis="improvement_correlation_spearman", **k, statistic="estimate")
    ps = _get(ard, analysis="improvement_correlation_spearman", **k, statistic="p_value")
    excl = _get(ard, analysis="improvement_correlation_pearson", **k, statistic="n_excluded_base0")
    excl = excl if is_masked(excl) else int(excl)
    ax.plot(xs, icept + slope * xs, color="C3",
            label=f"Pearson r = {fmt_num(r, 2)}, {fmt_p(p)}\nSpearman ρ = {fmt_num(rs, 2)}, "
                  f"{fmt_p(ps)}\nn = {count_text(len(wide), k_min)}"
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
