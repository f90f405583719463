"""The verify scorecard as Markdown, JSON or a terminal table.

The manuscripts include :func:`scorecard_markdown` as their appendix.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame([{"study": "s", "id": "x", "where": "Table 1", "printed": "2.3",
...     "rebuilt": "2.3", "rebuilt_full": "2.25", "status": "reproduced", "rule": "half-up",
...     "reason": "", "finding": ""}])
>>> print(scorecard_markdown(df).splitlines()[0])
**s: 1 reproduced, 0 mismatch, 0 inconsistent-in-source, 0 not built**
"""

from __future__ import annotations

import json

import pandas as pd

from analysis.targets.verify import COLUMNS, STATUS_ORDER, status_counts, summary_line

_HEAD = ["id", "where", "printed", "rebuilt", "full", "status", "rule / reason"]


def _cell(text) -> str:
    return str(text if text is not None else "").replace("|", "\\|").replace("\n", " ")


def _note(row) -> str:
    parts = [row.get("rule", ""), row.get("reason", "")]
    if row.get("finding"):
        parts.append(f"finding {row['finding']}")
    return "; ".join(p for p in parts if p)


def scorecard_markdown(df: pd.DataFrame, title: str | None = None) -> str:
    """Pipe table of every record plus a status count line per study.

    Parameters
    ----------
    df : DataFrame
        Output of :func:`analysis.targets.verify.verify_study` (one or several studies).
    title : str, optional
        A heading line (``## title``) put first.
    """
    lines = [f"## {title}", ""] if title else []
    for study, part in df.groupby("study", sort=False) if len(df) else []:
        lines.append(f"**{summary_line(study, part)}**")
        lines.append("")
        lines.append("| " + " | ".join(_HEAD) + " |")
        lines.append("|" + "|".join("---" for _ in _HEAD) + "|")
        for row in part.to_dict("records"):
            cells = [row["id"], row["where"], row["printed"], row["rebuilt"],
                     row["rebuilt_full"], row["status"], _note(row)]
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        lines.append("")
        policies = part[part["status"] == "inconsistent-in-source"]
        if len(policies):
            lines.append("Records excused by the audit (inconsistent in the source):")
            lines.append("")
            for row in policies.to_dict("records"):
                lines.append(f"- `{row['id']}` ({row['finding']}): {_cell(row['policy'])}")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def scorecard_json(df: pd.DataFrame) -> str:
    """``{"summary": {study: counts}, "records": [...]}`` as indented JSON."""
    summary = {study: status_counts(part) for study, part in df.groupby("study", sort=False)}
    rows = df[[c for c in COLUMNS if c in df.columns]].to_dict("records")
    return json.dumps({"summary": summary, "records": rows}, indent=2, ensure_ascii=False,
                      default=str) + "\n"


_STYLE = {"reproduced": "green", "mismatch": "bold red", "inconsistent-in-source": "yellow",
          "not built": "magenta"}


def scorecard_rich(df: pd.DataFrame, console=None) -> None:
    """Print the scorecard as a rich table per study, then its summary line."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    for study, part in df.groupby("study", sort=False):
        table = Table(title=f"{study}: published vs rebuilt", show_lines=False)
        for head in _HEAD:
            table.add_column(head, overflow="fold")
        for row in part.to_dict("records"):
            style = _STYLE.get(row["status"], "")
            table.add_row(str(row["id"]), str(row["where"]), str(row["printed"]),
                          str(row["rebuilt"]), str(row["rebuilt_full"]),
                          f"[{style}]{row['status']}[/]" if style else row["status"], _note(row))
        console.print(table)
        console.print(summary_line(study, part))


__all__ = ["scorecard_markdown", "scorecard_json", "scorecard_rich", "STATUS_ORDER"]
