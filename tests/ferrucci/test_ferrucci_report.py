"""Ferrucci tables and figures from the ARD of the hand cohort."""

import hashlib

from analysis.report import ferrucci2022 as rep
from analysis.studies import ferrucci2022

from cohort_csv import read_cohort


def test_table1_layout_and_cells(ard):
    md = rep.table1(ard)
    lines = md.splitlines()
    assert lines[0].startswith("| Feature") and "Males (n=8)" in lines[0] and "Total (n=14)" in lines[0]
    # relapsing: males 4/8, females 4/6, total 8/14 (hand counts in test_ferrucci_study)
    assert "| Relapsing disease" in lines[2] and "4 (50.0%)" in lines[2] and "8 (57.1%)" in lines[2]
    assert len(lines) == 2 + 14


def test_table2_layout_and_cells(ard):
    md = rep.table2(ard)
    assert "Baseline (n=13)" in md and "52 weeks (n=10)" in md
    tac = next(line for line in md.splitlines() if line.startswith("| Tacrolimus "))
    # week 52: 3 of 10 (30.0), McNemar exact p = 0.5 (b = 0, c = 2)
    assert "3 (30.0); p = 0.500" in tac and tac.count("|") == 6
    assert "McNemar test (exact)" in md


def test_other_tables(ard):
    assert "8 (57.1%)" in rep.baseline_table(ard)
    # EASI baseline 426/14 = 30.43 -> "30.4"; 14 patients
    assert "30.4 ±" in rep.scores_table(ard) and "(n=14)" in rep.scores_table(ard)
    assert "Female vs male" in rep.cox_table(ard)


def _digest(paths):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def test_figures_are_written_and_deterministic(ard, cohort, tmp_path):
    first = ferrucci2022.figures(ard, cohort, tmp_path / "a")
    second = ferrucci2022.figures(ard, cohort, tmp_path / "b")
    names = {p.name for p in first}
    for stem in ("figure1_easi_bands", "flow", "trajectories", "topical_shares", "km_tacrolimus",
                 "forest", "figure2_algorithm"):
        assert f"ferrucci2022_{stem}.png" in names
    assert all(p.stat().st_size > 1000 for p in first)
    assert _digest(first) == _digest(second)


def test_figures_without_topicals_skip_what_has_no_data(tmp_path):
    ds = read_cohort(drop=("topicals", "tte"))
    ard = ferrucci2022.run(ds)
    names = {p.name for p in ferrucci2022.figures(ard, ds, tmp_path)}
    assert "ferrucci2022_trajectories.png" in names
    assert "ferrucci2022_topical_shares.png" not in names and "ferrucci2022_km_tacrolimus.png" not in names
