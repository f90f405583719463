"""The Matsutani study on degenerate but valid datasets: it runs, says what it skipped,
and never leaves a bare NaN in the ARD."""

from __future__ import annotations

from analysis.results.ard import select, value
from analysis.studies import matsutani2021

from cohort_csv import read_hand


def _notes(ard):
    return " | ".join(select(ard, analysis="run_notes")["method"])


def test_without_tacgrp_everyone_is_analysed():
    ds = read_hand()
    ds.tables["subjects"] = ds["subjects"].drop(columns="TACGRP")
    ard = matsutani2021.run(ds)
    assert not ard["value"].isna().any()
    assert value(ard, analysis="patient_flow", variable="ANALYSED", statistic="count") == 10
    assert "no TACGRP column" in _notes(ard)
    # S06's EASI (40 -> 1) now enters: baseline mean (100 + 40) / 6
    assert value(ard, analysis="measures_by_visit", variable="EASI", group="all", visit="BASELINE",
                 statistic="mean") == 140 / 6
    assert set(select(ard, analysis="adverse_events")["group"]) == {"all"}


def test_empty_analysed_group():
    ds = read_hand()
    ds.tables["subjects"] = ds["subjects"].replace({"TACGRP": {"TAC_ONLY": "TAC_TCS"}})
    ard = matsutani2021.run(ds)
    assert not ard["value"].isna().any()
    notes = _notes(ard)
    assert all(f"no {p} values in the analysed group" in notes for p in matsutani2021.PARAMS)
    assert value(ard, analysis="adverse_events", variable="", group="TACGRP=TAC_ONLY", statistic="n") == 0
    # a percent of nobody is undefined: recorded as a note, not as NaN
    assert select(ard, analysis="adverse_events", group="TACGRP=TAC_ONLY", statistic="percent").empty
    assert "percent undefined (n = 0)" in notes


def test_single_analysed_patient():
    ds = read_hand()
    keep = ds["subjects"]["USUBJID"].isin(["S01", "S06", "S07", "S08", "S09", "S10"])
    ds.tables["subjects"] = ds["subjects"][keep]
    ds.tables["measurements"] = ds["measurements"][ds["measurements"]["USUBJID"].isin(
        ds["subjects"]["USUBJID"])]
    ard = matsutani2021.run(ds)
    assert not ard["value"].isna().any()
    notes = _notes(ard)
    assert "sd undefined (n = 1)" in notes
    assert "paired_t: the paired t-test needs at least 2 observations" in notes
    assert "improvement_correlation_pearson: a correlation test needs at least 3" in notes
    # one pair, one non-zero difference (EASI 20 -> 5): exact signed-rank p = 2 * 1/2 = 1
    assert value(ard, analysis="wilcoxon_signed_rank", variable="EASI", group="TACGRP=TAC_ONLY",
                 visit="WEEK 16 vs BASELINE", statistic="p_value") == 1.0


def test_report_survives_an_empty_analysed_group(tmp_path):
    from analysis.report import matsutani2021 as rep

    ds = read_hand(drop=("events",))
    ds.tables["subjects"] = ds["subjects"].replace({"TACGRP": {"TAC_ONLY": "TAC_TCS"}})
    ard = matsutani2021.run(ds)
    for table in (rep.flow_table, rep.strength_table, rep.measures_table, rep.correlation_table,
                  rep.ae_table):
        assert isinstance(table(ard), str)
    # nothing to pair or correlate: only the flow diagram is drawn
    assert {p.stem for p in matsutani2021.figures(ard, ds, tmp_path)} == {"matsutani2021_flow"}
