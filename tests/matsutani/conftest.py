"""Fixtures: the hand-made Matsutani cohort (tests/matsutani/data/hand/*.csv)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.io.dataset import Dataset

HAND = Path(__file__).parent / "data" / "hand"


def read_hand(drop: tuple = ()) -> Dataset:
    """The hand cohort as a Dataset, read with plain pandas (no dependence on io)."""
    tables, sources = {}, {}
    for f in sorted(HAND.glob("*.csv")):
        if f.stem in drop:
            continue
        tables[f.stem] = pd.read_csv(f, dtype={"USUBJID": str})
        sources[f.stem] = str(f)
    return Dataset(tables=tables, sources=sources, name="hand")


@pytest.fixture(scope="module")
def hand() -> Dataset:
    return read_hand()


@pytest.fixture(scope="module")
def hand_ard(hand):
    from analysis.studies import matsutani2021

    return matsutani2021.run(hand)
