"""``derive.tabulate.frequencies`` (counts on arrays when flag and mask share the
patients) gives exactly the table of the code it replaced, on random inputs: float
flags with NaN and values other than 0/1, boolean and non-boolean masks, masks on
the same, an equal, a reordered or a partly different index, duplicate labels.

Reference: ``frequencies`` verbatim from analysis/derive/tabulate.py at c4b3bb8.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings, strategies as st

from analysis.derive.tabulate import frequencies
from analysis.stats.describe import count_percent


def ref_frequencies(flags, groups, visit="", denominator="classified"):  # c4b3bb8
    if denominator not in ("classified", "group"):
        raise ValueError("denominator must be 'classified' or 'group'")
    rows = []
    for var, flag in flags.items():
        for grp, mask in groups.items():
            sel = flag[mask.reindex(flag.index, fill_value=False).astype(bool)]
            n = int(sel.notna().sum()) if denominator == "classified" else int(sel.size)
            cp = count_percent(int((sel == 1).sum()), n)
            rows.append({"variable": var, "group": grp, "visit": visit, "n": n, **cp})
    return pd.DataFrame(rows, columns=["variable", "group", "visit", "count", "n", "percent"])


@st.composite
def inputs(draw):
    n = draw(st.integers(0, 15))
    kind = draw(st.sampled_from(["range", "text", "duplicated"]))
    index = {"range": pd.RangeIndex(n), "text": pd.Index([f"P{i}" for i in range(n)]),
             "duplicated": pd.Index(["P"] * n)}[kind]
    flags = {}
    for name in ("X", "Y"):
        vals = draw(st.lists(st.sampled_from([1.0, 0.0, np.nan, 2.0]), min_size=n, max_size=n))
        dtype = draw(st.sampled_from([float, float, object]))
        flags[name] = pd.Series(vals, index=index, dtype=dtype)
    groups = {}
    for name in ("all", "G"):
        vals = draw(st.lists(st.booleans(), min_size=n, max_size=n))
        how = draw(st.sampled_from(["same", "equal", "reversed", "object", "partial"]))
        if how == "same":
            groups[name] = pd.Series(vals, index=index, dtype=bool)
        elif how == "equal":
            groups[name] = pd.Series(vals, index=index.copy(), dtype=bool)
        elif how == "reversed":
            groups[name] = pd.Series(vals, index=index[::-1], dtype=bool)
        elif how == "object":
            groups[name] = pd.Series([v if v else None for v in vals], index=index, dtype=object)
        else:
            groups[name] = pd.Series(vals[: n // 2], index=index[: n // 2], dtype=bool)
    return flags, groups


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=inputs(), denominator=st.sampled_from(["classified", "group"]))
def test_frequencies_match_label_alignment(data, denominator):
    flags, groups = data
    try:
        want = ref_frequencies(flags, groups, "WEEK 4", denominator)
    except Exception as err:  # noqa: BLE001 - e.g. reindexing on duplicate labels
        try:
            frequencies(flags, groups, "WEEK 4", denominator)
        except Exception as mine:  # noqa: BLE001
            assert type(mine) is type(err) and str(mine) == str(err)
            return
        raise AssertionError(f"reference raised {err!r}, new code did not")
    got = frequencies(flags, groups, "WEEK 4", denominator)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
