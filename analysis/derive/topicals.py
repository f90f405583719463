"""Topical-therapy indicators from the per-visit TOPICAL code.

Codes (data contract): ``NONE`` emollients only, ``TCS`` corticosteroids,
``TAC`` tacrolimus, ``BOTH`` corticosteroids and tacrolimus.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

TACROLIMUS_CODES = ("TAC", "BOTH")
CORTICOSTEROID_CODES = ("TCS", "BOTH")


def uses(codes, categories) -> pd.Series | pd.DataFrame:
    """1.0 where the code is one of ``categories``, 0.0 otherwise, NaN where missing.

    Works on a Series or on a visit-wide frame of codes.

    Examples
    --------
    >>> uses(pd.Series(["TAC", "NONE", None]), TACROLIMUS_CODES).tolist()
    [1.0, 0.0, nan]
    """
    return codes.isin(list(categories)).astype(float).where(codes.notna())


def ever_uses(wide: pd.DataFrame, categories, visits) -> pd.Series:
    """1.0 when any of ``visits`` has a code in ``categories``; 0.0 when none does
    among the observed ones; NaN when none of ``visits`` is observed.

    Examples
    --------
    >>> w = pd.DataFrame({"BASELINE": ["NONE", "TAC", None], "WEEK 4": [None, "NONE", None]})
    >>> ever_uses(w, TACROLIMUS_CODES, ["BASELINE", "WEEK 4"]).tolist()
    [0.0, 1.0, nan]
    """
    visits = list(visits)
    if visits and wide.columns.is_unique:
        # column by column (a categorical column's isin compares codes), then the
        # NaN-ignoring maximum across visits: the same as the frame-wide version
        flags = np.column_stack([uses(wide[v], categories).to_numpy(dtype=float) for v in visits])
        return pd.Series(np.fmax.reduce(flags, axis=1), index=wide.index)
    flags = uses(wide[visits], categories)
    return flags.max(axis=1, skipna=True)
