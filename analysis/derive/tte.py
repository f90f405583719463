"""Time-to-event tables, one row per patient, and "started after week k" flags.

Time-to-event rows follow ADaM ADTTE: ``AVAL`` time from the origin (days), ``CNSR``
0 = event, 1 = censored. Survival libraries want the opposite flag (1 = event):
:func:`event_flag` converts, so the inversion happens in one place.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.derive.topicals import ever_uses, uses

DAYS_PER_UNIT = {"days": 1.0, "weeks": 7.0, "months": 365.25 / 12.0, "years": 365.25}
FROM_VISITS_METHOD = (
    "time to first use from visit records: event at the nominal day (7 x week) of the first "
    "visit with use; censored at the last visit with a record; patients with no record left out"
)


def nominal_days(visit_weeks: dict) -> dict:
    """Visit label -> nominal study day (7 x week; baseline = day 0).

    >>> nominal_days({"BASELINE": 0, "WEEK 4": 4})
    {'BASELINE': 0.0, 'WEEK 4': 28.0}
    """
    return {v: 7.0 * float(w) for v, w in visit_weeks.items()}


def event_flag(cnsr) -> pd.Series:
    """ADaM ``CNSR`` (0 = event) to an event indicator (1 = event).

    >>> event_flag(pd.Series([0, 1])).tolist()
    [1, 0]
    """
    return 1 - pd.Series(cnsr).astype(int)


def to_unit(days, unit: str) -> pd.Series:
    """Convert days to ``unit`` (days, weeks, months of 365.25/12 days, years).

    >>> round(float(to_unit(pd.Series([365.25]), "months").iloc[0]), 6)
    12.0
    """
    if unit not in DAYS_PER_UNIT:
        raise ValueError(f"unit must be one of {sorted(DAYS_PER_UNIT)}")
    return pd.Series(days, dtype=float) / DAYS_PER_UNIT[unit]


def from_adtte(tte: pd.DataFrame, paramcd: str) -> pd.DataFrame:
    """The ``paramcd`` rows of an ADTTE-like table, indexed by patient.

    Raises ValueError if a patient has more than one row for the parameter.
    """
    rows = tte[(tte["PARAMCD"] == paramcd).to_numpy()]
    indexed = rows.set_index("USUBJID")
    if not _unique(indexed.index):
        raise ValueError(f"more than one {paramcd} row for a patient")
    return indexed[["AVAL", "CNSR"]].astype({"AVAL": float, "CNSR": int})


def from_visits(wide_codes: pd.DataFrame, categories, visit_days: dict) -> pd.DataFrame:
    """Time to first use of ``categories`` from per-visit codes.

    Parameters
    ----------
    wide_codes : DataFrame
        One row per patient, one column per visit (codes, NaN when not recorded).
    categories : sequence of str
        Codes that count as use (e.g. ``("TAC", "BOTH")``).
    visit_days : dict
        Visit label -> day from the origin (baseline = 0).

    Returns
    -------
    DataFrame
        Indexed by patient: ``AVAL`` (days), ``CNSR`` (0 event, 1 censored). Patients
        with no recorded visit are left out.

    Examples
    --------
    >>> w = pd.DataFrame({"BASELINE": ["NONE", "TAC", "NONE"], "WEEK 4": ["TAC", None, None]},
    ...                  index=["a", "b", "c"])
    >>> from_visits(w, ("TAC", "BOTH"), {"BASELINE": 0, "WEEK 4": 28}).to_dict("index")["c"]
    {'AVAL': 0.0, 'CNSR': 1}
    """
    visits = sorted(wide_codes.columns, key=lambda v: visit_days[v])
    flags = uses(wide_codes[visits], categories)
    days = np.array([visit_days[v] for v in visits], dtype=float)
    observed = flags.notna().to_numpy()
    used = (flags == 1).to_numpy()
    any_obs = observed.any(axis=1)
    first_use = np.where(used.any(axis=1), days[np.argmax(used, axis=1)], np.nan)
    last_obs = np.where(any_obs, days[observed.shape[1] - 1 - np.argmax(observed[:, ::-1], axis=1)],
                        np.nan)
    event = ~np.isnan(first_use)
    out = pd.DataFrame({"AVAL": np.where(event, first_use, last_obs),
                        "CNSR": np.where(event, 0, 1)}, index=wide_codes.index)
    return out[any_obs]


def started_after(wide_codes: pd.DataFrame, categories, before, after,
                  population: str = "naive") -> pd.DataFrame:
    """Flag patients who start ``categories`` at a visit in ``after``.

    Parameters
    ----------
    wide_codes : DataFrame
        Visit-wide codes, one row per patient.
    before, after : list of str
        Visits up to and including week k, and visits after it.
    population : {"naive", "all"}
        ``"naive"``: at risk = no use at any recorded visit of ``before`` (at least
        one recorded) and at least one recorded visit of ``after``; STARTED = use at
        any visit of ``after``. ``"all"``: at risk = at least one recorded visit of
        ``after``; STARTED = 1 only for those naive before k who use after k, so
        earlier users count as 0.

    Returns
    -------
    DataFrame
        Indexed by patient: ``AT_RISK`` (bool), ``STARTED`` (1.0/0.0, NaN when not at risk).

    Examples
    --------
    >>> w = pd.DataFrame({"BASELINE": ["NONE", "TAC", "NONE"], "WEEK 4": ["NONE", "TAC", "NONE"],
    ...                   "WEEK 16": ["TAC", "TAC", None]}, index=["a", "b", "c"])
    >>> started_after(w, ("TAC",), ["BASELINE", "WEEK 4"], ["WEEK 16"])["STARTED"].tolist()
    [1.0, nan, nan]
    """
    if population not in ("naive", "all"):
        raise ValueError("population must be 'naive' or 'all'")
    prior = ever_uses(wide_codes, categories, before)
    later = ever_uses(wide_codes, categories, after)
    naive = prior == 0
    if population == "naive":
        at_risk = naive & later.notna()
        started = later.where(at_risk)
    else:
        at_risk = later.notna() & prior.notna()
        started = ((later == 1) & naive).astype(float).where(at_risk)
    return pd.DataFrame({"AT_RISK": at_risk, "STARTED": started})


def one_row_per_patient(times: pd.DataFrame, covariates: pd.DataFrame) -> pd.DataFrame:
    """Join event times (indexed by patient) with covariates; complete cases only.

    Returns ``duration``, ``event`` (1 = event) and the covariate columns, with the
    number of patients dropped for a missing value in ``attrs["n_dropped"]``.
    """
    joined = _inner_join(times, covariates)
    full = joined.dropna()
    out = pd.DataFrame({"duration": full["AVAL"].astype(float), "event": event_flag(full["CNSR"]).values},
                       index=full.index)
    for col in covariates.columns:
        out[col] = full[col].astype(float)
    out.attrs["n_dropped"] = int(len(joined) - len(full))
    return out


def _inner_join(times: pd.DataFrame, covariates: pd.DataFrame) -> pd.DataFrame:
    """``times.join(covariates, how="inner")``: rows of ``times`` (in order) whose
    patient has covariates. With one covariate row per patient the rows are looked
    up by position (through the covariates' index, whose hash table a study builds
    once) instead of aligning the two indexes afresh."""
    if (times.index.names != covariates.index.names or not _unique(covariates.index)
            or times.columns.intersection(covariates.columns).size
            or isinstance(times.index, pd.MultiIndex) or isinstance(covariates.index, pd.MultiIndex)):
        return times.join(covariates, how="inner")
    if covariates.index is times.index:
        pos = np.arange(len(times))
    else:
        pos = covariates.index.get_indexer(times.index)
    keep = np.flatnonzero(pos >= 0)
    left = times.iloc[keep]
    right = covariates.iloc[pos[keep]].set_axis(left.index)
    return pd.concat([left, right], axis=1)


def _unique(index: pd.Index) -> bool:
    """``index.is_unique``; for ids in increasing order (files sorted by patient) by
    comparing neighbours, without the hash table of every label ``is_unique`` builds."""
    if isinstance(index, pd.MultiIndex) or len(index) < 2:
        return index.is_unique
    values = index.to_numpy()
    try:
        with np.errstate(invalid="ignore"):
            increasing = bool((values[1:] > values[:-1]).all())
    except TypeError:  # labels of mixed types do not order
        increasing = False
    return True if increasing else index.is_unique
