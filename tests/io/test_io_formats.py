"""Every file format: the good fixture written with pandas/pyreadstat reads back identical.

The reference is tests/data/good/csv (6 patients, written by hand-checked script and
committed). Each round trip writes the same tables in another format into tmp_path
with the *writer's* library, reads them back with ``load_dataset`` and requires
the same tables, values and dtypes as the CSV.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

from analysis.io import load_dataset

GOOD = Path(__file__).parents[1] / "data" / "good" / "csv"


@pytest.fixture(scope="module")
def good():
    return load_dataset(GOOD)


def test_csv_fixture_as_written(good):
    # Counts read off the committed files: 6 subjects, 140 measurement rows
    # (141 lines with the header), 23 topicals rows, 2 events, 6 tte records.
    assert {k: len(v) for k, v in good.tables.items()} == {
        "subjects": 6, "measurements": 140, "topicals": 23, "events": 2, "tte": 6}
    s = good["subjects"]
    assert s["USUBJID"].tolist() == ["001", "002", "003", "004", "005", "006"]
    assert s.loc[5, "EVALRSN"] == "NON-ADHERENCE" and pd.isna(s.loc[0, "EVALRSN"])
    assert str(s["TRTSDT"].dtype).startswith("datetime64")
    m = good["measurements"]
    assert m["AVAL"].dtype == float and m["ADY"].dtype == "int64"
    assert m.iloc[0].to_dict() == {"USUBJID": "001", "PARAMCD": "EASI", "AVISIT": "BASELINE",
                                   "AVISITN": 0, "ADY": 1, "AVAL": 31.2}
    assert good["tte"]["CNSR"].dtype == "int64"
    assert good.warnings == [] and not good.synthetic


def _write(frame: pd.DataFrame, path: Path) -> None:
    ext = path.suffix
    if ext == ".tsv":
        frame.to_csv(path, sep="\t", index=False)
    elif ext == ".parquet":
        frame.to_parquet(path, index=False)
    elif ext == ".xlsx":
        frame.to_excel(path, sheet_name=path.stem, index=False)
    elif ext == ".xpt":
        pyreadstat.write_xport(frame, str(path), table_name=path.stem[:8].upper())
    elif ext == ".sav":
        pyreadstat.write_sav(frame, str(path))
    elif ext == ".dta":
        pyreadstat.write_dta(frame, str(path))


def assert_same(a, b):
    assert set(a.tables) == set(b.tables)
    for name in a.tables:
        pd.testing.assert_frame_equal(a[name], b[name], obj=name)


@pytest.mark.parametrize("ext", [".tsv", ".parquet", ".xlsx", ".xpt", ".sav", ".dta"])
def test_round_trip_folder(good, tmp_path, ext):
    for name, frame in good.tables.items():
        _write(frame, tmp_path / f"{name}{ext}")
    back = load_dataset(tmp_path)
    assert_same(good, back)
    assert back.content_hash() == good.content_hash()


def test_round_trip_workbook(good, tmp_path):
    book = tmp_path / "cohort.xlsx"
    with pd.ExcelWriter(book) as writer:
        for name, frame in good.tables.items():
            frame.to_excel(writer, sheet_name=name.capitalize(), index=False)
        pd.DataFrame({"note": ["ignored"]}).to_excel(writer, sheet_name="README", index=False)
    back = load_dataset(book)
    assert_same(good, back)
    assert [p.rule for p in back.warnings] == ["ignored-sheet"]
    assert back.source("measurements") == "cohort.xlsx[Measurements]"


def test_mixed_formats_in_one_folder(good, tmp_path):
    for (name, frame), ext in zip(good.tables.items(),
                                  [".csv", ".parquet", ".xlsx", ".dta", ".tsv"]):
        if ext == ".csv":
            frame.to_csv(tmp_path / f"{name}.csv", index=False)
        else:
            _write(frame, tmp_path / f"{name}{ext}")
    assert_same(good, load_dataset(tmp_path))


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_csv_encodings(tmp_path, encoding):
    (tmp_path / "subjects.csv").write_text("USUBJID,SEX,AGE,EVALRSN\n001,F,34,NÉVROSE\n",
                                           encoding=encoding)
    ds = load_dataset(tmp_path)
    assert list(ds["subjects"].columns) == ["USUBJID", "SEX", "AGE", "EVALRSN"]
    assert ds["subjects"].loc[0, "EVALRSN"] == "NÉVROSE"
    assert ds.warnings == []


def test_latin1_fallback_is_a_warning_naming_the_row(tmp_path):
    text = "USUBJID,SEX,AGE,EVALRSN\n001,F,34,\n002,M,40,ANDATO ALL'ESTERO (città)\n"
    (tmp_path / "subjects.csv").write_bytes(text.encode("latin-1"))
    ds = load_dataset(tmp_path)
    assert ds["subjects"].loc[1, "EVALRSN"] == "ANDATO ALL'ESTERO (città)"
    [note] = ds.warnings  # 'à' is byte 0xE0 in Latin-1, on spreadsheet row 3
    assert (note.rule, note.severity, note.file, note.row, note.value) == (
        "encoding-latin1", "warning", "subjects.csv", 3, "0xE0")


def test_blank_lines_keep_spreadsheet_rows(tmp_path):
    (tmp_path / "subjects.csv").write_text("USUBJID,SEX,AGE\n001,F,34\n\n002,M,200\n")
    ds = load_dataset(tmp_path)
    assert len(ds["subjects"]) == 2
    assert ds.spreadsheet_row("subjects", 1) == 4  # header 1, 001 on 2, blank 3, 002 on 4


def test_identifiers_stay_text(tmp_path):
    (tmp_path / "subjects.csv").write_text("USUBJID,SEX,AGE\n001,F,34\n0002 ,M,40\n10,F,50\n")
    pd.DataFrame({"USUBJID": [1, 2], "PARAMCD": ["EASI", "EASI"], "AVISIT": ["BASELINE"] * 2,
                  "AVAL": [1.0, 2.0]}).to_parquet(tmp_path / "measurements.parquet")
    ds = load_dataset(tmp_path)
    assert ds["subjects"]["USUBJID"].tolist() == ["001", "0002", "10"]
    assert ds["measurements"]["USUBJID"].tolist() == ["1", "2"]


def test_single_non_workbook_file_is_the_subjects_table(tmp_path):
    path = tmp_path / "cohort.sav"
    pyreadstat.write_sav(pd.DataFrame({"USUBJID": ["A1"], "SEX": ["F"], "AGE": [30.0]}), str(path))
    ds = load_dataset(path)
    assert list(ds.tables) == ["subjects"] and ds.source("subjects") == "cohort.sav"


def test_codes_flags_and_terms_are_tidied(tmp_path):
    (tmp_path / "subjects.csv").write_text(
        "usubjid , Sex,AGE,EVALFL,TACGRP\n 001 , f ,34,yes,tac_only\n002,M, 40 ,0,NONE\n")
    (tmp_path / "measurements.csv").write_text(
        "USUBJID,PARAMCD,AVISIT,AVAL\n001,easi, week  4 ,NA\n001,EASI,BASELINE,.\n")
    (tmp_path / "events.csv").write_text("USUBJID,AEDECOD,ASTDY\n001,Herpes  simplex,45\n")
    (tmp_path / "topicals.csv").write_text("USUBJID,AVISIT,TOPICAL,TACSTR\n001,BASELINE,tac,0.1%\n")
    ds = load_dataset(tmp_path)
    s = ds["subjects"]
    assert list(s.columns) == ["USUBJID", "SEX", "AGE", "EVALFL", "TACGRP"]
    assert s.values.tolist() == [["001", "F", 34.0, "Y", "TAC_ONLY"], ["002", "M", 40.0, "N", "NONE"]]
    m = ds["measurements"]
    assert m["AVISIT"].tolist() == ["WEEK 4", "BASELINE"] and m["AVISITN"].tolist() == [4, 0]
    assert m["PARAMCD"].tolist() == ["EASI", "EASI"] and m["AVAL"].isna().all()
    assert ds["events"]["AEDECOD"].tolist() == ["HERPES SIMPLEX"]
    assert ds["topicals"][["TOPICAL", "TACSTR"]].values.tolist() == [["TAC", 0.1]]
