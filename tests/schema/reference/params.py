"""Ranges and integer scales of measurement parameters (contract ``PARAMS``).

Vectorised over the whole table: each row's bounds come from its PARAMCD, so a
file of millions of rows is checked in a few array operations.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.schema.contract import PARAMS, Param
from analysis.schema.report import Collector


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
    # One pass over PARAMCD (factorize) instead of one string comparison per parameter.
    codes, labels = pd.factorize(typed["PARAMCD"])
    position = {v: i for i, v in enumerate(labels) if isinstance(v, str)}
    aval = pd.to_numeric(typed["AVAL"], errors="coerce").astype(float)
    filled = aval.notna().to_numpy()
    for param in PARAMS.values():
        if param.code not in position:
            continue
        mine = (codes == position[param.code]) & filled
        if not mine.any():
            continue
        values = aval.to_numpy()
        low = values <= param.min if param.min_exclusive else values < param.min
        high = values > param.max if param.max is not None else np.zeros_like(mine)
        out_of_range = mine & (low | high)
        out.rows(table, typed.index[out_of_range], "range", describe(param), column="AVAL",
                 values=aval)
        if param.integer:
            fraction = mine & ~out_of_range & (values != np.round(values))
            out.rows(table, typed.index[fraction], "integer",
                     f"{param.code} is scored in whole points", column="AVAL", values=aval)
