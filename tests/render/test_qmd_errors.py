"""What the builtin engine refuses, by name, with file and line; and parameters as literals."""

from __future__ import annotations

import ast
import os
import sys
from pathlib import Path

import pytest

from analysis.errors import InputError
from analysis.render import crossref, params, qmd
from analysis.render.builtin import render


def _rule(err: InputError) -> tuple[str, str]:
    p = err.problems[0]
    return p.rule, p.file or ""


@pytest.mark.parametrize("body, rule, line", [
    ("text\n\n{{< pagebreak >}}\n", "qmd-shortcode", 6),
    ("```{python}\n#| fig-width: 3\nx = 1\n```\n", "qmd-unknown-option", 5),
    ("```{python}\n#| echo: maybe\nx = 1\n```\n", "qmd-option-type", 5),
    ("```{r}\nx <- 1\n```\n", "qmd-engine", 4),
    ("Value `{r} x`.\n", "qmd-inline-engine", 4),
    ("{{< include nowhere.qmd >}}\n", "qmd-include-missing", 4),
    ("```{python}\nx = 1\n", "qmd-fence", 4),
    ("```{python echo=FALSE}\nx = 1\n```\n", "qmd-cell-option", 4),
])
def test_refused_by_name_with_line(tmp_path, body, rule, line):
    doc = tmp_path / "d.qmd"
    doc.write_text("---\ntitle: t\n---\n" + body)
    with pytest.raises(InputError) as exc:
        qmd.parse(doc)
    got_rule, where = _rule(exc.value)
    assert got_rule == rule
    assert where == f"{doc}:{line}"


def test_unknown_front_matter_key(tmp_path):
    doc = tmp_path / "d.qmd"
    doc.write_text("---\ntitle: t\nbibliography: refs.bib\n---\ntext\n")
    with pytest.raises(InputError) as exc:
        qmd.parse(doc)
    assert exc.value.problems[0].rule == "qmd-front-matter-key"
    assert exc.value.problems[0].value == "bibliography"


def test_include_cycle(tmp_path):
    (tmp_path / "a.qmd").write_text("{{< include b.qmd >}}\n")
    (tmp_path / "b.qmd").write_text("{{< include a.qmd >}}\n")
    with pytest.raises(InputError) as exc:
        qmd.parse(tmp_path / "a.qmd")
    assert exc.value.problems[0].rule == "qmd-include-cycle"


def test_shortcode_inside_code_is_literal(tmp_path):
    doc = tmp_path / "d.qmd"
    doc.write_text("Write `{{< pagebreak >}}` in Quarto.\n\n```\n{{< include x.qmd >}}\n```\n")
    blocks = qmd.parse(doc).blocks
    assert "{{< include x.qmd >}}" in blocks[0].text


def test_unknown_crossref_is_an_error():
    with pytest.raises(InputError) as exc:
        crossref.resolve("See @fig-nowhere.\n", number_sections=False)
    assert exc.value.problems[0].rule == "crossref-unknown"
    assert exc.value.problems[0].value == "fig-nowhere"


def test_crossref_ignores_code_and_emails():
    text = "Mail a@fig-x.org; code `@fig-y`.\n\n```\n@tbl-z\n```\n"
    assert crossref.resolve(text, number_sections=False) == text


def test_numbered_sections_as_quarto():
    # Quarto with number-sections: "Section 2.1"; without: the title (Quarto >= 1.4).
    text = "# A {#sec-a}\n\n# B\n\n## C {#sec-c}\n\nSee @sec-c and @sec-a.\n"
    assert "[Section 2.1](#sec-c)" in crossref.resolve(text, number_sections=True)
    assert "[C](#sec-c)" in crossref.resolve(text, number_sections=False)
    assert "[Section 1](#sec-a)" in crossref.resolve(text, number_sections=True)


def test_figures_and_tables_numbered_separately_in_order():
    text = ("![{{fig:fig-a}}A](a.png){#fig-a}\n\n: {{tbl:tbl-x}}X\n\n"
            "![{{fig:fig-b}}B](b.png){#fig-b}\n\n@fig-b, @tbl-x, @fig-a\n")
    out = crossref.resolve(text, number_sections=False)
    assert "Figure 2: B" in out and "Table 1: X" in out and "Figure 1: A" in out
    assert "[Figure 2](#fig-b), [Table 1](#tbl-x), [Figure 1](#fig-a)" in out


@pytest.mark.parametrize("value", [
    "a'b", 'a"b', "back\\slash", "new\nline", "__import__('os').system('echo x')",
    "'; import os; os.system('x'); '", "\"\"\"triple", "\\", "C:\\data\\new",
])
def test_injected_values_are_literals(value):
    src = params.injected_source({"data": value})
    tree = ast.parse(src)
    assert len(tree.body) == 1 and isinstance(tree.body[0].value, ast.Constant)
    assert ast.literal_eval(tree.body[0].value) == value


def test_parameter_types_checked():
    defaults = params.parse_defaults("data = None\nmin_cell = 0\nshow = True\nsite = ''\n",
                                     "d.qmd", 1)
    got = params.coerce({"min_cell": "5", "show": "false", "site": "Milan", "data": "x"},
                        defaults, "d.qmd")
    assert got == {"min_cell": 5, "show": False, "site": "Milan", "data": "x"}
    with pytest.raises(InputError) as exc:
        params.coerce({"min_cell": "five"}, defaults, "d.qmd")
    assert exc.value.problems[0].rule == "param-type"
    with pytest.raises(InputError) as exc:
        params.coerce({"nope": "1"}, defaults, "d.qmd")
    assert exc.value.problems[0].rule == "param-unknown"


def test_parameters_cell_must_be_literals():
    with pytest.raises(InputError) as exc:
        params.parse_defaults("data = open('x')\n", "d.qmd", 3)
    assert exc.value.problems[0].rule == "qmd-parameters"


def test_cli_pairs():
    assert params.parse_cli(["a=1", "b:2", "data=C:\\x=y"]) == {"a": "1", "b": "2",
                                                                 "data": "C:\\x=y"}


def _doc(tmp_path, body: str) -> Path:
    doc = tmp_path / "d.qmd"
    doc.write_text("---\ntitle: t\n---\n\n```{python}\n#| tags: [parameters]\nx = 1\n```\n\n"
                   + body)
    return doc


def test_failing_cell_keeps_previous_outputs(tmp_path):
    out = tmp_path / "out"
    good = _doc(tmp_path, "Value `{python} x`.\n")
    render(good, out, ["html"])
    before = (out / "d.html").read_bytes()
    good.write_text(good.read_text() + "\n```{python}\nraise ValueError('boom')\n```\n")
    with pytest.raises(InputError) as exc:
        render(good, out, ["html"])
    assert exc.value.problems[0].rule == "cell-error"
    assert "ValueError: boom" in exc.value.problems[0].message
    assert exc.value.problems[0].file == f"{good}:12"   # the cell's opening fence
    assert (out / "d.html").read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == ["d.html"]   # no temp folder left


def test_failing_writer_keeps_previous_outputs(tmp_path, monkeypatch):
    from analysis.render import writers

    out = tmp_path / "out"
    doc = _doc(tmp_path, "Value `{python} x`.\n")
    render(doc, out, ["html"])
    before = (out / "d.html").read_bytes()

    def broken(*a, **k):
        raise writers.RenderError("simulated crash")

    monkeypatch.setitem(writers.WRITERS, "pdf", broken)
    with pytest.raises(writers.RenderError):
        render(doc, out, ["html", "pdf"], params={"x": 2})
    assert (out / "d.html").read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == ["d.html"]


def test_kernel_is_this_interpreter_and_runs_in_doc_folder(tmp_path):
    doc = _doc(tmp_path, "```{python}\nimport os, sys\n```\n\nexe=`{python} sys.executable` "
               "cwd=`{python} os.getcwd()` x=`{python} x`\n")
    render(doc, tmp_path / "o", ["html"], params={"x": 7})
    html = (tmp_path / "o" / "d.html").read_text()
    assert f"exe={sys.executable}" in html
    assert f"cwd={os.path.realpath(tmp_path)}" in html
    assert "x=7" in html


def test_inline_error_names_expression(tmp_path):
    doc = _doc(tmp_path, "Value `{python} x`.\nAnd `{python} undefined_name`.\n")
    with pytest.raises(InputError) as exc:
        render(doc, tmp_path / "o", ["html"])
    p = exc.value.problems[0]
    assert p.rule == "inline-error" and p.value == "undefined_name"
    assert p.file == f"{doc}:11"
    assert "NameError" in p.message


def test_unknown_engine_and_format():
    from analysis.render import choose_engine

    with pytest.raises(InputError):
        choose_engine("knitr")
    with pytest.raises(InputError):
        render(Path(__file__).parent / "docs" / "small.qmd", "/tmp/none", ["epub"])


def test_raw_html_is_refused_by_name(tmp_path):
    """Quarto passes raw HTML through; the builtin engine does not read it, so says so."""
    from analysis.errors import InputError
    from analysis.render import qmd

    with pytest.raises(InputError) as err:
        qmd.parse_text("---\ntitle: x\n---\n\nText with <span class='x'>html</span>.\n",
                       tmp_path / "d.qmd")
    assert err.value.problems[0].rule == "qmd-raw-html"
    assert err.value.problems[0].value == "<span class='x'>"
    # comparisons, autolinks and code spans are not HTML
    qmd.parse_text("p < 0.05, <https://example.org>, `<b>`\n", tmp_path / "d.qmd")
