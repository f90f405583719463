"""describe.summarize / count_percent against hand arithmetic and R's quantile type 7."""

import math

import numpy as np
import pytest

from analysis.stats.describe import count_percent, summarize


def test_summarize_hand_worked():
    # x = 2, 4, 4, 5, 7, 9 (plus two missing). Hand arithmetic:
    # mean = 31/6 = 5.1667; SS = sum((x-mean)^2) = 30.8333; sd = sqrt(30.8333/5) = 2.4833
    # type 7 quartiles: h = (n-1)p + 1 -> Q1 at h = 2.25: 4 + 0.25*(4-4) = 4.0;
    # median at h = 3.5: (4+5)/2 = 4.5; Q3 at h = 4.75: 5 + 0.75*(7-5) = 6.5.
    # R: quantile(c(2,4,4,5,7,9)) gives 2.00 4.00 4.50 6.50 9.00 (type 7 default).
    s = summarize([2, 4, np.nan, 4, 5, None, 7, 9])
    assert s["n"] == 6 and s["n_missing"] == 2
    assert s["mean"] == pytest.approx(31 / 6)
    assert s["sd"] == pytest.approx(math.sqrt((30 + 5 / 6) / 5))
    assert (s["q1"], s["median"], s["q3"]) == pytest.approx((4.0, 4.5, 6.5))
    assert (s["min"], s["max"]) == (2.0, 9.0)


def test_summarize_edge_cases():
    one = summarize([3.0])
    assert one["n"] == 1 and one["mean"] == 3.0 and math.isnan(one["sd"])  # SD needs 2 values
    empty = summarize([np.nan, np.nan])
    assert empty["n"] == 0 and empty["n_missing"] == 2 and math.isnan(empty["mean"])
    const = summarize([5, 5, 5])
    assert const["sd"] == 0.0


def test_summarize_rejects_text_and_infinity():
    with pytest.raises(ValueError):
        summarize(["a", "b"])
    with pytest.raises(ValueError):
        summarize([1.0, np.inf])


def test_count_percent():
    assert count_percent(3, 12) == {"count": 3, "percent": 25.0}
    assert math.isnan(count_percent(0, 0)["percent"])
    with pytest.raises(ValueError):
        count_percent(5, 3)
    with pytest.raises(ValueError):
        count_percent(1.5, 3)
