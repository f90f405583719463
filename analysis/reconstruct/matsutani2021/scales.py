"""Matsutani reconstruction: measurement scales, and hitting a reduction of means on them.

Values live on integer lattices (0.1-units for EASI, intensity x area products for
head/neck EASI, points for IGA/POEM, pg/mL for TARC), so every synthetic value is one
the instrument can produce.
"""

from __future__ import annotations

import numpy as np

from analysis.reconstruct.trajectories import correlated_scores

TARC_FLOOR = 40  # pg/mL
HN_LATTICE = np.unique(np.outer(np.arange(13), np.arange(7)))  # 0.1-units: intensity x area


def _snap(units, lattice) -> np.ndarray:
    """Index of the nearest lattice value (ties to the lower one)."""
    units = np.asarray(units, dtype=float)
    i = np.clip(np.searchsorted(lattice, units), 1, len(lattice) - 1)
    return np.where(units - lattice[i - 1] <= lattice[i] - units, i - 1, i)


def _red(b: float, p: float) -> float:
    return 100.0 * (b - p) / b


def tune_reduction(lat_b, lat_p, ib, ip, lo, hi, rng, off_b=0.0, off_p=0.0,
                   max_moves=400000) -> tuple[np.ndarray, np.ndarray]:
    """Move baseline/post values on their lattices until the reduction of means is in [lo, hi).

    The reduction is ``100 * (B - P) / B`` with ``B = sum(base) + off_b`` and
    ``P = sum(post) + off_p`` (the offsets hold a fixed part, e.g. head/neck EASI
    inside overall EASI). First every patient's drop is scaled by a common gain,
    then single values move one lattice step; a post value never exceeds its own
    baseline. Returns new index arrays; raises RuntimeError when it does not converge.

    Examples
    --------
    >>> lat = np.arange(5)
    >>> ib, ip = tune_reduction(lat, lat, np.full(10, 3), np.full(10, 2), 49.5, 50.5,
    ...                         np.random.default_rng(0))
    >>> float(_red(lat[ib].sum(), lat[ip].sum()))
    50.0
    """
    ib, ip = ib.copy(), ip.copy()
    margin = 0.02 * (hi - lo)
    lo, hi = lo + margin, hi - margin
    centre = (lo + hi) / 2
    for _ in range(25):  # common gain on every patient's drop
        vb, vp = lat_b[ib].astype(float), lat_p[ip].astype(float)
        B, P = vb.sum() + off_b, vp.sum() + off_p
        if lo <= _red(B, P) < hi:
            return ib, ip
        drop = (vb - vp).sum()
        want = vb.sum() - (B * (1 - centre / 100) - off_p)
        gain = want / drop if drop > 0 else 1.0
        new = np.minimum(vb - gain * (vb - vp) if drop > 0 else vp * (1 - centre / 100), vb)
        ip = np.minimum(_snap(new, lat_p), np.searchsorted(lat_p, vb, side="right") - 1)
    vb, vp = lat_b[ib].astype(float), lat_p[ip].astype(float)
    B, P = vb.sum() + off_b, vp.sum() + off_p
    n = ib.size

    def dist(r):
        return 0.0 if lo <= r < hi else min(abs(r - lo), abs(r - hi))

    for _ in range(max_moves):
        r = _red(B, P)
        if lo <= r < hi:
            return ib, ip
        need_less = r >= hi  # reduction too big: raise post or lower base
        k = int(rng.integers(n))
        if rng.random() < 0.75:
            step = 1 if need_less else -1
            j = ip[k] + step
            if not 0 <= j < len(lat_p) or lat_p[j] > vb[k]:
                continue
            nb, np_ = B, P + lat_p[j] - vp[k]
            if dist(_red(nb, np_)) < dist(r) or rng.random() < 0.05:
                P, vp[k], ip[k] = np_, lat_p[j], j
        else:
            step = -1 if need_less else 1
            j = ib[k] + step
            if not 0 <= j < len(lat_b) or lat_b[j] < vp[k]:
                continue
            nb = B + lat_b[j] - vb[k]
            if dist(_red(nb, P)) < dist(r) or rng.random() < 0.05:
                B, vb[k], ib[k] = nb, lat_b[j], j
    raise RuntimeError("reduction of means did not reach its window")


def _week4(vb, vp, lattice, rng):
    """An intermediate visit: 45-85 % of the patient's own week-16 change, on the lattice."""
    frac = rng.uniform(0.45, 0.85, vb.size)
    u = vb - frac * (vb - vp)
    return lattice[np.clip(_snap(u, lattice), _snap(np.minimum(vb, vp), lattice),
                           _snap(np.maximum(vb, vp), lattice))]


def measures(grp: np.ndarray, rng, red: dict) -> dict[str, np.ndarray]:
    """Per patient: {PARAM: (3, n) values at BASELINE, WEEK 4, WEEK 16}.

    ``red`` maps PARAM to the (lo, hi) window of the week-16 reduction of means that
    the TAC_ONLY patients must print; the other groups are not tuned.
    """
    n = grp.size
    z = rng.standard_normal(n)                      # latent response: high = good
    cal = grp == "TAC_ONLY"
    out = {}

    # head/neck EASI in 0.1 units on the intensity x area lattice; baseline > 0 for
    # tacrolimus users (they treat the head/neck), may be 0 without tacrolimus
    inten = np.clip(np.rint(rng.normal(6.5, 1.8, n)), 2, 12)
    area = np.clip(np.rint(rng.normal(3.2, 1.0, n)), 1, 6)
    area[(grp == "NONE") & (rng.random(n) < 0.2)] = 0
    b_hn = _snap(inten * area, HN_LATTICE)
    f_hn = np.clip(0.76 + 0.14 * correlated_scores(z, 0.85, rng), 0.15, 1.0)
    p_hn = _snap(HN_LATTICE[b_hn] * (1 - f_hn), HN_LATTICE)
    p_hn = np.minimum(p_hn, b_hn)

    # rest of the body EASI (0.1 units): EASI = head/neck + rest
    rest_lat = np.arange(0, 649)
    b_rest = np.clip(np.rint(rng.lognormal(np.log(210), 0.38, n)), 60, 640).astype(int)
    f_rest = np.clip(0.70 + 0.16 * correlated_scores(z, 0.85, rng), 0.1, 1.0)
    p_rest = np.minimum(np.rint(b_rest * (1 - f_rest)).astype(int), b_rest)

    # IGA 3-4 at baseline (4 more likely when EASI is high), post from the response
    easi_b = (HN_LATTICE[b_hn] + b_rest) / 10
    iga_lat = np.arange(5)
    b_iga = np.where(rng.random(n) < np.clip((easi_b - 12) / 25, 0.1, 0.9), 4, 3)
    p_iga = np.clip(np.rint(b_iga * (1 - np.clip(0.5 + 0.22 * correlated_scores(z, 0.7, rng),
                                                   0, 1))), 0, b_iga).astype(int)
    poem_lat = np.arange(29)
    b_poem = np.clip(np.rint(rng.normal(19, 5.5, n)), 4, 28).astype(int)
    p_poem = np.clip(np.rint(b_poem * (1 - np.clip(0.72 + 0.2 * correlated_scores(z, 0.6, rng),
                                                     0, 1))), 0, b_poem).astype(int)
    # TARC pg/mL: high at baseline in dupilumab candidates, falls most where it was highest;
    # after treatment it stays above TARC_FLOOR (assays rarely report lower)
    tarc_lat = np.arange(TARC_FLOOR, 200001)
    b_tarc = np.clip(np.rint(rng.lognormal(np.log(2600), 1.0, n)), 300, 150000).astype(int)
    lt = np.log(b_tarc / 2600)
    f_t = np.clip(0.88 + 0.04 * correlated_scores(z, 0.6, rng) + 0.04 * lt, 0.4, 0.99)
    p_tarc = np.maximum(TARC_FLOOR, np.rint(b_tarc * (1 - f_t))).astype(int)

    specs = {  # PARAM: (baseline lattice when calibrated, post lattice, baseline, post)
        "EASIHN": (HN_LATTICE[1:], HN_LATTICE, HN_LATTICE[b_hn], HN_LATTICE[p_hn]),
        "IGA": (np.array([3, 4]), iga_lat, b_iga, p_iga),
        "POEM": (poem_lat[4:], poem_lat, b_poem, p_poem),
        "TARC": (tarc_lat, tarc_lat, b_tarc, p_tarc),
    }
    for p, (lb, lp, vb, vp) in specs.items():
        ib, ip = tune_reduction(lb, lp, _snap(vb[cal], lb), _snap(vp[cal], lp), *red[p], rng)
        vb, vp = vb.copy(), vp.copy()
        vb[cal], vp[cal] = lb[ib], lp[ip]
        out[p] = np.vstack([vb, _week4(vb, vp, lp, rng), vp])
    hn = out["EASIHN"]
    ib, ip = b_rest.copy(), p_rest.copy()
    ib[cal], ip[cal] = tune_reduction(rest_lat, rest_lat, ib[cal], ip[cal], *red["EASI"], rng,
                                      off_b=hn[0, cal].sum(), off_p=hn[2, cal].sum())
    rest = np.vstack([ib, _week4(ib, ip, rest_lat, rng), ip])
    out["EASI"] = hn + rest
    out["EASIHN"], out["EASI"] = out["EASIHN"] / 10, out["EASI"] / 10
    return out
