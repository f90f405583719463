"""Ranges and integer scales of measurement parameters (contract ``PARAMS``).

Vectorised over the whole table: each row's bounds come from its PARAMCD, so a
file of millions of rows is checked in a few array operations.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.schema.contract import PARAMS, Param
from analysis.schema import cells
from analysis.schema.report import Collector, where


def describe(param: Param) -> str:
    """``"EASI must be between 0 and 72"``, ``"TARC must be above 0 pg/mL"``."""
    unit = "" if param.unit == "points" else f" {param.unit}"
    if param.max is None:
        word = "above" if param.min_exclusive else "at least"
        return f"{param.code} must be {word} {param.min:g}{unit}"
    return f"{param.code} must be between {param.min:g} and {param.max:g}{unit}"


def check_params(typed: pd.DataFrame, out: Collector, table: str = "measurements") -> None:
    """Report AVAL outside its parameter's range, and non-integers on integer scales.

    Examples
    --------
    >>> describe(PARAMS["IGA"])
    'IGA must be between 0 and 4'
    """
    if "PARAMCD" not in typed or "AVAL" not in typed:
        return
    # PARAMCD as codes (kept since reading) instead of one string comparison per parameter.
    coded = out.codes(table, "PARAMCD", typed["PARAMCD"]) \
        if typed["PARAMCD"].dtype == object else None
    codes, labels = coded if coded is not None else pd.factorize(typed["PARAMCD"])
    position = {v: i for i, v in enumerate(labels) if isinstance(v, str)}
    aval = pd.to_numeric(typed["AVAL"], errors="coerce").astype(float, copy=False)
    values = aval.to_numpy()
    # Bounds per distinct PARAMCD, spread to rows in one pass; unknown codes
    # (and missing, code -1 = the last entry) have no bounds.
    n = len(labels) + 1
    low, high = np.full(n, -np.inf), np.full(n, np.inf)
    above, whole = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    for param in PARAMS.values():
        if param.code in position:
            i = position[param.code]
            low[i] = param.min
            high[i] = np.inf if param.max is None else param.max
            above[i], whole[i] = param.min_exclusive, param.integer
    codes = codes.copy()
    codes[codes < 0] = n - 1  # missing PARAMCD: the last entry, no bounds
    if _all_within(codes, values, n, low, high, above, whole):
        return
    out_of_range = np.zeros(len(values), dtype=bool)
    fraction = np.zeros(len(values), dtype=bool)
    for part in cells.chunks(len(values)):
        c, v = codes[part], values[part]
        with np.errstate(invalid="ignore"):
            far = (v < low[c]) | (v > high[c]) | (above[c] & (v == low[c]))
            fraction[part] = whole[c] & ~far & ~np.isnan(v) & (v != np.rint(v))
        out_of_range[part] = far
    for param in PARAMS.values():
        if param.code not in position:
            continue
        mine = codes == position[param.code]
        out.rows(table, where(typed.index, mine & out_of_range), "range", describe(param),
                 column="AVAL", values=aval)
        if param.integer:
            out.rows(table, where(typed.index, mine & fraction), "integer",
                     f"{param.code} is scored in whole points", column="AVAL", values=aval)


def _all_within(codes, values, n, low, high, above, whole) -> bool:
    """True when no row can be out of range or fractional: per-code extremes and a
    per-code count of fractional values decide it in a few passes over the rows."""
    lowest, highest = np.full(n, np.inf), np.full(n, -np.inf)
    fractional = np.zeros(n, dtype=np.int64)
    for part in cells.chunks(len(values)):
        c, v = codes[part], values[part]
        np.fmin.at(lowest, c, v)  # fmin/fmax skip NaN (missing values)
        np.fmax.at(highest, c, v)
        with np.errstate(invalid="ignore"):
            fractional += np.bincount(c[~np.isnan(v) & (v != np.rint(v))], minlength=n)
    bad = (lowest < low) | (highest > high) | (above & (lowest <= low)) | (whole & (fractional > 0))
    return not bad.any()
