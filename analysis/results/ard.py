"""The Analysis Results Dataset.

One row per computed number, with the coordinates that locate it:

============  ==================================================================
column        meaning
============  ==================================================================
study         study id (``ferrucci2022``)
analysis      the named block that computed it (``easi_by_visit``, ``table2``)
variable      what was measured (``EASI``, ``SEX``, ``TOPICAL=TAC``); ``""`` if none
group         population subset (``all``, ``SEX=F``, ``TACBL=Y``); ``""`` if none
visit         ADaM AVISIT (``BASELINE``, ``WEEK 4``...) or a contrast (``WEEK 4 vs BASELINE``); ``""`` if none
statistic     ``n``, ``count``, ``percent`` (0-100), ``mean``, ``sd``, ``median``, ``q1``, ``q3``,
              ``p_value``, ``statistic``, ``df``, ``estimate``, ``ci_low``, ``ci_high``, ``hr`` ...
value         float
n             the denominator / units behind the number (nullable int)
method        exact name of the computation (test variant, percentile rule ...)
params        JSON of the options that chose the variant (``""`` if none)
============  ==================================================================

Coordinates are plain strings, never NaN, so selectors match by equality.

Examples
--------
>>> b = ArdBuilder("demo")
>>> b.add("flow", statistic="count", value=12, n=12, variable="ENROLLED", group="all")
>>> select(b.frame(), analysis="flow", variable="ENROLLED")["value"].item()
12.0
"""

from __future__ import annotations

import json
import math
from typing import Any, Iterable

import pandas as pd

from analysis.stats.result import TestResult

ARD_COLUMNS = [
    "study", "analysis", "variable", "group", "visit",
    "statistic", "value", "n", "method", "params",
]
KEY_COLUMNS = ["study", "analysis", "variable", "group", "visit", "statistic"]


def _params_json(params: dict | None) -> str:
    if not params:
        return ""
    return json.dumps(params, sort_keys=True, default=str)


class ArdBuilder:
    """Collects ARD rows for one study run; refuses duplicate coordinates."""

    def __init__(self, study: str):
        self.study = study
        self._rows: list[dict[str, Any]] = []
        self._keys: set[tuple] = set()

    def add(
        self,
        analysis: str,
        statistic: str,
        value: float | None,
        *,
        variable: str = "",
        group: str = "",
        visit: str = "",
        n: int | None = None,
        method: str = "",
        params: dict | None = None,
    ) -> None:
        key = (self.study, analysis, variable, group, visit, statistic)
        if key in self._keys:
            raise ValueError(f"duplicate ARD coordinates: {key}")
        self._keys.add(key)
        v = float("nan") if value is None else float(value)
        self._rows.append(
            {
                "study": self.study, "analysis": analysis, "variable": variable,
                "group": group, "visit": visit, "statistic": statistic, "value": v,
                "n": None if n is None or (isinstance(n, float) and math.isnan(n)) else int(n),
                "method": method, "params": _params_json(params),
            }
        )

    def add_many(self, analysis: str, stats: dict[str, float], **coords: Any) -> None:
        """Add several statistics sharing coordinates (e.g. a summary's n/mean/sd)."""
        for statistic, value in stats.items():
            self.add(analysis, statistic, value, **coords)

    def add_test(self, analysis: str, result: TestResult, **coords: Any) -> None:
        """Add every number of a test result, with its method and params."""
        for statistic, value in result.numbers().items():
            self.add(
                analysis, statistic, value, n=result.n, method=result.method,
                params=result.params or None, **coords,
            )

    def extend(self, frame: pd.DataFrame) -> None:
        """Add rows from a tidy frame that already has ARD coordinate columns."""
        for rec in frame.to_dict("records"):
            rec = {k: rec.get(k, "") for k in ARD_COLUMNS if k != "study"}
            params = rec.pop("params") or None
            if isinstance(params, str):
                params = json.loads(params)
            analysis = rec.pop("analysis")
            statistic = rec.pop("statistic")
            value = rec.pop("value")
            n = rec.pop("n")
            n = None if n is None or (isinstance(n, float) and math.isnan(n)) or n == "" else n
            self.add(analysis, statistic, value, n=n, params=params,
                     **{k: ("" if v is None else str(v)) for k, v in rec.items()})

    def frame(self) -> pd.DataFrame:
        df = pd.DataFrame(self._rows, columns=ARD_COLUMNS)
        df["n"] = df["n"].astype("Int64")
        df["value"] = df["value"].astype(float)
        return df


def select(ard: pd.DataFrame, **coords: str) -> pd.DataFrame:
    """Rows of ``ard`` whose coordinates equal ``coords`` (unnamed ones are free)."""
    mask = pd.Series(True, index=ard.index)
    for column, wanted in coords.items():
        if column not in ard.columns:
            raise KeyError(f"ARD has no column {column!r}")
        mask &= ard[column] == wanted
    return ard[mask]


def value(ard: pd.DataFrame, **coords: str) -> float:
    """The single value at ``coords``; KeyError if none or several match."""
    rows = select(ard, **coords)
    if len(rows) != 1:
        raise KeyError(f"{len(rows)} ARD rows match {coords}")
    return float(rows["value"].iloc[0])


def write(ard: pd.DataFrame, directory, stem: str) -> list:
    """Write ``stem.parquet`` and ``stem.csv`` atomically into ``directory``."""
    import os
    import tempfile
    from pathlib import Path

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for suffix, writer in ((".parquet", lambda p: ard.to_parquet(p, index=False)),
                           (".csv", lambda p: ard.to_csv(p, index=False))):
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{stem}", suffix=suffix)
        os.close(fd)
        try:
            writer(tmp)
            final = directory / f"{stem}{suffix}"
            os.replace(tmp, final)
            written.append(final)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return written


def records(rows: Iterable[dict]) -> pd.DataFrame:
    """Build an ARD frame from plain dicts (tests and fixtures)."""
    df = pd.DataFrame(list(rows))
    for col in ARD_COLUMNS:
        if col not in df:
            df[col] = "" if col not in ("value", "n") else None
    return df[ARD_COLUMNS]
