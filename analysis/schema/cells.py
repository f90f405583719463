"""Row masks of text columns, judged once per distinct value.

Each helper takes the (typed) column being checked and returns a boolean array,
one entry per row. When the column holds text, its codes (kept since reading,
see ``Collector.codes``) let the test run on the distinct values and spread to
rows; any other column is tested row by row with the pandas operation the
helper is named after, so that the answer is the same either way.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.io.codes import small, storage_key
from analysis.schema.report import Collector


def missing(out: Collector, table: str, column: str, s: pd.Series) -> np.ndarray:
    """``s.isna()``."""
    coded = out.codes(table, column, s) if s.dtype == object else None
    return coded[0] < 0 if coded is not None else s.isna().to_numpy()


def isin(out: Collector, table: str, column: str, s: pd.Series, values) -> np.ndarray:
    """``s.isin(values)`` (missing cells: False)."""
    coded = out.codes(table, column, s) if s.dtype == object else None
    if coded is None:
        return s.isin(list(values)).to_numpy()
    codes, uniques = coded
    hit = pd.Series(uniques, dtype=object).isin(list(values)).to_numpy()
    return np.append(hit, False)[codes]


def visit_labels(out: Collector, table: str, s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """AVISIT as (codes per row, week per label): ``BASELINE`` 0, ``WEEK n`` n, else NaN."""
    from analysis.schema.visits import visit_week

    coded = out.codes(table, "AVISIT", s) if s.dtype == object else None
    codes, labels = coded if coded is not None else pd.factorize(s)
    weeks = visit_week(pd.Series(labels, dtype=object)).to_numpy(dtype=float)
    return codes, weeks


def chunks(n: int, size: int = 1 << 20):
    """Slices of ``range(n)``: row-wise work in pieces keeps temporaries small."""
    return [slice(i, min(i + size, n)) for i in range(0, n, size)] or [slice(0, 0)]


def ids(out: Collector, table: str, column: str, s: pd.Series) -> tuple[np.ndarray, int]:
    """Integer codes (-1 missing) and their number: ``pd.factorize(s)``, up to labels."""
    coded = out.codes(table, column, s) if s.dtype == object else None
    if coded is not None:
        return coded[0], len(coded[1])
    codes, uniques = pd.factorize(s)
    return codes, len(uniques)


def known(out: Collector, table: str, s: pd.Series, among: pd.Series,
          among_table: str) -> np.ndarray:
    """``s.isin(among.dropna().unique())`` for id columns (missing cells: False)."""
    mine = out.codes(table, "USUBJID", s) if s.dtype == object else None
    theirs = out.codes(among_table, "USUBJID", among) if among.dtype == object else None
    if mine is None or theirs is None:
        return s.isin(pd.Index(among.dropna().unique())).to_numpy()
    codes, uniques = mine
    own = getattr(out.dataset, "tables", {})
    if table in own and storage_key(own[table]["USUBJID"]) == storage_key(s) and \
            "subjects" in own and storage_key(own["subjects"]["USUBJID"]) == storage_key(among):
        hit = out.dataset.known_ids(table) if hasattr(out.dataset, "known_ids") else None
        if hit is not None:  # looked up while reading
            return np.append(hit, False)[codes]
    pool = theirs[1]
    # Tables sorted like the subjects table list their ids in the same order.
    if len(uniques) <= len(pool) and np.array_equal(uniques, pool[:len(uniques)]):
        hit = np.ones(len(uniques), dtype=bool)
    else:
        hit = _member(out, among_table, among, uniques, pool)
    return np.append(hit, False)[codes]


def _member(out: Collector, among_table: str, among: pd.Series, values: np.ndarray,
            pool: np.ndarray) -> np.ndarray:
    """``values`` (distinct str) found in ``pool`` (distinct str), with one set of the
    pool made per check and shared by every table."""
    key = ("id-set", among_table, storage_key(among))
    if key not in out.memo:
        out.memo[key] = set(pool.tolist())
    ids = out.memo[key]
    return np.fromiter((v in ids for v in values.tolist()), dtype=bool, count=len(values))
