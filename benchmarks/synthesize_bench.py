"""Benchmark of `dupitac synthesize` (issue 6): the reference build and cohorts of any size.

Each case runs the CLI in a child process and reports wall time, the child's CPU time
(user + system), its peak resident memory and the 1-minute load average at the end
(the development machine is shared: wall time is an upper bound when the load is
high; CPU time is what the build itself costs). Goals: reference cohort <= 60 s;
N = 1,000,000 patients <= 60 s and <= 4 GB.

Run by hand, not as a test::

    .venv/bin/python benchmarks/synthesize_bench.py                 # reference + 1e4, 1e5, 1e6
    .venv/bin/python benchmarks/synthesize_bench.py --n 1000000     # one size
    .venv/bin/python benchmarks/synthesize_bench.py --markdown      # table rows for RESULTS.md
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DUPITAC = [sys.executable, "-m", "analysis"]


def run_case(args: list[str]) -> dict:
    """Run ``dupitac synthesize ARGS`` in a child process; time, CPU, peak memory."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([*DUPITAC, "synthesize", *args, "--quiet"], cwd=ROOT,
                          capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"synthesize failed ({proc.returncode}):\n{proc.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "rss_gb": after.ru_maxrss / 1024**2,
            "load1": os.getloadavg()[0]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--study", default="ferrucci2022")
    ap.add_argument("--n", type=int, nargs="*", default=None,
                    help="sizes (default: the reference build, then 1e4, 1e5, 1e6)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--markdown", action="store_true", help="print RESULTS.md table rows")
    args = ap.parse_args()
    sizes = args.n if args.n is not None else [None, 10_000, 100_000, 1_000_000]
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    today = datetime.date.today().isoformat()
    rows = []
    for n in sizes:
        out = Path(tempfile.mkdtemp(prefix="synth-bench-"))
        try:
            if n is None:
                case = ["--study", args.study, "--reference", "--out", str(out / "c")]
                label = f"{args.study} reference (tuned)"
            else:
                case = ["--study", args.study, "--n", str(n), "--seed", str(args.seed),
                        "--out", str(out / "c")]
                label = f"{args.study} n = {n:,}"
            r = run_case(case)
            size = sum(p.stat().st_size for p in (out / "c").iterdir()) / 1024**2
        finally:
            shutil.rmtree(out, ignore_errors=True)
        rows.append((label, r, size))
        print(f"{label:40s} wall {r['wall']:7.1f} s  cpu {r['cpu']:7.1f} s  "
              f"peak {r['rss_gb']:5.2f} GB  files {size:8.1f} MB  load1 {r['load1']:.1f}",
              flush=True)
    if args.markdown:
        for label, r, size in rows:
            print(f"| {today} | {machine} | {label} | {r['wall']:.1f} s | {r['cpu']:.1f} s | "
                  f"{r['rss_gb']:.2f} GB | {size:.0f} MB | {r['load1']:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
