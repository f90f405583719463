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



def diagonal_options(row: int, col: int, goal, test) -> list[int]:
    """Diagonal counts d for which ``test(row - d, col - d)`` lies in ``goal``."""
    return [d for d in range(min(row, col) + 1) if goal.hit(test(row - d, col - d))]


def _fill_feasible(row_off, col_off) -> bool:
    total = sum(row_off)
    return all(r + c <= total for r, c in zip(row_off, col_off))


def search_margins(base_counts, visit_counts, goals, test, *, spread: int = 30,
                   keep: int = 200, retention=None, persistence: float = 0.5,
                   row_cost=None, gap_cost: float | None = None):
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
    persistence : float in [0, 1], one per category, or a (visits x categories) array
        Where in each category's range of admissible diagonals to aim: 0 = fewest
        patients keeping their category, 1 = most (routine care tends to continue).
    row_cost : callable (visit index, row margins) -> float or None, optional
        Extra cost of a row-margin vector, None to forbid it (couples the tables to
        other published numbers that depend on who stays in follow-up).
    gap_cost : float, optional
        None (default): row margins must be nested over visits (monotone dropout).
        A number: a margin may exceed the previous visit's (patients who miss a visit
        and come back), at this cost per returning patient.

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
            cap = int(prev[k]) if gap_cost is None else int(base[k])
            hi = min(cap, int(np.ceil(expect[k])) + spread)
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
            extra = 0.0 if row_cost is None else row_cost(v, r)
            if extra is None:
                continue
            pers = np.asarray(persistence, dtype=float)
            diag = _choose_diagonal(r, cols[v], [opts[k][r[k]] for k in range(k_cat)],
                                    pers[v] if pers.ndim == 2 else pers)
            if diag is None:
                continue
            cost = float((((r - expect) ** 2) / np.maximum(expect, 1)).sum()) + extra
            if gap_cost is not None:
                cost += gap_cost * float(np.maximum(r - prev, 0).sum())
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
        raise ValueError("no row margins meet every McNemar goal")
    return np.array(out[0], dtype=np.int64), np.array(out[1], dtype=np.int64)


def _choose_diagonal(rows, cols, opts, persistence=0.5):
    """The diagonal (one option per category) nearest the preferred point of each option
    list that still allows an empty-diagonal fill."""
    pers = np.broadcast_to(np.asarray(persistence, dtype=float), (len(opts),))
    ordered = [sorted(o, key=lambda d, o=o, q=q: abs(d - o[int(round(q * (len(o) - 1)))]))
               for o, q in zip(opts, pers)]
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
        Baseline-by-visit tables. Within a baseline category the patients seen at a
        visit are the best-ranked on the retention score, so presence is nested
        (monotone dropout) wherever the row sums allow; where a row sum grows, the
        extra patients are ones who missed the earlier visit.
    rng : numpy.random.Generator
    retention_score : array, optional
        Higher stays in follow-up longer. None = at random.

    Returns
    -------
    present : bool array (n x (V + 1))
        Seen at each visit (baseline always).
    path : int array (n x (V + 1))
        Category at each visit, -1 when absent. A patient keeps the category of the
        next visit seen where the tables leave room, so paths are persistent.
    """
    base_cat = np.asarray(base_cat)
    tables = [np.asarray(t, dtype=np.int64) for t in tables]
    k_cat = tables[0].shape[0]
    n, n_vis = base_cat.size, len(tables) + 1
    score = rng.random(n) if retention_score is None else np.asarray(retention_score, float)
    present = np.zeros((n, n_vis), dtype=bool)
    present[:, 0] = True
    path = np.full((n, n_vis), -1, dtype=np.int64)
    path[:, 0] = base_cat
    for k in range(k_cat):
        idx = np.flatnonzero(base_cat == k)
        ranked = idx[np.lexsort((rng.random(idx.size), -score[idx]))]
        for v, t in enumerate(tables, start=1):
            present[ranked[:int(t[k].sum())], v] = True
        for v in range(n_vis - 1, 0, -1):
            here = np.flatnonzero((base_cat == k) & present[:, v])
            later = np.full(here.size, -1)
            for w in range(v + 1, n_vis):  # category at the next visit seen
                fill = (later < 0) & present[here, w]
                later[fill] = path[here[fill], w]
            left = tables[v - 1][k].copy()
            given = np.full(here.size, -1)
            for j in range(k_cat):
                # patients seen later in category j keep it here while the table allows
                keep = np.flatnonzero(later == j)
                keep = keep[rng.permutation(keep.size)][:left[j]]
                given[keep] = j
                left[j] -= keep.size
            rest = np.flatnonzero(given < 0)
            given[rest] = np.repeat(np.arange(k_cat), left)[rng.permutation(rest.size)]
            path[here, v] = given
    return present, path
