"""The hand-made test cohorts, read with plain pandas (independent of ``analysis.io``).

Test modules import these by this module's unique name (``from cohort_csv import ...``):
``tests/conftest.py`` puts ``tests/`` on ``sys.path``. Importing from a ``conftest`` by
name broke when two folders' conftests were collected in one run.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.io.dataset import Dataset

TESTS = Path(__file__).parent
MATSUTANI_HAND = TESTS / "matsutani" / "data" / "hand"
FERRUCCI_HAND = TESTS / "ferrucci" / "data"


def read_csv_folder(folder: Path, name: str, drop: tuple = ()) -> Dataset:
    tables, sources = {}, {}
    for f in sorted(folder.glob("*.csv")):
        if f.stem in drop:
            continue
        tables[f.stem] = pd.read_csv(f, dtype={"USUBJID": str})
        sources[f.stem] = str(f)
    return Dataset(tables=tables, sources=sources, name=name)


def read_hand(drop: tuple = ()) -> Dataset:
    """The 10-patient Matsutani hand cohort (tests/matsutani/data/hand)."""
    return read_csv_folder(MATSUTANI_HAND, "hand", drop)


def read_cohort(drop: tuple = ()) -> Dataset:
    """The 14-patient Ferrucci hand cohort (tests/ferrucci/data; design in its conftest)."""
    return read_csv_folder(FERRUCCI_HAND, "ferrucci-hand", drop)
