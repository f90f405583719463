"""McNemar feasibility, joint feasibility and 2x2 enumeration on cases with known answers."""

import itertools

import numpy as np
import pytest

from analysis.audit.mcnemar_feasible import VARIANTS, _p, mcnemar_feasibility
from analysis.audit.mcnemar_joint import expand_runs, joint_feasible
from analysis.audit.twobytwo import enumerate_two_proportions, p_fits
from analysis.stats.mcnemar import mcnemar
from analysis.targets.compare import parse_printed

from decimal import Decimal as D


def test_p_is_monotone_in_b_for_a_fixed_difference():
    # The bisection relies on it: for c - b = d fixed, every variant's p is
    # non-decreasing in b (up to floating noise next to p = 1), except at b = c = 0 where
    # p = 1 by convention (handled apart).
    for variant in VARIANTS:
        for d in (0, 1, 2, 5, 11, -7, 30):
            ps = [_p(b, b + d, variant) for b in range(max(1, -d), 400)]
            assert all(x <= y + 1e-12 for x, y in zip(ps, ps[1:])), (variant, d)


def test_agresti_presidential_approval():
    # Agresti, An Introduction to Categorical Data Analysis (2nd ed., 2007), Table 8.1:
    # 1600 people, approve 944 then 880; b = 150, c = 86; z = (86 - 150)/sqrt(236) = -4.17,
    # z^2 = 17.36, p < 0.001. From the margins alone, (150, 86) must be a feasible pairing.
    assert mcnemar(150, 86, "chi2").statistic == pytest.approx(17.36, abs=0.01)
    r = mcnemar_feasibility(944, 1600, 880, 1600, 1600, parse_printed("<0.001"), ("chi2",))
    f = r["chi2"]
    assert f.feasible
    assert any(y1 == 944 and first <= 150 <= last for y1, _, first, last in f.runs)
    # Largest p: b = 720, c = 656 (c <= 1600 - 944): chi2 = 64^2/1376 = 2.977, p = 0.0844.
    assert f.p_max == pytest.approx(0.0844, abs=1e-4)


def test_hand_worked_exclusion_of_the_corrected_chi_square():
    # 12 of 12 in a category before, 0 of 12 after: b = 12, c = 0 is the only table.
    # Exact p = 2 x 0.5^12 = 0.000488 < 0.001; corrected chi2 = 11^2/12 = 10.08, p = 0.0015.
    r = mcnemar_feasibility(12, 12, 0, 12, 12, parse_printed("<0.001"))
    assert r["exact"].feasible and r["exact"].configurations == 1
    assert r["chi2"].feasible                       # 12^2/12 = 12, p = 0.00053
    assert not r["chi2_cc"].feasible
    assert r["chi2_cc"].nearest[1] == pytest.approx(0.001496, abs=1e-5)


def brute(k1, n1, k2, n2, m, printed, variant):
    hits = set()
    for y1 in range(max(0, k1 - (n1 - m)), min(k1, m) + 1):
        for y2 in range(max(0, k2 - (n2 - m)), min(k2, m) + 1):
            d = y2 - y1
            for b in range(max(0, -d), min(y1, m - y2) + 1):
                if p_fits(mcnemar(b, b + d, variant).p_value, printed):
                    hits.add((y1, y2, b))
    return hits


@pytest.mark.parametrize("margins, printed", [
    ((9, 30, 15, 26, 24), "0.031"),
    ((9, 30, 15, 26, 24), "<0.05"),
    ((12, 20, 5, 18, 18), "0.092"),
    ((6, 20, 6, 20, 20), "0.48"),       # d = 0 reachable: corrected chi2 at b = c = 1
    ((6, 20, 6, 20, 20), ">0.9"),
])
def test_bisection_equals_brute_force(margins, printed):
    p = parse_printed(printed)
    res = mcnemar_feasibility(*margins, p)
    for variant in VARIANTS:
        found = {(y1, y2, b) for y1, y2, first, last in res[variant].runs
                 for b in range(first, last + 1)}
        assert found == brute(*margins, p, variant), variant
        assert res[variant].configurations == len(found)


def _joint_brute(rows, m):
    """Exhaustive: enumerate 3x3 transition tables with the given margins."""
    (k1a, k2a), (k1b, k2b), (k1c, k2c) = rows
    ok = []
    for t in itertools.product(range(m + 1), repeat=6):
        ab, ac, ba, bc, ca, cb = t
        aa, bb, cc = k1a - ab - ac, k1b - ba - bc, k1c - ca - cb
        if min(aa, bb, cc) < 0:
            continue
        if (aa + ba + ca, ab + bb + cb, ac + bc + cc) == (k2a, k2b, k2c):
            ok.append(((k1a, ab + ac, ba + ca), (k1b, ba + bc, ab + cb), (k1c, ca + cb, ac + bc)))
    return ok


def test_joint_condition_matches_exhaustive_tables():
    # Three categories, 6 patients: (before, after) = (3, 1), (2, 1), (1, 4). Every
    # (y1, b, c) triple per row that some transition table realises must be accepted by
    # joint_feasible, and a combination no table realises must be refused.
    rows, m = [(3, 1), (2, 1), (1, 4)], 6
    tables = _joint_brute(rows, m)
    realised = {t for t in tables}
    per_row = [sorted({t[i] for t in tables}) for i in range(3)]
    for combo in itertools.product(*per_row):
        got = joint_feasible([[c] for c in combo], m)
        assert (got is not None) == (combo in realised), combo


def test_joint_finds_a_combination_among_many():
    rows = [[(3, 2, 0), (3, 3, 1)], [(2, 1, 0), (2, 2, 1)], [(1, 0, 3), (1, 1, 4)]]
    pick = joint_feasible(rows, 6)
    assert pick is not None
    b = sum(x[1] for x in pick)
    assert all(x[1] + x[2] <= b for x in pick)


def test_tea_tasting_enumeration():
    # Fisher's lady tasting tea: 3 of 4 right, table [[3, 1], [1, 3]], two-sided Fisher
    # p = 34/70 = 0.4857 (R: fisher.test(matrix(c(3,1,1,3),2))$p.value = 0.4857).
    hits = enumerate_two_proportions(D("75"), 0, D("25"), 0, parse_printed("0.486"),
                                     n1=(1, 8), n2=(1, 8), tests=("fisher",))
    assert [4, 3, 4, 1] in hits[["n1", "x1", "n2", "x2"]].values.tolist()
    assert np.allclose(hits.loc[(hits.n1 == 4) & (hits.n2 == 4), "p_value"], 34 / 70)


def test_two_proportions_hand_worked_chi_square():
    # 39/54 vs 126/226: pooled 165/280; chi2 = 280 (39*100 - 15*126)^2 / (54*226*165*115)
    # = 4.8847, p = 0.02709 (worked by hand): printed "0.027" under chi2, not under Yates.
    hits = enumerate_two_proportions(D("72.2"), 1, D("55.8"), 1, parse_printed("0.027"),
                                     n1=(54, 54), n2=(226, 226))
    assert set(hits["test"]) == {"chi2", "ztest"}
    assert hits["p_value"].iloc[0] == pytest.approx(0.02709, abs=2e-5)


def test_p_fits_comparators():
    assert p_fits(0.0004, parse_printed("<0.001"))
    assert not p_fits(0.001, parse_printed("<0.001"))
    assert p_fits(0.0265, parse_printed("0.027"))        # half-up
    assert not p_fits(float("nan"), parse_printed("0.027"))
