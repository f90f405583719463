"""What every format reader returns, and the checks they share.

A reader turns one file (or one workbook sheet) into a :class:`RawTable`: the
cells as read, the label used in messages, and the spreadsheet row of each
DataFrame row when blank lines were dropped. Readers refuse unreadable input with
:class:`~analysis.errors.InputError`; they do not judge content (that is
``analysis.schema``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import INFO, InputError, Problem

# Cells read as missing in every text-like format (R writes NA, SAS writes ".").
MISSING_TOKENS = ("", "NA", "N/A", "NaN", "nan", ".")


@dataclass
class RawTable:
    """One table as read from one file, before normalisation.

    Parameters
    ----------
    frame : DataFrame
        Cells as read; index is a RangeIndex.
    source : str
        File name (or ``book.xlsx[sheet]``) used in messages.
    rows : Series, optional
        Spreadsheet row of each frame row (header = 1); None means ``index + 2``.
    notes : list of Problem
        Warnings and information found while reading (e.g. Latin-1 fallback).
    """

    frame: pd.DataFrame
    source: str
    rows: pd.Series | None = None
    notes: list = field(default_factory=list)


def fail(rule: str, message: str, source: str | Path, row=None, column=None, value=None):
    """Raise :class:`InputError` with one problem (readers stop at the first)."""
    raise InputError(Problem(rule=rule, message=message, file=str(source), row=row,
                             column=column, value=value))


def label(path: Path, sheet: str | None = None) -> str:
    """Message label of a file or sheet: ``subjects.csv``, ``book.xlsx[subjects]``."""
    return f"{path.name}[{sheet}]" if sheet is not None else path.name


def check_header(names: list, source: str) -> list[str]:
    """Validate and clean header names; return them stripped.

    Empty names get a placeholder (``__blank_<n>``) so the caller can drop the
    column when it is empty too (trailing separators from spreadsheet exports).
    """
    cleaned = []
    for i, name in enumerate(names):
        text = "" if name is None or (isinstance(name, float) and pd.isna(name)) else str(name)
        text = text.strip()
        cleaned.append(text if text else f"__blank_{i + 1}")
    seen: dict[str, int] = {}
    for i, name in enumerate(cleaned):
        key = name.upper()
        if key in seen:
            fail("duplicate-column",
                 f"column {name!r} appears twice in the header (columns {seen[key] + 1} and {i + 1})",
                 source, row=1, column=name, value=name)
        seen[key] = i
    return cleaned


def drop_blank(frame: pd.DataFrame, source: str, first_row: int = 2) -> RawTable:
    """Drop entirely blank rows and placeholder columns; keep spreadsheet numbering.

    A column without a header but with data is refused: the data cannot be named.
    """
    for name in [c for c in frame.columns if str(c).startswith("__blank_")]:
        filled = frame[name].notna()
        if filled.any():
            where = int(filled.to_numpy().argmax())
            fail("header", f"column {name.split('_')[-1]} has data but no name in the header",
                 source, row=1, value=str(frame[name].iloc[where]))
        frame = frame.drop(columns=name)
    blank = _all_missing(frame) if len(frame.columns) else None
    if blank is not None and blank.any():
        rows = pd.Series(frame.index[~blank] + first_row, dtype="int64")
        frame = frame.loc[~blank].reset_index(drop=True)
        return RawTable(frame, source, rows=rows)
    return RawTable(frame.reset_index(drop=True), source)


def _all_missing(frame: pd.DataFrame) -> np.ndarray:
    """``frame.isna().all(axis=1)``, cheaply: numeric columns first, and text columns
    only on the rows still blank (``isna`` on millions of Python strings is slow)."""
    order = sorted(range(frame.shape[1]), key=lambda i: frame.dtypes.iloc[i] == object)
    blank = np.ones(len(frame), dtype=bool)
    for i in order:
        candidates = np.flatnonzero(blank)
        if not candidates.size:
            break
        column = frame.iloc[:, i]
        if isinstance(column.dtype, pd.CategoricalDtype):  # coded text: missing is code -1
            blank[candidates] = column.cat.codes.to_numpy()[candidates] < 0
        else:
            blank[candidates] = pd.isna(column.to_numpy()[candidates])
    return blank


def require_rows(raw: RawTable, table: str | None, required: bool) -> RawTable:
    """Refuse a header-only required table; note an empty optional one."""
    if len(raw.frame):
        return raw
    if required:
        fail("header-only", f"the {table or 'table'} file has a header but no data rows",
             raw.source, row=2)
    raw.notes.append(Problem(rule="header-only", severity=INFO, file=raw.source, row=2,
                             message=f"the {table} file has no data rows (read as an empty table)"))
    return raw
