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
    """``BASELINE`` -> 0, ``WEEK n`` -> n, else NaN."""
    text = avisit.astype(object).where(avisit.notna(), "").astype(str)
    week = pd.to_numeric(text.str.extract(r"^WEEK (\d{1,3})$")[0], errors="coerce")
    return week.where(text != "BASELINE", 0.0)


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
    ok = typed["USUBJID"].notna() & week.notna() & day.notna()
    if not ok.any():
        return
    m = pd.DataFrame({"id": typed.loc[ok, "USUBJID"], "week": week[ok], "day": day[ok]})
    per_visit = (m.groupby(["id", "week"], sort=True)["day"].agg(["min", "max"]).reset_index())
    per_visit["limit"] = _previous_max(per_visit)
    limit = m.merge(per_visit[["id", "week", "limit"]], on=["id", "week"], how="left")["limit"]
    limit.index = m.index
    bad = limit.notna() & (m["day"] <= limit)
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


def _previous_max(per_visit: pd.DataFrame) -> pd.Series:
    """Per patient, the latest study day of all earlier visits (NaN for the first)."""
    running = per_visit.groupby("id", sort=False)["max"].cummax()
    previous = running.groupby(per_visit["id"], sort=False).shift(1)
    return previous
