"""What a reconstructed statistic must hit: the interval of values that print as published.

A printed "0.005" (3 decimals) is reproduced by any value in [0.0045, 0.0055]; a
printed "<0.001" by any value below 0.001. A :class:`Goal` holds that interval,
shrunk by a safety margin so that a value found by a search does not sit on a rounding
edge, and measures how far a candidate is from it (0 inside), which the searches
minimise. The acceptance test of the finished cohort is always ``verify`` itself.

Examples
--------
>>> g = Goal.printed("0.005")
>>> g.hit(0.0049), g.hit(0.0056), round(g.miss(0.0065), 2)
(True, False, 2.2)
>>> Goal.printed("<0.001").hit(0.0004)
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from analysis.targets.compare import parse_printed


@dataclass(frozen=True)
class Goal:
    """Interval [lo, hi] a statistic must fall in; ``unit`` scales :meth:`miss`.

    Parameters
    ----------
    lo, hi : float
        Inclusive bounds (use +/-inf for one-sided goals).
    unit : float
        Distance that counts as 1 in :meth:`miss` (half a printed unit).
    """

    lo: float
    hi: float
    unit: float = 1.0
    text: str = ""

    @classmethod
    def printed(cls, text: str, comparator: str | None = None, margin: float = 0.2,
                index: int = 0) -> "Goal":
        """Goal of a printed number (``"29.5"``, ``"<0.001"``, ``"0.94–0.99"`` with ``index``).

        ``margin`` is the share of the half-unit kept free at each edge.
        """
        p = parse_printed(text, comparator)
        v = float(p.numbers[index])
        h = 0.5 * 10.0 ** (-p.decimals[index])
        if p.comparator == "<":
            return cls(-math.inf, v - margin * h, h, text)
        if p.comparator == ">":
            return cls(v + margin * h, math.inf, h, text)
        return cls(v - (1 - margin) * h, v + (1 - margin) * h, h, text)

    @classmethod
    def between(cls, lo: float, hi: float, text: str = "") -> "Goal":
        return cls(lo, hi, (hi - lo) / 2 if math.isfinite(hi - lo) and hi > lo else 1.0, text)

    def hit(self, x) -> bool:
        return bool(self.lo <= float(x) <= self.hi)

    def miss(self, x) -> float:
        """0 inside, else the distance to the interval in units of ``unit``."""
        x = float(x)
        if math.isnan(x):
            return 1e6
        if x < self.lo:
            return (self.lo - x) / self.unit
        if x > self.hi:
            return (x - self.hi) / self.unit
        return 0.0

    @property
    def center(self) -> float:
        if math.isinf(self.lo):
            return self.hi
        if math.isinf(self.hi):
            return self.lo
        return (self.lo + self.hi) / 2
