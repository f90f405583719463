"""Published vs rebuilt, record by record: the verify scorecard.

:func:`verify_study` takes a study's ARD and its catalogue and returns one row per
printed number with a status:

==========================  ==========================================================
status                      meaning
==========================  ==========================================================
reproduced                  the rebuilt value prints as the paper prints it
mismatch                    it does not
inconsistent-in-source      the audit proved the paper's numbers cannot all hold; the
                            record names the finding and which number the cohort honours
not built                   nothing rebuilt it: no ARD row matches the selector (or
                            several do), the study module or the data is missing
==========================  ==========================================================

``not built`` is counted and listed, never passed.

Examples
--------
>>> from analysis.results.ard import records
>>> ard = records([{"study": "s", "analysis": "a", "statistic": "mean", "value": 2.25}])
>>> match_rows(ard, {"analysis": "a", "statistic": "mean"}, "s")["value"].tolist()
[2.25]
>>> match_rows(ard, {"analysis": "a", "statistic": "mean", "group": "all"}, "s").empty
True
"""

from __future__ import annotations

import math

import pandas as pd

from analysis.targets.catalogue import SELECTOR_KEYS, Catalogue, Record, load_study
from analysis.targets.compare import MISMATCH, REPRODUCED, compare

INCONSISTENT = "inconsistent-in-source"
NOT_BUILT = "not built"
STATUS_ORDER = (REPRODUCED, MISMATCH, INCONSISTENT, NOT_BUILT)

COLUMNS = ["study", "id", "where", "measures", "kind", "printed", "decimals", "comparator",
           "rebuilt", "rebuilt_full", "status", "rule", "reason", "finding", "policy"]


def match_rows(ard: pd.DataFrame, selector: dict, study: str) -> pd.DataFrame:
    """ARD rows of ``study`` at exactly the selector's coordinates (unnamed ones = "")."""
    mask = ard["study"] == selector.get("study", study)
    for key in SELECTOR_KEYS:
        mask &= ard[key].fillna("") == selector.get(key, "")
    return ard[mask]


def selector_index(ard: pd.DataFrame) -> dict:
    """ARD row positions by coordinates, made in one pass: the key of each row is
    ``(study, analysis, variable, group, visit, statistic)`` as :func:`match_rows`
    compares them (study as stored, missing coordinates as "").

    Examples
    --------
    >>> from analysis.results.ard import records
    >>> ard = records([{"study": "s", "analysis": "a", "statistic": "n", "value": 3.0}])
    >>> selector_index(ard)[("s", "a", "", "", "", "n")]
    [0]
    """
    columns = [ard["study"].tolist()] + [ard[key].fillna("").tolist() for key in SELECTOR_KEYS]
    index: dict = {}
    for position, key in enumerate(zip(*columns)):
        index.setdefault(key, []).append(position)
    return index


def _lookup(ard: pd.DataFrame, record: Record, study: str, index: dict | None = None):
    """(values tuple, None) or (None, reason)."""
    values = []
    for name, sel in record.parts().items():
        if index is None:
            rows = match_rows(ard, sel, study)
        else:
            key = (sel.get("study", study), *(sel.get(k, "") for k in SELECTOR_KEYS))
            rows = ard.iloc[index.get(key, [])]
        label = "" if name == "value" else f"{name}: "
        if len(rows) == 0:
            return None, f"{label}no ARD row matches the selector"
        if len(rows) > 1:
            return None, f"{label}{len(rows)} ARD rows match the selector"
        v = rows["value"].iloc[0]
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return None, f"{label}the ARD value is missing (NaN)"
        values.append(float(v))
    return tuple(values), None


def verify_records(records, ard: pd.DataFrame | None, study: str = "",
                   not_built_reason: str = "") -> pd.DataFrame:
    """Scorecard rows for ``records`` against ``ard`` (None: nothing was built)."""
    rows = []
    index = selector_index(ard) if ard is not None else None
    for rec in records:
        row = {
            "study": study, "id": rec.id, "where": rec.where, "measures": rec.measures,
            "kind": rec.kind, "printed": rec.value, "decimals": rec.decimals,
            "comparator": rec.comparator, "rebuilt": "", "rebuilt_full": "", "status": "",
            "rule": "", "reason": "", "finding": rec.finding, "policy": rec.policy,
        }
        if ard is None:
            values, reason = None, not_built_reason or "no ARD"
        else:
            values, reason = _lookup(ard, rec, study, index)
        if values is None:
            row.update(status=NOT_BUILT, reason=reason)
        else:
            cmp = compare(rec.printed, values if len(values) > 1 else values[0])
            row.update(rebuilt=cmp.rebuilt_text, rebuilt_full=cmp.rebuilt_full,
                       status=cmp.status, rule=cmp.rule)
        if rec.excused and row["status"] != NOT_BUILT:
            # The comparison is still shown (rule / rebuilt), but the audit's finding
            # excuses the record: it cannot hold together with the numbers the cohort honours.
            row["reason"] = f"compared: {row['status']}"
            row["status"] = INCONSISTENT
        rows.append(row)
    return pd.DataFrame(rows, columns=COLUMNS)


def verify_study(study: str, ard: pd.DataFrame | None, catalogue: Catalogue | None = None,
                 not_built_reason: str = "") -> pd.DataFrame:
    """The verify scorecard of one study.

    Parameters
    ----------
    study : str
    ard : DataFrame or None
        The study's ARD (``analysis.studies.get(study).run(dataset)``); None when it
        could not be built (every record is then ``not built`` with
        ``not_built_reason``).
    catalogue : Catalogue, optional
        Default: the committed ``data/targets/<study>.yaml``.

    Returns
    -------
    DataFrame
        One row per record: study, id, where, measures, kind, printed, decimals,
        comparator, rebuilt (at printed precision), rebuilt_full, status, rule,
        reason, finding, policy.
    """
    catalogue = catalogue or load_study(study)
    return verify_records(catalogue.records, ard, study, not_built_reason)


def status_counts(scorecard: pd.DataFrame) -> dict[str, int]:
    counts = scorecard["status"].value_counts()
    return {s: int(counts.get(s, 0)) for s in STATUS_ORDER}


def summary_line(study: str, scorecard: pd.DataFrame) -> str:
    """``ferrucci2022: 240 reproduced, 0 mismatch, 5 inconsistent-in-source, 3 not built``."""
    c = status_counts(scorecard)
    return f"{study}: " + ", ".join(f"{c[s]} {s}" for s in STATUS_ORDER)


def rebuild_ard(study: str, data=None):
    """Run the study on ``data`` (default: its reference cohort).

    Returns
    -------
    (ard, reason)
        ``ard`` is None when nothing could be built, and ``reason`` says why (the
        study module or the dataset reader is missing, or there is no reference
        data). Bad data is not a reason: it raises InputError as ``dupitac run`` does.
    """
    from analysis.paths import reference_dir

    folder = data if data is not None else reference_dir(study)
    if data is None and not (folder.exists() and any(folder.iterdir())):
        return None, f"no reference data in {folder}"
    try:
        from analysis.studies import get

        get(study)
    except ModuleNotFoundError as err:
        return None, f"study module analysis.studies.{study} is missing ({err.name})"
    try:
        from analysis.commands.run import run_study
    except ImportError as err:
        return None, f"cannot run studies yet: {err}"
    try:
        _, ard = run_study(study, folder)
    except ImportError as err:
        # io / schema not landed yet: say which piece is missing.
        return None, f"the dataset reader is not available yet ({err})"
    return ard, ""
