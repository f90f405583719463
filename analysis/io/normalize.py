"""Bring a table read from any format to the contract's spelling and types.

What is changed, and only this (documented in data/README.md):

- column names are stripped; a name that matches a contract column ignoring case
  takes the contract's spelling (``usubjid`` -> ``USUBJID``);
- text cells are stripped; empty cells and the tokens NA, N/A, NaN, "." are missing;
- ``USUBJID`` and other text columns stay text: ``"001"`` is never turned into 1,
  and a number stored by a typed format (1.0 in Parquet/SPSS) becomes ``"1"``;
- codes, visit labels and adverse-event terms are upper-cased (``week 4`` ->
  ``WEEK 4``, ``Herpes simplex`` -> ``HERPES SIMPLEX``); flags accept
  Y/N in any case, YES/NO, TRUE/FALSE, 1/0 and booleans, written Y/N;
- numeric columns become numbers only when *every* filled cell is a number (an
  integer column becomes int64 when nothing is missing); otherwise the column
  stays as text and ``analysis.schema.validate`` names each offending cell;
- ``TACSTR`` accepts a trailing ``%`` (``0.1%``);
- ``AVISITN`` is derived from ``AVISIT`` (BASELINE = 0, WEEK n = n) where missing.
"""

from __future__ import annotations

import datetime
import re

import numpy as np
import pandas as pd

from analysis.io.codes import expand, is_text, recode, text_codes
from analysis.io.raw import MISSING_TOKENS
from analysis.schema.contract import CONTRACT

FLAG_WORDS = {"Y": "Y", "N": "N", "YES": "Y", "NO": "N", "TRUE": "Y", "FALSE": "N",
              "1": "Y", "0": "N"}
NUMERIC = ("int", "float")
_VISIT = re.compile(r"^(?:BASELINE|WEEK (\d{1,3}))$")


def contract_names(columns, table: str) -> dict[str, str]:
    """Rename map: input column -> contract spelling, for case-only differences."""
    spec = CONTRACT.get(table)
    known = {c.name.upper(): c.name for c in spec.columns} if spec else {}
    out = {}
    for name in columns:
        stripped = str(name).strip()
        target = known.get(stripped.upper(), stripped)
        if target != name and target not in columns:
            out[name] = target
    return out


def strip_text(s: pd.Series) -> pd.Series:
    """Strip string cells, turn empty/NA tokens into missing (NaN); other cells unchanged."""
    if s.dtype != object and not pd.api.types.is_string_dtype(s.dtype):
        return s
    s = s.astype(object)
    kind = pd.api.types.infer_dtype(s, skipna=True)
    if kind == "string":
        # Text only: strip and test each distinct value once (millions of rows hold
        # few distinct codes and ids). Not for mixed cells: factorize takes 1, 1.0
        # and True for one value.
        codes, uniques = pd.factorize(s)
        # str.strip returns the very object when there is nothing to strip.
        u = pd.Series([v.strip() for v in uniques], dtype=object)
        u = u.mask(u.isin(MISSING_TOKENS), np.nan)
        values = np.append(u.to_numpy(dtype=object), np.nan)  # code -1 (missing) -> NaN
        return pd.Series(values[codes], index=s.index, name=s.name)
    if kind != "empty" and "mixed" in kind:
        s = s.map(lambda v: v.strip() if isinstance(v, str) else v, na_action="ignore")
    return s.mask(s.isin(MISSING_TOKENS) | s.isna(), np.nan)


def _cell_text(value) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return str(int(value)) if float(value).is_integer() else str(float(value))
    if isinstance(value, (pd.Timestamp, datetime.date)):
        return value.strftime("%Y-%m-%d")
    return str(value)


def as_text(s: pd.Series) -> pd.Series:
    """Any column -> text cells (integral numbers without ``.0``), missing kept."""
    if not (s.dtype == object or pd.api.types.is_string_dtype(s.dtype)):
        return s.map(_cell_text, na_action="ignore").astype(object)
    s = strip_text(s)
    if pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty"):
        return s
    odd = s.notna() & ~s.map(lambda v: isinstance(v, str), na_action="ignore").fillna(True).astype(bool)
    if odd.any():
        s = s.copy()
        s[odd] = s[odd].map(_cell_text)
    return s


def as_number(s: pd.Series, integer: bool = False) -> pd.Series:
    """Numbers when every filled cell is one; otherwise the stripped text, unchanged."""
    if pd.api.types.is_bool_dtype(s.dtype):
        s = s.astype(float)
    if not pd.api.types.is_numeric_dtype(s.dtype):
        s = strip_text(s)
        number = pd.to_numeric(s, errors="coerce")
        if (number.isna() & s.notna()).any():
            return s
        s = number.astype(float)
    if integer and s.dtype == np.int64:
        values = s.to_numpy()
        if not len(values) or (values.min() >= -2 ** 53 and values.max() <= 2 ** 53):
            return s  # what the float round trip below gives back (exact below 2**53)
    if integer and s.notna().all():
        values = s.to_numpy(dtype=float)
        # inf == round(inf): whole-number test alone would cast inf to int64 and fail.
        if np.all(np.isfinite(values)) and np.all(values == np.rint(values)):
            return s.astype("int64")
    return s if integer or s.dtype == float else s.astype(float)


def as_flag(s: pd.Series) -> pd.Series:
    text = as_text(s)
    upper = text.str.upper()
    return upper.map(FLAG_WORDS).where(upper.isin(list(FLAG_WORDS)), upper).where(text.notna())


def as_date(s: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return s.dt.tz_localize(None) if getattr(s.dt, "tz", None) else s
    text = as_text(s)
    parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
    return parsed if not (parsed.isna() & text.notna()).any() else text


def by_label(s: pd.Series, func) -> pd.Series:
    """Apply ``func`` (Series -> Series) once per distinct value and spread it back.

    Codes and visit labels have a handful of distinct values in millions of rows.
    """
    codes, labels = pd.factorize(s)
    done = func(pd.Series(labels, dtype=object)).to_numpy(dtype=object)
    out = np.full(len(s), np.nan, dtype=object)
    out[codes >= 0] = done[codes[codes >= 0]]
    return pd.Series(out, index=s.index)


def visit_week(avisit: pd.Series) -> pd.Series:
    """``BASELINE`` -> 0, ``WEEK n`` -> n, anything else missing (float)."""
    def parse(labels):
        text = labels.astype(str)
        week = pd.to_numeric(text.str.extract(_VISIT)[0], errors="coerce").astype(float)
        return week.where(text != "BASELINE", 0.0)

    return pd.to_numeric(by_label(avisit, parse), errors="coerce").astype(float)


def normalize(frame: pd.DataFrame, table: str, codes: dict | None = None) -> pd.DataFrame:
    """Return ``frame`` in contract spelling and types (see module doc).

    Text columns (object columns of ``str``, or the :class:`pandas.Categorical`
    columns fast readers give) are normalised once per distinct value and spread
    back with their codes (:mod:`analysis.io.codes`); every rule above is a rule
    on one cell, so the result is the same as cell by cell. The returned frame
    may share memory with ``frame``.

    Parameters
    ----------
    frame : DataFrame
    table : str
    codes : dict, optional
        Filled with column -> ``(codes, uniques)`` for each text column of the result.

    Examples
    --------
    >>> df = pd.DataFrame({"usubjid": [" 001 "], "sex": ["f"], "age": ["40"], "evalfl": ["yes"]})
    >>> normalize(df, "subjects").iloc[0].to_dict()
    {'USUBJID': '001', 'SEX': 'F', 'AGE': 40.0, 'EVALFL': 'Y'}
    """
    codes = {} if codes is None else codes
    renames = contract_names(list(frame.columns), table)
    if renames:
        frame = frame.copy(deep=False)
        frame.columns = [renames.get(c, c) for c in frame.columns]
    spec = CONTRACT.get(table)
    out = {}
    for name in frame.columns:
        column = _column(spec, name)
        out[name] = _normalize_column(frame[name], name, column, codes)
    result = pd.DataFrame(out, index=frame.index, copy=False)
    if "AVISIT" in result and table in ("measurements", "topicals"):
        if "AVISIT" in codes:
            c, u = codes["AVISIT"]
            derived = pd.Series(expand(c, visit_week(pd.Series(u, dtype=object)).to_numpy(float)),
                                index=result.index)
        else:
            derived = visit_week(result["AVISIT"])
        if "AVISITN" not in result:
            result["AVISITN"] = as_number(derived, integer=True)
        elif pd.api.types.is_numeric_dtype(result["AVISITN"].dtype) and result["AVISITN"].isna().any():
            result["AVISITN"] = as_number(result["AVISITN"].fillna(derived), integer=True)
    return result


def _normalize_column(s: pd.Series, name: str, column, codes: dict) -> pd.Series:
    """One column; text columns per distinct value (their codes go into ``codes``)."""
    numeric = column is not None and (column.dtype in NUMERIC or (
        column.dtype == "code" and _numeric_codes(column)))
    integer = numeric and (column.dtype == "int" or (
        bool(column.codes) and all(isinstance(c, int) for c in column.codes)))
    # func: the rule on a column; each rule is a rule on one cell. per_value: the same
    # rule for distinct text values (stripping needs no second factorisation there).
    if column is None:
        func, per_value = strip_text, _strip_distinct
    elif column.dtype == "flag":
        func = per_value = as_flag
    elif column.dtype == "date":
        func = per_value = as_date
    elif numeric:
        def func(v, integer=False):
            if name == "TACSTR" and not pd.api.types.is_numeric_dtype(v.dtype):
                v = strip_text(v).map(lambda x: x.rstrip("%").strip() if isinstance(x, str) else x,
                                      na_action="ignore")
            return as_number(v, integer=integer)
        per_value = func
    elif column.dtype == "code" or name in ("AVISIT", "AEDECOD"):
        func = per_value = _code if column.dtype == "code" else _visit_label
    else:
        func, per_value = as_text, _strip_distinct
    if isinstance(s.dtype, pd.CategoricalDtype) and not is_text(s):
        s = s.astype(object)
    if not is_text(s):
        # Numbers, dates, booleans and mixed cells: cell by cell, as always.
        if column is not None and column.dtype == "flag":
            return by_label(s, as_flag)
        if column is not None and (column.dtype == "code" or name in ("AVISIT", "AEDECOD")) \
                and not numeric:
            return by_label(s, func)
        return func(s, integer=integer) if numeric else func(s)
    c, u = text_codes(s)
    done = per_value(pd.Series(u, dtype=object))
    kind = done.dtype.kind if isinstance(done.dtype, np.dtype) else ""
    if kind == "O":
        c, u = recode(c, done.to_numpy(dtype=object), before=u)
        codes[name] = (c, u)
        return pd.Series(expand(c, u), index=s.index, name=s.name)
    if kind in "fM":
        values = pd.Series(expand(c, done.to_numpy()), index=s.index, name=s.name)
    else:  # extension types (a date with a time zone): pandas fills the missing cells
        values = pd.Series(done.array.take(c.astype(np.intp), allow_fill=True), index=s.index,
                           name=s.name)
    return as_number(values, integer=True) if integer and kind == "f" else values


def _strip_distinct(values: pd.Series) -> pd.Series:
    """:func:`strip_text` of distinct ``str`` values (what it does for a text column)."""
    out = np.empty(len(values), dtype=object)
    out[:] = [v.strip() for v in values.to_numpy(dtype=object)]
    out[np.isin(out, MISSING_TOKENS)] = np.nan
    return pd.Series(out, index=values.index)


def _code(labels: pd.Series) -> pd.Series:
    text = as_text(labels)
    return text.str.upper().where(text.notna())


def _visit_label(labels: pd.Series) -> pd.Series:
    return _code(labels).str.replace(r"\s+", " ", regex=True)


def _column(spec, name):
    if spec is None:
        return None
    try:
        return spec.column(name)
    except KeyError:
        return None


def _numeric_codes(column) -> bool:
    return bool(column.codes) and all(isinstance(c, (int, float)) for c in column.codes)
