"""Reader refusals and edge cases not in the bad-input corpus."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.io import load_dataset
from analysis.schema import validate

SUBJECTS = "USUBJID,SEX,AGE\n001,F,34\n"
MEAS = "USUBJID,PARAMCD,AVISIT,AVAL\n001,EASI,BASELINE,20\n"


def refusal(path, **kw):
    with pytest.raises(InputError) as err:
        load_dataset(path, **kw)
    [problem] = err.value.problems
    return problem


def base(folder):
    (folder / "subjects.csv").write_text(SUBJECTS)
    (folder / "measurements.csv").write_text(MEAS)
    return folder


def test_header_only_optional_table_is_an_empty_table_with_a_note(tmp_path):
    base(tmp_path)
    (tmp_path / "events.csv").write_text("USUBJID,AEDECOD,ASTDY\n")
    ds = load_dataset(tmp_path)
    assert len(ds["events"]) == 0
    report = validate(ds)
    assert report.ok
    assert [(p.rule, p.severity, p.file) for p in report.problems if p.rule == "header-only"] == [
        ("header-only", "info", "events.csv")]


def test_corrupt_sas_file_is_unreadable(tmp_path):
    base(tmp_path)
    (tmp_path / "subjects.csv").unlink()
    (tmp_path / "subjects.sas7bdat").write_bytes(b"not a SAS data set" * 20)
    p = refusal(tmp_path)
    assert (p.rule, p.file) == ("unreadable", "subjects.sas7bdat")


def test_old_excel_format_gets_a_hint(tmp_path):
    (tmp_path / "cohort.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    p = refusal(tmp_path / "cohort.xls")
    assert p.rule == "unknown-format" and ".xlsx" in p.message


def test_folder_workbook_per_table_uses_sheet_named_after_table(tmp_path):
    base(tmp_path)
    (tmp_path / "measurements.csv").unlink()
    with pd.ExcelWriter(tmp_path / "measurements.xlsx") as writer:
        pd.DataFrame({"x": [1]}).to_excel(writer, sheet_name="notes", index=False)
        pd.read_csv(tmp_path / "subjects.csv").iloc[:0].to_excel(writer, sheet_name="other",
                                                                 index=False)
        pd.DataFrame({"USUBJID": ["001"], "PARAMCD": ["EASI"], "AVISIT": ["BASELINE"],
                      "AVAL": [20.0]}).to_excel(writer, sheet_name="Measurements", index=False)
    ds = load_dataset(tmp_path)
    assert ds.source("measurements") == "measurements.xlsx[Measurements]"
    assert ds["measurements"]["AVAL"].tolist() == [20.0]


def test_folder_workbook_without_the_table_sheet(tmp_path):
    base(tmp_path)
    (tmp_path / "measurements.csv").unlink()
    with pd.ExcelWriter(tmp_path / "measurements.xlsx") as writer:
        pd.DataFrame({"x": [1]}).to_excel(writer, sheet_name="a", index=False)
        pd.DataFrame({"x": [1]}).to_excel(writer, sheet_name="b", index=False)
    p = refusal(tmp_path)
    assert (p.rule, p.file, p.value) == ("missing-sheet", "measurements.xlsx", "measurements")


def test_tsv_with_commas_is_a_delimiter_error(tmp_path):
    (tmp_path / "subjects.tsv").write_text(SUBJECTS)
    p = refusal(tmp_path)
    assert (p.rule, p.file, p.row, p.value) == ("delimiter", "subjects.tsv", 1, ",")


def test_every_row_longer_than_header_is_refused(tmp_path):
    (tmp_path / "subjects.csv").write_text("USUBJID,SEX\n001,F,34\n002,M,40\n")
    p = refusal(tmp_path)
    assert (p.rule, p.row) == ("parse", 2)


def test_mapping_with_unknown_format(tmp_path):
    base(tmp_path)
    (tmp_path / "map.yaml").write_text("format: spss\n")
    p = refusal(tmp_path, mapping=tmp_path / "map.yaml")
    assert (p.rule, p.column, p.value) == ("mapping", "format", "spss")
