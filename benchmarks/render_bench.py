"""Render benchmark: cold (empty cache) and warm (nothing changed) `dupitac render`.

Usage::

    .venv/bin/python benchmarks/render_bench.py [--study all] [--to html,pdf,docx] [--repeat 1]

Cold: a fresh cache folder and output folder, so the statistics, figures, kernels and
converters all run. Warm: the same command again with nothing changed, so the render
cache serves every output. Prints one line per run and a Markdown row for
benchmarks/RESULTS.md. Not a timed test: the machine is shared and timings vary.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(study: str, to: str, out: Path, cache: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the command and the children it reaped).

    The CPU figure leaves out the Jupyter kernels (started by jupyter_client and not
    reaped as the command's children), so it is a lower bound, printed for reference.
    """
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    env = dict(os.environ, DUPITAC_CACHE=str(cache))
    cmd = [sys.executable, "-m", "analysis", "render", "--study", study, "--to", to,
           "--out", str(out), "--engine", "builtin"]
    t0 = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if done.returncode != 0:
        sys.exit(f"render failed ({done.returncode}):\n{done.stderr[-3000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--study", default="all")
    ap.add_argument("--to", default="html,pdf,docx")
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            load0 = os.getloadavg()[0]
            cold, cold_cpu = run(args.study, args.to, tmp / "out", tmp / "cache")
            warm, _ = run(args.study, args.to, tmp / "out", tmp / "cache")
        load = os.getloadavg()[0]
        print(f"study={args.study} to={args.to} cold={cold:.1f}s (cpu {cold_cpu:.1f}s) "
              f"warm={warm:.2f}s load1={load0:.1f}->{load:.1f}")
        print(f"| {time.strftime('%Y-%m-%d')} | {platform.machine()}, {os.cpu_count()} cores, "
              f"Python {platform.python_version()} | {args.study} | {args.to} | {cold:.1f} s "
              f"(CPU {cold_cpu:.1f} s) | {warm:.2f} s | {load0:.1f} → {load:.1f} |")


if __name__ == "__main__":
    main()
