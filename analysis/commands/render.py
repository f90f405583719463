"""``dupitac render``: the manuscripts (HTML, PDF, DOCX) with Quarto or the builtin engine."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from analysis.errors import InputError, Problem
from analysis.paths import STUDIES, reference_dir, report_dir

HELP = "Render the manuscripts (HTML, PDF, DOCX) with Quarto or the builtin engine."


def add_arguments(parser) -> None:
    parser.add_argument("--study", default="all", choices=(*STUDIES, "index", "all"),
                        help="which document (default: all = both studies and the index)")
    parser.add_argument("--data", type=Path, default=None,
                        help="dataset folder or file (default: the study's reference cohort); "
                             "needs a single --study")
    parser.add_argument("--file", type=Path, default=None,
                        help="render this .qmd instead of a study's manuscript")
    parser.add_argument("--to", default="html,pdf,docx",
                        help="comma-separated formats among html, pdf, docx (default: all three)")
    parser.add_argument("--engine", default="auto", choices=("auto", "quarto", "builtin"),
                        help="auto: quarto when on PATH, else builtin")
    parser.add_argument("--out", type=Path, default=Path("_output"),
                        help="output folder (default: _output)")
    parser.add_argument("-P", dest="params", action="append", default=[], metavar="KEY=VALUE",
                        help="document parameter (repeatable), e.g. -P site=Milan -P min_cell=5")
    parser.add_argument("--min-cell", type=int, default=None, metavar="K",
                        help="small-cell suppression: counts 1..K-1, and numbers that reveal "
                             "them, are not shown (same as -P min_cell=K)")
    parser.add_argument("--no-cache", action="store_true",
                        help="render even when a cached render of the same inputs exists")


def documents(study: str, file: Path | None) -> list[tuple[str, Path]]:
    if file is not None:
        return [(file.stem, file)]
    names = [*STUDIES, "index"] if study == "all" else [study]
    return [(n, report_dir() / f"{n}.qmd") for n in names]


def _formats(text: str) -> list[str]:
    from analysis.render.writers import FORMATS

    wanted = [f.strip().lower() for f in text.split(",") if f.strip()]
    bad = [f for f in wanted if f not in FORMATS]
    if bad or not wanted:
        raise InputError([Problem(rule="render-format", message="--to takes html, pdf, docx",
                                  value=text)], summary="bad --to")
    return wanted


def _inputs(name: str, params: dict) -> list[Path]:
    """Data the document reads, for the render cache key."""
    if "data" in params:
        return [Path(params["data"])]
    if name in STUDIES:
        return [reference_dir(name)]
    return [reference_dir(s) for s in STUDIES]


def cached(name, path, formats, params, engine, outdir) -> list | None:
    """Restore the outputs of an identical earlier render, if the cache has them."""
    from analysis import render as R
    from analysis.render import outcache

    key = outcache.render_key(path, R.choose_engine(engine), formats, params,
                              _inputs(name, params))
    hit = outcache.lookup(key, path.stem, formats)
    return outcache.restore(hit, outdir) if hit else None


def render_one(name, path, formats, params, engine, outdir, use_cache, step,
               reuse=False) -> tuple[list, bool]:
    from analysis import render as R
    from analysis.render import outcache

    chosen = R.choose_engine(engine)
    key = outcache.render_key(path, chosen, formats, params, _inputs(name, params))
    if use_cache:
        hit = outcache.lookup(key, path.stem, formats)
        if hit:
            step("cached")
            return outcache.restore(hit, outdir), True
    files = R.render(path, outdir, formats, params, engine=chosen, progress=step,
                     reuse_kernel=reuse)
    outcache.store(key, files)
    return files, False


def _worker_init():
    """In each worker: stop the kernel it keeps warm when the pool shuts the worker down."""
    from multiprocessing import util

    from analysis.render.notebook import shutdown_warm

    util.Finalize(None, shutdown_warm, exitpriority=10)


def _job(name, path, formats, params, engine, outdir, use_cache):
    from analysis.errors import DupitacError, OutputError

    try:
        # The worker's kernel stays warm: a later document sent to this worker (the index,
        # after the studies) starts without kernel start-up and imports.
        return (name, *render_one(name, path, formats, params, engine, outdir, use_cache,
                                  lambda what: None, reuse=True)), None
    except InputError as err:  # sent back as data: the exception does not pickle whole
        return None, ("input", err.problems, err.summary)
    except OutputError as err:
        return None, ("output", err.path, err.reason)
    except DupitacError as err:
        return None, ("other", str(err), type(err).__name__)


def _parallel(docs, after, formats, doc_params, args, outdir):
    """Render ``docs`` in worker processes, then ``after`` (which reads their cached ARDs)
    in the same workers, whose kernels are warm; yield (name, files, hit) as each finishes."""
    import multiprocessing
    import os
    from concurrent.futures import ProcessPoolExecutor, as_completed

    workers = max(1, min(len(docs), os.cpu_count() or 1))
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                             initializer=_worker_init) as pool:
        def submit(batch):
            return [pool.submit(_job, name, path, formats, doc_params(name), args.engine,
                                outdir, not args.no_cache) for name, path in batch]

        for batch in (docs, after):
            yield from _collect(as_completed(submit(batch)))


def _collect(futures):
    for fut in futures:
        result, error = fut.result()
        if error and error[0] == "input":
            raise InputError(error[1], summary=error[2])
        if error and error[0] == "output":
            from analysis.errors import OutputError

            raise OutputError(error[1], error[2])
        if error:
            from analysis.errors import DupitacError

            raise DupitacError(f"{error[2]}: {error[1]}")
        yield result


def _stop_kernels() -> None:
    """Stop kernels this process kept warm (only the builtin engine keeps any)."""
    import sys as _sys

    notebook = _sys.modules.get("analysis.render.notebook")
    if notebook is not None:
        notebook.shutdown_warm()


def main(args) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from analysis.render.params import parse_cli

    formats = _formats(args.to)
    params = parse_cli(args.params)
    if args.min_cell is not None:
        if args.min_cell < 0:
            raise InputError([Problem(rule="render-min-cell", message="--min-cell must be 0 "
                                      "or more", value=args.min_cell)], summary="bad arguments")
        params["min_cell"] = str(args.min_cell)
    if args.data is not None:
        if args.study == "all" and args.file is None:
            raise InputError([Problem(rule="render-data", message="--data needs one --study "
                                      "(a dataset belongs to one study)", value=str(args.data))],
                             summary="bad arguments")
        # Absolute, since the kernel runs in the document's folder.
        params["data"] = str(args.data.expanduser().resolve())
    docs = documents(args.study, args.file)
    for _, path in docs:
        if not path.is_file():
            raise InputError([Problem(rule="render-missing", message="no such document",
                                      file=str(path))], summary="nothing to render")
    console = Console(stderr=True)
    outdir = args.out.resolve()
    steps_per_doc = len(formats) + 1
    written = []
    started = time.perf_counter()

    declared_by_index: dict = {}

    def doc_params(name):
        if name != "index":
            return dict(params)
        # The overview takes only what it declares (it has no data, site or targets).
        if not declared_by_index:
            from analysis.render import qmd
            from analysis.render.notebook import declared_parameters

            declared_by_index.update(declared_parameters(qmd.parse(dict(docs)[name])) or
                                     {"": None})
        return {k: v for k, v in params.items() if k in declared_by_index}

    def report(name, files, hit):
        written.extend(files)
        console.log(f"{name}: " + ", ".join(f.name for f in files)
                    + (" (unchanged inputs: reused)" if hit else ""))

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                  TimeElapsedColumn(), console=console, transient=not console.is_terminal) as bar:
        task = bar.add_task("render", total=steps_per_doc * len(docs))
        # The study manuscripts are independent: with several, each runs in its own
        # process (and kernel) on the machine's cores; the index comes last, so it finds
        # their ARDs in the cache.
        if not args.no_cache:
            # Unchanged documents first, straight from the render cache (no worker needed).
            todo = []
            for name, path in docs:
                files = cached(name, path, formats, doc_params(name), args.engine, outdir)
                if files is None:
                    todo.append((name, path))
                else:
                    bar.advance(task, steps_per_doc)
                    report(name, files, True)
            docs = todo
        studies = [(n, p) for n, p in docs if n != "index"]
        rest = [(n, p) for n, p in docs if n == "index"]
        if len(studies) > 1:
            bar.update(task, description=", ".join(n for n, _ in [*studies, *rest])
                       + ": rendering")
            for name, files, hit in _parallel(studies, rest, formats, doc_params, args,
                                              outdir):
                bar.advance(task, steps_per_doc)
                report(name, files, hit)
            rest = []
        else:
            rest = studies + rest
        for name, path in rest:
            done = {"started": 0, "advanced": 0}

            def step(what, _name=name, _done=done):
                # Each call starts a step, so it completes the one before it.
                if _done["started"] and what != "cached":
                    bar.advance(task, 1)
                    _done["advanced"] += 1
                _done["started"] += 1
                bar.update(task, description=f"{_name}: {what}")

            try:
                files, hit = render_one(name, path, formats, doc_params(name), args.engine,
                                        outdir, not args.no_cache, step, reuse=len(rest) > 1)
            except BaseException:
                _stop_kernels()
                raise
            bar.advance(task, steps_per_doc - done["advanced"])
            report(name, files, hit)
        _stop_kernels()
    print(f"rendered {len(written)} file(s) into {outdir} in "
          f"{time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0
