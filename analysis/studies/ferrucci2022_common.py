"""Shared plumbing of the Ferrucci 2022 blocks: the prepared data and ARD helpers.

No statistics here: the helpers move tidy frames and test results into the ARD and
turn a test that cannot be computed on the data at hand into a recorded note.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import pandas as pd

from analysis.derive.visits import visit_wide
from analysis.results.ard import ArdBuilder
from analysis.stats.result import TestResult

NOTES = "notes"


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

    def params(self, *keys) -> dict:
        return {k: self.options[k] for k in keys}

    def has_param(self, paramcd: str) -> bool:
        if "paramcds" not in self._cache:  # one pass, not one per question
            self._cache["paramcds"] = set(self.measurements["PARAMCD"].dropna().unique())
        return paramcd in self._cache["paramcds"]

    def scores(self, paramcd: str, patients=None) -> pd.DataFrame:
        """Patient x visit values of ``paramcd`` (every listed patient keeps a row)."""
        key = ("scores", paramcd)
        if key not in self._cache:  # reshaped once per parameter: blocks share it
            self._cache[key] = visit_wide(self.measurements, "AVAL", self.visits,
                                          paramcd=paramcd, patients=self.subjects.index)
        wide = self._cache[key]
        return wide.copy() if patients is None else wide.reindex(pd.Index(patients, name="USUBJID"))

    def topical_codes(self) -> pd.DataFrame:
        """Evaluable patient x visit topical codes."""
        if "topicals" not in self._cache:
            self._cache["topicals"] = visit_wide(self.topicals, "TOPICAL", self.visits,
                                                 patients=self.evaluable)
        return self._cache["topicals"].copy()

    def skip(self, block: str, reason: str) -> None:
        self.available.setdefault(block, reason)

    def done(self, block: str) -> None:
        self.available[block] = ""


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
