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

from analysis.errors import DupitacError
from analysis.targets.compare import parse_printed


class TargetsMissed(DupitacError):
    """A reconstruction spent its whole (iteration-counted) budget and some published
    numbers still do not print as published: the cohort is not written.

    ``missed`` maps a target id to (printed text, value reached). Exit status 1, as
    ``verify`` on a mismatch.

    Examples
    --------
    >>> print(TargetsMissed("ferrucci2022", 6, {"res_cox_female_hr": ("1.5", 1.568)}, "after 3 attempts"))
    ferrucci2022 seed 6: 1 published number still missed after 3 attempts: res_cox_female_hr (printed 1.5, reached 1.568); try another seed
    """

    exit_code = 1

    def __init__(self, study: str, seed, missed: dict, budget: str = ""):
        self.study, self.seed, self.missed = study, seed, dict(missed)
        items = "; ".join(f"{k} (printed {text}, reached {_short(v)})"
                          for k, (text, v) in self.missed.items())
        n = len(self.missed)
        super().__init__(f"{study} seed {seed}: {n} published number{'s' * (n != 1)} still missed"
                         f"{' ' + budget if budget else ''}: {items}; try another seed")


def _short(v) -> str:
    try:
        return f"{float(v):.4g}"
    except (TypeError, ValueError):
        return str(v)


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
    log: bool = False

    @classmethod
    def printed(cls, text: str, comparator: str | None = None, margin: float = 0.2,
                index: int = 0, log: bool = False) -> "Goal":
        """Goal of a printed number (``"29.5"``, ``"<0.001"``, ``"0.94–0.99"`` with ``index``).

        ``margin`` is the share of the half-unit kept free at each edge. ``log``
        measures misses on a log scale (for p-values, whose misses span decades).
        """
        p = parse_printed(text, comparator)
        v = float(p.numbers[index])
        h = 0.5 * 10.0 ** (-p.decimals[index])
        strict = max(margin, 1e-9)  # "<" and ">" exclude the threshold itself
        if p.comparator == "<":
            return cls(-math.inf, v - strict * h, h, text, log)
        if p.comparator == ">":
            return cls(v + strict * h, math.inf, h, text, log)
        return cls(v - (1 - margin) * h, v + (1 - margin) * h, h, text, log)

    @classmethod
    def between(cls, lo: float, hi: float, text: str = "") -> "Goal":
        return cls(lo, hi, (hi - lo) / 2 if math.isfinite(hi - lo) and hi > lo else 1.0, text)

    def hit(self, x) -> bool:
        return bool(self.lo <= float(x) <= self.hi)

    def miss(self, x) -> float:
        """0 inside, else the distance to the interval in units of ``unit``.

        On a log scale (``log``) the distance is in log10 units over the interval's
        relative half-width (at least 0.01 decades), so p = 0.5 for a goal of 0.012 is a
        miss of about 90, not of 1000.
        """
        x = float(x)
        if math.isnan(x):
            return 1e6
        if self.log:
            if self.lo <= x <= self.hi:
                return 0.0
            lo = self.lo if self.lo > 0 else (self.hi - 2 * self.unit if self.hi - 2 * self.unit > 0
                                               else self.hi / 2)
            width = max(math.log10(self.hi / lo) / 2, 0.01) if math.isfinite(self.hi) else 0.05
            x = max(x, 1e-300)
            edge = self.lo if x < self.lo else self.hi
            return abs(math.log10(x) - math.log10(edge)) / width
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
