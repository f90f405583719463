"""Can one set of patients give all the McNemar p-values of a visit at once?

Table rows that split the patients into exclusive categories (none / steroids /
tacrolimus / both) at two visits share one transition table: among the ``m``
patients seen at both, category ``k`` loses ``b_k`` patients and gains ``c_k``.
Per-row feasibility (:mod:`analysis.audit.mcnemar_feasible`) lists the
``(y1_k, b_k, c_k)`` that give each printed p. Jointly they must also satisfy

* ``sum_k y1_k = m`` (every paired patient was in exactly one category before);
* a transition table with an empty diagonal exists with row sums ``b`` and column
  sums ``c``: ``b_k + c_k <= T`` for every ``k``, ``T = sum_k b_k = sum_k c_k``
  (max-flow / min-cut on the bipartite leave -> enter graph: the only cuts below
  ``T`` isolate one category, whose leavers can only go to the others).

Examples
--------
>>> joint_feasible([[(1, 1, 0)], [(1, 0, 1)]], m=2)   # one patient moves A -> B
[(1, 1, 0), (1, 0, 1)]
>>> joint_feasible([[(2, 2, 1)], [(0, 0, 1)]], m=2) is None   # A's entrant has no source
True
"""

from __future__ import annotations

import numpy as np


def _combine(states, configs):
    """All (state, config) pairs, reduced to the least max(b + c) per (sum y1, sum b)."""
    sy, sb, mx, _ = states
    cy, cb, cbc = (np.asarray(v, dtype=np.int64) for v in zip(*configs))
    ny = (sy[:, None] + cy[None, :]).ravel()
    nb = (sb[:, None] + cb[None, :]).ravel()
    nm = np.maximum(mx[:, None], cbc[None, :]).ravel()
    parent = np.repeat(np.arange(sy.size), cy.size)
    choice = np.tile(np.arange(cy.size), sy.size)
    order = np.lexsort((nm, nb, ny))
    ny, nb, nm, parent, choice = ny[order], nb[order], nm[order], parent[order], choice[order]
    keep = np.ones(ny.size, dtype=bool)
    keep[1:] = (ny[1:] != ny[:-1]) | (nb[1:] != nb[:-1])
    return (ny[keep], nb[keep], nm[keep], np.stack([parent[keep], choice[keep]], axis=1))


def joint_feasible(configs_per_category, m: int):
    """A choice of one configuration per category satisfying the joint conditions.

    Parameters
    ----------
    configs_per_category : list of list of (y1, b, c)
        For each exclusive category, the (paired count before, leavers, entrants)
        that give its printed p-value. The count after, ``y1 - b + c``, must be the
        same for all of a category's configurations, and these counts sum to ``m``.
    m : int
        Patients seen at both visits.

    Returns
    -------
    list of (y1, b, c) or None
        One configuration per category (in the given order), or None when no
        combination works.
    """
    if any(not cfg for cfg in configs_per_category):
        return None
    after = []
    for cfg in configs_per_category:
        y2 = {y - b + c for y, b, c in cfg}
        if len(y2) != 1:
            raise ValueError("each category needs one fixed count after (y1 - b + c)")
        after.append(y2.pop())
    if sum(after) != m:
        raise ValueError(f"the categories' counts after sum to {sum(after)}, not m = {m}")
    order = sorted(range(len(configs_per_category)), key=lambda i: len(configs_per_category[i]))
    cats = [[(y, b, b + c) for y, b, c in configs_per_category[i]] for i in order]
    raw = [configs_per_category[i] for i in order]
    states = (np.zeros(1, np.int64), np.zeros(1, np.int64), np.zeros(1, np.int64), None)
    history = []
    for cfg in cats[:-1]:
        states = _combine(states, cfg)
        states = tuple(v[states[0] <= m] for v in states[:3]) + (states[3][states[0] <= m],)
        history.append(states[3])
    sy, sb, mx, _ = states
    for j, (y, b, bc) in enumerate(cats[-1]):
        rows = np.flatnonzero(sy == m - y)
        ok = rows[np.maximum(mx[rows], bc) <= sb[rows] + b]
        if ok.size:
            # Backtrack the first state that works (deterministic: states are sorted).
            picks = [j]
            idx = int(ok[0])
            for back in reversed(history):
                parent, choice = back[idx]
                picks.append(int(choice))
                idx = int(parent)
            picks.reverse()  # now in the order of cats
            chosen = [raw[k][picks[k]] for k in range(len(raw))]
            out = [None] * len(chosen)
            for k, i in enumerate(order):
                out[i] = chosen[k]
            return out
    return None


def expand_runs(runs) -> list[tuple[int, int, int]]:
    """(y1, b, c) for every b of every run (y1, y2, b_first, b_last)."""
    out = []
    for y1, y2, first, last in runs:
        d = y2 - y1
        out.extend((y1, b, b + d) for b in range(first, last + 1))
    return out
