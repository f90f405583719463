"""Reuse a finished render when nothing it depends on has changed.

The key covers the document and every file it includes, the project's
``_quarto.yml``, the parameter values, the bytes of every data file a parameter or
the caller names, the targets catalogues, the package's source (``code_fingerprint``), the
engine, the formats and the converter versions. A hit copies the stored outputs
into place (staged copies, then :func:`os.replace` under the output folder's lock;
see :mod:`analysis.render.staging`); nothing is executed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from importlib import metadata
from pathlib import Path

from analysis.paths import cache_dir, targets_dir
from analysis.render import qmd
from analysis.fingerprint import code_fingerprint


def _hash_path(h, path: Path) -> None:
    path = Path(path)
    if path.is_dir():
        for f in sorted(p for p in path.rglob("*") if p.is_file()):
            h.update(str(f.relative_to(path)).encode())
            h.update(f.read_bytes())
    elif path.is_file():
        h.update(path.read_bytes())
    else:
        h.update(b"<missing>" + str(path).encode())


def _versions() -> str:
    out = []
    for dist in ("pypandoc-binary", "typst", "nbclient", "ipykernel", "matplotlib"):
        try:
            out.append(f"{dist}={metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            out.append(f"{dist}=?")
    return ",".join(out)


def _sources(path: Path) -> list[Path]:
    """The document and every file it includes (recursively)."""
    doc = qmd.parse_text(path.read_text(encoding="utf-8"), path)
    return sorted({Path(b.file) for b in doc.blocks} | {path})


def render_key(path, engine: str, formats, params: dict, inputs=()) -> str:
    path = Path(path).resolve()
    h = hashlib.sha256()
    h.update(json.dumps({"engine": engine, "formats": sorted(formats), "params": params,
                         "code": code_fingerprint(), "versions": _versions()},
                        sort_keys=True, default=str).encode())
    for src in _sources(path):
        h.update(str(src).encode())
        h.update(src.read_bytes())
    for folder in [path.parent, *path.parents]:
        if (folder / "_quarto.yml").is_file():
            h.update((folder / "_quarto.yml").read_bytes())
            break
    # The manuscripts' scorecards read the published targets: they are inputs too.
    for item in [*inputs, targets_dir()]:
        _hash_path(h, Path(item))
    return h.hexdigest()[:32]


def lookup(key: str, stem: str, formats) -> list[Path] | None:
    folder = cache_dir() / "render" / key
    files = [folder / f"{stem}.{f}" for f in formats]
    return files if all(f.is_file() for f in files) else None


def restore(files: list[Path], outdir: Path) -> list[Path]:
    """Copy a cached render's files into ``outdir`` (staged, then moved under the lock)."""
    from analysis.render.staging import copy_into

    return copy_into(files, outdir)


def store(key: str, files: list[Path]) -> None:
    """Keep copies of ``files`` under the key; failures only cost the next render time."""
    root = cache_dir() / "render"
    try:
        root.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=".store-", dir=root))
        for f in files:
            shutil.copyfile(f, stage / f.name)
        target = root / key
        if target.exists():
            shutil.rmtree(target, ignore_errors=True)
        os.replace(stage, target)
    except OSError:
        shutil.rmtree(locals().get("stage", root / ".none"), ignore_errors=True)
