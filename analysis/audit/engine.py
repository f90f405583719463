"""Run the audit of one study: every check the catalogue's links and its checks file call for.

The audit reads only ``data/targets/<study>.yaml`` and ``<study>.checks.yaml``,
never data. Findings come in a fixed order (checks file first, in file order; then
link checks in record order; then numbers printed twice), so the report is
deterministic.

Examples
--------
>>> findings = run_audit("matsutani2021")                 # doctest: +SKIP
>>> sorted({f.verdict for f in findings})                  # doctest: +SKIP
['consistent', 'consistent only if']
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from analysis.audit.explicit import CHECKS, CheckError
from analysis.audit.finding import INCONSISTENT, Finding
from analysis.audit.links import check_mean, check_percent, check_twice, check_wald
from analysis.errors import InputError, Problem
from analysis.paths import targets_dir
from analysis.targets.catalogue import Catalogue, load_catalogue

# libyaml's loader when present: same results as SafeLoader, about 7x faster on the catalogues.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def prefix(study: str) -> str:
    """``ferrucci2022`` -> ``FER``."""
    letters = "".join(ch for ch in study if ch.isalpha())
    return letters[:3].upper()


def checks_path(study: str, directory: Path | None = None) -> Path:
    return (directory or targets_dir()) / f"{study}.checks.yaml"


def load_checks(path: Path, study: str) -> list[dict]:
    """The entries of a checks file (empty when there is none); InputError when malformed."""
    if not path.exists():
        return []
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER) or {}
    except yaml.YAMLError as err:
        raise InputError(Problem("yaml", f"not valid YAML: {err}", file=str(path))) from err
    problems = []
    if doc.get("study") != study:
        problems.append(Problem("study", f"study must be {study!r}", file=str(path),
                                column="study", value=doc.get("study")))
    entries = doc.get("checks") or []
    ids = set()
    for pos, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            problems.append(Problem("check", "each check must be a mapping", file=str(path), row=pos))
            continue
        cid, kind = entry.get("id"), entry.get("check")
        if not isinstance(cid, str) or not cid.startswith(f"AUD-{prefix(study)}-"):
            problems.append(Problem("check-id", f"id must start with AUD-{prefix(study)}-",
                                    file=str(path), row=pos, column="id", value=cid))
        elif cid in ids:
            problems.append(Problem("check-id", "id used twice", file=str(path), row=pos,
                                    column="id", value=cid))
        ids.add(cid)
        if kind not in CHECKS:
            problems.append(Problem("check", f"unknown check (known: {', '.join(CHECKS)})",
                                    file=str(path), row=pos, column="check", value=kind))
    if problems:
        raise InputError(problems, summary=f"{len(problems)} problem(s) in {path.name}")
    return entries


def run_checks(cat: Catalogue, entries: list[dict], path: Path | None = None) -> list[Finding]:
    findings = []
    for pos, entry in enumerate(entries, start=1):
        try:
            findings += CHECKS[entry["check"]](cat, entry)
        except (CheckError, KeyError) as err:
            raise InputError(Problem("check", f"check {entry.get('id')!r}: {err}",
                                     file=str(path) if path else None, row=pos)) from err
    return findings


def run_links(cat: Catalogue) -> list[Finding]:
    p = prefix(cat.study)
    findings, pct = [], {}
    for rec in cat.records:
        f = None
        if rec.kind == "percent" and rec.comparator == "=":
            f = check_percent(cat, rec, f"AUD-{p}-PCT-{rec.id}")
            if f:
                pct[rec.id] = f.verdict
        elif rec.kind == "mean" and rec.scale:
            f = check_mean(cat, rec, f"AUD-{p}-MSD-{rec.id}")
        elif rec.kind in ("hr", "or", "rr") and "ci" in rec.links and "p" in rec.links:
            f = check_wald(cat, rec, f"AUD-{p}-WALD-{rec.id}")
        if f is not None:
            findings.append(f)
    groups: dict[str, list] = {}
    for rec in cat.records:
        groups.setdefault(json.dumps(rec.selector, sort_keys=True), []).append(rec)
    for recs in groups.values():
        singles = [r for r in recs if r.comparator == "=" and len(r.printed.numbers) == 1]
        if len(singles) > 1 and len({r.value for r in singles}) > 1:
            findings.append(check_twice(cat, singles, f"AUD-{p}-TWICE-{singles[0].id}", pct))
    return findings


def run_audit(study: str, directory: Path | None = None,
              only: set[str] | None = None) -> list[Finding]:
    """Every finding for ``study`` (catalogue and checks file from ``directory``).

    ``only``: run just the checks-file entries whose id (or the id before a ``.``
    sub-number) is in the set; link checks always run (they are cheap).
    """
    directory = directory or targets_dir()
    cat = load_catalogue(directory / f"{study}.yaml")
    path = checks_path(study, directory)
    entries = load_checks(path, study)
    if only is not None:
        wanted = {i.split(".")[0] for i in only}
        entries = [e for e in entries if e["id"] in wanted]
    return run_checks(cat, entries, path) + run_links(cat)


def check_excuses(cat: Catalogue, directory: Path | None = None) -> list[str]:
    """Excused records of ``cat`` that no inconsistent finding backs (audit run as needed)."""
    cited = {r.finding for r in cat.records if r.excused}
    if not cited:
        return []
    return excuse_problems(cat, run_audit(cat.study, directory or cat.path.parent, only=cited))


def excuse_problems(cat: Catalogue, findings: list[Finding]) -> list[str]:
    """Records excused without a finding that proves them inconsistent (must be empty)."""
    by_id = {f.id: f for f in findings}
    out = []
    for rec in cat.records:
        if not rec.excused:
            continue
        f = by_id.get(rec.finding)
        if f is None:
            out.append(f"{rec.id}: finding {rec.finding!r} does not exist")
        elif f.verdict != INCONSISTENT:
            out.append(f"{rec.id}: finding {rec.finding} is {f.verdict!r}, not inconsistent")
        elif rec.id not in f.record_ids():
            out.append(f"{rec.id}: finding {rec.finding} does not involve this record")
    return out
