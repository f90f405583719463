"""The builtin engine: render a ``.qmd`` without Quarto.

parse (qmd) -> execute (notebook, one kernel) -> assemble Markdown -> number
cross-references -> pandoc/Typst writers. Everything is written inside a temporary
folder in the output directory and moved into place with :func:`os.replace` only
when every requested format is complete, so an interrupted or failed render leaves
the previous outputs as they were (:mod:`analysis.render.staging`: stale folders of
killed renders, concurrent renders, unwritable or full output folders). Dates come
from ``SOURCE_DATE_EPOCH`` (:mod:`analysis.render.epoch`), so the same data render to
the same bytes.

Examples
--------
>>> render("report/index.qmd", "_output", ["html"])  # doctest: +SKIP
[PosixPath('_output/index.html')]
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from analysis.errors import InputError, Problem
from analysis.render import crossref, epoch, qmd, staging, writers
from analysis.render.assemble import assemble
from analysis.render.notebook import execute
from analysis.render.qmd import Cell

EXECUTE_KEYS = {"echo", "eval", "include", "warning", "error", "output"}
IGNORED_EXECUTE_KEYS = {"freeze", "cache", "daemon", "enabled", "keep-ipynb"}
DEFAULTS = {"echo": True, "eval": True, "include": True, "warning": True, "error": False,
            "output": True}


def project_config(doc_path: Path) -> dict:
    """The nearest ``_quarto.yml`` above the document ({} if none)."""
    for folder in [doc_path.resolve().parent, *doc_path.resolve().parents]:
        cfg = folder / "_quarto.yml"
        if cfg.is_file():
            try:
                return yaml.safe_load(cfg.read_text(encoding="utf-8")) or {}
            except yaml.YAMLError as err:
                raise InputError([Problem(rule="quarto-yml", message=f"not valid YAML: {err}",
                                          file=str(cfg))], summary="cannot render")
    return {}


def _execute_options(block: dict | None, where: str) -> dict:
    out = {}
    for key, val in (block or {}).items():
        if key in IGNORED_EXECUTE_KEYS:
            continue
        if key not in EXECUTE_KEYS:
            raise InputError([Problem(rule="qmd-execute-option", message=f"execute option {key!r}"
                                      " is not supported by the builtin engine", file=where,
                                      value=key)], summary="cannot render")
        out[key] = val
    return out


def effective_meta(doc: qmd.Document) -> dict:
    """Front matter over project settings (``format`` and ``execute`` merged by key)."""
    project = project_config(doc.path)
    meta = dict(doc.meta)
    for key in ("format", "execute", "number-sections", "toc"):
        if key in project and key not in meta:
            meta[key] = project[key]
        elif key in ("format", "execute") and isinstance(project.get(key), dict):
            merged = dict(project[key])
            merged.update(meta.get(key) or {})
            meta[key] = merged
    return meta


def apply_execute_defaults(doc: qmd.Document, meta: dict) -> None:
    base = dict(DEFAULTS)
    base.update(_execute_options(meta.get("execute"), str(doc.path)))
    for block in doc.blocks:
        if isinstance(block, Cell):
            block.options = {**base, **block.options}


def render(path, outdir, formats=("html",), params: dict | None = None,
           progress=None, reuse_kernel: bool = False) -> list[Path]:
    """Render ``path`` to ``outdir`` in each of ``formats``; return the files written.

    Parameters
    ----------
    path : str or Path
        The ``.qmd`` document.
    outdir : str or Path
        Where ``<stem>.html``/``.pdf``/``.docx`` go.
    formats : sequence of {"html", "pdf", "docx"}
    params : dict, optional
        ``-P`` values; checked against the document's parameters cell.
    progress : callable, optional
        Called with a short step name ("execute", "html", ...) as work proceeds.
    reuse_kernel : bool
        Keep the Jupyter kernel for the next document of this process (its imports done),
        and use a kept one; see :func:`analysis.render.notebook.shutdown_warm`.

    Raises
    ------
    InputError
        The document or a parameter is wrong, or a cell failed.
    OutputError
        ``outdir`` cannot be written (read-only, full); nothing in it has changed.
    """
    path, outdir = Path(path), Path(outdir)
    bad = [f for f in formats if f not in writers.FORMATS]
    if bad:
        raise InputError([Problem(rule="render-format", message="unknown output format; use "
                                  + ", ".join(writers.FORMATS), value=bad[0])],
                         summary="cannot render")
    step = progress or (lambda name: None)
    staging.phase("parse")
    doc = qmd.parse(path)
    meta = effective_meta(doc)
    apply_execute_defaults(doc, meta)
    with epoch.pinned():
        # The output folder is checked (and stale stages of killed renders removed) before
        # the kernel runs, so an unwritable location fails in a second, not after the work.
        stage = staging.make_stage(outdir)
        try:
            step("execute")
            staging.phase("execute")
            executed = execute(doc, params or {}, reuse=reuse_kernel)
            staging.phase("assemble")
            made = _write_formats(executed, meta, path, formats, stage, step)
            return staging.commit(made, outdir)
        finally:
            shutil.rmtree(stage, ignore_errors=True)


def _write_formats(executed, meta, path: Path, formats, stage: Path, step) -> list[Path]:
    try:
        body = assemble(executed, stage / f"{path.stem}_files")
        body = crossref.resolve(body, bool(meta.get("number-sections")), str(path))
        text = writers.front_matter(meta) + body
        (stage / f"{path.stem}.md").write_text(text, encoding="utf-8")
        source = writers.parse(text, stage / f"{path.stem}.ast.json")
    except OSError as err:
        raise staging.output_error(stage, err) from None
    except writers.RenderError:
        staging.probe_space(stage)
        raise
    # The converters are separate processes (pandoc, and Typst's compiler releases the
    # GIL), so the formats are written side by side.
    from concurrent.futures import ThreadPoolExecutor

    made = [stage / f"{path.stem}.{fmt}" for fmt in formats]
    step(",".join(formats))
    try:
        with ThreadPoolExecutor(max_workers=len(formats)) as pool:
            jobs = [pool.submit(writers.WRITERS[fmt], source, meta, stage, target)
                    for fmt, target in zip(formats, made)]
            for job in jobs:
                job.result()
    except OSError as err:
        raise staging.output_error(stage, err) from None
    except writers.RenderError:
        # A converter that stops half-way on a full disk reports it in its own words;
        # a probe write tells that case apart from a document the converter refused.
        staging.probe_space(stage)
        raise
    return made
