"""Figure text must not collide: no two tick labels of an axis overlap.

Ferrucci's EASI-band figure (Figure 6 of the manuscript) had two long group names as
x tick labels that ran into each other; they are now "Yes"/"No" under an axis title.
Every figure of both studies is drawn from its reference cohort (and the band figure
also with million-patient group sizes, whose "(n = ...)" labels are the widest) and
the drawn tick labels must not touch (see :func:`_collisions`).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from analysis.report import ferrucci2022_figures as ffigs  # noqa: E402
from analysis.report import matsutani2021_figures as mfigs  # noqa: E402


def _collisions(fig) -> list:
    """Pairs of tick labels of one axis that touch: overlapping boxes, or, when a label
    has several words, less than one em apart along the axis (a word space is about a
    third of an em, so closer labels read as one phrase: the old band labels stood 6 px
    apart at 10 pt and 100 dpi, 0.43 em). Single numbers such as the trajectories'
    weeks "0" and "4" (7 px apart) only must not overlap."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    found = []
    for ax in fig.axes:
        for axis, along in ((ax.xaxis, 0), (ax.yaxis, 1)):
            labels = [t for t in axis.get_ticklabels() if t.get_visible() and t.get_text()]
            boxes = [t.get_window_extent(renderer).get_points() for t in labels]
            for i in range(len(labels)):
                for j in range(i + 1, len(labels)):
                    (a0, a1), (b0, b1) = boxes[i], boxes[j]
                    gap = max(b0[along] - a1[along], a0[along] - b1[along])
                    across = min(a1[1 - along], b1[1 - along]) - max(a0[1 - along], b0[1 - along])
                    words = " " in labels[i].get_text() or " " in labels[j].get_text()
                    em = labels[i].get_fontsize() * fig.dpi / 72
                    if across > 0 and gap < (em if words else 0):
                        found.append((labels[i].get_text(), labels[j].get_text()))
    return found


@pytest.fixture
def drawn(monkeypatch):
    figs = []

    def keep(fig, out_dir, stem):
        figs.append((stem, fig))
        return [Path(out_dir) / f"{stem}.png"]

    for module in (ffigs, mfigs):
        monkeypatch.setattr(module, "save_png", keep)
    yield figs
    for _, fig in figs:
        plt.close(fig)


def _ard(study):
    from analysis.io import load_dataset
    from analysis.paths import reference_dir
    from analysis.studies import get

    dataset = load_dataset(reference_dir(study))
    return dataset, get(study).run(dataset)


def test_ferrucci_figures_have_no_overlapping_tick_labels(drawn, tmp_path):
    _, ard = _ard("ferrucci2022")
    ffigs.all_figures(ard, tmp_path)
    assert len(drawn) >= 6
    for stem, fig in drawn:
        assert _collisions(fig) == [], stem


@pytest.mark.parametrize("analysis,draw", [
    ("easi_bands_w4_by_tacbl", ffigs.figure1_easi_bands),
    ("table2", ffigs.topical_shares_figure),
])
def test_group_size_labels_fit_with_a_million_patients(drawn, tmp_path, analysis, draw):
    _, ard = _ard("ferrucci2022")
    ard = ard.copy()
    rows = ard["analysis"] == analysis
    ard.loc[rows, "n"] = ard.loc[rows, "n"] * 3000  # six-digit group sizes, as at 1e6
    counts = rows & (ard["statistic"] == "n")
    ard.loc[counts, "value"] = ard.loc[counts, "value"] * 3000
    draw(ard, tmp_path)
    (stem, fig), = drawn
    assert all("(n = " in t.get_text() and len(t.get_text().split("= ")[1]) >= 7
               for t in fig.axes[0].get_xticklabels())
    assert _collisions(fig) == []


def test_band_figure_says_what_its_groups_are(drawn, tmp_path):
    _, ard = _ard("ferrucci2022")
    ffigs.figure1_easi_bands(ard, tmp_path)
    (stem, fig), = drawn
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert labels == ["Yes\n(n = 54)", "No\n(n = 226)"]
    assert fig.axes[0].get_xlabel() == "Tacrolimus ointment at baseline"


def test_matsutani_figures_have_no_overlapping_tick_labels(drawn, tmp_path):
    dataset, ard = _ard("matsutani2021")
    mfigs.figures(ard, dataset, tmp_path)
    assert [s for s, _ in drawn] == ["matsutani2021_flow", "matsutani2021_paired",
                                     "matsutani2021_correlation"]
    for stem, fig in drawn:
        assert _collisions(fig) == [], stem
