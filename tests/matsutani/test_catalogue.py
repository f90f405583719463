"""Every record of data/targets/matsutani2021.yaml has a selector that finds exactly
one ARD row when the study runs on a complete dataset (the hand cohort)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from analysis.results.ard import select

CATALOGUE = Path(__file__).resolve().parents[2] / "data" / "targets" / "matsutani2021.yaml"
COORDS = ("analysis", "variable", "group", "visit", "statistic")


def _records():
    return yaml.safe_load(CATALOGUE.read_text())["records"]


def _selectors(record):
    sel = record["selector"]
    return [sel["lower"], sel["upper"]] if "lower" in sel else [sel]


def test_catalogue_has_required_fields():
    doc = yaml.safe_load(CATALOGUE.read_text())
    assert doc["study"] == "matsutani2021"
    ids = [r["id"] for r in doc["records"]] + [r["id"] for r in doc["inputs"]]
    assert len(ids) == len(set(ids))
    for r in doc["records"]:
        for field in ("where", "measures", "value", "decimals", "comparator", "kind", "selector"):
            assert field in r, (r["id"], field)
        assert isinstance(r["value"], str)
        assert r["comparator"] in ("=", "<", ">")


@pytest.mark.parametrize("record", _records(), ids=lambda r: r["id"])
def test_selector_finds_one_row(hand_ard, record):
    for sel in _selectors(record):
        coords = {c: str(sel.get(c, "")) for c in COORDS}
        assert len(select(hand_ard, **coords)) == 1, coords
