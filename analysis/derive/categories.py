"""Category and responder flags of clinical scores.

Flags are floats: 1.0 yes, 0.0 no, NaN when the value(s) needed are missing, so a
count over a flag is a count over the patients who could be classified.

EASI severity bands (Leshem et al. 2015, Br J Dermatol 172:1353) are printed as
clear 0, almost clear 0.1-1, mild 1.1-7, moderate 7.1-21, severe 21.1-50, very
severe 50.1-72, which assumes one decimal. :func:`easi_band` closes each band at its
upper bound (``(1, 7]`` is mild) so that a value with more decimals (1.05) still
gets exactly one band.
"""

from __future__ import annotations

import operator

import numpy as np
import pandas as pd

EASI_BANDS = (
    ("CLEAR", 0.0),
    ("ALMOST CLEAR", 1.0),
    ("MILD", 7.0),
    ("MODERATE", 21.0),
    ("SEVERE", 50.0),
    ("VERY SEVERE", 72.0),
)
EASI_BAND_METHOD = (
    "EASI severity bands: clear 0, almost clear (0, 1], mild (1, 7], moderate (7, 21], "
    "severe (21, 50], very severe (50, 72] (printed as 0.1-1, 1.1-7, 7.1-21, 21.1-50, 50.1-72)"
)

_OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


def band(values, bands) -> pd.Series:
    """Label each value with the first band whose upper bound it does not exceed.

    Parameters
    ----------
    values : array-like of float
        NaN stays NaN (unclassified).
    bands : sequence of (label, upper)
        Upper bounds increasing; a value above the last bound is an error.

    Examples
    --------
    >>> band([0, 0.5, 7, 7.1, None], EASI_BANDS).tolist()
    ['CLEAR', 'ALMOST CLEAR', 'MILD', 'MODERATE', nan]
    """
    x = pd.Series(values, dtype=float)
    uppers = np.array([u for _, u in bands], dtype=float)
    labels = np.array([lab for lab, _ in bands], dtype=object)
    if (x.dropna() > uppers[-1]).any() or (x.dropna() < 0).any():
        raise ValueError(f"value outside the banded range 0-{uppers[-1]:g}")
    idx = np.searchsorted(uppers, x.to_numpy(), side="left")
    out = pd.Series(np.where(x.isna(), None, labels[np.minimum(idx, len(labels) - 1)]),
                    index=x.index, dtype=object)
    return out.where(x.notna(), np.nan)


def easi_band(values) -> pd.Series:
    """EASI severity band of each value (see :data:`EASI_BANDS`)."""
    return band(values, EASI_BANDS)


def threshold_flag(values, op: str, cut: float) -> pd.Series:
    """1.0 where ``value op cut`` holds, 0.0 where not, NaN where missing.

    Examples
    --------
    >>> threshold_flag([6.9, 7, None], "<", 7).tolist()
    [1.0, 0.0, nan]
    """
    if op not in _OPS:
        raise ValueError(f"op must be one of {sorted(_OPS)}")
    x = pd.Series(values, dtype=float)
    return _OPS[op](x, cut).astype(float).where(x.notna())


def reduction_responder(base, post, points: float) -> pd.Series:
    """1.0 when the score fell by at least ``points`` from ``base`` to ``post``.

    NaN when either value is missing, so the count is over patients with both.

    Examples
    --------
    >>> reduction_responder([8, 8, 8, None], [4, 5, None, 0], 4).tolist()
    [1.0, 0.0, nan, nan]
    """
    b = pd.Series(base, dtype=float)
    p = pd.Series(post, dtype=float).set_axis(b.index)
    return ((b - p) >= points).astype(float).where(b.notna() & p.notna())


def yn(values) -> pd.Series:
    """ADaM flag ``"Y"``/``"N"`` to 1.0/0.0; blank or anything else is NaN.

    >>> yn(pd.Series(["Y", "N", None, ""])).tolist()
    [1.0, 0.0, nan, nan]
    """
    s = pd.Series(values, dtype=object)
    return s.map({"Y": 1.0, "N": 0.0}).astype(float)


def equals(values, code) -> pd.Series:
    """1.0 where ``value == code``, 0.0 where another value, NaN where missing.

    >>> equals(pd.Series(["M", "F", None]), "F").tolist()
    [0.0, 1.0, nan]
    """
    s = pd.Series(values, dtype=object)
    # Blank test once per distinct value (a few labels in up to millions of patients).
    codes, labels = pd.factorize(s)
    filled = np.array([str(v).strip() != "" for v in labels] + [False], dtype=bool)
    present = pd.Series(filled[codes], index=s.index)  # code -1 (missing) picks False
    return (s == code).astype(float).where(present)


def combination(flags: dict) -> pd.Series:
    """Label of the exact combination of 1.0 flags, e.g. ``"FACE+HANDS"``.

    ``"NONE"`` when every flag is 0; NaN when any flag is missing, since the exact
    combination is then unknown.

    Examples
    --------
    >>> f = {"FACE": pd.Series([1.0, 0.0, 1.0]), "HANDS": pd.Series([1.0, 0.0, None])}
    >>> combination(f).tolist()
    ['FACE+HANDS', 'NONE', nan]
    """
    frame = pd.DataFrame(flags)
    labels = pd.Series("", index=frame.index, dtype=object)
    for name in frame.columns:  # vectorised per flag: no row-wise apply on large cohorts
        on = frame[name] == 1
        labels = labels.where(~on, labels.where(labels == "", labels + "+") + name)
    labels = labels.where(labels != "", "NONE")
    return labels.where(frame.notna().all(axis=1), np.nan)
