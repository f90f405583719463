"""Read which render (by its ``label`` parameter) wrote each output of the fault document."""

from __future__ import annotations

import re


def label_of(path) -> str:
    """The label printed in ``slow.html``/``.pdf``/``.docx`` ('' if none can be read)."""
    path = str(path)
    if path.endswith(".html"):
        with open(path, encoding="utf-8") as fh:
            text = re.sub(r"<[^>]+>", " ", fh.read())
    elif path.endswith(".pdf"):
        from pypdf import PdfReader

        text = "\n".join(p.extract_text() or "" for p in PdfReader(path).pages[:1])
    else:
        import docx

        text = "\n".join(p.text for p in docx.Document(path).paragraphs)
    found = re.findall(r"The label of this render is\W+(\w+)", text)
    return found[0] if found else ""
