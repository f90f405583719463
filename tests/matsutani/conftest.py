"""Fixtures: the hand-made Matsutani cohort (tests/matsutani/data/hand/*.csv)."""

from __future__ import annotations

import pytest

from analysis.io.dataset import Dataset
from cohort_csv import read_hand


@pytest.fixture(scope="module")
def hand() -> Dataset:
    return read_hand()


@pytest.fixture(scope="module")
def hand_ard(hand):
    from analysis.studies import matsutani2021

    return matsutani2021.run(hand)
