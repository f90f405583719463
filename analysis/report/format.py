"""Number formatting for tables and sentences (half-up rounding, as journals print)."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal


def round_half_up(x: float, decimals: int) -> float:
    """Round as a person does (2.25 -> 2.3), not banker's rounding.

    >>> round_half_up(2.25, 1), round(2.25, 1)
    (2.3, 2.2)
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return float("nan")
    q = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(float(x))).quantize(q, rounding=ROUND_HALF_UP))


def _marker(x) -> str | None:
    """The text of a suppressed number (:class:`analysis.report.suppress.Masked`), else None."""
    return getattr(x, "text", None) if isinstance(x, float) else None


def fmt_num(x: float | None, decimals: int = 1) -> str:
    """``12.3``; an en dash for missing; the marker (``<5``) of a suppressed number."""
    if _marker(x) is not None:
        return _marker(x)
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{round_half_up(x, decimals):.{decimals}f}"


def fmt_mean_sd(mean: float, sd: float, decimals: int = 1) -> str:
    if _marker(mean) is not None or _marker(sd) is not None:
        return _marker(mean) or _marker(sd)
    return f"{fmt_num(mean, decimals)} ± {fmt_num(sd, decimals)}"


def fmt_n_pct(count: float, pct: float, decimals: int = 1) -> str:
    """``12 (34.5%)``; only the marker when the count is suppressed."""
    if _marker(count) is not None:
        return _marker(count)
    if _marker(pct) is not None:
        return f"{int(count)}"
    if count is None or (isinstance(count, float) and math.isnan(count)):
        return "–"
    return f"{int(count)} ({fmt_num(pct, decimals)}%)"


def fmt_p(p: float, threshold: float = 0.001) -> str:
    """``p < 0.001`` below the threshold, else three decimals (``p = 0.027``)."""
    if _marker(p) is not None:
        return f"p {_marker(p)}"
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "p = –"
    if p < threshold:
        return f"p < {threshold:g}"
    return f"p = {round_half_up(p, 3):.3f}"
