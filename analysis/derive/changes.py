"""BASE, CHG and PCHG for BDS-like measurements."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.schema.contract import VISITS

BASELINE = "BASELINE"


def visit_number(avisit: pd.Series) -> pd.Series:
    """AVISITN from AVISIT (``BASELINE`` -> 0, ``WEEK n`` -> n)."""
    mapped = avisit.map(VISITS)
    weeks = pd.to_numeric(avisit.str.extract(r"^WEEK (\d+)$")[0], errors="coerce")
    return mapped.fillna(weeks).astype("Int64")


def add_changes(measurements: pd.DataFrame) -> pd.DataFrame:
    """Add BASE, CHG, PCHG (ADaM) and PCHGFL per patient x parameter.

    PCHG = 100 * (AVAL - BASE) / BASE. It is undefined when BASE is 0 or missing:
    PCHG is then NaN and ``PCHGFL`` says why (``"BASE=0"`` / ``"NO BASE"``), so a
    caller can count and report such patients instead of meeting a silent NaN.

    Examples
    --------
    >>> m = pd.DataFrame({"USUBJID": ["a", "a", "b", "b"], "PARAMCD": "EASI",
    ...                   "AVISIT": ["BASELINE", "WEEK 16"] * 2, "AVAL": [20.0, 5.0, 0.0, 1.0]})
    >>> add_changes(m)[["CHG", "PCHG", "PCHGFL"]].values.tolist()[1]
    [-15.0, -75.0, '']
    """
    out = measurements.copy()
    if "AVISITN" not in out:
        out["AVISITN"] = visit_number(out["AVISIT"])
    base = (
        out.loc[out["AVISIT"] == BASELINE, ["USUBJID", "PARAMCD", "AVAL"]]
        .rename(columns={"AVAL": "BASE"})
    )
    out = out.drop(columns=[c for c in ("BASE", "CHG", "PCHG", "PCHGFL") if c in out])
    out = out.merge(base, on=["USUBJID", "PARAMCD"], how="left", validate="many_to_one")
    out["CHG"] = out["AVAL"] - out["BASE"]
    with np.errstate(divide="ignore", invalid="ignore"):
        pchg = 100.0 * out["CHG"] / out["BASE"]
    zero = out["BASE"] == 0
    missing = out["BASE"].isna()
    out["PCHG"] = pchg.where(~zero & ~missing)
    out["PCHGFL"] = np.select([missing, zero], ["NO BASE", "BASE=0"], default="")
    return out


def paired_wide(measurements: pd.DataFrame, paramcd: str, visits: list[str]) -> pd.DataFrame:
    """One row per patient with AVAL at each of ``visits`` (columns), complete cases only."""
    sub = measurements[(measurements["PARAMCD"] == paramcd) & measurements["AVISIT"].isin(visits)]
    wide = sub.pivot(index="USUBJID", columns="AVISIT", values="AVAL")
    wide = wide.reindex(columns=visits)
    return wide.dropna()
