"""Generic reconstruction engine: allocation, SPRITE, dropout, trajectories, transitions, fits.

Expected values are hand-worked (stated next to each test) or come from independent
implementations (lifelines, statsmodels, the product's McNemar test recomputed on the
output), never from the function under test.
"""

import numpy as np
import pandas as pd
import pytest

from analysis.reconstruct import allocation, dropout, fastfit, sprite, trajectories, transitions
from analysis.reconstruct.goals import Goal
from analysis.stats.mcnemar import mcnemar


def rng(seed=0):
    return np.random.default_rng(seed)


# --- allocation -------------------------------------------------------------------------

def test_largest_remainder_hand_worked():
    # quotas 190/342*100 = 55.56, 152/342*100 = 44.44 -> floors 55, 44, one left to 55.56
    assert allocation.largest_remainder([190, 152], 100).tolist() == [56, 44]
    assert allocation.largest_remainder([1, 1, 1], 2).tolist() == [1, 1, 0]


def test_assign_categories_exact_joint_table():
    sex = np.array(["M"] * 190 + ["F"] * 152)
    table = {"M": {"REL": 51, "PER": 80, "OTH": 59}, "F": {"REL": 39, "PER": 87, "OTH": 26}}
    cat = allocation.assign_categories(sex, table, rng())
    for s, counts in table.items():
        for c, k in counts.items():
            assert int(((sex == s) & (cat == c)).sum()) == k


def test_assign_categories_refuses_wrong_total():
    with pytest.raises(ValueError, match="sum to"):
        allocation.assign_categories(np.array(["M"] * 3), {"M": {"a": 1, "b": 1}}, rng())


def test_allocate_flags_union_and_counts():
    # Ferrucci comorbidities: at least one 311 of 342; 248, 176, 144, 54.
    counts = {"RHIN": 248, "CONJ": 176, "ASTH": 144, "FOOD": 54}
    flags = allocation.allocate_flags(342, counts, rng(3), union=311, score=rng(4).random(342))
    assert {k: int(v.sum()) for k, v in flags.items()} == counts
    assert int(np.any(list(flags.values()), axis=0).sum()) == 311


def test_allocate_flags_impossible_union():
    with pytest.raises(ValueError):
        allocation.allocate_flags(10, {"a": 3, "b": 2}, rng(), union=6)  # 6 > 3 + 2


# --- SPRITE -----------------------------------------------------------------------------

@pytest.mark.parametrize("n,mean,sd,step,hi,bands", [
    (342, 29.5, 7.4, 0.1, 72, [sprite.Band(low=21, low_open=True, count=340)]),
    (312, 8.4, 7.0, 0.1, 72, [sprite.Band(low=21, low_open=True, count=19),
                              sprite.Band(high=7, high_open=True, count=183)]),
    (203, 3.2, 4.9, 0.1, 72, [sprite.Band(low=21, low_open=True, count=1)]),
    (204, 0.9, 1.9, 1, 10, []),
    (342, 15.7, 6.6, 1, 30, [sprite.Band(high=10, high_open=True, count=56)]),
])
def test_sprite_hits_mean_sd_and_bands(n, mean, sd, step, hi, bands):
    x = sprite.sprite(n, mean, sd, sprite.Scale(0, hi, step), rng(7), bands=bands)
    assert x.size == n and x.min() >= 0 and x.max() <= hi
    assert np.allclose(x / step, np.round(x / step))          # on the scale's grid
    assert abs(x.mean() - mean) <= step / (2 * n) + 1e-12     # nearest reachable sum
    assert abs(x.std(ddof=1) - sd) <= 1e-3 * sd
    for b in bands:
        lo, up = b.units(sprite.Scale(0, hi, step))
        u = np.rint(x / step)
        assert int(((u >= lo) & (u <= up)).sum()) == b.count


def test_sprite_infeasible_sd():
    # On 0..1 with n = 10 the largest SD is that of five 0s and five 1s: 0.527.
    with pytest.raises(sprite.InfeasibleError):
        sprite.sprite(10, 0.5, 0.9, sprite.Scale(0, 1, 1), rng())


def test_band_units_open_and_closed():
    s = sprite.Scale(0, 72, 0.1)
    assert sprite.Band(count=1, high=7, high_open=True).units(s) == (0, 69)   # EASI < 7
    assert sprite.Band(count=1, high=7).units(s) == (0, 70)                   # EASI <= 7
    assert sprite.Band(count=1, low=21, low_open=True).units(s) == (211, 720)  # EASI > 21


# --- dropout and trajectories -----------------------------------------------------------

def test_monotone_last_visit_per_stratum():
    strata = np.array(["Y"] * 307 + ["N"] * 35)
    last = dropout.monotone_last_visit(strata, {"Y": [307, 280, 252, 194], "N": [35, 32, 22, 10]},
                                       rng(1))
    for s, ns in (("Y", [307, 280, 252, 194]), ("N", [35, 32, 22, 10])):
        assert [int(((strata == s) & (last >= v)).sum()) for v in range(4)] == ns


def test_monotone_refuses_increase():
    with pytest.raises(ValueError):
        dropout.stops_after([10, 12])


def test_swap_to_count_keeps_distribution():
    r = rng(5)
    base = r.integers(0, 11, 300).astype(float)
    follow = r.integers(0, 6, 300).astype(float)
    new = trajectories.swap_to_count(base, follow, lambda b, f: b - f >= 4, 150, r)
    assert int((base - new >= 4).sum()) == 150
    assert sorted(new) == sorted(follow)


def test_assign_by_rank_hand_worked():
    # scores order patients 1 < 0 < 2, so they get 10, 20, 30 in that order
    assert trajectories.assign_by_rank([30, 10, 20], [0.0, -1.0, 5.0]).tolist() == [20, 10, 30]


# --- transitions ------------------------------------------------------------------------

def test_fill_offdiagonal_margins_and_empty_diagonal():
    prior = np.ones((4, 4))
    m = transitions.fill_offdiagonal([10, 3, 0, 5], [2, 6, 7, 3], prior)
    assert m.sum(1).tolist() == [10, 3, 0, 5] and m.sum(0).tolist() == [2, 6, 7, 3]
    assert np.all(np.diag(m) == 0) and (m >= 0).all()


def test_fill_offdiagonal_refuses_impossible():
    # row 0 needs 5 off-diagonal cells but only 2 column units lie outside column 0
    with pytest.raises(ValueError):
        transitions.fill_offdiagonal([5, 1], [4, 2], np.ones((2, 2)))


def test_search_margins_meets_goals_recomputed_with_product_mcnemar():
    base = [30, 40, 10]
    cols = [[38, 28, 12], [40, 20, 10]]
    goals = [[Goal.printed("<0.05"), Goal.printed("<0.05"), None],
             [Goal.printed("<0.001"), Goal.printed("<0.001"), None]]
    test = lambda b, c: mcnemar(b, c, "exact").p_value  # noqa: E731
    rows, diag = transitions.search_margins(base, cols, goals, test)
    assert rows.sum(1).tolist() == [78, 70]
    assert (rows[1] <= rows[0]).all() and (rows[0] <= np.array(base)).all()
    for v in range(2):
        for k in range(2):
            b, c = rows[v, k] - diag[v, k], cols[v][k] - diag[v, k]
            assert goals[v][k].hit(mcnemar(b, c, "exact").p_value)


def test_assign_paths_reproduces_tables():
    base = np.repeat([0, 1, 2], [30, 40, 10])
    t1 = np.array([[20, 5, 3], [10, 22, 6], [1, 1, 7]])      # rows 28, 38, 9
    t2 = np.array([[18, 5, 2], [12, 15, 3], [1, 0, 6]])      # rows 25, 30, 7 (nested)
    present, path = transitions.assign_paths(base, [t1, t2], rng(2))
    for v, t in ((1, t1), (2, t2)):
        seen = path[:, v] >= 0
        assert (seen == present[:, v]).all()
        got = np.zeros((3, 3), dtype=int)
        np.add.at(got, (path[seen, 0], path[seen, v]), 1)
        assert (got == t).all()
    assert (present[:, 2] <= present[:, 1]).all()      # nested row sums: monotone dropout


def test_assign_paths_returning_patients():
    # row 2 grows from 5 to 7 between visits: two patients miss visit 1 and come back
    base = np.repeat([0, 1, 2], [10, 10, 8])
    t1 = np.array([[8, 1, 0], [2, 6, 0], [0, 0, 5]])
    t2 = np.array([[6, 1, 0], [2, 5, 0], [0, 1, 6]])
    present, path = transitions.assign_paths(base, [t1, t2], rng(4))
    returning = present[:, 2] & ~present[:, 1]
    assert int(returning.sum()) == 2 and (base[returning] == 2).all()
    got = np.zeros((3, 3), dtype=int)
    np.add.at(got, (path[present[:, 2], 0], path[present[:, 2], 2]), 1)
    assert (got == t2).all()


# --- fast fits vs the product's libraries ------------------------------------------------

def test_cox_efron_matches_lifelines():
    from lifelines import CoxPHFitter

    r = rng(11)
    n = 200
    t = np.r_[np.zeros(30), np.round(r.uniform(1, 100, n - 30))]    # many ties
    e = (r.random(n) < 0.5).astype(int)
    e[:30] = 1
    x = np.column_stack([r.integers(0, 31, n), r.normal(40, 15, n), r.random(n) < 0.4])
    df = pd.DataFrame(x, columns=["a", "b", "c"]).assign(T=t, E=e)
    ref = CoxPHFitter().fit(df, "T", "E").summary
    beta, se = fastfit.cox_efron(t, e, x)
    assert np.allclose(beta, ref["coef"].to_numpy(), atol=1e-6)
    assert np.allclose(se, ref["se(coef)"].to_numpy(), rtol=1e-5)


def _cox_sample(seed, n=200):
    r = rng(seed)
    t = np.r_[np.zeros(30), np.round(r.uniform(1, 100, n - 30))]    # many ties
    e = (r.random(n) < 0.5).astype(int)
    e[:30] = 1
    x = np.column_stack([r.integers(0, 31, n), r.normal(40, 15, n), r.random(n) < 0.4])
    return t, e, x


@pytest.mark.parametrize("dense_max", [0, fastfit.DENSE_MAX])
def test_cox_risk_sets_reused_match_lifelines(monkeypatch, dense_max):
    # Both ways of summing Efron's risk sets (one matrix product; cumulative sums when
    # that matrix would be large) and one risk-set structure reused for other
    # covariates: each fit equals lifelines' on the same data.
    from lifelines import CoxPHFitter

    monkeypatch.setattr(fastfit, "DENSE_MAX", dense_max)
    t, e, x = _cox_sample(13)
    risk = fastfit.CoxRisk(t, e)
    assert (risk.efron is None) == (dense_max == 0)
    for cols in ([0, 1, 2], [1], [2, 0]):
        df = pd.DataFrame(x[:, cols], columns=[f"v{c}" for c in cols]).assign(T=t, E=e)
        ref = CoxPHFitter().fit(df, "T", "E").summary
        beta, se = risk.fit(x[:, cols], beta0=np.full(len(cols), 0.05))
        assert np.allclose(beta, ref["coef"].to_numpy(), atol=1e-6)
        assert np.allclose(se, ref["se(coef)"].to_numpy(), rtol=1e-5)


def test_logistic_matches_statsmodels():
    import statsmodels.api as sm

    r = rng(12)
    x = np.column_stack([r.random(150) < 0.3, r.normal(40, 15, 150)])
    y = (r.random(150) < 0.25).astype(float)
    ref = sm.Logit(y, sm.add_constant(x.astype(float))).fit(disp=0)
    beta, se = fastfit.logistic(y, x)
    assert np.allclose(beta, ref.params[1:], atol=1e-7)
    assert np.allclose(se, ref.bse[1:], rtol=1e-6)


def test_wald_hand_worked():
    # beta = ln 2, se = 0.5, z(0.975) = 1.959964: CI exp(0.693147 -/+ 0.979982)
    # = exp(-0.286835), exp(1.673129) = 0.7506, 5.3288; z = 1.3863, p = 2*(1-Phi(1.3863)) = 0.1657
    w = fastfit.wald(np.log(2), 0.5)
    assert round(w["ci_low"], 4) == 0.7506 and round(w["ci_high"], 4) == 5.3288
    assert round(w["p_value"], 4) == 0.1657


def test_fast_tests_match_product_tests():
    # The search's closed forms must give the product's p-values (analysis.stats).
    from analysis.stats.contingency import two_by_two
    from analysis.stats.two_sample import student_t, welch_t

    for cells in ((39, 15, 126, 100), (5, 20, 40, 35), (0, 3, 7, 9)):
        for test, yates in (("chi2", False), ("chi2_yates", True)):
            ref = two_by_two(*cells, test=test).p_value
            assert abs(fastfit.chi2_2x2_p(*cells, yates=yates) - ref) < 1e-12
    r = rng(21)
    x, y = r.normal(14, 6, 65), r.normal(16, 7, 242)
    assert abs(fastfit.student_t_p(x, y) - student_t(x, y).p_value) < 1e-12
    assert abs(fastfit.student_t_p(x, y, welch=True) - welch_t(x, y).p_value) < 1e-12


def test_time_to_first_hand_worked():
    from analysis.reconstruct.event_times import time_to_first

    # visits on study days 1, 29, 113, 365 (day 1 = origin, so 0, 28, 112, 364 days)
    day = np.array([[1, 29, 113, 365]] * 4)
    path = np.array([[0, 0, 2, 2],      # first in state at visit 3: between day 28 and 112
                     [3, 0, 0, 0],      # in state at the first visit: time 0
                     [0, 1, 1, -1],     # never: censored at the last visit attended (112)
                     [0, -1, 2, 2]])    # missed visit 2: interval starts at visit 1 (day 0)
    present = path >= 0
    t, e = time_to_first(path, present, day, np.array([1.0, 0.3, 0.5, 0.25]), (2, 3))
    # row 0: 28 + 1.0 * 84 = 112; row 3: max(0 + 1, round(0 + 0.25 * 112)) = 28
    assert t.tolist() == [112.0, 0.0, 112.0, 28.0] and e.tolist() == [1, 1, 0, 1]


def test_goal_intervals_from_printed_values():
    # "0.005" prints for [0.0045, 0.0055]; "<0.001" for anything below 0.001;
    # "0.94–0.99" has two goals (lower and upper bound of the CI)
    g = Goal.printed("0.005", margin=0.0)
    assert g.hit(0.004501) and g.hit(0.005499) and not g.hit(0.0044) and not g.hit(0.0056)
    assert Goal.printed("<0.001", margin=0.0).hit(0.000999)
    assert not Goal.printed("<0.001", margin=0.0).hit(0.001)
    lo, hi = Goal.printed("0.94–0.99", index=0), Goal.printed("0.94–0.99", index=1)
    assert lo.hit(0.94) and hi.hit(0.99) and not lo.hit(0.99)
    # misses: linear in half-units; on a log scale for p-values (decades, not units)
    assert Goal.printed("29.5", margin=0.0).miss(29.65) == pytest.approx(2.0)
    assert Goal.printed("0.012", log=True).miss(0.5) < 200 < Goal.printed("0.012").miss(0.5)


def test_anneal_reaches_zero_and_undoes_rejected_moves():
    from analysis.reconstruct.anneal import Move, anneal

    # sort a permutation by swaps: the cost (sum of displacements) is 0 only when sorted
    x = np.array([4, 0, 3, 1, 2])

    def swap(r):
        i, j = r.choice(5, 2, replace=False)

        def flip():
            x[i], x[j] = x[j], x[i]
        return Move(flip, flip)

    out = anneal(lambda: float(np.abs(x - np.arange(5)).sum()), [(1.0, swap)], rng(3),
                 max_iter=5000, temp0=0.5, reheat_after=200)
    assert out.cost == 0 and x.tolist() == [0, 1, 2, 3, 4]
    # a descent never accepts a worse state: from sorted, nothing is accepted
    out = anneal(lambda: float(np.abs(x - np.arange(5)).sum()) + 1.0, [(1.0, swap)], rng(4),
                 max_iter=50)
    assert out.accepted <= 50 and x.tolist() == [0, 1, 2, 3, 4]
