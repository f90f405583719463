"""SPRITE-style search: a whole-number sample with a printed mean, SD and n.

Heathers, Anaya, van der Zee & Brown (2018, "Recovering data from summary
statistics: Sample Parameter Reconstruction via Iterative TEchniques (SPRITE)",
PeerJ Preprints 6:e26968v1) start from a sample with the right mean and move pairs
of values apart or together, keeping the sum, until the SD prints as reported. A
sample found this way proves the printed mean/SD/n/bounds consistent; GRIMMER
(:func:`analysis.audit.grim.grimmer`) proves the opposite when no (sum, sum of
squares) pair exists.

The search here is deterministic for a seed: a random start near the target, then
at each step the pair move (``u -> u + 1, w -> w - 1`` or the reverse) whose change
of the sum of squares comes closest to the target.

Examples
--------
>>> from decimal import Decimal
>>> x = sprite(Decimal("3.00"), 2, Decimal("1.58"), 2, 5, 1, 5)
>>> sorted(x.tolist())
[1, 2, 3, 4, 5]
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import numpy as np

from analysis.audit.grim import _sd_prints, grim_sums, sd_of, sum_of_squares_bounds
from analysis.targets.compare import printing_interval


def _target_q(total: int, n: int, sd: Decimal, sd_decimals: int) -> tuple[int, int]:
    lo, hi = printing_interval(sd, sd_decimals)
    lo = max(lo, Fraction(0))
    base = Fraction(total * total, n)
    return math.ceil(base + (n - 1) * lo**2), math.floor(base + (n - 1) * hi**2)


def _start(total: int, n: int, lo: int, hi: int, sd_guess: float, rng) -> np.ndarray:
    x = np.clip(np.rint(rng.normal(total / n, sd_guess, size=n)), lo, hi).astype(np.int64)
    diff = total - int(x.sum())
    while diff:
        movable = np.flatnonzero(x < hi) if diff > 0 else np.flatnonzero(x > lo)
        k = min(abs(diff), movable.size)
        pick = rng.choice(movable, size=k, replace=False)
        x[pick] += 1 if diff > 0 else -1
        diff = total - int(x.sum())
    return x


def _best_move(counts: np.ndarray, lo: int, hi: int, gap: int, rng):
    """The pair move (u, w, delta_q) whose change of Q comes closest to ``gap``."""
    values = np.flatnonzero(counts) + lo
    u = values[:, None]
    w = values[None, :]
    same_ok = np.diag(counts[values - lo] >= 2)
    if gap > 0:  # spread: u -> u + 1, w -> w - 1, needs u >= w
        ok = (u >= w) & (u < hi) & (w > lo) & ((u != w) | same_ok)
        delta = 2 * (u - w) + 2
    else:        # squeeze: u -> u - 1, w -> w + 1, needs u >= w + 2
        ok = u >= w + 2
        delta = -2 * (u - w) + 2
    if not ok.any():
        return None
    miss = np.where(ok, np.abs(gap - delta), np.iinfo(np.int64).max)
    best = np.flatnonzero(miss == miss.min())
    i, j = np.unravel_index(rng.choice(best), miss.shape)
    return int(values[i]), int(values[j]), int(delta[i, j])


def sprite(mean: Decimal, mean_decimals: int, sd: Decimal, sd_decimals: int, n: int,
           lo: int, hi: int, seed: int = 0, max_steps: int = 5000,
           max_sums: int = 5) -> np.ndarray | None:
    """Find ``n`` whole numbers in ``[lo, hi]`` whose mean and SD (ddof 1) print as given.

    Parameters
    ----------
    mean, sd : Decimal
        As printed; ``mean_decimals`` and ``sd_decimals`` their printed decimals.
    n : int
    lo, hi : int
        Scale bounds (whole numbers; rescale a 0.1-step scale to tenths first).
    seed : int
        The search is deterministic for a seed.
    max_steps : int
        Pair moves per candidate sum before giving up on it.
    max_sums : int
        Candidate sums tried (closest to ``mean * n`` first).

    Returns
    -------
    ndarray of int or None
        A sample, sorted; None when none was found (which proves nothing: use
        :func:`analysis.audit.grim.grimmer` for proofs of inconsistency).
    """
    if n < 2:
        return None
    rng = np.random.default_rng(seed)
    sums = [s for s in grim_sums(mean, mean_decimals, n) if n * lo <= s <= n * hi]
    sums.sort(key=lambda s: (abs(Fraction(s, n) - Fraction(mean)), s))
    for total in sums[:max_sums]:
        bounds = sum_of_squares_bounds(total, n, lo, hi)
        q_lo, q_hi = _target_q(total, n, sd, sd_decimals)
        if bounds is None or q_lo > bounds[1] or q_hi < bounds[0]:
            continue
        x = _start(total, n, lo, hi, float(sd), rng)
        counts = np.bincount(x - lo, minlength=hi - lo + 1)
        q = int(sum(int(v) * int(v) for v in x))
        target = (max(q_lo, bounds[0]) + min(q_hi, bounds[1])) // 2
        target += (q - target) % 2  # pair moves change Q by even steps: keep Q's parity
        for _ in range(max_steps):
            if q_lo <= q <= q_hi and _sd_prints(sd_of(total, q, n), sd, sd_decimals):
                return np.repeat(np.arange(lo, hi + 1), counts)
            gap = target - q
            move = _best_move(counts, lo, hi, gap, rng)
            if move is None or abs(gap - move[2]) >= abs(gap):
                break  # no move brings Q closer: try the next candidate sum
            u, w, delta = move
            up = 1 if gap > 0 else -1
            counts[u - lo] -= 1
            counts[u + up - lo] += 1
            counts[w - lo] -= 1
            counts[w - up - lo] += 1
            q += delta
    return None
