"""``dupitac synthesize``: make a synthetic cohort calibrated to a paper's published aggregates.

``--reference`` rebuilds the committed reference cohort ``data/reference/<study>/``
byte-identically (its fixed seed, the published size). ``--n N --seed K --out DIR``
makes a cohort of any size with the same structure, for scale tests and teaching.
"""

from __future__ import annotations

import importlib
import inspect
import sys
import time
from pathlib import Path

from analysis.errors import InputError, Problem
from analysis.paths import STUDIES, reference_dir

HELP = "Make a synthetic cohort calibrated to a paper's published aggregates."


def add_arguments(parser) -> None:
    parser.add_argument("--study", required=True, choices=STUDIES)
    parser.add_argument("--reference", action="store_true",
                        help="rebuild data/reference/<study>/ (fixed seed, published size)")
    parser.add_argument("--n", type=int, default=None,
                        help="number of patients (default: the published size)")
    parser.add_argument("--seed", type=int, default=None,
                        help="random seed (default: the reference seed)")
    parser.add_argument("--out", type=Path, default=None,
                        help="output folder (required unless --reference)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def builder(study: str):
    """The study's reconstruction module (``build``, ``SEED``)."""
    return importlib.import_module(f"analysis.reconstruct.{study}")


def _refuse(message: str, column: str, value=None) -> None:
    raise InputError([Problem(rule="option", message=message, column=column, value=value)],
                     summary=message)


def main(args) -> int:
    from analysis.reconstruct.write import write_dataset

    module = builder(args.study)
    if args.reference:
        if args.n is not None or args.seed is not None:
            _refuse("--reference uses the fixed seed and the published size; "
                    "drop --n/--seed or drop --reference", "--reference")
        out = args.out or reference_dir(args.study)
        seed, n = module.SEED, None
    else:
        if args.out is None:
            _refuse("--out DIR is required (or --reference to rebuild the committed cohort)", "--out")
        if args.n is not None and args.n < 1:
            _refuse("--n must be at least 1", "--n", args.n)
        out, n = args.out, args.n
        seed = module.SEED if args.seed is None else args.seed
    kwargs = {"seed": seed, "n": n}
    if "progress" in inspect.signature(module.build).parameters:
        kwargs["progress"] = not args.quiet
    started = time.perf_counter()
    dataset = module.build(**kwargs)
    parts = ["dupitac synthesize", f"--study {args.study}"]
    parts += ["--reference"] if args.reference else [f"--n {n}" if n else "", f"--seed {seed}",
                                                     f"--out {out}"]
    # How the cohort was made goes into its README: the module's own account for this
    # seed and size, else its fixed NOTE.
    note = (module.readme_note(seed, n) if hasattr(module, "readme_note")
            else getattr(module, "NOTE", ""))
    bar = None
    if not args.quiet:
        from tqdm import tqdm

        bar = tqdm(total=len(dataset.tables), desc="writing", unit="table")
    try:
        written = write_dataset(dataset, out, study=args.study, seed=seed,
                                command=" ".join(p for p in parts if p), note=note,
                                progress=(lambda name: bar.update(1)) if bar else None)
    finally:
        if bar is not None:
            bar.close()
    elapsed = time.perf_counter() - started
    if not args.quiet:
        print(f"wrote {len(written)} files to {out} ({dataset.n_subjects()} synthetic patients, "
              f"seed {seed}, {elapsed:.1f} s)", file=sys.stderr)
    return 0
