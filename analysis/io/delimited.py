"""CSV (comma) and TSV (tab) files: encoding, separator, header, ragged rows.

A ``.csv`` file separated by semicolons with decimal commas (what Excel saves in
European locales) is read as such, with a warning; a semicolon file without any
decimal comma (and no such file beside it) is refused as a delimiter mistake.

Encodings: UTF-8 with or without a byte-order mark, UTF-16 with a byte-order mark,
and Latin-1 as a fallback with a warning. Latin-1 maps every byte to a character,
so it is accepted only when the bytes that are not UTF-8 are printable Latin-1;
control bytes (0x00-0x08, 0x0B, 0x0C, 0x0E-0x1F, 0x7F-0x9F, typical of
Windows-1252 smart quotes or a binary file) are refused with their row.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import WARNING, InputError, Problem
from analysis.io.codes import (arrow_codes, categorical, drop_values, expand,
                               release_arrow_memory)
from analysis.io.raw import MISSING_TOKENS, RawTable, check_header, drop_blank, fail, label

SEPARATORS = {".csv": ",", ".tsv": "\t"}
_SEP_NAMES = {",": "comma", "\t": "tab", ";": "semicolon", "|": "pipe"}

_BAD = np.zeros(256, dtype=bool)
_BAD[[*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)]] = True


def _row_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def decode(data: bytes, source: str) -> tuple[str, list[Problem]]:
    """Bytes -> text, with a warning when the Latin-1 fallback was used.

    Examples
    --------
    >>> decode("AGE\\n3\\n".encode("utf-8-sig"), "s.csv")[0]
    'AGE\\n3\\n'
    >>> text, notes = decode("SEX\\nF\\u00e9\\n".encode("latin-1"), "s.csv")
    >>> notes[0].rule
    'encoding-latin1'
    """
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16"), []
        except UnicodeDecodeError as err:
            fail("encoding", f"the file starts as UTF-16 but is not valid UTF-16 ({err.reason})",
                 source, row=None, value=f"byte offset {err.start}")
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as err:
        first = err.start
    bad = np.flatnonzero(_BAD[np.frombuffer(data, dtype=np.uint8)])
    # Tab, CR and LF are fine; anything else flagged is not text.
    if bad.size:
        at = int(bad[0])
        fail("encoding",
             f"byte 0x{data[at]:02X} is neither UTF-8 nor printable Latin-1 text "
             "(a Windows-1252 or binary file?); save the file as CSV UTF-8",
             source, row=_row_of(data, at), value=f"0x{data[at]:02X}")
    note = Problem(
        rule="encoding-latin1", severity=WARNING, file=source, row=_row_of(data, first),
        message="the file is not UTF-8; read as Latin-1 (ISO-8859-1). Check accented "
                "letters and save as CSV UTF-8 to silence this warning",
        value=f"0x{data[first]:02X}")
    return data.decode("latin-1"), [note]


def _header(text: str, sep: str, source: str) -> list[str]:
    # Old Mac exports end lines with a lone CR; pandas reads those too.
    first = re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]
    if not first.strip():
        fail("header", "the first line is blank: row 1 must hold the column names", source, row=1)
    try:
        names = next(csv.reader([first], delimiter=sep))
    except csv.Error as err:
        fail("header", f"the header (row 1) cannot be parsed: {err}", source, row=1)
    if len(names) == 1:
        for other in (";", "\t", ",", "|"):
            if other != sep and other in first:
                fail("delimiter",
                     f"the header has one column but contains {_SEP_NAMES[other]}s: this "
                     f"{'TSV' if sep == chr(9) else 'CSV'} file must be "
                     f"{_SEP_NAMES[sep]}-separated",
                     source, row=1, value=other)
    return names


def read_delimited(path: Path, text_columns=None, coded: bool = False, ids=None,
                   table: str | None = None, export: bool = False) -> RawTable:
    """Read a ``.csv`` (comma) or ``.tsv`` (tab) file.

    Files without quote characters are parsed by pyarrow (several times faster
    than pandas, text columns kept as codes over distinct values); any file it
    would read differently (quotes, ragged rows, bytes that are not UTF-8, numbers
    pandas would not infer the same way) goes through pandas, which also words
    every refusal. Both give the same table (tests/io/test_io_fast_paths.py).

    Parameters
    ----------
    path : Path
    text_columns : callable, optional
        ``names -> set`` of columns to keep as text; other columns are left to the
        parser's number inference (fast for big measurement tables). Default: all
        columns are text.
    coded : bool
        Give text columns read by pyarrow as :class:`pandas.Categorical`
        (:mod:`analysis.io.codes`); :func:`analysis.io.normalize.normalize`
        accepts both.
    ids : IdPool, optional
        Patient ids shared between tables (:class:`analysis.io.codes.IdPool`);
        ``table`` names the table read.
    export : bool
        The file belongs to a European Excel export (:func:`european_export` of a
        file beside it): semicolons are read even without decimal commas in it.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "subjects.csv"
    >>> _ = p.write_text("USUBJID,AGE\\n001,34\\n")
    >>> read_delimited(p).frame["USUBJID"].tolist()
    ['001']
    """
    source = label(path)
    sep = SEPARATORS[path.suffix.lower()]
    plain, blank = _scan(path)
    if blank:
        fail("empty-file", "the file is empty (no header, no data)", source)
    # pyarrow reads the file itself: its bytes are not held in memory beside the table.
    frame = _read_arrow(path, sep, source, text_columns, coded, ids, table) if plain else None
    release_arrow_memory()
    if frame is not None:
        return drop_blank(frame, source)
    return _read_pandas(path.read_bytes(), sep, source, text_columns, export)


def _scan(path: Path, block: int = 1 << 24) -> tuple[bool, bool]:
    """(no quote character, NUL byte or UTF-16 mark: pyarrow may read it; only blanks)."""
    plain, blank = True, True
    with open(path, "rb") as fh:
        first = True
        while chunk := fh.read(block):
            if first and chunk[:2] in (b"\xff\xfe", b"\xfe\xff"):
                plain = False
            first = False
            if plain and (b'"' in chunk or b"\x00" in chunk):
                plain = False
            if blank and not chunk.isspace():
                blank = False
            if not plain and not blank:
                break
    return plain, blank


def _read_pandas(data: bytes, sep: str, source: str, text_columns,
                 export: bool = False) -> RawTable:
    text, notes = decode(data, source)
    european = sep == "," and _european(text, export)
    if european:
        sep = ";"
        notes.append(Problem(
            rule="delimiter-semicolon", severity=WARNING, file=source, row=1, value=";",
            message="the file is separated by semicolons and writes decimal commas (a "
                    "European Excel export): read as such. Check the numbers, and save as "
                    "CSV UTF-8 (comma-separated) to silence this warning"))
    names = check_header(_header(text, sep, source), source)
    del text  # pandas decodes the bytes itself (a StringIO would hold 4 bytes per character)
    codec = ("utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff")
             else "latin-1" if any(n.rule == "encoding-latin1" for n in notes) else "utf-8-sig")
    keep_text = set(names) if text_columns is None else set(text_columns(names))
    dtype = {n: str for n in names if n in keep_text or n.startswith("__blank_")}
    try:
        frame = pd.read_csv(io.BytesIO(data), encoding=codec, sep=sep, header=0, names=names,
                            dtype=dtype, keep_default_na=False, na_values=list(MISSING_TOKENS),
                            skip_blank_lines=False, skipinitialspace=False,
                            decimal="," if european else ".")
    except pd.errors.ParserError as err:
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(err))
        if found:
            fail("parse", f"row has {found.group(3)} fields but the header has {found.group(1)} "
                 f"(a {_SEP_NAMES.get(sep, sep)} inside an unquoted value?)",
                 source, row=int(found.group(2)), value=f"{found.group(3)} fields")
        fail("parse", f"the file cannot be parsed as {_SEP_NAMES[sep]}-separated text: {err}",
             source)
    except (ValueError, csv.Error) as err:
        fail("parse", f"the file cannot be parsed: {err}", source)
    if not isinstance(frame.index, pd.RangeIndex):
        # pandas turns surplus leading fields into an index when every row has them
        fail("parse", f"data rows have more fields than the header's {len(names)}",
             source, row=2, value=f"{len(names) + frame.index.nlevels} fields")
    if european:
        # Numbers the contract reads from text (TACSTR may carry a "%"): decimal point.
        for name in names:
            if name.strip().upper().split("_W")[0] == "TACSTR" and frame[name].dtype == object:
                frame[name] = frame[name].str.replace(_DECIMAL_COMMA, r"\1.\2", regex=True)
    raw = drop_blank(frame, source)
    raw.notes.extend(notes)
    return raw


_DECIMAL_COMMA = r"^(\s*[-+]?\d+),(\d+\s*%?\s*)$"


def european_export(path: Path) -> bool:
    """Does this ``.csv`` file look like a European Excel export (see :func:`_european`)?

    Read from its first megabyte; a folder holding one such file is read as one
    export, so that its tables without decimals are read with semicolons too.
    """
    if path.suffix.lower() != ".csv":
        return False
    with open(path, "rb") as fh:
        head = fh.read(1 << 20)
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        text = head[:err.start].decode("utf-8-sig")
    return _european(text)


def _european(text: str, export: bool = False, lines: int = 2000) -> bool:
    """A European Excel export: a header that is one column when split on commas but
    several on semicolons, and a number written with a decimal comma in the first rows
    (or, ``export``, in another file of the same folder). A semicolon file without
    that sign stays a delimiter error."""
    sample = re.split(r"\r\n|\r|\n", text[:1 << 20], maxsplit=lines)[:lines]
    if not sample or ";" not in sample[0]:
        return False
    try:
        rows = list(csv.reader(sample, delimiter=";"))
        if len(next(csv.reader(sample[:1], delimiter=","))) != 1 or len(rows[0]) < 2:
            return False
    except csv.Error:
        return False
    decimal = re.compile(_DECIMAL_COMMA)
    return export or any(decimal.match(cell) for row in rows[1:] for cell in row)


def _read_arrow(data, sep: str, source: str, text_columns, coded: bool, ids=None,
                table: str | None = None):
    """The table as pandas would read it, or None when pyarrow cannot promise that.

    ``data``: the file's bytes, or its path (then the caller has checked, with
    :func:`_scan`, that it holds no quote character, NUL byte or UTF-16 mark).
    """
    import pyarrow as pa

    if isinstance(data, Path):
        with open(data, "rb") as fh:
            head = fh.read(1 << 16)
        body = str(data)
    else:
        if b'"' in data or b"\x00" in data or data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            return None
        head = data[:1 << 16]
        body = pa.py_buffer(data)
    if head.startswith(b"\xef\xbb\xbf"):  # the header line, with it, is skipped below
        head = head[3:]
    end = min((i for i in (head.find(b"\n"), head.find(b"\r")) if i >= 0), default=-1)
    if end < 0:
        return None  # header only, or a very long first line: pandas words it
    try:
        names = check_header(_header(head[:end].decode("utf-8"), sep, source), source)
    except (InputError, UnicodeDecodeError):
        return None  # pandas path reports it, after the encoding checks it does first
    keep_text = set(names) if text_columns is None else set(text_columns(names))
    table_name = table
    try:
        import pyarrow.csv as pacsv

        data_table = pacsv.read_csv(
            body,
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1,
                                           block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=sep, quote_char=False,
                                             ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.dictionary(pa.int32(), pa.string()) for n in names},
                strings_can_be_null=False, null_values=[], check_utf8=True))
    except Exception:  # ragged rows, invalid UTF-8, ...: pandas reads or refuses it
        return None
    columns = {}
    for i, name in enumerate(names):
        # pandas na_values: these exact cells are missing when read
        share = ((lambda distinct: ids.share(table_name, distinct))
                 if ids is not None and table_name and name.strip().upper() == "USUBJID"
                 else None)
        codes, uniques = drop_values(*arrow_codes(data_table.column(i), share),
                                     MISSING_TOKENS)
        if name in keep_text or name.startswith("__blank_"):
            columns[i] = categorical(codes, uniques) if coded else expand(codes, uniques)
            continue
        if not len(codes):  # no rows: pandas infers nothing and keeps object
            columns[i] = np.array([], dtype=object)
            continue
        values = _numbers(uniques, sep, has_missing=bool((codes < 0).any()))
        if values is None:
            return None
        columns[i] = expand(codes, values) if values.dtype.kind == "f" else values[codes]
    frame = pd.DataFrame(columns, copy=False)
    frame.columns = names
    return frame


def _numbers(uniques: np.ndarray, sep: str, has_missing: bool):
    """The values pandas' parser infers for a column's distinct cells, or None.

    pandas converts each cell on its own (the same C function here and in the
    whole-file parse) and chooses the column type from all of them: int64 when
    every cell is an integer and none is missing, else float64; anything else
    (text, booleans) is left to the pandas path.
    """
    if not len(uniques):
        return np.array([], dtype=float)
    parsed = pd.read_csv(io.StringIO("\n".join(uniques) + "\n"), sep=sep, header=None,
                         names=["v"], dtype=None, keep_default_na=False,
                         na_values=list(MISSING_TOKENS), skip_blank_lines=False,
                         skipinitialspace=False)["v"]
    if len(parsed) != len(uniques) or parsed.isna().any():
        return None
    if parsed.dtype == np.int64:
        if has_missing:
            if np.abs(parsed.to_numpy()).max() > 2 ** 53:
                return None
            return parsed.to_numpy(dtype=float)
        return parsed.to_numpy()
    if parsed.dtype == np.float64:
        return parsed.to_numpy()
    return None
