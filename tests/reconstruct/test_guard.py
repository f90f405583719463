"""The analysis layers never see the published targets or the reconstruction.

``io, schema, derive, stats, studies, results, report`` compute from data only: a
module there must not import ``analysis.targets`` or ``analysis.reconstruct`` (in any
spelling: ``import``, ``from ... import``, ``importlib.import_module("...")``) and must
not name the ``data/targets`` folder or a targets catalogue file.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("io", "schema", "derive", "stats", "studies", "results", "report")
FORBIDDEN_MODULES = ("analysis.targets", "analysis.reconstruct")
FORBIDDEN_TEXT = ("data/targets", "targets_dir", "data\\\\targets", "load_study", "load_catalogue")


def layer_files():
    for layer in LAYERS:
        yield from sorted((ROOT / "analysis" / layer).rglob("*.py"))


def forbidden_imports(source: str) -> list[str]:
    """Names of forbidden modules imported by ``source`` (any import form)."""
    found = []
    tree = ast.parse(source)
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            base = node.module
            names = [base] + [f"{base}.{a.name}" for a in node.names]
            if node.level == 0 and base == "analysis":
                names += [f"analysis.{a.name}" for a in node.names]
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str):
            func = node.func
            fname = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if fname in ("import_module", "__import__"):
                names = [node.args[0].value]
        for name in names:
            if any(name == m or name.startswith(m + ".") for m in FORBIDDEN_MODULES):
                found.append(name)
    return found


def test_guard_finds_every_import_form():
    # The scanner itself must catch each spelling, or the guard below could never fail.
    for src in ("import analysis.targets", "from analysis.targets import catalogue",
                "from analysis import reconstruct", "from analysis.reconstruct.goals import Goal",
                "import importlib\nimportlib.import_module('analysis.targets.verify')"):
        assert forbidden_imports(src), src
    assert not forbidden_imports("from analysis.stats import mcnemar")


def test_layers_exist():
    assert len(list(layer_files())) > 10


@pytest.mark.parametrize("path", list(layer_files()), ids=lambda p: str(p.relative_to(ROOT)))
def test_analysis_layer_does_not_see_targets(path):
    source = path.read_text(encoding="utf-8")
    assert not forbidden_imports(source), f"{path} imports {forbidden_imports(source)}"
    for text in FORBIDDEN_TEXT:
        assert text not in source, f"{path} mentions {text!r}"
