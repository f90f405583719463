"""Matsutani figures at scale: same pictures for small groups, bounded drawing for large.

The reference below is the figure code at commit 09cd426 (``analysis/report/
matsutani2021.py``), verbatim but for the function names: one line artist per patient
and a point per patient (251 s for a run with figures at 1e5 patients, over 900 s at
1e6). For groups up to ``LINES_ALL`` / ``POINTS_ALL`` patients the new code must write
the same PNG bytes; above, it must draw a bounded number of artists from the same
data (boxes and least-squares line from every patient) and say on the figure what the
lines are.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from analysis.derive.reduction import add_improvement_rate  # noqa: E402
from analysis.io.dataset import Dataset  # noqa: E402
from analysis.report import matsutani2021_figures as figs  # noqa: E402
from analysis.report.figsave import save_png  # noqa: E402
from analysis.report.format import fmt_num, fmt_p  # noqa: E402
from analysis.report.matsutani2021 import (  # noqa: E402
    PARAM_LABELS, PARAMS, _get, analysed_group, option,
)
from analysis.report.suppress import count_text, is_masked, min_cell  # noqa: E402
from analysis.results.ard import select  # noqa: E402
from analysis.studies import matsutani2021 as study  # noqa: E402
from tests.matsutani.test_study_fast import cohort  # noqa: E402


# ------------------------------------------------- reference: commit 09cd426, verbatim

def _analysed_measurements(ard, dataset) -> pd.DataFrame:
    g = analysed_group(ard)
    meas = dataset["measurements"].assign(USUBJID=lambda d: d["USUBJID"].astype(str))
    if g == "all":
        return meas
    subj = dataset["subjects"]
    ids = set(subj.loc[subj["TACGRP"] == g.split("=", 1)[1], "USUBJID"].astype(str))
    return meas[meas["USUBJID"].isin(ids)]


def ref_paired_figure(ard, dataset, out_dir: Path) -> list[Path]:
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


def ref_correlation_figure(ard, dataset, out_dir: Path) -> list[Path]:
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


# ----------------------------------------------------------------------------- helpers

def _png(paths):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def _strays(dataset) -> bool:
    meas_ids = set(dataset["measurements"]["USUBJID"].astype(str))
    return not meas_ids <= set(dataset["subjects"]["USUBJID"].astype(str))


class Captured(list):
    """Figures handed to save_png (kept open for inspection, then closed)."""

    def __call__(self, fig, out_dir, stem):
        self.append((stem, fig))
        return [Path(out_dir) / f"{stem}.png"]


@pytest.fixture
def captured(monkeypatch):
    got = Captured()
    monkeypatch.setattr(figs, "save_png", got)
    yield got
    for _, fig in got:
        plt.close(fig)


def big_cohort(n_analysed: int, seed: int = 0) -> Dataset:
    """Analysed patients (TAC_ONLY) with every measure at baseline and week 16, and a
    few others; ids shuffled so that id order is not row order."""
    rng = np.random.default_rng(seed)
    n = n_analysed + 50
    ids = np.array([f"S{i:06d}" for i in rng.permutation(n)], dtype=object)
    grp = np.array(["TAC_ONLY"] * n_analysed + ["TAC_TCS"] * 30 + ["NONE"] * 20, dtype=object)
    subjects = pd.DataFrame({"USUBJID": ids, "SEX": "F", "TACGRP": grp})
    top = {"IGA": 4, "EASI": 60, "EASIHN": 7.2, "POEM": 28, "TARC": 20000}
    rows = []
    for p, hi in top.items():
        base = rng.uniform(0.2 * hi, hi, n).round(1)
        post = (base * rng.uniform(0.05, 0.9, n)).round(1)
        if p == "TARC":
            base, post = base + 1, post + 1
        if p == "IGA":
            base, post = np.ceil(base), np.floor(post)
        rows.append(pd.DataFrame({"USUBJID": ids, "PARAMCD": p, "AVISIT": "BASELINE", "AVAL": base}))
        rows.append(pd.DataFrame({"USUBJID": ids, "PARAMCD": p, "AVISIT": "WEEK 16", "AVAL": post}))
    meas = pd.concat(rows, ignore_index=True)
    return Dataset(tables={"subjects": subjects, "measurements": meas},
                   sources={"subjects": "s.csv", "measurements": "m.csv"}, name="big")


# ------------------------------------------------------------------------------- tests

def _cohorts():
    from analysis.io import load_dataset
    from analysis.paths import reference_dir
    from cohort_csv import read_hand

    yield "reference", load_dataset(reference_dir("matsutani2021"))
    yield "hand", read_hand()
    for seed in (1, 4, 9, 17, 23, 40):
        yield f"seed{seed}", cohort(seed)[0]


@pytest.mark.parametrize("name,dataset", list(_cohorts()), ids=lambda v: v if isinstance(v, str) else "")
def test_small_groups_give_the_same_png_as_the_code_it_replaced(name, dataset, tmp_path):
    try:
        ard = study.run(dataset)
    except ValueError:
        pytest.skip("the study refuses this cohort")
    if analysed_group(ard) == "all" and _strays(dataset):
        pytest.skip("the old figures also drew patients missing from subjects (see below)")
    for new, old in ((figs.paired_figure, ref_paired_figure),
                     (figs.correlation_figure, ref_correlation_figure)):
        got = new(ard, dataset, tmp_path / "new")
        try:
            want = old(ard, dataset, tmp_path / "old")
        except ValueError:  # TARC without pairs: the old log axis failed; the new draws it
            assert got and new is figs.paired_figure
            continue
        assert [p.name for p in got] == [p.name for p in want]
        assert _png(got) == _png(want)


def test_patients_missing_from_subjects_are_not_drawn(captured, tmp_path, monkeypatch):
    """Without TACGRP every patient in subjects is analysed; rows of ids that are not in
    subjects are left out of the figure as they are out of the ARD."""
    for seed in range(60):
        dataset, _ = cohort(seed)
        if "TACGRP" not in dataset["subjects"] and _strays(dataset) and len(dataset["subjects"]) > 5:
            break
    else:
        pytest.fail("no cohort without TACGRP and with stray ids")
    ard = study.run(dataset)
    figs.paired_figure(ard, dataset, tmp_path)
    (_, fig), = captured
    titles_old = []  # the reference drew the strays too

    def keep_titles(fig_old, out_dir, stem):
        titles_old.extend(a.get_title() for a in fig_old.axes)
        plt.close(fig_old)
        return []

    monkeypatch.setitem(globals(), "save_png", keep_titles)
    ref_paired_figure(ard, dataset, tmp_path / "old")
    differs = 0
    for ax, title_old in zip(fig.axes, titles_old):
        label = next(k for k, v in PARAM_LABELS.items() if ax.get_title().startswith(v + "\n"))
        n_pairs = int(select(ard, analysis="paired_t", variable=label, visit="WEEK 16 vs BASELINE",
                             statistic="p_value")["n"].iloc[0])
        assert f"(n = {n_pairs}," in ax.get_title()
        differs += f"(n = {n_pairs}," not in title_old
    assert differs  # this cohort does show the change


def test_large_group_draws_a_fixed_subsample_of_lines_and_boxes_from_everyone(captured, tmp_path):
    n = 1200
    dataset = big_cohort(n)
    ard = study.run(dataset)
    figs.paired_figure(ard, dataset, tmp_path)
    (_, fig), = captured
    meas = dataset["measurements"]
    subj = dataset["subjects"]
    ids = sorted(subj.loc[subj["TACGRP"] == "TAC_ONLY", "USUBJID"])
    pick = figs.line_sample(n)
    assert len(pick) == figs.LINES_SHOWN and pick[0] == 0 and pick[-1] == n - 1
    note = " ".join(t.get_text() for t in fig.texts)
    assert f"Lines: {len(pick)} of {n:,} patients in each panel, evenly spaced in patient-id order" in note
    for ax, p in zip(fig.axes, PARAMS):
        wide = (meas[meas["PARAMCD"] == p].pivot(index="USUBJID", columns="AVISIT", values="AVAL")
                .reindex(ids))
        segments = [c for c in ax.collections if c.__class__.__name__ == "LineCollection"]
        assert len(segments) == 1
        segs = np.array(segments[0].get_segments())
        assert segs.shape == (len(pick), 2, 2)
        want = wide[["BASELINE", "WEEK 16"]].to_numpy()[pick]
        assert np.array_equal(segs[:, 0, 1], want[:, 0]) and np.array_equal(segs[:, 1, 1], want[:, 1])
        assert len(ax.lines) < 20  # boxes and whiskers, not one line per patient
        flat = {float(y) for ln in ax.lines for y in ln.get_ydata()}
        for visit in ("BASELINE", "WEEK 16"):  # median and quartiles of every patient
            for q in (0.25, 0.5, 0.75):
                assert float(np.quantile(wide[visit], q)) in flat


def test_large_group_correlation_is_a_2d_histogram_with_the_full_data_line(captured, tmp_path):
    n = 2500
    dataset = big_cohort(n, seed=1)
    ard = study.run(dataset)
    figs.correlation_figure(ard, dataset, tmp_path)
    (_, fig), = captured
    ax = fig.axes[0]
    hexes = [c for c in ax.collections if c.__class__.__name__ == "PolyCollection"]
    assert len(hexes) == 1
    assert hexes[0].get_array().sum() == n  # every patient in some cell
    assert not [c for c in ax.collections if c.__class__.__name__ == "PathCollection"]
    ref = add_improvement_rate(dataset["measurements"])
    ref = ref[ref["AVISIT"] == "WEEK 16"].pivot(index="USUBJID", columns="PARAMCD", values="IMPRATE")
    subj = dataset["subjects"]
    ref = ref.reindex(sorted(subj.loc[subj["TACGRP"] == "TAC_ONLY", "USUBJID"])).dropna()
    slope, icept = np.polyfit(ref["EASI"], ref["EASIHN"], 1)
    line = ax.lines[0]
    x0, x1 = ref["EASI"].min(), ref["EASI"].max()
    assert np.allclose(line.get_xdata(), [x0, x1])
    assert np.allclose(line.get_ydata(), [icept + slope * x0, icept + slope * x1])


def test_hexagons_under_min_cell_are_not_drawn(captured, tmp_path):
    from analysis.report.manuscript import suppression_sums
    from analysis.report.suppress import suppress

    dataset = big_cohort(2500, seed=2)
    ard = suppress(study.run(dataset), 5, suppression_sums("matsutani2021", study.run(dataset)))
    figs.correlation_figure(ard, dataset, tmp_path)
    (_, fig), = captured
    counts = fig.axes[0].collections[0].get_array()
    assert counts.min() >= 5
    assert "cells under 5 not drawn" in fig.axes[1].get_ylabel()
