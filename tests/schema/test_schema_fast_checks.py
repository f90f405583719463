"""The vectorised validation reports what the pandera / per-row version reported.

Reference: ``analysis.schema`` of commit 09cd426, kept verbatim in
``tests/schema/reference`` (pandera ``DataFrameSchema`` for the column rules, pandas
``duplicated``/``isin``/``lexsort`` per row for keys, subjects and visit order).
Both run on the same random datasets, built by hand (object columns of mixed
cells, floats, NaN/None, repeated keys, unknown subjects, days out of order) or
read from CSV files by ``load_dataset`` (text columns then come with their codes).

Listing order is not compared: the reference listed problems in the order of an
unstable sort inside pandera (``sort_values`` with quicksort over equal keys); the
new code lists them column by column in contract order, rows in file order. With
every problem listed (a large ``limit``), the listings must hold the same problems;
with the default limit the counts and the per-rule totals must agree.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings, strategies as st

from analysis.io import load_dataset
from analysis.io.dataset import Dataset
from analysis.schema import validate
from analysis.schema.visits import _earlier_max, _order_by_table
from tests.schema.reference.validate import validate as reference_validate

SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

IDS = ["01", "02", "03", "04", " 05", "99"]
TEXT = {
    "SEX": ["F", "M", "X", "f"],
    "EVALFL": ["Y", "N", "maybe"],
    "EVALRSN": ["LOST", "NON-ADHERENCE"],
    "PARAMCD": ["EASI", "IGA", "DLQI", "TARC", "PNRS", "EASIHN", "XYZ"],
    "AVISIT": ["BASELINE", "WEEK 4", "WEEK 16", "WEEK 52", "WEEK 04", "MONTH 1", "week 4"],
    "TOPICAL": ["NONE", "TCS", "TAC", "BOTH", "OTHER"],
    "AEDECOD": ["CONJUNCTIVITIS", "HERPES SIMPLEX"],
    "PARAMCD_TTE": ["TTTAC", "TTX"],
    "COURSE": ["RELAPSING", "PERSISTENT", "OTHER", "NEVER"],
}
NUMBERS = {
    "AGE": [30.0, 41.0, 150.0, -1.0, 55.5, np.inf], "AGEDIAG": [3.0, 60.0, 200.0],
    "AVISITN": [0.0, 4.0, 16.0, 52.0, 2.5, 600.0, -4.0], "ADY": [1.0, 29.0, 113.0, 365.0,
                                                               -400.0, 5000.0, 1.5, np.inf],
    "AVAL": [0.0, 3.0, 12.5, 72.0, 80.0, -1.0, 2.5, 7.3, 29.0],
    "TACSTR": [0.1, 0.03, 0.05], "ASTDY": [-3.0, 10.0, 400.0, 4000.0],
    "AVAL_TTE": [-3.0, 100.0, 400.0], "CNSR": [0.0, 1.0, 2.0],
}


def column(draw, name, n, odd):
    """n cells of a column: its own values, missing cells, and (``odd``) junk."""
    key = name if name in TEXT or name in NUMBERS else None
    pool = TEXT.get(key) or NUMBERS.get(key) or IDS
    cells = st.one_of(st.sampled_from(pool), st.none())
    if odd:
        cells = st.one_of(cells, st.sampled_from(["abc", "12,5", "", 7, True, "2019-13-01"]))
    return draw(st.lists(cells, min_size=n, max_size=n))


@st.composite
def datasets(draw):
    odd = draw(st.booleans())
    tables = {}
    shapes = {
        "subjects": ["USUBJID", "SEX", "AGE", "AGEDIAG", "EVALFL", "EVALRSN", "COURSE", "TRTSDT"],
        "measurements": ["USUBJID", "PARAMCD", "AVISIT", "AVISITN", "ADY", "AVAL"],
        "topicals": ["USUBJID", "AVISIT", "TOPICAL", "TACSTR"],
        "events": ["USUBJID", "AEDECOD", "ASTDY"],
        "tte": ["USUBJID", "PARAMCD_TTE", "AVAL_TTE", "CNSR"],
    }
    for table, names in shapes.items():
        if table != "subjects" and not draw(st.booleans()):
            continue
        n = draw(st.integers(1 if table == "subjects" else 0, 14))
        keep = [c for c in names if c == "USUBJID" or draw(st.integers(0, 4))]
        data = {}
        for name in keep:
            values = column(draw, name, n, odd)
            if name == "TRTSDT":
                values = draw(st.lists(st.sampled_from(["2019-03-04", None, "2019-02-30"]),
                                       min_size=n, max_size=n))
            target = name.replace("_TTE", "")
            if name in NUMBERS and not odd and draw(st.booleans()):
                data[target] = pd.Series(values, dtype=float)
            else:
                data[target] = pd.Series(values, dtype=object)
        tables[table] = pd.DataFrame(data, index=pd.RangeIndex(n))
    return Dataset(tables, sources={t: f"{t}.csv" for t in tables}, name="random")


def key(p) -> str:
    return json.dumps(p.to_dict(), sort_keys=True, default=str)


def assert_same_reports(dataset: Dataset) -> None:
    new, old = validate(dataset, limit=10 ** 6), reference_validate(dataset, limit=10 ** 6)
    assert sorted(map(key, new.problems)) == sorted(map(key, old.problems))
    assert new.counts == old.counts
    new, old = validate(dataset), reference_validate(dataset)
    assert new.counts == old.counts and new.ok == old.ok
    assert sorted(json.dumps(t, sort_keys=True) for t in new.truncated) == \
        sorted(json.dumps(t, sort_keys=True) for t in old.truncated)


@SETTINGS
@given(datasets())
def test_same_problems_as_the_reference_on_hand_built_datasets(dataset):
    assert_same_reports(dataset)


@SETTINGS
@given(datasets())
def test_same_problems_as_the_reference_on_datasets_read_from_csv(tmp_path_factory, dataset):
    folder = tmp_path_factory.mktemp("csv")
    for name, frame in dataset.tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    try:
        loaded = load_dataset(folder)
    except Exception:  # refused while reading: nothing to validate
        return
    assert loaded._codes  # the codes made by the readers are what the checks use
    assert_same_reports(loaded)


def test_reference_cohorts_and_many_problems():
    from analysis.paths import reference_dir

    ds = load_dataset(reference_dir("ferrucci2022"))
    assert_same_reports(ds)
    m = ds["measurements"].copy()
    m.loc[::7, "AVAL"] = 80.0
    m.loc[::11, "ADY"] = m["ADY"][::11] * -1
    m.loc[::13, "AVISIT"] = "WEEK X"
    ds.tables["measurements"] = pd.concat([m, m.iloc[:40]], ignore_index=True)
    assert_same_reports(ds)


def test_both_sides_of_a_range_are_listed_in_row_order():
    # AVISITN must be between 0 and 520: rows 2.. alternate below / above / fine.
    values = [-1.0, 600.0, 4.0] * 30
    ds = Dataset({"subjects": pd.DataFrame({"USUBJID": ["01"], "SEX": ["F"], "AGE": [30.0]}),
                  "measurements": pd.DataFrame({
                      "USUBJID": ["01"] * 90, "PARAMCD": ["EASI"] * 90,
                      "AVISIT": [f"WEEK {i}" for i in range(90)], "AVISITN": values,
                      "AVAL": [1.0] * 90})},
                 sources={"subjects": "s.csv", "measurements": "m.csv"})
    report = validate(ds, limit=5)
    listed = [(p.row, p.value) for p in report.problems
              if p.rule == "range" and p.column == "AVISITN"]
    assert listed == [(2, -1), (3, 600), (5, -1), (6, 600), (8, -1)]
    assert {"rule": "range", "severity": "error", "file": "m.csv", "column": "AVISITN",
            "listed": 5, "total": 60} in report.truncated


@SETTINGS
@given(st.lists(st.tuples(st.integers(0, 5), st.sampled_from([0.0, 4.0, 16.0, 52.0]),
                          st.integers(-3, 400)), max_size=60))
def test_visit_order_table_equals_sorted_version(rows):
    if not rows:
        return
    ids = np.array([r[0] for r in rows])
    weeks = np.array([r[1] for r in rows])
    days = np.array([r[2] for r in rows], dtype=float)
    steps = np.unique(weeks)
    rank = np.append(np.searchsorted(steps, weeks), -1)  # one label per row here
    ok = np.ones(len(rows), dtype=bool)
    limit_of, bad = _order_by_table(ids, rank, np.arange(len(rows)), days, ok, 6, len(steps))
    reference = _earlier_max(ids, weeks, days)
    np.testing.assert_array_equal(limit_of(np.arange(len(rows))), reference)
    np.testing.assert_array_equal(bad, days <= reference)
