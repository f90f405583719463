"""The builtin engine on the small test document, in HTML, PDF and DOCX.

Expected values are worked by hand from tests/render/docs/small.qmd: n = 3, so the
sum 1 + 2 + 3 = 6 and the squares are 1, 4, 9; one table and one figure, so both are
numbered 1; number-sections is off, so @sec-methods shows the section's title.
"""

from __future__ import annotations

import re
from pathlib import Path

from helpers import docx_tables, docx_text, external_urls, html_links_and_text, pdf_pages_and_text

DOCS = Path(__file__).parent / "docs"


def test_html_text_numbers_and_crossrefs(small_outputs):
    files, _ = small_outputs
    html = files["html"].read_text(encoding="utf-8")
    links, text = html_links_and_text(html)
    assert "A small test document" in text
    assert "The sum of the first 3 integers is 6" in text
    assert "the total again: 6" in text                       # inline value inside an include
    assert "Table 1: Values and their squares" in text
    assert "Figure 1: Squares of the first integers" in text
    hrefs = {(v, t) for t, n, v in links if n == "href"}
    assert ("#fig-squares", "a") in hrefs and ("#tbl-values", "a") in hrefs
    assert re.search(r'<a href="#sec-methods">Methods</a>', html)
    assert re.search(r'<a href="#tbl-values">1</a>', html)          # [-@tbl-values]
    assert re.search(r'<a href="#fig-squares">Fig. 1</a>', html)     # [Fig. -@fig-squares]
    # the table's cells, from the cell's asis output
    assert re.search(r"<td[^>]*>3</td>\s*<td[^>]*>9</td>", html)
    # echo: true shows code and its output; include: false and warning: false hide
    assert "pi is 3.1416" in text and "sourceCode python" in html
    assert "must not appear" not in text
    assert "hidden warning" not in text and "after the warning" in text
    # inline code that is not `{python}` stays literal; non-executable blocks stay code
    assert "`{python} 1+1`" in text
    assert 'print("not run")' in html.replace("&quot;", '"') or "not run" in text


def test_html_is_self_contained(small_outputs):
    files, _ = small_outputs
    html = files["html"].read_text(encoding="utf-8")
    assert external_urls(html) == []
    links, _ = html_links_and_text(html)
    imgs = [v for t, n, v in links if t == "img" and n == "src"]
    assert imgs and all(v.startswith("data:image/") for v in imgs)
    assert "<script" not in html.lower() or "mathjax" not in html.lower()


def test_pdf_pages_and_text(small_outputs):
    files, _ = small_outputs
    assert files["pdf"].read_bytes()[:5] == b"%PDF-"
    pages, text = pdf_pages_and_text(files["pdf"])
    assert 1 <= pages <= 3
    assert "The sum of the first 3 integers is 6" in text
    assert "Table 1: Values and their squares" in text
    assert "Figure 1: Squares of the first integers" in text
    # Typst's own figure numbering is off: no "Figure 1: Figure 1:" doubling
    assert "Figure 1: Figure" not in text and "Table 1: Table" not in text


def test_docx_opens_with_table_and_captions(small_outputs):
    files, _ = small_outputs
    text = docx_text(files["docx"])
    assert docx_tables(files["docx"]) == 1
    assert "Table 1: Values and their squares" in text
    assert "The sum of the first 3 integers is 6" in text
    assert "2 | 4" in text


def test_hostile_parameter_is_shown_never_run(small_outputs):
    files, label = small_outputs
    _, text = html_links_and_text(files["html"].read_text(encoding="utf-8"))
    # the label arrives as the very string given: quotes, backslash and the call text
    assert label.replace("\n", " ") in text.replace("’", "'")
    assert not (DOCS / "PWNED").exists() and not Path("PWNED").exists()
