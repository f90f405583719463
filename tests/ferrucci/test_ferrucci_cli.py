"""`dupitac run --study ferrucci2022 --data tests/ferrucci/data` end to end."""

from pathlib import Path

import pandas as pd
import pytest

DATA = Path(__file__).parent / "data"


def test_run_writes_ard_and_figures(tmp_path):
    pytest.importorskip("analysis.schema")
    from analysis import schema

    if not hasattr(schema, "validate_or_raise"):
        pytest.skip("analysis.schema.validate_or_raise is not built yet (issue 2)")
    from analysis.cli import main

    assert main(["run", "--study", "ferrucci2022", "--data", str(DATA), "--out", str(tmp_path)]) == 0
    ard = pd.read_parquet(tmp_path / "ferrucci2022.parquet")
    csv = pd.read_csv(tmp_path / "ferrucci2022.csv", keep_default_na=False)
    assert len(ard) == len(csv) > 500
    assert ((ard["analysis"] == "flow") & (ard["variable"] == "ENROLLED")).sum() == 1
    assert (tmp_path / "ferrucci2022_figures" / "ferrucci2022_figure1_easi_bands.png").exists()
