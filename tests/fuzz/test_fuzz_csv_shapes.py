"""Random delimited-file shapes: header names, delimiters, quoting, line ends, encodings.

Each example writes one table of the contract (or a wide single file) with a random
header drawn from the contract's own column names, wide names (``EASI_W16``) and
arbitrary text, random ragged rows, a random dialect and encoding, then reads the
folder and validates it. Acceptable endings: a clean ``InputError`` or a report.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from hypothesis import given, strategies as st

from analysis.schema.contract import CONTRACT
from tests.fuzz._harness import FUZZ, FUZZ_SMALL, cli_validate, load_and_validate, workdir

GOOD = Path(__file__).resolve().parents[1] / "data" / "good" / "csv"
TABLES = sorted(CONTRACT)
WIDE = [f"{p}_W{w}" for p in ("EASI", "IGA", "DLQI", "TOPICAL", "TACSTR") for w in (0, 4, 16, 52, 999)]

cell_text = st.one_of(
    st.sampled_from(["", " ", "NA", ".", "nan", "001", "002", "F", "M", "Y", "N", "EASI",
                     "BASELINE", "WEEK 16", "WEEK 4 ", "0", "-1", "1e308", "1e999", "inf",
                     "-0", "3,5", "2019-02-30", "TAC", "0.1", '"', "''", "\\", "=1+1"]),
    st.text(max_size=12),
    st.integers(-10**12, 10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


@st.composite
def header(draw, table: str):
    pool = [c.name for c in CONTRACT[table].columns]
    name = st.one_of(st.sampled_from(pool), st.sampled_from(pool).map(str.lower),
                     st.sampled_from(WIDE), st.text(max_size=10))
    required = [c.name for c in CONTRACT[table].columns if c.required]
    names = draw(st.lists(name, min_size=0, max_size=8))
    if draw(st.booleans()):
        names = required + names
    return names


@st.composite
def delimited_file(draw, table: str):
    names = draw(header(table))
    width = max(len(names), 1)
    rows = draw(st.lists(
        st.one_of(st.lists(cell_text, min_size=width, max_size=width),  # rectangular
                  st.lists(cell_text, max_size=width + 3)),              # ragged
        max_size=6))
    sep = draw(st.sampled_from([",", ";", "\t", "|"]))
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC,
                                    csv.QUOTE_NONE]))
    quotechar = draw(st.sampled_from(['"', "'"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=sep, quoting=quoting, quotechar=quotechar,
                        escapechar="\\", lineterminator=newline)
    rows_out = [names] + rows
    if draw(st.booleans()):
        rows_out.insert(draw(st.integers(0, len(rows_out))), [])  # a blank line somewhere
    for row in rows_out:
        try:
            writer.writerow(row)
        except csv.Error:  # QUOTE_NONE with nothing to escape with: write it raw
            buf.write(sep.join(row) + newline)
    text = buf.getvalue()
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252"]))
    data = text.encode(encoding, errors="replace")
    if draw(st.integers(0, 9)) == 0:
        data += draw(st.binary(max_size=16))  # trailing junk
    ext = draw(st.sampled_from([".csv", ".tsv"]))
    return data, ext


@FUZZ
@given(data=st.data(), table=st.sampled_from(TABLES))
def test_random_shape_of_one_table(data, table):
    blob, ext = data.draw(delimited_file(table))
    with workdir() as d:
        for other in ("subjects", "measurements"):
            if other != table:
                (d / f"{other}.csv").write_bytes((GOOD / f"{other}.csv").read_bytes())
        (d / f"{table}{ext}").write_bytes(blob)
        load_and_validate(d)


@FUZZ_SMALL
@given(data=st.data())
def test_random_shape_of_wide_single_file(data):
    blob, ext = data.draw(delimited_file("subjects"))
    with workdir() as d:
        path = d / f"cohort{ext}"
        path.write_bytes(blob)
        load_and_validate(path)


@FUZZ_SMALL
@given(data=st.data())
def test_cli_validate_on_random_shape(data):
    blob, ext = data.draw(delimited_file("measurements"))
    with workdir() as d:
        (d / "subjects.csv").write_bytes((GOOD / "subjects.csv").read_bytes())
        (d / f"measurements{ext}").write_bytes(blob)
        cli_validate(d)
