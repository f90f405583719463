"""Reproduction scorecard and audit findings for the manuscripts' appendix.

This file sits with the documents, not in the ``analysis`` package: it reads the
published targets (``data/targets``), which no analysis layer may see. The documents
import it from their own folder (the kernel runs there, under Quarto as under the
builtin engine).

Examples
--------
>>> catalogue_hash()[:4].isalnum()
True
"""

from __future__ import annotations

import hashlib

from tabulate import tabulate

from analysis.paths import cache_dir, targets_dir
from analysis.report.manuscript import Context, md_escape


def catalogue_hash() -> str:
    """SHA-256 over the targets catalogues (a scorecard changes when they do)."""
    h = hashlib.sha256()
    for f in sorted(targets_dir().glob("*.yaml")):
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def scorecard(ctx: Context):
    """(summary sentence, scorecard Markdown, scorecard frame) from ``dupitac verify``'s engine.

    Cached beside the ARD: the key is the ARD's key plus the catalogues' hash.
    """
    from analysis.results.cache import cached_frame
    from analysis.targets.scorecard import scorecard_markdown
    from analysis.targets.verify import status_counts, verify_study

    raw = getattr(ctx, "raw_ard", ctx.ard)
    path = cache_dir() / "scorecard" / f"{ctx.study}-{ctx.ard_key}-{catalogue_hash()[:16]}.parquet"
    card, _ = cached_frame(path, lambda: verify_study(ctx.study, raw).astype(str))
    card = _mask_rebuilt(card, ctx)
    shown = card.assign(rebuilt_full=card["rebuilt_full"].map(_short))
    c = status_counts(card)
    sentence = (f"Of {len(card)} published numbers, {c.get('reproduced', 0)} were reproduced, "
                f"{c.get('mismatch', 0)} did not match, {c.get('inconsistent-in-source', 0)} "
                f"are inconsistent in the source itself and {c.get('not built', 0)} were not "
                "built from these data.")
    return sentence, scorecard_markdown(shown), card


def _short(text):
    """The unrounded rebuilt value to 6 significant digits (enough to see the rounding).

    >>> _short("72.22222222222223"), _short("0.027090753042616864"), _short("<5")
    ('72.2222', '0.0270908', '<5')
    >>> _short("0.9374246453868099–0.9916105558620738")
    '0.937425–0.991611'
    """
    parts = str(text).split("–")
    try:
        return "–".join(f"{float(p):.6g}" for p in parts)
    except (TypeError, ValueError):
        return text


def _mask_rebuilt(card, ctx):
    """Hide the rebuilt value of every record that reads a number suppression hides.

    The scorecard is computed on the full ARD (its statuses must not change with
    ``min_cell``), but it prints rebuilt values, which would give the suppressed counts
    back; those cells show the same marker as the documents' tables.
    """
    from analysis.report.suppress import cell, is_masked
    from analysis.targets.catalogue import load_study

    if not ctx.min_cell or ctx.min_cell <= 1 or card is None or card.empty:
        return card
    hidden = {}
    for rec in load_study(ctx.study).records:
        for sel in rec.parts().values():
            v = cell(ctx.ard, **{k: str(val) for k, val in sel.items()})
            if is_masked(v):
                hidden[rec.id] = str(v)
    if not hidden:
        return card
    card = card.copy()
    mask = card["id"].isin(hidden)
    card.loc[mask, "rebuilt"] = card.loc[mask, "id"].map(hidden)
    card.loc[mask, "rebuilt_full"] = card.loc[mask, "id"].map(hidden)
    return card


def audit_findings(study: str) -> str:
    """The audit of the paper's printed numbers against each other (``dupitac audit``).

    Read from the committed ``data/targets/AUDIT.md`` (written by ``dupitac audit --write``
    and kept current by the audit's own test), which spares each render the several
    seconds the checks take; without that file the audit is run here.
    """
    committed = targets_dir() / "AUDIT.md"
    if committed.is_file():
        section = _section(committed.read_text(encoding="utf-8"), study)
        if section:
            return section
    from analysis.audit.report import findings_markdown
    from analysis.commands.audit import audit_all

    results, excused, _ = audit_all([study])
    findings = results.get(study, [])
    if not findings:
        return "The audit found nothing to report for this paper."
    return _section(findings_markdown(study, findings, excused.get(study)), study)


def _section(text: str, study: str) -> str:
    """The body under ``## <study>`` (without that title: the appendix has its own)."""
    lines = text.split("\n")
    try:
        start = next(i for i, ln in enumerate(lines) if ln.strip() == f"## {study}")
    except StopIteration:
        return ""
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")),
               len(lines))
    return "\n".join(lines[start + 1:end]).strip()


def excused_table(card) -> str:
    """Records the scorecard excuses as inconsistent in the source, with the reason."""
    bad = card[card["status"] == "inconsistent-in-source"]
    if bad.empty:
        return "No published number of this paper is excused as inconsistent in the source."
    rows = [[md_escape(r["id"]), md_escape(r["where"]), md_escape(r["printed"]),
             md_escape(r.get("finding", "") or r.get("reason", ""))]
            for _, r in bad.iterrows()]
    return tabulate(rows, headers=["Record", "Where", "Printed", "Finding"], tablefmt="pipe",
                    disable_numparse=True)
