"""``derive.strength`` fast paths give exactly the answers of the code they replaced.

The reference implementations (``tests/matsutani/reference_study_09cd426.py``) are
copied verbatim from ``analysis/derive/strength.py`` at commit 909a0c8 (a groupby ``"->".join`` per patient,
~13 s at 1e6 patients; ``apply`` of a Python test per patient for ``uses_strength`` and
``switched``, ~4 s). They are kept there as the reference, and the fast code is compared
with them on random inputs (hypothesis, derandomized so the test is deterministic) and
on named edge cases: categorical and object ids, missing strengths and ids, empty and
one-row tables, duplicate (patient, visit) rows, two values sharing one label, and
sequences longer than the code matrix used for short ones.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from analysis.derive.changes import visit_number
from analysis.derive.strength import RULES, strength_history, switched, uses_strength
from tests.matsutani.reference_study_09cd426 import (
    ref_strength_history, ref_switched, ref_uses_strength,
)

SETTINGS = settings(max_examples=150, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
COLUMNS = ["USUBJID", "TACSTRFST", "TACSTRLST", "TACSTRSEQ", "NSWITCH"]


# ----------------------------------------------------------------------------- checks

def assert_same_history(t: pd.DataFrame) -> pd.DataFrame:
    new, ref = strength_history(t), ref_strength_history(t)
    assert new.columns.tolist() == ref.columns.tolist()
    assert new.index.tolist() == ref.index.tolist()
    assert new.values.tolist() == ref.values.tolist()
    if len(ref):
        assert new.dtypes.tolist() == ref.dtypes.tolist()
        for lab in sorted({x for s in ref["TACSTRSEQ"] for x in s.split("->")}) + ["9"]:
            for rule in RULES:
                a, b = uses_strength(new, lab, rule), ref_uses_strength(ref, lab, rule)
                assert a.tolist() == b.tolist() and a.index.equals(b.index)
            for other in ("0.03", "0.1", "0.3"):
                a, b = switched(new, lab, other), ref_switched(ref, lab, other)
                assert a.tolist() == b.tolist() and a.index.equals(b.index)
    return new


VISITS = ["BASELINE", "WEEK 4", "WEEK 8", "WEEK 16", "WEEK 52"]
rows = st.lists(st.tuples(st.sampled_from(["a", "b", "c", "10", "2", "B"]),
                          st.sampled_from(VISITS),
                          st.sampled_from([0.03, 0.1, None, 0.3, 0.1 + 1e-12])),
                max_size=40)


@SETTINGS
@given(rows=rows, with_avisitn=st.booleans(), categorical=st.booleans(),
       shuffle_seed=st.integers(0, 3))
def test_history_matches_reference_on_random_tables(rows, with_avisitn, categorical,
                                                     shuffle_seed):
    t = pd.DataFrame(rows, columns=["USUBJID", "AVISIT", "TACSTR"])
    t["TACSTR"] = t["TACSTR"].astype(float)
    if with_avisitn:
        t["AVISITN"] = t["AVISIT"].map({"BASELINE": 0, "WEEK 4": 4, "WEEK 8": 8,
                                        "WEEK 16": 16, "WEEK 52": 52})
    if categorical:  # category order deliberately not lexical
        t["USUBJID"] = pd.Categorical(t["USUBJID"], categories=["c", "B", "a", "2", "b", "10"])
    t = t.sample(frac=1, random_state=shuffle_seed)
    assert_same_history(t)


def test_edge_cases():
    empty = pd.DataFrame({"USUBJID": pd.Series([], dtype=object), "AVISIT": pd.Series([], dtype=object),
                          "TACSTR": pd.Series([], dtype=float)})
    assert_same_history(empty)
    one = pd.DataFrame({"USUBJID": ["a"], "AVISIT": ["BASELINE"], "TACSTR": [0.1]})
    assert assert_same_history(one)["TACSTRSEQ"].tolist() == ["0.1"]
    no_strength = pd.DataFrame({"USUBJID": ["a", "b"], "AVISIT": ["BASELINE"] * 2,
                                "TACSTR": [np.nan, np.nan]})
    assert assert_same_history(no_strength).empty
    dup = pd.DataFrame({"USUBJID": ["a", "a", "a", "b"], "AVISIT": ["WEEK 4", "WEEK 4", "BASELINE", "BASELINE"],
                        "TACSTR": [0.1, 0.03, 0.03, 0.1]})
    assert assert_same_history(dup)["TACSTRSEQ"].tolist() == ["0.03->0.1->0.03", "0.1"]
    # two values, one label: not a switch
    near = pd.DataFrame({"USUBJID": ["a", "a"], "AVISIT": ["BASELINE", "WEEK 4"],
                         "TACSTR": [0.1, 0.1 + 1e-12]})
    assert assert_same_history(near)["NSWITCH"].tolist() == [0]
    # a missing id: groupby drops it
    nan_id = pd.DataFrame({"USUBJID": ["a", np.nan, "b"], "AVISIT": ["BASELINE"] * 3,
                           "TACSTR": [0.1, 0.03, 0.03]})
    assert assert_same_history(nan_id)["USUBJID"].tolist() == ["a", "b"]


def test_long_sequences_take_the_one_by_one_path():
    # 12 alternations (> the 8-wide code matrix) next to short ones
    n = 13
    t = pd.DataFrame({"USUBJID": ["long"] * n + ["short", "short"],
                      "AVISIT": [f"WEEK {w}" for w in range(n)] + ["BASELINE", "WEEK 4"],
                      "TACSTR": [0.03, 0.1] * 6 + [0.03] + [0.1, 0.03]})
    got = assert_same_history(t).set_index("USUBJID")
    assert got.loc["long", "NSWITCH"] == 12
    assert got.loc["long", "TACSTRSEQ"] == "->".join(["0.03", "0.1"] * 6 + ["0.03"])
    assert got.loc["short", "TACSTRSEQ"] == "0.1->0.03"


@pytest.mark.parametrize("seed", [0, 1])
def test_larger_random_cohort(seed):
    rng = np.random.default_rng(seed)
    n = 3000
    ids = np.array([f"P{i:05d}" for i in rng.integers(0, 800, n)], dtype=object)
    t = pd.DataFrame({"USUBJID": ids, "AVISIT": rng.choice(VISITS, n),
                      "TACSTR": rng.choice([0.03, 0.1, np.nan], n, p=[0.45, 0.45, 0.1])})
    assert_same_history(t)
    # rows already in (id, visit) order: the sort is skipped, same answer
    t["AVISITN"] = visit_number(t["AVISIT"])
    in_order = t.sort_values(["USUBJID", "AVISITN"], kind="mergesort")
    assert_same_history(in_order)
    assert_same_history(in_order.iloc[::-1])


@pytest.mark.parametrize("n_strengths", [3, 300])
def test_many_strengths_and_long_runs(n_strengths):
    """300 distinct strengths with up to 8 changes per patient: the sequences no longer
    fit one 63-bit integer per patient, and the whole-row comparison is used."""
    rng = np.random.default_rng(n_strengths)
    n = 4000
    strengths = np.round(np.linspace(0.01, 3.0, n_strengths), 4)
    t = pd.DataFrame({"USUBJID": rng.choice([f"P{i:03d}" for i in range(400)], n),
                      "AVISIT": [f"WEEK {w}" for w in rng.integers(0, 9, n)],
                      "TACSTR": rng.choice(strengths, n)})
    got = assert_same_history(t)
    assert got["NSWITCH"].max() >= 7
