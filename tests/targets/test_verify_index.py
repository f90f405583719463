"""verify looks records up in an index of the ARD made once; the answers are those of
one ``match_rows`` selection per record (the code it replaced, still used as the
reference here by passing no index).

Random ARDs (hypothesis) hold exact matches, repeated rows, NaN values and
coordinates, other studies' rows and coordinates of other types; the selectors are
the committed catalogues' own and random ones.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings, strategies as st

from analysis.results.ard import records
from analysis.targets.catalogue import SELECTOR_KEYS, load_study
from analysis.targets.verify import _lookup, selector_index, verify_records

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
WORDS = ["", "a", "b", "all", "BASELINE", "WEEK 4"]

coordinates = st.fixed_dictionaries({k: st.sampled_from(WORDS) for k in SELECTOR_KEYS})


@st.composite
def ards(draw):
    rows = []
    for coords in draw(st.lists(coordinates, max_size=25)):
        row = dict(coords, study=draw(st.sampled_from(["s", "s", "other"])),
                   value=draw(st.one_of(st.floats(-5, 5), st.just(float("nan")), st.none())))
        for key in SELECTOR_KEYS:
            if draw(st.integers(0, 9)) == 0:
                row[key] = draw(st.sampled_from([None, np.nan, 4, "4"]))
        rows.append(row)
    return records(rows) if rows else records([{"study": "s"}]).iloc[:0]


def reference(ard, records_, study):
    """One selection per record, as before the index."""
    return [_lookup(ard, rec, study) for rec in records_]


class Rec:
    def __init__(self, parts):
        self._parts = parts

    def parts(self):
        return self._parts


@SETTINGS
@given(ards(), st.lists(st.dictionaries(st.sampled_from(SELECTOR_KEYS + ("study",)),
                                        st.sampled_from(WORDS + ["s", "other"]), max_size=6),
                        min_size=1, max_size=10))
def test_index_finds_what_match_rows_finds(ard, selectors):
    index = selector_index(ard)
    recs = [Rec({"value": sel}) for sel in selectors] + [Rec({"lower": selectors[0],
                                                              "upper": selectors[-1]})]
    new = [_lookup(ard, rec, "s", index) for rec in recs]
    assert repr(new) == repr(reference(ard, recs, "s"))


def test_study_catalogues_score_the_same(tmp_path):
    rng = np.random.default_rng(7)
    for study in ("ferrucci2022", "matsutani2021"):
        cat = load_study(study)
        rows = []
        for rec in cat.records:
            for sel in rec.parts().values():
                for _ in range(int(rng.integers(0, 3))):  # none, one or two rows
                    rows.append(dict({k: sel.get(k, "") for k in SELECTOR_KEYS}, study=study,
                                     value=float(rng.normal()) if rng.random() > 0.1
                                     else float("nan")))
        ard = records(rows)
        new = verify_records(cat.records, ard, study)
        old = pd.DataFrame(reference(ard, cat.records, study), columns=["values", "reason"])
        assert new["reason"].where(new["status"] == "not built", "").tolist() == \
            old["reason"].fillna("").tolist()
        built = old["values"].notna().to_numpy()
        assert (new["status"] != "not built").to_numpy().tolist() == built.tolist()
