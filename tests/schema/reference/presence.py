"""What is there: required tables and columns (errors), optional ones (information)."""

from __future__ import annotations

from collections.abc import Mapping

from analysis.errors import ERROR, INFO, Problem
from analysis.schema import usage
from analysis.schema.contract import CONTRACT, PARAMS


def _needs(what: tuple) -> str:
    return f"; needed by: {'; '.join(what)}" if what else ""


def check_presence(dataset) -> list[Problem]:
    """Missing required tables/columns (errors); missing optional ones and unknown columns (info)."""
    problems = []
    for name, spec in CONTRACT.items():
        if name not in dataset:
            problems.append(Problem(
                rule="required-table" if spec.required else "missing-table",
                severity=ERROR if spec.required else INFO, file=f"{name}.*",
                message=(f"the {name} table is required" if spec.required else
                         f"no {name} table: the analyses that need it are left out")
                + _needs(usage.TABLES.get(name, ())), value=name))
            continue
        frame = dataset[name]
        source = dataset.source(name)
        absent: dict[tuple, list[str]] = {}
        for column in spec.columns:
            if column.name in frame:
                continue
            needs = usage.needed_by(name, column.name, column.needed_by)
            if column.required:
                problems.append(Problem(rule="required-column", file=source, row=1,
                                        column=column.name, value=column.name,
                                        message=f"required column {column.name} "
                                                f"({column.description}) is missing"))
            elif needs:
                absent.setdefault(needs, []).append(column.name)
        for needs, names in absent.items():
            problems.append(Problem(
                rule="missing-column", severity=INFO, file=source,
                column=names[0] if len(names) == 1 else None, value=", ".join(names),
                message=f"optional column{'s' if len(names) > 1 else ''} absent" + _needs(needs)))
        known = {c.name for c in spec.columns}
        unknown = [c for c in frame.columns if c not in known]
        if unknown:
            problems.append(Problem(rule="unknown-column", severity=INFO, file=source, row=1,
                                    value=", ".join(map(str, unknown)),
                                    message="column(s) not in the data contract, ignored"))
    if "measurements" in dataset and "PARAMCD" in dataset["measurements"]:
        present = set(dataset["measurements"]["PARAMCD"].dropna().unique())
        for code in PARAMS:
            if code not in present:
                problems.append(Problem(rule="missing-param", severity=INFO,
                                        file=dataset.source("measurements"), column="PARAMCD",
                                        value=code,
                                        message=f"no {code} measurements"
                                                + _needs(usage.PARAMS.get(code, ()))))
    return problems


def requirements(study_tables, study_params, dataset) -> list[Problem]:
    """Information notes on what a study needs and the dataset lacks.

    Parameters
    ----------
    study_tables : iterable of str, or mapping of table -> iterable of columns
        Tables (and optionally the columns of each) the study's analyses use.
    study_params : iterable of str
        PARAMCDs the study's analyses use.
    dataset : Dataset

    Returns
    -------
    list of Problem
        Severity ``"info"``: ``missing-table``, ``missing-column``, ``missing-param``.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.io.dataset import Dataset
    >>> ds = Dataset({"subjects": pd.DataFrame({"USUBJID": ["1"]})})
    >>> [p.value for p in requirements({"subjects": ["TACGRP"], "events": []}, [], ds)]
    ['TACGRP', 'events']
    """
    tables = study_tables if isinstance(study_tables, Mapping) else {t: () for t in study_tables}
    problems = []
    for table, columns in tables.items():
        if table not in dataset:
            problems.append(Problem(rule="missing-table", severity=INFO, file=f"{table}.*",
                                    value=table,
                                    message=f"no {table} table: this study's analyses that "
                                            "need it are left out"))
            continue
        for column in columns or ():
            if column not in dataset[table] or dataset[table][column].isna().all():
                problems.append(Problem(rule="missing-column", severity=INFO,
                                        file=dataset.source(table), column=column, value=column,
                                        message=f"no {column} values: this study's analyses "
                                                "that need it are left out"))
    measured = set()
    if "measurements" in dataset and "PARAMCD" in dataset["measurements"]:
        measured = set(dataset["measurements"]["PARAMCD"].dropna().unique())
    for code in study_params:
        if code not in measured:
            problems.append(Problem(rule="missing-param", severity=INFO,
                                    file=dataset.source("measurements"), column="PARAMCD",
                                    value=code,
                                    message=f"no {code} measurements: this study's analyses of "
                                            f"{code} are left out"))
    return problems
