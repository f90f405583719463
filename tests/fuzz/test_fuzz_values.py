"""Random values in tables of the right shape: out of range, NaN, inf, huge, unicode, duplicates.

Tables carry the contract's columns with values drawn half from the valid domain and
half from a hostile one, with subject ids drawn from a small pool (so keys repeat and
measurements point at unknown subjects). Three routes: straight into ``validate`` as
in-memory frames with mixed Python types (what Excel/Parquet readers can hand over),
through a CSV folder, and through Parquet files. ``validate`` must always return a
report; a table of only valid values must raise no type error.
"""

from __future__ import annotations

import datetime
import math

import numpy as np
import pandas as pd
from hypothesis import given, strategies as st

from analysis.io import Dataset
from analysis.schema.contract import CONTRACT, PARAMS, VISITS
from tests.fuzz._harness import FUZZ_SMALL, FUZZ_VALUES, check_report, cli_validate, load_and_validate, workdir

IDS = ["001", "002", "003", " 001", "1", "", "\u00e9\u00e8\u4e2d", "x" * 300]

hostile = st.one_of(
    st.sampled_from([None, float("nan"), float("inf"), float("-inf"), 1e308, -1e308, 2**63,
                     -(2**70), 0, -1, "", " ", "NA", "\u0000", "\u202e", "😀", "x" * 5000,
                     True, False, "1e999", "0x10", "1_000", "٣", datetime.date(1, 1, 1),
                     pd.Timestamp("2262-04-11"), "2019-13-45", "WEEK -4", "week 16",
                     "BASELINE ", "WEEK 0999"]),
    st.text(max_size=20),
    st.floats(),
    st.integers(),
)


def valid(column) -> st.SearchStrategy:
    """Values a column accepts (roughly: ranges are per PARAMCD for AVAL)."""
    name, kind = column.name, column.dtype
    if name == "USUBJID":
        return st.sampled_from(IDS[:3])
    if name == "PARAMCD":
        return st.sampled_from(list(column.codes))
    if name == "AVISIT":
        return st.sampled_from(list(VISITS))
    if name == "AVAL":
        # 1-4 in whole points is inside every scale (TARC > 0, IGA 0-4) and TTE days.
        return st.integers(1, 4).map(float)
    if column.codes:
        return st.sampled_from(list(column.codes))
    if kind in ("int", "float"):
        lo = -1e3 if column.min is None else column.min
        hi = 1e4 if column.max is None else column.max
        number = st.floats(lo, hi, allow_nan=False)
        return number.map(round) if kind == "int" else number
    if kind == "date":
        return st.dates(datetime.date(2000, 1, 1), datetime.date(2030, 1, 1)).map(str)
    return st.text(max_size=12)


@st.composite
def table(draw, name: str, hostility: float):
    spec = CONTRACT[name]
    columns = [c for c in spec.columns if c.required or draw(st.booleans())]
    n = draw(st.integers(0 if not spec.required else 1, 5))
    data = {}
    for column in columns:
        cells = []
        for _ in range(n):
            bad = draw(st.floats(0, 1)) < hostility
            cells.append(draw(hostile if bad else valid(column)))
        data[column.name] = pd.Series(cells, dtype=object)
    return pd.DataFrame(data)


@st.composite
def dataset_tables(draw, hostility: float = 0.3):
    names = ["subjects", "measurements"] + [t for t in ("topicals", "events", "tte")
                                             if draw(st.booleans())]
    return {n: draw(table(n, hostility)) for n in names}


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    def cell(v):
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return ""
        return str(v)
    return frame.apply(lambda s: s.map(cell)) if len(frame.columns) else frame


def _float_like(v) -> bool:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return False
    try:
        float(v)
    except OverflowError:  # an int beyond float range stays text
        return False
    return True


@FUZZ_VALUES
@given(tables=dataset_tables())
def test_validate_in_memory_mixed_types(tables):
    ds = Dataset(tables, sources={n: f"{n}.csv" for n in tables}, name="fuzz")
    check_report(ds, also_raise=True)


@FUZZ_VALUES
@given(tables=dataset_tables())
def test_csv_folder_of_random_values(tables):
    with workdir() as d:
        for name, frame in tables.items():
            _as_text(frame).to_csv(d / f"{name}.csv", index=False, encoding="utf-8")
        load_and_validate(d)


@FUZZ_SMALL
@given(tables=dataset_tables(), typed=st.booleans())
def test_parquet_folder_of_random_values(tables, typed):
    with workdir() as d:
        for name, frame in tables.items():
            out = _as_text(frame)
            if typed:
                # Columns of only numbers go in as float64 (NaN, inf and 1e308 kept as such).
                for c in frame.columns:
                    cells = frame[c].dropna()
                    if all(_float_like(v) for v in cells):
                        out[c] = frame[c].astype("float64")
            out.to_parquet(d / f"{name}.parquet", index=False)
        load_and_validate(d)


@FUZZ_SMALL
@given(tables=dataset_tables(hostility=0.0))
def test_valid_values_give_no_type_errors(tables):
    """With hostility 0 every cell is in its column's domain: no type/code/date errors.

    Key and cross-table rules are not controlled here, so only per-cell rules are asserted.
    """
    ds = Dataset(tables, sources={n: f"{n}.csv" for n in tables}, name="fuzz")
    report = check_report(ds)
    cell_rules = {"type", "code", "date", "integer", "range"}
    bad = [p for p in report.errors if p.rule in cell_rules]
    assert not bad, bad[:3]


@FUZZ_SMALL
@given(tables=dataset_tables())
def test_cli_validate_on_random_values(tables):
    with workdir() as d:
        for name, frame in tables.items():
            _as_text(frame).to_csv(d / f"{name}.csv", index=False)
        code, out, err = cli_validate(d)
        assert "Traceback" not in out + err


def test_duplicate_keys_and_extremes_are_reported_not_raised():
    """A hand-made worst case: every hostile kind in one dataset, with the rules it must hit."""
    subjects = pd.DataFrame({"USUBJID": ["001", "001", "x" * 5000],
                             "SEX": ["F", "Q", None], "AGE": [float("inf"), -1, "1e999"]})
    meas = pd.DataFrame({"USUBJID": ["001", "001", "404"], "PARAMCD": ["EASI", "EASI", "EASI"],
                         "AVISIT": ["BASELINE", "BASELINE", "WEEK 16"],
                         "AVAL": [np.nan, 1e308, float("-inf")]})
    ds = Dataset({"subjects": subjects, "measurements": meas},
                 sources={"subjects": "subjects.csv", "measurements": "measurements.csv"})
    report = check_report(ds)
    rules = set(report.counts["error"])
    # Expected by the contract (analysis/schema/contract.py): a repeated USUBJID, a code
    # outside M/F, AGE outside 0-120, a measurement of an unknown subject.
    assert {"code", "range"} <= rules, rules
    assert any("duplicate" in r or "key" in r for r in rules), rules
    assert any("unknown" in r or "orphan" in r for r in rules), rules
