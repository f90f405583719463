"""Seeds other than the reference's give other Ferrucci cohorts that still pass (issue 6,
item 4), and a search that runs out of budget fails loudly instead of writing a cohort.

Expected values are the paper's printed numbers, read from the targets catalogue and
compared by ``analysis.targets.verify`` on the study module's own ARD (never
recomputed here).
"""

import pytest

from analysis.cli import main as cli
from analysis.reconstruct import ferrucci2022 as recon
from analysis.reconstruct.goals import TargetsMissed
from analysis.studies.ferrucci2022 import run
from analysis.targets.verify import verify_study

STUDY = "ferrucci2022"
# 6 missed two tuned numbers before the search gained its weighted rounds (DLQI CI
# lower bound 0.935 -> "0.93", female HR 1.57 -> "1.6"); 1 and 3 needed the rounds too.
SEEDS = (1, 3, 6)


@pytest.fixture(scope="module")
def reference_hash():
    from analysis.io import load_dataset
    from analysis.paths import reference_dir

    return load_dataset(reference_dir(STUDY)).content_hash()


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_other_seed_reproduces_every_printed_number(seed, reference_hash):
    ds = recon.build(seed=seed)
    assert ds.content_hash() != reference_hash
    card = verify_study(STUDY, run(ds))
    bad = card[~card["status"].isin(["reproduced", "inconsistent-in-source"])]
    assert bad.empty, bad[["id", "printed", "rebuilt_full", "status"]].to_string()
    assert (card["status"] != "not built").all()


def _tiny_budget(monkeypatch, rounds, attempts):
    monkeypatch.setattr(recon, "FIRST_STAGE", (("res_tac_time", "day:"), ("visit", "start", "day"), 5))
    monkeypatch.setattr(recon, "MATCHED_ITER", 5)
    monkeypatch.setattr(recon, "ROUND_ITER", 5)
    monkeypatch.setattr(recon, "MAX_ROUNDS", rounds)
    monkeypatch.setattr(recon, "ATTEMPTS", attempts)


def test_search_out_of_budget_names_the_missed_targets(monkeypatch):
    # A budget far too small to tune anything: the build must refuse, naming goals
    # with their printed text and the value reached, not hand back a half-tuned cohort.
    _tiny_budget(monkeypatch, rounds=1, attempts=2)
    with pytest.raises(TargetsMissed) as err:
        recon.build(seed=6)
    assert err.value.missed and err.value.seed == 6
    text = str(err.value)
    assert "ferrucci2022 seed 6" in text and "in 2 attempts" in text
    rid, (printed, reached) = next((k, v) for k, v in err.value.missed.items()
                                   if k.startswith("res_cox"))
    assert f"{rid} (printed {printed}, reached" in text


def test_synthesize_command_fails_with_exit_1_and_writes_nothing(monkeypatch, tmp_path, capsys):
    _tiny_budget(monkeypatch, rounds=0, attempts=1)
    out = tmp_path / "cohort"
    assert cli(["synthesize", "--study", STUDY, "--seed", "6", "--out", str(out), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "still missed" in err and "try another seed" in err
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_effect_the_wrong_way_round_is_measured_beyond_p_equal_1():
    # The paper states that relapsing disease goes with more starts after week 16
    # (p = 0.012). An effect the other way round is scored as if its p-value were 1/p,
    # so that the miss falls steadily as the effect goes from strongly wrong, through
    # none (p = 1 either way), to the printed size: a wrong-way p-value of 0.012 must
    # not look like a hit, nor weakening it like a step away.
    state, _ = recon.make_state(seed=11)
    state.statistics()
    goal = state.plan.goals["res_late16_relapsing_p"]

    def miss(p, beta):
        state.cache["late"] = dict(state.cache["late"], res_late16_relapsing_p=p,
                                   **{"dir:late16_relapsing": beta})
        return state.misses()["res_late16_relapsing_p"]

    assert miss(0.012, 1.0) == 0 and miss(0.2, 1.0) == pytest.approx(goal.miss(0.2))
    assert miss(0.012, -1.0) == pytest.approx(goal.miss(1 / 0.012)) and goal.miss(1 / 0.012) > 0
    path = [miss(0.001, -2.0), miss(0.05, -1.0), miss(0.6, -0.2), miss(1 - 1e-12, -1e-9),
            miss(0.6, 0.2), miss(0.05, 1.0), miss(0.012, 1.3)]
    assert all(a > b for a, b in zip(path[:-1], path[1:])) and path[-1] == 0
    assert path[3] == pytest.approx(goal.miss(1.0))
