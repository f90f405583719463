"""``derive.categories.yn``, ``equals`` and ``combination`` (decided once per distinct
value or bit pattern, spread by integer code) give exactly what the code they
replaced gave, on random and edge-case inputs: object and categorical columns,
None/NaN/pd.NA, blanks, numbers and booleans mixed in, empty, one row, duplicate
row labels, named series.

References: ``yn``, ``equals``, ``combination`` and ``band`` verbatim from
analysis/derive/categories.py at commit c4b3bb8.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from analysis.derive.categories import EASI_BANDS, band, combination, equals, yn
from tests.derive._compare import assert_same_series

CHECK = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def ref_yn(values) -> pd.Series:  # c4b3bb8
    s = pd.Series(values, dtype=object)
    return s.map({"Y": 1.0, "N": 0.0}).astype(float)


def ref_equals(values, code) -> pd.Series:  # c4b3bb8
    s = pd.Series(values, dtype=object)
    codes, labels = pd.factorize(s)
    filled = np.array([str(v).strip() != "" for v in labels] + [False], dtype=bool)
    present = pd.Series(filled[codes], index=s.index)
    return (s == code).astype(float).where(present)


def ref_combination(flags: dict) -> pd.Series:  # c4b3bb8
    frame = pd.DataFrame(flags)
    labels = pd.Series("", index=frame.index, dtype=object)
    for name in frame.columns:
        on = frame[name] == 1
        labels = labels.where(~on, labels.where(labels == "", labels + "+") + name)
    labels = labels.where(labels != "", "NONE")
    return labels.where(frame.notna().all(axis=1), np.nan)


cells = st.one_of(
    st.sampled_from(["Y", "N", "F", "M", "RELAPSING", "PERSISTENT", "", " ", "y", "Y ", "NONE"]),
    st.none(), st.just(float("nan")), st.just(pd.NA),
    st.integers(-2, 2), st.booleans(), st.floats(allow_nan=False, allow_infinity=False),
)
text_only = st.one_of(st.sampled_from(["Y", "N", "F", "M", "", " ", "RELAPSING"]),
                      st.none(), st.just(float("nan")))


@st.composite
def columns(draw):
    values = draw(st.lists(draw(st.sampled_from([cells, text_only])), max_size=30))
    index = draw(st.sampled_from(["range", "text", "duplicated"]))
    labels = {"range": None, "text": [f"P{i}" for i in range(len(values))],
              "duplicated": ["P"] * len(values)}[index]
    s = pd.Series(values, dtype=object, index=labels, name=draw(st.sampled_from([None, "SEX"])))
    if draw(st.booleans()):  # categorical (only text cells: what a reader would make)
        s = pd.Series([v if isinstance(v, str) else None for v in values], dtype=object,
                      index=s.index, name=s.name).astype("category")
    return s


@CHECK
@given(s=columns(), code=st.sampled_from(["Y", "N", "F", "RELAPSING", "", "absent"]),
       as_list=st.booleans())
def test_yn_and_equals_match_the_per_row_code(s, code, as_list):
    arg = list(s) if as_list else s
    assert_same_series(yn(arg), ref_yn(arg))
    assert_same_series(equals(arg, code), ref_equals(arg, code))


flag_values = st.sampled_from([1.0, 0.0, np.nan, 2.0, -1.0, np.inf])


@st.composite
def flag_sets(draw):
    n = draw(st.integers(0, 20))
    k = draw(st.integers(1, 4))
    index = draw(st.sampled_from([None, [f"P{i}" for i in range(n)], ["P"] * n]))
    shared = pd.RangeIndex(n) if index is None else pd.Index(index, name="USUBJID")
    names = draw(st.permutations(["FACE", "HANDS", "GENITALIA", "NECK"]))[:k]
    flags = {}
    for name in names:
        vals = draw(st.lists(flag_values, min_size=n, max_size=n))
        own = draw(st.sampled_from(["shared", "copy", "other"]))
        idx = {"shared": shared, "copy": shared.copy(),
               "other": shared[::-1] if n > 1 else shared.rename("other")}[own]
        flags[name] = pd.Series(vals, index=idx, dtype=float)
    return flags


@CHECK
@given(flags=flag_sets())
def test_combination_matches_the_per_flag_code(flags):
    try:
        want = ref_combination(flags)
    except Exception as err:  # noqa: BLE001 - e.g. duplicate labels that cannot align
        try:
            combination(flags)
        except Exception as mine:  # noqa: BLE001
            assert type(mine) is type(err)
            return
        raise AssertionError(f"reference raised {err!r}, new code did not")
    assert_same_series(combination(flags), want)


def test_hand_examples_still_hold():
    assert yn(pd.Series(["Y", "N", None, ""], dtype="category")).tolist()[:2] == [1.0, 0.0]
    assert equals(pd.Series(["M", "F", None], dtype="category"), "F").tolist()[:2] == [0.0, 1.0]
    f = {"FACE": pd.Series([1.0, 0.0, 1.0]), "HANDS": pd.Series([1.0, 0.0, None])}
    assert combination(f).tolist()[:2] == ["FACE+HANDS", "NONE"]


def ref_band(values, bands) -> pd.Series:  # c4b3bb8
    x = pd.Series(values, dtype=float)
    uppers = np.array([u for _, u in bands], dtype=float)
    labels = np.array([lab for lab, _ in bands], dtype=object)
    if (x.dropna() > uppers[-1]).any() or (x.dropna() < 0).any():
        raise ValueError(f"value outside the banded range 0-{uppers[-1]:g}")
    idx = np.searchsorted(uppers, x.to_numpy(), side="left")
    out = pd.Series(np.where(x.isna(), None, labels[np.minimum(idx, len(labels) - 1)]),
                    index=x.index, dtype=object)
    return out.where(x.notna(), np.nan)


@CHECK
@given(values=st.lists(st.one_of(st.floats(-1, 80), st.sampled_from([0.0, 1.0, 7.0, 21.0, 72.0]),
                                 st.just(float("nan"))), max_size=30),
       labelled=st.booleans())
def test_band_matches_the_replaced_code(values, labelled):
    s = pd.Series(values, dtype=float, index=[f"P{i}" for i in range(len(values))] if labelled else None)
    try:
        want = ref_band(s, EASI_BANDS)
    except ValueError as err:
        with pytest.raises(ValueError, match="outside"):
            band(s, EASI_BANDS)
        assert "outside" in str(err)
        return
    assert_same_series(band(s, EASI_BANDS), want)
