"""Generate data/README.md (the data dictionary) from the contract.

``python -m analysis.schema.docs --write`` rewrites the file; a test checks that the
committed file equals :func:`render`, so the document cannot drift from the code.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from analysis.schema import docs_text as text
from analysis.schema import usage
from analysis.schema.contract import (
    CONTRACT, PARAMS, VISIT_WINDOW_DAYS, VISITS, Column, Param, Table)

TYPES = {"str": "text", "int": "whole number", "float": "number", "date": "date (YYYY-MM-DD)",
         "flag": "flag (Y/N)", "code": "code"}
FILES = {"subjects": "subjects.csv", "measurements": "measurements.csv",
         "topicals": "topicals.csv", "events": "events.csv", "tte": "tte.csv"}


def _cell(value: str) -> str:
    return value.replace("|", "\\|")


def _allowed(table: Table, column: Column) -> str:
    if column.codes:
        return ", ".join(f"{c:g}" if isinstance(c, float) else str(c) for c in column.codes)
    if table.name == "measurements" and column.name == "AVAL":
        return "depends on PARAMCD (see parameters)"
    if column.name == "AVISIT":
        return "BASELINE, WEEK n"
    lo = "" if column.min is None else f"{column.min:g}"
    hi = "" if column.max is None else f"{column.max:g}"
    if lo and hi:
        return f"{lo} to {hi}"
    if lo:
        return f">= {lo}"
    return f"<= {hi}" if hi else ""


def table_section(table: Table) -> str:
    status = "required" if table.required else "optional"
    key = " x ".join(table.key)
    needs = "; ".join(usage.TABLES.get(table.name, ()))
    lines = [f"### `{table.name}` ({status})", "",
             f"{table.description} File: `{FILES[table.name]}` (or any format below). "
             f"Key: one row per {key}." + (f" Used by: {needs}." if needs else ""), "",
             "| Column | Type | Unit | Allowed values | Required | Needed by | Meaning |",
             "|---|---|---|---|---|---|---|"]
    for column in table.columns:
        needed = "; ".join(usage.needed_by(table.name, column.name, column.needed_by))
        if not needed and column.required:
            needed = "every analysis of this table"
        lines.append("| " + " | ".join(_cell(x) for x in (
            f"`{column.name}`", TYPES.get(column.dtype, column.dtype), column.unit or "",
            _allowed(table, column), "yes" if column.required else "no", needed,
            column.description)) + " |")
    return "\n".join(lines) + "\n"


def _range(param: Param) -> str:
    if param.max is None:
        return f"> {param.min:g}" if param.min_exclusive else f">= {param.min:g}"
    return f"{param.min:g} to {param.max:g}"


def params_section() -> str:
    lines = ["## Measurement parameters (`PARAMCD`)", "",
             "`AVAL` must lie in the range of its parameter; scales scored in whole points "
             "refuse fractions (an IGA of 2.5 is an error).", "",
             "| PARAMCD | Measure | Range | Whole points | Unit | Needed by |",
             "|---|---|---|---|---|---|"]
    for param in PARAMS.values():
        needed = "; ".join(usage.PARAMS.get(param.code, ()))
        lines.append(f"| `{param.code}` | {param.label} | {_range(param)} | "
                     f"{'yes' if param.integer else 'no'} | {param.unit} | {_cell(needed)} |")
    return "\n".join(lines) + "\n"


def visits_section() -> str:
    lines = ["## Visits", "",
             "`AVISIT` is `BASELINE` or `WEEK n`; `AVISITN` is the week number (0 for "
             "BASELINE). `ADY` is the study day, counted from dupilumab start = day 1 "
             "(days before it are negative). Within a patient, a later visit must have a "
             "later study day. A study day outside the window below is a warning (for "
             "other weeks: day 7n+1 +/- max(21, 25 % of 7n)). Ferrucci's \"1 month\", "
             "\"4 months\" and \"12 months\" are WEEK 4, WEEK 16 and WEEK 52.", "",
             "| AVISIT | AVISITN | ADY window |", "|---|---|---|"]
    for label, week in VISITS.items():
        lo, hi = VISIT_WINDOW_DAYS[week]
        lines.append(f"| `{label}` | {week} | {lo} to {hi} |")
    return "\n".join(lines) + "\n"


def events_section() -> str:
    terms = "; ".join(f"`{t}` ({', '.join(u)})" for t, u in usage.EVENT_TERMS.items())
    return ("## Adverse events and time to event\n\n"
            "Adverse events (`events`) and time-to-event records (`tte`) are two tables: "
            "their keys and columns differ (one design note calls both \"events\").\n\n"
            f"`AEDECOD` is the event term (upper-cased on reading); the analyses look for: {terms}. "
            "One row per patient and event term; a repeat is counted once (warning).\n\n"
            "`tte` follows ADaM ADTTE: `AVAL` is the time in days from dupilumab start, "
            "`CNSR` = 0 when the event happened at `AVAL`, 1 when the patient was "
            "censored (followed up to `AVAL` without the event). Survival libraries that "
            "expect an *event* indicator get `1 - CNSR`. `TTTAC` is the time to the first "
            "application of tacrolimus ointment.\n")


def render() -> str:
    """The full text of data/README.md."""
    parts = [text.INTRO, "## Tables\n"]
    parts += [table_section(t) for t in CONTRACT.values()]
    parts += [params_section(), visits_section(), events_section(), text.NORMALISATION,
              text.FORMATS, text.WIDE, text.REDCAP, text.ADAM]
    rules = "".join(f"| `{r}` | {s} | {m} |\n" for r, s, m in text.RULES)
    parts.append(text.RULES_INTRO + rules)
    return "\n".join(p.rstrip("\n") + "\n" for p in parts)


def readme_path() -> Path:
    from analysis.paths import root

    return root() / "data" / "README.md"


def write(path: Path | None = None) -> Path:
    """Write :func:`render` to data/README.md atomically."""
    path = path or readme_path()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".README-", suffix=".md")
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(render())
    os.replace(tmp, path)
    return path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite data/README.md")
    args = parser.parse_args(argv)
    if args.write:
        print(write())
    else:
        sys.stdout.write(render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
