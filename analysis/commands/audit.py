"""``dupitac audit``: check the published numbers of the papers against each other.

Reads only ``data/targets/<study>.yaml`` and ``<study>.checks.yaml``. ``--write``
regenerates ``data/targets/AUDIT.md`` for every study (deterministic). Exit status
0, or 1 when a catalogue excuses a record (``status: inconsistent-in-source``)
without an inconsistent finding that involves it; 2 on a malformed catalogue.
"""

from __future__ import annotations

import sys
from pathlib import Path

from analysis.atomic import write_text
from analysis.paths import STUDIES, targets_dir

HELP = "Check the published numbers of a paper against each other (GRIM, sums, Wald, McNemar...)."


def add_arguments(parser) -> None:
    parser.add_argument("--study", choices=STUDIES, default=None, help="one study (default: both)")
    parser.add_argument("--format", choices=("table", "markdown", "json"), default="table")
    parser.add_argument("--all", action="store_true",
                        help="table format: list consistent findings too")
    parser.add_argument("--out", type=Path, default=None, help="write the report to FILE")
    parser.add_argument("--write", action="store_true",
                        help="regenerate data/targets/AUDIT.md (all studies)")



def audit_all(studies, directory: Path | None = None):
    """({study: findings}, {study: {finding: [(record, policy)]}}, [excuse problems])."""
    from analysis.audit.engine import excuse_problems, run_audit
    from analysis.targets.catalogue import load_catalogue

    directory = directory or targets_dir()
    results, excused, problems = {}, {}, []
    for study in studies:
        findings = run_audit(study, directory)
        cat = load_catalogue(directory / f"{study}.yaml")
        results[study] = findings
        ex: dict = {}
        for rec in cat.records:
            if rec.excused:
                ex.setdefault(rec.finding, []).append((rec.id, rec.policy))
        excused[study] = ex
        problems += [f"{study}: {p}" for p in excuse_problems(cat, findings)]
    return results, excused, problems


def main(args) -> int:
    from analysis.audit.report import audit_json, audit_markdown, audit_rich

    if args.write:
        results, excused, problems = audit_all(STUDIES)
        path = targets_dir() / "AUDIT.md"
        write_text(path, audit_markdown(results, excused))
        print(f"dupitac audit: wrote {path}", file=sys.stderr)
        if args.study:
            results = {args.study: results[args.study]}
    else:
        studies = [args.study] if args.study else list(STUDIES)
        results, excused, problems = audit_all(studies)
    if args.write and args.format == "table" and not args.out:
        from analysis.audit.report import counts

        for study, findings in results.items():
            c = counts(findings)
            print(f"{study}: " + ", ".join(f"{n} {v}" for v, n in c.items()), file=sys.stderr)
        text = ""
    elif args.format == "markdown" or (args.out and args.format == "table"):
        text = audit_markdown(results, excused)
    elif args.format == "json":
        text = audit_json(results)
    else:
        text = None
    if args.out:
        write_text(Path(args.out), text)
    elif text is not None:
        sys.stdout.write(text)
    else:
        audit_rich(results, all_findings=args.all)
    for p in problems:
        print(f"dupitac audit: excuse not backed by the audit: {p}", file=sys.stderr)
    return 1 if problems else 0
