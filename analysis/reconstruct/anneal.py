"""Coordinate / annealing search over margin-preserving moves.

The last stage of a reconstruction tunes the statistics that couple several variables
(a Cox model, a logistic model, a chi-square between groups, responder rates) while
every published margin stays fixed. Margins stay fixed because every move is a swap
(two patients exchange a block of values, or two values of one visit trade places) or
a shift inside a window that no margin counts. The search itself is generic: it knows
moves and a cost, nothing about studies.

A move is a callable ``propose(rng) -> Move | None``; a :class:`Move` changes the
state in place with ``apply()`` and restores it with ``undo()``. ``cost()`` measures
the current state (0 = every goal met). Worse states are accepted with probability
``exp(-delta / T)`` with a temperature falling geometrically (simulated annealing,
Kirkpatrick et al. 1983); ``T = 0`` gives a plain descent.

Examples
--------
>>> import numpy as np
>>> x = np.array([5, 1, 4, 2, 3])
>>> def swap(rng):
...     i, j = rng.choice(5, 2, replace=False)
...     return Move(lambda: _swap(x, i, j), lambda: _swap(x, i, j))
>>> def _swap(a, i, j):
...     a[i], a[j] = a[j], a[i]
>>> cost = lambda: float(np.abs(x - np.arange(1, 6)).sum())   # sorted = 0
>>> anneal(cost, [(1.0, swap)], np.random.default_rng(0), max_iter=2000).cost
0.0
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field


@dataclass
class Move:
    apply: object
    undo: object
    name: str = ""
    touches: tuple | None = None  # what the move can change (for cached costs), None = all


@dataclass
class Outcome:
    cost: float
    iterations: int
    accepted: int
    seconds: float
    history: list = field(default_factory=list)


def anneal(cost, moves, rng, *, max_iter: int = 10000, temp0: float = 0.0,
           cooling: float = 0.999, max_seconds: float | None = None, progress=None,
           every: int = 200, reheat_after: int | None = None) -> Outcome:
    """Minimise ``cost()`` by random moves until it reaches 0 or the budget ends.

    Parameters
    ----------
    cost : callable () -> float
    moves : sequence of (weight, propose)
        ``propose(rng)`` returns a :class:`Move` or None (no valid move drawn).
    rng : numpy.random.Generator
    max_iter : int
    temp0, cooling : float
        Starting temperature and its factor per iteration (0 = descent only).
    max_seconds : float, optional
        Wall-clock budget.
    progress : callable (iteration, cost) -> None, optional
        Called every ``every`` iterations.
    reheat_after : int, optional
        After this many iterations without a new best cost the temperature goes back
        to half of ``temp0`` (escapes a local minimum late in the search).

    Returns
    -------
    Outcome
        Final cost, iterations, accepted moves, seconds, and the cost every ``every``.
    """
    started = time.perf_counter()
    weights = [float(w) for w, _ in moves]
    total = sum(weights)
    probs = [w / total for w in weights]
    current = cost()
    temp = temp0
    accepted = 0
    history = [current]
    it = 0
    best, since = current, 0
    for it in range(1, max_iter + 1):
        if current <= 0:
            break
        if max_seconds is not None and time.perf_counter() - started > max_seconds:
            break
        k = int(rng.choice(len(moves), p=probs))
        move = moves[k][1](rng)
        if move is None:
            continue
        move.apply()
        new = cost()
        delta = new - current
        if delta <= 0 or (temp > 0 and rng.random() < math.exp(-delta / temp)):
            current = new
            accepted += 1
        else:
            move.undo()
        temp *= cooling
        if current < best:
            best, since = current, 0
        else:
            since += 1
            if reheat_after and since >= reheat_after:
                temp, since = temp0 / 2, 0
        if it % every == 0:
            history.append(current)
            if progress is not None:
                progress(it, current)
    return Outcome(current, it, accepted, time.perf_counter() - started, history)
