"""Table keys: one row per key (USUBJID; USUBJID x PARAMCD x AVISIT; ...) and known subjects."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.errors import WARNING
from analysis.schema.contract import CONTRACT
from analysis.schema.report import Collector

# Duplicate adverse events (same term twice) are counted once per patient by the
# analyses: a warning, not an error.
SOFT_KEYS = {"events"}


def check_keys(tables: dict[str, pd.DataFrame], out: Collector) -> None:
    """Report repeated keys (each repeat names the row it repeats) and unknown subjects."""
    for table, frame in tables.items():
        key = list(CONTRACT[table].key)
        if not key or not all(k in frame for k in key) or not len(frame):
            continue
        filled = frame[key].notna().all(axis=1)
        dup = frame.duplicated(subset=key, keep="first") & filled
        if dup.any():
            first_row = _first_rows(out, table, frame, key)
            labels = frame.index[dup.to_numpy()]
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
    known = pd.Index(subjects["USUBJID"].dropna().unique())
    for table, frame in tables.items():
        if table == "subjects" or "USUBJID" not in frame:
            continue
        ids = frame["USUBJID"]
        orphan = ids.notna() & ~ids.isin(known)
        out.rows(table, frame.index[orphan.to_numpy()], "unknown-subject",
                 "USUBJID is not in the subjects table", column="USUBJID")


def _first_rows(out: Collector, table: str, frame: pd.DataFrame, key: list) -> pd.Series:
    """Spreadsheet row of the first occurrence of each row's key (vectorised)."""
    numbers = out.dataset.row_numbers.get(table)
    rows = (pd.Series(numbers.to_numpy(), index=frame.index) if numbers is not None
            else pd.Series(np.arange(len(frame)) + 2, index=frame.index))
    return rows.groupby([frame[k] for k in key], sort=False, dropna=False).transform("first")
