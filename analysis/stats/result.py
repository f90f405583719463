"""The result object every statistical test returns."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class TestResult:
    """A test's outcome, naming exactly what was computed.

    Parameters
    ----------
    test : str
        Family, e.g. ``"McNemar"``, ``"paired t-test"``.
    method : str
        The exact variant in words, e.g. ``"McNemar exact binomial, two-sided"``.
        This string goes to the ARD's ``method`` column and to the manuscript.
    statistic : float
        The test statistic (NaN when the variant has none, e.g. an exact test).
    p_value : float
    n : int
        Units that entered the test (pairs, patients).
    df : float, optional
    estimate : float, optional
        Effect estimate (mean difference, r, HR, OR ...), with its CI if any.
    ci_low, ci_high : float, optional
    extra : dict
        Further named numbers (e.g. ``{"epsilon_gg": 0.71, "discordant_b": 4}``).
    params : dict
        Options that chose the variant (e.g. ``{"correction": True}``).

    Examples
    --------
    >>> r = TestResult("paired t-test", "paired t-test, two-sided", 2.5, 0.03, n=10, df=9)
    >>> r.to_frame().loc[lambda d: d.statistic == "p_value", "value"].item()
    0.03
    """

    test: str
    method: str
    statistic: float
    p_value: float
    n: int
    df: float | None = None
    estimate: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)

    def numbers(self) -> dict[str, float]:
        """Every number of the result by ARD statistic name, NaN-free."""
        out: dict[str, float] = {"statistic": self.statistic, "p_value": self.p_value}
        for name in ("df", "estimate", "ci_low", "ci_high"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        out.update(self.extra)
        return {
            k: float(v)
            for k, v in out.items()
            if v is not None and not (isinstance(v, float) and math.isnan(v))
        }

    def to_frame(self) -> pd.DataFrame:
        """Tidy long form: one row per number (statistic, value, n, method)."""
        rows = [
            {"statistic": k, "value": v, "n": self.n, "method": self.method}
            for k, v in self.numbers().items()
        ]
        return pd.DataFrame(rows, columns=["statistic", "value", "n", "method"])
