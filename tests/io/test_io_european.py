"""European Excel exports: semicolons between cells, decimal commas.

The fixture tests/io/fixtures/european is tests/data/good/csv saved that way
(tests/io/fixtures/make_european.py: only "31.2" -> "31,2" and "," -> ";"), so the
tables read must be exactly those of the comma-separated original, with one
warning per file naming the semicolon. A semicolon file with no decimal comma, in a
folder without such a file, stays the delimiter error of the bad-input corpus
(tests/data/bad/wrong-delimiter).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.cli import main
from analysis.errors import InputError
from analysis.io import load_dataset
from analysis.schema import validate

FIXTURE = Path(__file__).parent / "fixtures" / "european"
GOOD = Path(__file__).parents[1] / "data" / "good" / "csv"


def test_european_export_reads_as_the_comma_separated_original():
    eu, good = load_dataset(FIXTURE), load_dataset(GOOD)
    assert set(eu.tables) == {"subjects", "measurements", "topicals", "tte"}
    for name in eu.tables:
        pd.testing.assert_frame_equal(eu[name], good[name], obj=name)
    notes = {(p.rule, p.file, p.row, p.value, p.severity) for p in eu.warnings}
    assert notes == {("delimiter-semicolon", f"{t}.csv", 1, ";", "warning")
                     for t in ("subjects", "measurements", "topicals", "tte")}
    # Values read off the fixture: measurements row 2 "31,2", topicals TACSTR "0,1".
    assert eu["measurements"].loc[0, "AVAL"] == 31.2
    assert eu["topicals"].loc[0, "TACSTR"] == 0.1


def test_european_export_validates_with_warnings_only(capsys):
    report = validate(load_dataset(FIXTURE))
    assert report.ok and report.counts["warning"]["delimiter-semicolon"] == 4
    assert main(["validate", str(FIXTURE)]) == 0
    assert "delimiter-semicolon" in capsys.readouterr().out


def test_tacstr_percent_and_text_commas(tmp_path):
    (tmp_path / "subjects.csv").write_text(
        "USUBJID;SEX;AGE;EVALFL;EVALRSN\n001;F;34,5;N;LOST, MOVED\n002;M;52;Y;\n")
    (tmp_path / "measurements.csv").write_text(
        "USUBJID;PARAMCD;AVISIT;AVAL\n001;EASI;BASELINE;12,5\n")
    (tmp_path / "topicals.csv").write_text(
        "USUBJID;AVISIT;TOPICAL;TACSTR\n001;BASELINE;TAC;0,03 %\n002;BASELINE;NONE;\n")
    ds = load_dataset(tmp_path)
    assert ds["subjects"]["AGE"].tolist() == [34.5, 52.0]
    assert ds["subjects"].loc[0, "EVALRSN"] == "LOST, MOVED"  # text keeps its comma
    assert ds["measurements"]["AVAL"].tolist() == [12.5]
    assert ds["topicals"].loc[0, "TACSTR"] == 0.03


def test_semicolons_without_decimal_commas_stay_a_delimiter_error(tmp_path):
    bad = Path(__file__).parents[1] / "data" / "bad" / "wrong-delimiter"
    for f in bad.glob("*.csv"):
        shutil.copy(f, tmp_path / f.name)
    with pytest.raises(InputError) as caught:
        load_dataset(tmp_path)
    p = caught.value.problems[0]
    assert (p.rule, p.file, p.row, p.value) == ("delimiter", "subjects.csv", 1, ";")


def test_whole_folder_is_one_export(tmp_path):
    # tte.csv alone has no decimal comma; measurements.csv beside it does.
    for f in FIXTURE.glob("*.csv"):
        shutil.copy(f, tmp_path / f.name)
    assert "," not in (tmp_path / "tte.csv").read_text().split("\n", 1)[1]
    assert set(load_dataset(tmp_path).tables) == {"subjects", "measurements", "topicals", "tte"}
