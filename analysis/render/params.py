"""Document parameters: defaults from the parameters cell, values as Python literals.

A Quarto document with the Jupyter engine declares its parameters in one cell
tagged ``parameters`` (papermill convention); ``-P key:value`` values are injected
as a new cell right after it. Here every injected value is validated against the
default's type and written with :func:`repr`, so a data path containing quotes,
backslashes, newlines or ``__import__('os')`` reaches the kernel as that string and
is never executed.

Examples
--------
>>> defaults = parse_defaults("data = None\\nmin_cell = 0\\n", "doc.qmd", 3)
>>> print(injected_source(coerce({"data": "a'b", "min_cell": "5"}, defaults, "doc.qmd")))
data = "a'b"
min_cell = 5
"""

from __future__ import annotations

import ast
import keyword

import yaml

from analysis.errors import InputError, Problem

_LITERAL_TYPES = (str, int, float, bool, type(None))


def _err(rule: str, message: str, file: str, value=None) -> InputError:
    return InputError([Problem(rule=rule, message=message, file=file, value=value)],
                      summary=f"cannot render {file.split(':')[0]}")


def parse_defaults(source: str, file: str, line: int) -> dict:
    """Names and default values of a parameters cell (plain literal assignments only)."""
    where = f"{file}:{line}"
    try:
        tree = ast.parse(source)
    except SyntaxError as err:
        raise _err("qmd-parameters", f"parameters cell is not valid Python: {err.msg}", where)
    defaults: dict = {}
    for node in tree.body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)):
            raise _err("qmd-parameters", "the parameters cell may hold only `name = literal` lines",
                       where, ast.unparse(node))
        try:
            val = ast.literal_eval(node.value)
        except ValueError:
            raise _err("qmd-parameters", "a parameter default must be a literal",
                       where, ast.unparse(node))
        if not isinstance(val, _LITERAL_TYPES):
            raise _err("qmd-parameters", "a parameter default must be a str, number, bool or None",
                       where, ast.unparse(node))
        defaults[node.targets[0].id] = val
    return defaults


def _coerce_one(name: str, raw, default, file: str):
    if isinstance(raw, str) and not isinstance(default, str) and default is not None:
        try:
            raw = yaml.safe_load(raw) if raw.strip() else raw
        except yaml.YAMLError:
            pass
    if isinstance(default, bool):
        if isinstance(raw, bool):
            return raw
    elif isinstance(default, int):
        if isinstance(raw, int) and not isinstance(raw, bool):
            return raw
    elif isinstance(default, float):
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            return float(raw)
    elif isinstance(default, str) or default is None:
        # None-default parameters take text (paths, names); keep the text exactly as given.
        if isinstance(raw, (str, int, float)) and not isinstance(raw, bool):
            return str(raw) if not isinstance(raw, str) else raw
        if raw is None:
            return None
    kind = "None/text" if default is None else type(default).__name__
    raise _err("param-type", f"parameter {name!r} expects a {kind} value", file, raw)


def coerce(values: dict, defaults: dict, file: str) -> dict:
    """Check ``values`` (from ``-P``) against the declared parameters and their types."""
    out = {}
    for name, raw in values.items():
        if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
            raise _err("param-name", "parameter names must be Python identifiers", file, name)
        if name not in defaults:
            known = ", ".join(sorted(defaults)) or "none"
            raise _err("param-unknown", f"the document declares no parameter {name!r} "
                       f"(declared: {known})", file, name)
        out[name] = _coerce_one(name, raw, defaults[name], file)
    return out


def injected_source(values: dict) -> str:
    """Source of the injected-parameters cell: one ``name = repr(value)`` line each."""
    lines = []
    for name, val in values.items():
        if not isinstance(val, _LITERAL_TYPES):
            raise TypeError(f"parameter {name} has a non-literal value")
        text = repr(val)
        # repr() of these types is a literal that evaluates back to the same value.
        assert ast.literal_eval(text) == val or val != val
        lines.append(f"{name} = {text}")
    return "\n".join(lines)


def parse_cli(pairs: list[str]) -> dict:
    """``["key=value", "k2:v2"]`` -> dict; the value is kept as text."""
    out = {}
    for pair in pairs or []:
        cut = min((i for i in (pair.find("="), pair.find(":")) if i > 0), default=-1)
        if cut <= 0:
            raise InputError([Problem(rule="param-syntax", message="use -P key=value",
                                      value=pair)], summary="bad -P option")
        out[pair[:cut].strip()] = pair[cut + 1:]
    return out
