"""Per-column rules: types, integers, missing values, codes, ranges, visit labels.

Types are checked first by hand (so that a text cell is reported with the text the
user typed); the typed table then goes through a pandera ``DataFrameSchema``
built from the contract, validated lazily so that every failure is found, and
pandera's ``failure_cases`` become :class:`~analysis.errors.Problem` records with
spreadsheet rows.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pandera.pandas as pa

from analysis.schema.contract import VISIT_PATTERN, Column, Table
from analysis.schema.report import Collector

NUMERIC = ("int", "float")


def numeric_codes(column: Column) -> bool:
    return bool(column.codes) and all(isinstance(c, (int, float)) for c in column.codes)


def is_numeric(column: Column) -> bool:
    return column.dtype in NUMERIC or numeric_codes(column)


def _describe_range(column: Column) -> str:
    unit = f" {column.unit}" if column.unit and column.unit != "%" else column.unit
    if column.min is not None and column.max is not None:
        return f"between {column.min:g} and {column.max:g}{unit}"
    if column.min is not None:
        return f"at least {column.min:g}{unit}"
    return f"at most {column.max:g}{unit}"


def coerce(frame: pd.DataFrame, spec: Table, table: str, out: Collector) -> pd.DataFrame:
    """Typed copy of ``frame``: cells of the wrong type are reported and set missing."""
    typed = {}
    for name in frame.columns:
        s = frame[name]
        try:
            column = spec.column(name)
        except KeyError:
            typed[name] = s
            continue
        if is_numeric(column):
            typed[name] = _numbers(s, column, table, out)
        elif column.dtype == "date":
            typed[name] = _dates(s, column, table, out)
        else:
            typed[name] = s
    return pd.DataFrame(typed, index=frame.index)


def _numbers(s: pd.Series, column: Column, table: str, out: Collector) -> pd.Series:
    if pd.api.types.is_bool_dtype(s.dtype):
        s = s.astype(float)
    if not pd.api.types.is_numeric_dtype(s.dtype):
        text = s.astype(object).where(s.notna())
        number = pd.to_numeric(text.map(lambda v: v.strip() if isinstance(v, str) else v,
                                         na_action="ignore"), errors="coerce")
        bad = number.isna() & text.notna()
        if bad.any():
            comma = text[bad].astype(str).str.fullmatch(r"\s*-?\d+,\d+\s*")
            for decimal_comma, part in ((True, comma[comma].index), (False, comma[~comma].index)):
                hint = (" (decimal comma: write 12.5, not 12,5)" if decimal_comma else "")
                out.rows(table, part, "type", f"{column.name} must be a number{hint}",
                         column=column.name, values=text)
        s = number
    s = s.astype(float)
    if column.dtype == "int" and not column.codes:
        fraction = s.notna() & np.isfinite(s) & (s != np.round(s))
        out.rows(table, s.index[fraction.to_numpy()], "integer",
                 f"{column.name} must be a whole number", column=column.name, values=s)
        s = s.where(~fraction)
    return s


def _dates(s: pd.Series, column: Column, table: str, out: Collector) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return s
    text = s.astype(object).where(s.notna())
    parsed = pd.to_datetime(text.astype(str).where(text.notna()), format="ISO8601", errors="coerce")
    bad = parsed.isna() & text.notna()
    out.rows(table, s.index[bad.to_numpy()], "type",
             f"{column.name} must be a date written YYYY-MM-DD", column=column.name, values=text)
    return parsed


def visit_label_ok(s: pd.Series) -> pd.Series:
    """True where a cell matches ``VISIT_PATTERN`` (missing cells count as True).

    The same verdict as ``s.str.match(VISIT_PATTERN, na=False)``, judged once per
    distinct label: a measurements table has millions of rows but a handful of
    visits, and per-row regex matching was the slowest check of ``validate``.

    Examples
    --------
    >>> visit_label_ok(pd.Series(["WEEK 4", "week 4", None, 16])).tolist()
    [True, False, True, False]
    """
    codes, labels = pd.factorize(s)
    pattern = re.compile(VISIT_PATTERN)
    good = np.array([isinstance(v, str) and pattern.match(v) is not None for v in labels] + [True],
                    dtype=bool)
    return pd.Series(good[codes], index=s.index)  # code -1 (missing) picks the final True


def schema_for(spec: Table, columns, skip_range=()) -> tuple[pa.DataFrameSchema, dict]:
    """pandera schema for the present contract columns, and (column, n) -> (rule, message).

    ``skip_range`` names columns whose range depends on another column (AVAL of
    measurements: checked per parameter in :mod:`analysis.schema.params`).
    """
    meta: dict = {}
    cols = {}
    for column in spec.columns:
        if column.name not in columns:
            continue
        checks, rules = [], []
        if column.codes:
            allowed = sorted(column.codes, key=str)
            if numeric_codes(column):
                codes = np.asarray(column.codes, dtype=float)
                checks.append(pa.Check(
                    lambda s, codes=codes: pd.Series(
                        np.isclose(s.to_numpy(float)[:, None], codes).any(axis=1), index=s.index),
                    ignore_na=True))
            else:
                checks.append(pa.Check.isin(list(column.codes)))
            rules.append(("code", f"{column.name} must be one of: "
                                  f"{', '.join(f'{c:g}' if isinstance(c, float) else str(c) for c in allowed)}"))
        elif column.name == "AVISIT":
            checks.append(pa.Check(visit_label_ok, ignore_na=True))
            rules.append(("visit-label", "AVISIT must be BASELINE or WEEK n (e.g. WEEK 4)"))
        if is_numeric(column) and column.name not in skip_range and not column.codes:
            rule = "negative-time" if column.unit == "days" and column.min == 0 else "range"
            if column.min is not None:
                checks.append(pa.Check.ge(column.min))
                rules.append((rule, f"{column.name} must be {_describe_range(column)}"
                               if rule == "range" else f"{column.name} is a time and cannot be "
                                                        "negative"))
            if column.max is not None:
                checks.append(pa.Check.le(column.max))
                rules.append(("range", f"{column.name} must be {_describe_range(column)}"))
        for i, rule in enumerate(rules):
            meta[(column.name, i)] = rule
        meta[(column.name, None)] = ("missing-value", f"{column.name} is required and is empty")
        cols[column.name] = pa.Column(None, checks, nullable=not column.required, required=False)
    return pa.DataFrameSchema(cols), meta


def check_columns(typed: pd.DataFrame, spec: Table, table: str, out: Collector,
                  skip_range=(), already=None) -> None:
    """Run the pandera schema on a typed table and report its failure cases.

    ``already`` is a boolean DataFrame of cells already reported (type errors), whose
    emptiness is not reported again as a missing value.
    """
    schema, meta = schema_for(spec, typed.columns, skip_range)
    try:
        schema.validate(typed, lazy=True)
        return
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases
    cases = cases[cases["schema_context"] == "Column"]
    for (name, number), group in cases.groupby(["column", "check_number"], dropna=False,
                                               sort=False):
        number = None if pd.isna(number) else int(number)
        rule, message = meta.get((name, number), ("invalid", f"{name} is invalid"))
        index = pd.Index(group["index"].dropna())
        if rule == "missing-value" and already is not None and name in already:
            index = index[~already[name].reindex(index, fill_value=False).to_numpy()]
        order = typed.index.get_indexer(index)
        index = index[np.argsort(order, kind="stable")]
        out.rows(table, index, rule, message, column=name, values=typed[name])
