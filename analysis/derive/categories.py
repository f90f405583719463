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
    v = x.to_numpy()  # arrays, not Series: no label lookups on a million-patient index
    missing = np.isnan(v)
    if (v[~missing] > uppers[-1]).any() or (v[~missing] < 0).any():
        raise ValueError(f"value outside the banded range 0-{uppers[-1]:g}")
    idx = np.searchsorted(uppers, v, side="left")
    out = pd.Series(np.where(missing, None, labels[np.minimum(idx, len(labels) - 1)]),
                    index=x.index, dtype=object)
    return out.where(~missing, np.nan)


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
    s = _text(values)
    codes, labels = _codes(s)
    # decided once per distinct value, then spread by code (-1, missing, picks NaN)
    per_value = pd.Series(labels, dtype=object).map(YN).astype(float).to_numpy()
    return pd.Series(np.append(per_value, np.nan)[codes], index=s.index, name=s.name)


def equals(values, code) -> pd.Series:
    """1.0 where ``value == code``, 0.0 where another value, NaN where missing.

    >>> equals(pd.Series(["M", "F", None]), "F").tolist()
    [0.0, 1.0, nan]
    """
    s = _text(values)
    # Blank and equality tests once per distinct value (a few labels in up to
    # millions of patients), spread by code; code -1 (missing) picks "not present".
    codes, labels = _codes(s)
    filled = np.array([str(v).strip() != "" for v in labels] + [False], dtype=bool)
    same = np.array([_equal(v, code) for v in labels] + [False], dtype=bool)
    out = np.where(filled[codes], same[codes].astype(float), np.nan)
    return pd.Series(out, index=s.index, name=s.name)


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
    fast = _combination_codes(flags)
    if fast is not None:
        return fast
    frame = pd.DataFrame(flags)
    labels = pd.Series("", index=frame.index, dtype=object)
    for name in frame.columns:  # vectorised per flag: no row-wise apply on large cohorts
        on = frame[name] == 1
        labels = labels.where(~on, labels.where(labels == "", labels + "+") + name)
    labels = labels.where(labels != "", "NONE")
    return labels.where(frame.notna().all(axis=1), np.nan)


YN = {"Y": 1.0, "N": 0.0}


def _text(values) -> pd.Series:
    """``values`` as a Series of text cells: a categorical column is kept as it is
    (its codes are used), anything else becomes object as before."""
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.CategoricalDtype):
        return values
    return pd.Series(values, dtype=object)


def _codes(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(codes, distinct values) of a text Series; -1 marks a missing cell."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return s.cat.codes.to_numpy(), np.asarray(s.cat.categories, dtype=object)
    codes, labels = pd.factorize(s)
    return codes, np.asarray(labels, dtype=object)


def _equal(value, code) -> bool:
    """``value == code`` as pandas' elementwise ``==`` decides it."""
    try:
        return bool(value == code)
    except (TypeError, ValueError):
        return False


def _combination_codes(flags: dict) -> pd.Series | None:
    """:func:`combination` from a bit pattern per patient (float flags sharing one
    index); None otherwise. Each of the 2**k labels is built once, not per patient."""
    series = list(flags.values())
    if not series or len(series) > 16 or not all(
            isinstance(f, pd.Series) and f.dtype == np.float64 for f in series):
        return None
    index = series[0].index
    if not all(isinstance(n, str) for n in flags) or not all(
            f.index is index or (f.index.equals(index) and f.index.names == index.names)
            for f in series[1:]):
        return None
    values = np.column_stack([f.to_numpy() for f in series])
    pattern = (values == 1) @ (1 << np.arange(len(series)))
    names = list(flags)
    labels = np.array(["+".join(n for j, n in enumerate(names) if p >> j & 1) or "NONE"
                       for p in range(1 << len(names))], dtype=object)
    out = labels[pattern].astype(object)
    out[np.isnan(values).any(axis=1)] = np.nan
    return pd.Series(out, index=index, dtype=object)
