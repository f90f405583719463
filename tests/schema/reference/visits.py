"""Visits: AVISITN agrees with AVISIT; study days increase with visits; days near their visit.

Study day (ADY) counts from dupilumab start (day 1). A later visit must have a
later study day than every earlier visit of the same patient (an error); a study
day outside the visit's window (contract ``VISIT_WINDOW_DAYS``; for other weeks
the nominal day 7n+1 +/- max(21, 25 % of 7n)) is a warning.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.errors import WARNING
from analysis.schema.contract import VISIT_WINDOW_DAYS
from analysis.schema.report import Collector


def window(week: int) -> tuple[float, float]:
    """Allowed study days for a nominal week.

    Examples
    --------
    >>> window(16)
    (85, 141)
    >>> window(8)
    (36, 78)
    """
    if week in VISIT_WINDOW_DAYS:
        return VISIT_WINDOW_DAYS[week]
    nominal = 7 * week + 1
    half = max(21, round(0.25 * 7 * week))
    return (nominal - half, nominal + half)


def visit_week(avisit: pd.Series) -> pd.Series:
    """``BASELINE`` -> 0, ``WEEK n`` -> n, else NaN (parsed once per distinct label)."""
    codes, labels = pd.factorize(avisit)
    text = pd.Series(labels, dtype=object).astype(str)
    weeks = pd.to_numeric(text.str.extract(r"^WEEK (\d{1,3})$")[0], errors="coerce")
    weeks = weeks.where(text != "BASELINE", 0.0).to_numpy(dtype=float)
    out = np.full(len(avisit), np.nan)
    out[codes >= 0] = weeks[codes[codes >= 0]]
    return pd.Series(out, index=avisit.index)


def check_visit_numbers(typed: pd.DataFrame, table: str, out: Collector) -> None:
    if "AVISIT" not in typed or "AVISITN" not in typed:
        return
    expected = visit_week(typed["AVISIT"])
    given = pd.to_numeric(typed["AVISITN"], errors="coerce")
    bad = expected.notna() & given.notna() & (expected != given)
    out.rows(table, typed.index[bad.to_numpy()], "visit-number",
             lambda i: f"AVISITN {given[i]:g} does not match AVISIT {typed.at[i, 'AVISIT']} "
                       f"(expected {expected[i]:g})", column="AVISITN", values=given)


def check_visit_days(typed: pd.DataFrame, table: str, out: Collector) -> None:
    """Visit order against study day (error) and visit windows (warning)."""
    if not {"USUBJID", "AVISIT", "ADY"} <= set(typed.columns):
        return
    week = visit_week(typed["AVISIT"])
    day = pd.to_numeric(typed["ADY"], errors="coerce")
    # An infinite day is a range error already; kept here it would make the
    # segmented running maximum NaN for every patient and hide their order errors.
    ok = typed["USUBJID"].notna() & week.notna() & pd.Series(np.isfinite(day), index=day.index)
    if not ok.any():
        return
    index = typed.index[ok.to_numpy()]
    ids = pd.factorize(typed.loc[ok, "USUBJID"])[0]
    weeks, days = week[ok].to_numpy(float), day[ok].to_numpy(float)
    limit = pd.Series(_earlier_max(ids, weeks, days), index=index)
    bad = limit.notna() & (pd.Series(days, index=index) <= limit)
    m = pd.DataFrame({"week": weeks, "day": days}, index=index)
    out.rows(table, m.index[bad.to_numpy()], "visit-order",
             lambda i: f"study day {day[i]:g} at {typed.at[i, 'AVISIT']} is not after the "
                       f"study day of an earlier visit (up to day {limit[i]:g})",
             column="ADY", values=day)

    weeks = m["week"].to_numpy()
    low = np.full(len(m), np.nan)
    high = np.full(len(m), np.nan)
    for w in np.unique(weeks):
        lo, hi = window(int(w))
        low[weeks == w], high[weeks == w] = lo, hi
    outside = (m["day"].to_numpy() < low) | (m["day"].to_numpy() > high)
    out.rows(table, m.index[outside], "visit-window",
             lambda i: f"study day {day[i]:g} is far from {typed.at[i, 'AVISIT']} (window "
                       f"{window(int(week[i]))[0]} to {window(int(week[i]))[1]})",
             column="ADY", values=day, severity=WARNING)


def _earlier_max(ids: np.ndarray, weeks: np.ndarray, days: np.ndarray) -> np.ndarray:
    """For each row, the latest study day of the patient's earlier visits (NaN if none).

    Sort-based and segmented (no Python loop over patients): visits are grouped by
    (patient, week); a running maximum over the groups of each patient, shifted by
    one group, is the limit every row of the next visit must exceed.
    """
    order = np.lexsort((days, weeks, ids))
    i, w, d = ids[order], weeks[order], days[order]
    start = np.ones(len(i), dtype=bool)
    start[1:] = (i[1:] != i[:-1]) | (w[1:] != w[:-1])
    starts = np.flatnonzero(start)
    group_max = np.maximum.reduceat(d, starts)
    group_id = i[starts]
    # Segmented running max: lift each patient's values above all earlier patients'.
    span = float(np.nanmax(np.abs(group_max))) * 2 + 1 if len(group_max) else 1.0
    lifted = group_max + group_id * span
    running = np.maximum.accumulate(lifted) - group_id * span
    previous = np.full(len(starts), np.nan)
    same = group_id[1:] == group_id[:-1]
    previous[1:][same] = running[:-1][same]
    per_row = np.repeat(previous, np.diff(np.append(starts, len(i))))
    out = np.empty(len(i))
    out[order] = per_row
    return out
