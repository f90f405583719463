"""Per-column rules: types, integers, missing values, codes, ranges, visit labels.

Types are checked first (so that a text cell is reported with the text the user
typed); the typed columns then go through the contract's rules, each a vectorised
test: text rules (codes, visit labels) are judged once per distinct value and
spread to rows with the column's codes, number rules on the whole float array.
Every failing cell is found; problems are listed column by column in contract
order, rule by rule (missing value, code or visit label, range), rows in file order.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from analysis.schema.cells import chunks
from analysis.schema.contract import VISIT_PATTERN, Column, Table
from analysis.schema.report import Collector, where

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
    return pd.DataFrame(typed, index=frame.index, copy=False)


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
    if isinstance(s.dtype, np.dtype) and s.dtype.kind in "iu":
        return s  # whole numbers already; checks read it as floats (no 14-million-row copy)
    s = s.astype(float, copy=False)
    if column.dtype == "int" and not column.codes:
        values = s.to_numpy()
        with np.errstate(invalid="ignore"):
            fraction = np.isfinite(values) & (values != np.rint(values))
        if fraction.any():
            out.rows(table, s.index[fraction], "integer",
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


def rules_for(column: Column, skip_range=()) -> list[tuple[str, str, str, object]]:
    """The value rules of a contract column, in order: ``(kind, rule, message, argument)``.

    ``skip_range`` names columns whose range depends on another column (AVAL of
    measurements: checked per parameter in :mod:`analysis.schema.params`).

    Examples
    --------
    >>> from analysis.schema.contract import CONTRACT
    >>> [r[:2] for r in rules_for(CONTRACT["events"].column("ASTDY"))]
    [('bounds', 'negative-time'), ('bounds', 'range')]
    """
    rules = []
    if column.codes:
        allowed = sorted(column.codes, key=str)
        shown = ", ".join(f"{c:g}" if isinstance(c, float) else str(c) for c in allowed)
        kind = "numeric-codes" if numeric_codes(column) else "codes"
        rules.append((kind, "code", f"{column.name} must be one of: {shown}", column.codes))
    elif column.name == "AVISIT":
        rules.append(("visit", "visit-label", "AVISIT must be BASELINE or WEEK n (e.g. WEEK 4)",
                      None))
    if is_numeric(column) and column.name not in skip_range and not column.codes:
        low, high = column.min, column.max
        if column.unit == "days" and low == 0:  # a time: below 0 is its own rule
            rules.append(("bounds", "negative-time",
                          f"{column.name} is a time and cannot be negative", (low, None)))
            low = None
        if low is not None or high is not None:
            # One rule for both sides: cells below and above are listed in row order.
            rules.append(("bounds", "range", f"{column.name} must be {_describe_range(column)}",
                          (low, high)))
    return rules


def check_columns(typed: pd.DataFrame, spec: Table, table: str, out: Collector,
                  skip_range=(), already=None) -> None:
    """Report missing required values and cells that break a column's rules.

    ``already`` maps a column to a boolean array of cells already reported (type
    errors), whose emptiness is not reported again as a missing value.
    """
    for column in spec.columns:
        name = column.name
        if name not in typed.columns:
            continue
        s = typed[name]
        if column.required:
            missing = _missing(s, table, name, out)
            if already is not None and name in already:
                missing = missing & ~already[name]
            out.rows(table, where(typed.index, missing), "missing-value",
                     f"{name} is required and is empty", column=name, values=s)
        for kind, rule, message, argument in rules_for(column, skip_range):
            bad = _breaks(kind, argument, s, table, name, out)
            out.rows(table, where(typed.index, bad), rule, message, column=name, values=s)


def _missing(s: pd.Series, table: str, name: str, out: Collector) -> np.ndarray:
    coded = out.codes(table, name, s) if s.dtype == object else None
    return coded[0] < 0 if coded is not None else s.isna().to_numpy()


def _breaks(kind: str, argument, s: pd.Series, table: str, name: str,
            out: Collector) -> np.ndarray:
    """Filled cells of ``s`` that break one rule (missing cells never do)."""
    if kind == "bounds":
        values = s.to_numpy()  # float or int (compared as numbers, no copy)
        low, high = argument
        bad = np.zeros(len(values), dtype=bool)
        with np.errstate(invalid="ignore"):
            if low is not None:
                bad |= values < low  # NaN compares False: missing cells pass
            if high is not None:
                bad |= values > high
        return bad
    if kind == "numeric-codes":
        values = s.to_numpy()
        codes = np.asarray(argument, dtype=float)
        bad = np.zeros(len(values), dtype=bool)
        for part in chunks(len(values)):
            v = values[part].astype(float)
            bad[part] = ~np.isnan(v) & ~np.isclose(v[:, None], codes).any(axis=1)
        return bad
    coded = out.codes(table, name, s) if s.dtype == object else None
    if coded is None:  # cells other than text: each row on its own
        if kind == "codes":
            return (s.notna() & ~s.isin(list(argument))).to_numpy()
        return ~visit_label_ok(s).to_numpy()
    codes, uniques = coded
    if kind == "codes":
        bad = ~pd.Series(uniques, dtype=object).isin(list(argument)).to_numpy()
    else:
        pattern = re.compile(VISIT_PATTERN)
        bad = np.array([pattern.match(v) is None for v in uniques], dtype=bool)
    if not bad.any():
        return np.zeros(len(codes), dtype=bool)
    return np.append(bad, False)[codes]  # code -1 (missing) picks False
