"""The Ferrucci context's shortcuts give what the pandas expressions they replaced
gave, on random small cohorts and edge cases (duplicate or unknown patient ids, no
EVALFL, categorical columns, patients without rows).

Each reference is the expression the block used before (commit c4b3bb8):
``wide.reindex(...)``, ``subjects.reindex(...)[col]``, ``index.isin(evaluable)``,
``pd.concat([...], axis=1, join="inner")``, the EASI rows by ``==``/``isin`` for the
mixed model, and ``visit_wide`` (object codes) for the topical-therapy frame.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.derive.tte import FROM_VISITS_METHOD, from_visits, nominal_days, started_after
from analysis.derive.topicals import TACROLIMUS_CODES, ever_uses, uses
from analysis.io.dataset import Dataset
from analysis.stats.mixed import random_intercept
from analysis.studies import ferrucci2022
from analysis.studies.ferrucci2022_topicals import _at_risk
from tests.derive._compare import assert_same_frame, assert_same_series
from tests.derive.test_visit_wide import reference_visit_wide

VISITS = ["BASELINE", "WEEK 4", "WEEK 16", "WEEK 52"]
PARAMS = ["EASI", "PNRS", "SNRS", "DLQI"]
CODES = ["NONE", "TCS", "TAC", "BOTH"]


def cohort(seed: int, n: int = 40, duplicate_id=False, evalfl=True, categorical=False) -> Dataset:
    rng = np.random.default_rng(seed)
    ids = [f"P{i:03d}" for i in rng.permutation(n)]
    if duplicate_id:
        ids[1] = ids[0]
    subjects = pd.DataFrame({
        "USUBJID": ids, "SEX": rng.choice(["M", "F"], n),
        "AGE": np.round(rng.normal(40, 12, n), 1),
        "COURSE": rng.choice(["RELAPSING", "PERSISTENT", None], n),
        "GENERFL": rng.choice(["Y", "N"], n),
    })
    if evalfl:
        subjects["EVALFL"] = rng.choice(["Y", "Y", "Y", "N"], n)
    rows = []
    for pid in ids + ["Q999"]:  # Q999: measured but not a subject
        for v in VISITS[: rng.integers(0, 5)]:
            for p in PARAMS:
                if rng.random() < 0.9:
                    rows.append((pid, p, v, float(rng.integers(0, 40))))
    meas = pd.DataFrame(rows, columns=["USUBJID", "PARAMCD", "AVISIT", "AVAL"]).drop_duplicates(
        ["USUBJID", "PARAMCD", "AVISIT"]).sample(frac=1.0, random_state=seed)
    trows = [(pid, v, rng.choice(CODES)) for pid in ids for v in VISITS[: rng.integers(0, 5)]]
    topicals = pd.DataFrame(trows, columns=["USUBJID", "AVISIT", "TOPICAL"]).drop_duplicates(
        ["USUBJID", "AVISIT"])
    tte = pd.DataFrame({"USUBJID": ids[: n // 2] + ["Q999"], "PARAMCD": "TTTAC",
                        "AVAL": rng.integers(0, 365, n // 2 + 1).astype(float),
                        "CNSR": rng.integers(0, 2, n // 2 + 1)}).drop_duplicates("USUBJID")
    if categorical:
        meas = meas.astype({"PARAMCD": "category", "AVISIT": "category"})
        topicals = topicals.astype({"TOPICAL": "category"})
    return Dataset({"subjects": subjects, "measurements": meas, "topicals": topicals, "tte": tte})


CASES = [dict(seed=s) for s in range(6)] + [
    dict(seed=7, duplicate_id=True), dict(seed=8, evalfl=False), dict(seed=9, categorical=True),
    dict(seed=10, n=1)]


def labels_to_try(ctx, rng):
    index = ctx.subjects.index
    return [index, ctx.evaluable, index[::-1], pd.Index(list(index[:3]) + ["nobody"], name="USUBJID"),
            pd.Index(rng.permutation(np.asarray(index)), name="USUBJID"), index[:0]]


@pytest.mark.parametrize("case", CASES)
def test_context_lookups_match_pandas(case):
    ctx = ferrucci2022.prepare(cohort(**case))
    rng = np.random.default_rng(case["seed"])
    subj = ctx.subjects
    unique = subj.index.is_unique
    assert np.array_equal(ctx.in_evaluable(), subj.index.isin(ctx.evaluable))
    for labels in labels_to_try(ctx, rng):
        assert np.array_equal(ctx.is_evaluable(labels), labels.isin(ctx.evaluable))
        if unique:
            assert_same_series(ctx.subject_column("SEX", labels), subj["SEX"].reindex(labels))
            assert_same_series(ctx.subject_column("AGE", labels), subj["AGE"].reindex(labels))
        got = ctx.subject_rows(subj[["AGE"]], labels)
        if got is not None:
            assert_same_frame(got, subj[["AGE"]].reindex(labels))
        if unique:
            for p in PARAMS:
                wide = ctx.scores(p)
                assert_same_frame(ctx.scores(p, patients=labels),
                                  wide.reindex(pd.Index(labels, name="USUBJID")))


@pytest.mark.parametrize("case", CASES)
def test_reshaped_scores_and_topicals_match_visit_wide(case):
    ds = cohort(**case)
    ctx = ferrucci2022.prepare(ds)
    for p in PARAMS:
        assert_same_frame(ctx.scores(p), reference_visit_wide(ctx.measurements, "AVAL", VISITS,
                                                              ctx.subjects.index, p))
    want = reference_visit_wide(ctx.topicals, "TOPICAL", VISITS, ctx.evaluable)
    got = ctx.topical_codes()
    pd.testing.assert_index_equal(got.index, want.index, exact=True)
    for v in VISITS:
        assert got[v].notna().tolist() == want[v].notna().tolist()
        for cats in ((c,) for c in CODES):
            assert_same_series(uses(got[v], cats), uses(want[v], cats))
    assert_same_series(uses(got["BASELINE"], TACROLIMUS_CODES), uses(want["BASELINE"], TACROLIMUS_CODES))
    assert_same_series(ever_uses(got, TACROLIMUS_CODES, VISITS[1:]), ever_uses(want, TACROLIMUS_CODES, VISITS[1:]))
    days = nominal_days({"BASELINE": 0, "WEEK 4": 4, "WEEK 16": 16, "WEEK 52": 52})
    assert_same_frame(from_visits(got, TACROLIMUS_CODES, days), from_visits(want, TACROLIMUS_CODES, days))
    for pop in ("naive", "all"):
        assert_same_frame(started_after(got, TACROLIMUS_CODES, VISITS[:2], VISITS[2:], pop),
                          started_after(want, TACROLIMUS_CODES, VISITS[:2], VISITS[2:], pop))
    assert FROM_VISITS_METHOD


@pytest.mark.parametrize("case", [c for c in CASES if c.get("n", 40) > 1])
def test_mixed_model_on_coded_rows_equals_on_text_rows(case):
    ctx = ferrucci2022.prepare(cohort(**case))
    m = ctx.measurements
    old = m[m["PARAMCD"] == "EASI"].loc[lambda d: d["AVISIT"].isin(ctx.visits), ["USUBJID", "AVISIT", "AVAL"]]
    new = ctx.score_rows("EASI")
    assert new["AVAL"].tolist() == old["AVAL"].tolist()
    try:
        want = random_intercept(old, "USUBJID", "AVISIT", "AVAL", levels=list(ctx.visits))
    except ValueError as err:
        with pytest.raises(ValueError, match=str(err).splitlines()[0][:30]):
            random_intercept(new, "USUBJID", "AVISIT", "AVAL", levels=list(ctx.visits))
        return
    got = random_intercept(new, "USUBJID", "AVISIT", "AVAL", levels=list(ctx.visits))
    assert got == want  # every number, bit for bit


def test_at_risk_rows_match_inner_concat():
    rng = np.random.default_rng(3)
    index = pd.Index([f"P{i}" for i in range(30)], name="USUBJID")
    flags = pd.DataFrame({"AT_RISK": rng.random(30) < 0.6,
                          "STARTED": rng.choice([1.0, 0.0, np.nan], 30)}, index=index)
    cov = pd.DataFrame({"RELAPSING": rng.choice([1.0, 0.0, np.nan], 30),
                        "AGE": rng.normal(40, 10, 30)}, index=index)

    def reference(f, c):
        return pd.concat([f.loc[f["AT_RISK"], ["STARTED"]], c], axis=1, join="inner")

    assert_same_frame(_at_risk(flags, cov), reference(flags, cov))
    assert_same_frame(_at_risk(flags, cov.iloc[::-1]), reference(flags, cov.iloc[::-1]))
    other = cov.set_axis(pd.Index([f"P{i}" for i in range(5, 35)], name="USUBJID"))
    assert_same_frame(_at_risk(flags, other), reference(flags, other))


def reference_subjects(table: pd.DataFrame) -> pd.DataFrame:
    """c4b3bb8's ``set_index`` copy, then the code columns made categorical (55ca31e+)."""
    frame = ferrucci2022._text_ids(table).set_index("USUBJID", drop=False)
    frame.index.name = "USUBJID"
    for column in dict.fromkeys(ferrucci2022.CODED_SUBJECT_COLUMNS):
        if column in frame and frame[column].dtype == object:
            codes, uniques = pd.factorize(frame[column])
            frame[column] = pd.Categorical.from_codes(codes, categories=pd.Index(uniques, dtype=object))
    return frame


@pytest.mark.parametrize("seed", range(4))
def test_subjects_frame_matches_set_index(seed):
    rng = np.random.default_rng(seed)
    n = [0, 1, 7, 30][seed]
    table = pd.DataFrame({
        "USUBJID": [f"P{i}" for i in rng.permutation(n)],
        "SEX": rng.choice(["M", "F", None], n),
        "AGE": rng.normal(40, 10, n),
        "TRTSDT": pd.to_datetime("2020-01-01") + pd.to_timedelta(rng.integers(0, 300, n), "D"),
        "EVALFL": pd.Series(rng.choice(["Y", "N"], n), dtype=object),
        "EVALRSN": rng.choice(["NON-ADHERENCE", None], n),
        "COURSE": pd.Series(rng.choice(["RELAPSING", "PERSISTENT"], n)).astype("category"),
        "NVIS": pd.array(rng.integers(0, 4, n), dtype="Int64"),
    })
    if n > 2:
        table.loc[1, "USUBJID"] = table.loc[0, "USUBJID"]  # a repeated id stays as it is
    ctx = ferrucci2022.prepare(Dataset({"subjects": table, "measurements": cohort(0)["measurements"]}))
    got = ctx.subjects
    want = reference_subjects(table)
    assert_same_frame(got, want)
    assert list(ctx.evaluable) == list(want.index[want["EVALFL"] == "Y"])


def test_rewritten_ids_do_not_use_the_readers_codes():
    # numeric and missing ids are rewritten as text ("1", "nan"): the reshaped scores must
    # follow the rewritten ids, as the pivot on the rewritten table does
    ds = cohort(3)
    m = ds["measurements"].copy()
    m["USUBJID"] = m["USUBJID"].where(m["USUBJID"] != "Q999", None)
    subjects = ds["subjects"].copy()
    numeric = Dataset({"subjects": subjects, "measurements": m, "topicals": ds["topicals"]})
    ctx = ferrucci2022.prepare(numeric)
    assert "measurements" in ctx._cache["rewritten_ids"]
    for p in PARAMS:
        want = reference_visit_wide(ctx.measurements, "AVAL", VISITS, ctx.subjects.index, p)
        assert_same_frame(ctx.scores(p), want)
