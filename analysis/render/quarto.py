"""The ``quarto`` engine: hand the document to Quarto when it is installed.

Quarto writes ``<stem>.<ext>`` next to the document (or into the project's
output-dir); we render into a temporary copy-free location with ``--output-dir``
inside ``outdir`` and move each file into place only when Quarto succeeded.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from analysis.errors import DupitacError, OutputError

# dupitac format names -> Quarto format names
QUARTO_FORMATS = {"html": "html", "pdf": "typst", "docx": "docx"}


class QuartoError(DupitacError):
    """Quarto ran and failed."""


def available() -> str | None:
    """Path of the ``quarto`` executable, or None."""
    return shutil.which("quarto")


def _param_args(params: dict) -> list[str]:
    args = []
    for key, val in (params or {}).items():
        # One argv item each: no shell, so no quoting issue; Quarto reads the value as YAML.
        args += ["-P", f"{key}:{val}"]
    return args


def command(path: Path, fmt: str, outdir: Path, params: dict) -> list[str]:
    return [available() or "quarto", "render", str(path), "--to", QUARTO_FORMATS[fmt],
            "--output-dir", str(outdir), *_param_args(params)]


def render(path, outdir, formats=("html",), params: dict | None = None,
           progress=None) -> list[Path]:
    """Run ``quarto render`` once per format; move outputs into ``outdir`` when all succeed."""
    path, outdir = Path(path).resolve(), Path(outdir).resolve()
    step = progress or (lambda name: None)
    try:
        outdir.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=".dupitac-quarto-", dir=outdir))
    except OSError as err:
        raise OutputError(str(outdir), err.strerror or str(err)) from None
    try:
        made = []
        for fmt in formats:
            step(fmt)
            run = subprocess.run(command(path, fmt, stage, params or {}), cwd=path.parent,
                                 capture_output=True, text=True)
            if run.returncode != 0:
                raise QuartoError(f"quarto render {path.name} --to {QUARTO_FORMATS[fmt]} failed:"
                                  f"\n{run.stderr[-4000:]}")
            ext = "pdf" if fmt == "pdf" else fmt
            hits = sorted(stage.rglob(f"{path.stem}.{ext}"))
            if not hits:
                raise QuartoError(f"quarto render wrote no {path.stem}.{ext}")
            made.append(hits[0])
        final = []
        for f in made:
            dest = outdir / f.name
            os.replace(f, dest)
            final.append(dest)
        return final
    finally:
        shutil.rmtree(stage, ignore_errors=True)
