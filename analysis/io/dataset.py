"""The in-memory dataset every layer after ``io`` works on."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import pandas as pd

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
    """

    tables: dict[str, pd.DataFrame]
    sources: dict[str, str] = field(default_factory=dict)
    row_numbers: dict[str, pd.Series] = field(default_factory=dict)
    name: str = "dataset"
    synthetic: bool = False
    warnings: list = field(default_factory=list)
    row_files: dict[str, pd.Series] = field(default_factory=dict)
    row_columns: dict[str, dict] = field(default_factory=dict)

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

    def content_hash(self) -> str:
        """SHA-256 over the tables' content, independent of file format and row order."""
        h = hashlib.sha256()
        for name in sorted(self.tables):
            df = self.tables[name]
            df = df.reindex(sorted(df.columns), axis=1)
            h.update(name.encode())
            h.update(",".join(map(str, df.columns)).encode())
            row_hashes = pd.util.hash_pandas_object(df.astype(str), index=False).sort_values()
            h.update(row_hashes.to_numpy().tobytes())
        return h.hexdigest()

    def n_subjects(self) -> int:
        return int(self.tables["subjects"]["USUBJID"].nunique()) if "subjects" in self.tables else 0
