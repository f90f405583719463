"""ARD cache and render-output cache: computed once, reused while nothing changes."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pandas as pd
import pytest

from analysis.results.ard import records
from analysis.results.cache import ard_key, cached_ard

DOCS = Path(__file__).parent / "docs"


def _ard(v=1.0):
    return records([{"study": "s", "analysis": "a", "statistic": "n", "value": v, "n": 3}])


def test_ard_computed_once_per_key(tmp_path):
    calls = []

    def compute():
        calls.append(1)
        return _ard()

    a, hit1 = cached_ard("hash1", "s", {"x": 1}, compute, directory=tmp_path)
    b, hit2 = cached_ard("hash1", "s", {"x": 1}, compute, directory=tmp_path)
    assert (hit1, hit2, len(calls)) == (False, True, 1)
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True),
                                  check_dtype=False)
    cached_ard("hash2", "s", {"x": 1}, compute, directory=tmp_path)   # other data
    cached_ard("hash1", "s", {"x": 2}, compute, directory=tmp_path)   # other options
    cached_ard("hash1", "t", {"x": 1}, compute, directory=tmp_path)   # other study
    assert len(calls) == 4


def test_key_covers_version_and_options():
    assert ard_key("h", "s", {"a": 1}) != ard_key("h", "s", {"a": 2})
    assert ard_key("h", "s", {}, version="0.1.0") != ard_key("h", "s", {}, version="0.2.0")
    assert ard_key("h", "s", {"a": 1, "b": 2}) == ard_key("h", "s", {"b": 2, "a": 1})


def test_torn_cache_file_is_recomputed(tmp_path):
    calls = []
    cached_ard("h", "s", None, lambda: calls.append(1) or _ard(), directory=tmp_path)
    for f in tmp_path.glob("*.parquet"):
        f.write_bytes(b"not parquet")
    _, hit = cached_ard("h", "s", None, lambda: calls.append(1) or _ard(2.0), directory=tmp_path)
    assert not hit and len(calls) == 2


def test_prepare_uses_the_dataset_content_hash(tmp_path, monkeypatch):
    """Same content in another file order/format -> same key -> no second run."""
    from analysis.report import manuscript as M
    from analysis.studies import get

    hand = Path(__file__).resolve().parents[2] / "tests" / "matsutani" / "data" / "hand"
    monkeypatch.setenv("DUPITAC_CACHE", str(tmp_path / "cache"))
    study = get("matsutani2021")
    calls = []
    real = study.run
    monkeypatch.setattr(study, "run", lambda ds, opts=None: calls.append(1) or real(ds, opts))
    copy = tmp_path / "copy"
    shutil.copytree(hand, copy)
    subj = pd.read_csv(copy / "subjects.csv", dtype=str, keep_default_na=False)
    subj.iloc[::-1].to_csv(copy / "subjects.csv", index=False)   # rows reversed
    first = M.prepare("matsutani2021", data=str(hand))
    second = M.prepare("matsutani2021", data=str(copy))
    assert len(calls) == 1 and not first.cache_hit and second.cache_hit
    assert first.data_hash == second.data_hash


def test_render_command_reuses_unchanged_outputs(tmp_path, monkeypatch, capsys):
    from analysis.cli import main
    from analysis.render import outcache

    monkeypatch.setenv("DUPITAC_CACHE", str(tmp_path / "cache"))
    # the shared work tree changes under us; pin the code part of the key for this test
    monkeypatch.setattr(outcache, "code_fingerprint", lambda: "pinned")
    args = ["render", "--file", str(DOCS / "small.qmd"), "--to", "html", "--out",
            str(tmp_path / "out"), "--engine", "builtin"]
    assert main(args) == 0
    first = (tmp_path / "out" / "small.html").read_bytes()
    t0 = time.perf_counter()
    assert main(args) == 0
    warm = time.perf_counter() - t0
    err = capsys.readouterr().err
    assert "reused" in err
    assert (tmp_path / "out" / "small.html").read_bytes() == first
    assert warm < 2.0
    # a changed parameter is a different render
    assert main(args + ["-P", "n=4"]) == 0
    assert (tmp_path / "out" / "small.html").read_bytes() != first


def test_quarto_engine_command_is_an_argv_list():
    from analysis.render import quarto

    cmd = quarto.command(Path("report/x.qmd"), "pdf", Path("/tmp/o"), {"data": "a b'c\nd"})
    assert cmd[1:4] == ["render", "report/x.qmd", "--to"] and cmd[4] == "typst"
    assert cmd[-2:] == ["-P", "data:a b'c\nd"]


@pytest.mark.skipif(shutil.which("quarto") is None, reason="quarto is not installed here")
def test_quarto_engine_renders_small_document(tmp_path):
    from analysis.render import render

    files = render(DOCS / "small.qmd", tmp_path, ["html"], params={"label": "q"},
                   engine="quarto")
    assert "The sum of the first 3 integers is 6" in files[0].read_text()
