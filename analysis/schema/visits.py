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
from analysis.schema import cells
from analysis.schema.contract import VISIT_WINDOW_DAYS
from analysis.schema.report import Collector, where


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
    codes, weeks = cells.visit_labels(out, table, typed["AVISIT"])
    expected = np.append(weeks, np.nan)  # code -1 (missing label): no expectation
    given = pd.to_numeric(typed["AVISITN"], errors="coerce")
    g = given.to_numpy()
    bad = np.zeros(len(typed), dtype=bool)
    for part in cells.chunks(len(typed)):  # bounded temporaries on millions of rows
        e, v = expected[codes[part]], g[part].astype(float, copy=False)
        bad[part] = ~np.isnan(e) & ~np.isnan(v) & (e != v)
    position = typed.index.get_loc
    out.rows(table, where(typed.index, bad), "visit-number",
             lambda i: f"AVISITN {given[i]:g} does not match AVISIT {typed.at[i, 'AVISIT']} "
                       f"(expected {expected[codes[position(i)]]:g})",
             column="AVISITN", values=given)


def check_visit_days(typed: pd.DataFrame, table: str, out: Collector) -> None:
    """Visit order against study day (error) and visit windows (warning)."""
    if not {"USUBJID", "AVISIT", "ADY"} <= set(typed.columns):
        return
    codes, weeks = cells.visit_labels(out, table, typed["AVISIT"])
    steps = np.unique(weeks[~np.isnan(weeks)])
    # Rank of each label's week among the distinct weeks; -1: not a visit (or missing).
    rank = np.append(np.where(np.isnan(weeks), -1,
                              np.searchsorted(steps, np.nan_to_num(weeks, nan=0.0))), -1)
    day = pd.to_numeric(typed["ADY"], errors="coerce")
    days = day.to_numpy()
    ids, n_ids = cells.ids(out, table, "USUBJID", typed["USUBJID"])
    n = len(typed)
    # An infinite day is a range error already; kept here it would make the
    # running maximum of its patient meaningless and hide their order errors.
    ok = np.zeros(n, dtype=bool)
    for part in cells.chunks(n):
        ok[part] = (ids[part] >= 0) & (rank[codes[part]] >= 0) & \
            np.isfinite(days[part].astype(float, copy=False))
    if not ok.any():
        return
    if n_ids * len(steps) <= max(4 * n, 1 << 20):
        limit_of, bad = _order_by_table(ids, rank, codes, days, ok, n_ids, len(steps))
    else:
        limits = np.full(n, np.nan)
        limits[ok] = _earlier_max(ids[ok], weeks[codes[ok]], days[ok].astype(float))
        bad = ok & (limits >= days)  # NaN limit (no earlier visit): False

        def limit_of(positions):
            return limits[positions]
    listed = np.flatnonzero(bad)
    limit = pd.Series(limit_of(listed), index=typed.index[listed])
    out.rows(table, typed.index[listed], "visit-order",
             lambda i: f"study day {day[i]:g} at {typed.at[i, 'AVISIT']} is not after the "
                       f"study day of an earlier visit (up to day {limit[i]:g})",
             column="ADY", values=day)

    low = np.array([window(int(w))[0] for w in steps] + [np.nan])
    high = np.array([window(int(w))[1] for w in steps] + [np.nan])
    outside = np.zeros(n, dtype=bool)
    for part in cells.chunks(n):
        r = rank[codes[part]]  # -1 picks the NaN bounds: never outside
        d = days[part]
        outside[part] = ok[part] & ((d < low[r]) | (d > high[r]))
    position = typed.index.get_loc

    def week(i) -> int:
        return int(weeks[codes[position(i)]])

    out.rows(table, where(typed.index, outside), "visit-window",
             lambda i: f"study day {day[i]:g} is far from {typed.at[i, 'AVISIT']} (window "
                       f"{window(week(i))[0]} to {window(week(i))[1]})",
             column="ADY", values=day, severity=WARNING)


def _order_by_table(ids, rank, codes, days, ok, n_ids: int, n_steps: int):
    """Visit order without sorting, for few visits: a patients x visits table.

    Each cell holds the latest day of a patient's visit; a running maximum along a
    patient's row, shifted by one visit, is the limit each row must exceed.
    Returns (limit of row positions, rows at or before their limit).
    """
    kind = np.int32 if n_ids * n_steps < 2 ** 31 else np.int64
    latest = np.full(n_ids * n_steps, -np.inf)
    for part in cells.chunks(len(ids)):
        keep = ok[part]
        cell = ids[part][keep].astype(kind) * kind(n_steps) + rank[codes[part][keep]]
        np.maximum.at(latest, cell, days[part][keep].astype(float, copy=False))
    # Running maximum along each patient's visits, in place: the limit of a row at
    # visit k is the entry of visit k - 1 (none for a patient's first visit step).
    np.maximum.accumulate(latest.reshape(n_ids, n_steps), axis=1,
                          out=latest.reshape(n_ids, n_steps))

    def limit_at(id_part, rank_part):
        earlier = np.maximum(rank_part, 1) - 1
        limit = latest[id_part.astype(kind) * kind(n_steps) + earlier]
        return np.where(rank_part > 0, limit, -np.inf)

    def limit_of(positions):
        limit = limit_at(ids[positions], rank[codes[positions]])
        return np.where(np.isneginf(limit), np.nan, limit)  # no earlier visit: no limit

    bad = np.zeros(len(ids), dtype=bool)
    for part in cells.chunks(len(ids)):
        keep = ok[part]
        limit = limit_at(np.where(keep, ids[part], 0), np.where(keep, rank[codes[part]], 0))
        bad[part] = keep & (days[part] <= limit)  # -inf: no earlier visit
    return limit_of, bad


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
