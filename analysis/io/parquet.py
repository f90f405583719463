"""Apache Parquet files (one table per file).

Text columns are read as dictionaries (Parquet stores them so): each distinct
value becomes one Python string, and rows get integer codes
(:mod:`analysis.io.codes`) instead of millions of string objects.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.io.codes import arrow_codes, categorical, expand, release_arrow_memory
from analysis.io.raw import RawTable, check_header, fail, label


def read_parquet(path: Path, coded: bool = False, ids=None, table: str | None = None) -> RawTable:
    """Read a ``.parquet`` file; a truncated or corrupt file is refused by name.

    Row numbers in messages count records as a spreadsheet export would show
    them (first record = row 2).

    Parameters
    ----------
    path : Path
    coded : bool
        Give text columns as :class:`pandas.Categorical` (codes over distinct
        values) instead of object columns; :func:`analysis.io.normalize.normalize`
        accepts both.
    ids : IdPool, optional
        Patient ids shared between tables (:class:`analysis.io.codes.IdPool`);
        ``table`` names the table read.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "subjects.parquet"
    >>> pd.DataFrame({"USUBJID": ["001"]}).to_parquet(p)
    >>> read_parquet(p).frame["USUBJID"].tolist()
    ['001']
    """
    source = label(path)
    if path.stat().st_size == 0:
        fail("empty-file", "the file is empty", source)
    try:
        frame = _read(path, coded, _sharing(ids, table))
    except Exception as err:  # pyarrow raises several types for corrupt files
        fail("unreadable", f"not a readable Parquet file (truncated or corrupt?): {err}", source)
    finally:
        release_arrow_memory()
    frame.columns = check_header(list(frame.columns), source)
    return RawTable(frame, source)


def _is_text(kind) -> bool:
    import pyarrow as pa

    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    return (pa.types.is_string(kind) or pa.types.is_large_string(kind)
            or bool(getattr(pa.types, "is_string_view", lambda _: False)(kind)))


def _plain(field, meta: dict) -> bool:
    """A float64/int64 column that pandas metadata does not retype: ``to_numpy`` gives
    what ``to_pandas`` would (missing integers as NaN floats), without its copies."""
    import pyarrow as pa

    if not (pa.types.is_float64(field.type) or pa.types.is_int64(field.type)):
        return False
    described = [c for c in meta.get("columns", [])
                 if c.get("field_name", c.get("name")) == field.name]
    return all(c.get("numpy_type") in ("int64", "float64") for c in described)


def _sharing(ids, table):
    """``name -> share function or None``: patient ids go through the pool."""
    if ids is None or table is None:
        return lambda name: None
    return lambda name: ((lambda distinct: ids.share(table, distinct))
                         if str(name).strip().upper() == "USUBJID" else None)


def _read(path: Path, coded: bool, sharing=lambda name: None) -> pd.DataFrame:
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
    except Exception:
        pq.read_table(path)  # raises with the reader's own wording (it names the file)
        raise
    meta = schema.pandas_metadata or {}
    # Damaged pandas metadata in a readable footer fails in to_pandas (JSON, KeyError,
    # unknown types ...), even for columns read without it: try it on no rows.
    schema.empty_table().to_pandas()
    # Index columns stored by pandas (a named index) are restored by to_pandas and
    # turned back into columns below, as for any other file.
    stored_index = {c for c in meta.get("index_columns", []) if isinstance(c, str)}
    names = schema.names
    text = {i for i, f in enumerate(schema) if _is_text(f.type) and f.name not in stored_index}
    plain = {i for i, f in enumerate(schema)
             if i not in text and f.name not in stored_index and _plain(f, meta)}
    if len(set(names)) != len(names):  # read by position below; check_header words it
        text, plain = set(), set()
    file = pq.ParquetFile(path, read_dictionary=sorted({names[i] for i in text}))
    columns: dict[int, pd.Series] = {}
    # Numbers, then text, then the rest, each group read on its own: the Arrow copy of
    # one group at a time sits beside the arrays made from it.
    if plain:
        group = file.read(columns=[names[i] for i in sorted(plain)], use_pandas_metadata=False)
        for j, i in enumerate(sorted(plain)):
            columns[i] = pd.Series(group.column(j).to_numpy(), name=names[i])
        del group
        release_arrow_memory()
    if text:
        group = file.read(columns=[names[i] for i in sorted(text)], use_pandas_metadata=False)
        for j, i in enumerate(sorted(text)):
            codes, uniques = arrow_codes(group.column(j), sharing(names[i]))
            values = categorical(codes, uniques) if coded else expand(codes, uniques)
            columns[i] = pd.Series(values, name=names[i])
        del group
        release_arrow_memory()
    others = [i for i in range(len(names)) if i not in text | plain]
    rest = None
    if others or stored_index:
        table = file.read(columns=[names[i] for i in others if names[i] not in stored_index]
                          if text or plain else None, use_pandas_metadata=True)
        rest = table.to_pandas()
        if not isinstance(rest.index, pd.RangeIndex):
            rest = rest.reset_index()
    ordered = []
    leading = 0 if rest is None else len(rest.columns) - len(
        [i for i in others if names[i] not in stored_index])
    for j in range(leading):  # restored index columns come first
        ordered.append(rest.iloc[:, j])
    position = leading
    for i, name in enumerate(names):
        if name in stored_index:
            continue
        if i in columns:
            ordered.append(columns[i])
        else:
            ordered.append(rest.iloc[:, position])
            position += 1
    frame = pd.DataFrame({k: v.array for k, v in enumerate(ordered)}, copy=False)
    frame.columns = [s.name for s in ordered]
    if not len(frame.columns):
        frame.index = pd.RangeIndex(file.metadata.num_rows)
    return frame
