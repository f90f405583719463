"""File extension -> reader, for one table per file."""

from __future__ import annotations

import re
from pathlib import Path

from analysis.io import excel
from analysis.io.delimited import SEPARATORS, read_delimited
from analysis.io.parquet import read_parquet
from analysis.io.raw import RawTable, fail, label
from analysis.io.readstat import FORMATS as READSTAT, read_readstat
from analysis.schema.contract import CONTRACT

EXTENSIONS = (*SEPARATORS, ".parquet", *excel.EXTENSIONS, *READSTAT)
# Wide columns (EASI_W4, TOPICAL_W0, ...) hold numbers or codes: let the CSV
# parser infer numbers for the numeric ones only.
_WIDE_NUMERIC = re.compile(r"^[A-Za-z][A-Za-z0-9]*_W\d{1,3}$")


def extension(path: Path) -> str:
    return path.suffix.lower()


def check_extension(path: Path) -> None:
    """Refuse a file whose extension no reader handles, listing those that do."""
    if extension(path) not in EXTENSIONS:
        hint = " (save old .xls workbooks as .xlsx)" if extension(path) == ".xls" else ""
        fail("unknown-format",
             f"cannot read {extension(path) or 'files without an extension'}{hint}; "
             f"supported: {', '.join(EXTENSIONS)}",
             label(path), value=extension(path) or path.name)


def text_columns(table: str | None):
    """Columns of ``table`` a CSV reader keeps as text (all but contract numbers)."""
    spec = CONTRACT.get(table) if table else None
    numeric = {c.name.upper() for c in spec.columns
               if c.dtype in ("int", "float") and c.name != "TACSTR"} if spec else set()

    def choose(names):
        return {n for n in names
                if n.strip().upper() not in numeric and not _is_wide_number(n)}

    return choose


def _is_wide_number(name: str) -> bool:
    upper = name.strip().upper()
    return bool(_WIDE_NUMERIC.match(upper)) and not upper.startswith(("TOPICAL_", "TACSITE_"))


def read_file(path: Path, table: str | None = None, coded: bool = False,
              ids=None, export: bool = False) -> RawTable:
    """Read ``path`` as one table; workbooks give the sheet named ``table`` (or a lone sheet).

    ``coded``: text columns of CSV/TSV and Parquet files may come as
    :class:`pandas.Categorical` (see :mod:`analysis.io.codes`); ``ids``: an
    :class:`~analysis.io.codes.IdPool` sharing patient ids between tables; ``export``:
    a European Excel export (see :func:`analysis.io.delimited.european_export`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "subjects.tsv"
    >>> _ = p.write_text("USUBJID\\tAGE\\n001\\t40\\n")
    >>> read_file(p, "subjects").frame.to_dict("list")
    {'USUBJID': ['001'], 'AGE': [40]}
    """
    check_extension(path)
    ext = extension(path)
    if ext in SEPARATORS:
        return read_delimited(path, text_columns(table), coded=coded, ids=ids, table=table,
                              export=export)
    if ext == ".parquet":
        return read_parquet(path, coded=coded, ids=ids, table=table)
    if ext in excel.EXTENSIONS:
        names = excel.sheet_names(path)
        return excel.read_sheet(path, excel.find_sheet(path, table or "subjects", names, True))
    return read_readstat(path)
