"""Matsutani tables and figures from the hand cohort's ARD."""

from __future__ import annotations

import hashlib

from analysis.report import matsutani2021 as rep
from analysis.studies import matsutani2021


def test_tables_show_hand_worked_numbers(hand_ard):
    flow = rep.flow_table(hand_ard)
    assert "8 (80.0%)" in flow and "3 (37.5%)" in flow   # 8/10 users, 3/8 with TCS
    strength = rep.strength_table(hand_ard)
    assert "ever used (headline)" in strength
    assert "4 (80.0%)" in strength and "1 (20.0%)" in strength
    measures = rep.measures_table(hand_ard)
    # EASI week 16: mean 5.6, reduction of means 72.0, mean improvement 69.3 (see test_study)
    assert "| 72.0 " in measures and "69.3" in measures
    assert "77.5 (1 undefined)" in measures            # EASIHN, S04 baseline 0
    assert "| Red. * " in measures                     # the headline definition is marked
    corr = rep.correlation_table(hand_ard)
    assert "0.946" in corr and "0.800" in corr
    ae = rep.ae_table(hand_ard)
    assert "TAC_ONLY (n = 5)" in ae and "2 (40.0%)" in ae
    assert any("baseline EASIHN = 0" in n for n in rep.notes(hand_ard))


def _digest(paths):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def test_figures_are_written_and_deterministic(hand, hand_ard, tmp_path):
    first = matsutani2021.figures(hand_ard, hand, tmp_path / "a")
    second = matsutani2021.figures(hand_ard, hand, tmp_path / "b")
    names = {p.name for p in first}
    assert names == {f"matsutani2021_{k}.{e}" for k in ("flow", "paired", "correlation")
                     for e in ("png",)}
    assert all(p.stat().st_size > 1000 for p in first)
    assert _digest(first) == _digest(second)
