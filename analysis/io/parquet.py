"""Apache Parquet files (one table per file)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.io.raw import RawTable, check_header, fail, label


def read_parquet(path: Path) -> RawTable:
    """Read a ``.parquet`` file; a truncated or corrupt file is refused by name.

    Row numbers in messages count records as a spreadsheet export would show
    them (first record = row 2).

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
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        # Damaged pandas metadata in a readable footer fails only here (JSON, KeyError, ...).
        frame = table.to_pandas()
    except Exception as err:  # pyarrow raises several types for corrupt files
        fail("unreadable", f"not a readable Parquet file (truncated or corrupt?): {err}", source)
    if not isinstance(frame.index, pd.RangeIndex):
        frame = frame.reset_index()
    frame.columns = check_header(list(frame.columns), source)
    return RawTable(frame.reset_index(drop=True), source)
