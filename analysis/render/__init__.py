"""Rendering engines: ``quarto`` when it is on PATH, ``builtin`` otherwise.

Both render the same ``.qmd`` sources; the builtin engine supports the subset of
Quarto the dupitac documents use and refuses anything else by name.

Examples
--------
>>> choose_engine("builtin")
'builtin'
"""

from __future__ import annotations

from analysis.errors import InputError, Problem

ENGINES = ("auto", "quarto", "builtin")


def choose_engine(engine: str = "auto") -> str:
    """Resolve ``auto`` to ``quarto`` when Quarto is installed, else ``builtin``."""
    from analysis.render import quarto

    if engine not in ENGINES:
        raise InputError([Problem(rule="render-engine", message="engine must be auto, quarto or "
                                  "builtin", value=engine)], summary="bad --engine")
    if engine == "auto":
        return "quarto" if quarto.available() else "builtin"
    if engine == "quarto" and not quarto.available():
        raise InputError([Problem(rule="render-engine", message="quarto is not on PATH; use "
                                  "--engine builtin or auto", value=engine)],
                         summary="quarto not found")
    return engine


def render(path, outdir, formats=("html",), params=None, engine="auto", progress=None,
           reuse_kernel=False):
    """Render one document with the chosen engine; returns the files written.

    ``reuse_kernel`` (builtin engine) keeps the kernel for the next document.
    """
    chosen = choose_engine(engine)
    if chosen == "quarto":
        from analysis.render import quarto

        return quarto.render(path, outdir, formats, params, progress=progress)
    from analysis.render import builtin

    return builtin.render(path, outdir, formats, params, progress=progress,
                          reuse_kernel=reuse_kernel)
