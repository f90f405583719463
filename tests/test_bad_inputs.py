"""The bad-input corpus: every case names its exact rule, exits 2, and writes nothing.

Each folder of tests/data/bad/ holds the input files and an ``expected.yaml``
written by hand from the file's content (the row is the line a spreadsheet shows,
header = row 1): rule, file, row, column, value. The test asserts that a problem
with exactly these coordinates is reported, that ``dupitac validate`` exits with
status 2, and that no file in the case folder was created or changed.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import pytest
import yaml

from analysis.cli import main

BAD = Path(__file__).parent / "data" / "bad"
CASES = sorted(p.name for p in BAD.iterdir() if (p / "expected.yaml").is_file())


def snapshot(folder: Path) -> dict:
    return {str(p.relative_to(folder)): (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
            for p in sorted(folder.rglob("*")) if p.is_file()}


def same_value(found, expected) -> bool:
    if expected is None:
        return found is None
    if isinstance(expected, (int, float)) and not isinstance(expected, bool):
        try:
            return math.isclose(float(found), float(expected))
        except (TypeError, ValueError):
            return False
    return str(found) == str(expected)


def test_corpus_is_large_enough():
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", CASES)
def test_bad_case(case, capsys, tmp_path):
    folder = BAD / case
    expected = yaml.safe_load((folder / "expected.yaml").read_text())
    before = snapshot(folder)
    argv = ["validate", str(folder / expected.get("path", ".")), "--json"]
    if expected.get("mapping"):
        argv += ["--mapping", str(folder / expected["mapping"])]
    status = main(argv)
    report = json.loads(capsys.readouterr().out)
    assert status == 2, report
    assert not report["ok"]
    matches = [p for p in report["problems"]
               if p["rule"] == expected["rule"] and p["file"] == expected["file"]
               and p["row"] == expected.get("row") and p["column"] == expected.get("column")
               and same_value(p["value"], expected.get("value"))]
    assert matches, (expected, report["problems"])
    assert matches[0]["severity"] == "error"
    assert snapshot(folder) == before, "validate created or changed a file in the case folder"
    assert list(tmp_path.iterdir()) == []


def test_plain_text_report_names_rule_and_row(capsys):
    status = main(["validate", str(BAD / "easi-80")])
    out = capsys.readouterr().out
    assert status == 2
    assert "range" in out and "measurements.csv, row 3, column AVAL" in out
    assert "INVALID" in out.splitlines()[-1]
