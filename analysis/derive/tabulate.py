"""Tidy frequency and summary tables over flags and groups.

These only arrange the work: counting is :func:`analysis.stats.describe.count_percent`
and summaries :func:`analysis.stats.describe.summarize`. Rows come out with ARD
coordinate columns (``variable``, ``group``, ``visit``) so a study can pass them on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.stats.describe import count_percent, summarize


def frequencies(flags: dict, groups: dict, visit: str = "",
                denominator: str = "classified") -> pd.DataFrame:
    """Count and percent of each flag within each group.

    Parameters
    ----------
    flags : dict of str to Series
        Variable label -> 1.0/0.0/NaN indicator indexed by patient.
    groups : dict of str to Series of bool
        Group label -> membership mask indexed by patient (same index as the flags).
    visit : str
        Visit coordinate to stamp on the rows.
    denominator : {"classified", "group"}
        ``"classified"``: n = patients of the group whose flag is not missing.
        ``"group"``: n = every patient of the group (a missing flag counts as no).

    Returns
    -------
    DataFrame
        Columns variable, group, visit, count, n, percent.

    Examples
    --------
    >>> f = pd.Series([1.0, 0.0, None, 1.0])
    >>> g = pd.Series([True, True, True, False])
    >>> frequencies({"X": f}, {"all": g})[["count", "n"]].values.tolist()
    [[1, 2]]
    """
    if denominator not in ("classified", "group"):
        raise ValueError("denominator must be 'classified' or 'group'")
    rows = []
    for var, flag in flags.items():
        for grp, mask in groups.items():
            count, n = _count(flag, mask, denominator)
            cp = count_percent(count, n)
            rows.append({"variable": var, "group": grp, "visit": visit, "n": n, **cp})
    return pd.DataFrame(rows, columns=["variable", "group", "visit", "count", "n", "percent"])


def _count(flag: pd.Series, mask: pd.Series, denominator: str) -> tuple[int, int]:
    """Patients of ``mask`` with ``flag == 1``, and the denominator.

    A float flag and a boolean mask on the same patients are counted on their
    arrays; anything else goes through pandas' label alignment.
    """
    if (flag.dtype == np.float64 and mask.dtype == bool
            and (mask.index is flag.index or mask.index.equals(flag.index))):
        m = mask.to_numpy()
        sel = flag.to_numpy() if m.all() else flag.to_numpy()[m]
        n = int((~np.isnan(sel)).sum()) if denominator == "classified" else int(sel.size)
        return int((sel == 1).sum()), n
    sel = flag[mask.reindex(flag.index, fill_value=False).astype(bool)]
    n = int(sel.notna().sum()) if denominator == "classified" else int(sel.size)
    return int((sel == 1).sum()), n


def summaries(wide: pd.DataFrame, variable: str, group: str = "all") -> pd.DataFrame:
    """:func:`summarize` of each column (visit) of a patient x visit frame.

    Returns
    -------
    DataFrame
        Long: variable, group, visit, statistic, value; ``n_missing`` is left out
        (it depends on who is listed, not on the data).

    Examples
    --------
    >>> w = pd.DataFrame({"BASELINE": [1.0, 3.0], "WEEK 4": [2.0, None]})
    >>> s = summaries(w, "EASI")
    >>> s.query("visit == 'BASELINE' and statistic == 'mean'")["value"].item()
    2.0
    """
    rows = []
    for visit in wide.columns:
        for stat, val in summarize(wide[visit].to_numpy(dtype=float)).items():
            if stat != "n_missing":
                rows.append({"variable": variable, "group": group, "visit": str(visit),
                             "statistic": stat, "value": float(val)})
    return pd.DataFrame(rows, columns=["variable", "group", "visit", "statistic", "value"])


def two_by_two_counts(group, outcome) -> tuple[int, int, int, int]:
    """Cells ``a, b, c, d`` of groups x outcome from two 1.0/0.0/NaN indicators.

    Row 1 = group 1.0, row 2 = group 0.0; columns = outcome 1.0 / 0.0. Units with
    either value missing are left out.

    Examples
    --------
    >>> two_by_two_counts(pd.Series([1.0, 1.0, 0.0, 0.0, None]), pd.Series([1.0, 0.0, 0.0, 0.0, 1.0]))
    (1, 1, 0, 2)
    """
    g = pd.Series(group, dtype=float)
    o = pd.Series(outcome, dtype=float).set_axis(g.index)
    g, o = g.to_numpy(), o.to_numpy()  # positions, as set_axis made them
    keep = ~np.isnan(g) & ~np.isnan(o)
    g, o = g[keep], o[keep]
    return (int(((g == 1) & (o == 1)).sum()), int(((g == 1) & (o == 0)).sum()),
            int(((g == 0) & (o == 1)).sum()), int(((g == 0) & (o == 0)).sum()))
