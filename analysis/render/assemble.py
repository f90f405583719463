"""Executed document -> one pandoc Markdown text, with figures saved beside it.

Follows what Quarto shows for each cell: the code when ``echo``, stdout and plain
values in code blocks, ``output: asis`` text as Markdown, images as figures (a
``fig-`` label with ``fig-cap`` makes a numbered figure), a ``tbl-`` label with
``tbl-cap`` makes a numbered table. Numbering and references are left to
:mod:`analysis.render.crossref`.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

from analysis.errors import InputError, Problem
from analysis.render.notebook import INLINE_MIME, Executed
from analysis.render.qmd import Cell, Markdown

_WARNING = re.compile(r"(Warning|warn)", re.I)


def _fence(text: str, lang: str = "") -> str:
    ticks = "```"
    while ticks in text:
        ticks += "`"
    return f"{ticks}{lang}\n{text.rstrip(chr(10))}\n{ticks}"


def _is_warning(out) -> bool:
    return out.output_type == "stream" and out.name == "stderr" and bool(_WARNING.search(out.text))


def _save_image(data: dict, figdir: Path, stem: str) -> str | None:
    figdir.mkdir(parents=True, exist_ok=True)
    if "image/png" in data:
        path = figdir / f"{stem}.png"
        path.write_bytes(base64.b64decode(data["image/png"]))
    elif "image/svg+xml" in data:
        path = figdir / f"{stem}.svg"
        svg = data["image/svg+xml"]
        path.write_text(svg if isinstance(svg, str) else "".join(svg), encoding="utf-8")
    else:
        return None
    return f"{figdir.name}/{path.name}"


def _caption_table(text: str, label: str, caption: str) -> str:
    """Attach the caption to the first pipe table of ``text`` and mark it with ``label``."""
    lines = text.strip("\n").split("\n")
    start = next((i for i, ln in enumerate(lines) if ln.lstrip().startswith("|")), None)
    marker = f"{{{{tbl:{label}}}}}"
    if start is None:
        return f"::: {{#{label}}}\n{marker}{caption}\n\n{text.strip()}\n:::"
    end = start
    while end + 1 < len(lines) and lines[end + 1].lstrip().startswith("|"):
        end += 1
    lines[end + 1:end + 1] = ["", f": {marker}{caption}"]
    body = "\n".join(lines)
    return f"::: {{#{label}}}\n{body}\n:::"


def _merge_streams(outputs: list) -> list:
    """Join consecutive stream outputs of the same name into one.

    The kernel flushes stdout on its own timing, so one cell's prints may come as one
    stream output or as several; joined, the document does not depend on that timing.
    """
    import nbformat

    merged = []
    for out in outputs:
        prev = merged[-1] if merged else None
        if (out.output_type == "stream" and prev is not None and prev.output_type == "stream"
                and prev.name == out.name):
            merged[-1] = nbformat.v4.new_output("stream", name=out.name,
                                                text=prev.text + out.text)
        else:
            merged.append(out)
    return merged


def cell_markdown(block: Cell, outputs: list, figdir: Path, stem: str) -> str:
    """The Markdown a cell contributes (empty when ``include: false``)."""
    outputs = _merge_streams(outputs)
    opts = block.options
    if opts.get("include", True) is False:
        return ""
    parts = []
    if opts.get("echo", False) is True:
        parts.append(_fence(block.source, "python"))
    output = opts.get("output", True)
    label = opts.get("label", "")
    images = []
    if output is not False:
        for k, out in enumerate(outputs):
            if out.output_type == "stream":
                if out.name == "stderr" and (opts.get("warning", False) is False
                                             and _is_warning(out)):
                    continue
                parts.append(out.text if output == "asis" else _fence(out.text))
            elif out.output_type in ("execute_result", "display_data"):
                data = out.get("data", {})
                if INLINE_MIME in data:
                    continue
                img = _save_image(data, figdir, f"{stem}-{k}")
                if img:
                    images.append(img)
                    parts.append(f"{{{{img:{len(images) - 1}}}}}")
                elif "text/markdown" in data:
                    parts.append(data["text/markdown"])
                elif "text/plain" in data:
                    text = data["text/plain"]
                    parts.append(text if output == "asis" else _fence(text))
            elif out.output_type == "error" and opts.get("error", False):
                parts.append(_fence("\n".join(out.get("traceback", [])) or out.evalue))
    text = "\n\n".join(p.strip("\n") for p in parts if p is not None)
    if label.startswith("fig-"):
        if len(images) != 1:
            raise InputError([Problem(rule="qmd-figure", message=f"cell {label} made {len(images)}"
                                      " images; a figure cell must make exactly one",
                                      file=f"{block.file}:{block.line}")], summary="cannot render")
        if "fig-cap" not in opts:
            raise InputError([Problem(rule="qmd-figure", message=f"figure {label} has no fig-cap",
                                      file=f"{block.file}:{block.line}")], summary="cannot render")
        alt = opts.get("fig-alt", "").replace('"', "'")
        alt_attr = f' fig-alt="{alt}"' if alt else ""
        fig = f"![{{{{fig:{label}}}}}{opts['fig-cap']}]({images[0]}){{#{label}{alt_attr}}}"
        text = text.replace("{{img:0}}", "\n\n" + fig + "\n\n")
    elif label.startswith("tbl-"):
        if "tbl-cap" not in opts:
            raise InputError([Problem(rule="qmd-table", message=f"table {label} has no tbl-cap",
                                      file=f"{block.file}:{block.line}")], summary="cannot render")
        text = _caption_table(text, label, opts["tbl-cap"])
    for j, img in enumerate(images):
        text = text.replace(f"{{{{img:{j}}}}}", f"\n\n![]({img})\n\n")
    return text.strip("\n")


def markdown_with_values(block: Markdown, values: list[str]) -> str:
    """The chunk's text with each inline expression replaced by its value."""
    text = block.text
    for (start, end, _), val in sorted(zip(block.inline, values), key=lambda t: -t[0][0]):
        text = text[:start] + val + text[end:]
    return text


def assemble(executed: Executed, figdir: Path) -> str:
    """Markdown body of the whole document (no front matter)."""
    parts = []
    for i, block in enumerate(executed.doc.blocks):
        if isinstance(block, Markdown):
            parts.append(markdown_with_values(block, executed.inline.get(i, [])))
        else:
            md = cell_markdown(block, executed.outputs.get(i, []), figdir, f"cell{i}")
            if md:
                parts.append("\n" + md + "\n")
    return "\n".join(parts)
