"""Rules across columns and tables: reasons, ages, strengths, censoring."""

from __future__ import annotations

import pandas as pd

from analysis.errors import WARNING
from analysis.schema.report import Collector


def check_subjects(subjects: pd.DataFrame, out: Collector) -> None:
    """EVALFL = N needs EVALRSN; age at diagnosis cannot exceed age at dupilumab start."""
    if "EVALFL" in subjects:
        reason = subjects["EVALRSN"] if "EVALRSN" in subjects else pd.Series(
            pd.NA, index=subjects.index, dtype=object)
        missing = subjects["EVALFL"].eq("N") & reason.isna()
        out.rows("subjects", subjects.index[missing.to_numpy()], "evalfl-reason",
                 "EVALFL is N (not evaluable) but EVALRSN gives no reason",
                 column="EVALRSN" if "EVALRSN" in subjects else "EVALFL",
                 values=subjects["EVALFL"])
        extra = subjects["EVALFL"].eq("Y") & reason.notna()
        out.rows("subjects", subjects.index[extra.to_numpy()], "evalrsn-unexpected",
                 "EVALRSN is filled although EVALFL is Y (evaluable)", column="EVALRSN",
                 values=reason, severity=WARNING)
    if {"AGEDIAG", "AGE"} <= set(subjects.columns):
        diag = pd.to_numeric(subjects["AGEDIAG"], errors="coerce")
        age = pd.to_numeric(subjects["AGE"], errors="coerce")
        later = diag > age
        out.rows("subjects", subjects.index[later.to_numpy()], "agediag-age",
                 lambda i: f"age at diagnosis {diag[i]:g} is above AGE {age[i]:g} "
                           "(age at dupilumab start)", column="AGEDIAG", values=diag)


def check_topicals(topicals: pd.DataFrame, out: Collector) -> None:
    """A tacrolimus strength only makes sense when tacrolimus is used (TAC or BOTH)."""
    if not {"TACSTR", "TOPICAL"} <= set(topicals.columns):
        return
    wrong = topicals["TACSTR"].notna() & topicals["TOPICAL"].isin(["NONE", "TCS"])
    out.rows("topicals", topicals.index[wrong.to_numpy()], "tacstr-topical",
             lambda i: f"TACSTR is given but TOPICAL is {topicals.at[i, 'TOPICAL']} "
                       "(no tacrolimus)", column="TACSTR")


def check_censoring(tables: dict[str, pd.DataFrame], out: Collector) -> None:
    """Adverse events after the patient's censoring time (warning).

    A censored time-to-event record (CNSR = 1) says the patient was followed up to
    AVAL days; an adverse event with a later onset contradicts that follow-up.
    """
    tte, events = tables.get("tte"), tables.get("events")
    if tte is None or events is None or not {"USUBJID", "ASTDY"} <= set(events.columns):
        return
    if not {"USUBJID", "AVAL", "CNSR"} <= set(tte.columns):
        return
    censored = tte[pd.to_numeric(tte["CNSR"], errors="coerce").eq(1)]
    end = pd.to_numeric(censored["AVAL"], errors="coerce").groupby(censored["USUBJID"]).max()
    follow = events["USUBJID"].map(end)
    onset = pd.to_numeric(events["ASTDY"], errors="coerce")
    after = follow.notna() & onset.notna() & (onset > follow)
    out.rows("events", events.index[after.to_numpy()], "event-after-censoring",
             lambda i: f"onset day {onset[i]:g} is after the patient's censoring at day "
                       f"{follow[i]:g} in the tte table", column="ASTDY", values=onset,
             severity=WARNING)
