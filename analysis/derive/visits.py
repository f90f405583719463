"""Reshape BDS-like long data to one row per patient with a column per visit.

:func:`visit_wide` places each value straight into a patient x visit array from
integer codes of the patient, visit and parameter columns (one factorization per
column, shared by every parameter through :class:`CodedVisits`).
``DataFrame.pivot`` (:func:`pivot_wide`) took about 2 s per parameter at a million
patients; it is kept as the reference and as the path for inputs the array
placement does not cover (integer or boolean values, missing patient ids, duplicate
or missing visit labels), so both paths give the same frame.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

ID, VISIT, PARAM = "USUBJID", "AVISIT", "PARAMCD"
DUPLICATE = "more than one row per patient and visit"


def visit_wide(long: pd.DataFrame, value: str, visits, patients=None,
               paramcd: str | None = None) -> pd.DataFrame:
    """One row per patient, one column per visit; NaN where a visit is missing.

    Unlike a complete-case pivot, patients who miss visits (or all of them) keep
    their row, so denominators can be counted per visit.

    Parameters
    ----------
    long : DataFrame
        Columns ``USUBJID``, ``AVISIT``, ``value`` (and ``PARAMCD`` when ``paramcd``).
    value : str
        Column to spread (``AVAL``, ``TOPICAL``).
    visits : list of str
        Visits to keep, in column order.
    patients : sequence of str, optional
        Row index: every patient of the population, present in ``long`` or not.
    paramcd : str, optional
        Keep only this parameter.

    Examples
    --------
    >>> m = pd.DataFrame({"USUBJID": ["a", "a", "b"], "AVISIT": ["BASELINE", "WEEK 4", "BASELINE"],
    ...                   "AVAL": [10.0, 4.0, 8.0]})
    >>> visit_wide(m, "AVAL", ["BASELINE", "WEEK 4"], patients=["a", "b", "c"]).loc["b"].tolist()
    [8.0, nan]
    """
    visits = list(visits)
    coded = CodedVisits.build(long, visits, None if paramcd is None else [paramcd])
    wide = None if coded is None else coded.wide(value, paramcd, patients)
    return pivot_wide(long, value, visits, patients, paramcd) if wide is None else wide


def visit_wide_params(long: pd.DataFrame, value: str, visits, paramcds, patients=None) -> dict:
    """:func:`visit_wide` of each parameter in ``paramcds``, from one coding of ``long``.

    Returns
    -------
    dict
        ``paramcd -> visit_wide(long, value, visits, patients, paramcd=paramcd)``.

    Examples
    --------
    >>> m = pd.DataFrame({"USUBJID": ["a", "a"], "PARAMCD": ["EASI", "DLQI"],
    ...                   "AVISIT": ["BASELINE", "BASELINE"], "AVAL": [10.0, 3.0]})
    >>> visit_wide_params(m, "AVAL", ["BASELINE"], ["EASI", "DLQI"])["DLQI"].loc["a"].tolist()
    [3.0]
    """
    visits, paramcds = list(visits), list(dict.fromkeys(paramcds))
    coded = CodedVisits.build(long, visits, paramcds)
    out = {}
    for p in paramcds:
        wide = None if coded is None else coded.wide(value, p, patients)
        out[p] = pivot_wide(long, value, visits, patients, p) if wide is None else wide
    return out


def pivot_wide(long: pd.DataFrame, value: str, visits, patients=None,
               paramcd: str | None = None) -> pd.DataFrame:
    """:func:`visit_wide` by ``DataFrame.pivot``: the reference, and the path for
    inputs :class:`CodedVisits` leaves to pandas."""
    sub = long
    if paramcd is not None:
        sub = sub[sub[PARAM] == paramcd]
    sub = sub[sub[VISIT].isin(list(visits))]
    if sub.duplicated([ID, VISIT]).any():
        raise ValueError(DUPLICATE)
    wide = sub.pivot(index=ID, columns=VISIT, values=value).reindex(columns=list(visits))
    wide.columns.name = None
    if patients is not None:
        wide = wide.reindex(pd.Index(list(patients), name=ID))
    return wide


def _take(column: pd.Series, rows: np.ndarray | None):
    values = column.to_numpy() if column.dtype == object else column.array
    return values if rows is None else values[rows]


def _codes_at(column: pd.Series, rows: np.ndarray | None, given: tuple | None):
    """(codes, uniques) of ``column`` at ``rows`` (all when None): the given
    whole-column codes picked at the rows, or a factorization of those cells."""
    if given is None:
        return pd.factorize(_take(column, rows))
    codes, uniques = given
    codes = np.asarray(codes)
    return (codes if rows is None else codes[rows]), uniques


class CodedVisits:
    """Rows of a long table kept for ``visits`` (and parameters), as integer codes.

    Built once per table, it answers :func:`visit_wide` for every parameter and the
    long rows of one parameter (:meth:`long`) without comparing text again.

    Attributes
    ----------
    rows : ndarray or None
        Positions in ``frame`` of the rows at one of ``visits`` (and of a parameter
        asked for), in table order; None when every row of ``frame`` is kept.
    patient : ndarray
        Code of each kept row's ``USUBJID``: position in ``ids``; -1 if missing.
    visit : ndarray
        Position of each kept row's ``AVISIT`` in ``visits``.
    param : ndarray or None
        Position of each kept row's ``PARAMCD`` in ``params``.
    """

    def __init__(self, frame, visits, rows, patient, ids, visit, param, params):
        self.frame, self.visits, self.rows = frame, visits, rows
        self.patient, self.ids, self.visit = patient, ids, visit
        self.param, self.params = param, params
        self._where = {}

    @classmethod
    def build(cls, long: pd.DataFrame, visits, paramcds=None, param_codes: tuple | None = None,
              visit_codes: tuple | None = None, id_codes: tuple | None = None
              ) -> "CodedVisits | None":
        """Code ``long``; None when the visit labels are not distinct text.

        ``param_codes``, ``visit_codes``, ``id_codes``: ``(codes, uniques)`` of the
        whole PARAMCD, AVISIT, USUBJID columns when the caller has them (a reader's
        codes, :meth:`analysis.io.dataset.Dataset.factorized`): as
        :func:`pandas.factorize` gives them, -1 for a missing cell; ``uniques`` may
        hold values no row has.
        """
        visits = list(visits)
        labels = pd.Index(visits)
        if not all(isinstance(v, str) for v in visits) or not labels.is_unique:
            return None
        rows, param, params = None, None, None  # rows None: every row so far
        if paramcds is not None:
            params = list(paramcds)
            if len(params) > 1000:
                return None
            codes, uniques = param_codes if param_codes is not None else pd.factorize(long[PARAM])
            small = np.int8 if len(params) < 127 else np.int16
            which = np.full(len(uniques) + 1, -1, dtype=small)  # last slot: missing code
            for j, u in enumerate(np.asarray(uniques, dtype=object)):
                hits = [i for i, p in enumerate(params) if _equal(u, p)]
                if len(hits) > 1:
                    return None
                if hits:
                    which[j] = hits[0]
            param = which[codes]
            keep = param >= 0
            if not keep.all():
                rows = np.flatnonzero(keep)
                param = param[rows]
        vcodes, vuniques = _codes_at(long[VISIT], rows, visit_codes)
        vpos = np.append(labels.get_indexer(np.asarray(vuniques, dtype=object)), -1)
        visit = vpos.astype(np.int8 if len(visits) < 127 else np.int64)[vcodes]
        kept = visit >= 0
        if not kept.all():
            where = np.flatnonzero(kept)
            rows = where if rows is None else rows[where]
            visit = visit[where]
            param = None if param is None else param[where]
        patient, ids = _codes_at(long[ID], rows, id_codes)
        return cls(long, visits, rows, np.asarray(patient), pd.Index(np.asarray(ids, dtype=object)),
                   visit, param, params)

    def _select(self, paramcd) -> np.ndarray | None:
        """Positions (in the kept rows) of ``paramcd``'s rows, in table order; None: all."""
        if paramcd is None:
            return None
        if self.params is None or paramcd not in self.params:
            raise KeyError(f"{paramcd!r} was not coded")
        return np.flatnonzero(self.param == self.params.index(paramcd))

    def _table_rows(self, sel) -> np.ndarray:
        if self.rows is None:
            return np.arange(len(self.frame)) if sel is None else sel
        return self.rows if sel is None else self.rows[sel]

    def long(self, value: str, paramcd=None) -> pd.DataFrame:
        """``paramcd``'s rows at the visits: patient code, visit (categorical in
        ``visits`` order) and ``value``, in table order.

        Any one-to-one recoding of the patient id leaves a per-patient analysis
        unchanged, so the integer code stands in for the text id.
        """
        sel = self._select(paramcd)
        pick = (lambda a: a) if sel is None else (lambda a: a[sel])
        return pd.DataFrame({
            ID: pick(self.patient).astype(np.int64),
            VISIT: pd.Categorical.from_codes(pick(self.visit), categories=self.visits),
            value: _take(self.frame[value], self._table_rows(sel)),
        })

    def _positions(self, patients) -> tuple[pd.Index, np.ndarray]:
        """Output index (as ``pd.Index(list(patients))``) and each row's patient code."""
        key = id(patients)
        if key not in self._where or self._where[key][0] is not patients:
            if (isinstance(patients, pd.Index) and not isinstance(patients, pd.MultiIndex)
                    and patients.dtype == object
                    and pd.api.types.infer_dtype(patients, skipna=False) == "string"):
                index = patients.rename(ID)  # same values; shares the patients' hash table
            else:
                index = pd.Index(list(patients), name=ID)
            if index.is_unique:  # look the ids up in the patients' table, built once a run
                where = index.get_indexer(self.ids)
                hit = where >= 0
                src = np.full(len(index), -1, dtype=np.int64)
                src[where[hit]] = np.flatnonzero(hit)
            else:
                src = self.ids.get_indexer(index)
            self._where[key] = (patients, index, src)
        return self._where[key][1], self._where[key][2]

    def wide(self, value: str, paramcd=None, patients=None, categorical: bool = False,
             value_codes: tuple | None = None) -> pd.DataFrame | None:
        """:func:`visit_wide` of ``paramcd``; None where pandas' pivot rules must apply.

        With ``categorical=True`` a text ``value`` comes back as categorical columns
        (same values and missing cells; ``isin``/``==`` then compare integer codes),
        from ``value_codes`` (whole-column ``(codes, uniques)``) when given.
        Raises ValueError when a patient has two rows at one visit.
        """
        sel = self._select(paramcd)
        patient = (self.patient if sel is None else self.patient[sel]).astype(np.int64)
        visit = self.visit if sel is None else self.visit[sel]
        if (patient < 0).any():  # missing ids: pivot's own rules for a NaN label
            return None
        n_ids, n_vis = len(self.ids), len(self.visits)
        cell = patient * n_vis + visit
        if cell.size and np.bincount(cell, minlength=n_ids * n_vis).max() > 1:
            raise ValueError(DUPLICATE)
        column = self.frame[value]
        kind = _kind(column, categorical)
        if kind is None:
            return None
        if patients is None:
            if self.frame[ID].dtype != object:  # pivot keeps a categorical id index
                return None
            present = np.flatnonzero(np.bincount(patient, minlength=n_ids))
            labels = self.ids.to_numpy()[present]
            if labels.size == 0 or pd.api.types.infer_dtype(labels, skipna=False) != "string":
                return None
            order = np.argsort(labels, kind="stable")
            index, src = pd.Index(labels[order], name=ID), present[order]
        else:
            index, src = self._positions(patients)
        src = np.where(src < 0, n_ids, src)  # row n_ids: nothing recorded
        observed = np.bincount(visit, minlength=n_vis) > 0
        rows = self._table_rows(sel)
        return _assemble(kind, column, rows, cell, src, index, self.visits, observed, n_ids,
                         value_codes)


def _equal(a, b) -> bool:
    """``a == b`` as pandas' elementwise comparison decides it (False if it cannot)."""
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def _kind(column: pd.Series, categorical: bool) -> str | None:
    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return "category"
    if dtype == np.float64:
        return "float"
    if dtype == object:
        return "object-category" if categorical else "object"
    return None


def _assemble(kind, column, rows, cell, src, index, visits, observed, n_ids, value_codes=None):
    """The frame of :meth:`CodedVisits.wide`: each value put at its (patient, visit)
    ``cell`` of a patients x visits table, rows then picked in ``index`` order."""
    n_vis = len(visits)
    if kind == "float":
        table = np.full((n_ids + 1, n_vis), np.nan)
        table.reshape(-1)[cell] = column.to_numpy()[rows]
        return pd.DataFrame(table[src], index=index, columns=pd.Index(visits))
    if kind == "object":
        table = np.full((n_ids + 1, n_vis), np.nan, dtype=object)
        table.reshape(-1)[cell] = column.to_numpy()[rows]
        block = table[src]
        data = {v: (block[:, j] if observed[j] else block[:, j].astype(float))
                for j, v in enumerate(visits)}
        return pd.DataFrame(data, index=index, columns=pd.Index(visits))
    if kind == "category":
        codes, dtype = column.cat.codes.to_numpy()[rows], column.dtype
    else:  # object values wanted as categorical
        codes, uniques = _codes_at(column, rows, value_codes)
        dtype = pd.CategoricalDtype(pd.Index(np.asarray(uniques, dtype=object)))
    table = np.full((n_ids + 1, n_vis), -1, dtype=np.int64)
    table.reshape(-1)[cell] = codes
    block = table[src]
    data = {v: (pd.Categorical.from_codes(block[:, j], dtype=dtype) if observed[j]
                else np.full(len(index), np.nan)) for j, v in enumerate(visits)}
    return pd.DataFrame(data, index=index, columns=pd.Index(visits))
