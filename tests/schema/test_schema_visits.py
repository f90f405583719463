"""Visit order: the vectorised running maximum against a plain per-patient loop."""

from __future__ import annotations

import math

import numpy as np

from analysis.schema.visits import _earlier_max, window


def naive(ids, weeks, days):
    out = []
    for i, w in zip(ids, weeks):
        earlier = [d for j, v, d in zip(ids, weeks, days) if j == i and v < w]
        out.append(max(earlier) if earlier else math.nan)
    return np.array(out, dtype=float)


def test_earlier_max_matches_a_loop():
    rng = np.random.default_rng(7)
    for _ in range(50):
        n = int(rng.integers(1, 40))
        ids = rng.integers(0, 6, n)
        weeks = rng.choice([0.0, 4.0, 16.0, 52.0], n)
        days = rng.integers(-40, 400, n).astype(float)
        np.testing.assert_array_equal(_earlier_max(ids, weeks, days), naive(ids, weeks, days))


def test_windows_from_contract_and_default():
    assert window(0) == (-30, 1) and window(52) == (300, 430)
    # week 8: nominal day 57, half-width max(21, 14) = 21
    assert window(8) == (36, 78)
    # week 100: nominal day 701, half-width 0.25 * 700 = 175
    assert window(100) == (526, 876)
