"""``derive.tte.one_row_per_patient`` (rows looked up by position) gives exactly the
frame of the code it replaced (``times.join(covariates, how="inner")``), on random
inputs: patients missing on either side, any order, duplicate labels, named
indexes, missing values, an empty side.

Reference: ``one_row_per_patient`` verbatim from analysis/derive/tte.py at c4b3bb8.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings, strategies as st

from analysis.derive.tte import event_flag, one_row_per_patient


def ref_one_row_per_patient(times, covariates):  # c4b3bb8
    joined = times.join(covariates, how="inner")
    full = joined.dropna()
    out = pd.DataFrame({"duration": full["AVAL"].astype(float), "event": event_flag(full["CNSR"]).values},
                       index=full.index)
    for col in covariates.columns:
        out[col] = full[col].astype(float)
    out.attrs["n_dropped"] = int(len(joined) - len(full))
    return out


IDS = ["a", "b", "c", "d", "e", "f"]


@st.composite
def frames(draw):
    t_ids = draw(st.lists(st.sampled_from(IDS), max_size=8, unique=draw(st.booleans())))
    c_ids = draw(st.lists(st.sampled_from(IDS), max_size=8, unique=draw(st.booleans())))
    name = draw(st.sampled_from([None, "USUBJID"]))
    times = pd.DataFrame({
        "AVAL": draw(st.lists(st.sampled_from([0.0, 28.0, 112.0, np.nan]), min_size=len(t_ids),
                              max_size=len(t_ids))),
        "CNSR": draw(st.lists(st.sampled_from([0, 1]), min_size=len(t_ids), max_size=len(t_ids))),
    }, index=pd.Index(t_ids, dtype=object, name=name))
    cov = pd.DataFrame({
        "AGE": draw(st.lists(st.sampled_from([30.5, 41.0, np.nan]), min_size=len(c_ids),
                             max_size=len(c_ids))),
        "FEMALE": draw(st.lists(st.sampled_from([1.0, 0.0, np.nan]), min_size=len(c_ids),
                                max_size=len(c_ids))),
    }, index=pd.Index(c_ids, dtype=object, name=draw(st.sampled_from([None, "USUBJID", "id"]))))
    return times, cov


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=frames())
def test_one_row_per_patient_matches_join(data):
    times, cov = data
    try:
        want = ref_one_row_per_patient(times, cov)
    except Exception as err:  # noqa: BLE001
        try:
            one_row_per_patient(times, cov)
        except Exception as mine:  # noqa: BLE001
            assert type(mine) is type(err)
            return
        raise AssertionError(f"reference raised {err!r}, new code did not")
    got = one_row_per_patient(times, cov)
    pd.testing.assert_frame_equal(got, want, check_exact=True, check_index_type=True)
    assert got.index.name == want.index.name
    assert got.attrs == want.attrs
