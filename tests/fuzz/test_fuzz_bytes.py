"""Random and mutated bytes as a table file: a clean refusal or a dataset, never a traceback.

Two sources of hostile files: (1) bytes drawn at random, saved under each supported
extension; (2) a valid file of each format (CSV, TSV, XLSX, Parquet) with random
byte flips, truncation and insertions, which reaches much deeper into the zip/XML
and Parquet decoders than pure noise does.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path

import pandas as pd
from hypothesis import given, strategies as st

from tests.fuzz._harness import FUZZ, FUZZ_SMALL, cli_validate, load_and_validate, workdir

GOOD = Path(__file__).resolve().parents[1] / "data" / "good" / "csv"
EXTENSIONS = [".csv", ".tsv", ".xlsx", ".xlsm", ".parquet", ".xpt", ".sav", ".dta", ".sas7bdat"]


@functools.lru_cache(maxsize=None)
def valid_bytes(ext: str) -> bytes:
    """The good subjects table, saved in format ``ext``."""
    frame = pd.read_csv(GOOD / "subjects.csv", dtype=str, keep_default_na=False)
    buf = io.BytesIO()
    if ext == ".csv":
        return (GOOD / "subjects.csv").read_bytes()
    if ext == ".tsv":
        return frame.to_csv(sep="\t", index=False).encode()
    if ext == ".xlsx":
        frame.to_excel(buf, sheet_name="subjects", index=False, engine="openpyxl")
    elif ext == ".parquet":
        frame.to_parquet(buf, index=False)
    elif ext in (".sav", ".dta", ".xpt"):
        import pyreadstat

        writer = {".sav": pyreadstat.write_sav, ".dta": pyreadstat.write_dta,
                  ".xpt": pyreadstat.write_xport}[ext]
        with workdir() as d:
            writer(frame.assign(AGE=frame["AGE"].astype(float)), str(d / f"t{ext}"))
            return (d / f"t{ext}").read_bytes()
    return buf.getvalue()


@st.composite
def mutated(draw, ext: str) -> bytes:
    data = bytearray(valid_bytes(ext))
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["flip", "set", "truncate", "insert", "delete"]))
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        if kind == "flip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "set":
            data[at] = draw(st.integers(0, 255))
        elif kind == "truncate":
            del data[at:]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        else:
            del data[at:at + draw(st.integers(1, 64))]
    return bytes(data)


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


@FUZZ
@given(data=st.binary(max_size=2048), ext=st.sampled_from(EXTENSIONS))
def test_random_bytes_as_subjects_table(data, ext):
    with workdir() as d:
        _write(d, f"subjects{ext}", data)
        (d / "measurements.csv").write_bytes((GOOD / "measurements.csv").read_bytes())
        load_and_validate(d)


@FUZZ_SMALL
@given(data=st.binary(max_size=1024), ext=st.sampled_from(EXTENSIONS))
def test_random_bytes_as_single_file(data, ext):
    with workdir() as d:
        load_and_validate(_write(d, f"cohort{ext}", data))


@FUZZ
@given(data=st.data(), ext=st.sampled_from([".csv", ".tsv", ".xlsx", ".parquet"]))
def test_mutated_valid_file(data, ext):
    blob = data.draw(mutated(ext))
    with workdir() as d:
        # A workbook is read as a whole dataset; the others as the subjects table.
        _write(d, f"subjects{ext}", blob)
        if ext != ".xlsx":
            (d / "measurements.csv").write_bytes((GOOD / "measurements.csv").read_bytes())
        load_and_validate(d)


@FUZZ_SMALL
@given(data=st.data(), ext=st.sampled_from([".sav", ".dta", ".xpt"]))
def test_mutated_statistics_package_file(data, ext):
    blob = data.draw(mutated(ext))
    with workdir() as d:
        _write(d, f"subjects{ext}", blob)
        load_and_validate(d)


@FUZZ_SMALL
@given(data=st.data(), ext=st.sampled_from([".csv", ".xlsx", ".parquet"]))
def test_cli_validate_on_mutated_file(data, ext):
    blob = data.draw(mutated(ext))
    with workdir() as d:
        code, out, err = cli_validate(_write(d, f"subjects{ext}", blob))
        assert "Traceback" not in out + err


def test_valid_files_still_load():
    """The unmutated sources are valid, so the mutation tests start from good input."""
    for ext in (".csv", ".tsv", ".xlsx", ".parquet", ".sav", ".dta", ".xpt"):
        with workdir() as d:
            _write(d, f"subjects{ext}", valid_bytes(ext))
            (d / "measurements.csv").write_bytes((GOOD / "measurements.csv").read_bytes())
            report = load_and_validate(d)
            assert report is not None and report.ok, (ext, report and report.errors[:3])
