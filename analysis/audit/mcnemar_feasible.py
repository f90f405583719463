"""Which McNemar p-values can a before/after table of marginal counts produce?

A table prints, at two visits, how many patients were in a category (``k1`` of
``n1`` before, ``k2`` of ``n2`` after) and a McNemar p-value, but not the paired
table. Among the ``m`` patients seen at both visits, ``y1`` were in the category
before and ``y2`` after (``y1`` is only bounded when ``n1 > m``: the patients
missing later may or may not have been in it). The discordant pairs satisfy
``c - b = y2 - y1`` with ``0 <= b <= y1`` and ``c <= m - y1``. Every feasible
``(b, c)`` gives one p-value per variant of :func:`analysis.stats.mcnemar.mcnemar`.

For a fixed difference ``d = c - b`` every variant's p-value is non-decreasing in
``b`` (the chi-square statistics ``(|d| - k)^2 / (2b + |d|)`` fall as ``b`` grows;
for the exact and mid-p tests ``P(X <= b)`` with ``X ~ Bin(2b + |d|, 1/2)`` rises,
which ``tests/audit`` checks on a grid). So for each ``d`` the ``b`` giving the
printed p form one run, found by bisection with a few calls of the test.

Examples
--------
>>> from analysis.targets.compare import parse_printed
>>> r = mcnemar_feasibility(45, 307, 33, 283, 283, parse_printed("<0.001"), ("chi2_cc",))
>>> r["chi2_cc"].feasible
False
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from analysis.audit.twobytwo import p_fits
from analysis.stats.mcnemar import mcnemar
from analysis.targets.compare import Printed, to_decimal

VARIANTS = ("exact", "midp", "chi2", "chi2_cc")


@lru_cache(maxsize=200_000)
def _p(b: int, c: int, variant: str) -> float:
    return mcnemar(b, c, variant).p_value


@dataclass
class VariantFeasibility:
    """What one McNemar variant can give for the printed margins."""

    variant: str
    p_min: float
    p_max: float
    feasible: bool
    configurations: int = 0                      # (y1, b, c) triples fitting the printed p
    y1_range: tuple | None = None                # before-count among the paired that can fit
    b_range: tuple | None = None
    c_range: tuple | None = None
    examples: list = field(default_factory=list)  # a few (y1, y2, b, c, p)
    runs: list = field(default_factory=list)      # (y1, y2, b_first, b_last): every fit
    nearest: tuple = (None, None)                 # attainable p just below / above the printing


def _too_low(p: float, printed: Printed) -> bool:
    """p below every value that prints as ``printed``."""
    if printed.comparator == "<":
        return False
    if printed.comparator == ">":
        return to_decimal(p) <= printed.value
    return to_decimal(p) < printed.value and not p_fits(p, printed)


def _too_high(p: float, printed: Printed) -> bool:
    if printed.comparator == ">":
        return False
    if printed.comparator == "<":
        return to_decimal(p) >= printed.value
    return to_decimal(p) > printed.value and not p_fits(p, printed)


def _first(lo: int, hi: int, pred) -> int:
    """Smallest b in [lo, hi] with pred(b) true (pred monotone false->true); hi+1 if none."""
    while lo <= hi:
        mid = (lo + hi) // 2
        if pred(mid):
            hi = mid - 1
        else:
            lo = mid + 1
    return lo


def _differences(k1, n1, k2, n2, m):
    """d -> (largest b, list of (y1, y2)) over the paired margins compatible with the table."""
    y1_lo, y1_hi = max(0, k1 - (n1 - m)), min(k1, m)
    y2_lo, y2_hi = max(0, k2 - (n2 - m)), min(k2, m)
    out: dict[int, tuple[int, list]] = {}
    for y1 in range(y1_lo, y1_hi + 1):
        for y2 in range(y2_lo, y2_hi + 1):
            d = y2 - y1
            b_max = min(y1, m - y2)
            if b_max < max(0, -d):
                continue
            top, pairs = out.get(d, (-1, []))
            pairs.append((y1, y2))
            out[d] = (max(top, b_max), pairs)
    return out


def mcnemar_feasibility(k1: int, n1: int, k2: int, n2: int, m: int, p: Printed,
                        variants=VARIANTS, examples: int = 3) -> dict[str, VariantFeasibility]:
    """Feasible McNemar p-values per variant for printed margins.

    Parameters
    ----------
    k1, n1 : int
        Patients in the category before, out of ``n1`` seen before.
    k2, n2 : int
        The same after.
    m : int
        Patients seen at both visits (``m <= min(n1, n2)``).
    p : Printed
        The printed p-value (``=``, ``<`` or ``>``).
    variants : iterable of str
        Variants of :func:`analysis.stats.mcnemar.mcnemar`.

    Returns
    -------
    dict of variant -> VariantFeasibility
    """
    if not (0 <= m <= min(n1, n2)) or k1 > n1 or k2 > n2:
        raise ValueError(f"impossible margins: k1={k1}/{n1}, k2={k2}/{n2}, paired m={m}")
    diffs = _differences(k1, n1, k2, n2, m)
    segments = []
    for d in sorted(diffs):
        b_lo, (b_hi, pairs) = max(0, -d), diffs[d]
        if d == 0 and b_lo == 0 and b_hi >= 1:
            # b = c = 0 has p = 1 by convention, outside the monotone run that starts at b = 1
            # (the corrected chi-square falls from 1 to 0.48 there).
            segments += [(d, 0, 0, pairs), (d, 1, b_hi, pairs)]
        else:
            segments.append((d, b_lo, b_hi, pairs))
    out = {}
    for variant in variants:
        p_min, p_max = 1.0, 0.0
        configs, ys, bs, cs, shown, runs = 0, [], [], [], [], []
        below, above = None, None
        for d, b_lo, b_hi, pairs in segments:
            lo_p, hi_p = _p(b_lo, b_lo + d, variant), _p(b_hi, b_hi + d, variant)
            p_min, p_max = min(p_min, lo_p), max(p_max, hi_p)
            if _too_high(lo_p, p):
                above = lo_p if above is None else min(above, lo_p)
                continue
            if _too_low(hi_p, p):
                below = hi_p if below is None else max(below, hi_p)
                continue
            first = _first(b_lo, b_hi, lambda b: not _too_low(_p(b, b + d, variant), p))
            last = _first(b_lo, b_hi, lambda b: _too_high(_p(b, b + d, variant), p)) - 1
            if first > b_lo:
                q = _p(first - 1, first - 1 + d, variant)
                below = q if below is None else max(below, q)
            if last + 1 <= b_hi:
                q = _p(last + 1, last + 1 + d, variant)
                above = q if above is None else min(above, q)
            if first > last or not p_fits(_p(first, first + d, variant), p):
                continue
            for y1, y2 in pairs:
                top = min(last, y1, m - y2)
                if top < first:
                    continue
                configs += top - first + 1
                runs.append((y1, y2, first, top))
                ys.append(y1)
                bs += [first, top]
                cs += [first + d, top + d]
                if len(shown) < examples:
                    shown.append((y1, y2, first, first + d, _p(first, first + d, variant)))
        out[variant] = VariantFeasibility(
            variant=variant, p_min=p_min, p_max=p_max, feasible=configs > 0,
            configurations=configs,
            y1_range=(min(ys), max(ys)) if ys else None,
            b_range=(min(bs), max(bs)) if bs else None,
            c_range=(min(cs), max(cs)) if cs else None,
            examples=shown, runs=runs, nearest=(below, above),
        )
    return out
