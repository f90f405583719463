"""``validate``: every rule of the data contract, every problem at once."""

from __future__ import annotations

import pandas as pd

from analysis.errors import ERROR, InputError
from analysis.io.codes import storage_key
from analysis.schema.columns import check_columns, coerce
from analysis.schema.consistency import check_censoring, check_subjects, check_topicals
from analysis.schema.contract import CONTRACT
from analysis.schema.keys import check_keys
from analysis.schema.params import check_params
from analysis.schema.presence import check_presence
from analysis.schema.report import DEFAULT_LIMIT, Collector, ValidationReport
from analysis.schema.visits import check_visit_days, check_visit_numbers


def validate(dataset, limit: int = DEFAULT_LIMIT) -> ValidationReport:
    """Check a dataset against the data contract.

    Rules, by severity:

    - errors: required tables and columns, types (numbers, dates), whole numbers,
      missing required values, allowed codes, ranges (per PARAMCD for AVAL; IGA, POEM,
      NRS and DLQI in whole points), visit labels, AVISITN vs AVISIT, unique keys,
      unknown subjects, study day decreasing with visit, negative times, EVALFL = N
      without EVALRSN, AGEDIAG > AGE, TACSTR with TOPICAL NONE/TCS;
    - warnings: study day far from its visit window, adverse event after censoring,
      EVALRSN with EVALFL = Y, repeated adverse event, reading fallbacks (Latin-1);
    - information: missing optional tables, columns and parameters; ignored columns.

    Parameters
    ----------
    dataset : Dataset
    limit : int
        Problems listed per rule, file and column (all are counted).

    Returns
    -------
    ValidationReport

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.io.dataset import Dataset
    >>> ds = Dataset({"subjects": pd.DataFrame({"USUBJID": ["01"], "SEX": ["F"], "AGE": [30.0]}),
    ...               "measurements": pd.DataFrame({"USUBJID": ["01"], "PARAMCD": ["EASI"],
    ...                                             "AVISIT": ["BASELINE"], "AVAL": [80.0]})},
    ...              sources={"measurements": "measurements.csv"})
    >>> for problem in validate(ds).errors:
    ...     print(problem)
    ERROR [range] measurements.csv, row 2, column AVAL: EASI must be between 0 and 72 (value: 80)
    """
    out = Collector(dataset, limit=limit)
    for problem in dataset.warnings:
        out.add(problem)
    for problem in check_presence(dataset):
        out.add(problem)
    typed: dict[str, pd.DataFrame] = {}
    for name, spec in CONTRACT.items():
        if name not in dataset:
            continue
        frame = dataset[name]
        typed[name] = coerce(frame, spec, name, out)
        # Cells turned missing by a type error: reported once, not again as missing.
        already = {c: frame[c].notna().to_numpy() & typed[name][c].isna().to_numpy()
                   for c in frame.columns
                   if storage_key(typed[name][c]) != storage_key(frame[c])}
        skip = ("AVAL",) if name == "measurements" else ()
        check_columns(typed[name], spec, name, out, skip_range=skip, already=already)
        if name in ("measurements", "topicals"):
            check_visit_numbers(typed[name], name, out)
    if "measurements" in typed:
        check_params(typed["measurements"], out)
        check_visit_days(typed["measurements"], "measurements", out)
    check_keys(typed, out)
    if "subjects" in typed:
        check_subjects(typed["subjects"], out)
    if "topicals" in typed:
        check_topicals(typed["topicals"], out)
    check_censoring(typed, out)
    return out.finish()


def validate_or_raise(dataset, limit: int = DEFAULT_LIMIT) -> ValidationReport:
    """Validate; raise :class:`InputError` carrying every error when there is one."""
    report = validate(dataset, limit=limit)
    if not report.ok:
        errors = [p for p in report.problems if p.severity == ERROR]
        raise InputError(errors, summary=f"{report.total(ERROR)} error(s) in "
                                         f"{report.dataset or 'the dataset'}; nothing was run")
    return report
