"""``dupitac validate``: exit codes, text and JSON reports, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from analysis.cli import main

DATA = Path(__file__).parent / "data"


def test_good_dataset_exits_0(capsys):
    assert main(["validate", str(DATA / "good" / "csv")]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last == "csv: valid - 0 error(s), 0 warning(s), 0 note(s)"


def test_json_report(capsys):
    assert main(["validate", str(DATA / "good" / "csv"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True and report["n_errors"] == 0 and report["problems"] == []


def test_redcap_with_mapping_exits_0(capsys):
    folder = DATA / "good" / "redcap"
    assert main(["validate", str(folder / "records.csv"), "--mapping",
                 str(folder / "mapping.yaml")]) == 0
    assert "valid" in capsys.readouterr().out


def test_warnings_alone_do_not_fail(tmp_path, capsys):
    # "002é" in Latin-1: byte 0xE9 is not UTF-8 -> Latin-1 fallback, a warning only.
    (tmp_path / "subjects.csv").write_bytes(b"USUBJID,SEX,AGE\n001,F,34\n002\xe9,M,40\n")
    (tmp_path / "measurements.csv").write_text("USUBJID,PARAMCD,AVISIT,AVAL\n001,EASI,BASELINE,3\n")
    assert main(["validate", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Warnings (1):" in out and "encoding-latin1" in out


def test_missing_path_exits_2(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "nowhere"), "--json"]) == 2
    [problem] = json.loads(capsys.readouterr().out)["problems"]
    assert problem["rule"] == "missing-file"


def test_limit_option_caps_listing(tmp_path, capsys):
    rows = "".join(f"001,EASI,WEEK {i},99\n" for i in range(30))
    (tmp_path / "subjects.csv").write_text("USUBJID,SEX,AGE\n001,F,34\n")
    (tmp_path / "measurements.csv").write_text("USUBJID,PARAMCD,AVISIT,AVAL\n" + rows)
    assert main(["validate", str(tmp_path), "--limit", "5"]) == 2
    out = capsys.readouterr().out
    assert out.count("EASI must be between 0 and 72") == 5
    assert "... and 25 more (30 in all)" in out
    assert "30 error(s)" in out


def test_console_entry_point_gives_no_traceback():
    # A real process: corrupt input must give the problem and status 2, not a traceback.
    case = DATA / "bad" / "truncated-parquet"
    run = subprocess.run([sys.executable, "-m", "analysis", "validate", str(case)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr + run.stdout
    assert "unreadable" in run.stdout and "measurements.parquet" in run.stdout
