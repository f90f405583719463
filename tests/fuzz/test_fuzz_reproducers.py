"""Minimal reproducers of crashes the fuzz tests found; each must now be a clean refusal.

Found 2026-11-22 by ``test_fuzz_bytes`` and by bit-flip sweeps over a valid file:
- ``.xlsx``: a damaged deflate stream (zlib.error, EOFError), a zip entry that claims
  a newer zip version (NotImplementedError) or encryption (RuntimeError), malformed
  XML inside the package (lxml XMLSyntaxError, ElementTree ParseError) and XML that
  openpyxl misreads (TypeError) all escaped ``analysis.io.excel`` as tracebacks;
- ``.parquet``: a file whose footer reads but whose pandas metadata is damaged
  (JSONDecodeError, KeyError 'index_columns', UnicodeDecodeError, TypeError,
  ArrowException) escaped ``analysis.io.parquet`` from ``Table.to_pandas``.
Each case is built structurally (by zip/Parquet layout), not by a byte offset that
depends on timestamps.
"""

from __future__ import annotations

import io
import json
import struct
import zipfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analysis.errors import InputError
from analysis.io import load_dataset
from tests.fuzz._harness import cli_validate, workdir

GOOD = Path(__file__).resolve().parents[1] / "data" / "good" / "csv"


def _xlsx() -> bytes:
    buf = io.BytesIO()
    frame = pd.read_csv(GOOD / "subjects.csv", dtype=str, keep_default_na=False)
    frame.to_excel(buf, sheet_name="subjects", index=False, engine="openpyxl")
    return buf.getvalue()


def _member(blob: bytes, name: str) -> zipfile.ZipInfo:
    return zipfile.ZipFile(io.BytesIO(blob)).getinfo(name)


def _data_offset(blob: bytes, info: zipfile.ZipInfo) -> int:
    # Local file header: 30 fixed bytes, then the name and the extra field.
    name_len, extra_len = struct.unpack("<HH", blob[info.header_offset + 26:info.header_offset + 30])
    return info.header_offset + 30 + name_len + extra_len


def _central_entry(blob: bytes, name: str) -> int:
    at = blob.find(b"PK\x01\x02")
    while at != -1:
        n = struct.unpack("<H", blob[at + 28:at + 30])[0]
        if blob[at + 46:at + 46 + n].decode() == name:
            return at
        at = blob.find(b"PK\x01\x02", at + 4)
    raise KeyError(name)


def _rezip(blob: bytes, name: str, edit) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(blob))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for n in src.namelist():
            data = src.read(n)
            z.writestr(n, edit(data) if n == name else data)
    return out.getvalue()


def _damaged_deflate() -> bytes:
    blob = bytearray(_xlsx())
    info = _member(bytes(blob), "xl/worksheets/sheet1.xml")
    start = _data_offset(bytes(blob), info)
    blob[start] ^= 0x07  # first deflate block header: invalid block type / lengths
    return bytes(blob)


def _zip_version() -> bytes:
    blob = bytearray(_xlsx())
    at = _central_entry(bytes(blob), "xl/workbook.xml")
    blob[at + 6:at + 8] = struct.pack("<H", 84)  # "version needed to extract" 8.4
    return bytes(blob)


def _encrypted_flag() -> bytes:
    blob = bytearray(_xlsx())
    at = _central_entry(bytes(blob), "xl/workbook.xml")
    flags = struct.unpack("<H", blob[at + 8:at + 10])[0] | 0x1
    blob[at + 8:at + 10] = struct.pack("<H", flags)
    return bytes(blob)


def _bad_sheet_xml() -> bytes:
    return _rezip(_xlsx(), "xl/worksheets/sheet1.xml", lambda d: d[: len(d) // 2] + b"<<&")


def _bad_rels_xml() -> bytes:
    return _rezip(_xlsx(), "xl/_rels/workbook.xml.rels", lambda d: d.replace(b"<Relationship ", b"<Relationship =", 1))


def _misread_workbook_xml() -> bytes:
    # An attribute openpyxl's WorkbookPackage does not expect (fuzz found it as a
    # namespace prefix mangled by one byte).
    return _rezip(_xlsx(), "xl/workbook.xml",
                  lambda d: d.replace(b"<workbook ", b"<workbook xmlbs=\"x\" ", 1))


XLSX_CASES = {
    "damaged-deflate": _damaged_deflate,
    "zip-version-8.4": _zip_version,
    "zip-encrypted-flag": _encrypted_flag,
    "sheet-xml-truncated": _bad_sheet_xml,
    "rels-xml-malformed": _bad_rels_xml,
    "workbook-xml-unexpected-attribute": _misread_workbook_xml,
}


def _parquet_with_metadata(pandas_meta: bytes) -> bytes:
    table = pa.Table.from_pandas(pd.DataFrame({"USUBJID": ["001"], "SEX": ["F"], "AGE": [34.0]}),
                                 preserve_index=False)
    table = table.replace_schema_metadata({b"pandas": pandas_meta})
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


def _good_meta() -> dict:
    table = pa.Table.from_pandas(pd.DataFrame({"USUBJID": ["001"]}), preserve_index=False)
    return json.loads(table.schema.metadata[b"pandas"])


PARQUET_CASES = {
    "metadata-not-json": lambda: _parquet_with_metadata(b"{\"index_columns\": [\x01"),
    "metadata-not-utf8": lambda: _parquet_with_metadata(b"{\"a\xdc\": 1}"),
    "metadata-without-index_columns": lambda: _parquet_with_metadata(b"{}"),
    "metadata-unknown-numpy-type": lambda: _parquet_with_metadata(json.dumps(
        {**_good_meta(), "columns": [{**c, "numpy_type": "oRject"} for c in _good_meta()["columns"]]}
    ).encode()),
}


@pytest.mark.parametrize("case", sorted(XLSX_CASES))
def test_damaged_workbook_is_refused_cleanly(case):
    blob = XLSX_CASES[case]()
    for layout in ("folder", "file"):
        with workdir() as d:
            path = d / "subjects.xlsx"
            path.write_bytes(blob)
            with pytest.raises(InputError) as caught:
                load_dataset(d if layout == "folder" else path)
            problem = caught.value.problems[0]
            assert problem.rule == "unreadable"
            assert problem.file.startswith("subjects.xlsx")


@pytest.mark.parametrize("case", sorted(PARQUET_CASES))
def test_parquet_with_damaged_pandas_metadata_is_refused_cleanly(case):
    with workdir() as d:
        (d / "subjects.parquet").write_bytes(PARQUET_CASES[case]())
        (d / "measurements.csv").write_bytes((GOOD / "measurements.csv").read_bytes())
        with pytest.raises(InputError) as caught:
            load_dataset(d)
        problem = caught.value.problems[0]
        assert (problem.rule, problem.file) == ("unreadable", "subjects.parquet")


def test_cli_exit_2_on_damaged_workbook():
    with workdir() as d:
        path = d / "subjects.xlsx"
        path.write_bytes(_damaged_deflate())
        code, out, err = cli_validate(path)
        assert code == 2
        assert "unreadable" in out


# Found by test_fuzz_csv_shapes: a file whose lines end with a lone CR (classic Mac
# "CSV (Macintosh)" export) crashed the header reader with _csv.Error.
def test_cr_line_endings_are_read_like_lf():
    with workdir() as d:
        (d / "subjects.csv").write_bytes(b"USUBJID,SEX,AGE\r001,F,34\r002,X,50\r")
        (d / "measurements.csv").write_bytes(
            b"USUBJID,PARAMCD,AVISIT,AVAL\r001,EASI,BASELINE,20\r002,EASI,BASELINE,30\r")
        ds = load_dataset(d)
        assert ds["subjects"]["USUBJID"].tolist() == ["001", "002"]
        assert ds["subjects"]["AGE"].tolist() == [34, 50]
        from analysis.schema import validate

        errors = [(p.rule, p.file, p.row, p.column) for p in validate(ds).errors]
        # 002 is on the file's third line: spreadsheet row 3.
        assert errors == [("code", "subjects.csv", 3, "SEX")]


def test_cr_only_header_blank_line_is_a_clean_refusal():
    with workdir() as d:
        (d / "subjects.csv").write_bytes(b'\r""\r')
        with pytest.raises(InputError) as caught:
            load_dataset(d)
        assert caught.value.problems[0].row == 1


# Found by test_fuzz_values (CSV route): an integer column (ADY) holding "inf" made
# normalize cast inf to int64 (pandas IntCastingNaNError) while loading.
@pytest.mark.parametrize("value", ["inf", "-inf", "Infinity"])
def test_infinite_integer_cell_is_a_range_error_not_a_crash(value):
    from analysis.schema import validate

    with workdir() as d:
        (d / "subjects.csv").write_text("USUBJID,SEX,AGE\n001,F,34\n")
        (d / "measurements.csv").write_text(
            f"USUBJID,PARAMCD,AVISIT,ADY,AVAL\n001,EASI,BASELINE,1,20\n001,EASI,WEEK 4,{value},10\n")
        ds = load_dataset(d)
        errors = [(p.rule, p.row, p.column) for p in validate(ds).errors]
        # The contract bounds ADY to -365..3650 days (analysis/schema/contract.py).
        assert errors == [("range", 3, "ADY")], errors


# Found while profiling validate: one infinite ADY anywhere made the vectorised
# visit-order check (schema.visits._earlier_max) compute NaN limits for every
# patient, so other patients' visit-order errors went unreported.
def test_infinite_day_does_not_hide_other_patients_visit_order_errors():
    from analysis.schema import validate

    with workdir() as d:
        (d / "subjects.csv").write_text("USUBJID,SEX,AGE\n001,F,34\n002,M,40\n")
        (d / "measurements.csv").write_text(
            "USUBJID,PARAMCD,AVISIT,ADY,AVAL\n"
            "001,EASI,BASELINE,1,20\n001,EASI,WEEK 4,inf,10\n"
            "002,EASI,BASELINE,1,20\n002,EASI,WEEK 4,30,10\n002,EASI,WEEK 16,20,10\n")
        errors = sorted((p.rule, p.row) for p in validate(load_dataset(d)).errors)
        # Row 3: ADY inf is outside -365..3650; row 6: day 20 at WEEK 16 is not after day 30.
        assert errors == [("range", 3), ("visit-order", 6)], errors
