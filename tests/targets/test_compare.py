"""Comparison rules: printed values read and matched as a journal prints them.

Expected values are worked by hand (decimal arithmetic), not by the code under test.
"""

from decimal import Decimal

import pytest

from analysis.targets.compare import (
    MISMATCH, REPRODUCED, PrintedValueError, compare, parse_printed, round_decimal,
)


@pytest.mark.parametrize("text, comparator, numbers, decimals", [
    ("34.5", "=", ("34.5",), (1,)),
    ("44,3", "=", ("44.3",), (1,)),            # decimal comma (Ferrucci Table II)
    ("<0.001", "<", ("0.001",), (3,)),
    ("P <.01", "<", ("0.01",), (2,)),          # Matsutani summary
    ("p=0.027", "=", ("0.027",), (3,)),
    ("p = 0.005", "=", ("0.005",), (3,)),
    ("\u22121.2", "=", ("-1.2",), (1,)),       # Unicode minus
    ("-1.2", "=", ("-1.2",), (1,)),
    ("0.94\u20130.99", "=", ("0.94", "0.99"), (2, 2)),   # en dash
    ("0.94-0.99", "=", ("0.94", "0.99"), (2, 2)),
    ("-0.5 to -0.1", "=", ("-0.5", "-0.1"), (1, 1)),
    ("8.3 \u00b1 0.3", "=", ("8.3", "0.3"), (1, 1)),
    ("none", "=", ("0",), (0,)),
    ("one", "=", ("1",), (0,)),
    ("17%", "=", ("17",), (0,)),
])
def test_parse(text, comparator, numbers, decimals):
    p = parse_printed(text)
    assert p.comparator == comparator
    assert p.numbers == tuple(Decimal(n) for n in numbers)
    assert p.decimals == decimals


@pytest.mark.parametrize("text", ["abc", "1,234", "0.99-0.94", "", "<=0.05"])
def test_parse_refuses(text):
    with pytest.raises(PrintedValueError):
        parse_printed(text)


def test_record_comparator_must_agree_with_printing():
    with pytest.raises(PrintedValueError):
        parse_printed("<0.001", "=")
    assert parse_printed("0.001", "<").comparator == "<"   # threshold printed bare


def test_half_up_and_half_even_differ_on_ties():
    # 2.25 -> 2.3 (half-up), 2.2 (half-even); Decimal(repr(0.045)) is exactly 0.045.
    assert str(round_decimal(2.25, 1, "half-up")) == "2.3"
    assert str(round_decimal(2.25, 1, "half-even")) == "2.2"
    assert str(round_decimal(0.045, 2, "half-up")) == "0.05"   # float 0.045 < 0.045 in binary
    assert str(round_decimal(-1.25, 1, "half-up")) == "-1.3"   # half away from zero


def test_00495_prints_as_005():
    # 0.0495 is not a tie at 2 decimals: both rules give 0.05.
    c = compare(parse_printed("0.05"), 0.0495)
    assert c.status == REPRODUCED and c.rule == "both"


def test_0045_prints_as_005_only_half_up():
    c = compare(parse_printed("0.05"), 0.045)
    assert c.status == REPRODUCED and c.rule == "half-up"
    assert compare(parse_printed("0.04"), 0.045).rule == "half-even"


def test_mismatch_and_rebuilt_text():
    c = compare(parse_printed("34.7"), 106 / 307)
    assert c.status == MISMATCH and c.rebuilt_text == "0.3"
    c = compare(parse_printed("34.5"), 100 * 106 / 307)
    assert c.status == REPRODUCED and c.rebuilt_text == "34.5"


def test_negative_numbers():
    assert compare(parse_printed("\u22121.2"), -1.2345).status == REPRODUCED
    assert compare(parse_printed("-1.2"), -1.25).rule == "half-even"   # half-up gives -1.3
    assert compare(parse_printed("-1.2"), 1.2).status == MISMATCH


def test_p_threshold_is_strict():
    p = parse_printed("<0.001")
    assert compare(p, 0.000999).status == REPRODUCED
    assert compare(p, 0.001).status == MISMATCH
    assert compare(p, 0.0004).rule == "< 0.001"
    q = parse_printed("P <.01")
    assert compare(q, 0.0099).status == REPRODUCED
    assert compare(q, 0.0100).status == MISMATCH
    assert compare(parse_printed(">0.05"), 0.2).status == REPRODUCED


def test_equal_p_rounds_as_printed():
    assert compare(parse_printed("p=0.027"), 0.02749).status == REPRODUCED
    assert compare(parse_printed("p=0.027"), 0.0265).rule == "half-up"     # half-even: 0.026
    assert compare(parse_printed("p=0.027"), 0.0275).status == MISMATCH    # 0.028 under both
    assert compare(parse_printed("p=0.027"), 0.0276).status == MISMATCH


def test_ci_bound_by_bound():
    ci = parse_printed("0.94\u20130.99")
    assert compare(ci, (0.9351, 0.9899)).status == REPRODUCED
    assert compare(ci, (0.9449, 0.9950)).status == MISMATCH   # upper 0.995 -> 1.00 / 1.00
    # Both ties: 0.925 -> 0.93 only half-up; 0.985 -> 0.98 only half-even.
    c = compare(parse_printed("0.93\u20130.98"), (0.925, 0.985))
    assert c.status == REPRODUCED and c.rule == "lower half-up; upper half-even"
    with pytest.raises(ValueError):
        compare(ci, 0.95)


def test_plus_minus():
    assert compare(parse_printed("8.3 \u00b1 0.3"), (8.26, 0.34)).status == REPRODUCED
    assert compare(parse_printed("8.3 \u00b1 0.3"), (8.26, 0.36)).status == MISMATCH


def test_words():
    assert compare(parse_printed("one"), 1.0).status == REPRODUCED
    assert compare(parse_printed("none"), 0.0).status == REPRODUCED
    assert compare(parse_printed("none"), 1.0).status == MISMATCH


def test_nan_is_a_mismatch():
    assert compare(parse_printed("1.0"), float("nan")).status == MISMATCH
