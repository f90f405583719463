"""The validation report, and the collector that builds it with a cap per rule.

Every finding is counted; only the first ``limit`` of each (rule, file, column)
are listed as :class:`~analysis.errors.Problem` records, so that a million-row
file with one systematic mistake gives a readable report and the exact count.
"""

from __future__ import annotations

import datetime
import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.errors import ERROR, INFO, WARNING, Problem
from analysis.io.codes import is_text, storage_key, text_codes

SEVERITIES = (ERROR, WARNING, INFO)
DEFAULT_LIMIT = 50


@dataclass
class ValidationReport:
    """All problems found in a dataset.

    Attributes
    ----------
    problems : list of Problem
        Listed problems (at most ``limit`` per rule, file and column).
    counts : dict
        Severity -> rule -> number of findings, listed or not.
    truncated : list of dict
        One entry per capped listing: rule, severity, file, column, listed, total.
    dataset : str
        Name of the dataset checked.
    """

    problems: list = field(default_factory=list)
    counts: dict = field(default_factory=lambda: {s: {} for s in SEVERITIES})
    truncated: list = field(default_factory=list)
    dataset: str = ""

    def _of(self, severity: str) -> list:
        return [p for p in self.problems if p.severity == severity]

    @property
    def errors(self) -> list:
        return self._of(ERROR)

    @property
    def warnings(self) -> list:
        return self._of(WARNING)

    @property
    def info(self) -> list:
        return self._of(INFO)

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings and information allowed)."""
        return self.total(ERROR) == 0

    def total(self, severity: str) -> int:
        """Number of findings of a severity, including those not listed."""
        return int(sum(self.counts.get(severity, {}).values()))

    def summary(self) -> str:
        verdict = "valid" if self.ok else "INVALID"
        return (f"{self.dataset or 'dataset'}: {verdict} - {self.total(ERROR)} error(s), "
                f"{self.total(WARNING)} warning(s), {self.total(INFO)} note(s)")

    def to_dict(self) -> dict:
        return {
            "dataset": self.dataset,
            "ok": self.ok,
            "n_errors": self.total(ERROR),
            "n_warnings": self.total(WARNING),
            "n_info": self.total(INFO),
            "counts": {s: dict(sorted(c.items())) for s, c in self.counts.items()},
            "truncated": self.truncated,
            "problems": [p.to_dict() for p in self.problems],
        }


def plain(value):
    """A cell value as a plain Python scalar for messages and JSON (NaN -> None)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (np.floating, float)):
        value = float(value)
        if math.isnan(value):
            return None
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if isinstance(value, (pd.Timestamp, datetime.date)):
        return value.strftime("%Y-%m-%d")
    return value


def where(index: pd.Index, mask: np.ndarray) -> pd.Index:
    """Labels of ``index`` where ``mask`` is True (no pass over a long index when none is)."""
    positions = np.flatnonzero(mask)
    return index[positions] if len(positions) else index[:0]


class Collector:
    """Collect problems for one dataset, listing at most ``limit`` per rule/file/column."""

    def __init__(self, dataset, limit: int = DEFAULT_LIMIT):
        self.dataset = dataset
        self.limit = limit
        self.report = ValidationReport(dataset=getattr(dataset, "name", ""))
        self._listed: Counter = Counter()
        self._totals: Counter = Counter()
        self._codes: dict = {}
        self.memo: dict = {}  # results shared by checks (visit weeks, id lookups)

    def codes(self, table: str, column: str, values: pd.Series | None = None):
        """``(codes, uniques)`` of a text column, or None when some cell is not a ``str``.

        ``values`` is the (typed) column being checked; when it is the dataset's own
        column the codes kept since reading serve (``Dataset.factorized``), otherwise
        they are made once here. Checks then judge each distinct value once and
        spread the verdict to rows with the codes.
        """
        ds = self.dataset
        frame = ds.tables.get(table) if hasattr(ds, "tables") else None
        own = frame is not None and column in frame.columns
        if own and (values is None or storage_key(values) == storage_key(frame[column])):
            if hasattr(ds, "factorized"):
                return ds.factorized(table, column)
            values = frame[column]
        key = (table, column, storage_key(values))
        if key not in self._codes:
            self._codes[key] = text_codes(values) if is_text(values) else None
        return self._codes[key]

    def add(self, problem: Problem, count: int = 1) -> None:
        """Add one problem (for findings that are not about table rows)."""
        counts = self.report.counts.setdefault(problem.severity, {})
        counts[problem.rule] = counts.get(problem.rule, 0) + count
        self.report.problems.append(problem)

    def rows(self, table: str, index, rule: str, message, column: str | None = None,
             values=None, severity: str = ERROR) -> None:
        """Add one problem per row label in ``index`` of ``table`` (capped).

        Parameters
        ----------
        index : array-like of index labels of ``dataset[table]``, in row order.
        message : str or callable
            The message, or ``label -> message`` (called for listed rows only).
        values : Series, optional
            Offending value per label (default: the cell of ``column``).
        """
        index = pd.Index(index)
        n = len(index)
        if not n:
            return
        counts = self.report.counts.setdefault(severity, {})
        counts[rule] = counts.get(rule, 0) + n
        frame = self.dataset[table]
        if values is None and column is not None and column in frame:
            values = frame[column]
        key = (severity, rule, self.dataset.source(table), column)
        room = max(self.limit - self._listed[key], 0)
        self._totals[key] += n
        for label in index[:room]:
            value = plain(values.loc[label]) if values is not None else None
            self.report.problems.append(Problem(
                rule=rule, severity=severity,
                message=message(label) if callable(message) else message,
                file=self.dataset.row_file(table, label),
                row=self.dataset.spreadsheet_row(table, label),
                column=self.dataset.row_column(table, column, label) if column else None,
                value=value))
        self._listed[key] += min(room, n)

    def finish(self) -> ValidationReport:
        for (severity, rule, source, column), total in self._totals.items():
            listed = self._listed[(severity, rule, source, column)]
            if total > listed:
                self.report.truncated.append({"rule": rule, "severity": severity, "file": source,
                                              "column": column, "listed": listed, "total": total})
        order = {s: i for i, s in enumerate(SEVERITIES)}
        self.report.problems.sort(key=lambda p: order.get(p.severity, 9))
        return self.report
