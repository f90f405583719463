"""Measurements grouped by parameter and visit from integer codes, for the appendices.

The data appendix draws each measure at each visit and counts the patients with a
value. Comparing the text of 15 million rows once per parameter and visit (or
grouping on them with pandas) took 10-20 s at a million patients; here the text
columns are coded once (the codes the reader kept on the dataset, when it did) and
each group is picked out by comparing small integers.

Examples
--------
>>> import pandas as pd
>>> from analysis.io.dataset import Dataset
>>> m = pd.DataFrame({"USUBJID": ["a", "a", "b", "b"], "PARAMCD": "EASI",
...                   "AVISIT": ["BASELINE", "WEEK 4", "BASELINE", "BASELINE"],
...                   "AVAL": [3.0, 1.0, 2.0, None]})
>>> groups = measurement_groups(Dataset({"measurements": m}))
>>> [(g.param, g.visit, g.n_values, g.n_patients, float(g.median)) for g in groups]
[('EASI', 'BASELINE', 2, 2, 2.5), ('EASI', 'WEEK 4', 1, 1, 1.0)]
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Group:
    """Rows of one parameter at one visit that have a value."""

    param: object
    visit: object
    first_row: int          # position of the group's first row in the table
    n_values: int
    n_patients: int         # distinct patients among these rows
    q1: float               # quartiles by numpy's default (linear) percentile
    median: float
    q3: float
    min: float
    max: float


def _codes(dataset, table: str, column: str) -> tuple[np.ndarray, np.ndarray]:
    coded = dataset.factorized(table, column) if hasattr(dataset, "factorized") else None
    if coded is None:  # not all text: pandas' own factorize, as a groupby would use
        codes, uniques = pd.factorize(dataset[table][column])
        return codes, np.asarray(uniques, dtype=object)
    codes, uniques = coded
    return np.asarray(codes), np.asarray(uniques, dtype=object)


_LAST: list = []


def measurement_groups(dataset, table: str = "measurements") -> list[Group]:
    """Every (parameter, visit) with at least one value, in order of first appearance.

    Rows with a missing parameter, visit or value are left out (as
    ``dropna`` and ``groupby`` leave them out); ``n_patients`` counts distinct
    non-missing ``USUBJID`` (as ``groupby(...)["USUBJID"].nunique()``). The last answer
    is kept for the same table (the figure and the table of the appendix both ask).
    """
    meas = dataset[table]
    if _LAST and _LAST[0]() is meas:
        return list(_LAST[1])
    groups = _groups(dataset, table, meas)
    _LAST[:] = [weakref.ref(meas, lambda _: _LAST.clear()), groups]
    return list(groups)


def _groups(dataset, table: str, meas: pd.DataFrame) -> list[Group]:
    pc, params = _codes(dataset, table, "PARAMCD")
    vc, visits = _codes(dataset, table, "AVISIT")
    uc, ids = _codes(dataset, table, "USUBJID")
    aval = pd.to_numeric(meas["AVAL"], errors="coerce").to_numpy(dtype=float)
    n_vis = max(len(visits), 1)
    n_groups = len(params) * n_vis
    kind = np.int32 if n_groups < np.iinfo(np.int32).max else np.int64
    key = pc.astype(kind) * kind(n_vis) + vc
    key[(pc < 0) | (vc < 0) | np.isnan(aval)] = n_groups  # left out
    counts = np.bincount(key, minlength=n_groups + 1)[:n_groups]
    seen = np.zeros(len(ids), dtype=bool)
    out = []
    # one pass over the small integer keys per group (a few dozen), and only a summary
    # kept: no sorted copy of every row, no values held after the call
    for k in np.flatnonzero(counts):
        rows = np.flatnonzero(key == k)
        who = uc[rows]
        who = who[who >= 0]
        seen[who] = True
        n_patients = int(seen.sum())
        seen[who] = False
        v = aval[rows]
        q1, med, q3 = np.percentile(v, [25, 50, 75])
        out.append(Group(params[k // n_vis], visits[k % n_vis], int(rows[0]), int(v.size),
                         n_patients, q1, med, q3, v.min(), v.max()))
    return sorted(out, key=lambda g: g.first_row)


def present_values(dataset, table: str, column: str) -> list:
    """Distinct non-missing values of a text column in order of first appearance, as
    ``dropna().unique()`` lists them, from its codes.

    >>> import pandas as pd
    >>> from analysis.io.dataset import Dataset
    >>> present_values(Dataset({"t": pd.DataFrame({"c": ["b", None, "a", "b"]})}), "t", "c")
    ['b', 'a']
    """
    codes, uniques = _codes(dataset, table, column)
    seen = pd.unique(codes)  # codes in order of first appearance (a categorical's are not)
    return list(uniques[seen[seen >= 0]])
