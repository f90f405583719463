"""derive.categories / tabulate / topicals / tte / visits on hand-worked examples."""

import math

import numpy as np
import pandas as pd
import pytest

from analysis.derive.categories import (
    combination, easi_band, equals, reduction_responder, threshold_flag, yn,
)
from analysis.derive.tabulate import frequencies, summaries, two_by_two_counts
from analysis.derive.topicals import TACROLIMUS_CODES, ever_uses, uses
from analysis.derive.tte import event_flag, from_visits, one_row_per_patient, started_after, to_unit
from analysis.derive.visits import visit_wide


def test_easi_bands_at_the_printed_edges():
    # Bands printed as 0 / 0.1-1 / 1.1-7 / 7.1-21 / 21.1-50 / 50.1-72: each printed
    # upper edge belongs to its band, the next tenth to the next band.
    values = [0, 0.1, 1, 1.1, 7, 7.1, 21, 21.1, 50, 50.1, 72]
    assert easi_band(values).tolist() == [
        "CLEAR", "ALMOST CLEAR", "ALMOST CLEAR", "MILD", "MILD", "MODERATE", "MODERATE",
        "SEVERE", "SEVERE", "VERY SEVERE", "VERY SEVERE"]
    assert easi_band([1.05]).tolist() == ["MILD"]  # between printed bands: closed at the top
    with pytest.raises(ValueError):
        easi_band([72.5])


def test_threshold_and_responder_flags_keep_missing_apart():
    assert threshold_flag([21, 21.1, None], ">", 21).tolist()[:2] == [0.0, 1.0]
    assert math.isnan(threshold_flag([None], ">", 21).iloc[0])
    # 8 -> 4 is a 4-point reduction (responder); 8 -> 5 is not; a missing side is NaN
    r = reduction_responder([8, 8, None, 3], [4, 5, 1, 5], 4).tolist()
    assert r[:2] == [1.0, 0.0] and math.isnan(r[2]) and r[3] == 0.0


def test_yes_no_codes_and_exact_site_combinations():
    assert yn(pd.Series(["Y", "N", np.nan])).tolist()[:2] == [1.0, 0.0]
    assert equals(pd.Series(["RELAPSING", "OTHER", ""]), "RELAPSING").tolist()[:2] == [1.0, 0.0]
    flags = {"FACE": pd.Series([1.0, 1.0, 0.0, np.nan]), "HANDS": pd.Series([1.0, 0.0, 0.0, 1.0]),
             "GENITALIA": pd.Series([1.0, 0.0, 0.0, 0.0])}
    labels = combination(flags).tolist()
    assert labels[:3] == ["FACE+HANDS+GENITALIA", "FACE", "NONE"] and pd.isna(labels[3])


def test_frequencies_denominators():
    flag = pd.Series([1.0, 0.0, np.nan, 1.0], index=list("abcd"))
    grp = {"all": pd.Series(True, index=flag.index), "G": pd.Series([True, True, True, False], index=flag.index)}
    classified = frequencies({"X": flag}, grp).set_index("group")
    # all: 2 of the 3 classified; G: 1 of 2 classified (c missing)
    assert classified.loc["all", ["count", "n"]].tolist() == [2, 3]
    assert classified.loc["G", ["count", "n"]].tolist() == [1, 2]
    whole = frequencies({"X": flag}, grp, denominator="group").set_index("group")
    assert whole.loc["all", ["count", "n", "percent"]].tolist() == [2, 4, 50.0]


def test_summaries_and_two_by_two_counts():
    w = pd.DataFrame({"BASELINE": [1.0, 2.0, 6.0], "WEEK 4": [np.nan, 4.0, 4.0]})
    s = summaries(w, "EASI").set_index(["visit", "statistic"])["value"]
    assert s[("BASELINE", "mean")] == 3.0 and s[("WEEK 4", "n")] == 2
    # sd of 1, 2, 6: mean 3, squares 4 + 1 + 9 = 14, /2 = 7 -> sqrt(7)
    assert s[("BASELINE", "sd")] == pytest.approx(7 ** 0.5)
    g = pd.Series([1.0, 1.0, 1.0, 0.0, 0.0, np.nan])
    o = pd.Series([1.0, 1.0, 0.0, 1.0, 0.0, 1.0])
    assert two_by_two_counts(g, o) == (2, 1, 1, 1)


def test_visit_wide_keeps_patients_without_rows():
    m = pd.DataFrame({"USUBJID": ["a", "a", "b"], "PARAMCD": ["EASI", "EASI", "DLQI"],
                      "AVISIT": ["BASELINE", "WEEK 4", "BASELINE"], "AVAL": [10.0, 4.0, 3.0]})
    w = visit_wide(m, "AVAL", ["BASELINE", "WEEK 4"], patients=["a", "b"], paramcd="EASI")
    assert w.loc["a"].tolist() == [10.0, 4.0] and w.loc["b"].isna().all()
    dup = pd.concat([m, m.iloc[[0]]])
    with pytest.raises(ValueError):
        visit_wide(dup, "AVAL", ["BASELINE"], paramcd="EASI")


def test_topical_use_flags():
    codes = pd.DataFrame({"BASELINE": ["NONE", "BOTH", "TCS"], "WEEK 4": ["TAC", np.nan, np.nan]},
                         index=["a", "b", "c"])
    assert uses(codes["BASELINE"], TACROLIMUS_CODES).tolist() == [0.0, 1.0, 0.0]
    assert ever_uses(codes, TACROLIMUS_CODES, ["BASELINE", "WEEK 4"]).tolist() == [1.0, 1.0, 0.0]


def test_time_to_first_use_from_visits():
    codes = pd.DataFrame({"BASELINE": ["TAC", "NONE", "NONE", "NONE", np.nan],
                          "WEEK 4": ["TAC", "NONE", "BOTH", np.nan, np.nan],
                          "WEEK 16": [np.nan, "NONE", "NONE", np.nan, np.nan]},
                         index=list("abcde"))
    t = from_visits(codes, TACROLIMUS_CODES, {"BASELINE": 0, "WEEK 4": 28, "WEEK 16": 112})
    # a: user at baseline -> event day 0; b: never, last record week 16 -> censored 112;
    # c: first use week 4 -> event 28; d: baseline only -> censored 0; e: no record -> left out
    assert t.to_dict("index") == {"a": {"AVAL": 0.0, "CNSR": 0}, "b": {"AVAL": 112.0, "CNSR": 1},
                                  "c": {"AVAL": 28.0, "CNSR": 0}, "d": {"AVAL": 0.0, "CNSR": 1}}
    assert event_flag(t["CNSR"]).tolist() == [1, 0, 1, 0]
    assert to_unit(pd.Series([30.4375]), "months").iloc[0] == pytest.approx(1.0)


def test_started_after_week_k_populations():
    codes = pd.DataFrame({"BASELINE": ["NONE", "TAC", "NONE", "NONE"],
                          "WEEK 4": ["NONE", "TAC", "NONE", "TAC"],
                          "WEEK 16": ["TAC", "TAC", "NONE", "TAC"]}, index=list("abcd"))
    naive = started_after(codes, TACROLIMUS_CODES, ["BASELINE", "WEEK 4"], ["WEEK 16"], "naive")
    # a starts at week 16; c never; b and d used tacrolimus by week 4 -> not at risk
    assert naive["AT_RISK"].tolist() == [True, False, True, False]
    assert naive["STARTED"].dropna().tolist() == [1.0, 0.0]
    everyone = started_after(codes, TACROLIMUS_CODES, ["BASELINE", "WEEK 4"], ["WEEK 16"], "all")
    assert everyone["STARTED"].tolist() == [1.0, 0.0, 0.0, 0.0]


def test_one_row_per_patient_drops_incomplete():
    times = pd.DataFrame({"AVAL": [10.0, 20.0, 30.0], "CNSR": [0, 1, 0]}, index=["a", "b", "c"])
    cov = pd.DataFrame({"AGE": [30.0, np.nan, 50.0]}, index=["a", "b", "c"])
    d = one_row_per_patient(times, cov)
    assert d.index.tolist() == ["a", "c"] and d["event"].tolist() == [1, 1]
    assert d.attrs["n_dropped"] == 1
