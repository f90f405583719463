"""SAS ``.sas7bdat``: a committed fixture reads back as the good CSV cohort.

pyreadstat cannot write ``.sas7bdat``, so the round trip in test_io_formats.py
cannot cover it. ``tests/io/fixtures/{subjects,measurements}.sas7bdat`` were
written instead by ReadStat's own C writer (``readstat_sas7bdat_write.c``, the
sources bundled in the pyreadstat 1.3.7 sdist) through
``tests/io/fixtures/make_sas7bdat.c``, from ``tests/data/good/csv/subjects.csv``
and ``measurements.csv``; the build and run commands are in that file's header.

How independent this is, honestly: the reader under test (pyreadstat) is a
wrapper around the same ReadStat library, so writer and reader share code
(constants, page layout knowledge). What does not depend on that library is the
expected content: the committed CSV files, read by the CSV path. A mistake in
ReadStat's page layout shared by writer and reader could go unnoticed here; a
mistake in how our loader turns a SAS data set (character columns, doubles,
SAS dates with a date format, blanks) into contract tables would not.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.io import load_dataset

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
GOOD = HERE.parent / "data" / "good" / "csv"
SAS_TABLES = ("subjects", "measurements")


@pytest.fixture(scope="module")
def good():
    return load_dataset(GOOD)


@pytest.fixture
def sas_folder(tmp_path):
    for name in SAS_TABLES:
        shutil.copy(FIXTURES / f"{name}.sas7bdat", tmp_path / f"{name}.sas7bdat")
    for csv in GOOD.glob("*.csv"):
        if csv.stem not in SAS_TABLES:
            shutil.copy(csv, tmp_path / csv.name)
    return tmp_path


def test_sas7bdat_fixture_reads_as_the_csv_cohort(good, sas_folder):
    back = load_dataset(sas_folder)
    assert back.source("subjects") == "subjects.sas7bdat"
    assert back.source("measurements") == "measurements.sas7bdat"
    assert set(back.tables) == set(good.tables)
    for name in good.tables:
        pd.testing.assert_frame_equal(back[name], good[name], obj=name)
    assert back.content_hash() == good.content_hash()
    assert back.warnings == []


def test_sas7bdat_values_that_could_go_wrong(sas_folder):
    # Spot checks against the CSV text itself (tests/data/good/csv/subjects.csv,
    # rows 2 and 7; measurements.csv row 2), not against the loader's CSV path.
    back = load_dataset(sas_folder)
    s = back["subjects"]
    assert s["USUBJID"].tolist() == ["001", "002", "003", "004", "005", "006"]
    assert s.loc[0, "TRTSDT"] == pd.Timestamp("2019-03-04")  # SAS date 21612 + YYMMDD10
    assert s.loc[5, "AGEDIAG"] == 0.5 and s.loc[5, "EVALRSN"] == "NON-ADHERENCE"
    assert pd.isna(s.loc[0, "EVALRSN"])  # blank character cell -> missing
    m = back["measurements"]
    assert m.iloc[0].to_dict() == {"USUBJID": "001", "PARAMCD": "EASI", "AVISIT": "BASELINE",
                                   "AVISITN": 0, "ADY": 1, "AVAL": 31.2}


def test_sas7bdat_fixture_is_what_the_generator_says(good):
    # Guards against the fixture silently drifting from the CSV it was made from.
    import pyreadstat

    frame, meta = pyreadstat.read_sas7bdat(str(FIXTURES / "subjects.sas7bdat"))
    assert meta.original_variable_types["TRTSDT"] == "YYMMDD10"
    assert meta.number_rows == 6 and meta.column_names[0] == "USUBJID"
    frame, meta = pyreadstat.read_sas7bdat(str(FIXTURES / "measurements.sas7bdat"))
    assert meta.number_rows == len(good["measurements"]) == 140
