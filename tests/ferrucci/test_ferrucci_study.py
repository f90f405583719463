"""The Ferrucci study on the 14-patient hand cohort: values worked by hand.

Expected values are computed by hand from tests/ferrucci/data/*.csv (arithmetic in
the comments), never by the code under test.
"""

import json

import pytest

from analysis.errors import InputError
from analysis.results.ard import select, value
from analysis.studies import ferrucci2022

from cohort_csv import read_cohort


def v(ard, **coords):
    return value(ard, **coords)


def test_flow(ard):
    assert v(ard, analysis="flow", variable="ENROLLED", statistic="count") == 14
    assert v(ard, analysis="flow", variable="EVALUABLE", group="all", statistic="count") == 13
    assert v(ard, analysis="flow", variable="EXCLUDED", group="all", statistic="count") == 1
    assert v(ard, analysis="flow", variable="EXCLUDED", group="EVALRSN=NON-ADHERENCE", statistic="count") == 1
    # EASI at week 52: P09, P10, P12 missing -> 11; topicals at week 52 over the 13
    # evaluable: P09, P10, P12 missing -> 10 (P13 not evaluable)
    assert v(ard, analysis="flow", variable="EASI", visit="WEEK 52", statistic="n") == 11
    assert v(ard, analysis="flow", variable="TOPICAL", visit="WEEK 52", statistic="n") == 10


def test_demographics(ard):
    # 8 males (P03 P04 P06 P07 P09 P11 P12 P14) of 14 = 57.142857 %
    assert v(ard, analysis="demographics", variable="SEX=M", statistic="percent") == pytest.approx(800 / 14)
    # AGE: 25+31+45+52+19+60+38+28+41+33+47+55+22+30 = 526 -> 526/14
    assert v(ard, analysis="demographics", variable="AGE", statistic="mean") == pytest.approx(526 / 14)
    # AGECUR = AGE + 1 for everyone -> mean + 1, same SD
    assert v(ard, analysis="demographics", variable="AGECUR", statistic="mean") == pytest.approx(540 / 14)
    assert v(ard, analysis="demographics", variable="AGECUR", statistic="sd") == pytest.approx(
        v(ard, analysis="demographics", variable="AGE", statistic="sd"))


def test_table1_cells(ard):
    t1 = dict(analysis="table1")
    # relapsing males: P03 P07 P11 P14 = 4 of 8
    assert v(ard, **t1, variable="COURSE=RELAPSING", group="SEX=M", statistic="count") == 4
    assert v(ard, **t1, variable="COURSE=RELAPSING", group="SEX=M", statistic="percent") == 50.0
    # face+hands exactly: P01 P08 P10 (all female) -> 3 of 6 = 50 %; 0 males
    assert v(ard, **t1, variable="SITES=FACE+HANDS", group="SEX=F", statistic="count") == 3
    assert v(ard, **t1, variable="SITES=FACE+HANDS", group="SEX=M", statistic="count") == 0
    # face only: P02 (F), P11 (M); P14 has SITEFACE blank -> no combination, not counted
    assert v(ard, **t1, variable="SITES=FACE", group="all", statistic="count") == 2
    # column n is the whole column (option table1_denominator = "group")
    assert v(ard, **t1, variable="SITES=FACE", group="all", statistic="percent") == pytest.approx(200 / 14)
    assert v(ard, **t1, variable="SUBJECTS", group="SEX=F", statistic="n") == 6
    # food allergy: only P05 (P14 blank counts as not present over the column n)
    assert v(ard, analysis="comorbidities", variable="FOODFL=Y", statistic="percent") == pytest.approx(100 / 14)


def test_easi_by_visit(ard):
    e = dict(analysis="easi_by_visit", group="all")
    # baseline: 30+28+35+26+40+24+32+29+33+27+25+36+31+30 = 426 over 14
    assert v(ard, **e, variable="EASI", visit="BASELINE", statistic="mean") == pytest.approx(426 / 14)
    # week 4: 13 values (P12 missing); only P05 (22.5) is > 21
    assert v(ard, **e, variable="EASI>21", visit="WEEK 4", statistic="count") == 1
    assert v(ard, **e, variable="EASI>21", visit="WEEK 4", statistic="percent") == pytest.approx(100 / 13)
    assert v(ard, **e, variable="EASI>21", visit="BASELINE", statistic="percent") == 100.0
    # paired t, week 4 - baseline over 13 pairs: differences sum to -283.1
    # (-25 -21.5 -23 -19 -17.5 -21 -23 -14 -28 -20 -21 -27 -23.1)
    est = v(ard, analysis="easi_paired_t", visit="WEEK 4 vs BASELINE", statistic="estimate")
    assert est == pytest.approx(-283.1 / 13)


def test_nrs_and_dlqi(ard):
    # sleep NRS >= 4-point responders at week 52 over the 11 with both values:
    # reductions 7 7 5 7 9 3 5 6 4 9 7 (P01..P08, P11, P13, P14) -> 10 of 11
    r = dict(analysis="nrs_responders", variable="SNRS", visit="WEEK 52")
    assert v(ard, **r, statistic="count") == 10
    assert select(ard, **r, statistic="percent")["n"].item() == 11
    # itch at week 4: 8->4, 9->5, 7->3, 8->5, 10->6, 6->2, 9->4, 8->5, 7->3, 9->6, 7->3, 8->4, 9->5
    # responders (>= 4): P01 P02 P03 P05 P06 P07 P09 P11 P13 P14 = 10 of 13
    assert v(ard, analysis="nrs_responders", variable="PNRS", visit="WEEK 4", statistic="count") == 10
    # DLQI < 10 at baseline: P06 (8), P08 (9); P02 has exactly 10 -> 2 of 14
    d = dict(analysis="dlqi_by_visit", variable="DLQI<10")
    assert v(ard, **d, visit="BASELINE", statistic="count") == 2
    assert v(ard, **d, visit="BASELINE", statistic="percent") == pytest.approx(200 / 14)
    assert select(ard, analysis="dlqi_change_test", visit="WEEK 52 vs BASELINE",
                  statistic="p_value")["n"].item() == 11


def test_table2_and_mcnemar(ard):
    t2 = dict(analysis="table2", group="all")
    # baseline over 13 evaluable: NONE P05 P06 P09 P11 P12; TCS P03 P04 P07 P10 P14;
    # TAC P01 (P13 is not evaluable); BOTH P02 P08
    counts = {c: v(ard, **t2, variable=f"TOPICAL={c}", visit="BASELINE", statistic="count")
              for c in ("NONE", "TCS", "TAC", "BOTH")}
    assert counts == {"NONE": 5, "TCS": 5, "TAC": 1, "BOTH": 2}
    assert v(ard, **t2, variable="TOPICAL", visit="WEEK 16", statistic="n") == 11
    # week 52: TAC P01 P03 P04 of 10 -> 30 %
    assert v(ard, **t2, variable="TOPICAL=TAC", visit="WEEK 52", statistic="percent") == 30.0
    # McNemar, tacrolimus alone, week 52 vs baseline, 10 pairs: b (yes->no) 0, c (no->yes)
    # 2 (P03, P04): exact p = 2 * P(X <= 0 | 2, 1/2) = 2 * 1/4 = 0.5
    m = dict(analysis="table2_mcnemar", variable="TOPICAL=TAC", visit="WEEK 52 vs BASELINE")
    assert v(ard, **m, statistic="b") == 0 and v(ard, **m, statistic="c") == 2
    assert v(ard, **m, statistic="p_value") == pytest.approx(0.5)
    assert json.loads(select(ard, **m, statistic="p_value")["params"].item())["variant"] == "exact"


def test_easi_below_7_at_week4_by_baseline_tacrolimus(ard):
    e = dict(analysis="easi_lt7_w4_by_tacbl", variable="EASI<7", visit="WEEK 4")
    # TACBL (tacrolimus alone or with TCS at baseline): P01 5.0, P02 6.5, P08 15 -> 2 of 3
    assert v(ard, **e, group="TACBL=Y", statistic="count") == 2
    # others with a week-4 EASI: P03 12, P04 7.0, P05 22.5, P06 3.0, P07 9, P09 5.0,
    # P10 7.0, P11 4.0, P14 6.9 -> below 7: P06 P09 P11 P14 = 4 of 9 (7.0 is not < 7)
    assert v(ard, **e, group="TACBL=N", statistic="count") == 4
    assert select(ard, **e, group="TACBL=N", statistic="percent")["n"].item() == 9
    # Pearson chi-square of [[2, 1], [4, 5]]: 12 (2*5 - 1*4)^2 / (3*9*6*6) = 432/972
    assert v(ard, **e, group="TACBL=Y vs TACBL=N", statistic="statistic") == pytest.approx(432 / 972)
    # p from R: pchisq(432/972, 1, lower.tail = FALSE) = 0.5049851
    assert v(ard, **e, group="TACBL=Y vs TACBL=N", statistic="p_value") == pytest.approx(0.5049851, abs=1e-6)
    bands = dict(analysis="easi_bands_w4_by_tacbl", group="TACBL=Y", visit="WEEK 4")
    assert v(ard, **bands, variable="EASIBAND=MILD", statistic="count") == 2
    assert v(ard, **bands, variable="EASIBAND=MODERATE", statistic="count") == 1


def test_time_to_tacrolimus_from_adtte(ard):
    t = dict(analysis="tac_time_to_start", variable="TTTAC", group="all")
    # 13 evaluable rows (P13's is dropped); events P01 P02 P08 (day 0), P05, P03, P10, P04, P07
    assert select(ard, **t, statistic="events")["n"].item() == 13
    assert v(ard, **t, statistic="events") == 8
    # tau defaults to the largest time, 370 days = 370 / 30.4375 months
    assert v(ard, **t, statistic="tau") == pytest.approx(370 / 30.4375)


def test_time_to_tacrolimus_from_visits_hand_km():
    ard = ferrucci2022.run(read_cohort(drop=("tte",)))
    t = dict(analysis="tac_time_to_start", variable="TTTAC", group="all")
    # From topical visits (day = 7 x week), 13 evaluable patients:
    #   events day 0: P01 P02 P08; censored 0: P12; day 28: event P05, censored P09;
    #   day 112: events P03 P10; day 364: events P04 P07, censored P06 P11 P14.
    # KM: S(0) = 10/13; at 28 risk 9, 1 event -> x 8/9; at 112 risk 7, 2 events -> x 5/7
    # Area to tau = 364: 28*10/13 + 84*80/117 + 252*400/819 = 202.05128 days
    assert v(ard, **t, statistic="rmst") == pytest.approx(202.051282 / 30.4375, rel=1e-6)
    assert v(ard, **t, statistic="events") == 8
    # median: first time with S <= 0.5 is day 112 (S = 400/819 = 0.488)
    assert v(ard, **t, statistic="median") == pytest.approx(112 / 30.4375)
    km = select(ard, analysis="tac_km", statistic="survival")
    assert km["value"].iloc[0] == pytest.approx(10 / 13)


def test_baseline_users_can_be_excluded():
    ard = ferrucci2022.run(read_cohort(), {"tte_baseline_users": "exclude"})
    row = select(ard, analysis="tac_time_to_start", variable="TTTAC", group="all", statistic="events")
    # P01 P02 P08 used tacrolimus at baseline: 13 - 3 = 10 patients, 8 - 3 = 5 events
    assert row["n"].item() == 10 and row["value"].item() == 5
    assert json.loads(row["params"].item())["tte_baseline_users"] == "exclude"


def test_baseline_tacrolimus_users_vs_others(ard):
    t = dict(analysis="tacbl_vs_others")
    # female: TACBL=Y P01 P02 P08 -> 3 of 3; others P05 P10 -> 2 of 10
    assert v(ard, **t, variable="SEX=F", group="TACBL=Y", statistic="count") == 3
    assert v(ard, **t, variable="SEX=F", group="TACBL=N", statistic="percent") == 20.0
    # baseline DLQI: users 12, 10, 9 -> mean 31/3; others 20 18 25 8 16 22 14 11 19 13 -> 166/10
    assert v(ard, **t, variable="DLQI", group="TACBL=Y", visit="BASELINE", statistic="mean") == pytest.approx(31 / 3)
    assert v(ard, **t, variable="DLQI", group="TACBL=N", visit="BASELINE", statistic="mean") == pytest.approx(16.6)
    assert v(ard, **t, variable="DLQI", group="TACBL=Y vs TACBL=N", visit="BASELINE",
             statistic="estimate") == pytest.approx(31 / 3 - 16.6)


def test_options_are_recorded_and_checked(ard):
    opts = json.loads(select(ard, analysis="availability", variable="ALL")["params"].item())
    assert opts["mcnemar_variant"] == "exact" and opts["tacbl_definition"] == "TAC_OR_BOTH"
    with pytest.raises(InputError):
        ferrucci2022.run(read_cohort(), {"no_such_option": 1})
    with pytest.raises(InputError):
        ferrucci2022.run(read_cohort(), {"mcnemar_variant": "bogus"})


def test_variant_changes_the_p_value():
    ard = ferrucci2022.run(read_cohort(), {"mcnemar_variant": "chi2"})
    m = dict(analysis="table2_mcnemar", variable="TOPICAL=TAC", visit="WEEK 52 vs BASELINE",
             statistic="p_value")
    # (0 - 2)^2 / 2 = 2 on 1 df: R pchisq(2, 1, lower.tail = FALSE) = 0.1572992
    assert v(ard, **m) == pytest.approx(0.1572992, abs=1e-6)


def test_missing_optional_tables_and_params_still_run():
    ds = read_cohort(drop=("topicals", "tte"))
    ds.tables["measurements"] = ds["measurements"][ds["measurements"]["PARAMCD"] != "SNRS"]
    ard = ferrucci2022.run(ds)
    avail = select(ard, analysis="availability").set_index("variable")
    assert avail.loc["table2", "value"] == 0 and "topicals" in avail.loc["table2", "method"]
    assert avail.loc["nrs_by_visit:SNRS", "value"] == 0
    assert avail.loc["easi_by_visit", "value"] == 1
    assert select(ard, analysis="table2").empty
    assert select(ard, analysis="nrs_by_visit", variable="SNRS").empty
    assert not select(ard, analysis="nrs_by_visit", variable="PNRS").empty


def test_late_start_populations(ard):
    # naive through week 4 with a later record: P03 P04 P06 P07 P10 P11 P14 (7);
    # started after week 4: P03 (wk16), P04 (wk52), P07 (wk52), P10 (wk16) = 4
    s = dict(analysis="late_tac_start", variable="STARTED", group="all")
    row = select(ard, **s, visit="AFTER WEEK 4", statistic="count")
    assert row["value"].item() == 4 and row["n"].item() == 7
    # naive through week 16 with a week-52 record: P04 P06 P07 P11 P14 (P09 has no
    # week 52); started: P04, P07
    row = select(ard, **s, visit="AFTER WEEK 16", statistic="count")
    assert row["value"].item() == 2 and row["n"].item() == 5


def test_models_when_their_statistics_exist(ard):
    from analysis.studies.ferrucci2022_common import stats_function

    if stats_function("regression", "logistic") is not None:
        for visit, n in (("AFTER WEEK 4", 7), ("AFTER WEEK 16", 5)):
            row = select(ard, analysis="late_tac_start", variable="AGE", visit=visit, statistic="p_value")
            assert row["n"].item() == n
    if stats_function("anova", "rm_anova") is not None:
        # complete EASI cases over the 4 visits: P01-P08, P11, P13, P14 = 11 patients
        row = select(ard, analysis="easi_rm_anova", variable="EASI", statistic="p_value")
        assert row["n"].item() == 11
    if stats_function("anova", "rm_anova") is None and stats_function("regression", "logistic") is None:
        import pytest

        pytest.skip("analysis.stats.anova and analysis.stats.regression are not built yet")


def _subset(ids, drop=()):
    ds = read_cohort(drop)
    for name, df in ds.tables.items():
        ds.tables[name] = df[df["USUBJID"].isin(ids)].reset_index(drop=True)
    return ds


def test_tiny_and_degenerate_cohorts_run_and_say_why():
    # one patient with baseline values only: nothing to compare, no time to analyse
    ard = ferrucci2022.run(_subset(["P12"]))
    avail = select(ard, analysis="availability").set_index("variable")["value"]
    assert avail["tac_time_to_start"] == 0 and avail["easi_by_visit"] == 1
    assert v(ard, analysis="flow", variable="ENROLLED", statistic="count") == 1
    # nobody on tacrolimus at baseline: the 2x2 tests cannot run and leave a note
    ard = ferrucci2022.run(_subset(["P03", "P04", "P05", "P06", "P07", "P09", "P10", "P11", "P14"]))
    notes = select(ard, analysis="notes")
    assert (notes["variable"] == "easi_lt7_w4_by_tacbl|EASI<7|TACBL=Y vs TACBL=N|WEEK 4").sum() == 1
    assert "\n" not in "".join(notes["method"])
    assert select(ard, analysis="easi_lt7_w4_by_tacbl", statistic="p_value").empty
