"""Paired visit-to-visit transition tables of a categorical variable, calibrated to
published per-category McNemar p-values.

A paper prints, for a K-category variable (topical therapy: NONE / TCS / TAC / BOTH),
the count of each category at each visit and a McNemar p of each category at each
visit against baseline, over the patients present at both. For visit v the K x K table
of baseline category (rows) by visit category (columns) has the visit counts as column
margins and, as row margins, the baseline distribution of the patients still present.
For category k the McNemar discordant counts are ``b = row_k - diag_k`` and
``c = col_k - diag_k``: the p-values depend only on the row margins and the diagonal.
So the search is small: choose the row margins (which patients drop out, nested over
visits) and the diagonals that put every p in its goal, then fill the off-diagonal
cells (a transportation problem with an empty diagonal) after a plausible prior, and
finally hand each patient a path across visits that keeps a category where the tables
allow it.

The test is passed in (``test(b, c) -> p``): reconstruction uses the study's own
McNemar function and variant, never a copy.

Examples
--------
>>> import numpy as np
>>> fill_offdiagonal([2, 1, 0], [0, 1, 2], np.ones((3, 3))).tolist()
[[0, 1, 1], [0, 0, 1], [0, 0, 0]]
"""

from __future__ import annotations

import itertools
from functools import lru_cache

import numpy as np

from analysis.reconstruct.dropout import monotone_last_visit


def diagonal_options(row: int, col: int, goal, test) -> list[int]:
    """Diagonal counts d for which ``test(row - d, col - d)`` lies in ``goal``."""
    return [d for d in range(min(row, col) + 1) if goal.hit(test(row - d, col - d))]


def _fill_feasible(row_off, col_off) -> bool:
    total = sum(row_off)
    return all(r + c <= total for r, c in zip(row_off, col_off))


def search_margins(base_counts, visit_counts, goals, test, *, spread: int = 30,
                   keep: int = 200, retention=None):
    """Row margins and diagonals of every visit's table that meet all p-value goals.

    Parameters
    ----------
    base_counts : sequence of int (K)
        Baseline counts over all patients.
    visit_counts : sequence (V) of sequences of int (K)
        Counts at each later visit (column margins); visit n = their sum.
    goals : sequence (V) of sequences (K) of Goal or None
        Goal of each category's p at each visit (None = free).
    test : callable (b, c) -> float
        The McNemar p-value (the study's function and variant).
    spread : int
        How far a row margin may sit from proportional retention.
    keep : int
        Candidate row-margin vectors kept per visit for the backtracking search.
    retention : sequence of float (K), optional
        Relative chance of staying in follow-up per baseline category (default equal).

    Returns
    -------
    rows, diags : int arrays (V x K)

    Raises
    ------
    ValueError
        When no combination meets every goal.
    """
    base = np.asarray(base_counts, dtype=np.int64)
    cols = np.asarray(visit_counts, dtype=np.int64)
    k_cat = base.size
    weights = np.ones(k_cat) if retention is None else np.asarray(retention, dtype=float)

    @lru_cache(maxsize=None)
    def p_of(b, c):
        return float(test(b, c))

    def options(v, k, r):
        g = goals[v][k]
        c = int(cols[v, k])
        if g is None:
            return list(range(min(r, c) + 1))
        return [d for d in range(min(r, c) + 1) if g.hit(p_of(r - d, c - d))]

    def candidates(v, prev):
        n_v = int(cols[v].sum())
        expect = prev * weights / (prev * weights).sum() * n_v
        ranges, opts = [], []
        for k in range(k_cat):
            lo = max(0, int(np.floor(expect[k])) - spread)
            hi = min(int(prev[k]), int(np.ceil(expect[k])) + spread)
            ok = {r: options(v, k, r) for r in range(lo, hi + 1)}
            ok = {r: d for r, d in ok.items() if d}
            ranges.append(sorted(ok))
            opts.append(ok)
        found = []
        for head in itertools.product(*ranges[:-1]):
            last = n_v - sum(head)
            if last not in opts[-1]:
                continue
            r = np.array(head + (last,))
            diag = _choose_diagonal(r, cols[v], [opts[k][r[k]] for k in range(k_cat)])
            if diag is None:
                continue
            cost = float((((r - expect) ** 2) / np.maximum(expect, 1)).sum())
            found.append((cost, tuple(r), tuple(diag)))
        found.sort()
        return found[:keep]

    def walk(v, prev):
        if v == cols.shape[0]:
            return [], []
        for _, r, d in candidates(v, prev):
            rest = walk(v + 1, np.array(r))
            if rest is not None:
                return [r] + rest[0], [d] + rest[1]
        return None

    out = walk(0, base)
    if out is None:
        raise ValueError("no nested row margins meet every McNemar goal")
    return np.array(out[0], dtype=np.int64), np.array(out[1], dtype=np.int64)


def _choose_diagonal(rows, cols, opts):
    """The diagonal (one option per category) nearest the middle of each option list
    that still allows an empty-diagonal fill."""
    ordered = [sorted(o, key=lambda d, o=o: abs(d - o[len(o) // 2])) for o in opts]
    for combo in itertools.islice(itertools.product(*ordered), 5000):
        d = np.array(combo)
        if _fill_feasible(rows - d, cols - d):
            return d
    return None


def fill_offdiagonal(row_off, col_off, prior) -> np.ndarray:
    """Integer matrix with an empty diagonal and the given row and column sums,
    shaped after ``prior`` (iterative proportional fitting, then controlled rounding).

    Raises
    ------
    ValueError
        When ``row_off[k] + col_off[k]`` exceeds the total for some k (no such matrix).
    """
    r = np.asarray(row_off, dtype=np.int64)
    c = np.asarray(col_off, dtype=np.int64)
    k = r.size
    if r.sum() != c.sum() or not _fill_feasible(r, c):
        raise ValueError(f"no empty-diagonal table with rows {r.tolist()} and columns {c.tolist()}")
    x = np.asarray(prior, dtype=float).copy() + 1e-9
    np.fill_diagonal(x, 0.0)
    for _ in range(500):
        rs = x.sum(1)
        x *= np.where(rs > 0, r / np.where(rs > 0, rs, 1), 0)[:, None]
        cs = x.sum(0)
        x *= np.where(cs > 0, c / np.where(cs > 0, cs, 1), 0)[None, :]
        if np.allclose(x.sum(1), r, atol=1e-9):
            break
    out = np.floor(x + 1e-9).astype(np.int64)
    frac = x - out
    for _ in range(k * k * (r.sum() + 1)):
        rr, rc = r - out.sum(1), c - out.sum(0)
        if not rr.any():
            return out
        cells = [(frac[i, j], i, j) for i in range(k) for j in range(k)
                 if i != j and rr[i] > 0 and rc[j] > 0]
        if cells:
            _, i, j = max(cells)
            out[i, j] += 1
            frac[i, j] = -1
            continue
        # Only diagonal cells remain open: route through another cell (a, b).
        i = int(np.flatnonzero(rr > 0)[0])
        moves = [(a, b) for a in range(k) for b in range(k)
                 if a != b and a != i and b != i and out[a, b] > 0]
        if not moves:
            break
        a, b = moves[0]
        out[a, b] -= 1
        out[i, b] += 1
        out[a, i] += 1
    raise ValueError("rounding failed")  # pragma: no cover


def assign_paths(base_cat, tables, rng, retention_score=None):
    """Give each patient a category at every later visit, following the tables.

    Parameters
    ----------
    base_cat : int array (n)
        Baseline category index of each patient.
    tables : sequence (V) of K x K int arrays
        Baseline-by-visit tables; row sums must be nested (monotone dropout).
    rng : numpy.random.Generator
    retention_score : array, optional
        Higher stays in follow-up longer (within a baseline category).

    Returns
    -------
    last : int array (n)
        Index of the last visit attended (0 = baseline only).
    path : int array (n x (V + 1))
        Category at each visit, -1 when absent. A patient keeps the category of the
        next visit where the tables leave room, so paths are persistent, not shuffled.
    """
    base_cat = np.asarray(base_cat)
    tables = [np.asarray(t, dtype=np.int64) for t in tables]
    k_cat = tables[0].shape[0]
    n_per = {k: [int((base_cat == k).sum())] + [int(t[k].sum()) for t in tables]
             for k in range(k_cat)}
    last = monotone_last_visit(base_cat, n_per, rng, score=retention_score)
    n_vis = len(tables) + 1
    path = np.full((base_cat.size, n_vis), -1, dtype=np.int64)
    path[:, 0] = base_cat
    for k in range(k_cat):
        for v in range(n_vis - 1, 0, -1):
            present = np.flatnonzero((base_cat == k) & (last >= v))
            pool = np.repeat(np.arange(k_cat), tables[v - 1][k])
            rng.shuffle(pool)
            later = path[present, v + 1] if v + 1 < n_vis else np.full(present.size, -1)
            order = np.argsort(later < 0, kind="stable")  # patients seen later first
            present = present[order]
            later = later[order]
            remaining = list(pool)
            given = np.full(present.size, -1)
            for idx, cat in enumerate(later):
                if cat >= 0 and cat in remaining:
                    remaining.remove(cat)
                    given[idx] = cat
            rest = np.flatnonzero(given < 0)
            given[rest] = np.array(remaining, dtype=np.int64)[rng.permutation(rest.size)]
            path[present, v] = given
    return last, path
