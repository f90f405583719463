"""Ferrucci 2022 figures, drawn from ARD aggregates only (never from patient rows).

Matplotlib's Agg backend; PNG with fixed metadata (no date, no version), so the
same ARD gives byte-identical files.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from analysis.derive.categories import EASI_BANDS  # noqa: E402
from analysis.report.ferrucci2022 import (  # noqa: E402
    COX_LABELS, SCORES, TABLE2_ROWS, VISIT_LABELS, VISITS, get, option,
)
from analysis.report.format import fmt_num, fmt_p  # noqa: E402
from analysis.report.suppress import is_masked, row_n, row_value  # noqa: E402
from analysis.results.ard import select  # noqa: E402
from analysis.report.figsave import save_png  # noqa: E402

BAND_LABELS = {"CLEAR": "Clear (0)", "ALMOST CLEAR": "Almost clear (0.1–1)", "MILD": "Mild (1.1–7)",
               "MODERATE": "Moderate (7.1–21)", "SEVERE": "Severe (21.1–50)",
               "VERY SEVERE": "Very severe (50.1–72)"}


def figure1_easi_bands(ard, out_dir: Path) -> list[Path]:
    """EASI severity bands at week 4 by baseline tacrolimus use (stacked percent bars)."""
    # Short tick labels under an axis title: the long group names ran into each other.
    groups = (("TACBL=Y", "Yes"), ("TACBL=N", "No"))
    a = dict(analysis="easi_bands_w4_by_tacbl", visit="WEEK 4")
    if select(ard, **a).empty:
        return []
    colors = plt.get_cmap("RdYlGn_r")(np.linspace(0.05, 0.95, len(EASI_BANDS)))
    fig, ax = plt.subplots(figsize=(5.5, 4.2))
    bottoms = np.zeros(len(groups))
    for (band, _), color in zip(EASI_BANDS, colors):
        pct = np.array([get(ard, **a, variable=f"EASIBAND={band}", group=g, statistic="percent")
                        for g, _ in groups])
        pct = np.nan_to_num(pct)
        ax.bar(range(len(groups)), pct, bottom=bottoms, color=color, label=BAND_LABELS[band], width=0.6)
        bottoms += pct
    ns = [row_n(select(ard, **a, variable="EASIBAND=CLEAR", group=g, statistic="percent"))
          for g, _ in groups]
    ax.set_xticks(range(len(groups)),
                  [f"{lab}\n(n = {fmt_num(n, 0) if n == n or is_masked(n) else 0})"
                   for (_, lab), n in zip(groups, ns)])
    ax.set_xlabel("Tacrolimus ointment at baseline")
    ax.set_ylabel("Patients at week 4 (%)")
    ax.set_ylim(0, 100)
    ax.legend(title="EASI at week 4", fontsize=7, title_fontsize=8, bbox_to_anchor=(1.02, 1), loc="upper left")
    fig.tight_layout()
    return save_png(fig, out_dir, "ferrucci2022_figure1_easi_bands")


def flow_figure(ard, out_dir: Path) -> list[Path]:
    """Patient flow: enrolled, excluded, evaluable, and records per visit."""
    f = dict(analysis="flow", group="all")
    enrolled = get(ard, **f, variable="ENROLLED", statistic="count")
    excluded = get(ard, **f, variable="EXCLUDED", statistic="count")
    evaluable = get(ard, **f, variable="EVALUABLE", statistic="count")
    reasons = select(ard, analysis="flow", variable="EXCLUDED", statistic="count")
    reasons = reasons[reasons["group"] != "all"]
    why = "\n".join(f"{g.split('=', 1)[1].lower()}: {fmt_num(row_value(reasons.loc[[i]]), 0)}"
                    for i, g in zip(reasons.index, reasons["group"]))
    per_visit = "\n".join(
        f"{VISIT_LABELS[v]}: EASI n = {fmt_num(get(ard, **f, variable='EASI', visit=v, statistic='n'), 0)}, "
        f"topicals n = {fmt_num(get(ard, **f, variable='TOPICAL', visit=v, statistic='n'), 0)}"
        for v in VISITS)
    fig, ax = plt.subplots(figsize=(6.4, 5.0))
    ax.set_axis_off()
    boxes = [(0.5, 0.9, f"Enrolled on dupilumab\nn = {fmt_num(enrolled, 0)}"),
             (0.85, 0.62, f"Excluded from the topical\nanalysis n = {fmt_num(excluded, 0)}" + (f"\n{why}" if why else "")),
             (0.5, 0.5, f"Evaluable for topical therapy\nn = {fmt_num(evaluable, 0)}"),
             (0.5, 0.15, "EASI (all enrolled) and topical records (evaluable)\n" + per_visit)]
    for x0, x1 in (((0.5, 0.84), (0.5, 0.56)), ((0.5, 0.7), (0.68, 0.64)), ((0.5, 0.44), (0.5, 0.27))):
        ax.annotate("", xy=x1, xytext=x0, arrowprops={"arrowstyle": "->", "color": "0.3"})
    for x, y, text in boxes:
        ax.text(x, y, text, ha="center", va="center", fontsize=8,
                bbox={"boxstyle": "round,pad=0.4", "fc": "white", "ec": "0.3"})
    return save_png(fig, out_dir, "ferrucci2022_flow")


def trajectories_figure(ard, out_dir: Path) -> list[Path]:
    """Mean ± SD of EASI, itch NRS, sleep NRS and DLQI by visit."""
    weeks = np.array([0, 4, 16, 52])
    present = [s for s in SCORES if not select(ard, analysis=s[1], variable=s[2], statistic="mean").empty]
    if not present:
        return []
    fig, axes = plt.subplots(1, len(present), figsize=(2.8 * len(present), 3.2), squeeze=False)
    for ax, (label, analysis, var) in zip(axes[0], present):
        c = dict(analysis=analysis, variable=var, group="all")
        mean = np.array([get(ard, **c, visit=v, statistic="mean") for v in VISITS])
        sd = np.array([get(ard, **c, visit=v, statistic="sd") for v in VISITS])
        ax.errorbar(weeks, mean, yerr=np.nan_to_num(sd), marker="o", capsize=3, color="C0")
        ax.set_title(label, fontsize=9)
        ax.set_xticks(weeks, ["0", "4", "16", "52"])
        ax.set_xlabel("Week")
        ax.set_ylim(bottom=0)
    axes[0][0].set_ylabel("Mean ± SD")
    fig.tight_layout()
    return save_png(fig, out_dir, "ferrucci2022_trajectories")


def topical_shares_figure(ard, out_dir: Path) -> list[Path]:
    """Share of each topical therapy at each visit (stacked percent bars)."""
    if select(ard, analysis="table2").empty:
        return []
    fig, ax = plt.subplots(figsize=(6.0, 4.4))
    bottoms = np.zeros(len(VISITS))
    for (label, var), color in zip(TABLE2_ROWS, ("0.8", "C1", "C2", "C4")):
        pct = np.nan_to_num([get(ard, analysis="table2", variable=var, group="all", visit=v,
                                 statistic="percent") for v in VISITS])
        ax.bar(range(len(VISITS)), pct, bottom=bottoms, label=label, color=color, width=0.6)
        bottoms += pct
    ns = [get(ard, analysis="table2", variable="TOPICAL", group="all", visit=v, statistic="n") for v in VISITS]
    ax.set_xticks(range(len(VISITS)), [f"{VISIT_LABELS[v]}\n(n = {fmt_num(n, 0)})" for v, n in zip(VISITS, ns)])
    ax.set_ylabel("Evaluable patients (%)")
    ax.set_ylim(0, 100)
    # legend under the plot: the bars get the full width, so that the "(n = ...)" of
    # each visit has room even with six- or seven-digit counts
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles[::-1], labels[::-1], fontsize=7, loc="lower center", ncol=2,
               frameon=False)
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    return save_png(fig, out_dir, "ferrucci2022_topical_shares")


def km_figure(ard, out_dir: Path) -> list[Path]:
    """Kaplan-Meier curve of not yet using tacrolimus, from the ARD's KM table."""
    km = select(ard, analysis="tac_km", statistic="survival")
    if km.empty:
        return []
    t = km["visit"].str.removeprefix("TIME ").astype(float).to_numpy()
    order = np.argsort(t)
    t, s = t[order], km["value"].to_numpy()[order]
    fig, ax = plt.subplots(figsize=(5.0, 3.6))
    ax.step(np.concatenate([[0.0], t]), np.concatenate([[1.0], s]), where="post", color="C0")
    rmst = get(ard, analysis="tac_time_to_start", variable="TTTAC", group="all", statistic="rmst")
    se = get(ard, analysis="tac_time_to_start", variable="TTTAC", group="all", statistic="rmst_se")
    unit = option(ard, "time_unit") or "months"
    ax.set_xlabel(f"Time since dupilumab start ({unit})")
    ax.set_ylabel("Not yet on tacrolimus (KM)")
    ax.set_ylim(0, 1.02)
    ax.set_title(f"Restricted mean {fmt_num(rmst, 1)} ± {fmt_num(se, 1)} (SE), "
                 f"n = {fmt_num(row_n(km), 0)}",
                 fontsize=9)
    fig.tight_layout()
    return save_png(fig, out_dir, "ferrucci2022_km_tacrolimus")


def forest_figure(ard, out_dir: Path) -> list[Path]:
    """Hazard ratios of starting tacrolimus with 95 % CI (log scale)."""
    rows = []
    for analysis, var in (("cox_tacrolimus_start", "DLQI"), ("cox_tacrolimus_start", "AGE"),
                          ("cox_tacrolimus_start", "SEX=F"), ("tac_start_by_generalized", "GENERFL=N")):
        c = dict(analysis=analysis, variable=var, group="all")
        hr = get(ard, **c, statistic="hr")
        if hr == hr:
            rows.append((COX_LABELS[var], hr, get(ard, **c, statistic="ci_low"),
                         get(ard, **c, statistic="ci_high"), get(ard, **c, statistic="p_value")))
    if not rows:
        return []
    frame = pd.DataFrame(rows, columns=["label", "hr", "lo", "hi", "p"])
    y = np.arange(len(frame))[::-1]
    fig, ax = plt.subplots(figsize=(6.0, 0.6 * len(frame) + 1.2))
    ax.errorbar(frame["hr"], y, xerr=[frame["hr"] - frame["lo"], frame["hi"] - frame["hr"]],
                fmt="s", color="C0", capsize=3)
    ax.axvline(1.0, color="0.5", lw=0.8, ls="--")
    ax.set_xscale("log")
    # plain hazard ratios on the log axis (matplotlib's default reads "2 x 10^0")
    lo, hi = ax.get_xlim()
    ticks = [t for t in (0.1, 0.2, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4, 5, 10) if lo <= t <= hi]
    if len(ticks) < 2:  # a narrow range: add ticks spread over it
        spread = {float(f"{t:.3g}") for t in np.geomspace(lo, hi, 5)[1:4]}
        ticks = sorted(set(ticks) | {t for t in spread if lo <= t <= hi})
    ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.set_xlim(lo, hi)
    ax.set_yticks(y, [f"{r.label}\nHR {fmt_num(r.hr, 2)} ({fmt_num(r.lo, 2)}–{fmt_num(r.hi, 2)}), {fmt_p(r.p)}"
                      for r in frame.itertuples()], fontsize=7)
    ax.set_xlabel("Hazard ratio of starting tacrolimus (log scale)")
    fig.tight_layout()
    return save_png(fig, out_dir, "ferrucci2022_forest")


def algorithm_figure(out_dir: Path) -> list[Path]:
    """Figure 2: the topical strategy proposed in the discussion, as a decision diagram."""
    fig, ax = plt.subplots(figsize=(6.6, 5.2))
    ax.set_axis_off()
    boxes = [
        (0.5, 0.92, "Dupilumab started, with daily emollients"),
        (0.5, 0.74, "Lesions persisting or worsening in special areas\n(face, neck, hands) early in therapy?"),
        (0.22, 0.5, "Mild to moderate (IGA 1–2)"),
        (0.78, 0.5, "Severe (IGA 3–4)"),
        (0.78, 0.3, "Medium-potency topical corticosteroid\nfor about 7–10 days first"),
        (0.22, 0.3, "Tacrolimus ointment twice daily\nuntil the lesions clear"),
        (0.22, 0.1, "Proactive tacrolimus\ntwice weekly"),
        (0.78, 0.1, "Caveat: not advised when dupilumab\nis started in summer"),
    ]
    arrows = [((0.5, 0.89), (0.5, 0.79)), ((0.42, 0.69), (0.26, 0.54)), ((0.58, 0.69), (0.74, 0.54)),
              ((0.22, 0.46), (0.22, 0.35)), ((0.78, 0.46), (0.78, 0.35)), ((0.6, 0.3), (0.4, 0.3)),
              ((0.22, 0.25), (0.22, 0.15))]
    for x0, x1 in arrows:
        ax.annotate("", xy=x1, xytext=x0, arrowprops={"arrowstyle": "->", "color": "0.3"})
    for x, y, text in boxes:
        ax.text(x, y, text, ha="center", va="center", fontsize=8,
                bbox={"boxstyle": "round,pad=0.4", "fc": "white", "ec": "0.3"})
    return save_png(fig, out_dir, "ferrucci2022_figure2_algorithm")


def all_figures(ard: pd.DataFrame, out_dir) -> list[Path]:
    out_dir = Path(out_dir)
    paths: list[Path] = []
    for make in (figure1_easi_bands, flow_figure, trajectories_figure, topical_shares_figure,
                 km_figure, forest_figure):
        paths += make(ard, out_dir)
    paths += algorithm_figure(out_dir)
    return paths
