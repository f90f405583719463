"""Pieces of tables read from files -> one normalised :class:`Dataset`.

A table may come from several pieces (a long ``measurements.csv`` plus the wide
columns of ``subjects.csv``; several ADaM BDS files). Each piece carries where its
rows came from, so that every message can name file, spreadsheet row and column.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.io import wide
from analysis.io.dataset import Dataset
from analysis.io.normalize import contract_names, normalize
from analysis.io.raw import RawTable, require_rows
from analysis.schema.contract import CONTRACT


@dataclass
class Piece:
    """Rows of one table from one source.

    Parameters
    ----------
    frame : DataFrame
    source : str
        File label for messages.
    rows : Series, optional
        Spreadsheet row of each frame row; None means ``index + 2``.
    columns : dict
        Contract column -> input column name (str, or Series per row).
    """

    frame: pd.DataFrame
    source: str
    rows: pd.Series | None = None
    columns: dict = field(default_factory=dict)


def pieces_from_raw(table: str, raw: RawTable) -> dict[str, list[Piece]]:
    """One read table -> pieces; a subjects table with wide columns is split.

    A header-only required table is refused (``header-only``); an empty optional
    one is kept, with an information note in ``raw.notes``.
    """
    raw = require_rows(raw, table, CONTRACT[table].required)
    rows = raw.rows if raw.rows is not None else pd.Series(raw.frame.index + 2)
    frame = _renamed(raw.frame, contract_names(list(raw.frame.columns), table))
    if table != "subjects" or not wide.is_wide(frame.columns):
        return {table: [Piece(frame, raw.source, raw.rows)]}
    # Wide tables are reshaped cell by cell: plain object columns.
    coded = [c for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)]
    if coded:
        frame = frame.copy(deep=False)
        for c in coded:
            frame[c] = frame[c].astype(object)
    subjects, long = wide.split(frame, rows)
    out = {"subjects": [Piece(subjects, raw.source, raw.rows)]}
    value_column = {"measurements": "AVAL", "tte": "AVAL", "topicals": "TOPICAL",
                    "events": "AEDECOD"}
    for name, frame_long in long.items():
        out[name] = [Piece(frame_long.drop(columns=["_row", "_col"]), raw.source,
                           frame_long["_row"].astype("int64"),
                           {value_column[name]: frame_long["_col"].astype(str)})]
    return out


def assemble(pieces: dict[str, list[Piece]], name: str, notes: list | None = None) -> Dataset:
    """Concatenate and normalise pieces per table; build the :class:`Dataset`.

    ``pieces`` is emptied as tables are done (see :class:`Assembler`).
    """
    done = Assembler()
    for table in sorted(pieces, key=lambda t: t != "subjects"):
        done.add(table, pieces.pop(table))
    return done.dataset(name, notes)


class Assembler:
    """Tables normalised one at a time, as soon as all their pieces are read.

    A reader that finishes each table before reading the next (the subjects table
    first) never holds two tables' raw pieces at once. With the readers'
    :class:`~analysis.io.codes.IdPool`, the patient ids each table shares with the
    subjects table are recorded as known subjects (``Dataset.known_ids``).
    """

    def __init__(self, ids=None):
        self.tables, self.sources, self.row_numbers = {}, {}, {}
        self.row_files, self.row_columns, self.codes = {}, {}, {}
        self.ids, self.known = ids, {}

    def add(self, table: str, parts: list[Piece]) -> None:
        parts = [p for p in parts if p is not None]
        if not parts:
            return
        frame = parts[0].frame if len(parts) == 1 else pd.concat(
            [_renamed(p.frame, contract_names(list(p.frame.columns), table)) for p in parts],
            ignore_index=True)
        if not frame.index.equals(pd.RangeIndex(len(frame))):
            frame = frame.copy(deep=False)
            frame.index = pd.RangeIndex(len(frame))
        text_codes = {}
        raw_ids = frame["USUBJID"] if "USUBJID" in frame else None
        frame = normalize(frame, table, text_codes)
        self._known(table, parts, raw_ids, text_codes)
        self.tables[table] = frame
        self.codes[table] = text_codes
        self.sources[table] = " + ".join(dict.fromkeys(p.source for p in parts))
        if len(parts) > 1 or parts[0].rows is not None:
            self.row_numbers[table] = pd.Series(pd.concat(
                [p.rows.reset_index(drop=True) if p.rows is not None
                 else pd.Series(p.frame.index + 2) for p in parts], ignore_index=True
            ).to_numpy(dtype="int64"), index=frame.index)
        if len(parts) > 1:
            self.row_files[table] = pd.Series(pd.Categorical(
                [p.source for p in parts for _ in range(len(p.frame))]), index=frame.index)
        columns = _merge_columns(parts, frame.index)
        if columns:
            self.row_columns[table] = columns

    def _known(self, table: str, parts, raw_ids, text_codes: dict) -> None:
        """Known subjects per distinct id, from the pool's hits (ids equal as read)."""
        hits = self.ids.hits.get(table) if self.ids is not None else None
        if hits is None or table == "subjects" or "subjects" not in self.tables or \
                len(parts) != 1 or "USUBJID" not in text_codes or \
                not isinstance(getattr(raw_ids, "dtype", None), pd.CategoricalDtype):
            return
        uniques = text_codes["USUBJID"][1]
        if len(uniques) != len(hits) or len(raw_ids.cat.categories) != len(hits):
            return  # some ids became missing or equal when normalised: validate checks
        known = hits.copy()
        if not known.all():  # an id written otherwise (" 001") may still be a subject's
            subjects = set(self.codes["subjects"].get("USUBJID", (None, []))[1])
            known[~known] = [v in subjects for v in uniques[~known]]
        self.known[table] = known

    def dataset(self, name: str, notes: list | None = None) -> Dataset:
        tables = self.tables
        subjects = tables.get("subjects")
        synthetic = bool(subjects is not None and "SYNTHFL" in subjects and len(subjects)
                         and subjects["SYNTHFL"].eq("Y").all())
        dataset = Dataset(tables=tables, sources=self.sources, row_numbers=self.row_numbers,
                          name=name, synthetic=synthetic, warnings=list(notes or []),
                          row_files=self.row_files, row_columns=self.row_columns)
        for table, found in self.codes.items():
            for column, (c, u) in found.items():
                dataset.keep_codes(table, column, c, u)
        for table, mask in self.known.items():
            dataset.keep_known_ids(table, mask)
        return dataset


def _renamed(frame: pd.DataFrame, renames: dict) -> pd.DataFrame:
    """``frame`` with columns renamed, sharing its data (``rename`` copies every column)."""
    if not renames:
        return frame
    frame = frame.copy(deep=False)
    frame.columns = [renames.get(c, c) for c in frame.columns]
    return frame


def _merge_columns(parts: list[Piece], index) -> dict:
    names = {k for p in parts for k in p.columns}
    if not names:
        return {}
    if len(parts) == 1:
        return {k: (v.reset_index(drop=True).set_axis(index) if isinstance(v, pd.Series) else v)
                for k, v in parts[0].columns.items()}
    out = {}
    for key in names:
        chunks = []
        for p in parts:
            value = p.columns.get(key, key)
            chunks.append(value.reset_index(drop=True) if isinstance(value, pd.Series)
                          else pd.Series([value] * len(p.frame), dtype=object))
        out[key] = pd.Series(pd.concat(chunks, ignore_index=True).to_numpy(), index=index)
    return out

