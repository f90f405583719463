"""Render determinism (issue 8 item 6): the same data render to the same bytes.

Both manuscripts are rendered twice, into two folders, each time with a fresh cache
folder and ``--no-cache`` (so the statistics, figures, kernel and converters all run
again), and the HTML, PDF and DOCX files are compared byte for byte. Dates come from
``SOURCE_DATE_EPOCH``; when it is unset the renderer pins it to the day (checked here
too: the PDF and DOCX creation dates and the printed date of run follow it).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = {"matsutani2021": ROOT / "data" / "reference" / "matsutani2021",
        "ferrucci2022": ROOT / "tests" / "ferrucci" / "data"}
FORMATS = ("html", "pdf", "docx")


def _render(study: str, out: Path, cache: Path, epoch: str | None) -> dict:
    env = dict(os.environ, DUPITAC_CACHE=str(cache))
    env.pop("SOURCE_DATE_EPOCH", None)
    if epoch is not None:
        env["SOURCE_DATE_EPOCH"] = epoch
    done = subprocess.run(
        [sys.executable, "-m", "analysis", "render", "--study", study, "--data",
         str(DATA[study]), "--engine", "builtin", "--out", str(out), "--no-cache", "--to",
         ",".join(FORMATS)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return {f: (out / f"{study}.{f}").read_bytes() for f in FORMATS}


@pytest.mark.parametrize("study", ["matsutani2021", "ferrucci2022"])
def test_two_renders_are_byte_identical(study, tmp_path):
    from analysis.fingerprint import code_fingerprint

    before = code_fingerprint.__wrapped__()
    first = _render(study, tmp_path / "a", tmp_path / "cache-a", None)
    second = _render(study, tmp_path / "b", tmp_path / "cache-b", None)
    if code_fingerprint.__wrapped__() != before:
        # the provenance appendix prints the code fingerprint
        pytest.skip("the package source changed during the test (shared work tree)")
    for fmt in FORMATS:
        assert first[fmt] == second[fmt], f"{study}.{fmt} differs between two renders"


def test_source_date_epoch_sets_every_date(tmp_path):
    """SOURCE_DATE_EPOCH = 2021-03-04 12:00 UTC: the PDF, DOCX and text carry that date."""
    from docx import Document
    from pypdf import PdfReader

    epoch = str(int(dt.datetime(2021, 3, 4, 12, 0, tzinfo=dt.timezone.utc).timestamp()))
    out = tmp_path / "out"
    files = _render("matsutani2021", out, tmp_path / "cache", epoch)
    assert b"2021-03-04" in files["html"]          # the date of run in the provenance table
    created = PdfReader(str(out / "matsutani2021.pdf")).metadata.get("/CreationDate", "")
    assert str(created).startswith("D:20210304"), created
    props = Document(str(out / "matsutani2021.docx")).core_properties
    assert props.created is not None and props.created.date() == dt.date(2021, 3, 4)
