"""Strict frame comparison for the fast-path equivalence tests.

``pandas.testing.assert_frame_equal`` treats ``None`` and ``NaN`` in object columns as
equal; the fast paths must keep them apart as the replaced code did, so object cells
are also compared by kind (None, float NaN, or the value and its type).
"""

from __future__ import annotations

import math

import pandas as pd


def _cell(v):
    if v is None:
        return ("None",)
    if isinstance(v, float) and math.isnan(v):
        return ("nan", type(v).__name__)
    if v is pd.NA:
        return ("NA",)
    return ("value", type(v).__name__, v)


def assert_same_frame(got: pd.DataFrame, want: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(got, want, check_exact=True, check_index_type=True,
                                  check_column_type=True, check_categorical=True,
                                  check_names=True, check_flags=True)
    for col in want.columns:
        if want[col].dtype == object:
            assert [_cell(v) for v in got[col]] == [_cell(v) for v in want[col]], col
    assert got.index.name == want.index.name and got.columns.name == want.columns.name


def assert_same_series(got: pd.Series, want: pd.Series) -> None:
    pd.testing.assert_series_equal(got, want, check_exact=True, check_index_type=True,
                                   check_categorical=True, check_names=True)
    if want.dtype == object:
        assert [_cell(v) for v in got] == [_cell(v) for v in want]
