"""REDCap longitudinal export (tests/data/good/redcap) through its mapping.

Expected tables are read off records.csv by hand: row numbers are the file's
lines (header = 1), codes decoded with mapping.yaml (sex 2 = Female -> F, topical
2 = Tacrolimus -> TAC, tac_strength 2 = "0.1%" -> 0.1, ...).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.io import load_dataset
from analysis.schema import validate

REDCAP = Path(__file__).parents[1] / "data" / "good" / "redcap"


@pytest.fixture(scope="module")
def ds():
    return load_dataset(REDCAP / "records.csv", mapping=REDCAP / "mapping.yaml")


def test_subjects(ds):
    s = ds["subjects"]
    assert s[["USUBJID", "SEX", "AGE", "EVALFL"]].values.tolist() == [
        ["1", "F", 34.0, "Y"], ["2", "M", 52.0, "N"], ["3", "F", 27.0, "Y"]]
    assert s.loc[1, "EVALRSN"] == "NON-ADHERENCE"
    assert [ds.spreadsheet_row("subjects", i) for i in s.index] == [2, 6, 9]


def test_measurements_rows_and_fields(ds):
    m = ds["measurements"]
    rows = [ds.spreadsheet_row("measurements", i) for i in m.index]
    got = sorted(zip(m["USUBJID"], m["PARAMCD"], m["AVISIT"], m["ADY"], m["AVAL"], rows))
    assert got == sorted([
        ("1", "EASI", "BASELINE", 1, 31.2, 3), ("1", "EASI", "WEEK 16", 113, 6.1, 4),
        ("2", "EASI", "BASELINE", 1, 26.4, 7), ("2", "EASI", "WEEK 16", 110, 8.0, 8),
        ("3", "EASI", "BASELINE", 1, 40.0, 10),
        ("1", "IGA", "BASELINE", 1, 4.0, 3), ("1", "IGA", "WEEK 16", 113, 1.0, 4),
        ("2", "IGA", "BASELINE", 1, 3.0, 7), ("2", "IGA", "WEEK 16", 110, 2.0, 8),
        ("3", "IGA", "BASELINE", 1, 4.0, 10)])


def test_topicals_tte_events(ds):
    t = ds["topicals"]
    assert t[["USUBJID", "AVISIT", "TOPICAL"]].values.tolist() == [
        ["1", "BASELINE", "TAC"], ["1", "WEEK 16", "TAC"], ["2", "BASELINE", "TCS"],
        ["2", "WEEK 16", "NONE"], ["3", "BASELINE", "BOTH"]]
    assert t["TACSTR"].tolist()[:2] == [0.1, 0.1] and t["TACSTR"].tolist()[4] == 0.03
    assert ds["tte"][["USUBJID", "AVAL", "CNSR"]].values.tolist() == [["1", 1.0, 0],
                                                                       ["2", 365.0, 1]]
    assert ds["events"][["USUBJID", "AEDECOD", "ASTDY"]].values.tolist() == [
        ["1", "CONJUNCTIVITIS", 40]]
    assert ds.spreadsheet_row("events", 0) == 5
    assert validate(ds).ok


def _copy(tmp_path) -> Path:
    for name in ("records.csv", "dictionary.csv", "mapping.yaml"):
        shutil.copy(REDCAP / name, tmp_path / name)
    return tmp_path


def test_problem_names_records_row_and_redcap_field(tmp_path):
    folder = _copy(tmp_path)
    lines = (folder / "records.csv").read_text().splitlines()
    lines[7] = lines[7].replace(",8.0,", ",80,")  # row 8: record 2, week 16, easi
    (folder / "records.csv").write_text("\n".join(lines) + "\n")
    report = validate(load_dataset(folder, mapping=folder / "mapping.yaml"))
    [problem] = report.errors
    assert (problem.rule, problem.file, problem.row, problem.column, problem.value) == (
        "range", "records.csv", 8, "easi", 80)


def test_unmapped_event_is_refused(tmp_path):
    folder = _copy(tmp_path)
    text = (folder / "records.csv").read_text().replace("3,baseline_arm_1", "3,week_4_arm_1")
    (folder / "records.csv").write_text(text)
    with pytest.raises(InputError) as err:
        load_dataset(folder, mapping=folder / "mapping.yaml")
    [p] = err.value.problems
    assert (p.rule, p.file, p.row, p.column, p.value) == (
        "mapping-event", "records.csv", 10, "redcap_event_name", "week_4_arm_1")


def test_field_missing_from_dictionary_is_refused(tmp_path):
    folder = _copy(tmp_path)
    text = (folder / "dictionary.csv").read_text().splitlines()
    (folder / "dictionary.csv").write_text("\n".join(l for l in text if not l.startswith("iga,"))
                                           + "\n")
    with pytest.raises(InputError) as err:
        load_dataset(folder, mapping=folder / "mapping.yaml")
    [p] = err.value.problems
    assert (p.rule, p.file, p.value) == ("mapping-field", "mapping.yaml", "iga")


def test_misspelt_mapping_key_is_refused(tmp_path):
    folder = _copy(tmp_path)
    text = (folder / "mapping.yaml").read_text().replace("measurements:", "measurments:")
    (folder / "mapping.yaml").write_text(text)
    with pytest.raises(InputError) as err:
        load_dataset(folder, mapping=folder / "mapping.yaml")
    assert err.value.problems[0].rule == "mapping"
    assert err.value.problems[0].value == "measurments"


def test_round_trip_records_written_by_pandas(tmp_path):
    folder = _copy(tmp_path)
    records = pd.read_csv(REDCAP / "records.csv", dtype=str)
    records.to_csv(folder / "records.csv", index=False, encoding="utf-8-sig")
    again = load_dataset(folder / "records.csv", mapping=folder / "mapping.yaml")
    original = load_dataset(REDCAP / "records.csv", mapping=REDCAP / "mapping.yaml")
    for name in original.tables:
        pd.testing.assert_frame_equal(again[name], original[name], obj=name)


def test_mapping_file_alone_is_enough(ds):
    again = load_dataset(REDCAP / "mapping.yaml")
    for name in ds.tables:
        pd.testing.assert_frame_equal(again[name], ds[name], obj=name)
