"""SPRITE-style search: values on a bounded scale with a given n, mean and SD.

SPRITE (Heathers, Anaya, van der Zee & Brown 2018, "Recovering data from summary
statistics: Sample Parameter Reconstruction via Iterative TEchniques") finds a sample
of n values on a discrete scale whose mean and SD round to printed values. This
version works on any step (1 for NRS and DLQI, 0.1 for EASI), starts from a chosen
distribution shape so the sample looks like data, and can hold *bands* fixed: "exactly
340 values above 21" or "exactly 183 values below 7". It moves values by one step at
a time (one up, one down, so the sum never changes) and a value never leaves a band
that has a fixed count.

Examples
--------
>>> import numpy as np
>>> scale = Scale(0, 10, 1)
>>> x = sprite(50, 6.8, 3.1, scale, np.random.default_rng(0))
>>> float(round(x.mean(), 1)), float(round(x.std(ddof=1), 1)), bool(x.min() >= 0 and x.max() <= 10)
(6.8, 3.1, True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats as sst


@dataclass(frozen=True)
class Scale:
    """A bounded scale ``lo, lo + step, ..., hi``.

    Examples
    --------
    >>> Scale(0, 72, 0.1).top, float(Scale(0, 72, 0.1).value(np.array([295]))[0])
    (720, 29.5)
    """

    lo: float
    hi: float
    step: float

    @property
    def top(self) -> int:
        return int(round((self.hi - self.lo) / self.step))

    @property
    def decimals(self) -> int:
        return max(0, -int(math.floor(math.log10(self.step) + 1e-9)))

    def unit(self, v) -> np.ndarray:
        return np.rint((np.asarray(v, dtype=float) - self.lo) / self.step).astype(np.int64)

    def value(self, u) -> np.ndarray:
        return np.round(self.lo + np.asarray(u) * self.step, self.decimals)


@dataclass(frozen=True)
class Band:
    """A value range with an exact count: ``count`` values in (or at) [low, high].

    ``low``/``high`` None mean the scale's ends; ``*_open`` excludes the end itself.

    Examples
    --------
    >>> Band(low=21, low_open=True, count=340).units(Scale(0, 72, 0.1))
    (211, 720)
    """

    count: int
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False

    def units(self, scale: Scale) -> tuple[int, int]:
        eps = 1e-9
        if self.low is None:
            a = 0
        else:
            x = (self.low - scale.lo) / scale.step
            a = int(math.floor(x + eps)) + 1 if self.low_open else int(math.ceil(x - eps))
        if self.high is None:
            b = scale.top
        else:
            x = (self.high - scale.lo) / scale.step
            b = int(math.ceil(x - eps)) - 1 if self.high_open else int(math.floor(x + eps))
        return max(a, 0), min(b, scale.top)


PAIRS_PER_ROUND = 50000


class InfeasibleError(ValueError):
    """No sample exists (or none was found) for the requested n, mean, SD and bands."""


def _segments(scale: Scale, n: int, bands) -> tuple[np.ndarray, list]:
    """Per-unit segment id, and per segment (a, b, fixed count or None)."""
    spans = sorted((b.units(scale) + (int(b.count),) for b in bands), key=lambda t: t[0])
    segs, cursor = [], 0
    for a, b, k in spans:
        if a > b and k:
            raise InfeasibleError(f"band {a}..{b} is empty but needs {k} values")
        if a < cursor:
            raise InfeasibleError("bands overlap")
        if a > cursor:
            segs.append((cursor, a - 1, None))
        segs.append((a, b, k))
        cursor = b + 1
    if cursor <= scale.top:
        segs.append((cursor, scale.top, None))
    fixed = sum(k for _, _, k in segs if k is not None)
    free = [s for s in segs if s[2] is None]
    if fixed > n or (fixed < n and not free):
        raise InfeasibleError(f"bands need {fixed} of n={n} values")
    seg_of = np.empty(scale.top + 1, dtype=np.int64)
    for i, (a, b, _) in enumerate(segs):
        seg_of[a:b + 1] = i
    return seg_of, segs


def default_shape(mean: float, sd: float, scale: Scale):
    """A beta distribution on the scale's range with the target moments, if one exists.

    Falls back to a normal distribution when the moments are outside the beta's reach.
    """
    span = scale.hi - scale.lo
    m, v = (mean - scale.lo) / span, (sd / span) ** 2
    if 0 < m < 1 and 0 < v < m * (1 - m):
        k = m * (1 - m) / v - 1
        return sst.beta(m * k, (1 - m) * k, loc=scale.lo, scale=span)
    return sst.norm(mean, sd)


def _draw(dist, a: float, b: float, k: int, rng) -> np.ndarray:
    """k stratified draws from ``dist`` conditioned on [a, b]."""
    if k == 0:
        return np.empty(0)
    fa, fb = dist.cdf(a), dist.cdf(b)
    q = (np.arange(k) + rng.random(k)) / k
    if fb - fa < 1e-12:
        # The shape puts no mass here: stay near the edge that faces its bulk.
        lo, hi = (a, a + 0.15 * (b - a)) if fa >= 0.5 else (b - 0.15 * (b - a), b)
        return lo + (hi - lo) * q
    u = fa + (fb - fa) * q
    if k > 4096:
        # Large samples: the quantile function on a fine grid, interpolated (ppf of a
        # beta distribution is a root search per value).
        grid = np.linspace(fa, fb, 4097)
        return np.clip(np.interp(u, grid, dist.ppf(grid)), a, b)
    return np.clip(dist.ppf(u), a, b)


def _initial(n, mean, sd, scale, segs, shape, rng) -> np.ndarray:
    """Values drawn from the shape, each band filled with its count, then moved towards the targets."""
    lo, step = scale.lo, scale.step
    free = [i for i, s in enumerate(segs) if s[2] is None]
    n_free = n - sum(s[2] for s in segs if s[2] is not None)
    mass = np.array([shape.cdf(lo + (segs[i][1] + 0.5) * step) - shape.cdf(lo + (segs[i][0] - 0.5) * step)
                     for i in free]) if free else np.array([])
    if free and mass.sum() <= 0:
        mass = np.array([segs[i][1] - segs[i][0] + 1 for i in free], dtype=float)
    free_k = dict(zip(free, _largest_remainder(mass, n_free))) if free else {}
    parts, seg_ids = [], []
    for i, (a, b, k) in enumerate(segs):
        kk = k if k is not None else free_k[i]
        parts.append(_draw(shape, lo + a * step, lo + b * step, int(kk), rng))
        seg_ids.append(np.full(int(kk), i))
    v = np.concatenate(parts)
    seg = np.concatenate(seg_ids)
    # One affine pull towards the targets keeps the shape and saves most of the stepping.
    if v.std(ddof=1) > 0:
        v = mean + (v - v.mean()) * (sd / v.std(ddof=1))
    u = np.rint((v - lo) / step).astype(np.int64)
    a = np.array([s[0] for s in segs])[seg]
    b = np.array([s[1] for s in segs])[seg]
    return np.clip(u, a, b)


def _largest_remainder(w, total):
    from analysis.reconstruct.allocation import largest_remainder

    return largest_remainder(w, total)


def _can_move(u: np.ndarray, d: int, seg_of, fixed_seg, top) -> np.ndarray:
    """Which values may move by ``d`` (+1/-1) without changing a band's count."""
    new = u + d
    ok = (new >= 0) & (new <= top)
    new_c = np.clip(new, 0, top)
    same = seg_of[new_c] == seg_of[u]
    both_free = ~fixed_seg[seg_of[new_c]] & ~fixed_seg[seg_of[u]]
    return ok & (same | both_free)


def sprite(
    n: int,
    mean: float,
    sd: float,
    scale: Scale,
    rng,
    *,
    bands=(),
    shape=None,
    sd_tol: float | None = None,
    max_rounds: int = 20000,
) -> np.ndarray:
    """n values on ``scale`` with the mean as close to ``mean`` as the scale allows and the
    SD within ``sd_tol`` of ``sd``.

    Parameters
    ----------
    n : int
    mean, sd : float
        Targets (the printed numbers). The sum is set to the multiple of the step
        nearest ``n * mean``, so the mean is as exact as n and step permit.
    scale : Scale
    rng : numpy.random.Generator
    bands : sequence of Band
        Ranges holding an exact number of values (non-overlapping).
    shape : frozen scipy distribution, optional
        Where the values come from before tuning (default :func:`default_shape`).
    sd_tol : float, optional
        Accepted distance of the SD from ``sd`` (default 0.1 % of ``sd``, at least
        1e-4), well inside any printed rounding interval.

    Returns
    -------
    ndarray of float, in random order.

    Raises
    ------
    InfeasibleError
        When the targets cannot be reached within the scale and bands.

    Examples
    --------
    >>> import numpy as np
    >>> x = sprite(342, 29.5, 7.4, Scale(0, 72, 0.1), np.random.default_rng(2),
    ...            bands=[Band(low=21, low_open=True, count=340)])
    >>> int((x > 21).sum()), float(round(x.mean(), 2)), float(round(x.std(ddof=1), 1))
    (340, 29.5, 7.4)
    """
    if n < 2:
        raise InfeasibleError("an SD needs at least two values")
    seg_of, segs = _segments(scale, n, bands)
    fixed_seg = np.array([s[2] is not None for s in segs])
    shape = shape if shape is not None else default_shape(mean, sd, scale)
    u = _initial(n, mean, sd, scale, segs, shape, rng)
    top = scale.top

    def can_move(idx, d):
        return _can_move(u[idx], d, seg_of, fixed_seg, top)

    u = _tune(u, mean, sd, scale, rng, can_move, sd_tol, max_rounds)
    return scale.value(u)[rng.permutation(n)]


def sprite_bounded(values, low, high, mean: float, sd: float, scale: Scale, rng, *,
                   sd_tol: float | None = None, max_rounds: int = 20000) -> np.ndarray:
    """Tune given values to a mean and SD, each value kept inside its own bounds.

    For variables whose range depends on the patient, e.g. an age at diagnosis
    that may not exceed the patient's age. Values stay in place (no shuffling).

    Examples
    --------
    >>> import numpy as np
    >>> x = sprite_bounded([1, 2, 3, 8, 9], [0, 0, 0, 5, 5], [4, 4, 4, 10, 10], 5.0, 3.6,
    ...                    Scale(0, 10, 1), np.random.default_rng(0), sd_tol=0.05)
    >>> float(x.mean()), round(float(x.std(ddof=1)), 1), bool((x[:3] <= 4).all())
    (5.0, 3.6, True)
    """
    u = scale.unit(values)
    lo, hi = scale.unit(low), scale.unit(high)
    if (u < lo).any() or (u > hi).any():
        raise InfeasibleError("a starting value lies outside its bounds")

    def can_move(idx, d):
        new = u[idx] + d
        return (new >= lo[idx]) & (new <= hi[idx])

    return scale.value(_tune(u, mean, sd, scale, rng, can_move, sd_tol, max_rounds))


def _tune(u, mean, sd, scale, rng, can_move, sd_tol, max_rounds) -> np.ndarray:
    """Move unit values by +-1 (sum first, then pairs) until mean and SD are met."""
    n = u.size
    top_sd = math.sqrt(max(0.0, (mean - scale.lo) * (scale.hi - mean)) * n / (n - 1))
    if sd > top_sd:
        raise InfeasibleError(f"SD {sd} exceeds the largest SD ({top_sd:.3g}) of {n} values "
                              f"in [{scale.lo}, {scale.hi}] with mean {mean}")
    target_sum = int(round((mean - scale.lo) * n / scale.step))
    sd_u = sd / scale.step
    tol_u = (sd_tol if sd_tol is not None else max(1e-3 * sd, 1e-4)) / scale.step
    # On a coarse grid with few values the SD moves in steps of about 1 / (sd (n - 1))
    # units: a window narrower than that may hold no reachable SD.
    tol_u = max(tol_u, 1.0 / (max(sd_u, 1e-9) * (n - 1)))
    lo_q = (sd_u - tol_u) ** 2 * (n - 1) + target_sum**2 / n
    hi_q = (sd_u + tol_u) ** 2 * (n - 1) + target_sum**2 / n
    aim_q = sd_u**2 * (n - 1) + target_sum**2 / n
    everyone = np.arange(n)
    window, offset = None, 0

    for _ in range(max_rounds):
        diff = target_sum - int(u.sum())
        if diff == 0:
            break
        d = 1 if diff > 0 else -1
        movable = np.flatnonzero(can_move(everyone, d))
        if movable.size == 0:
            raise InfeasibleError(f"mean {mean} unreachable within the scale and bounds")
        # Move the values nearest the mean first: the SD step below has less to undo.
        take = min(abs(diff), movable.size)
        pref = np.abs(u[movable] - target_sum / n) + rng.random(movable.size)
        if take < movable.size:
            u[movable[np.argpartition(pref, take - 1)[:take]]] += d
        else:
            u[movable] += d
    else:  # pragma: no cover
        raise InfeasibleError("mean not reached")

    for _ in range(max_rounds):
        q = float((u.astype(np.float64) ** 2).sum())
        if lo_q <= q <= hi_q:
            return u
        need = aim_q - q
        half = min(n // 2, PAIRS_PER_ROUND)
        if half == n // 2:
            perm = rng.permutation(n)
        else:
            # Large samples: a fresh window of one shuffled order per round (pairs of
            # distinct values, no O(n) shuffle each round).
            if window is None:
                window, offset = rng.permutation(n), 0
            if offset + 2 * half > n:
                offset = int(rng.integers(0, n - 2 * half))
            perm = window[offset:offset + 2 * half]
            offset += 2 * half
        i, j = perm[:half], perm[half:2 * half]
        # hi/lo: the larger and the smaller value of each pair.
        hi = np.where(u[i] >= u[j], i, j)
        lo = np.where(u[i] >= u[j], j, i)
        if need > 0:  # spread: larger up, smaller down
            up, dn = hi, lo
        else:  # shrink: larger down, smaller up (needs a gap of 2)
            up, dn = lo, hi
        dq = 2.0 * (u[up] - u[dn]) + 2.0
        valid = can_move(up, 1) & can_move(dn, -1)
        ok = valid & (np.sign(dq) == np.sign(need))
        fits = np.flatnonzero(ok & (np.abs(dq) <= abs(need)))
        if fits.size == 0:
            m = int(np.argmin(np.where(ok, np.abs(dq), np.inf))) if ok.any() else -1
            if m >= 0 and (lo_q <= q + dq[m] <= hi_q or abs(need) > abs(need - dq[m])):
                k_idx = np.array([m])
            elif valid.any() and rng.random() < 0.2:
                # Stuck on the integer lattice: a random sideways step (either
                # direction) lets the next rounds find a path to the window.
                k_idx = np.array([rng.choice(np.flatnonzero(valid))])
            else:
                # Reverse orientation: the smaller up and larger down (or vice versa).
                up, dn = dn, up
                dq = 2.0 * (u[up] - u[dn]) + 2.0
                valid = can_move(up, 1) & can_move(dn, -1)
                if valid.any() and rng.random() < 0.2:
                    k_idx = np.array([rng.choice(np.flatnonzero(valid))])
                else:
                    continue
        else:
            order = fits[np.argsort(-np.abs(dq[fits]))]
            csum = np.cumsum(np.abs(dq[order]))
            k_idx = order[:max(1, int(np.searchsorted(csum, abs(need), side="right")))]
        u[up[k_idx]] += 1
        u[dn[k_idx]] -= 1
    raise InfeasibleError(f"SD {sd} not reached after {max_rounds} rounds")
