"""GRIM, GRIMMER, the Bhatia-Davis bound and SPRITE on cases with known answers."""

from decimal import Decimal as D
from fractions import Fraction

import numpy as np
import pytest

from analysis.audit.grim import (
    grim_sums, grimmer, max_sd, percent_counts, percent_denominators, sum_of_squares_bounds,
)
from analysis.audit.sprite import sprite


def test_grim_die_example():
    # GRIM test (Brown & Heathers 2017), the die example of its Wikipedia article: 20 rolls
    # cannot average 3.48 (k/20 has 0 or 5 in the second decimal); 3.45 = 69/20 can.
    assert grim_sums(D("3.48"), 2, 20) == []
    assert grim_sums(D("3.45"), 2, 20) == [69]


def test_grim_n28():
    # Brown & Heathers (2017, Soc Psychol Personal Sci 8:363) type of example: N = 28,
    # mean 5.19 -> sum 145.32; 145/28 = 5.1786 -> 5.18 and 146/28 = 5.2143 -> 5.21.
    assert grim_sums(D("5.19"), 2, 28) == []
    assert grim_sums(D("5.18"), 2, 28) == [145]


def test_grim_on_a_tenth_step_scale_is_vacuous_for_large_n():
    # 0.1-step data of n = 342 have means on a 1/3420 grid, finer than 0.1.
    assert len(grim_sums(D("29.5"), 1, 342, Fraction(1, 10))) > 300


def test_percent_counts_by_hand():
    # 80/190 = 42.1 %; 47.9 % of 190 needs 91 (91/190 = 47.89); no k/152 is 26.7 %.
    assert percent_counts(D("42.1"), 1, 190) == [80]
    assert percent_counts(D("47.9"), 1, 190) == [91]
    assert percent_counts(D("26.7"), 1, 152) == []          # 40/152 = 26.32, 41/152 = 26.97
    assert percent_counts(D("72"), 0, 342) == [245, 246, 247]  # 248/342 = 72.51 % -> 73


def test_percent_counts_ties_accept_either_rule():
    # 1/8 = 12.5 % -> "13" half-up, "12" half-even.
    assert 1 in percent_counts(D("13"), 0, 8) and 1 in percent_counts(D("12"), 0, 8)


def test_percent_denominators():
    # 192 as 94.1 %: 192/204 = 94.12 %; 192/203 = 94.58 %, 192/205 = 93.66 %.
    assert percent_denominators(192, D("94.1"), 1, 1, 1000) == [204]
    assert percent_denominators(80, D("47.9"), 1, 1, 1000) == [167]


def test_sum_of_squares_bounds_by_hand():
    # 5 values in [1, 5] summing to 15: least {3,3,3,3,3} = 45, greatest {5,5,3,1,1} = 61.
    assert sum_of_squares_bounds(15, 5, 1, 5) == (45, 61)
    assert sum_of_squares_bounds(26, 5, 1, 5) is None


def test_grimmer_by_hand():
    # {1,2,3,4,5}: S = 15, Q = 55, SD = sqrt(2.5) = 1.5811 -> "1.58". Q must be odd
    # (parity of S): Q = 53 gives SD 1.414, Q = 57 gives 1.732, so "1.60" is impossible.
    assert grimmer(D("3.00"), 2, D("1.58"), 2, 5, 1, 5) == [(15, 55)]
    assert grimmer(D("3.00"), 2, D("1.60"), 2, 5, 1, 5) == []


def test_bhatia_davis_bound():
    # Mean 4 on [1, 7] with n = 10: five 1s and five 7s give the largest SD,
    # sqrt(10/9 * 9) = 3.1623 (Bhatia & Davis 2000, sample correction n/(n-1)).
    assert max_sd(Fraction(4), 10, 1, 7) == pytest.approx(3.16228, abs=1e-5)


def test_sprite_finds_a_sample_that_prints_as_reported():
    # SPRITE (Heathers et al. 2018): n = 10 on 1-7 with mean 4.00 (S = 40): SD 2.98 is
    # feasible (Q = 240: var = (240 - 160)/9 = 8.889, SD 2.981); the sample is checked with
    # numpy, not with the search's own arithmetic.
    x = sprite(D("4.00"), 2, D("2.98"), 2, 10, 1, 7, seed=1)
    assert x is not None and x.min() >= 1 and x.max() <= 7 and x.size == 10
    assert f"{x.mean():.2f}" == "4.00" and f"{np.std(x, ddof=1):.2f}" == "2.98"


def test_grimmer_parity_rules_out_an_sd_inside_the_bound():
    # Same data, SD 3.00: var in [8.970, 9.030] needs Q in [240.73, 241.27], i.e. Q = 241,
    # but Q must be even like S = 40 (x^2 and x have the same parity): impossible, although
    # 3.00 is below the Bhatia-Davis bound 3.16.
    assert grimmer(D("4.00"), 2, D("3.00"), 2, 10, 1, 7) == []
    assert sprite(D("4.00"), 2, D("3.00"), 2, 10, 1, 7) is None


def test_sprite_and_grimmer_agree_on_an_impossible_sd():
    # SD 3.20 exceeds the bound 3.16 for mean 4 on [1, 7], n = 10.
    assert sprite(D("4.00"), 2, D("3.20"), 2, 10, 1, 7) is None
    assert grimmer(D("4.00"), 2, D("3.20"), 2, 10, 1, 7) == []


def test_sprite_is_deterministic_for_a_seed():
    a = sprite(D("6.8"), 1, D("3.1"), 1, 342, 0, 10, seed=3)
    b = sprite(D("6.8"), 1, D("3.1"), 1, 342, 0, 10, seed=3)
    assert np.array_equal(a, b)
    assert f"{a.mean():.1f}" == "6.8" and f"{np.std(a, ddof=1):.1f}" == "3.1"
