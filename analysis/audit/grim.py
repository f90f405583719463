"""Granularity checks: which integer counts and sums can give a printed percent or mean.

A percentage of ``n`` people is ``100 k / n`` for a whole ``k``; a mean of ``n``
values on a scale with step ``s`` is ``s S / n`` for a whole ``S``. GRIM (Brown &
Heathers 2017) asks whether any such fraction prints as the reported number;
GRIMMER (Anaya 2016) adds the standard deviation: for whole-number data the sum
of squares ``Q`` is a whole number with the parity of ``S``, between the least and
the greatest value reachable inside the scale bounds.

All arithmetic is exact (:class:`fractions.Fraction`); "prints as" accepts
round-half-up and round-half-even (:func:`analysis.targets.compare.rules_matching`).

Examples
--------
>>> from decimal import Decimal
>>> percent_counts(Decimal("26.7"), 1, 152)      # 40/152 = 26.3 %, 41/152 = 27.0 %
[]
>>> percent_counts(Decimal("47.9"), 1, 190)      # 91/190, not 80/190 (= 42.1 %)
[91]
>>> grim_sums(Decimal("5.19"), 2, 28)            # Brown & Heathers' kind of example
[]
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

from analysis.targets.compare import printing_interval, rules_matching


def prints_as(x: Fraction, value: Decimal, decimals: int) -> bool:
    return bool(rules_matching(x, value, decimals))


def percent_counts(percent: Decimal, decimals: int, n: int) -> list[int]:
    """Whole counts ``k`` in ``0..n`` with ``100 k / n`` printing as ``percent``."""
    if n <= 0:
        return []
    lo, hi = printing_interval(percent, decimals)
    k_lo = max(0, math.floor(lo * n / 100))
    k_hi = min(n, math.ceil(hi * n / 100))
    return [k for k in range(k_lo, k_hi + 1)
            if prints_as(Fraction(100 * k, n), percent, decimals)]


def percent_denominators(count: int, percent: Decimal, decimals: int,
                         n_min: int = 1, n_max: int | None = None) -> list[int]:
    """Denominators ``n`` (``n >= count``) with ``100 count / n`` printing as ``percent``."""
    lo, hi = printing_interval(percent, decimals)
    n_min = max(n_min, count, 1)
    if count == 0:
        # 0 % of any n; any other percent has no denominator.
        ok = prints_as(Fraction(0), percent, decimals)
        top = n_max if n_max is not None else n_min
        return list(range(n_min, top + 1)) if ok else []
    if lo <= 0:
        upper = n_max if n_max is not None else n_min + 10**6
    else:
        upper = math.floor(Fraction(100 * count) / lo)
        if n_max is not None:
            upper = min(upper, n_max)
    first = max(n_min, math.ceil(Fraction(100 * count) / hi)) if hi > 0 else n_min
    return [n for n in range(first, upper + 1)
            if prints_as(Fraction(100 * count, n), percent, decimals)]


def grim_sums(mean: Decimal, decimals: int, n: int, step: Fraction | float = 1) -> list[int]:
    """Whole sums ``S`` (in scale steps) with ``step * S / n`` printing as ``mean``.

    Empty list: the mean is GRIM-inconsistent at that ``n``.
    """
    step = Fraction(step).limit_denominator(10**6)
    lo, hi = printing_interval(mean, decimals)
    s_lo = math.floor(lo * n / step)
    s_hi = math.ceil(hi * n / step)
    return [s for s in range(s_lo, s_hi + 1) if prints_as(step * s / n, mean, decimals)]


def sum_of_squares_bounds(total: int, n: int, lo: int, hi: int) -> tuple[int, int] | None:
    """Least and greatest sum of squares of ``n`` whole numbers in ``[lo, hi]`` summing to ``total``.

    None when no such numbers exist.

    >>> sum_of_squares_bounds(15, 5, 1, 5)   # {3,3,3,3,3} and {5,5,3,1,1}
    (45, 61)
    """
    if not (n * lo <= total <= n * hi):
        return None
    q, r = divmod(total, n)
    least = (n - r) * q * q + r * (q + 1) ** 2
    width = hi - lo
    shifted = total - n * lo
    if width == 0:
        return least, least
    k, rem = divmod(shifted, width)
    k = min(k, n)
    ys = [width] * k + ([rem] if k < n else []) + [0] * max(0, n - k - 1)
    greatest = sum((lo + y) ** 2 for y in ys[:n])
    return least, greatest


def sd_of(total: int, squares: int, n: int) -> Fraction:
    """Sample variance (ddof 1) from the sum and the sum of squares, exactly."""
    return (Fraction(squares) - Fraction(total * total, n)) / (n - 1)


def grimmer(mean: Decimal, mean_decimals: int, sd: Decimal, sd_decimals: int, n: int,
            lo: int, hi: int, per_sum: int = 1) -> list[tuple[int, int]]:
    """(S, Q) pairs of whole-number data consistent with mean, SD (ddof 1), n and bounds.

    Necessary conditions only (parity of Q, bounds of Q, both printings); an empty
    list proves inconsistency. Data are whole numbers in ``[lo, hi]`` (rescale a
    0.1-step scale to whole tenths first). At most ``per_sum`` sums of squares are
    listed for each feasible sum ``S`` (the smallest ones).

    Examples
    --------
    >>> grimmer(Decimal("3.00"), 2, Decimal("1.58"), 2, 5, 1, 5)   # {1,2,3,4,5}
    [(15, 55)]
    >>> grimmer(Decimal("3.00"), 2, Decimal("1.60"), 2, 5, 1, 5)
    []
    """
    if n < 2:
        return []
    sd_lo, sd_hi = printing_interval(sd, sd_decimals)
    sd_lo = max(sd_lo, Fraction(0))
    out = []
    for total in grim_sums(mean, mean_decimals, n, 1):
        bounds = sum_of_squares_bounds(total, n, lo, hi)
        if bounds is None:
            continue
        q_min, q_max = bounds
        base = Fraction(total * total, n)
        lo_q = max(q_min, math.ceil(base + (n - 1) * sd_lo**2))
        hi_q = min(q_max, math.floor(base + (n - 1) * sd_hi**2))
        found = 0
        q = lo_q + ((lo_q - total) % 2)  # same parity as S: x*x and x are both odd or even
        while q <= hi_q and found < per_sum:
            # Strictly inside the printing bounds every Q prints; only the two
            # boundary values need the rounding rules, so this loop stays short.
            if _sd_prints(sd_of(total, q, n), sd, sd_decimals):
                out.append((total, q))
                found += 1
            q += 2
    return out


def _sd_prints(var: Fraction, sd: Decimal, decimals: int) -> bool:
    """Does sqrt(var) print as ``sd``? Decided exactly by squaring the printing bounds."""
    lo, hi = printing_interval(sd, decimals)
    lo = max(lo, Fraction(0))
    if lo**2 < var < hi**2:
        return True
    if var == lo**2 or var == hi**2:
        # On a boundary the root is the rational boundary itself: let the rules decide.
        root = lo if var == lo**2 else hi
        return prints_as(root, sd, decimals)
    return False


def max_sd(mean: Fraction, n: int, lo: float, hi: float) -> float:
    """Largest sample SD (ddof 1) of ``n`` values in ``[lo, hi]`` with mean ``mean``.

    Bhatia & Davis (2000): the population variance is at most
    ``(hi - mean)(mean - lo)``; the sample SD multiplies it by ``n / (n - 1)``.
    For continuous data; whole-number data use :func:`sum_of_squares_bounds`.

    >>> round(max_sd(Fraction(5, 2), 4, 0, 5), 4)     # {0, 0, 5, 5}
    2.8868
    """
    var = (Fraction(hi) - mean) * (mean - Fraction(lo)) * Fraction(n, n - 1)
    return math.sqrt(max(var, 0))
