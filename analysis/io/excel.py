"""Excel workbooks (``.xlsx``, ``.xlsm``): one sheet per table.

Row 1 of a sheet is the header; row numbers in messages are the sheet's own row
numbers. Sheet names match table names case-insensitively (``Subjects`` is the
``subjects`` table).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.io.raw import RawTable, check_header, drop_blank, fail, label

EXTENSIONS = (".xlsx", ".xlsm")


def _reason(err: Exception) -> str:
    text = str(err).strip()
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


def sheet_names(path: Path) -> list[str]:
    """Names of the sheets of a workbook; an unreadable workbook is refused."""
    if path.stat().st_size == 0:
        fail("empty-file", "the workbook file is empty", label(path))
    try:
        with pd.ExcelFile(path, engine="openpyxl") as book:
            return list(book.sheet_names)
    except Exception as err:  # a damaged package fails in zipfile, zlib, lxml or openpyxl
        fail("unreadable", f"not a readable Excel workbook (.xlsx): {_reason(err)}", label(path))


def find_sheet(path: Path, table: str, names: list[str], fallback_single: bool) -> str:
    """The sheet holding ``table``; with ``fallback_single`` a lone sheet is accepted."""
    for name in names:
        if name.strip().lower() == table:
            return name
    if fallback_single and len(names) == 1:
        return names[0]
    fail("missing-sheet",
         f"the workbook has no sheet named {table!r} (sheets found: {', '.join(names)})",
         label(path), value=table)


def read_sheet(path: Path, sheet: str) -> RawTable:
    """Read one sheet, header on row 1, blank rows dropped but counted.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "book.xlsx"
    >>> pd.DataFrame({"USUBJID": ["001"]}).to_excel(p, sheet_name="subjects", index=False)
    >>> read_sheet(p, "subjects").frame["USUBJID"].tolist()
    ['001']
    """
    source = label(path, sheet)
    try:
        cells = pd.read_excel(path, sheet_name=sheet, header=None, dtype=object,
                              engine="openpyxl", na_values=[""], keep_default_na=False)
    except Exception as err:  # a damaged sheet fails in zlib, lxml, ElementTree or openpyxl
        fail("unreadable", f"the sheet cannot be read: {_reason(err)}", source)
    if cells.empty or cells.iloc[0].isna().all():
        fail("empty-file", "the sheet is empty: row 1 must hold the column names", source, row=1)
    names = check_header(list(cells.iloc[0]), source)
    frame = cells.iloc[1:].reset_index(drop=True)
    frame.columns = names
    # Cells typed as text in Excel keep their spaces; strings are stripped later.
    return drop_blank(frame, source)
