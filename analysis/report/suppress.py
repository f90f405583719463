"""Small-count suppression, applied once to the ARD before anything is shown.

With ``min_cell = k`` (k > 1) a document never shows a count of patients between 1 and
k - 1, nor a number from which one can be worked out. :func:`suppress` returns a copy of
the ARD in which such values are NaN and the column ``suppressed`` says how to show
them; every table, sentence and figure label reads the ARD through :func:`cell` (or the
report modules' getters built on it), so the rule is applied in one place.

Rules, in order:

1. *Primary*: a count-like statistic (``count``, ``n``, ``events``, ...) with
   0 < value < k, and a denominator (the ``n`` column) with 0 < n < k. Shown as ``<k``.
2. *Complementary* (secondary) suppression over the sums a reader can form:

   - the categories of one variable (``TOPICAL=NONE``, ``TOPICAL=TCS``, ...) over their
     shared denominator, and a yes/no flag (``ASTHFL=Y``) against its denominator, the
     "no" count being the hidden rest;
   - a whole-population column against the groups that partition it (Table I's
     Total = Males + Females), detected from the denominators;
   - sums a study declares (e.g. tacrolimus users = tacrolimus alone + with
     corticosteroids).

   Whenever such a sum holds exactly one unknown number and that unknown is a
   suppressed count, or a hidden rest between 1 and k - 1, one more of its numbers is
   suppressed (the smallest positive one). Repeated until no sum changes. These cells
   can be large, so they show as ``suppressed``, not ``<k``.
3. *Dependent numbers*: the percent (and risks) of a suppressed count, and the summary
   statistics (mean, SD, median, quartiles, range, reductions) of a group whose size is
   suppressed, show as ``suppressed``.

Zeros are shown: a zero count identifies no one. Test statistics and p-values are shown.

Examples
--------
>>> import pandas as pd
>>> ard = pd.DataFrame({"study": "s", "analysis": "t", "variable": ["X=A", "X=B", "X=C"],
...     "group": "all", "visit": "", "statistic": "count", "value": [3.0, 40.0, 57.0],
...     "n": pd.array([100, 100, 100], dtype="Int64"), "method": "", "params": ""})
>>> out = suppress(ard, 5)
>>> [format(cell(out, variable=v, analysis="t", group="all", statistic="count"), ".0f") for v in
...  ("X=A", "X=B", "X=C")]
['<5', 'suppressed', '57']
"""

from __future__ import annotations

import math

import pandas as pd

SECONDARY = "suppressed"
COORDS = ("analysis", "variable", "group", "visit", "statistic")
COUNT_STATS = frozenset({
    "count", "n", "events", "at_risk", "censored", "n_undefined_base0", "n_excluded_base0",
    "n_nonzero", "n_zero", "n_dropped", "n_missing", "n_no_baseline", "n_1", "n_2", "n_x",
    "n_y", "a", "b", "c", "d", "undefined"})
SHARE_STATS = frozenset({"percent", "risk_1", "risk_2"})
GROUP_STATS = frozenset({
    "mean", "sd", "median", "q1", "q3", "min", "max", "reduction", "mean_base", "mean_post",
    "rmst", "rmst_se", "mean_x", "mean_y", "tau", "median_ci_low", "median_ci_high"})


class Masked(float):
    """A suppressed number: NaN to arithmetic, its marker (``<5``, ``suppressed``) to text.

    >>> m = Masked("<5")
    >>> f"{m} patients ({m:.1f}%)", m != m
    ('<5 patients (<5%)', True)
    """

    def __new__(cls, text: str = SECONDARY):
        obj = super().__new__(cls, math.nan)
        obj.text = text
        return obj

    def __format__(self, spec: str) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"Masked({self.text!r})"


def is_masked(x) -> bool:
    return isinstance(x, Masked)


def min_cell(ard: pd.DataFrame) -> int:
    """The ``min_cell`` a suppressed ARD was made with (0 for a raw ARD)."""
    return int(ard.attrs.get("min_cell", 0) or 0)


def small(k: int) -> str:
    return f"<{k}"


def count_text(value, k: int = 0) -> str:
    """A count of patients taken from the data (not the ARD) as it may be shown.

    >>> count_text(3, 5), count_text(0, 5), count_text(12, 5), count_text(3, 0)
    ('<5', '0', '12', '3')
    """
    if is_masked(value):
        return value.text
    v = int(value)
    return small(k) if k and k > 1 and 0 < v < k else str(v)


def pair_text(count: int, total: int, k: int = 0, decimals: int = 1) -> str:
    """``count/total (x%)`` for counts read from the data, with the same rules as the ARD.

    The count is suppressed when it is small, and also when the rest (total - count) is
    small, since the total is shown.

    >>> pair_text(3, 60, 5), pair_text(58, 60, 5), pair_text(30, 60, 5)
    ('<5/60', 'suppressed/60', '30/60 (50.0%)')
    """
    if k and k > 1 and (0 < count < k or 0 < total - count < k):
        return f"{small(k) if 0 < count < k else SECONDARY}/{total}"
    pct = 100.0 * count / total if total else math.nan
    return f"{count}/{total} ({pct:.{decimals}f}%)"


def cell(ard: pd.DataFrame, **coords):
    """The value at ``coords`` (unnamed coordinates ""): float, :class:`Masked`, or NaN."""
    from analysis.results.ard import select

    rows = select(ard, **{k: coords.get(k, "") for k in COORDS})
    return row_value(rows)


def row_value(rows: pd.DataFrame):
    """The single row's value (Masked when suppressed; NaN unless exactly one row)."""
    if len(rows) != 1:
        return math.nan
    if "suppressed" in rows.columns:
        mark = rows["suppressed"].iloc[0]
        if mark:
            return Masked(mark)
    return float(rows["value"].iloc[0])


def row_n(rows: pd.DataFrame):
    """The first row's denominator (the ``n`` column): int, Masked, or NaN."""
    if not len(rows):
        return math.nan
    if "n_suppressed" in rows.columns and rows["n_suppressed"].iloc[0]:
        return Masked(rows["n_suppressed"].iloc[0])
    n = rows["n"].iloc[0]
    return math.nan if pd.isna(n) else int(n)


def _key_prefix(variable: str) -> str:
    return variable.split("=", 1)[0] + "=" if "=" in variable else variable


class _State:
    def __init__(self, ard: pd.DataFrame, k: int):
        self.df = ard.reset_index(drop=True).copy()
        self.k = k
        self.mark = [""] * len(self.df)
        self.n_mark = [""] * len(self.df)
        self.values = self.df["value"].astype(float).tolist()
        ns = self.df["n"]
        self.ns = [None if pd.isna(v) else int(v) for v in ns]
        self.by_place: dict = {}
        for i, place in enumerate(zip(self.df["analysis"], self.df["visit"])):
            self.by_place.setdefault(place, []).append(i)

    def masked(self, i: int) -> bool:
        return bool(self.mark[i])

    def set(self, i: int, text: str) -> bool:
        if self.mark[i]:
            return False
        self.mark[i] = text
        return True


def _primary(st: _State) -> None:
    df, k = st.df, st.k
    for i, (stat, v, n) in enumerate(zip(df["statistic"], st.values, st.ns)):
        if stat in COUNT_STATS and v == v and 0 < v < k:
            st.set(i, small(k))
        if n is not None and 0 < n < k:
            st.n_mark[i] = small(k)


def _constraints(st: _State, sums) -> list[tuple]:
    """One entry per sum a reader can form.

    (total row or None when the total is the cells' shared denominator, its value, the
    cells' rows, the hidden rest = total - sum of cells, rows whose ``n`` is the total).
    """
    df = st.df
    out = []
    counts = df[df["statistic"] == "count"]
    # 1. Categories of one variable over their shared denominator (hidden rest = n - sum).
    keyed = counts.assign(_p=counts["variable"].map(_key_prefix), _n=counts["n"])
    for _, part in keyed.groupby(["analysis", "group", "visit", "_p", "_n"], sort=False,
                                 dropna=True):
        total = int(part["_n"].iloc[0])
        rest = total - sum(st.values[i] for i in part.index)
        if rest >= 0:
            out.append((None, total, list(part.index), rest, list(part.index)))
    # A variable without categories equal to the sum of its categories (SWITCH = SWITCH=*).
    for (a, g, v), part in keyed.groupby(["analysis", "group", "visit"], sort=False):
        plain = {var: i for var, i in zip(part["variable"], part.index) if "=" not in var}
        for var, i in plain.items():
            subs = [j for var2, j in zip(part["variable"], part.index)
                    if var2.startswith(var + "=")]
            if subs and abs(st.values[i] - sum(st.values[j] for j in subs)) < 1e-9:
                out.append((i, st.values[i], subs, 0.0, []))
    # 2. The whole population against the groups that partition it (denominators add up).
    for stat in ("count", "n"):
        rows = df[df["statistic"] == stat]
        for _, part in rows.groupby(["analysis", "variable", "visit"], sort=False):
            whole = part[part["group"] == "all"]
            groups = part[(part["group"] != "all") & (part["group"].str.count("=") == 1)
                          & ~part["group"].str.contains(" vs ")]
            if len(whole) != 1 or len(groups) < 2:
                continue
            if len({g.split("=", 1)[0] for g in groups["group"]}) != 1:
                continue
            w = whole.index[0]
            size = (lambda idx: st.ns[idx]) if stat == "count" else (lambda idx: st.values[idx])
            if any(size(i) is None for i in [w, *groups.index]):
                continue
            if sum(size(i) for i in groups.index) == size(w):
                rest = st.values[w] - sum(st.values[i] for i in groups.index)
                out.append((w, st.values[w], list(groups.index), rest, []))
    # 3. Sums the study declares: (total coords, [cell coords]) with every coordinate named.
    for total, cells in sums:
        ti = _find(df, total)
        cis = [_find(df, c) for c in cells]
        if ti is None or any(c is None for c in cis):
            continue
        out.append((ti, st.values[ti], cis, st.values[ti] - sum(st.values[c] for c in cis), []))
    return out


def _find(df: pd.DataFrame, coords: dict) -> int | None:
    mask = pd.Series(True, index=df.index)
    for key in COORDS:
        mask &= df[key] == coords.get(key, "")
    hits = df.index[mask]
    return int(hits[0]) if len(hits) == 1 else None


def _secondary(st: _State, constraints) -> None:
    k = st.k
    for _ in range(100):
        changed = _denominators(st)
        for total, _, cells, rest, denominator_of in constraints:
            unknown = [i for i in cells if st.masked(i)]
            if total is not None and st.masked(total):
                unknown.append(total)
            if total is None and any(st.n_mark[i] for i in denominator_of):
                unknown.append("total")
            if rest > 0:
                unknown.append("rest")
            if len(unknown) != 1 or (unknown[0] == "rest" and not 0 < rest < k):
                continue
            # The one unknown could be worked out, and it is a suppressed number or a small
            # hidden rest: suppress one more number of this sum.
            free = sorted((i for i in cells if not st.masked(i) and st.values[i] > 0),
                          key=lambda i: st.values[i])
            if free:
                changed |= st.set(free[0], SECONDARY)
            elif total is not None and not st.masked(total):
                changed |= st.set(total, SECONDARY)
            elif total is None:
                for i in denominator_of:
                    if not st.n_mark[i]:
                        st.n_mark[i] = SECONDARY
                        changed = True
        if not changed:
            return


def _denominators(st: _State) -> bool:
    """A suppressed count that is the denominator of other rows hides their ``n`` too.

    Rows of the same analysis and visit whose ``n`` equals the suppressed count are taken
    to be over it (a coincidence only suppresses more).
    """
    df, changed = st.df, False
    for i in range(len(df)):
        if not st.mark[i] or df["statistic"].iat[i] not in ("count", "n"):
            continue
        v = st.values[i]
        for j in st.by_place.get((df["analysis"].iat[i], df["visit"].iat[i]), ()):
            if j != i and st.ns[j] is not None and st.ns[j] == v and not st.n_mark[j]:
                st.n_mark[j] = SECONDARY
                changed = True
    return changed


def _dependents(st: _State) -> None:
    df = st.df
    key = list(zip(df["analysis"], df["variable"], df["group"], df["visit"]))
    masked_count = {key[i] for i in range(len(df))
                    if st.mark[i] and df["statistic"].iat[i] in ("count", "n")}
    for i, stat in enumerate(df["statistic"]):
        if st.mark[i]:
            continue
        if stat in SHARE_STATS and key[i] in masked_count:
            st.set(i, SECONDARY)
        elif stat in GROUP_STATS and (key[i] in masked_count or st.n_mark[i]):
            st.set(i, SECONDARY)
        elif stat == "percent" and st.n_mark[i]:
            st.set(i, SECONDARY)


def suppress(ard: pd.DataFrame, min_cell: int, sums=()) -> pd.DataFrame:
    """The ARD as it may be shown with ``min_cell``; unchanged (plus empty marks) when k <= 1.

    Parameters
    ----------
    ard : DataFrame
        The study's ARD.
    min_cell : int
        Counts 1 .. min_cell - 1 are suppressed.
    sums : sequence of (dict, list of dict)
        Extra sums a reader can form: a total's coordinates and its parts' coordinates.

    Returns
    -------
    DataFrame
        Same rows; ``value`` NaN and ``suppressed`` set (``<k`` or ``suppressed``) for each
        suppressed number; ``n`` missing and ``n_suppressed`` set for suppressed
        denominators.
    """
    k = int(min_cell or 0)
    st = _State(ard, k)
    if k > 1:
        _primary(st)
        _secondary(st, _constraints(st, sums))
        _dependents(st)
    out = st.df
    out.attrs["min_cell"] = k
    out["suppressed"] = st.mark
    out["n_suppressed"] = st.n_mark
    hide = out["suppressed"] != ""
    out.loc[hide, "value"] = math.nan
    out["n"] = out["n"].astype("Int64").mask(out["n_suppressed"] != "")
    return out


def suppressed_counts(raw: pd.DataFrame, shown: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``raw`` whose count or denominator ``shown`` hides (for tests and audits)."""
    counts = shown["statistic"].isin(COUNT_STATS) & (shown["suppressed"] != "")
    return raw.reset_index(drop=True)[counts.to_numpy()]
