"""Table keys: one row per key (USUBJID; USUBJID x PARAMCD x AVISIT; ...) and known subjects."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.errors import WARNING
from analysis.schema import cells
from analysis.schema.contract import CONTRACT
from analysis.schema.report import Collector, where

# Duplicate adverse events (same term twice) are counted once per patient by the
# analyses: a warning, not an error.
SOFT_KEYS = {"events"}


def check_keys(tables: dict[str, pd.DataFrame], out: Collector) -> None:
    """Report repeated keys (each repeat names the row it repeats) and unknown subjects."""
    for table, frame in tables.items():
        key = list(CONTRACT[table].key)
        if not key or not all(k in frame for k in key) or not len(frame):
            continue
        combined, filled = key_codes(out, table, frame, key)
        dup = repeated(combined, filled)
        if dup.any():
            first_row = _first_rows(out, table, frame, combined)
            labels = frame.index[dup]
            values = frame.loc[labels, key].astype(str).agg(" x ".join, axis=1)
            severity = WARNING if table in SOFT_KEYS else "error"
            names = " x ".join(key)
            out.rows(table, labels, "unique-key",
                     lambda label: f"{names} repeats row {first_row.loc[label]}: one row per "
                                   f"{names} allowed",
                     column=key[-1] if len(key) > 1 else key[0], values=values, severity=severity)
    subjects = tables.get("subjects")
    if subjects is None or "USUBJID" not in subjects:
        return
    for table, frame in tables.items():
        if table == "subjects" or "USUBJID" not in frame:
            continue
        ids = frame["USUBJID"]
        orphan = ~cells.missing(out, table, "USUBJID", ids) & \
            ~cells.known(out, table, ids, subjects["USUBJID"], "subjects")
        out.rows(table, where(frame.index, orphan), "unknown-subject",
                 "USUBJID is not in the subjects table", column="USUBJID")


def key_codes(out: Collector, table: str, frame: pd.DataFrame, key: list):
    """One integer per row naming its key (missing parts included), and rows with a full key.

    Equal keys get equal integers exactly as ``frame.duplicated(subset=key)`` groups
    rows (it factorizes each column too); the integer is the mixed-radix number of
    the columns' codes, or, when that would not fit in 63 bits, their factorized tuple.
    """
    parts, size = [], 1
    for k in key:
        codes, n = cells.ids(out, table, k, frame[k])
        parts.append((codes, n + 1))  # missing (-1) -> 0 below
        size *= n + 1
    filled = np.ones(len(frame), dtype=bool)
    for codes, _ in parts:
        filled &= codes >= 0
    if size < 2 ** 62:
        kind = np.int32 if size < 2 ** 31 else np.int64
        combined = np.zeros(len(frame), dtype=kind)
        for codes, radix in parts:
            combined *= radix
            combined += codes
            combined += 1
        return combined, filled
    together = pd.MultiIndex.from_arrays([c for c, _ in parts])
    return pd.factorize(together)[0].astype(np.int64), filled


def repeated(combined: np.ndarray, filled: np.ndarray) -> np.ndarray:
    """Rows with a full key that repeats an earlier row's key (``duplicated(keep="first")``)."""
    full = combined if filled.all() else combined[filled]
    if not len(full):
        return np.zeros(len(combined), dtype=bool)
    top = int(full.max()) + 1
    if top <= max(8 * len(combined), 1 << 20):
        # Enough to know there is none, in one pass: each distinct key marks one slot.
        seen = np.zeros(top, dtype=bool)
        seen[full] = True
        if int(np.count_nonzero(seen)) == len(full):
            return np.zeros(len(combined), dtype=bool)
    return pd.Series(combined).duplicated(keep="first").to_numpy() & filled


def _first_rows(out: Collector, table: str, frame: pd.DataFrame, combined) -> pd.Series:
    """Spreadsheet row of the first occurrence of each row's key (vectorised)."""
    numbers = out.dataset.row_numbers.get(table)
    rows = (pd.Series(numbers.to_numpy(), index=frame.index) if numbers is not None
            else pd.Series(np.arange(len(frame)) + 2, index=frame.index))
    return rows.groupby(combined, sort=False).transform("first")
