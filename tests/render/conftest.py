"""Shared fixtures for the render tests: one rendering of the small document, reused."""

from __future__ import annotations

from pathlib import Path

import pytest

DOCS = Path(__file__).parent / "docs"


@pytest.fixture(scope="session")
def small_outputs(tmp_path_factory):
    """The small test document rendered once in all three formats, with a hostile label."""
    from analysis.render.builtin import render

    out = tmp_path_factory.mktemp("small")
    label = "it's \"quoted\" \\ back\nnew line __import__('os').system('touch PWNED')"
    files = render(DOCS / "small.qmd", out, ["html", "pdf", "docx"], params={"label": label})
    return {f.suffix[1:]: f for f in files}, label
