"""verify: every record gets a status; not built is counted, never passed; CLI exit codes."""

import json

import pandas as pd
import pytest

from analysis.cli import main
from analysis.results.ard import write
from analysis.targets.catalogue import load_catalogue
from analysis.targets.scorecard import scorecard_json, scorecard_markdown
from analysis.targets.verify import status_counts, summary_line, verify_study

from .demo import CATALOGUE, ard_rows, write_catalogue


@pytest.fixture
def cat(tmp_path):
    return load_catalogue(write_catalogue(tmp_path, CATALOGUE))


def test_statuses(cat):
    card = verify_study("demo", ard_rows(), cat).set_index("id")
    assert card.loc["n_all", "status"] == "reproduced"
    assert card.loc["mean_score", "status"] == "reproduced"          # 2.25 -> 2.3 half-up
    assert card.loc["mean_score", "rule"] == "half-up"
    assert card.loc["mean_score", "rebuilt"] == "2.3"
    assert card.loc["mean_score", "rebuilt_full"] == "2.25"
    assert card.loc["p_change", "status"] == "reproduced"
    assert card.loc["hr_ci", "status"] == "reproduced"
    assert card.loc["hr_ci", "rebuilt"] == "0.94\u20130.99"
    assert card.loc["wrong_pct", "status"] == "mismatch"             # 55.0 vs 47.9
    assert card.loc["missing_one", "status"] == "not built"
    assert "no ARD row" in card.loc["missing_one", "reason"]
    assert status_counts(card.reset_index()) == {
        "reproduced": 5, "mismatch": 1, "inconsistent-in-source": 0, "not built": 1}
    assert summary_line("demo", card.reset_index()) == (
        "demo: 5 reproduced, 1 mismatch, 0 inconsistent-in-source, 1 not built")


def test_nothing_built_is_never_passed(cat):
    card = verify_study("demo", None, cat, not_built_reason="no reference data")
    assert set(card["status"]) == {"not built"}
    assert set(card["reason"]) == {"no reference data"}


def test_ambiguous_and_nan_selectors_are_not_built(cat):
    ard = ard_rows(**{"mean:S": float("nan")})
    ard = pd.concat([ard, ard_rows().iloc[[0]]], ignore_index=True)   # n_all twice
    card = verify_study("demo", ard, cat).set_index("id")
    assert card.loc["mean_score", "status"] == "not built"
    assert "NaN" in card.loc["mean_score", "reason"]
    assert card.loc["n_all", "status"] == "not built"
    assert "2 ARD rows" in card.loc["n_all", "reason"]


def test_other_study_rows_do_not_match(cat):
    ard = ard_rows()
    ard["study"] = "other"
    assert set(verify_study("demo", ard, cat)["status"]) == {"not built"}


def test_excused_record_shows_comparison_but_is_not_a_mismatch(tmp_path):
    text = CATALOGUE.replace(
        "    kind: percent\n    selector: {analysis: demo, variable: SEX=M",
        "    kind: percent\n    status: inconsistent-in-source\n    finding: AUD-DEM-001\n"
        "    policy: the count is honoured\n    selector: {analysis: demo, variable: SEX=M")
    cat = load_catalogue(write_catalogue(tmp_path, text))
    card = verify_study("demo", ard_rows(), cat).set_index("id")
    assert card.loc["wrong_pct", "status"] == "inconsistent-in-source"
    assert card.loc["wrong_pct", "reason"] == "compared: mismatch"
    assert card.loc["wrong_pct", "finding"] == "AUD-DEM-001"


def test_markdown_and_json(cat):
    card = verify_study("demo", ard_rows(), cat)
    md = scorecard_markdown(card)
    assert md.startswith("**demo: 5 reproduced, 1 mismatch")
    assert md.count("\n| ") == len(card) + 1          # header + one row per record
    doc = json.loads(scorecard_json(card))
    assert doc["summary"]["demo"]["not built"] == 1
    assert {r["id"] for r in doc["records"]} == set(card["id"])


def _run_cli(demo_root, capsys, *args):
    code = main(["verify", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_with_ard_file(demo_root, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("analysis.commands.verify.STUDIES", ("demo",))
    ard = ard_rows(**{"percent:SEX=M": 47.91})     # now every built record reproduces
    write(ard, tmp_path / "ard", "demo")
    code, out, err = _run_cli(demo_root, capsys, "--study", "demo", "--ard",
                              str(tmp_path / "ard" / "demo.csv"), "--format", "json")
    assert code == 0, err                          # not built alone does not fail ...
    assert json.loads(out)["summary"]["demo"]["not built"] == 1
    assert "not built (1): missing_one" in err
    code, _, _ = _run_cli(demo_root, capsys, "--study", "demo", "--ard",
                          str(tmp_path / "ard" / "demo.parquet"), "--strict")
    assert code == 1                               # ... unless --strict


def test_cli_mismatch_exits_1_and_writes_out(demo_root, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("analysis.commands.verify.STUDIES", ("demo",))
    write(ard_rows(), tmp_path / "ard", "demo")
    out_file = tmp_path / "card.md"
    code, _, err = _run_cli(demo_root, capsys, "--study", "demo", "--ard",
                            str(tmp_path / "ard" / "demo.csv"), "--format", "markdown",
                            "--out", str(out_file))
    assert code == 1
    assert "demo: 5 reproduced, 1 mismatch, 0 inconsistent-in-source, 1 not built" in err
    assert "| wrong_pct |" in out_file.read_text()


def test_cli_missing_reference_data_lists_not_built(demo_root, capsys, monkeypatch):
    monkeypatch.setattr("analysis.commands.verify.STUDIES", ("demo",))
    code, out, err = _run_cli(demo_root, capsys, "--study", "demo", "--format", "markdown")
    assert code == 0
    assert "nothing rebuilt: no reference data" in err
    assert "0 reproduced, 0 mismatch, 0 inconsistent-in-source, 7 not built" in out


def test_cli_bad_ard_file_is_exit_2(demo_root, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("analysis.commands.verify.STUDIES", ("demo",))
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    code, _, err = _run_cli(demo_root, capsys, "--study", "demo", "--ard", str(bad))
    assert code == 2 and "ARD lacks column" in err


def test_cli_data_needs_study(capsys):
    code = main(["verify", "--data", "somewhere"])
    assert code == 2


def test_cli_refuses_an_excuse_without_a_finding(demo_root, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("analysis.commands.verify.STUDIES", ("demo",))
    path = demo_root / "data" / "targets" / "demo.yaml"
    path.write_text(CATALOGUE.replace(
        "    kind: percent\n    selector: {analysis: demo, variable: SEX=M",
        "    kind: percent\n    status: inconsistent-in-source\n    finding: AUD-DEM-001\n"
        "    policy: the count is honoured\n    selector: {analysis: demo, variable: SEX=M"))
    write(ard_rows(), tmp_path / "ard", "demo")
    code, _, err = _run_cli(demo_root, capsys, "--study", "demo", "--ard",
                            str(tmp_path / "ard" / "demo.csv"))
    assert code == 1
    assert "wrong_pct: finding 'AUD-DEM-001' does not exist" in err
