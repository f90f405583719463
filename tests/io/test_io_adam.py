"""ADaM-like ADSL + BDS + ADTTE + ADAE through a column map (tests/data/good/adam/map.yaml).

The SAS transport files are written here with pyreadstat from frames spelled out
below; the expected contract tables are written out by hand from the same frames
and the map (rename EFFFL->EVALFL, DCSREAS->EVALRSN; EASITOT->EASI, POEMTOT->POEM;
ANL01FL = Y only; "Week 16" -> WEEK 16; Male/Female -> M/F).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

from analysis.errors import InputError
from analysis.io import load_dataset
from analysis.schema import validate

MAP = Path(__file__).parents[1] / "data" / "good" / "adam" / "map.yaml"

ADSL = pd.DataFrame({
    "STUDYID": ["MTS"] * 3, "USUBJID": ["MTS-001", "MTS-002", "MTS-003"],
    "SEX": ["Female", "Male", "Female"], "AGE": [34.0, 52.0, 27.0],
    "EFFFL": ["Y", "N", "Y"], "DCSREAS": ["", "LOST TO FOLLOW-UP", ""],
    "TACGRP": ["TAC_ONLY", "TAC_TCS", "TAC_ONLY"], "ARM": ["A", "A", "A"],
})
ADQS = pd.DataFrame({
    "USUBJID": ["MTS-001"] * 5 + ["MTS-002"] * 3,
    "PARAMCD": ["EASITOT", "EASITOT", "IGA", "POEMTOT", "DLQI", "EASITOT", "EASITOT", "EASIHN"],
    "AVISIT": ["Baseline", "Week 16", "Baseline", "Baseline", "Baseline", "Baseline", "Week 16",
               "Baseline"],
    "ADY": [1.0, 113.0, 1.0, 1.0, 1.0, 1.0, 110.0, 1.0],
    "AVAL": [31.2, 6.1, 4.0, 22.0, 18.0, 26.4, 8.0, 3.1],
    "ANL01FL": ["Y", "Y", "Y", "Y", "Y", "Y", "N", "Y"],
})
ADLB = pd.DataFrame({
    "USUBJID": ["MTS-001", "MTS-001", "MTS-003"], "PARAMCD": ["TARC", "ALT", "TARC"],
    "AVISIT": ["Baseline", "Baseline", "Baseline"], "ADY": [1.0, 1.0, 1.0],
    "AVAL": [2150.0, 25.0, 980.0], "ANL01FL": ["Y", "Y", "Y"],
})
ADTTE = pd.DataFrame({"USUBJID": ["MTS-001", "MTS-002"], "PARAMCD": ["TTTAC", "TTTAC"],
                      "AVAL": [1.0, 365.0], "CNSR": [0.0, 1.0]})
ADAE = pd.DataFrame({"USUBJID": ["MTS-001"], "AEDECOD": ["CONJUNCTIVITIS"], "ASTDY": [40.0]})


def write(folder: Path, **frames) -> Path:
    for name, frame in frames.items():
        pyreadstat.write_xport(frame, str(folder / f"{name}.xpt"), table_name=name.upper())
    shutil.copy(MAP, folder / "map.yaml")
    return folder


@pytest.fixture
def adam(tmp_path):
    return write(tmp_path, adsl=ADSL, adqs=ADQS, adlb=ADLB, adtte=ADTTE, adae=ADAE)


def test_adam_maps_to_contract(adam):
    ds = load_dataset(adam, mapping=adam / "map.yaml")
    s = ds["subjects"]
    assert s["USUBJID"].tolist() == ["MTS-001", "MTS-002", "MTS-003"]
    assert s["SEX"].tolist() == ["F", "M", "F"]
    assert s["EVALFL"].tolist() == ["Y", "N", "Y"]
    assert s["EVALRSN"].isna().tolist() == [True, False, True]
    assert "ARM" not in s and "STUDYID" not in s
    m = ds["measurements"]
    got = sorted(m[["USUBJID", "PARAMCD", "AVISIT", "AVAL"]].itertuples(index=False, name=None))
    assert got == sorted([
        ("MTS-001", "EASI", "BASELINE", 31.2), ("MTS-001", "EASI", "WEEK 16", 6.1),
        ("MTS-001", "IGA", "BASELINE", 4.0), ("MTS-001", "POEM", "BASELINE", 22.0),
        ("MTS-002", "EASI", "BASELINE", 26.4), ("MTS-002", "EASIHN", "BASELINE", 3.1),
        ("MTS-001", "TARC", "BASELINE", 2150.0), ("MTS-003", "TARC", "BASELINE", 980.0)])
    assert ds["tte"]["CNSR"].tolist() == [0, 1]
    assert ds["events"]["AEDECOD"].tolist() == ["CONJUNCTIVITIS"]
    report = validate(ds)
    assert report.ok, [str(p) for p in report.errors]


def test_adam_problem_names_bds_file_row_and_source_column(tmp_path):
    adlb = ADLB.copy()
    adlb.loc[2, "AVAL"] = 0.0  # TARC must be above 0; third record of adlb -> row 4
    folder = write(tmp_path, adsl=ADSL, adqs=ADQS, adlb=adlb, adtte=ADTTE, adae=ADAE)
    report = validate(load_dataset(folder, mapping=folder / "map.yaml"))
    [problem] = report.errors
    assert (problem.rule, problem.file, problem.row, problem.column, problem.value) == (
        "range", "adlb.xpt", 4, "AVAL", 0)


def test_adam_renamed_column_is_named_as_in_source(tmp_path):
    adsl = ADSL.copy()
    adsl.loc[1, "EFFFL"] = "X"
    folder = write(tmp_path, adsl=adsl, adqs=ADQS, adlb=ADLB, adtte=ADTTE, adae=ADAE)
    report = validate(load_dataset(folder, mapping=folder / "map.yaml"))
    [problem] = report.errors
    assert (problem.rule, problem.file, problem.row, problem.column) == (
        "code", "adsl.xpt", 3, "EFFFL")


def test_adam_missing_file_is_refused(tmp_path):
    folder = write(tmp_path, adsl=ADSL, adqs=ADQS)
    with pytest.raises(InputError) as err:
        load_dataset(folder, mapping=folder / "map.yaml")
    [problem] = err.value.problems
    assert (problem.rule, problem.file, problem.value) == ("missing-file", "map.yaml", "adlb.xpt")
