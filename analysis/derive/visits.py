"""Reshape BDS-like long data to one row per patient with a column per visit."""

from __future__ import annotations

import pandas as pd


def visit_wide(long: pd.DataFrame, value: str, visits, patients=None,
               paramcd: str | None = None) -> pd.DataFrame:
    """One row per patient, one column per visit; NaN where a visit is missing.

    Unlike a complete-case pivot, patients who miss visits (or all of them) keep
    their row, so denominators can be counted per visit.

    Parameters
    ----------
    long : DataFrame
        Columns ``USUBJID``, ``AVISIT``, ``value`` (and ``PARAMCD`` when ``paramcd``).
    value : str
        Column to spread (``AVAL``, ``TOPICAL``).
    visits : list of str
        Visits to keep, in column order.
    patients : sequence of str, optional
        Row index: every patient of the population, present in ``long`` or not.
    paramcd : str, optional
        Keep only this parameter.

    Examples
    --------
    >>> m = pd.DataFrame({"USUBJID": ["a", "a", "b"], "AVISIT": ["BASELINE", "WEEK 4", "BASELINE"],
    ...                   "AVAL": [10.0, 4.0, 8.0]})
    >>> visit_wide(m, "AVAL", ["BASELINE", "WEEK 4"], patients=["a", "b", "c"]).loc["b"].tolist()
    [8.0, nan]
    """
    sub = long
    if paramcd is not None:
        sub = sub[sub["PARAMCD"] == paramcd]
    sub = sub[sub["AVISIT"].isin(list(visits))]
    if sub.duplicated(["USUBJID", "AVISIT"]).any():
        raise ValueError("more than one row per patient and visit")
    wide = sub.pivot(index="USUBJID", columns="AVISIT", values=value).reindex(columns=list(visits))
    wide.columns.name = None
    if patients is not None:
        wide = wide.reindex(pd.Index(list(patients), name="USUBJID"))
    return wide
