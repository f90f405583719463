"""Readers for rendered outputs (HTML text and links, PDF text and pages, DOCX text)."""

from __future__ import annotations

import re
from html.parser import HTMLParser


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls, self.text = [], []

    def handle_starttag(self, tag, attrs):
        for name, val in attrs:
            if name in ("src", "href", "srcset", "poster", "data", "action") and val:
                self.urls.append((tag, name, val))

    def handle_data(self, data):
        self.text.append(data)


def html_links_and_text(html: str) -> tuple[list, str]:
    p = _Links()
    p.feed(html)
    return p.urls, re.sub(r"\s+", " ", " ".join(p.text))


def external_urls(html: str) -> list[str]:
    """URLs the page would fetch or link to outside itself: src/href/CSS url()/@import."""
    urls, _ = html_links_and_text(html)
    bad = [v for _, _, v in urls if re.match(r"^\s*(https?:)?//", v, re.I)]
    bad += re.findall(r"url\(\s*['\"]?\s*((?:https?:)?//[^)'\"]+)", html, re.I)
    bad += re.findall(r"@import\s+['\"]((?:https?:)?//[^'\"]+)", html, re.I)
    return bad


def pdf_pages_and_text(path) -> tuple[int, str]:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return len(reader.pages), re.sub(r"\s+", " ", text)


def docx_text(path) -> str:
    import docx

    d = docx.Document(str(path))
    parts = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            parts.append(" | ".join(c.text for c in row.cells))
    return re.sub(r"\s+", " ", "\n".join(parts))


def docx_tables(path) -> int:
    import docx

    return len(docx.Document(str(path)).tables)
