"""Input checks shared by the statistics modules.

Statistical functions refuse input they cannot honestly compute from with a
:class:`StatsInputError`. It is both an :class:`analysis.errors.InputError` (so the
CLI prints it cleanly and exits 2) and a :class:`ValueError` (so callers that only
know numpy/scipy conventions can catch it).
"""

from __future__ import annotations

import numpy as np

from analysis.errors import InputError, Problem


class StatsInputError(InputError, ValueError):
    """Input a statistical function cannot compute from, with the reason."""


def fail(rule: str, message: str, *, column: str | None = None, value=None):
    """Raise :class:`StatsInputError` with one :class:`Problem`."""
    raise StatsInputError(
        [Problem(rule=rule, message=message, column=column, value=value)], summary=message
    )


def as_float(x, name: str = "x") -> np.ndarray:
    """1-D float array; booleans become 0/1, None becomes NaN."""
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        fail("numeric", f"{name} must be numeric", column=name)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        fail("shape", f"{name} must be one-dimensional, got shape {arr.shape}", column=name)
    if np.isinf(arr).any():
        fail("finite", f"{name} contains an infinite value", column=name)
    return arr


def complete(x: np.ndarray, name: str = "x") -> tuple[np.ndarray, int]:
    """Drop NaN; return the kept values and how many were dropped."""
    keep = ~np.isnan(x)
    return x[keep], int((~keep).sum())


def complete_pairs(x, y, names=("x", "y")) -> tuple[np.ndarray, np.ndarray, int]:
    """Pairs where both values are present; return x, y and the number dropped."""
    xa, ya = as_float(x, names[0]), as_float(y, names[1])
    if xa.shape != ya.shape:
        fail(
            "paired-length",
            f"{names[0]} and {names[1]} must have the same length "
            f"({xa.size} vs {ya.size}): they are pairs",
        )
    keep = ~(np.isnan(xa) | np.isnan(ya))
    return xa[keep], ya[keep], int((~keep).sum())


def need(n: int, minimum: int, what: str) -> None:
    if n < minimum:
        fail("too-few", f"{what} needs at least {minimum} observations, got {n}", value=n)


SIDES = {"two-sided": "two-sided", "greater": "one-sided (greater)", "less": "one-sided (less)"}


def check_alternative(alternative: str) -> str:
    if alternative not in SIDES:
        fail("option", f"alternative must be one of {sorted(SIDES)}", value=alternative)
    return SIDES[alternative]
