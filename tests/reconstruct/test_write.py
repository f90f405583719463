"""Deterministic CSV writer and the synthesize command's refusals."""

import hashlib

import numpy as np
import pandas as pd
import pytest

from analysis.cli import main as cli
from analysis.io import load_dataset
from analysis.io.dataset import Dataset
from analysis.paths import reference_dir
from analysis.reconstruct.write import table_csv, write_dataset


def test_fixed_text_forms_hand_written():
    df = pd.DataFrame({"USUBJID": ["b", "a", "c"], "SEX": ["F", None, "M"],
                       "AGE": [40.0, 31.5, np.nan], "NOTE": ["x,y", 'q"r', "plain"]})
    # sorted by USUBJID; whole floats without ".0"; missing = empty; CSV quoting (RFC 4180)
    assert table_csv("subjects", df) == (b'USUBJID,SEX,AGE,NOTE\n'
                                         b'a,,31.5,"q""r"\n'
                                         b'b,F,40,"x,y"\n'
                                         b'c,M,,plain\n')


def test_categorical_and_plain_columns_write_the_same_bytes():
    ids = ["P-2", "P-1", "P-2"]
    plain = pd.DataFrame({"USUBJID": ids, "PARAMCD": "EASI", "AVISIT": ["BASELINE", "BASELINE", "WEEK 4"],
                          "AVAL": [1.5, 2.0, 0.1 + 0.2]})
    cat = plain.assign(USUBJID=pd.Categorical(ids), AVISIT=pd.Categorical(plain["AVISIT"]))
    assert table_csv("measurements", plain) == table_csv("measurements", cat)
    # shortest round-trip text of 0.1 + 0.2 (Python repr) and AVISITN derived
    assert b"P-2,EASI,WEEK 4,4,0.30000000000000004\n" in table_csv("measurements", plain)


def test_reference_round_trips_byte_for_byte(tmp_path):
    ref = reference_dir("ferrucci2022")
    ds = load_dataset(ref)
    write_dataset(ds, tmp_path / "again", study="ferrucci2022")
    for name in ("subjects.csv", "measurements.csv", "topicals.csv", "tte.csv"):
        a = hashlib.sha256((ref / name).read_bytes()).hexdigest()
        b = hashlib.sha256((tmp_path / "again" / name).read_bytes()).hexdigest()
        assert a == b, name


def test_write_replaces_folder_atomically(tmp_path):
    out = tmp_path / "cohort"
    out.mkdir()
    (out / "stale.csv").write_text("old")
    ds = Dataset({"subjects": pd.DataFrame({"USUBJID": ["1"], "SEX": ["F"], "AGE": [30.0]})})
    write_dataset(ds, out, study="demo", seed=3)
    assert sorted(p.name for p in out.iterdir()) == ["README.md", "subjects.csv"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left


@pytest.mark.parametrize("argv", [
    ["synthesize", "--study", "ferrucci2022", "--reference", "--n", "10"],
    ["synthesize", "--study", "ferrucci2022", "--n", "100"],             # no --out
    ["synthesize", "--study", "ferrucci2022", "--n", "0", "--out", "x"],
])
def test_synthesize_refuses_bad_options(argv, capsys):
    assert cli(argv) == 2
    assert "dupitac:" in capsys.readouterr().err


def test_synthesize_any_size(tmp_path):
    out = tmp_path / "small"
    assert cli(["synthesize", "--study", "ferrucci2022", "--n", "120", "--seed", "3",
                "--out", str(out), "--quiet"]) == 0
    ds = load_dataset(out)
    assert ds.n_subjects() == 120 and ds.synthetic
    assert "120 patients, not tuned" in (out / "README.md").read_text()


def test_matsutani_readme_says_how_the_cohort_was_made(tmp_path):
    # The study module's account (NOTE) reaches the committed README, and a cohort of
    # another size says which numbers were checked at that size.
    from analysis.reconstruct import matsutani2021

    committed = (reference_dir("matsutani2021") / "README.md").read_text()
    assert matsutani2021.NOTE.strip() in committed
    out = tmp_path / "m300"
    assert cli(["synthesize", "--study", "matsutani2021", "--n", "300", "--seed", "2",
                "--out", str(out), "--quiet"]) == 0
    text = (out / "README.md").read_text()
    assert matsutani2021.NOTE.strip() in text and "Size: 300 starters" in text


def test_matsutani_draws_that_never_reproduce_fail_naming_the_records(monkeypatch):
    # Every candidate loses its herpes simplex events: verify sees the printed
    # "3/40" (TAC_TCS) missed in each draw, and the build refuses, naming it.
    from analysis.reconstruct import matsutani2021
    from analysis.reconstruct.goals import TargetsMissed

    draw = matsutani2021._candidate

    def without_herpes(*args):
        ds = draw(*args)
        ev = ds.tables["events"]
        ds.tables["events"] = ev[ev["AEDECOD"] != "HERPES SIMPLEX"].reset_index(drop=True)
        return ds

    monkeypatch.setattr(matsutani2021, "_candidate", without_herpes)
    monkeypatch.setattr(matsutani2021, "MAX_ATTEMPTS", 2)
    with pytest.raises(TargetsMissed) as err:
        matsutani2021.build(seed=1)
    assert "in 2 draws" in str(err.value)
    assert err.value.missed["sum_herpes_tac_tcs_pct"][0] == "7.5"
    assert "sum_herpes_tac_tcs_pct (printed 7.5, reached 0)" in str(err.value)
