"""Speed fixes from the scale benchmark give exactly the answers of the code they replaced.

Each rewritten function is compared, on random inputs, with the implementation it
replaced (copied here verbatim from the commit named, as the reference):

- ``schema.columns.visit_label_ok`` vs pandera ``Check.str_matches(VISIT_PATTERN)``
  (``s.str.match(pattern, na=False)``, missing cells ignored) - 17 % of ``validate``
  at 1e6 patients;
- ``schema.params.check_params`` (factorized PARAMCD) vs one comparison per
  parameter (commit 6bfc6ba);
- ``derive.categories.equals`` (blank test per distinct value) vs the per-row
  ``astype(str).str.strip()`` (commit 0f43ec8);
- the Ferrucci context's ``has_param`` (set of codes, cached) vs ``(PARAMCD == p).any()``;
- ``derive.strength.strength_history`` (vectorised) vs its per-patient loop (commit aa0f330).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, strategies as st

from analysis.derive.categories import equals
from analysis.io import Dataset
from analysis.schema.columns import visit_label_ok
from analysis.schema.contract import PARAMS, VISIT_PATTERN
from analysis.schema.params import check_params
from analysis.schema.report import Collector
from tests.fuzz._harness import FUZZ

cells = st.one_of(
    st.sampled_from(["BASELINE", "WEEK 4", "WEEK 16", "WEEK 999", "WEEK 1000", "week 4",
                     "BASELINE ", " WEEK 4", "WEEK  4", "WEEK 4\n", "WEEK -4", "WEEK", "",
                     " ", "EASI", "IGA", "TARC", "easi", "F", "M", "Y", "N"]),
    st.text(max_size=8),
    st.none(), st.just(float("nan")), st.just(pd.NA),
    st.integers(-5, 5), st.floats(allow_nan=False), st.booleans(),
)
series = st.lists(cells, max_size=40).map(lambda v: pd.Series(v, dtype=object))


def old_equals(values, code) -> pd.Series:  # analysis/derive/categories.py at 0f43ec8
    s = pd.Series(values, dtype=object)
    present = s.notna() & (s.astype(str).str.strip() != "")
    return (s == code).astype(float).where(present)


def old_check_params(typed, out, table="measurements"):  # analysis/schema/params.py at 6bfc6ba
    from analysis.schema.params import describe

    code = typed["PARAMCD"]
    aval = pd.to_numeric(typed["AVAL"], errors="coerce").astype(float)
    filled = aval.notna().to_numpy()
    for param in PARAMS.values():
        mine = (code == param.code).to_numpy() & filled
        if not mine.any():
            continue
        values = aval.to_numpy()
        low = values <= param.min if param.min_exclusive else values < param.min
        high = values > param.max if param.max is not None else np.zeros_like(mine)
        out_of_range = mine & (low | high)
        out.rows(table, typed.index[out_of_range], "range", describe(param), column="AVAL",
                 values=aval)
        if param.integer:
            fraction = mine & ~out_of_range & (values != np.round(values))
            out.rows(table, typed.index[fraction], "integer",
                     f"{param.code} is scored in whole points", column="AVAL", values=aval)


@FUZZ
@given(s=series)
def test_visit_label_ok_matches_pandera_str_matches(s):
    new = visit_label_ok(s)
    assert new.index.equals(s.index) and new.dtype == bool
    if s.map(lambda v: isinstance(v, str)).any():  # .str needs at least one string
        old = s.str.match(VISIT_PATTERN, na=False) | s.isna()
        assert new.tolist() == old.astype(bool).tolist()
    else:  # no text at all: every filled cell fails, missing cells pass
        assert new.tolist() == s.isna().tolist()


@FUZZ
@given(s=series, code=st.sampled_from(["F", "M", "Y", "", " ", "EASI", "1"]))
def test_equals_matches_per_row_version(s, code):
    pd.testing.assert_series_equal(equals(s, code), old_equals(s, code))


@FUZZ
@given(codes=series, avals=st.lists(st.one_of(st.floats(-10, 2000), st.none(),
                                              st.sampled_from([0.5, 4, 4.5, 7.2, 72, 73])),
                                    max_size=40))
def test_check_params_matches_per_parameter_version(codes, avals):
    n = min(len(codes), len(avals))
    typed = pd.DataFrame({"PARAMCD": codes[:n].reset_index(drop=True),
                          "AVAL": pd.Series(avals[:n], dtype=float)})
    ds = Dataset({"measurements": typed}, sources={"measurements": "m.csv"})
    new, old = Collector(ds, limit=1000), Collector(ds, limit=1000)
    check_params(typed, new)
    old_check_params(typed, old)
    assert new.finish().to_dict() == old.finish().to_dict()


def test_check_params_reports_something_on_this_example():
    """Guard against comparing two empty reports: IGA 2.5 and EASI 80 must be caught."""
    typed = pd.DataFrame({"PARAMCD": ["IGA", "EASI", "EASI"], "AVAL": [2.5, 80.0, 10.0]})
    out = Collector(Dataset({"measurements": typed}, sources={"measurements": "m.csv"}))
    check_params(typed, out)
    got = [(p.rule, p.row) for p in out.finish().problems]
    assert sorted(got) == [("integer", 2), ("range", 3)]


@FUZZ
@given(codes=series, ask=st.sampled_from(["EASI", "IGA", "DLQI", "TARC", "", "easi"]))
def test_has_param_matches_any_comparison(codes, ask):
    from analysis.studies.ferrucci2022_common import Context

    ctx = Context.__new__(Context)
    ctx.measurements = pd.DataFrame({"PARAMCD": codes})
    ctx._cache = {}
    assert ctx.has_param(ask) == bool((ctx.measurements["PARAMCD"] == ask).any())


def old_strength_history(topicals):  # analysis/derive/strength.py at aa0f330
    from analysis.derive.strength import strength_label, visit_number

    t = topicals.copy()
    if "AVISITN" not in t or t["AVISITN"].isna().any():
        t["AVISITN"] = visit_number(t["AVISIT"].astype(str))
    t = t[t["TACSTR"].notna()]
    t = t.sort_values(["USUBJID", "AVISITN"], kind="mergesort")
    rows = []
    for usubjid, grp in t.groupby("USUBJID", sort=True):
        labels = [strength_label(v) for v in grp["TACSTR"]]
        seq = [labels[0]] + [b for a, b in zip(labels, labels[1:]) if b != a]
        rows.append({
            "USUBJID": usubjid, "TACSTRFST": labels[0], "TACSTRLST": labels[-1],
            "TACSTRSEQ": "->".join(seq), "NSWITCH": len(seq) - 1,
        })
    return pd.DataFrame(rows, columns=["USUBJID", "TACSTRFST", "TACSTRLST", "TACSTRSEQ", "NSWITCH"])


topical_rows = st.lists(st.tuples(st.sampled_from(["a", "b", "c", "10", "2"]),
                                  st.sampled_from(["BASELINE", "WEEK 4", "WEEK 16", "WEEK 52"]),
                                  st.sampled_from([0.03, 0.1, None, 0.03, 0.1])),
                        max_size=25)


@FUZZ
@given(rows=topical_rows, with_avisitn=st.booleans())
def test_strength_history_matches_per_patient_loop(rows, with_avisitn):
    from analysis.derive.strength import strength_history

    t = pd.DataFrame(rows, columns=["USUBJID", "AVISIT", "TACSTR"])
    t["TACSTR"] = t["TACSTR"].astype(float)
    if with_avisitn:
        t["AVISITN"] = t["AVISIT"].map({"BASELINE": 0, "WEEK 4": 4, "WEEK 16": 16, "WEEK 52": 52})
    new, old = strength_history(t), old_strength_history(t)
    assert new.columns.tolist() == old.columns.tolist()
    assert new.astype(str).values.tolist() == old.astype(str).values.tolist()
    if len(old):
        assert new["NSWITCH"].tolist() == old["NSWITCH"].tolist()


def old_strip_text(s):  # analysis/io/normalize.py at 1d6e41d
    from analysis.io.raw import MISSING_TOKENS

    if s.dtype != object and not pd.api.types.is_string_dtype(s.dtype):
        return s
    s = s.astype(object)
    kind = pd.api.types.infer_dtype(s, skipna=True)
    if kind == "string":
        s = s.str.strip()
    elif kind != "empty" and "mixed" in kind:
        s = s.map(lambda v: v.strip() if isinstance(v, str) else v, na_action="ignore")
    return s.mask(s.isin(MISSING_TOKENS) | s.isna(), np.nan)


text_cells = st.one_of(st.sampled_from(["", " ", "NA", " NA ", ".", "nan", "NaN", "N/A", "001",
                                        " 001", "001 ", "F", "f ", "\u00a0x\u00a0", "\t"]),
                       st.text(max_size=6), st.none(), st.just(float("nan")), st.just(pd.NA))


@FUZZ
@given(values=st.one_of(st.lists(text_cells, max_size=30), st.lists(cells, max_size=30)),
       as_string_dtype=st.booleans())
def test_strip_text_matches_per_row_version(values, as_string_dtype):
    from analysis.io.normalize import strip_text

    s = pd.Series(values, dtype=object, name="X")
    if as_string_dtype and all(v is None or v is pd.NA or isinstance(v, str)
                               or (isinstance(v, float) and np.isnan(v)) for v in values):
        s = s.astype("string")
    new, old = strip_text(s), old_strip_text(s)
    assert new.name == old.name and new.index.equals(old.index)
    assert [type(v) for v in new] == [type(v) for v in old]
    assert new.fillna("<NA>").tolist() == old.fillna("<NA>").tolist()


@FUZZ
@given(data=st.data(), n=st.integers(0, 12), kinds=st.lists(st.sampled_from(["f", "o", "i"]),
                                                         min_size=1, max_size=4))
def test_drop_blank_matches_isna_all(data, n, kinds):
    from analysis.io.raw import _all_missing

    cols = {}
    for j, k in enumerate(kinds):
        if k == "f":
            cols[f"c{j}"] = pd.Series(data.draw(st.lists(st.one_of(st.none(), st.floats()),
                                                         min_size=n, max_size=n)), dtype=float)
        elif k == "i":
            cols[f"c{j}"] = pd.Series(data.draw(st.lists(st.integers(-5, 5), min_size=n,
                                                         max_size=n)), dtype="int64")
        else:
            cols[f"c{j}"] = pd.Series(data.draw(st.lists(text_cells, min_size=n, max_size=n)),
                                      dtype=object)
    frame = pd.DataFrame(cols)
    assert _all_missing(frame).tolist() == frame.isna().all(axis=1).tolist()
