"""The data appendix's distributions figure, drawn from aggregates."""

import numpy as np
import pandas as pd
from PIL import Image

from analysis.io.dataset import Dataset
from analysis.report.distributions import _visit_order, distributions_figure
from cohort_csv import read_hand


def test_figure_written_for_hand_cohort(tmp_path):
    paths = distributions_figure(read_hand(), tmp_path)
    assert [p.name for p in paths] == ["data_distributions.png"]
    width, height = Image.open(paths[0]).size
    assert width > 500 and height > 200


def test_no_subjects_no_figure(tmp_path):
    empty = Dataset(tables={"subjects": pd.DataFrame(columns=["USUBJID", "SEX", "AGE"])})
    assert distributions_figure(empty, tmp_path) == []


def test_visits_in_study_order():
    assert _visit_order(["WEEK 52", "WEEK 4", "BASELINE", "WEEK 16"]) == [
        "BASELINE", "WEEK 4", "WEEK 16", "WEEK 52"]


def test_small_bins_hidden(tmp_path, monkeypatch):
    """With min_cell=5, a bin holding 2 patients must be drawn with height 0.

    Hand-made: 10 men aged 30 and 2 aged 80 -> the bin at 80 holds 2 (< 5).
    """
    import matplotlib.axes

    heights = []
    real_bar = matplotlib.axes.Axes.bar

    def spy(self, x, height, *a, **k):
        heights.append(np.asarray(height))
        return real_bar(self, x, height, *a, **k)

    monkeypatch.setattr(matplotlib.axes.Axes, "bar", spy)
    subjects = pd.DataFrame({"USUBJID": [str(i) for i in range(12)], "SEX": "M",
                             "AGE": [30.0] * 10 + [80.0] * 2})
    distributions_figure(Dataset(tables={"subjects": subjects}), tmp_path, min_cell=5)
    men = heights[0]
    assert men.max() == 10 and 2 not in men.tolist()
