"""``dupitac run``: load, validate, run a study's analyses, write its ARD and figures."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from analysis.errors import OutputError
from analysis.paths import STUDIES, reference_dir

HELP = "Run a study's analyses on a dataset and write its ARD (Parquet + CSV) and figures."


def add_arguments(parser) -> None:
    parser.add_argument("--study", required=True, choices=STUDIES)
    parser.add_argument("--data", type=Path, default=None,
                        help="dataset folder or file (default: the study's reference cohort)")
    parser.add_argument("--mapping", type=Path, default=None,
                        help="column map / REDCap mapping YAML for non-contract inputs")
    parser.add_argument("--out", type=Path, default=Path("_output/ard"),
                        help="output folder (default: _output/ard)")
    parser.add_argument("--no-figures", action="store_true", help="write the ARD only")
    parser.add_argument("--min-cell", type=int, default=0, metavar="K",
                        help="small-cell suppression for sharing: counts 1..K-1, and numbers "
                             "that reveal them, are blanked in the ARD (marked in its "
                             "'suppressed' column) and in the figures (default 0: none)")


def run_study(study: str, data: Path | None, mapping: Path | None = None):
    """Load and validate ``data``, run ``study`` on it; return (dataset, ard)."""
    from analysis.io import load_dataset
    from analysis.schema import validate_or_raise
    from analysis.studies import get

    dataset = load_dataset(data or reference_dir(study), mapping=mapping)
    validate_or_raise(dataset)
    ard = get(study).run(dataset)
    return dataset, ard


def main(args) -> int:
    from analysis.results.ard import write
    from analysis.studies import get

    dataset, ard = run_study(args.study, args.data, args.mapping)
    if args.min_cell and args.min_cell > 1:
        from analysis.report.manuscript import suppression_sums
        from analysis.report.suppress import suppress

        ard = suppress(ard, args.min_cell, suppression_sums(args.study, ard))
    out: Path = args.out
    try:
        out.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".run-", dir=out))
    except OSError as err:
        raise OutputError(str(out), err.strerror or str(err)) from err
    try:
        written = write(ard, staging, args.study)
        if not args.no_figures:
            figures = get(args.study).figures(ard, dataset, staging / f"{args.study}_figures")
            written += list(figures)
        for item in sorted(staging.iterdir()):
            target = out / item.name
            if item.is_dir() and target.exists():
                shutil.rmtree(target)
            os.replace(item, target)
    except OSError as err:
        raise OutputError(str(out), err.strerror or str(err)) from err
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    print(f"{args.study}: {len(ard)} ARD rows from {dataset.n_subjects()} patients "
          f"({dataset.name}) -> {out}", file=sys.stderr)
    return 0
