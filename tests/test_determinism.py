"""Determinism: the same data give byte-identical ARD files; the same seed, identical cohorts.

Each run is a separate ``dupitac`` process with a different ``PYTHONHASHSEED``, so
anything that leans on set or dict-of-str iteration order (which the hash seed
changes between processes) shows up as a byte difference. Data: the committed
reference cohort ``data/reference/<study>/`` when there is one; otherwise the
study's hand-worked test cohort (``tests/<study>/data``), and failing that a small
cohort from ``dupitac synthesize``.
"""

from __future__ import annotations

import filecmp
import os
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.paths import STUDIES, reference_dir

ROOT = Path(__file__).resolve().parents[1]
HAND_COHORTS = {"ferrucci2022": ROOT / "tests" / "ferrucci" / "data",
                "matsutani2021": ROOT / "tests" / "matsutani" / "data"}

pytestmark = pytest.mark.slow


def dupitac(*args: str, hash_seed: int, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONHASHSEED": str(hash_seed), "MPLBACKEND": "Agg"}
    proc = subprocess.run([sys.executable, "-m", "analysis", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, f"dupitac {' '.join(args)} failed:\n{proc.stderr[-3000:]}"
    return proc


def files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def assert_same_tree(a: Path, b: Path, pattern: str = "*") -> list[str]:
    names = [n for n in files(a) if Path(n).match(pattern)]
    assert names, f"nothing matching {pattern} in {a}"
    assert names == [n for n in files(b) if Path(n).match(pattern)]
    differ = [n for n in names if not filecmp.cmp(a / n, b / n, shallow=False)]
    assert not differ, f"files differ between two runs on the same input: {differ}"
    return names


def _has_reference(study: str) -> bool:
    return (reference_dir(study) / "subjects.csv").exists()


def _synthesizer(study: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(f"analysis.reconstruct.{study}") is not None


@pytest.fixture(scope="module", params=STUDIES)
def study_input(request, tmp_path_factory):
    study = request.param
    if _has_reference(study):
        return study, reference_dir(study)
    hand = HAND_COHORTS.get(study)
    if hand is not None and (hand / "subjects.csv").exists():
        return study, hand
    if _synthesizer(study):
        out = tmp_path_factory.mktemp(f"{study}-synth") / "data"
        dupitac("synthesize", "--study", study, "--n", "300", "--seed", "11", "--out", str(out),
                "--quiet", hash_seed=0, cwd=ROOT)
        return study, out
    pytest.skip(f"{study}: no reference cohort, hand cohort or synthesizer yet")


@pytest.fixture(scope="module")
def two_runs(study_input, tmp_path_factory):
    study, data = study_input
    outs = []
    for hash_seed in (1, 2):
        out = tmp_path_factory.mktemp(f"{study}-run{hash_seed}")
        dupitac("run", "--study", study, "--data", str(data), "--out", str(out),
                hash_seed=hash_seed, cwd=ROOT)
        outs.append(out)
    return study, outs


def test_ard_parquet_and_csv_are_byte_identical(two_runs):
    study, (a, b) = two_runs
    names = assert_same_tree(a, b, f"{study}.*")
    assert {f"{study}.parquet", f"{study}.csv"} <= set(names), names


def test_ard_is_not_empty_and_parquet_matches_csv(two_runs):
    """Guard against a vacuous pass: both files hold the same, non-trivial ARD."""
    import pandas as pd

    study, (a, _) = two_runs
    pq = pd.read_parquet(a / f"{study}.parquet")
    csv = pd.read_csv(a / f"{study}.csv", keep_default_na=False, dtype=str)
    assert len(pq) == len(csv) > 20
    assert list(pq.columns) == list(csv.columns)
    assert (pq["study"] == study).all()


def test_figures_are_byte_identical(two_runs):
    study, (a, b) = two_runs
    if not (a / f"{study}_figures").is_dir():
        pytest.skip(f"{study}: run writes no figures")
    assert_same_tree(a / f"{study}_figures", b / f"{study}_figures")


@pytest.mark.parametrize("study", [s for s in STUDIES if _synthesizer(s)])
def test_synthesize_same_seed_same_files(study, tmp_path):
    # The same --out both times: the cohort's README records the command, path included.
    out, first = tmp_path / "cohort", tmp_path / "first"
    for hash_seed in (3, 4):
        dupitac("synthesize", "--study", study, "--n", "250", "--seed", "7", "--out", str(out),
                "--quiet", hash_seed=hash_seed, cwd=ROOT)
        if not first.exists():
            out.rename(first)
    names = assert_same_tree(first, out)
    assert "subjects.csv" in names


@pytest.mark.parametrize("study", [s for s in STUDIES if _synthesizer(s)])
def test_synthesize_other_seed_other_patients(study, tmp_path):
    """The seed matters (so the identity above is not a constant output)."""
    for seed in (7, 8):
        dupitac("synthesize", "--study", study, "--n", "250", "--seed", str(seed), "--out",
                str(tmp_path / f"s{seed}"), "--quiet", hash_seed=0, cwd=ROOT)
    assert not filecmp.cmp(tmp_path / "s7" / "measurements.csv",
                           tmp_path / "s8" / "measurements.csv", shallow=False)
