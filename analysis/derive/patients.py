"""Which rows of a long table belong to a set of patients.

A measurements table holds one row per patient x parameter x visit, each patient's
rows usually next to each other. Hashing every row's id (``isin``) took 2-3 s for 15
million rows; comparing neighbours is ten times cheaper, so each run of equal ids is
looked up once.

Examples
--------
>>> ids = pd.Series(["a", "a", "b", "b", "c", "a"])
>>> in_patients(ids, pd.Index(["a", "c"])).tolist()
[True, True, False, False, True, True]
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def in_patients(ids: pd.Series, patients, codes=None) -> np.ndarray:
    """``ids.astype(str).isin(patients)`` as a boolean array, one lookup per distinct id
    (given its codes) or per run of equal ids.

    Parameters
    ----------
    ids : Series
        Patient id of each row (``USUBJID``), any dtype.
    patients : sequence of str
        The patients wanted.
    codes : tuple, optional
        ``(codes, uniques)`` of ``ids`` as :meth:`analysis.io.dataset.Dataset.factorized`
        gives them (uniques are ``str``, code -1 a missing id), when the reader kept them.

    Returns
    -------
    ndarray of bool
        Exactly ``ids.astype(str).isin(patients).to_numpy()``; the fast paths are
        used only where ``astype(str)`` changes nothing (every id a ``str``), and a
        missing id is looked up as ``astype(str)`` writes it.
    """
    wanted_set = set(patients)
    if codes is not None:
        code, uniques = codes
        code = np.asarray(code)
        table = np.fromiter((u in wanted_set for u in uniques), dtype=bool, count=len(uniques))
        out = np.append(table, False)[code]
        missing = code < 0
        if missing.any():
            out[missing] = ids[missing].astype(str).isin(patients).to_numpy()
        return out
    values = ids.to_numpy() if ids.dtype == object else None
    if (values is None or values.size < 2
            or pd.api.types.infer_dtype(values, skipna=False) != "string"):
        return ids.astype(str).isin(patients).to_numpy()
    head = np.empty(values.size, dtype=bool)
    head[0] = True
    np.not_equal(values[1:], values[:-1], out=head[1:])
    starts = np.flatnonzero(head)
    # every id is a str: set membership is isin's equality, without building an Index
    wanted = np.fromiter((v in wanted_set for v in values[starts]), dtype=bool,
                         count=starts.size)
    return np.repeat(wanted, np.diff(np.append(starts, values.size)))


class PatientValues:
    """Values of a fixed set of patients by parameter and visit, from one coding.

    A study that summarises several parameters at several visits for one population
    needs, per parameter, the visits that have rows and one patient x visit frame per
    value column. Built on :class:`analysis.derive.visits.CodedVisits` (the long table
    is coded once); when the visit labels are not distinct text it falls back to
    :func:`analysis.derive.visits.visit_wide` (``DataFrame.pivot``).

    Parameters
    ----------
    long : DataFrame
        ``USUBJID``, ``PARAMCD``, ``AVISIT`` and the ``values`` columns (rows of
        patients not in ``patients`` are ignored).
    patients : pandas.Index
        Row order of every frame returned.
    params : sequence of str
        Parameters that will be asked for.
    values : sequence of str
        Value columns that will be asked for (only these are kept).
    rows : array of int, optional
        Positions of the rows of ``long`` to use (default: all).
    text_ids : bool
        Read ``USUBJID`` as text (``astype(str)``), as ``patients`` are.
    codes : dict, optional
        ``{"PARAMCD": (codes, uniques), "AVISIT": ..., "USUBJID": ...}`` of the whole
        columns of ``long`` (:meth:`analysis.io.dataset.Dataset.factorized`: text
        columns only), so that the text is not hashed again.

    Examples
    --------
    >>> m = pd.DataFrame({"USUBJID": ["a", "a", "b"], "PARAMCD": "EASI",
    ...                   "AVISIT": ["WEEK 4", "BASELINE", "WEEK 4"], "AVAL": [3.0, 9.0, 1.0]})
    >>> pv = PatientValues(m, pd.Index(["a", "b", "c"]), ["EASI"])
    >>> pv.visits("EASI"), pv.wide("AVAL", "EASI")["WEEK 4"].tolist()
    (['WEEK 4', 'BASELINE'], [3.0, 1.0, nan])
    >>> pv.has_row("EASI", "BASELINE").tolist()
    [True, False, False]
    """

    ROW = "_ROW"

    def __init__(self, long: pd.DataFrame, patients: pd.Index, params, values=("AVAL",),
                 rows: np.ndarray | None = None, text_ids: bool = False,
                 codes: dict | None = None):
        from analysis.derive.visits import CodedVisits

        keep = ["USUBJID", "PARAMCD", "AVISIT", *dict.fromkeys(values)]
        # only the columns needed (no copy of the whole table), and a float column of
        # ones whose wide frame says which patient has a row
        self.long = pd.DataFrame({c: long[c].to_numpy() if rows is None else
                                  long[c].to_numpy()[rows] for c in keep}, copy=False)
        self.long[self.ROW] = 1.0
        ids = self.long["USUBJID"]
        if text_ids and (ids.dtype != object
                         or pd.api.types.infer_dtype(ids, skipna=False) != "string"):
            self.long["USUBJID"] = ids.astype(str)
        self.patients = patients
        self.params = list(params)
        given = {}
        for column, coded in (codes or {}).items():
            if coded is not None and column in ("PARAMCD", "AVISIT", "USUBJID"):
                code, uniques = coded
                code = np.asarray(code)
                given[column] = (code if rows is None else code[rows], uniques)
        if "AVISIT" in given and (given["AVISIT"][0] >= 0).all():
            code, uniques = given["AVISIT"]
            seen = pd.unique(code)  # in order of first appearance
            visits = list(np.asarray(uniques, dtype=object)[seen])
        else:
            visits = list(pd.unique(self.long["AVISIT"]))
        id_codes = None
        if "USUBJID" in given and (given["USUBJID"][0] >= 0).all():
            # the selected rows' ids renumbered over the ids they hold (integer hashing),
            # so the patient index is this population's, not the whole table's
            code, uniques = given["USUBJID"]
            compact, used = pd.factorize(code)
            id_codes = (compact, np.asarray(uniques, dtype=object)[used])
        self.coded = CodedVisits.build(self.long, visits, self.params,
                                       param_codes=given.get("PARAMCD"),
                                       visit_codes=given.get("AVISIT"), id_codes=id_codes)
        self._visits: dict = {}

    def visits(self, param: str) -> list:
        """Visits with a row of ``param``, in order of first appearance in the table."""
        if param not in self._visits:
            if self.coded is not None:
                codes = self.coded.long(self.ROW, param)["AVISIT"].cat.codes.to_numpy()
                found = [self.coded.visits[c] for c in pd.unique(codes)]
            else:
                found = list(self.long.loc[self.long["PARAMCD"] == param, "AVISIT"].unique())
            self._visits[param] = found
        return list(self._visits[param])

    def wide(self, value: str, param: str) -> pd.DataFrame:
        """``patients`` x visits frame of ``value`` (NaN where no row or no value)."""
        wide = None
        if self.coded is not None:
            wide = self.coded.wide(value, param, self.patients)
        if wide is None:
            from analysis.derive.visits import visit_wide

            wide = visit_wide(self.long, value, self.visits(param), patients=self.patients,
                              paramcd=param)
        return wide

    def has_row(self, param: str, visit: str) -> pd.Series:
        """Boolean per patient: a row of ``param`` at ``visit`` (its value may be missing)."""
        wide = self.wide(self.ROW, param)
        if visit not in wide:
            return pd.Series(False, index=wide.index)
        return wide[visit].notna()
