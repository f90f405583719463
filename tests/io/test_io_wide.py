"""Wide one-row-per-patient tables -> long contract tables.

The wide file is built here from the long CSV fixture with ``pandas.pivot`` (an
implementation independent of ``analysis.io.wide``); reading it back must give the
long tables of the fixture.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.io import load_dataset
from analysis.schema import validate

GOOD = Path(__file__).parents[1] / "data" / "good" / "csv"
KEYS = {"measurements": ["USUBJID", "PARAMCD", "AVISIT"], "topicals": ["USUBJID", "AVISIT"],
        "tte": ["USUBJID", "PARAMCD"], "events": ["USUBJID", "AEDECOD"]}


def week_suffix(frame):
    return "W" + frame["AVISITN"].astype(int).astype(str)


def make_wide(ds) -> pd.DataFrame:
    m = ds["measurements"].assign(col=lambda d: d["PARAMCD"] + "_" + week_suffix(d))
    wide = m.pivot(index="USUBJID", columns="col", values="AVAL")
    ady = m.drop_duplicates(["USUBJID", "AVISITN"]).assign(col=lambda d: "ADY_" + week_suffix(d))
    wide = wide.join(ady.pivot(index="USUBJID", columns="col", values="ADY"))
    t = ds["topicals"]
    for part in ("TOPICAL", "TACSTR", "TACSITE"):
        wide = wide.join(t.assign(col=part + "_" + week_suffix(t)).pivot(
            index="USUBJID", columns="col", values=part))
    tte = ds["tte"].set_index("USUBJID")
    wide["TTTAC_AVAL"], wide["TTTAC_CNSR"] = tte["AVAL"], tte["CNSR"]
    for term, frame in ds["events"].groupby("AEDECOD"):
        name = "AE_" + term.replace(" ", "_")
        wide[name] = pd.Series("Y", index=frame["USUBJID"])
        wide[name + "_DY"] = frame.set_index("USUBJID")["ASTDY"]
    subjects = ds["subjects"].set_index("USUBJID")
    return subjects.join(wide).reset_index()


def sort(frame, key):
    return frame.sort_values(key).reset_index(drop=True)


@pytest.fixture(scope="module")
def good():
    return load_dataset(GOOD)


@pytest.mark.parametrize("ext", [".csv", ".xlsx", ".parquet"])
def test_wide_round_trip(good, tmp_path, ext):
    wide = make_wide(good)
    path = tmp_path / f"cohort{ext}"
    if ext == ".csv":
        wide.to_csv(path, index=False)
    elif ext == ".xlsx":
        wide.to_excel(path, sheet_name="subjects", index=False)
    else:
        wide.to_parquet(path, index=False)
    back = load_dataset(path)
    pd.testing.assert_frame_equal(back["subjects"], good["subjects"])
    for table, key in KEYS.items():
        got = sort(back[table], key)[list(good[table].columns)]
        pd.testing.assert_frame_equal(got, sort(good[table], key), obj=table)
    assert validate(back).ok


def test_wide_error_points_at_the_wide_cell(good, tmp_path):
    wide = make_wide(good)
    wide.loc[2, "EASI_W16"] = 80.0  # third patient -> spreadsheet row 4
    wide.to_csv(tmp_path / "cohort.csv", index=False)
    report = validate(load_dataset(tmp_path / "cohort.csv"))
    [problem] = report.errors
    assert (problem.rule, problem.file, problem.row, problem.column, problem.value) == (
        "range", "cohort.csv", 4, "EASI_W16", 80)


def test_wide_subjects_in_folder_combine_with_long_table(tmp_path):
    (tmp_path / "subjects.csv").write_text("USUBJID,SEX,AGE,EASI_W0\n01,F,30,20.5\n02,M,41,\n")
    (tmp_path / "measurements.csv").write_text(
        "USUBJID,PARAMCD,AVISIT,AVAL\n02,EASI,BASELINE,18\n01,EASI,BASELINE,19\n")
    ds = load_dataset(tmp_path)
    m = ds["measurements"]
    assert m[["USUBJID", "AVAL"]].values.tolist() == [["01", 20.5], ["02", 18.0], ["01", 19.0]]
    assert ds.row_file("measurements", 0) == "subjects.csv"
    assert ds.row_file("measurements", 2) == "measurements.csv"
    assert [ds.spreadsheet_row("measurements", i) for i in range(3)] == [2, 2, 3]
    dup = [p for p in validate(ds).errors if p.rule == "unique-key"]
    assert [(p.file, p.row) for p in dup] == [("measurements.csv", 3)]
    assert "repeats row 2" in dup[0].message


def test_unknown_wide_prefix_stays_a_subject_column(tmp_path):
    (tmp_path / "w.csv").write_text("USUBJID,SEX,AGE,EASI_W0,SCORAD_W0\n01,F,30,20.5,40\n")
    ds = load_dataset(tmp_path / "w.csv")
    assert "SCORAD_W0" in ds["subjects"] and len(ds["measurements"]) == 1
    notes = [p for p in validate(ds).info if p.rule == "unknown-column"]
    assert notes and "SCORAD_W0" in notes[0].value
