"""Do a ratio estimate, its confidence interval and its p-value fit one Wald test?

For a hazard (odds, risk) ratio the Wald interval is symmetric on the log scale:
``log HR = (log L + log U) / 2`` and ``SE = (log U - log L) / (2 z)``, with
``z = Phi^-1(1 - alpha/2)``; the two-sided p-value is ``2 Phi(-|log HR| / SE)``
(Altman & Bland, BMJ 2011;343:d2304). Each printed number stands for an interval
of unrounded values, so the check finds the whole range of p-values that
unrounded (HR, L, U) printing as reported can give, and whether the printed p
falls in it.

The range is exact: with ``s = log L + log U`` and ``w = log U - log L`` the Wald
statistic is ``z |s| / w``, a ratio of linear functions, whose extremes over the
polygon {L, U in their printing intervals, exp(s/2) in the HR's} lie at its
vertices.

Examples
--------
>>> from decimal import Decimal as D
>>> r = wald_p_range(D("0.81"), 2, D("0.70"), D("0.94"), 2)   # Altman & Bland's example
>>> round(r.p_min, 4) < 0.005 < round(r.p_max, 4)
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from scipy import stats

from analysis.targets.compare import printing_interval


@dataclass(frozen=True)
class WaldRange:
    """Range of Wald p-values (and statistics) consistent with a printed ratio and CI."""

    p_min: float
    p_max: float
    z_min: float
    z_max: float
    feasible: bool          # some unrounded (HR, L, U) prints as reported at all
    vertices: tuple = ()    # (log L, log U) corners of the feasible polygon


def _clip(poly, a, b, c):
    """Keep the part of a polygon where ``a*x + b*y <= c`` (Sutherland-Hodgman)."""
    out = []
    for i, p in enumerate(poly):
        q = poly[(i + 1) % len(poly)]
        fp, fq = a * p[0] + b * p[1] - c, a * q[0] + b * q[1] - c
        if fp <= 0:
            out.append(p)
        if fp * fq < 0:
            t = fp / (fp - fq)
            out.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
    return out


def _log_interval(value: Decimal, decimals: int, log: bool):
    lo, hi = printing_interval(value, decimals)
    lo, hi = float(lo), float(hi)
    if not log:
        return lo, hi
    if hi <= 0:
        raise ValueError(f"a ratio must be positive, not {value}")
    return math.log(max(lo, 1e-300)), math.log(hi)


def wald_p_range(est: Decimal, est_decimals: int, lower: Decimal, upper: Decimal,
                 ci_decimals: int, level: float = 0.95, log: bool = True,
                 est_bounds: tuple[float, float] | None = None) -> WaldRange:
    """Two-sided Wald p-values that a printed estimate and CI allow.

    Parameters
    ----------
    est : Decimal
        Printed estimate (HR, OR, RR; or a difference with ``log=False``).
    lower, upper : Decimal
        Printed CI bounds; ``ci_decimals`` their printed decimals.
    level : float
        Confidence level of the printed interval.
    log : bool
        Ratio measures are symmetric on the log scale (True); differences on the
        natural scale (False).
    est_bounds : (float, float), optional
        Restrict the unrounded estimate to this sub-interval (natural scale) of its
        printing interval, to find for which estimates the p-value fits.

    Returns
    -------
    WaldRange
    """
    zc = float(stats.norm.ppf(0.5 + level / 2))
    a_lo, a_hi = _log_interval(lower, ci_decimals, log)
    b_lo, b_hi = _log_interval(upper, ci_decimals, log)
    e_lo, e_hi = _log_interval(est, est_decimals, log)
    if est_bounds is not None:
        lo_b, hi_b = est_bounds
        e_lo = max(e_lo, math.log(lo_b) if log else lo_b)
        e_hi = min(e_hi, math.log(hi_b) if log else hi_b)
    poly = [(a_lo, b_lo), (a_hi, b_lo), (a_hi, b_hi), (a_lo, b_hi)]
    for a, b, c in ((1, 1, 2 * e_hi), (-1, -1, -2 * e_lo), (1, -1, -1e-12)):
        poly = _clip(poly, a, b, c) if poly else poly
    if not poly:
        return WaldRange(math.nan, math.nan, math.nan, math.nan, False)
    ratios = [abs(x + y) / (y - x) for x, y in poly if y - x > 0]
    if not ratios:
        return WaldRange(math.nan, math.nan, math.nan, math.nan, False)
    sums = [x + y for x, y in poly]
    crosses_zero = min(sums) <= 0 <= max(sums)
    z_max = zc * max(ratios)
    z_min = 0.0 if crosses_zero else zc * min(ratios)
    return WaldRange(
        p_min=float(2 * stats.norm.sf(z_max)), p_max=float(2 * stats.norm.sf(z_min)),
        z_min=z_min, z_max=z_max, feasible=True, vertices=tuple(poly),
    )


def estimates_fitting_p(est: Decimal, est_decimals: int, lower: Decimal, upper: Decimal,
                        ci_decimals: int, p_lo: float, p_hi: float, level: float = 0.95,
                        log: bool = True, grid: int = 400) -> tuple[float, float] | None:
    """Sub-interval of the estimate's printing interval where the p-value can fit.

    Scans ``grid`` slices of the estimate's printing interval; each slice's p-range
    is exact, so the returned bounds are exact to within one slice width.
    None when no slice fits.
    """
    lo, hi = (float(v) for v in printing_interval(est, est_decimals))
    edges = [lo + (hi - lo) * i / grid for i in range(grid + 1)]
    fitting = []
    for x0, x1 in zip(edges, edges[1:]):
        r = wald_p_range(est, est_decimals, lower, upper, ci_decimals, level, log, (x0, x1))
        if r.feasible and r.p_min <= p_hi and r.p_max >= p_lo:
            fitting.append((x0, x1))
    if not fitting:
        return None
    return fitting[0][0], fitting[-1][1]
