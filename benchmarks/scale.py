#!/usr/bin/env python
"""Scale benchmark: wall time, CPU time and peak memory of each ``dupitac`` step vs cohort size.

Run by hand (not a test)::

    .venv/bin/python benchmarks/scale.py                       # 1e3 .. 1e6, both studies
    .venv/bin/python benchmarks/scale.py --sizes 1000 10000 --steps validate run
    .venv/bin/python benchmarks/scale.py --report               # tables from the saved results
    .venv/bin/python benchmarks/scale.py --profile run --sizes 100000 --studies ferrucci2022

Each step is a fresh ``python -m analysis ...`` process, so imports count. Wall time
is measured around the process; CPU time (user + system) and peak resident memory
come from ``os.wait4`` on that process (peak RSS is the largest single process of the
step: for ``render`` the Jupyter kernel, pandoc and Typst are separate processes and
their memory is not summed). Cohorts are made by ``dupitac synthesize --n N --seed
SEED`` once and reused (a stamp file records study, size and seed). With ``--format
parquet`` the synthesized CSV tables are also saved as Parquet (not timed) and the
steps read those.

Results are merged into ``benchmarks/results/scale.json`` (one record per study,
format, size and step); ``--report`` prints the Markdown tables with the log-log
scaling exponent of each step. A step that exceeds ``--timeout`` is killed (its
process group, which this script started) and recorded as timed out; larger sizes of
that step are then skipped.
"""

from __future__ import annotations

import argparse
import cProfile  # noqa: F401  (checked importable: --profile runs it in the child)
import datetime
import json
import math
import os
import platform
import pstats
import shutil
import signal
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "scale.json"
STUDIES = ("ferrucci2022", "matsutani2021")
STEPS = ("synthesize", "validate", "run_nofig", "run", "verify", "render")
SIZES = (1_000, 10_000, 100_000, 1_000_000)
PACKAGES = ("numpy", "pandas", "scipy", "statsmodels", "lifelines", "pandera", "pyarrow",
            "matplotlib", "seaborn", "openpyxl", "nbclient", "pypandoc-binary", "typst")


# ------------------------------------------------------------------ measuring one process

_TICK = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")


def _session(sid: int) -> dict[int, tuple[float, int]]:
    """pid -> (own CPU seconds, RSS bytes) of every process in session ``sid``."""
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        # after "pid (comm)": state ppid pgrp session ... utime(12) stime(13) ... rss(22)
        if int(fields[3]) == sid:
            found[int(entry.name)] = ((int(fields[11]) + int(fields[12])) / _TICK,
                                      int(fields[21]) * _PAGE)
    return found


def measure(cmd: list[str], timeout: float, log: Path, env: dict | None = None) -> dict:
    """Run ``cmd`` in its own session; wall, CPU, peak memory, exit status.

    ``cpu_s`` and ``peak_mb`` cover the whole process tree (a render's Jupyter kernel,
    pandoc, Typst): CPU is the larger of ``wait4``'s figure and the sum of each
    process's own CPU sampled every 0.1 s; peak memory the larger of ``wait4``'s peak
    RSS (largest single process, exact) and the largest sampled sum of RSS over the tree.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()[0]
    started = time.perf_counter()
    own_cpu: dict[int, float] = {}
    tree_peak = 0
    with open(log, "wb") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, cwd=ROOT,
                                env={**os.environ, "MPLBACKEND": "Agg", **(env or {})},
                                start_new_session=True)
        timed_out = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            tree = _session(proc.pid)
            for p, (cpu, _) in tree.items():
                own_cpu[p] = max(own_cpu.get(p, 0.0), cpu)
            tree_peak = max(tree_peak, sum(rss for _, rss in tree.values()))
            if time.perf_counter() - started > timeout:
                timed_out = True
                os.killpg(proc.pid, signal.SIGKILL)  # the group this call started
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.1)
    wall = time.perf_counter() - started
    exit_code = os.waitstatus_to_exitcode(status)
    cpu = max(usage.ru_utime + usage.ru_stime, sum(own_cpu.values()))
    peak = max(usage.ru_maxrss * 1024, tree_peak)
    return {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3), "peak_mb": round(peak / 2**20, 1),
            "peak_single_mb": round(usage.ru_maxrss / 1024, 1), "exit": exit_code,
            "timed_out": timed_out, "load1": round(load, 2), "cmd": " ".join(cmd[2:])}


def dupitac(*args: str, profile: Path | None = None) -> list[str]:
    if profile is not None:
        return [sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "analysis", *args]
    return [sys.executable, "-m", "analysis", *args]


# ------------------------------------------------------------------ cohorts

def cohort(work: Path, study: str, n: int, seed: int, fmt: str, timeout: float,
           records: list) -> Path | None:
    """The synthesized cohort (CSV, and Parquet copies when asked); None if it failed."""
    base = work / study / f"n{n}"
    csv_dir, stamp = base / "csv", base / "csv" / ".stamp.json"
    want = {"study": study, "n": n, "seed": seed}
    if not (stamp.exists() and json.loads(stamp.read_text()) == want):
        shutil.rmtree(csv_dir, ignore_errors=True)
        res = measure(dupitac("synthesize", "--study", study, "--n", str(n), "--seed", str(seed),
                              "--out", str(csv_dir), "--quiet"),
                      timeout, work / "logs" / f"{study}-n{n}-synthesize.log")
        records.append({"study": study, "n": n, "format": "csv", "step": "synthesize", **res})
        print(f"  synthesize {study} n={n}: {res['wall_s']} s, {res['peak_mb']} MB", flush=True)
        if res["exit"] != 0:
            return None
        stamp.write_text(json.dumps(want))
    if fmt == "csv":
        return csv_dir
    pq_dir = base / "parquet"
    if not (pq_dir / ".stamp.json").exists() or json.loads((pq_dir / ".stamp.json").read_text()) != want:
        import pandas as pd

        shutil.rmtree(pq_dir, ignore_errors=True)
        pq_dir.mkdir(parents=True)
        for f in sorted(csv_dir.glob("*.csv")):
            # Text stays text (identifiers like 001), numbers as the CSV reader infers.
            pd.read_csv(f, dtype={"USUBJID": str}, keep_default_na=False,
                        na_values=[""]).to_parquet(pq_dir / f"{f.stem}.parquet", index=False)
        (pq_dir / ".stamp.json").write_text(json.dumps(want))
    return pq_dir


# ------------------------------------------------------------------ the steps

def step_command(step: str, study: str, data: Path, out: Path, profile: Path | None) -> list[str]:
    if step == "validate":
        return dupitac("validate", str(data), "--limit", "5", profile=profile)
    if step == "run_nofig":
        return dupitac("run", "--study", study, "--data", str(data), "--out", str(out),
                       "--no-figures", profile=profile)
    if step == "run":
        return dupitac("run", "--study", study, "--data", str(data), "--out", str(out),
                       profile=profile)
    if step == "verify":
        return dupitac("verify", "--study", study, "--data", str(data), "--format", "json",
                       "--out", str(out / "scorecard.json"), profile=profile)
    if step == "render":
        return dupitac("render", "--study", study, "--data", str(data), "--to", "html",
                       "--out", str(out), "--no-cache", profile=profile)
    raise ValueError(step)


def ok(step: str, res: dict) -> bool:
    # verify exits 1 when numbers mismatch: expected for a cohort not of the published size.
    return not res["timed_out"] and res["exit"] in ((0, 1) if step == "verify" else (0,))


def bench(args) -> list[dict]:
    records: list[dict] = []
    work = Path(args.work)
    for study in args.studies:
        stopped: set[str] = set()
        for n in sorted(args.sizes):
            data = cohort(work, study, n, args.seed, args.format, args.synth_timeout, records)
            if data is None:
                print(f"  {study} n={n}: synthesize failed (see logs); larger sizes skipped")
                break
            for step in args.steps:
                if step == "synthesize" or step in stopped:
                    continue
                if step == "render" and n > args.render_max:
                    continue
                out = work / "out" / f"{study}-n{n}-{args.format}-{step}"
                shutil.rmtree(out, ignore_errors=True)
                out.mkdir(parents=True)
                prof = None
                if args.profile and step in args.profile:
                    prof = work / "profiles" / f"{study}-n{n}-{args.format}-{step}.prof"
                    prof.parent.mkdir(parents=True, exist_ok=True)
                res = measure(step_command(step, study, data, out, prof), args.timeout,
                              work / "logs" / f"{study}-n{n}-{args.format}-{step}.log")
                rec = {"study": study, "n": n, "format": args.format, "step": step, **res,
                       "ok": ok(step, res)}
                if prof is not None:
                    rec["profile"] = str(prof)
                records.append(rec)
                flag = "" if rec["ok"] else ("  TIMED OUT" if res["timed_out"] else
                                             f"  FAILED (exit {res['exit']})")
                print(f"  {step:<9} {study} n={n:>7} {args.format}: wall {res['wall_s']:>8.1f} s, "
                      f"cpu {res['cpu_s']:>8.1f} s, peak {res['peak_mb']:>7.0f} MB, "
                      f"load {res['load1']}{flag}", flush=True)
                if prof is not None and prof.exists():
                    top(prof, 25)
                if res["timed_out"]:
                    stopped.add(step)
                shutil.rmtree(out, ignore_errors=True)
    return records


def top(prof: Path, lines: int) -> None:
    stats = pstats.Stats(str(prof))
    stats.sort_stats("cumulative").print_stats(lines)


# ------------------------------------------------------------------ results and report

def machine() -> dict:
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())
    mem = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.strip()
    versions = {}
    for p in PACKAGES:
        try:
            versions[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            versions[p] = "not installed"
    rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                         text=True).stdout.strip()
    return {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "nproc": os.cpu_count(), "cpu": cpu, "free_h": mem, "python": platform.python_version(),
            "platform": platform.platform(), "packages": versions, "git": rev}


def merge(records: list[dict], info: dict) -> dict:
    saved = json.loads(RESULTS.read_text()) if RESULTS.exists() else {"runs": [], "records": []}
    key = lambda r: (r["study"], r["format"], r["n"], r["step"])  # noqa: E731
    new = {key(r) for r in records}
    saved["records"] = [r for r in saved["records"] if key(r) not in new] + \
        [{**r, "run": len(saved["runs"])} for r in records]
    saved["runs"].append(info)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(saved, indent=1) + "\n")
    return saved


def slope(points: list[tuple[int, float]]) -> float | None:
    """Least-squares slope of log(y) on log(n): 1 = linear, 2 = quadratic."""
    pts = [(math.log(n), math.log(y)) for n, y in points if y and y > 0]
    if len(pts) < 2:
        return None
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    sxx = sum((x - mx) ** 2 for x, _ in pts)
    return sum((x - mx) * (y - my) for x, y in pts) / sxx


def report(saved: dict) -> str:
    """Markdown: one table per step and format, rows = study, columns = sizes."""
    recs = saved["records"]
    out = []
    for fmt in sorted({r["format"] for r in recs}):
        for step in STEPS:
            rows = [r for r in recs if r["step"] == step and r["format"] == fmt]
            if not rows:
                continue
            sizes = sorted({r["n"] for r in rows})
            out.append(f"#### `{step}` ({fmt} input)\n")
            head = "| study | measure | " + " | ".join(f"{n:,}" for n in sizes) + \
                " | exponent (all) | exponent (last two) |"
            out += [head, "|" + "---|" * (len(sizes) + 4)]
            for study in STUDIES:
                mine = {r["n"]: r for r in rows if r["study"] == study}
                if not mine:
                    continue
                for label, field, fmt_ in (("wall s", "wall_s", "{:.1f}"), ("CPU s", "cpu_s", "{:.1f}"),
                                           ("peak MB", "peak_mb", "{:.0f}")):
                    cells, pts = [], []
                    for n in sizes:
                        r = mine.get(n)
                        if r is None:
                            cells.append("")
                        elif r.get("timed_out"):
                            cells.append(f"> {fmt_.format(r[field])} (timeout)" if field == "wall_s" else "")
                        else:
                            mark = "" if r.get("ok", True) else f" (exit {r['exit']})"
                            cells.append(fmt_.format(r[field]) + mark)
                            pts.append((n, r[field]))
                    s_all = slope(pts)
                    s_last = slope(pts[-2:]) if len(pts) >= 2 else None
                    f = (lambda v: "" if v is None else f"{v:.2f}")
                    out.append(f"| {study} | {label} | " + " | ".join(cells) +
                               f" | {f(s_all)} | {f(s_last)} |")
            out.append("")
    return "\n".join(out)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    p.add_argument("--studies", nargs="+", default=list(STUDIES), choices=STUDIES)
    p.add_argument("--steps", nargs="+", default=[s for s in STEPS if s != "synthesize"],
                   choices=STEPS)
    p.add_argument("--format", choices=("csv", "parquet"), default="csv")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--timeout", type=float, default=1800, help="seconds per step")
    p.add_argument("--synth-timeout", type=float, default=3600)
    p.add_argument("--render-max", type=int, default=10_000,
                   help="largest size rendered (render at 1e5+ is slow; see RESULTS.md)")
    p.add_argument("--work", default=str(Path(os.environ.get("TMPDIR", "/tmp")) / "dupitac-bench"))
    p.add_argument("--profile", nargs="*", default=None, metavar="STEP",
                   help="run these steps under cProfile (profiles in WORK/profiles)")
    p.add_argument("--report", action="store_true", help="print the tables and exit")
    p.add_argument("--no-save", action="store_true")
    args = p.parse_args(argv)
    if args.report:
        print(report(json.loads(RESULTS.read_text())))
        return 0
    info = machine()
    print(f"{info['date']}  {info['cpu']}  nproc={info['nproc']}  git {info['git']}", flush=True)
    records = bench(args)
    if not args.no_save:
        saved = merge(records, info)
        print(report(saved))
    return 0


if __name__ == "__main__":
    sys.exit(main())
