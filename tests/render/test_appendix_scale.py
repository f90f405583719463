"""The data appendix at scale: grouped from codes, same figure and table as before.

The references below are ``analysis/report/distributions.py`` and
``appendix.missingness_table`` at commit 09cd426, verbatim but for their names: text
comparisons per parameter and visit, and a pandas groupby on the text columns
(17 s and 9 s at a million patients). The new code must give, and draw the same bars and boxes, on random datasets with missing
codes, visits or values, duplicate rows, missing ids, categorical columns, odd visit
labels and rows in any order. (The PNG bytes differ on purpose: long scale names in the
panel titles are now wrapped instead of cut.)
"""

from __future__ import annotations

import types
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from tabulate import tabulate  # noqa: E402

from analysis.io.dataset import Dataset  # noqa: E402
from analysis.report import aggregate  # noqa: E402
from analysis.report.appendix import missingness_table  # noqa: E402
from analysis.report.distributions import distributions_figure  # noqa: E402
from analysis.report.figsave import save_png  # noqa: E402
from analysis.report.suppress import pair_text  # noqa: E402
from analysis.schema.contract import PARAMS  # noqa: E402


# ------------------------------------------ reference: distributions.py at 09cd426

def ref_visit_order(visits) -> list[str]:
    def key(v: str):
        tail = v.split()[-1]
        return (v != "BASELINE", int(tail) if tail.isdigit() else 0)

    return sorted(visits, key=key)


def ref_histogram(ax, values: pd.Series, title: str, min_cell: int, bins: int = 20) -> None:
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


def ref_boxes_by_visit(ax, meas: pd.DataFrame, paramcd: str) -> None:
    sub = meas.loc[meas["PARAMCD"] == paramcd, ["AVISIT", "AVAL"]].dropna()
    stats = []
    for visit in ref_visit_order(sub["AVISIT"].unique()):
        v = sub.loc[sub["AVISIT"] == visit, "AVAL"].to_numpy(dtype=float)
        q1, med, q3 = np.percentile(v, [25, 50, 75])
        stats.append({"label": visit.title().replace("Week ", "W"), "med": med, "q1": q1,
                      "q3": q3, "whislo": v.min(), "whishi": v.max(), "fliers": []})
    if not stats:
        ax.set_axis_off()
        return
    ax.bxp(stats, showfliers=False)
    label = PARAMS[paramcd].label if paramcd in PARAMS else paramcd
    ax.set_title(f"{paramcd}: {label[:38]}", fontsize=8)
    ax.tick_params(labelsize=7)


def ref_distributions_figure(dataset, out_dir: Path, min_cell: int = 0) -> list[Path]:
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
    params = [] if meas is None else [p for p in PARAMS if (meas["PARAMCD"] == p).any()]
    age_panels = [c for c in ("AGE", "AGEDIAG") if c in subjects and subjects[c].notna().any()]
    n_panels = len(age_panels) * 2 + len(params)
    ncols = 3
    nrows = max(1, -(-n_panels // ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(7.5, 2.1 * nrows), squeeze=False)
    flat = list(axes.ravel())
    titles = {"AGE": "Age at dupilumab start", "AGEDIAG": "Age at diagnosis"}
    for column in age_panels:
        for sex, name in (("M", "men"), ("F", "women")):
            ref_histogram(flat.pop(0), subjects.loc[subjects["SEX"] == sex, column],
                       f"{titles[column]}, {name} (years)", min_cell)
    for p in params:
        ref_boxes_by_visit(flat.pop(0), meas, p)
    for ax in flat:
        ax.set_axis_off()
    fig.tight_layout()
    return save_png(fig, out_dir, "data_distributions")


# ------------------------------------ reference: appendix.missingness_table at 09cd426

def ref_missingness_table(ctx, params=None, visits=None) -> str:
    meas = ctx.dataset.tables.get("measurements")
    n_all = ctx.n_patients
    if meas is None or meas.empty or not n_all:
        return "No measurements were supplied."
    have = meas.dropna(subset=["AVAL"]).groupby(["PARAMCD", "AVISIT"])["USUBJID"].nunique()
    params = params or sorted(meas["PARAMCD"].dropna().unique())
    visits = visits or sorted(meas["AVISIT"].dropna().unique(),
                              key=lambda v: (v != "BASELINE", int(v.split()[-1])
                                             if v.split()[-1].isdigit() else 0))
    rows = []
    for p in params:
        row = [p]
        for v in visits:
            row.append(pair_text(int(have.get((p, v), 0)), n_all, ctx.min_cell))
        rows.append(row)
    return tabulate(rows, headers=["Parameter", *[v.title() for v in visits]], tablefmt="pipe",
                    disable_numparse=True)


# ----------------------------------------------------------------------------- data

def random_dataset(seed: int) -> Dataset:
    rng = np.random.default_rng(seed)
    n = int(rng.choice([1, 2, 5, 30, 120]))
    ids = np.array([f"P{i:03d}" for i in range(n)], dtype=object)
    subjects = pd.DataFrame({"USUBJID": ids, "SEX": rng.choice(["M", "F", None], n),
                             "AGE": rng.integers(18, 90, n).astype(float)})
    if rng.random() < 0.5:
        subjects["AGEDIAG"] = np.where(rng.random(n) < 0.2, np.nan, rng.integers(0, 40, n))
    params = list(rng.choice(list(PARAMS), int(rng.integers(1, 6)), replace=False))
    visits = ["BASELINE", "WEEK 4", "WEEK 16", "WEEK 52"]
    if rng.random() < 0.3:
        visits += ["WEEK 04", "WEEK 0"]  # sort like other visits: table order decides
    m = int(rng.integers(1, 8 * n + 2))
    meas = pd.DataFrame({
        "USUBJID": rng.choice(np.r_[ids, [None]], m),
        "PARAMCD": rng.choice(np.r_[np.array(params, dtype=object), [None]], m),
        "AVISIT": rng.choice(np.r_[np.array(visits, dtype=object), [None]], m),
        "AVAL": np.where(rng.random(m) < 0.15, np.nan, rng.integers(0, 30, m).astype(float)),
    })
    if rng.random() < 0.3:  # duplicate rows: one patient counted once
        meas = pd.concat([meas, meas.sample(frac=0.3, random_state=seed)], ignore_index=True)
    if rng.random() < 0.3:
        for c in ("USUBJID", "PARAMCD", "AVISIT"):
            meas[c] = meas[c].astype("category")
    return Dataset(tables={"subjects": subjects, "measurements": meas}, name=f"seed{seed}")


# ---------------------------------------------------------------------------- tests

@pytest.mark.parametrize("seed", range(30))
@pytest.mark.parametrize("min_cell", [0, 5])
def test_missingness_table_matches_the_groupby(seed, min_cell):
    ds = random_dataset(seed)
    ctx = types.SimpleNamespace(dataset=ds, n_patients=ds.n_subjects(), min_cell=min_cell)
    aggregate._LAST.clear()
    assert missingness_table(ctx) == ref_missingness_table(ctx)


def drawn(make, dataset, out_dir, monkeypatch, **kw):
    """What a distributions figure draws: each panel's title code, bars, boxes."""
    import matplotlib.axes

    calls = []
    real_bar, real_bxp = matplotlib.axes.Axes.bar, matplotlib.axes.Axes.bxp

    def bar(self, x, height, *a, **k):
        calls.append(("bar", np.asarray(x).tolist(), np.asarray(height).tolist()))
        return real_bar(self, x, height, *a, **k)

    def bxp(self, stats, *a, **k):
        calls.append(("bxp", [{key: (float(v) if np.ndim(v) == 0 and not isinstance(v, str) else v)
                               for key, v in st.items() if key != "fliers"} for st in stats]))
        return real_bxp(self, stats, *a, **k)

    monkeypatch.setattr(matplotlib.axes.Axes, "bar", bar)
    monkeypatch.setattr(matplotlib.axes.Axes, "bxp", bxp)
    titles = []
    monkeypatch.setattr(matplotlib.axes.Axes, "set_title",
                        lambda self, t, *a, **k: titles.append(t.split(":")[0]))
    paths = make(dataset, out_dir, **kw)
    monkeypatch.undo()
    return [p.name for p in paths], calls, titles


@pytest.mark.parametrize("seed", [0, 3, 7, 12, 21, 33])
def test_distributions_figure_draws_what_the_text_comparisons_drew(seed, tmp_path, monkeypatch):
    """Same bars, same boxes (median, quartiles, range), same panels; the titles are now
    wrapped instead of cut, so the PNG bytes differ on purpose."""
    ds = random_dataset(seed)
    aggregate._LAST.clear()
    got = drawn(distributions_figure, ds, tmp_path / "new", monkeypatch, min_cell=5)
    want = drawn(ref_distributions_figure, ds, tmp_path / "old", monkeypatch, min_cell=5)
    assert got == want
    assert any(c[0] == "bxp" for c in got[1]) or not ds["measurements"]["AVAL"].notna().any()


@pytest.mark.parametrize("study", ["matsutani2021", "ferrucci2022"])
def test_reference_cohorts_same_appendix(study, tmp_path, monkeypatch):
    from analysis.io import load_dataset
    from analysis.paths import reference_dir

    ds = load_dataset(reference_dir(study))
    ctx = types.SimpleNamespace(dataset=ds, n_patients=ds.n_subjects(), min_cell=0)
    assert missingness_table(ctx) == ref_missingness_table(ctx)
    assert drawn(distributions_figure, ds, tmp_path / "new", monkeypatch) == \
        drawn(ref_distributions_figure, ds, tmp_path / "old", monkeypatch)


def test_long_scale_names_are_wrapped_not_cut(tmp_path, monkeypatch):
    from analysis.io import load_dataset
    from analysis.paths import reference_dir
    import matplotlib.axes

    titles = []
    real = matplotlib.axes.Axes.set_title
    monkeypatch.setattr(matplotlib.axes.Axes, "set_title",
                        lambda self, t, *a, **k: titles.append(t) or real(self, t, *a, **k))
    distributions_figure(load_dataset(reference_dir("ferrucci2022")), tmp_path)
    snrs = next(t for t in titles if t.startswith("SNRS"))
    assert snrs == "SNRS: Sleep-disturbance numerical\nrating scale"
    assert all(len(line) <= 34 for t in titles if ":" in t for line in t.split("\n"))


def test_groups_hand_worked():
    """Two patients, EASI: baseline 3 and 2 (+ a duplicate of patient a, + a missing
    value), week 4 only a: counts 2 and 1, values in table order."""
    m = pd.DataFrame({"USUBJID": ["a", "b", "a", "b", "a"],
                      "PARAMCD": ["EASI"] * 5,
                      "AVISIT": ["BASELINE", "BASELINE", "WEEK 4", "WEEK 4", "BASELINE"],
                      "AVAL": [3.0, 2.0, 1.0, np.nan, 3.0]})
    aggregate._LAST.clear()
    groups = aggregate.measurement_groups(Dataset({"measurements": m}))
    got = [(g.param, g.visit, g.first_row, g.n_values, g.n_patients, g.q1, g.median, g.q3,
            g.min, g.max) for g in groups]
    # baseline 3, 2, 3: sorted 2, 3, 3 -> q1 at position 0.5 = 2.5, median 3, q3 3
    assert got == [("EASI", "BASELINE", 0, 3, 2, 2.5, 3.0, 3.0, 2.0, 3.0),
                   ("EASI", "WEEK 4", 2, 1, 1, 1.0, 1.0, 1.0, 1.0, 1.0)]
