"""``derive.visits.visit_wide`` (array placement from integer codes) gives exactly the
frame of the ``DataFrame.pivot`` code it replaced, on random and edge-case inputs.

The reference below is ``visit_wide`` verbatim from analysis/derive/visits.py at
commit c4b3bb8 (the pivot implementation). An earlier array version (91c4f1e) was
reverted because it crashed on categorical columns: categorical ids, visits, codes
and values are among the inputs drawn here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from analysis.derive.visits import CodedVisits, pivot_wide, visit_wide, visit_wide_params
from tests.derive._compare import assert_same_frame

CHECK = settings(max_examples=150, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def reference_visit_wide(long, value, visits, patients=None, paramcd=None):  # c4b3bb8
    sub = long
    if paramcd is not None:
        sub = sub[sub["PARAMCD"] == paramcd]
    sub = sub[sub["AVISIT"].isin(list(visits))]
    if sub.duplicated(["USUBJID", "AVISIT"]).any():
        raise ValueError("more than one row per patient and visit")
    wide = sub.pivot(index="USUBJID", columns="AVISIT", values=value).reindex(columns=list(visits))
    wide.columns.name = None
    if patients is not None:
        wide = wide.reindex(pd.Index(list(patients), name="USUBJID"))
    return wide


IDS = ["a", "b", "c", "d", "e"]
VISITS = ["BASELINE", "WEEK 4", "WEEK 16", "WEEK 52", "WEEK 99"]
PARAMS = ["EASI", "DLQI", "PNRS"]
TEXT = ["NONE", "TCS", "TAC", "BOTH"]

ids = st.one_of(st.sampled_from(IDS), st.just(None), st.just(float("nan")))
visit_cells = st.one_of(st.sampled_from(VISITS), st.just(None), st.just("week 4"))
param_cells = st.one_of(st.sampled_from(PARAMS), st.just(None))
floats = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.just(-0.0))
texts = st.one_of(st.sampled_from(TEXT), st.none(), st.just(float("nan")))


@st.composite
def tables(draw):
    n = draw(st.integers(0, 25))
    rows = draw(st.lists(st.tuples(ids, param_cells, visit_cells, floats, texts, st.integers(0, 9)),
                         min_size=n, max_size=n))
    frame = pd.DataFrame(rows, columns=["USUBJID", "PARAMCD", "AVISIT", "AVAL", "TOPICAL", "INT"])
    if draw(st.booleans()):  # ids present (the contract's case) in half the draws
        frame["USUBJID"] = frame["USUBJID"].fillna("e")
    for col in ("USUBJID", "PARAMCD", "AVISIT", "TOPICAL"):
        frame[col] = frame[col].astype(object)
        if draw(st.booleans()) and draw(st.booleans()):  # categorical in a quarter of draws
            frame[col] = frame[col].astype("category")
    if draw(st.booleans()):  # unique (patient, visit) keys per parameter, the usual case
        frame = frame.drop_duplicates(["USUBJID", "PARAMCD", "AVISIT"])
    order = draw(st.permutations(range(len(frame))))
    return frame.iloc[list(order)].reset_index(drop=True)


patient_lists = st.one_of(
    st.none(),
    st.lists(st.sampled_from(IDS + ["z"]), max_size=7, unique=True),
    st.lists(st.sampled_from(IDS), max_size=4),  # duplicates allowed
)
patient_lists = st.one_of(  # also as a text Index, as a study passes its subjects' index
    patient_lists,
    patient_lists.map(lambda p: None if p is None else pd.Index(p, dtype=object, name="USUBJID")),
    patient_lists.map(lambda p: None if p is None else pd.Index(p, dtype=object)),
)
visit_lists = st.lists(st.sampled_from(VISITS), min_size=1, max_size=5, unique=True)


def outcome(fn, *args, **kw):
    try:
        return "ok", fn(*args, **kw)
    except Exception as err:  # noqa: BLE001 - the two must fail alike
        return "error", (type(err), str(err))


def assert_same(got, want):
    assert got[0] == want[0], (got, want)
    if want[0] == "ok":
        assert_same_frame(got[1], want[1])
    else:
        assert got[1] == want[1]


@CHECK
@given(frame=tables(), visits=visit_lists, patients=patient_lists,
       value=st.sampled_from(["AVAL", "TOPICAL", "INT"]),
       paramcd=st.one_of(st.none(), st.sampled_from(PARAMS + ["IGA"])))
def test_visit_wide_matches_pivot(frame, visits, patients, value, paramcd):
    want = outcome(reference_visit_wide, frame, value, visits, patients, paramcd)
    got = outcome(visit_wide, frame, value, visits, patients, paramcd)
    assert_same(got, want)


@CHECK
@given(frame=tables(), visits=visit_lists, patients=patient_lists,
       value=st.sampled_from(["AVAL", "TOPICAL"]))
def test_visit_wide_params_matches_one_call_per_parameter(frame, visits, patients, value):
    asked = PARAMS + ["IGA"]
    try:
        got = visit_wide_params(frame, value, visits, asked, patients)
    except ValueError as err:
        # some asked parameter has a duplicate: the per-parameter calls must say so too
        errors = [outcome(reference_visit_wide, frame, value, visits, patients, p) for p in asked]
        assert ("error", (ValueError, str(err))) in errors
        return
    assert list(got) == asked
    for p in asked:
        assert_same(("ok", got[p]), outcome(reference_visit_wide, frame, value, visits, patients, p))


def test_the_fast_path_is_taken_for_contract_data():
    m = pd.DataFrame({"USUBJID": ["b", "a", "a", "b"], "PARAMCD": ["EASI", "EASI", "EASI", "DLQI"],
                      "AVISIT": ["BASELINE", "BASELINE", "WEEK 4", "BASELINE"],
                      "AVAL": [8.0, 10.0, 4.0, 3.0], "TOPICAL": ["TAC", "NONE", None, "TCS"]})
    for cat in (False, True):
        frame = m.astype({"USUBJID": "category", "AVISIT": "category"}) if cat else m
        coded = CodedVisits.build(frame, ["BASELINE", "WEEK 4", "WEEK 16"], ["EASI"])
        for value in ("AVAL", "TOPICAL"):
            for patients in (None, ["a", "b", "c"]):
                got = coded.wide(value, "EASI", patients)
                if cat and patients is None:  # pivot makes a CategoricalIndex: left to pandas
                    assert got is None
                    continue
                assert got is not None
                assert_same_frame(got, reference_visit_wide(frame, value, ["BASELINE", "WEEK 4", "WEEK 16"],
                                                             patients, "EASI"))


def test_edge_cases_match_pivot():
    m = pd.DataFrame({"USUBJID": ["a", "a", "b"], "PARAMCD": ["EASI", "EASI", "EASI"],
                      "AVISIT": ["BASELINE", "WEEK 4", "BASELINE"], "AVAL": [1.0, np.nan, 2.0],
                      "TOPICAL": ["TAC", None, np.nan]})
    v = ["BASELINE", "WEEK 4", "WEEK 16"]
    cases = [
        (m.iloc[:0], "AVAL", v, None, None),           # empty
        (m.iloc[:0], "TOPICAL", v, ["a"], None),       # empty, listed patient
        (m.iloc[:1], "AVAL", v, None, "EASI"),         # one row
        (m.iloc[:1], "TOPICAL", v, ["a", "a"], None),  # one row, patient listed twice
        (m, "TOPICAL", v, ["b", "z"], "EASI"),         # a visit nobody has: float column
        (m, "AVAL", ["WEEK 52"], ["a"], "EASI"),       # no row at the visit asked
        (m.astype({"TOPICAL": "category"}), "TOPICAL", v, ["a", "b"], None),
        (m.astype({"AVISIT": "category"}), "AVAL", v, None, None),
        (m, "AVAL", v, pd.Index(["b", "a"], name="other"), None),
        (pd.concat([m, m.iloc[[0]]]), "AVAL", v, None, "EASI"),  # duplicate visit
    ]
    for frame, value, visits, patients, paramcd in cases:
        assert_same(outcome(visit_wide, frame, value, visits, patients, paramcd),
                    outcome(reference_visit_wide, frame, value, visits, patients, paramcd))


def test_categorical_view_keeps_values_and_missing_cells():
    m = pd.DataFrame({"USUBJID": ["a", "a", "b"], "AVISIT": ["BASELINE", "WEEK 4", "BASELINE"],
                      "TOPICAL": ["TAC", None, "NONE"]})
    coded = CodedVisits.build(m, ["BASELINE", "WEEK 4", "WEEK 16"])
    cat = coded.wide("TOPICAL", patients=["a", "b", "c"], categorical=True)
    obj = reference_visit_wide(m, "TOPICAL", ["BASELINE", "WEEK 4", "WEEK 16"], ["a", "b", "c"])
    assert isinstance(cat["BASELINE"].dtype, pd.CategoricalDtype)
    def cells(s):
        return [None if pd.isna(v) else v for v in s.astype(object)]

    for col in obj.columns:
        assert cells(cat[col]) == cells(obj[col])


def test_long_rows_of_one_parameter():
    m = pd.DataFrame({"USUBJID": ["b", "a", "a", "c"], "PARAMCD": ["EASI", "DLQI", "EASI", "EASI"],
                      "AVISIT": ["WEEK 4", "BASELINE", "BASELINE", "WEEK 99"], "AVAL": [1.0, 2.0, 3.0, 4.0]})
    long = CodedVisits.build(m, ["BASELINE", "WEEK 4"], ["EASI", "DLQI"]).long("AVAL", "EASI")
    # table order kept; b and a get distinct codes; WEEK 99 is not an analysed visit
    assert long["AVAL"].tolist() == [1.0, 3.0]
    assert long["AVISIT"].astype(str).tolist() == ["WEEK 4", "BASELINE"]
    assert long["USUBJID"].nunique() == 2
    assert list(long["AVISIT"].cat.categories) == ["BASELINE", "WEEK 4"]


def test_pivot_wide_is_the_reference():
    m = pd.DataFrame({"USUBJID": ["a"], "PARAMCD": ["EASI"], "AVISIT": ["BASELINE"], "AVAL": [1.0]})
    assert_same_frame(pivot_wide(m, "AVAL", ["BASELINE"], ["a", "b"], "EASI"),
                      reference_visit_wide(m, "AVAL", ["BASELINE"], ["a", "b"], "EASI"))
    with pytest.raises(ValueError, match="more than one row"):
        visit_wide(pd.concat([m, m]), "AVAL", ["BASELINE"], paramcd="EASI")
