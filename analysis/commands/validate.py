"""``dupitac validate PATH [--json] [--mapping FILE]``: check a dataset, write nothing."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from analysis.errors import ERROR, INFO, WARNING, InputError, Problem

HELP = "Check a dataset against the data contract (exit 0 valid, 2 invalid)."
_TITLES = {ERROR: "Errors", WARNING: "Warnings", INFO: "Notes"}


def add_arguments(parser) -> None:
    parser.add_argument("path", type=Path,
                        help="dataset folder, workbook (.xlsx), single (wide) file, or the "
                             "export a --mapping describes")
    parser.add_argument("--mapping", type=Path, default=None,
                        help="REDCap mapping or ADaM column-map YAML (see data/README.md)")
    parser.add_argument("--json", action="store_true",
                        help="print the report as JSON (problems, counts, verdict)")
    parser.add_argument("--limit", type=int, default=50,
                        help="problems listed per rule, file and column (all are counted; "
                             "default 50)")


def check(path: Path, mapping: Path | None = None, limit: int = 50):
    """Load and validate; a file that cannot be read becomes a one-error report."""
    from analysis.io import load_dataset
    from analysis.schema import validate
    try:
        dataset = load_dataset(path, mapping=mapping)
    except InputError as err:
        return _unreadable(path, err.problems)
    except Exception as err:  # never a traceback for input the readers did not foresee
        return _unreadable(path, [Problem(rule="unreadable", file=Path(path).name,
                                          message=f"cannot read the input "
                                                  f"({type(err).__name__}: {err})")])
    return validate(dataset, limit=limit)


def _unreadable(path: Path, problems: list):
    from analysis.schema.report import ValidationReport

    report = ValidationReport(dataset=Path(path).name)
    for problem in problems:
        counts = report.counts.setdefault(problem.severity, {})
        counts[problem.rule] = counts.get(problem.rule, 0) + 1
        report.problems.append(problem)
    return report


def render_text(report) -> str:
    """The report as plain text, grouped by severity, with a summary line last."""
    lines = []
    for severity in (ERROR, WARNING, INFO):
        listed = [p for p in report.problems if p.severity == severity]
        total = report.total(severity)
        if not total:
            continue
        lines.append(f"{_TITLES[severity]} ({total}):")
        for problem in listed:
            value = "" if problem.value is None else f" [value: {problem.value!r}]"
            lines.append(f"  {problem.rule:<22} {problem.location()}: {problem.message}{value}")
        for cut in report.truncated:
            if cut["severity"] == severity:
                where = cut["file"] + (f", column {cut['column']}" if cut["column"] else "")
                lines.append(f"  {cut['rule']:<22} {where}: ... and {cut['total'] - cut['listed']}"
                             f" more ({cut['total']} in all)")
        lines.append("")
    lines.append(report.summary())
    return "\n".join(lines)


def main(args) -> int:
    report = check(args.path, args.mapping, args.limit)
    if args.json:
        json.dump(report.to_dict(), sys.stdout, indent=2, ensure_ascii=False, default=str)
        sys.stdout.write("\n")
    else:
        print(render_text(report))
    return 0 if report.ok else 2
