"""Turn a parsed document into a notebook and run it in one Jupyter kernel.

Code cells run in document order; each markdown chunk that holds inline
`` `{python} expr` `` expressions gets a hidden cell at its place that evaluates
them in the same kernel, so an inline value sees exactly the state the text around
it sees. The kernel is the venv's own interpreter (``sys.executable -m
ipykernel_launcher``), so no kernelspec needs installing and a user-level
``python3`` kernelspec pointing elsewhere cannot hijack the render.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from analysis.errors import InputError, Problem
from analysis.render import params as P
from analysis.render.qmd import Cell, Document, Markdown

INLINE_MIME = "application/vnd.dupitac.inline+json"

# Runs first: figure format and the inline-value formatter (strings verbatim, objects as
# Quarto shows them: text/markdown when offered, else text/plain).
SETUP = r"""
def _dupitac_inline(sources):
    import json as _j
    from IPython import get_ipython as _g
    from IPython.display import display as _d
    _fmt = _g().display_formatter
    out = []
    for _s in sources:
        try:
            _v = eval(compile(_s, "<inline>", "eval"), globals())
        except Exception as _e:
            out.append({"error": f"{type(_e).__name__}: {_e}"})
            continue
        if isinstance(_v, str):
            out.append({"text": _v})
            continue
        _b, _ = _fmt.format(_v)
        out.append({"text": _b.get("text/markdown", _b.get("text/plain", ""))})
    _d({"%s": _j.dumps(out)}, raw=True)
try:
    import matplotlib as _mpl
    _mpl.rcParams.update({"figure.dpi": 110, "savefig.dpi": 150, "figure.figsize": (7, 4.5)})
    from matplotlib_inline.backend_inline import set_matplotlib_formats as _smf
    _smf("png")
except ImportError:
    pass
""" % INLINE_MIME


class _VenvKernelSpecs(KernelSpecManager):
    """Every kernel name resolves to this interpreter's ipykernel."""

    def get_kernel_spec(self, kernel_name):  # noqa: D102
        return KernelSpec(argv=[sys.executable, "-m", "ipykernel_launcher", "-f",
                                "{connection_file}",
                                # loopback only; its note about unencrypted TCP is noise here
                                "--IPKernelApp.log_level=ERROR"],
                          display_name="Python 3 (dupitac)", language="python",
                          resource_dir=str(Path(__file__).parent))


@dataclass
class Executed:
    """A document after execution: cells' outputs and inline values by block index."""

    doc: Document
    outputs: dict = field(default_factory=dict)   # block index -> list of nbformat outputs
    inline: dict = field(default_factory=dict)    # block index -> list of str
    nb: object = None


def _where(block) -> str:
    return f"{block.file}:{block.line}"


def _parameters_cell(doc: Document) -> int | None:
    hits = [i for i, b in enumerate(doc.blocks)
            if isinstance(b, Cell) and "parameters" in b.options.get("tags", [])]
    if len(hits) > 1:
        raise InputError([Problem(rule="qmd-parameters", message="more than one parameters cell",
                                  file=_where(doc.blocks[hits[1]]))], summary="cannot render")
    return hits[0] if hits else None


def declared_parameters(doc: Document) -> dict:
    """Defaults declared by the document's parameters cell ({} if none)."""
    i = _parameters_cell(doc)
    if i is None:
        return {}
    b = doc.blocks[i]
    return P.parse_defaults(b.source, b.file, b.line)


def build(doc: Document, values: dict) -> tuple[nbformat.NotebookNode, list]:
    """Notebook for ``doc`` with the injected parameters; and cell -> block index map."""
    defaults = declared_parameters(doc)
    values = P.coerce(values, defaults, str(doc.path))
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    cells, owners = [nbformat.v4.new_code_cell(SETUP)], [None]
    pidx = _parameters_cell(doc)
    for i, block in enumerate(doc.blocks):
        if isinstance(block, Markdown):
            if block.inline:
                src = "_dupitac_inline(%s)" % json.dumps([e for _, _, e in block.inline])
                cells.append(nbformat.v4.new_code_cell(src))
                owners.append(("inline", i))
            continue
        if block.options.get("eval", True) is False:
            continue
        cell = nbformat.v4.new_code_cell(block.source)
        if block.options.get("tags"):
            cell.metadata["tags"] = list(block.options["tags"])
        cells.append(cell)
        owners.append(("cell", i))
        if i == pidx and values:
            inj = nbformat.v4.new_code_cell(P.injected_source(values))
            inj.metadata["tags"] = ["injected-parameters"]
            cells.append(inj)
            owners.append(None)
    if values and pidx is None:
        raise InputError([Problem(rule="param-unknown", message="the document has no parameters "
                                  "cell, so it takes no -P values", file=str(doc.path))],
                         summary="cannot render")
    nb.cells = cells
    return nb, owners


def _cell_error(block, output) -> InputError:
    ename, evalue = output.get("ename", "Error"), output.get("evalue", "")
    return InputError([Problem(rule="cell-error", message=f"{ename}: {evalue}",
                               file=_where(block))],
                      summary=f"a cell of {Path(block.file).name} failed")


# Kernels kept alive between documents of one process (``reuse=True``), by the folder
# they run in. A kept kernel has its imports done (pandas, matplotlib, the package), so the
# next document starts at once; its namespace is cleared first (RESET).
_WARM: dict = {}
RESET = """%reset -f
import os as _os
import matplotlib.pyplot as _plt
_plt.close("all")
_os.chdir(FOLDER)
del _os, _plt
"""


def shutdown_warm() -> None:
    """Stop every kept kernel (at the end of a multi-document render)."""
    while _WARM:
        _, km = _WARM.popitem()
        try:
            km.shutdown_kernel(now=True)
        except Exception:  # already gone: nothing to stop
            pass


def _kernel(folder: str, reuse: bool):
    """(kernel manager, was it kept warm?) for a document in ``folder``."""
    km = _WARM.pop(folder, None) if reuse else None
    if km is not None:
        try:
            if km.is_alive():
                return km, True
        except Exception:
            pass
    return KernelManager(kernel_name="python3", kernel_spec_manager=_VenvKernelSpecs()), False


def execute(doc: Document, values: dict | None = None, timeout: int = 900,
            reuse: bool = False) -> Executed:
    """Run every cell; a failing cell (without ``error: true``) stops with InputError.

    With ``reuse`` the kernel is kept for the next document of the same folder (and a
    kept one is used, its namespace reset); :func:`shutdown_warm` stops kept kernels.
    Without it the kernel is shut down when the document is done.
    """
    nb, owners = build(doc, values or {})
    folder = str(doc.path.parent.resolve())
    km, warm = _kernel(folder, reuse)
    if warm:
        nb.cells.insert(0, nbformat.v4.new_code_cell(RESET.replace("FOLDER", repr(folder))))
        owners.insert(0, None)
    # With its own kernel manager passed in, nbclient would leave the kernel running after
    # the block (it shuts down only kernels it created): cleanup_kc=True stops it, and at
    # once, since every cell has run. A killed render's kernel exits by itself (ipykernel
    # polls its parent process).
    client = NotebookClient(nb, km=km, timeout=timeout, allow_errors=True,
                            shutdown_kernel="immediate", resources={"metadata": {"path": folder}})
    result = Executed(doc, nb=nb)
    kept = False
    try:
        with client.setup_kernel(cleanup_kc=not reuse):
            _run_cells(client, nb, owners, doc, result)
        kept = reuse
    finally:
        if reuse:
            if client.kc is not None:
                client.kc.stop_channels()
            if kept and km.has_kernel:
                _WARM[folder] = km
            elif km.has_kernel:  # a failed document: its kernel state is not trusted
                km.shutdown_kernel(now=True)
    return result


def _run_cells(client, nb, owners, doc: Document, result: Executed) -> None:
    for index, cell in enumerate(nb.cells):
        try:
            client.execute_cell(cell, index)
        except CellExecutionError as err:  # allow_errors makes this rare; keep it clean
            raise InputError([Problem(rule="cell-error", message=str(err)[:2000],
                                      file=str(doc.path))], summary="a cell failed")
        owner = owners[index]
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if owner is None:
            if errors:
                raise InputError([Problem(rule="cell-error",
                                          message=f"{errors[0].ename}: {errors[0].evalue}",
                                          file=str(doc.path))], summary="setup failed")
            continue
        kind, bi = owner
        block = doc.blocks[bi]
        if kind == "cell":
            if errors and not block.options.get("error", False):
                raise _cell_error(block, errors[0])
            result.outputs[bi] = list(cell.outputs)
        else:
            result.inline[bi] = _inline_values(cell, block)


def _inline_values(cell, block: Markdown) -> list[str]:
    for out in cell.outputs:
        if out.output_type == "error":
            raise _cell_error(block, out)
        data = out.get("data", {})
        if INLINE_MIME in data:
            payload = data[INLINE_MIME]
            values = json.loads(payload) if isinstance(payload, str) else payload
            for (start, _, expr), v in zip(block.inline, values):
                if "error" in v:
                    line = block.line + block.text[:start].count("\n")
                    raise InputError([Problem(rule="inline-error", message=v["error"],
                                              file=f"{block.file}:{line}", value=expr)],
                                     summary=f"an inline expression of {Path(block.file).name} "
                                     "failed")
            return [v["text"] for v in values]
    raise InputError([Problem(rule="inline-error", message="inline expressions gave no value",
                              file=_where(block))], summary="cannot render")
