"""``dupitac verify``: rebuild the ARD and compare every published number with it.

Exit status: 0 when nothing mismatches; 1 when any record mismatches, when a record
is excused (``status: inconsistent-in-source``) without an inconsistent audit finding
that involves it, or, with ``--strict``, when any record is ``not built``; 2 on bad input (a catalogue or a
dataset that breaks its contract). ``not built`` records are always counted and
listed, never passed: ``--strict`` only decides whether they fail the run (CI uses
it once both studies are built).
"""

from __future__ import annotations

import sys
from pathlib import Path

from analysis.errors import InputError, Problem
from analysis.atomic import write_text
from analysis.paths import STUDIES

HELP = "Rebuild the ARD and compare every published number with it (the verify scorecard)."


def add_arguments(parser) -> None:
    parser.add_argument("--study", choices=STUDIES, default=None,
                        help="one study (default: both)")
    parser.add_argument("--data", type=Path, default=None,
                        help="dataset folder or file (default: data/reference/<study>/); "
                             "needs --study")
    parser.add_argument("--ard", type=Path, default=None,
                        help="verify an ARD already written by `dupitac run` (.parquet or "
                             ".csv) instead of rebuilding; needs --study")
    parser.add_argument("--format", choices=("table", "markdown", "json"), default="table")
    parser.add_argument("--out", type=Path, default=None, help="write the scorecard to FILE")
    parser.add_argument("--strict", action="store_true",
                        help="exit 1 also when a record is `not built`")


def _read_ard(path: Path):
    import pandas as pd  # at call time: `dupitac --help` and other commands stay light

    from analysis.results.ard import ARD_COLUMNS

    try:
        df = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(
            path, dtype={c: str for c in ARD_COLUMNS if c not in ("value", "n")},
            keep_default_na=False, na_values={"value": ["", "NaN", "nan"]})
    except FileNotFoundError as err:
        raise InputError(Problem("missing-file", "ARD file not found", file=str(path))) from err
    except Exception as err:  # unreadable file: name it, never a traceback
        raise InputError(Problem("ard", f"cannot read the ARD: {err}", file=str(path))) from err
    missing = [c for c in ARD_COLUMNS if c not in df.columns]
    if missing:
        raise InputError(Problem("ard-columns", f"ARD lacks column(s) {', '.join(missing)}",
                                 file=str(path)))
    for c in ("study", "analysis", "variable", "group", "visit", "statistic"):
        df[c] = df[c].fillna("").astype(str)
    return df


def build_scorecard(studies, data: Path | None = None, ard_path: Path | None = None):
    """(scorecard DataFrame, notes, unbacked excuses) for ``studies``."""
    import pandas as pd

    from analysis.audit.engine import check_excuses
    from analysis.targets.catalogue import load_study
    from analysis.targets.verify import rebuild_ard, verify_study

    frames, notes, unbacked = [], [], []
    for study in studies:
        unbacked += [f"{study}: {p}" for p in check_excuses(load_study(study))]
        if ard_path is not None:
            ard, reason = _read_ard(ard_path), ""
        else:
            ard, reason = rebuild_ard(study, data)
        if ard is None:
            notes.append(f"{study}: nothing rebuilt: {reason}")
        frames.append(verify_study(study, ard, not_built_reason=reason))
    return pd.concat(frames, ignore_index=True), notes, unbacked



def main(args) -> int:
    from analysis.targets.scorecard import scorecard_json, scorecard_markdown, scorecard_rich
    from analysis.targets.verify import MISMATCH, NOT_BUILT, summary_line

    if (args.data is not None or args.ard is not None) and args.study is None:
        raise InputError(Problem("usage", "--data and --ard need --study"))
    studies = [args.study] if args.study else list(STUDIES)
    scorecard, notes, unbacked = build_scorecard(studies, args.data, args.ard)
    for note in notes:
        print(f"dupitac verify: {note}", file=sys.stderr)

    if args.format == "markdown":
        text = scorecard_markdown(scorecard)
    elif args.format == "json":
        text = scorecard_json(scorecard)
    else:
        text = None
    if args.out is not None:
        if text is None:
            text = scorecard_markdown(scorecard)
        write_text(args.out, text)
    elif text is not None:
        sys.stdout.write(text)
    else:
        scorecard_rich(scorecard)

    for study in studies:
        print(summary_line(study, scorecard[scorecard["study"] == study]), file=sys.stderr)
    not_built = scorecard[scorecard["status"] == NOT_BUILT]
    if len(not_built):
        ids = list(not_built["id"])
        shown = ", ".join(ids[:30]) + (f", ... ({len(ids) - 30} more in the scorecard)"
                                       if len(ids) > 30 else "")
        print(f"not built ({len(ids)}): {shown}", file=sys.stderr)
    for problem in unbacked:
        print(f"dupitac verify: excuse not backed by the audit: {problem}", file=sys.stderr)
    if (scorecard["status"] == MISMATCH).any() or unbacked:
        return 1
    if args.strict and len(not_built):
        return 1
    return 0
