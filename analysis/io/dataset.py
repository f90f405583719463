"""The in-memory dataset every layer after ``io`` works on."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.io.codes import is_text, storage_key, text_codes

TABLES = ("subjects", "measurements", "topicals", "events", "tte")


@dataclass
class Dataset:
    """Named tables of the data contract, with where each came from.

    Parameters
    ----------
    tables : dict of str to DataFrame
        Keys among :data:`TABLES`. Missing optional tables are simply absent.
    sources : dict of str to str
        Table name -> file (or ``book.xlsx[sheet]``) it was read from, for messages.
    row_numbers : dict of str to Series
        Table name -> spreadsheet row number of each DataFrame row (header = 1),
        when the table was reshaped (wide or REDCap input) and rows no longer
        follow the file; absent means ``index + 2``.
    row_files : dict of str to Series
        Table name -> file of each row, when a table was assembled from several
        files (ADaM BDS files, a wide table plus a long one); absent means
        ``sources[table]`` for every row.
    row_columns : dict of str to dict
        Table name -> contract column -> the input column it was read from: a
        string (a renamed column, e.g. ADaM ``EFFFL`` for ``EVALFL``) or a Series
        per row (``EASI_W4`` for a wide table, a REDCap field), so that messages
        name the column the user sees; absent means the contract column itself.
    name : str
        Human name of the dataset (folder or file name).
    synthetic : bool
        True when the dataset declares itself a synthetic reconstruction.

    Notes
    -----
    Tables are not modified in place once read: :meth:`factorized` keeps the codes
    of text columns (made while reading) and recognises a column by its array, so
    a table or column that is replaced is seen, a cell written into is not.
    """

    tables: dict[str, pd.DataFrame]
    sources: dict[str, str] = field(default_factory=dict)
    row_numbers: dict[str, pd.Series] = field(default_factory=dict)
    name: str = "dataset"
    synthetic: bool = False
    warnings: list = field(default_factory=list)
    row_files: dict[str, pd.Series] = field(default_factory=dict)
    row_columns: dict[str, dict] = field(default_factory=dict)
    _codes: dict = field(default_factory=dict, repr=False, compare=False)

    def __contains__(self, table: str) -> bool:
        return table in self.tables

    def __getitem__(self, table: str) -> pd.DataFrame:
        return self.tables[table]

    def source(self, table: str) -> str:
        return self.sources.get(table, table)

    def spreadsheet_row(self, table: str, index) -> int:
        numbers = self.row_numbers.get(table)
        if numbers is not None:
            return int(numbers.loc[index])
        return int(self.tables[table].index.get_loc(index)) + 2

    def row_file(self, table: str, index) -> str:
        """File (or ``book.xlsx[sheet]``) the row at ``index`` of ``table`` came from."""
        files = self.row_files.get(table)
        if files is not None:
            return str(files.loc[index])
        return self.source(table)

    def row_column(self, table: str, column: str, index) -> str:
        """Input column name of ``column`` at ``index`` (``EASI_W4`` for a wide input)."""
        where = self.row_columns.get(table, {}).get(column)
        if isinstance(where, pd.Series):
            where = where.loc[index]
        return where if isinstance(where, str) and where else column

    def factorized(self, table: str, column: str):
        """``(codes, uniques)`` of a text column, as :func:`pandas.factorize` gives them.

        ``codes[i]`` is the position of row ``i``'s value in ``uniques`` (-1 when
        missing). Made once (by the reader, or on first use) and reused by
        ``validate`` and :meth:`content_hash`. None when some filled cell is not a
        ``str`` (factorize would take ``1``, ``1.0`` and ``True`` for one value).

        Examples
        --------
        >>> ds = Dataset({"subjects": pd.DataFrame({"SEX": ["F", None, "F"]})})
        >>> codes, uniques = ds.factorized("subjects", "SEX")
        >>> codes.tolist(), uniques.tolist()
        ([0, -1, 0], ['F'])
        """
        s = self.tables[table][column]
        key = storage_key(s)
        cached = self._codes.get((table, column))
        if cached is not None and cached[2] == key and _agrees(s, cached[0], cached[1]):
            return cached[0], cached[1]
        if not is_text(s):
            return None
        codes, uniques = text_codes(s)
        self._codes[(table, column)] = (codes, uniques, key)
        return codes, uniques

    def keep_codes(self, table: str, column: str, codes, uniques) -> None:
        """Record the codes of a text column made while reading (see :meth:`factorized`)."""
        self._codes[(table, column)] = (codes, uniques, storage_key(self.tables[table][column]))

    def keep_known_ids(self, table: str, known) -> None:
        """Record, per distinct ``USUBJID`` of ``table``, whether the subjects table has it."""
        self._codes[("known-ids", table)] = (
            known, storage_key(self.tables[table]["USUBJID"]),
            storage_key(self.tables["subjects"]["USUBJID"]))

    def known_ids(self, table: str):
        """Per distinct ``USUBJID`` of ``table`` (the uniques of :meth:`factorized`): is it
        a subject? Made while reading; None when not recorded or a table has changed."""
        kept = self._codes.get(("known-ids", table))
        if kept is None or "subjects" not in self.tables:
            return None
        known, mine, theirs = kept
        if (storage_key(self.tables[table]["USUBJID"]) != mine
                or storage_key(self.tables["subjects"]["USUBJID"]) != theirs
                or self.factorized(table, "USUBJID") is None):
            return None
        return known

    def content_hash(self) -> str:
        """SHA-256 over the tables' content, independent of file format and row order.

        Each row is hashed from its cells (a column's text values once per distinct
        value, numbers by value), and a table's rows are combined by sums of two
        independent 64-bit mixes of the row hashes: the same multiset of rows gives
        the same digest in any order, in one pass over the table.
        """
        h = hashlib.sha256()
        for name in sorted(self.tables):
            df = self.tables[name]
            columns = sorted(df.columns, key=str)
            h.update(name.encode())
            h.update(",".join(map(str, columns)).encode())
            h.update(str(len(df)).encode())
            hashers = [self._column_hasher(name, column) for column in columns]
            lanes = np.zeros(2, dtype=np.uint64)
            step = 1 << 20  # rows at a time: a few small temporaries, not one per column
            with np.errstate(over="ignore"):
                for start in range(0, len(df), step):
                    part = slice(start, min(start + step, len(df)))
                    rows = np.zeros(part.stop - part.start, dtype=np.uint64)
                    for hasher in hashers:  # column hashes are mixed already: FNV-1a
                        rows ^= hasher(part)
                        rows *= _PRIME
                    lanes[0] += _mix(rows ^ _K1).sum(dtype=np.uint64)
                    lanes[1] += _mix(rows ^ _K2).sum(dtype=np.uint64)
            h.update(lanes.tobytes())
        return h.hexdigest()

    def _column_hasher(self, table: str, column):
        """``rows -> uint64 hash per cell`` of one column (text: once per distinct value)."""
        s = self.tables[table][column]
        coded = self.factorized(table, column)
        if coded is not None:
            codes, uniques = coded
            per_value = np.append(
                pd.util.hash_array(np.asarray(uniques, dtype=object), categorize=False), _MISSING)
            return lambda part: per_value[codes[part]]
        values = s.to_numpy()
        kind = values.dtype.kind
        if kind == "f":
            def floats(part):
                v = values[part].astype(np.float64) + 0.0  # -0.0 == 0.0
                v[np.isnan(v)] = np.nan  # one NaN
                return pd.util.hash_array(v, categorize=False)
            return floats
        if kind in "iub":
            return lambda part: pd.util.hash_array(values[part].astype(np.int64),
                                                   categorize=False) ^ _INT
        if kind == "M":
            return lambda part: pd.util.hash_array(
                values[part].astype("datetime64[ns]").view(np.int64), categorize=False) ^ _DATE
        cells = s.astype(object)
        text = pd.util.hash_array(cells.astype(str).to_numpy(dtype=object), categorize=True)
        text[cells.isna().to_numpy()] = _MISSING
        return lambda part: text[part]

    def n_subjects(self) -> int:
        if "subjects" not in self.tables:
            return 0
        coded = self.factorized("subjects", "USUBJID")
        if coded is not None:
            return int(len(coded[1]))
        return int(self.tables["subjects"]["USUBJID"].nunique())


_K1 = np.uint64(0x9E3779B97F4A7C15)
_K2 = np.uint64(0xC2B2AE3D27D4EB4F)
_INT = np.uint64(0x165667B19E3779F9)
_DATE = np.uint64(0x27D4EB2F165667C5)
_MISSING = np.uint64(0x61C8864680B583EB)
_PRIME = np.uint64(0x100000001B3)


def _agrees(s: pd.Series, codes: np.ndarray, uniques: np.ndarray, n: int = 97) -> bool:
    """A spot check of kept codes against the column (a cell written in place since
    reading keeps the column's storage): ``n`` rows spread over the table."""
    if len(codes) != len(s):
        return False
    if not len(s):
        return True
    at = np.unique(np.linspace(0, len(s) - 1, num=min(n, len(s))).astype(np.int64))
    cells = s.to_numpy()[at]
    kept = codes[at]
    filled = kept >= 0
    if (pd.isna(cells) != ~filled).any():
        return False
    return bool((cells[filled] == uniques[kept[filled]]).all())


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser: every input bit changes about half the output bits."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))
