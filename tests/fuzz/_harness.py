"""Shared checks of the fuzz tests: what "never a traceback" means, in code.

A reader may return a :class:`~analysis.io.dataset.Dataset` or raise
:class:`~analysis.errors.InputError` whose problems name a rule and say something;
``validate`` must return a :class:`~analysis.schema.report.ValidationReport` (never
raise) whose verdict agrees with its error count; ``dupitac validate`` must end with
exit status 0 or 2. Any other exception is a bug the fuzz test reports.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings

from analysis.errors import ERROR, InputError, Problem
from analysis.io import Dataset, load_dataset
from analysis.schema import ValidationReport, validate, validate_or_raise

# Bounded so the whole folder runs in about a minute of CPU; DUPITAC_FUZZ_SCALE=20
# multiplies every budget for a longer exploratory run (found crashes get a
# reproducer in test_fuzz_reproducers.py).
_SCALE = max(1, int(os.environ.get("DUPITAC_FUZZ_SCALE", "1")))
FUZZ = settings(max_examples=50 * _SCALE, deadline=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much])
FUZZ_SMALL = settings(FUZZ, max_examples=20 * _SCALE)
# validate() on a table full of failures spends ~0.1 s per table in pandera.
FUZZ_VALUES = settings(FUZZ, max_examples=25 * _SCALE)


@contextlib.contextmanager
def workdir():
    with tempfile.TemporaryDirectory(prefix="dupitac-fuzz-") as d:
        yield Path(d)


def check_problems(problems) -> None:
    assert problems, "an InputError must carry at least one problem"
    for p in problems:
        assert isinstance(p, Problem)
        assert p.rule and isinstance(p.rule, str)
        assert p.message and isinstance(p.message, str)
        str(p)           # printing a problem must not fail either
        p.to_dict()


def load_or_refuse(path: Path, mapping=None):
    """``load_dataset`` -> Dataset, or None after a clean InputError."""
    try:
        ds = load_dataset(path, mapping=mapping)
    except InputError as err:
        check_problems(err.problems)
        assert any(p.severity == ERROR for p in err.problems)
        return None
    assert isinstance(ds, Dataset)
    return ds


def check_report(ds, also_raise: bool = False) -> ValidationReport:
    """``validate`` returns a coherent report (and ``validate_or_raise`` agrees with it)."""
    report = validate(ds, limit=5)
    assert isinstance(report, ValidationReport)
    for p in report.problems:
        assert p.rule and p.message
        str(p)
    assert report.ok == (report.total(ERROR) == 0)
    assert report.ok == (not report.errors)
    report.to_dict()
    report.summary()
    if not also_raise:
        return report
    try:
        validate_or_raise(ds)
    except InputError as err:
        assert not report.ok, "validate_or_raise refused a dataset validate() passed"
        check_problems(err.problems)
    else:
        assert report.ok, "validate_or_raise passed a dataset validate() refused"
    return report


def load_and_validate(path: Path, mapping=None):
    """The whole input path: read, then validate what was read."""
    ds = load_or_refuse(path, mapping)
    return None if ds is None else check_report(ds)


def cli_validate(path: Path) -> tuple[int, str, str]:
    """``dupitac validate PATH --json`` in-process: (exit status, stdout, stderr)."""
    from analysis.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["validate", str(path), "--json", "--limit", "5"])
    assert code in (0, 2), f"exit status {code}"
    return code, out.getvalue(), err.getvalue()
