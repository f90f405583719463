"""Distributions of a dataset's values, for the manuscripts' data appendix.

Drawn from aggregates only (histogram counts and quartiles), never one mark per row, so
the figure costs the same at a million patients; the measurements are grouped by
parameter and visit from integer codes (:mod:`analysis.report.aggregate`), not by
comparing their text once per group. Histogram bins holding fewer than ``min_cell``
patients are left empty, so no small count can be read off a bar.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from analysis.report.aggregate import measurement_groups, present_values  # noqa: E402
from analysis.report.figsave import save_png  # noqa: E402
from analysis.schema.contract import PARAMS  # noqa: E402


def _visit_order(visits) -> list[str]:
    def key(v: str):
        tail = v.split()[-1]
        return (v != "BASELINE", int(tail) if tail.isdigit() else 0)

    return sorted(visits, key=key)


def _histogram(ax, values: pd.Series, title: str, min_cell: int, bins: int = 20) -> None:
    values = pd.to_numeric(values, errors="coerce").dropna().to_numpy()
    if values.size == 0:
        ax.set_axis_off()
        ax.set_title(f"{title}: no values", fontsize=8)
        return
    counts, edges = np.histogram(values, bins=bins)
    if min_cell:
        counts = np.where(counts < min_cell, 0, counts)
    ax.bar(edges[:-1], counts, width=np.diff(edges), align="edge", color="#4c72b0",
           edgecolor="white", linewidth=0.4)
    ax.set_title(title, fontsize=8)
    ax.set_ylabel("patients", fontsize=7)
    ax.tick_params(labelsize=7)


def _boxes_by_visit(ax, groups: list, paramcd: str) -> None:
    """Box per visit of ``paramcd``; ``groups`` from :func:`measurement_groups`, in order
    of first appearance (so visits that sort alike keep the table's order)."""
    by_visit = {g.visit: g for g in groups if g.param == paramcd}
    stats = []
    for visit in _visit_order(list(by_visit)):
        g = by_visit[visit]
        stats.append({"label": visit.title().replace("Week ", "W"), "med": g.median, "q1": g.q1,
                      "q3": g.q3, "whislo": g.min, "whishi": g.max, "fliers": []})
    if not stats:
        ax.set_axis_off()
        return
    ax.bxp(stats, showfliers=False)
    label = PARAMS[paramcd].label if paramcd in PARAMS else paramcd
    # wrapped, not cut: a long scale name ran into the next panel's title
    ax.set_title("\n".join(textwrap.wrap(f"{paramcd}: {label}", 34, max_lines=2,
                                          placeholder="…")), fontsize=8)
    ax.tick_params(labelsize=7)


def distributions_figure(dataset, out_dir: Path, min_cell: int = 0) -> list[Path]:
    """One PNG: ages by sex and every measured parameter by visit (median, IQR, range).

    Parameters
    ----------
    dataset : analysis.io.Dataset
    out_dir : Path
    min_cell : int
        Histogram bins with fewer patients are drawn empty.

    Returns
    -------
    list of Path
        The PNG written (empty when the dataset has no subjects).
    """
    subjects = dataset.tables.get("subjects")
    if subjects is None or subjects.empty:
        return []
    meas = dataset.tables.get("measurements")
    groups = [] if meas is None else measurement_groups(dataset)
    coded = set() if meas is None else set(present_values(dataset, "measurements", "PARAMCD"))
    params = [p for p in PARAMS if p in coded]
    age_panels = [c for c in ("AGE", "AGEDIAG") if c in subjects and subjects[c].notna().any()]
    n_panels = len(age_panels) * 2 + len(params)
    ncols = 3
    nrows = max(1, -(-n_panels // ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(7.5, 2.1 * nrows), squeeze=False)
    flat = list(axes.ravel())
    titles = {"AGE": "Age at dupilumab start", "AGEDIAG": "Age at diagnosis"}
    for column in age_panels:
        for sex, name in (("M", "men"), ("F", "women")):
            _histogram(flat.pop(0), subjects.loc[subjects["SEX"] == sex, column],
                       f"{titles[column]}, {name} (years)", min_cell)
    for p in params:
        _boxes_by_visit(flat.pop(0), groups, p)
    for ax in flat:
        ax.set_axis_off()
    fig.tight_layout()
    return save_png(fig, out_dir, "data_distributions")
