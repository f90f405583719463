"""The report sources stay within the Quarto subset the builtin engine supports."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from analysis.render import qmd
from analysis.render.notebook import declared_parameters

ROOT = Path(__file__).resolve().parents[2]
MANUSCRIPTS = ["ferrucci2022", "matsutani2021"]


@pytest.mark.parametrize("name", ["index", *MANUSCRIPTS])
def test_parses_with_one_parameters_cell(name):
    doc = qmd.parse(ROOT / "report" / f"{name}.qmd")
    params = declared_parameters(doc)
    if name in MANUSCRIPTS:
        assert params == {"data": None, "site": "", "min_cell": 0, "targets": "auto"}
    cells = [b for b in doc.blocks if isinstance(b, qmd.Cell)]
    pcells = [c for c in cells if "parameters" in c.options.get("tags", [])]
    # Quarto/papermill: the parameters cell carries no label
    assert len(pcells) == 1 and "label" not in pcells[0].options


@pytest.mark.parametrize("name", MANUSCRIPTS)
def test_every_table_and_figure_has_label_and_caption(name):
    doc = qmd.parse(ROOT / "report" / f"{name}.qmd")
    labels = [b.options.get("label", "") for b in doc.blocks if isinstance(b, qmd.Cell)]
    figs = [lab for lab in labels if lab.startswith("fig-")]
    tbls = [lab for lab in labels if lab.startswith("tbl-")]
    # references sit in the prose or in the text an asis cell prints
    text = "\n".join(b.text if isinstance(b, qmd.Markdown) else b.source for b in doc.blocks)
    for lab in figs + tbls:
        assert f"@{lab}" in text, f"{lab} is never referenced"
    for b in doc.blocks:
        if isinstance(b, qmd.Cell) and b.options.get("label", "").startswith("fig-"):
            assert b.options.get("fig-cap")
        if isinstance(b, qmd.Cell) and b.options.get("label", "").startswith("tbl-"):
            assert b.options.get("tbl-cap") and b.options.get("output") == "asis"


def test_quarto_project_lists_the_documents():
    cfg = yaml.safe_load((ROOT / "_quarto.yml").read_text())
    assert set(cfg["project"]["render"]) == {f"report/{n}.qmd" for n in ["index", *MANUSCRIPTS]}
    assert cfg["format"]["html"]["embed-resources"] is True
    assert set(cfg["format"]) == {"html", "typst", "docx"}


def test_index_renders(tmp_path, monkeypatch):
    from analysis.render.builtin import render
    from helpers import external_urls, html_links_and_text

    monkeypatch.setenv("DUPITAC_CACHE", str(tmp_path / "cache"))
    files = render(ROOT / "report" / "index.qmd", tmp_path / "out", ["html"])
    html = files[0].read_text(encoding="utf-8")
    _, text = html_links_and_text(html)
    assert "Table 1: Published numbers rebuilt from the reference cohorts" in text
    for study in MANUSCRIPTS:
        assert f'href="{study}.html"' in html
    assert external_urls(html) == []


def test_appendix_audit_matches_a_fresh_audit(monkeypatch):
    """The appendix reads the committed AUDIT.md; it must say what the audit says now."""
    import sys

    from analysis.audit.report import findings_markdown
    from analysis.commands.audit import audit_all

    monkeypatch.syspath_prepend(str(ROOT / "report"))
    sys.modules.pop("_scorecard", None)
    import _scorecard as S

    results, excused, _ = audit_all(["matsutani2021"])
    fresh = S._section(findings_markdown("matsutani2021", results["matsutani2021"],
                                         excused["matsutani2021"]), "matsutani2021")
    assert fresh and S.audit_findings("matsutani2021") == fresh
