"""Matsutani 2021 study blocks on the hand-made cohort (tests/matsutani/data/hand).

Every expected value below is worked by hand from the CSVs; the arithmetic is in
the comments. The cohort: S01-S05 TAC_ONLY (analysed), S06-S08 TAC_TCS, S09-S10 NONE.
S04 has baseline head/neck EASI 0 (improvement rate undefined). S06 (not analysed)
has EASI values that would change every analysed number if it leaked in.
"""

from __future__ import annotations

import math

import pytest
from scipy import stats as sps

from analysis.errors import InputError
from analysis.results.ard import select, value
from analysis.studies import matsutani2021

from cohort_csv import read_hand

G = "TACGRP=TAC_ONLY"
W16 = "WEEK 16 vs BASELINE"


def v(ard, **c):
    return value(ard, **c)


def test_patient_flow(hand_ard):
    a = dict(analysis="patient_flow", group="all")
    assert v(hand_ard, **a, variable="STARTERS", statistic="count") == 10
    # users = 3 TAC_TCS + 5 TAC_ONLY = 8 of 10 starters = 80 %
    assert v(hand_ard, **a, variable="TACROLIMUS", statistic="count") == 8
    assert v(hand_ard, **a, variable="TACROLIMUS", statistic="percent") == 80.0
    # of the 8 users: 3/8 = 37.5 %, 5/8 = 62.5 %
    assert v(hand_ard, **a, variable="TACGRP=TAC_TCS", statistic="percent") == 37.5
    assert v(hand_ard, **a, variable="TACGRP=TAC_ONLY", statistic="percent") == 62.5
    assert v(hand_ard, **a, variable="TACGRP=NONE", statistic="count") == 2
    assert v(hand_ard, **a, variable="ANALYSED", statistic="count") == 5


@pytest.mark.parametrize("rule, n01, n003", [
    # S01 0.1/0.1/0.1, S02 0.1/0.1/0.1, S03 0.03/0.03/0.1, S04 0.03 x3, S05 0.1/0.1/none
    ("ever", 4, 2),   # 0.1: S01 S02 S03 S05; 0.03: S03 S04 (switcher S03 in both)
    ("first", 3, 2),  # 0.1: S01 S02 S05;     0.03: S03 S04
    ("last", 4, 1),   # 0.1: S01 S02 S03 S05 (S05's last recorded is 0.1); 0.03: S04
])
def test_ointment_strength_rules(hand_ard, rule, n01, n003):
    a = dict(analysis=f"ointment_strength_{rule}", group=G)
    assert v(hand_ard, **a, variable="TACSTR=0.1", statistic="count") == n01
    assert v(hand_ard, **a, variable="TACSTR=0.1", statistic="percent") == 100 * n01 / 5
    assert v(hand_ard, **a, variable="TACSTR=0.03", statistic="count") == n003
    assert v(hand_ard, **a, variable="SWITCH=0.03->0.1", statistic="count") == 1
    assert v(hand_ard, **a, variable="SWITCH=0.1->0.03", statistic="count") == 0
    assert v(hand_ard, **a, variable="TACSTR=NOT RECORDED", statistic="count") == 0


def test_headline_counting_rule_is_recorded(hand_ard):
    rows = select(hand_ard, analysis="ointment_strength_ever", variable="TACSTR=0.1",
                  statistic="count")
    assert '"counting": "ever"' in rows["params"].item()
    assert '"headline": true' in rows["params"].item()


def test_measures_by_visit(hand_ard):
    a = dict(analysis="measures_by_visit", group=G)
    # EASI baseline 20, 30, 10, 16, 24: mean 100/5 = 20; deviations 0, 10, -10, -4, 4
    # -> SS 232, SD sqrt(232/4) = sqrt(58); sorted 10 16 20 24 30: median 20, q1 16, q3 24
    assert v(hand_ard, **a, variable="EASI", visit="BASELINE", statistic="mean") == 20.0
    assert v(hand_ard, **a, variable="EASI", visit="BASELINE", statistic="sd") == pytest.approx(math.sqrt(58))
    assert v(hand_ard, **a, variable="EASI", visit="BASELINE", statistic="median") == 20.0
    assert v(hand_ard, **a, variable="EASI", visit="BASELINE", statistic="q1") == 16.0
    assert v(hand_ard, **a, variable="EASI", visit="BASELINE", statistic="q3") == 24.0
    # the extra visit present in the data (EASI week 4: 12 15 6 12 10, mean 55/5 = 11)
    assert v(hand_ard, **a, variable="EASI", visit="WEEK 4", statistic="mean") == 11.0
    # TARC week 16: 300 400 200 600 500 -> mean 400, median 400
    assert v(hand_ard, **a, variable="TARC", visit="WEEK 16", statistic="mean") == 400.0
    assert v(hand_ard, **a, variable="IGA", visit="BASELINE", statistic="n") == 5


@pytest.mark.parametrize("param, expected", [
    ("EASI", 100 * (20.0 - 5.6) / 20.0),        # post 5+9+4+8+2 = 28 -> 5.6; 72 %
    ("EASIHN", 100 * (2.0 - 0.4) / 2.0),        # base 10/5 = 2 (S04's 0 included), post 2/5 -> 80 %
    ("IGA", 100 * (3.2 - 1.4) / 3.2),           # base 16/5, post 7/5 -> 56.25 %
    ("POEM", 100 * (15.0 - 4.0) / 15.0),        # base 75/5, post 20/5 -> 73.33 %
    ("TARC", 100 * (3800.0 - 400.0) / 3800.0),  # base 19000/5, post 2000/5 -> 89.47 %
])
def test_reduction_of_means(hand_ard, param, expected):
    got = v(hand_ard, analysis="pct_reduction_of_means", variable=param, group=G, visit=W16,
            statistic="reduction")
    assert got == pytest.approx(expected, rel=1e-12)


def test_mean_of_improvement_rates_and_zero_baseline(hand_ard):
    a = dict(analysis="improvement_rate", group=G, visit=W16)
    # EASI per patient: 75, 70, 60, 50, 100*22/24 -> mean (255 + 275/3)/5 = 69.333...
    assert v(hand_ard, **a, variable="EASI", statistic="mean") == pytest.approx((255 + 275 / 3) / 5)
    assert v(hand_ard, **a, variable="EASI", statistic="n_undefined_base0") == 0
    # EASIHN: S04 baseline 0 -> undefined; the rest 75, 80, 60, 95 -> mean 77.5 over n = 4
    assert v(hand_ard, **a, variable="EASIHN", statistic="mean") == pytest.approx(77.5)
    assert v(hand_ard, **a, variable="EASIHN", statistic="n") == 4
    assert v(hand_ard, **a, variable="EASIHN", statistic="n_undefined_base0") == 1
    note = select(hand_ard, analysis="run_notes", variable="EASIHN", statistic="undefined_improvement_rate")
    assert note["value"].item() == 1 and "baseline EASIHN = 0" in note["method"].item()
    # IGA per patient: 200/3, 50, 100/3, 50, 75 -> sum 275 -> mean 55
    assert v(hand_ard, **a, variable="IGA", statistic="mean") == pytest.approx(55.0)
    # no NaN anywhere in the ARD except where a statistic is undefined by nature
    assert not hand_ard["value"].isna().any()


def test_wilcoxon_exact(hand_ard):
    a = dict(analysis="wilcoxon_signed_rank", group=G, visit=W16)
    # EASI differences -15 -21 -6 -8 -22: all negative, T+ = 0; exact two-sided p = 2/2^5
    assert v(hand_ard, **a, variable="EASI", statistic="statistic") == 0
    assert v(hand_ard, **a, variable="EASI", statistic="p_value") == pytest.approx(2 / 32)
    # EASIHN differences -1.5 -2.4 -0.6 +0.3 -3.8: |d| ranks 3 4 2 1 5, T+ = 1;
    # P(T+ <= 1) = #{ {}, {1} } / 32 = 2/32 -> two-sided 4/32
    assert v(hand_ard, **a, variable="EASIHN", statistic="statistic") == 1
    assert v(hand_ard, **a, variable="EASIHN", statistic="p_value") == pytest.approx(4 / 32)
    # IGA differences -2 -2 -1 -1 -3 (ties): T+ = 0, the all-negative sign pattern is the
    # only one reaching it, so p = 2/32 under the exact conditional distribution too
    assert v(hand_ard, **a, variable="IGA", statistic="p_value") == pytest.approx(2 / 32)
    method = select(hand_ard, **a, variable="IGA", statistic="p_value")["method"].item()
    assert "exact" in method and "tied" in method and "Wilcox" in method


def test_paired_t(hand_ard):
    a = dict(analysis="paired_t", group=G, visit=W16, variable="EASI")
    # d = -15 -21 -6 -8 -22, mean -14.4; deviations -0.6 -6.6 8.4 6.4 -7.6 -> SS 213.2,
    # var 53.3, se sqrt(53.3/5); t = -14.4 / sqrt(10.66) = -4.41045 on 4 df
    t = -14.4 / math.sqrt(10.66)
    assert v(hand_ard, **a, statistic="statistic") == pytest.approx(t)
    assert v(hand_ard, **a, statistic="df") == 4
    # p from scipy's t distribution (an implementation independent of analysis.stats)
    assert v(hand_ard, **a, statistic="p_value") == pytest.approx(2 * sps.t.sf(abs(t), 4))


def test_improvement_correlation(hand_ard):
    a = dict(group=G, visit=W16, variable="EASIHN vs EASI")
    # S04 left out (EASIHN baseline 0). x = EASIHN rates 75 80 60 95 (mean 77.5),
    # y = EASI rates 75 70 60 275/3 (mean 74.1667). dx = -2.5 2.5 -17.5 17.5,
    # dy = 0.8333 -4.1667 -14.1667 17.5; Sxy = 541.667, Sxx = 625, Syy = 525
    r = (1625 / 3) / math.sqrt(625 * 525)
    assert v(hand_ard, analysis="improvement_correlation_pearson", **a,
             statistic="estimate") == pytest.approx(r)
    assert v(hand_ard, analysis="improvement_correlation_pearson", **a, statistic="df") == 2
    assert v(hand_ard, analysis="improvement_correlation_pearson", **a,
             statistic="n_excluded_base0") == 1
    # Spearman: ranks x 2 3 1 4, y 3 2 1 4; sum d^2 = 2 -> rho = 1 - 6*2/(4*15) = 0.8
    assert v(hand_ard, analysis="improvement_correlation_spearman", **a,
             statistic="estimate") == pytest.approx(0.8)
    pe = select(hand_ard, analysis="improvement_correlation_pearson", **a, statistic="p_value")
    assert pe["n"].item() == 4


def test_adverse_events(hand_ard):
    a = dict(analysis="adverse_events")
    # analysed: conjunctivitis S01, S03 -> 2/5 = 40 %; herpes none (S06 is TAC_TCS, S09 NONE)
    assert v(hand_ard, **a, group=G, variable="", statistic="n") == 5
    assert v(hand_ard, **a, group=G, variable="AEDECOD=CONJUNCTIVITIS", statistic="percent") == 40.0
    assert v(hand_ard, **a, group=G, variable="AEDECOD=HERPES SIMPLEX", statistic="count") == 0
    # TAC_TCS: herpes S06 -> 1/3; conjunctivitis S07 -> 1/3
    t = "TACGRP=TAC_TCS"
    assert v(hand_ard, **a, group=t, variable="", statistic="n") == 3
    assert v(hand_ard, **a, group=t, variable="AEDECOD=HERPES SIMPLEX", statistic="percent") == pytest.approx(100 / 3)


def test_missing_optional_blocks_are_skipped_with_notes():
    ds = read_hand(drop=("events", "topicals"))
    ds.tables["measurements"] = ds["measurements"].query("PARAMCD != 'TARC'")
    ard = matsutani2021.run(ds)
    notes = select(ard, analysis="run_notes", statistic="skipped")
    assert set(notes["variable"]) >= {"TARC", "adverse_events", "ointment_strength"}
    assert select(ard, variable="TARC", analysis="measures_by_visit").empty
    assert select(ard, analysis="adverse_events").empty
    # the rest still runs
    assert v(ard, analysis="pct_reduction_of_means", variable="EASI", group=G, visit=W16,
             statistic="reduction") == pytest.approx(72.0)


def test_bad_option_is_refused(hand):
    with pytest.raises(InputError) as err:
        matsutani2021.run(hand, {"strength_counting": "sometimes", "nonsense": 1})
    assert len(err.value.problems) == 2


def test_other_counting_rule_is_recorded(hand):
    ard = matsutani2021.run(hand, {"strength_counting": "first"})
    assert '"headline": true' in select(ard, analysis="ointment_strength_first", variable="TACSTR=0.1",
                                        statistic="count")["params"].item()
    assert not select(ard, analysis="study_options", variable="strength_counting=first").empty
