"""Validation rules on small hand-made tables (expected problems worked out by hand).

Each dataset is built in memory; the default spreadsheet row of DataFrame row i is
i + 2 (header = row 1).
"""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.io.dataset import Dataset
from analysis.schema import requirements, validate, validate_or_raise


def subjects(**extra):
    base = {"USUBJID": ["01", "02", "03"], "SEX": ["F", "M", "F"], "AGE": [30.0, 41.0, 55.0]}
    base.update(extra)
    return pd.DataFrame(base)


def measurements(rows):
    return pd.DataFrame(rows, columns=["USUBJID", "PARAMCD", "AVISIT", "ADY", "AVAL"])


def dataset(**tables):
    tables.setdefault("subjects", subjects())
    tables.setdefault("measurements", measurements([("01", "EASI", "BASELINE", 1, 20.0)]))
    return Dataset(tables, sources={k: f"{k}.csv" for k in tables}, name="t")


def found(report, severity="error"):
    return sorted((p.rule, p.file, p.row, p.column, p.value)
                  for p in report.problems if p.severity == severity)


def test_minimal_dataset_is_valid_with_notes_only():
    report = validate(dataset())
    assert report.ok and report.errors == [] and report.warnings == []
    rules = {p.rule for p in report.info}
    assert {"missing-table", "missing-param", "missing-column"} <= rules


def test_every_param_range_and_integer_scale():
    # One row per scale edge; bounds from the contract (EASI 0-72, EASIHN 0-7.2, IGA 0-4,
    # POEM 0-28, NRS 0-10, DLQI 0-30, TARC > 0).
    rows = [("01", "EASI", "BASELINE", 1, 72.0), ("01", "EASIHN", "BASELINE", 1, 7.2),
            ("01", "IGA", "BASELINE", 1, 0.0), ("01", "POEM", "BASELINE", 1, 28.0),
            ("01", "PNRS", "BASELINE", 1, 10.0), ("01", "SNRS", "BASELINE", 1, 0.0),
            ("01", "DLQI", "BASELINE", 1, 30.0), ("01", "TARC", "BASELINE", 1, 0.5),
            ("02", "EASI", "BASELINE", 1, 72.1), ("02", "EASIHN", "BASELINE", 1, 7.3),
            ("02", "IGA", "BASELINE", 1, 2.5), ("02", "POEM", "BASELINE", 1, 29.0),
            ("02", "PNRS", "BASELINE", 1, 11.0), ("02", "SNRS", "BASELINE", 1, 9.5),
            ("02", "DLQI", "BASELINE", 1, -1.0), ("02", "TARC", "BASELINE", 1, 0.0)]
    report = validate(dataset(measurements=measurements(rows)))
    m = "measurements.csv"
    assert found(report) == sorted([
        ("range", m, 10, "AVAL", 72.1), ("range", m, 11, "AVAL", 7.3),
        ("integer", m, 12, "AVAL", 2.5), ("range", m, 13, "AVAL", 29),
        ("range", m, 14, "AVAL", 11), ("integer", m, 15, "AVAL", 9.5),
        ("range", m, 16, "AVAL", -1), ("range", m, 17, "AVAL", 0)])


def test_all_problems_at_once_across_tables():
    s = subjects(SEX=["F", "X", "F"], AGEDIAG=[10.0, 50.0, 3.0], EVALFL=["Y", "N", "N"],
                 EVALRSN=[None, None, "LOST"])
    m = measurements([("01", "EASI", "BASELINE", 1, "abc"), ("09", "EASI", "BASELINE", 1, 3.0),
                      ("01", "EASI", "BASELINE", 1, 4.0)])
    tte = pd.DataFrame({"USUBJID": ["01", "02"], "PARAMCD": ["TTTAC", "TTTAC"],
                        "AVAL": [-3.0, 100.0], "CNSR": [0, 2]})
    report = validate(dataset(subjects=s, measurements=m, tte=tte))
    assert found(report) == sorted([
        ("code", "subjects.csv", 3, "SEX", "X"),
        ("agediag-age", "subjects.csv", 3, "AGEDIAG", 50),
        ("evalfl-reason", "subjects.csv", 3, "EVALRSN", "N"),
        ("type", "measurements.csv", 2, "AVAL", "abc"),
        ("unknown-subject", "measurements.csv", 3, "USUBJID", "09"),
        ("unique-key", "measurements.csv", 4, "AVISIT", "01 x EASI x BASELINE"),
        ("negative-time", "tte.csv", 2, "AVAL", -3),
        ("code", "tte.csv", 3, "CNSR", 2)])
    assert not report.ok and report.total("error") == 8


def test_required_table_and_column():
    ds = Dataset({"measurements": measurements([("01", "EASI", "BASELINE", 1, 2.0)])
                  .drop(columns="AVAL")}, sources={"measurements": "m.csv"})
    assert found(validate(ds)) == sorted([
        ("required-table", "subjects.*", None, None, "subjects"),
        ("required-column", "m.csv", 1, "AVAL", "AVAL")])


def test_visit_order_window_and_number():
    m = pd.DataFrame({"USUBJID": ["01"] * 4, "PARAMCD": ["EASI", "DLQI", "EASI", "EASI"],
                      "AVISIT": ["BASELINE", "WEEK 4", "WEEK 4", "WEEK 16"],
                      "AVISITN": [0, 4, 4, 4], "ADY": [1, 30, 31, 20], "AVAL": [5.0, 3, 4, 2]})
    report = validate(dataset(measurements=m))
    # WEEK 16 on day 20 is before WEEK 4's days 30/31 (error) and outside 85-141 (warning);
    # AVISITN 4 on the WEEK 16 row contradicts the label.
    assert found(report) == sorted([("visit-order", "measurements.csv", 5, "ADY", 20),
                                    ("visit-number", "measurements.csv", 5, "AVISITN", 4)])
    assert found(report, "warning") == [("visit-window", "measurements.csv", 5, "ADY", 20)]


def test_topicals_and_events_rules():
    t = pd.DataFrame({"USUBJID": ["01", "01", "02"], "AVISIT": ["BASELINE", "WEEK 4", "BASELINE"],
                      "TOPICAL": ["NONE", "TAC", "TCS"], "TACSTR": [0.1, 0.03, None]})
    tte = pd.DataFrame({"USUBJID": ["02"], "PARAMCD": ["TTTAC"], "AVAL": [100.0], "CNSR": [1]})
    events = pd.DataFrame({"USUBJID": ["02", "02"], "AEDECOD": ["HERPES SIMPLEX"] * 2,
                           "ASTDY": [150, 20]})
    report = validate(dataset(topicals=t, tte=tte, events=events))
    assert found(report) == [("tacstr-topical", "topicals.csv", 2, "TACSTR", 0.1)]
    assert found(report, "warning") == sorted([
        ("event-after-censoring", "events.csv", 2, "ASTDY", 150),
        ("unique-key", "events.csv", 3, "AEDECOD", "02 x HERPES SIMPLEX")])


def test_listing_is_capped_but_everything_counted():
    n = 500
    m = pd.DataFrame({"USUBJID": ["01"] * n, "PARAMCD": ["EASI"] * n,
                      "AVISIT": [f"WEEK {i}" for i in range(n)], "AVAL": [99.0] * n})
    report = validate(dataset(measurements=m), limit=10)
    listed = [p for p in report.errors if p.rule == "range"]
    assert len(listed) == 10 and [p.row for p in listed] == list(range(2, 12))
    assert report.counts["error"]["range"] == n
    assert report.truncated == [{"rule": "range", "severity": "error",
                                 "file": "measurements.csv", "column": "AVAL",
                                 "listed": 10, "total": n}]
    d = report.to_dict()
    assert d["n_errors"] == n and len(d["problems"]) == len(report.problems)


def test_validate_or_raise():
    bad = dataset(measurements=measurements([("01", "EASI", "BASELINE", 1, 80.0)]))
    with pytest.raises(InputError) as err:
        validate_or_raise(bad)
    assert [p.rule for p in err.value.problems] == ["range"]
    assert validate_or_raise(dataset()).ok


def test_requirements_lists_what_a_study_lacks():
    problems = requirements({"subjects": ["TACGRP", "SEX"], "events": ["AEDECOD"]},
                            ["EASI", "TARC"], dataset())
    assert [(p.rule, p.value, p.severity) for p in problems] == [
        ("missing-column", "TACGRP", "info"), ("missing-table", "events", "info"),
        ("missing-param", "TARC", "info")]


def _good():
    from pathlib import Path

    from analysis.io import load_dataset

    return load_dataset(Path(__file__).parents[1] / "data" / "good" / "csv")


def test_any_missing_column_is_reported_never_a_crash():
    from analysis.schema.contract import CONTRACT

    good = _good()
    for table, frame in good.tables.items():
        for column in frame.columns:
            tables = dict(good.tables)
            tables[table] = frame.drop(columns=column)
            ds = Dataset(tables, sources=good.sources, name="g")
            report = validate(ds)
            required = CONTRACT[table].column(column).required
            rules = {p.rule for p in report.errors}
            assert ("required-column" in rules) == required, (table, column, rules)


def test_empty_tables_are_not_a_crash():
    good = _good()
    for table in good.tables:
        tables = dict(good.tables)
        tables[table] = good[table].iloc[:0]
        report = validate(Dataset(tables, sources=good.sources, name="g"))
        assert isinstance(report.ok, bool)
