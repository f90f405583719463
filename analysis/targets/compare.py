"""Reading printed numbers and deciding whether a rebuilt value reproduces them.

A paper prints a number rounded to some decimals, sometimes behind a comparator
(``p < 0.001``), sometimes as an interval (``0.94–0.99``) or as ``mean ± SD``.
:func:`parse_printed` turns the printed text into a :class:`Printed`;
:func:`compare` says whether a rebuilt value (a float, or a tuple for intervals)
gives that printing back, and under which rounding rule.

Rules
-----
* ``=``: the rebuilt value, rounded to the printed decimals, equals the printed
  value under round-half-up *or* round-half-even (journals use both; which one
  matched is reported). Floats are read through ``Decimal(repr(x))`` so that
  ``0.045`` is the decimal 0.045 and not the binary 0.04499999...
* ``<`` / ``>``: the rebuilt value is strictly below / above the printed
  threshold (``p < 0.001`` is reproduced by 0.0004, not by 0.001).
* Intervals and ``a ± b``: every number must match (each under either rule).

Examples
--------
>>> p = parse_printed("P <.01")
>>> p.comparator, p.numbers, p.decimals
('<', (Decimal('0.01'),), (2,))
>>> compare(parse_printed("0.05"), 0.045).rule      # a tie: only half-up gives 0.05
'half-up'
>>> compare(parse_printed("0.94–0.99"), (0.9351, 0.9899)).status
'reproduced'
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

REPRODUCED = "reproduced"
MISMATCH = "mismatch"

RULES = {"half-up": ROUND_HALF_UP, "half-even": ROUND_HALF_EVEN}

WORDS = {
    "none": 0, "zero": 0, "no": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20,
}

_MINUS = "\u2212\u2012"            # minus sign, figure dash: always a sign
_RANGE = r"(?:\u2013|\u2014|-|to)"  # en dash, em dash, hyphen, "to": a range separator
_NUM = r"[-\u2212\u2012]?(?:\d+(?:[.,]\d+)?|[.,]\d+)"
_PREFIX = r"^\s*(?:[pP]\s*)?(?P<cmp>=|<|>|\u2264|\u2265|<=|>=)?\s*(?P<approx>~|\u2248|approx\.?|approximately)?\s*"
_SINGLE = re.compile(_PREFIX + r"(?P<a>" + _NUM + r")\s*%?\s*$")
_RANGE_RE = re.compile(r"^\s*(?P<a>" + _NUM + r")\s*%?\s*" + _RANGE + r"\s*(?P<b>" + _NUM + r")\s*%?\s*$")
_PM = re.compile(r"^\s*(?P<a>" + _NUM + r")\s*(?:\u00b1|\+/-|\+-)\s*(?P<b>" + _NUM + r")\s*$")


class PrintedValueError(ValueError):
    """The printed text is not a number this module can read."""


@dataclass(frozen=True)
class Printed:
    """A printed number, parsed.

    Attributes
    ----------
    text : str
        As printed.
    comparator : {"=", "<", ">"}
    numbers : tuple of Decimal
        One number, or two (interval bounds; mean and SD).
    decimals : tuple of int
        Decimals printed for each number.
    form : {"number", "interval", "plusminus", "word"}
    approximate : bool
        The printing said "approximately" / "~"; compared like "=".
    """

    text: str
    comparator: str
    numbers: tuple
    decimals: tuple
    form: str
    approximate: bool = False

    @property
    def value(self) -> Decimal:
        return self.numbers[0]


def _number(token: str) -> tuple[Decimal, int]:
    """Decimal and printed decimals of one numeric token (decimal comma allowed)."""
    t = token.strip()
    sign = ""
    if t and t[0] in "-" + _MINUS:
        sign, t = "-", t[1:]
    if "," in t and "." not in t:
        # "44,3" or "0,027" is a decimal comma; "1,234" (three digits, integer part
        # not 0) would be a thousands separator, which this grammar does not accept.
        head, _, tail = t.partition(",")
        if len(tail) == 3 and head not in ("", "0"):
            raise PrintedValueError(f"ambiguous comma in {token!r} (thousands or decimal?)")
        t = head + "." + tail
    if t.startswith("."):
        t = "0" + t
    try:
        d = Decimal(sign + t)
    except InvalidOperation as err:
        raise PrintedValueError(f"not a number: {token!r}") from err
    decimals = len(t.partition(".")[2])
    return d, decimals


def parse_printed(text, comparator: str | None = None) -> Printed:
    """Parse a printed value.

    Parameters
    ----------
    text : str
        ``"34.5"``, ``"44,3"``, ``"<0.001"``, ``"P <.01"``, ``"p=0.027"``,
        ``"−1.2"``, ``"0.94–0.99"``, ``"8.3 ± 0.3"``, ``"none"``, ``"one"``.
    comparator : {"=", "<", ">"}, optional
        The record's comparator; when given it must agree with the one printed.

    Returns
    -------
    Printed

    Raises
    ------
    PrintedValueError
        Unreadable text, or a comparator that disagrees with the printing.

    Examples
    --------
    >>> parse_printed("44,3").numbers
    (Decimal('44.3'),)
    >>> parse_printed("−1.2").numbers
    (Decimal('-1.2'),)
    """
    if isinstance(text, bool) or text is None:
        raise PrintedValueError(f"not a printed number: {text!r}")
    raw = str(text)
    s = raw.strip()
    word = s.lower().rstrip(".")
    if word in WORDS:
        printed = Printed(raw, "=", (Decimal(WORDS[word]),), (0,), "word")
    elif m := _PM.match(s):
        (a, da), (b, db) = _number(m["a"]), _number(m["b"])
        printed = Printed(raw, "=", (a, b), (da, db), "plusminus")
    elif m := _SINGLE.match(s):
        cmp = {"\u2264": "<", "\u2265": ">", "<=": "<", ">=": ">"}.get(m["cmp"], m["cmp"] or "=")
        if m["cmp"] in ("\u2264", "\u2265", "<=", ">="):
            raise PrintedValueError(f"non-strict comparator in {raw!r} is not supported")
        a, da = _number(m["a"])
        printed = Printed(raw, cmp, (a,), (da,), "number", bool(m["approx"]))
    elif m := _RANGE_RE.match(s):
        (a, da), (b, db) = _number(m["a"]), _number(m["b"])
        if a > b:
            raise PrintedValueError(f"interval {raw!r} has its lower bound above its upper bound")
        printed = Printed(raw, "=", (a, b), (da, db), "interval")
    else:
        raise PrintedValueError(f"cannot read printed value {raw!r}")
    if comparator is not None and comparator != printed.comparator:
        if not (printed.comparator == "=" and printed.form == "number"
                and comparator in ("<", ">")):
            raise PrintedValueError(
                f"comparator {comparator!r} disagrees with the printing {raw!r}")
        printed = Printed(raw, comparator, printed.numbers, printed.decimals, printed.form,
                          printed.approximate)
    return printed


def to_decimal(x) -> Decimal:
    """Exact decimal of what a float prints as (``Decimal(repr(x))``)."""
    if isinstance(x, Decimal):
        return x
    if isinstance(x, Fraction):
        return Decimal(x.numerator) / Decimal(x.denominator)
    if isinstance(x, int):
        return Decimal(x)
    return Decimal(repr(float(x)))


def round_decimal(x, decimals: int, rule: str = "half-up") -> Decimal:
    """Round ``x`` to ``decimals`` places under ``rule`` ("half-up" or "half-even").

    >>> str(round_decimal(2.25, 1, "half-up")), str(round_decimal(2.25, 1, "half-even"))
    ('2.3', '2.2')
    """
    if isinstance(x, Fraction):
        return _round_fraction(x, decimals, rule)
    return to_decimal(x).quantize(Decimal(1).scaleb(-decimals), rounding=RULES[rule])


def _round_fraction(x: Fraction, decimals: int, rule: str) -> Decimal:
    """Exact rounding of a rational (counts / n) with no float in between.

    Ties go away from zero under half-up, as ``Decimal.ROUND_HALF_UP`` does.
    """
    sign = -1 if x < 0 else 1
    scaled = abs(x) * Fraction(10) ** decimals
    floor = scaled.numerator // scaled.denominator
    rest = scaled - floor
    if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and (rule == "half-up" or floor % 2)):
        floor += 1
    q = Decimal(sign * floor).scaleb(-decimals)
    return q.quantize(Decimal(1).scaleb(-decimals))


def rules_matching(x, printed: Decimal, decimals: int) -> tuple[str, ...]:
    """Rounding rules under which ``x`` prints as ``printed`` at ``decimals``."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return ()
    return tuple(r for r in RULES if round_decimal(x, decimals, r) == printed)


@dataclass(frozen=True)
class Comparison:
    """Outcome of comparing one rebuilt value with its printing.

    ``rule`` names what made it match: ``"half-up"``, ``"half-even"``, ``"both"``,
    ``"< 0.001"``, or, for intervals, one entry per bound joined by ``"; "``.
    ``rebuilt_text`` is the rebuilt value at the printed precision.
    """

    status: str
    rule: str
    rebuilt_text: str
    rebuilt_full: str


def _rule_name(rules: tuple[str, ...]) -> str:
    return "both" if len(rules) == 2 else (rules[0] if rules else "")


def _at_precision(x, decimals: int, rules: tuple[str, ...]) -> str:
    rule = rules[0] if rules else "half-up"
    return str(round_decimal(x, decimals, rule))


def _full(x) -> str:
    return repr(float(x))


def compare(printed: Printed, rebuilt) -> Comparison:
    """Does ``rebuilt`` reproduce ``printed``?

    Parameters
    ----------
    printed : Printed
    rebuilt : float or tuple of float
        One value, or one per printed number (interval bounds, mean and SD).

    Returns
    -------
    Comparison

    Examples
    --------
    >>> compare(parse_printed("<0.001"), 0.0009).status
    'reproduced'
    >>> compare(parse_printed("<0.001"), 0.001).status
    'mismatch'
    >>> compare(parse_printed("0.05"), 0.045).rule
    'half-up'
    """
    values = rebuilt if isinstance(rebuilt, (tuple, list)) else (rebuilt,)
    if len(values) != len(printed.numbers):
        raise ValueError(f"{printed.text!r} prints {len(printed.numbers)} number(s); "
                         f"got {len(values)} rebuilt value(s)")
    if printed.comparator in ("<", ">"):
        x, threshold = values[0], printed.numbers[0]
        ok = to_decimal(x) < threshold if printed.comparator == "<" else to_decimal(x) > threshold
        digits = max(printed.decimals[0] + 1, 3)
        return Comparison(REPRODUCED if ok else MISMATCH, f"{printed.comparator} {threshold}",
                          f"{float(x):.{digits}g}" if x != 0 else "0", _full(x))
    per = [rules_matching(x, p, d) for x, p, d in zip(values, printed.numbers, printed.decimals)]
    ok = all(per)
    texts = [_at_precision(x, d, r) for x, d, r in zip(values, printed.decimals, per)]
    if len(values) == 1:
        rule = _rule_name(per[0])
    else:
        common = tuple(r for r in RULES if all(r in p for p in per))
        if common:
            rule = _rule_name(common)
        else:
            names = ("lower", "upper") if printed.form == "interval" else ("estimate", "spread")
            rule = "; ".join(f"{name} {_rule_name(p) or 'none'}" for name, p in zip(names, per))
    sep = " ± " if printed.form == "plusminus" else "–"
    return Comparison(REPRODUCED if ok else MISMATCH, rule if ok else "",
                      sep.join(texts), sep.join(_full(x) for x in values))


def printing_interval(value: Decimal, decimals: int) -> tuple[Fraction, Fraction]:
    """Closed interval of reals that print as ``value`` under half-up or half-even.

    The union of both rules is ``[v - h, v + h]`` except that ``v + h`` belongs to it
    only when half-even rounds it down (last digit of ``v`` even); callers that need
    the exact set use :func:`rules_matching` on rationals. ``h`` = half a unit in the
    last printed place.

    >>> printing_interval(Decimal("0.05"), 2)
    (Fraction(9, 200), Fraction(11, 200))
    """
    v = Fraction(value)
    h = Fraction(1, 2) * Fraction(10) ** (-decimals)
    return v - h, v + h
