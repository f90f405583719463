"""Shared plumbing of the Ferrucci 2022 blocks: the prepared data and ARD helpers.

No statistics here: the helpers move tidy frames and test results into the ARD and
turn a test that cannot be computed on the data at hand into a recorded note.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.derive.visits import CodedVisits, visit_wide
from analysis.results.ard import ArdBuilder
from analysis.stats.result import TestResult

NOTES = "notes"
SCORE_PARAMS = ("EASI", "PNRS", "SNRS", "DLQI")  # reshaped together from one coding


@dataclass
class Context:
    """What every block needs: populations, tables and options."""

    builder: ArdBuilder
    options: dict
    subjects: pd.DataFrame          # indexed by USUBJID
    measurements: pd.DataFrame
    topicals: pd.DataFrame | None
    tte: pd.DataFrame | None
    evaluable: pd.Index             # patients of the topical-therapy analysis
    visits: list
    visit_weeks: dict
    available: dict = field(default_factory=dict)  # block -> reason ("" = produced)
    _cache: dict = field(default_factory=dict, repr=False)
    dataset: object = field(default=None, repr=False)  # where the tables came from

    def text_codes(self, table: str, column: str) -> tuple:
        """``(codes, uniques)`` of a text column of one of the context's tables.

        The context's tables hold the dataset's rows in the dataset's order, so the
        codes a reader kept (:meth:`analysis.io.dataset.Dataset.factorized`) apply;
        otherwise ``pd.factorize``. ``uniques`` may hold values no row has.
        """
        key = ("codes", table, column)
        if key not in self._cache:
            ds = getattr(self, "dataset", None)
            got = None
            rewritten = column == "USUBJID" and table in self._cache.get("rewritten_ids", ())
            if ds is not None and table in ds and column in ds[table] and not rewritten \
                    and len(ds[table]) == len(getattr(self, table)):
                got = ds.factorized(table, column)
            if got is None:
                codes, uniques = pd.factorize(getattr(self, table)[column])
                got = codes, np.asarray(uniques, dtype=object)
            self._cache[key] = got
        return self._cache[key]

    def params(self, *keys) -> dict:
        return {k: self.options[k] for k in keys}

    def has_param(self, paramcd: str) -> bool:
        """Whether some measurement row holds ``paramcd`` (decided once per code)."""
        held = self._cache.setdefault("paramcd_held", {})
        if paramcd not in held:
            codes, uniques = self._param_codes()
            hits = [j for j, u in enumerate(np.asarray(uniques, dtype=object)) if _same(u, paramcd)]
            # a reader's codes may list a value no row holds: look for a row
            held[paramcd] = any(bool((np.asarray(codes) == j).any()) for j in hits)
        return held[paramcd]

    def in_evaluable(self) -> np.ndarray:
        """``subjects.index.isin(evaluable)``: the EVALFL test itself when ids are unique."""
        if "in_evaluable" not in self._cache:
            evalfl = self._cache.get("evalfl")
            index = self.subjects.index
            if evalfl is not None and index.is_unique:
                self._cache["in_evaluable"] = evalfl
            else:
                self._cache["in_evaluable"] = index.isin(self.evaluable)
        return self._cache["in_evaluable"]

    def subject_positions(self, labels: pd.Index) -> np.ndarray | None:
        """Row of each label in ``subjects`` (-1: none); None if subject ids repeat.

        Looked up in the subjects' index, whose hash table is built once per run;
        the answer for a given ``labels`` is kept.
        """
        if not self.subjects.index.is_unique:
            return None
        known = self._cache.setdefault("subject_positions", [])
        for source, pos in known:
            if source is labels or (len(source) == len(labels) and source.equals(labels)):
                return pos
        evalfl = self._cache.get("evalfl")
        if evalfl is not None and len(labels) == len(self.evaluable) and labels.equals(self.evaluable):
            pos = np.flatnonzero(evalfl)  # evaluable = subjects.index[evalfl]: no lookup
        else:
            pos = self.subjects.index.get_indexer(labels)
        known.append((labels, pos))
        return pos

    def is_evaluable(self, labels: pd.Index) -> np.ndarray:
        """``labels.isin(evaluable)``."""
        pos = self.subject_positions(labels)
        if pos is None:
            return np.asarray(labels.isin(self.evaluable))
        return np.append(self.in_evaluable(), False)[pos]

    def subject_rows(self, frame: pd.DataFrame, labels: pd.Index) -> pd.DataFrame | None:
        """``frame.reindex(labels)`` for a frame on the subjects' index when every
        label is a subject (so an inner join on ``labels`` keeps every row); else None."""
        if frame.index is not self.subjects.index:
            return None
        pos = self.subject_positions(labels)
        if pos is None or (pos < 0).any():
            return None
        return frame.take(pos).set_axis(labels)

    def subject_column(self, column: str, patients: pd.Index) -> pd.Series:
        """``subjects[column].reindex(patients)``, rows found through the subjects' index."""
        values = self.subjects[column]
        pos = self.subject_positions(patients)
        if pos is not None and (pos >= 0).all():
            return pd.Series(values.array.take(pos), index=patients, name=column)
        return values.reindex(patients)

    def _param_codes(self):
        """Codes of PARAMCD, once: ``has_param`` and every reshape share them."""
        if getattr(self, "dataset", None) is not None:
            return self.text_codes("measurements", "PARAMCD")
        if "paramcds" not in self._cache:
            self._cache["paramcds"] = pd.factorize(self.measurements["PARAMCD"])
        return self._cache["paramcds"]

    def scores(self, paramcd: str, patients=None) -> pd.DataFrame:
        """Patient x visit values of ``paramcd`` (every listed patient keeps a row)."""
        key = ("scores", paramcd)
        if key not in self._cache:  # reshaped once per parameter: blocks share it
            coded = self._coded_scores(paramcd)
            wide = None if coded is None else coded.wide("AVAL", paramcd, self.subjects.index)
            if wide is None:
                wide = visit_wide(self.measurements, "AVAL", self.visits, paramcd=paramcd,
                                  patients=self.subjects.index)
            self._cache[key] = wide
        wide = self._cache[key]
        if patients is None:
            return _copy(wide)
        if not (isinstance(patients, pd.Index) and patients.name == "USUBJID"):
            patients = pd.Index(patients, name="USUBJID")
        return self.rows_of(wide, patients)

    def _coded_scores(self, paramcd: str) -> CodedVisits | None:
        """Measurements coded once for every score of the study (or ``paramcd`` alone)."""
        params = SCORE_PARAMS if paramcd in SCORE_PARAMS else (paramcd,)
        key = ("coded", params)
        if key not in self._cache:
            self._cache[key] = CodedVisits.build(
                self.measurements, self.visits, list(params), param_codes=self._param_codes(),
                visit_codes=self._maybe_codes("measurements", "AVISIT"),
                id_codes=self._maybe_codes("measurements", "USUBJID"))
        return self._cache[key]

    def _maybe_codes(self, table: str, column: str) -> tuple | None:
        """:meth:`text_codes` of a text column the dataset coded; None otherwise
        (the reshaping then codes the cells it keeps itself)."""
        ds = getattr(self, "dataset", None)
        frame = getattr(self, table)
        if ds is None or column not in frame or frame[column].dtype != object:
            return None
        return self.text_codes(table, column)

    def score_rows(self, paramcd: str) -> pd.DataFrame:
        """``paramcd``'s rows at the analysed visits (USUBJID, AVISIT, AVAL), table order.

        USUBJID is an integer code of the patient (one-to-one), AVISIT categorical
        in visit order; a per-patient model gives the same numbers as on the text.
        """
        coded = self._coded_scores(paramcd)
        if coded is None:
            m = self.measurements
            return m[m["PARAMCD"] == paramcd].loc[lambda d: d["AVISIT"].isin(self.visits),
                                                  ["USUBJID", "AVISIT", "AVAL"]]
        return coded.long("AVAL", paramcd)

    def rows_of(self, frame: pd.DataFrame, index: pd.Index) -> pd.DataFrame:
        """``frame.reindex(index)`` of a float frame, each distinct lookup done once."""
        if len(frame) == 0 or not frame.index.is_unique or \
                not all(dt == np.float64 for dt in frame.dtypes):
            return frame.reindex(index)
        pos = None
        if frame.index is self.subjects.index or frame.index.equals(self.subjects.index):
            pos = self.subject_positions(index)
        if pos is None:
            known = self._cache.setdefault("rows_of", [])
            for source, target, pos in known:
                if source is frame.index and target.equals(index):
                    break
            else:  # hashing a million ids costs more than everything else here
                pos = frame.index.get_indexer(index)
                known.append((frame.index, index, pos))
        values = frame.to_numpy()[np.where(pos < 0, 0, pos)]
        values[pos < 0] = np.nan
        return pd.DataFrame(values, index=index, columns=frame.columns)

    def topical_codes(self) -> pd.DataFrame:
        """Evaluable patient x visit topical codes, as categorical columns.

        Same cells as :func:`visit_wide` of TOPICAL; categorical so that the many
        ``isin`` of :func:`analysis.derive.topicals.uses` compare integer codes.
        """
        if "topicals" not in self._cache:
            coded = CodedVisits.build(self.topicals, self.visits,
                                      visit_codes=self._maybe_codes("topicals", "AVISIT"),
                                      id_codes=self._maybe_codes("topicals", "USUBJID"))
            wide = None if coded is None else coded.wide(
                "TOPICAL", patients=self.evaluable, categorical=True,
                value_codes=self._maybe_codes("topicals", "TOPICAL"))
            if wide is None:
                wide = visit_wide(self.topicals, "TOPICAL", self.visits, patients=self.evaluable)
            self._cache["topicals"] = wide
        return _copy(self._cache["topicals"])

    def skip(self, block: str, reason: str) -> None:
        self.available.setdefault(block, reason)

    def done(self, block: str) -> None:
        self.available[block] = ""


def _same(a, b) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def _copy(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` on the same index object: series cut from it then share
    their index, so aligning them is an identity check, not a million-label compare."""
    out = frame.copy()
    out.index = frame.index
    return out


def add_frequencies(ctx: Context, analysis: str, freq: pd.DataFrame, method: str,
                    params: dict | None = None) -> None:
    """Rows of :func:`analysis.derive.tabulate.frequencies` as count and percent."""
    for r in freq.to_dict("records"):
        coords = dict(variable=r["variable"], group=r["group"], visit=r["visit"], n=r["n"],
                      method=method, params=params)
        ctx.builder.add(analysis, "count", r["count"], **coords)
        ctx.builder.add(analysis, "percent", r["percent"], **coords)


def add_summaries(ctx: Context, analysis: str, summ: pd.DataFrame, method: str,
                  params: dict | None = None) -> None:
    """Rows of :func:`analysis.derive.tabulate.summaries`, with n on every row."""
    ns = summ[summ["statistic"] == "n"].set_index(["variable", "group", "visit"])["value"]
    for r in summ.to_dict("records"):
        n = ns.get((r["variable"], r["group"], r["visit"]))
        ctx.builder.add(analysis, r["statistic"], r["value"], variable=r["variable"],
                        group=r["group"], visit=r["visit"], n=None if n is None else int(n),
                        method=method, params=params)


def add_test(ctx: Context, analysis: str, compute, *, params: dict | None = None,
             **coords) -> TestResult | None:
    """Run ``compute()`` (a stats call) and add its numbers; a refusal becomes a note.

    A test the data cannot support (too few pairs, no variance) is not an error of
    the run: the note row (analysis ``notes``, statistic ``not_estimable``) says
    which test and why, and the run goes on.
    """
    try:
        result = compute()
    except ValueError as err:
        note(ctx, analysis, first_line(err), **coords)
        return None
    if params:
        result = dataclasses.replace(result, params={**result.params, **params})
    ctx.builder.add_test(analysis, result, **coords)
    return result


def add_tidy_model(ctx: Context, analysis: str, tidy: pd.DataFrame, names: dict, method: str,
                   n: int, statistics, params: dict | None = None, **coords) -> None:
    """Rows of a tidy model table (one row per covariate) under ARD variable names."""
    for r in tidy.to_dict("records"):
        var = names.get(r["covariate"], r["covariate"])
        for stat in statistics:
            if stat in r:
                ctx.builder.add(analysis, stat, r[stat], variable=var, n=n, method=method,
                                params=params, **coords)


def note(ctx: Context, analysis: str, message: str, variable: str = "", group: str = "",
         visit: str = "") -> None:
    key = "|".join([analysis, variable, group, visit])
    try:
        ctx.builder.add(NOTES, "not_estimable", None, variable=key, method=message)
    except ValueError:  # the same place already has its note
        pass


def stats_function(module: str, name: str):
    """``analysis.stats.<module>.<name>``, or None when that function is not built.

    The study is written against the planned statistics API; a block whose function
    is missing records why in the ARD's availability block instead of failing the run.
    """
    import importlib

    try:
        return getattr(importlib.import_module(f"analysis.stats.{module}"), name)
    except (ImportError, AttributeError):
        return None


def first_line(err: Exception) -> str:
    """The summary line of an error (InputError appends its problems below it)."""
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__
