"""``derive.topicals.ever_uses`` (per-visit indicators, then ``numpy.fmax``) gives
exactly the Series of the frame-wide code it replaced, on random visit-wide frames
of object or categorical codes with missing visits, duplicate rows and no rows.

Reference: ``ever_uses`` verbatim from analysis/derive/topicals.py at c4b3bb8.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings, strategies as st

from analysis.derive.topicals import CORTICOSTEROID_CODES, TACROLIMUS_CODES, ever_uses, uses
from tests.derive._compare import assert_same_series


def ref_ever_uses(wide, categories, visits):  # c4b3bb8
    flags = uses(wide[list(visits)], categories)
    return flags.max(axis=1, skipna=True)


VISITS = ["BASELINE", "WEEK 4", "WEEK 16", "WEEK 52"]


@st.composite
def frames(draw):
    n = draw(st.integers(0, 12))
    cells = st.one_of(st.sampled_from(["NONE", "TCS", "TAC", "BOTH"]), st.none(), st.just(np.nan))
    data = {v: draw(st.lists(cells, min_size=n, max_size=n)) for v in VISITS}
    frame = pd.DataFrame(data, index=pd.Index([f"P{i % 5}" for i in range(n)], name="USUBJID"),
                         dtype=object)
    for v in VISITS:
        how = draw(st.sampled_from(["object", "category", "float"]))
        if how == "category":
            frame[v] = frame[v].astype("category")
        elif how == "float":  # a visit nobody had: visit_wide makes it a float NaN column
            frame[v] = np.nan
    return frame


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(wide=frames(), visits=st.lists(st.sampled_from(VISITS), min_size=1, max_size=4),
       cats=st.sampled_from([TACROLIMUS_CODES, CORTICOSTEROID_CODES, ("NONE",)]))
def test_ever_uses_matches_frame_code(wide, visits, cats):
    assert_same_series(ever_uses(wide, cats, visits), ref_ever_uses(wide, cats, visits))
