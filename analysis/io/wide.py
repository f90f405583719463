"""One-row-per-patient ("wide") tables -> the contract's long tables.

Column names in a wide table (case-insensitive), besides the subjects columns:

==================  ==============================================================
``<PARAMCD>_W<n>``  value of a measurement at week n (``EASI_W0`` = BASELINE,
                    ``EASI_W4`` = WEEK 4, ``TARC_W16`` ...)
``ADY_W<n>``        study day of the week-n visit (all parameters of that visit)
``TOPICAL_W<n>``    topical therapy at week n; ``TACSTR_W<n>``, ``TACSITE_W<n>`` likewise
``<PARAMCD>_AVAL``  time-to-event value (``TTTAC_AVAL``) and ``<PARAMCD>_CNSR``
``AE_<TERM>``       Y when the patient had the adverse event (``AE_HERPES_SIMPLEX``);
                    ``AE_<TERM>_DY`` its onset study day
==================  ==============================================================

An empty cell means "not recorded": no long row is made for it. Every long row
keeps the spreadsheet row of its patient and the wide column it came from, so
messages point at the cell the user typed.
"""

from __future__ import annotations

import re

import pandas as pd

from analysis.schema.contract import PARAMS, TTE

_WEEK = re.compile(r"^([A-Z][A-Z0-9]*)_W(\d{1,3})$")
_TTE = re.compile(r"^([A-Z][A-Z0-9]*)_(AVAL|CNSR)$")
_AE = re.compile(r"^AE_([A-Z0-9_]+?)(_DY)?$")
TOPICAL_PARTS = ("TOPICAL", "TACSTR", "TACSITE")
TTE_PARAMS = TTE.column("PARAMCD").codes


def visit_label(week: int) -> str:
    """``0`` -> ``"BASELINE"``, ``4`` -> ``"WEEK 4"``."""
    return "BASELINE" if week == 0 else f"WEEK {week}"


def wide_columns(columns) -> dict[str, list]:
    """Classify wide columns: measurement, ady, topical, tte, ae, unknown (name lists)."""
    found: dict[str, list] = {k: [] for k in ("measurements", "ady", "topicals", "tte", "events",
                                             "unknown")}
    for name in columns:
        upper = str(name).strip().upper()
        week = _WEEK.match(upper)
        tte = _TTE.match(upper)
        ae = _AE.match(upper)
        if week and week.group(1) in PARAMS:
            found["measurements"].append(name)
        elif week and week.group(1) == "ADY":
            found["ady"].append(name)
        elif week and week.group(1) in TOPICAL_PARTS:
            found["topicals"].append(name)
        elif week:
            found["unknown"].append(name)
        elif tte and tte.group(1) in TTE_PARAMS:
            found["tte"].append(name)
        elif ae:
            found["events"].append(name)
    return found


def is_wide(columns) -> bool:
    kinds = wide_columns(columns)
    return any(kinds[k] for k in ("measurements", "topicals", "tte", "events"))


def _long(parts: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns + ["_row", "_col"]})
    return pd.concat(parts, ignore_index=True)


def split(frame: pd.DataFrame, rows: pd.Series) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Split a wide table into subjects and long tables.

    Parameters
    ----------
    frame : DataFrame
        The wide table as read (one row per patient, ``USUBJID`` column).
    rows : Series
        Spreadsheet row of each frame row.

    Returns
    -------
    subjects : DataFrame
        ``frame`` without the wide columns.
    long : dict
        Table name -> long DataFrame with two extra columns, ``_row`` (spreadsheet
        row) and ``_col`` (the wide column the value came from).

    Examples
    --------
    >>> w = pd.DataFrame({"USUBJID": ["01", "02"], "EASI_W0": [20.0, 31.5],
    ...                   "EASI_W16": [4.0, None]})
    >>> subjects, long = split(w, pd.Series([2, 3]))
    >>> long["measurements"][["USUBJID", "AVISIT", "AVAL", "_row", "_col"]].values.tolist()
    [['01', 'BASELINE', 20.0, 2, 'EASI_W0'], ['02', 'BASELINE', 31.5, 3, 'EASI_W0'], \
['01', 'WEEK 16', 4.0, 2, 'EASI_W16']]
    """
    kinds = wide_columns(frame.columns)
    ids = frame["USUBJID"] if "USUBJID" in frame else pd.Series(pd.NA, index=frame.index)
    rows = pd.Series(rows.to_numpy(), index=frame.index)
    ady = {int(_WEEK.match(c.strip().upper()).group(2)): frame[c] for c in kinds["ady"]}
    long = {}

    parts = []
    for name in kinds["measurements"]:
        code, week = _WEEK.match(name.strip().upper()).groups()
        keep = frame[name].notna()
        part = pd.DataFrame({"USUBJID": ids[keep], "PARAMCD": code,
                             "AVISIT": visit_label(int(week)), "AVISITN": int(week)})
        if ady:
            part["ADY"] = ady[int(week)][keep] if int(week) in ady else pd.NA
        part["AVAL"] = frame.loc[keep, name]
        part["_row"], part["_col"] = rows[keep], name
        parts.append(part)
    long["measurements"] = _long(parts, ["USUBJID", "PARAMCD", "AVISIT", "AVISITN", "AVAL"])

    by_week: dict[int, dict[str, str]] = {}
    for name in kinds["topicals"]:
        part, week = _WEEK.match(name.strip().upper()).groups()
        by_week.setdefault(int(week), {})[part] = name
    parts = []
    for week, names in sorted(by_week.items()):
        cells = frame[list(names.values())]
        keep = cells.notna().any(axis=1)
        part = pd.DataFrame({"USUBJID": ids[keep], "AVISIT": visit_label(week), "AVISITN": week})
        for contract_name, name in names.items():
            part[contract_name] = frame.loc[keep, name]
        part["_row"], part["_col"] = rows[keep], names.get("TOPICAL", next(iter(names.values())))
        parts.append(part)
    long["topicals"] = _long(parts, ["USUBJID", "AVISIT", "AVISITN", "TOPICAL"])

    params: dict[str, dict[str, str]] = {}
    for name in kinds["tte"]:
        code, part = _TTE.match(name.strip().upper()).groups()
        params.setdefault(code, {})[part] = name
    parts = []
    for code, names in sorted(params.items()):
        keep = frame[list(names.values())].notna().any(axis=1)
        part = pd.DataFrame({"USUBJID": ids[keep], "PARAMCD": code})
        for contract_name, name in names.items():
            part[contract_name] = frame.loc[keep, name]
        part["_row"], part["_col"] = rows[keep], names.get("AVAL", next(iter(names.values())))
        parts.append(part)
    long["tte"] = _long(parts, ["USUBJID", "PARAMCD", "AVAL", "CNSR"])

    long["events"] = _events(frame, kinds["events"], ids, rows)
    dropped = [c for k, v in kinds.items() if k != "unknown" for c in v]
    return frame.drop(columns=dropped), {k: v for k, v in long.items() if kinds[k]}


def _events(frame, names, ids, rows) -> pd.DataFrame:
    flags = {}
    days = {}
    for name in names:
        term, day = _AE.match(name.strip().upper()).groups()
        (days if day else flags)[term] = name
    parts = []
    for term in sorted(set(flags) | set(days)):
        flag = frame[flags[term]] if term in flags else pd.Series(pd.NA, index=frame.index)
        day = frame[days[term]] if term in days else pd.Series(pd.NA, index=frame.index)
        said = flag.astype(str).str.strip().str.upper()
        keep = said.isin(["Y", "YES", "1", "TRUE", "1.0"]) | (flag.isna() & day.notna())
        part = pd.DataFrame({"USUBJID": ids[keep], "AEDECOD": term.replace("_", " "),
                             "ASTDY": day[keep]})
        part["_row"], part["_col"] = rows[keep], flags.get(term, days.get(term))
        parts.append(part)
    return _long(parts, ["USUBJID", "AEDECOD", "ASTDY"])
