"""One module per study: which populations, analyses and options. No arithmetic here.

Each study module exposes::

    STUDY_ID: str
    TITLE: str
    REQUIRED_TABLES: tuple[str, ...]
    OPTIONAL_PARAMS: dict       # PARAMCD -> analyses that need it
    def run(dataset: Dataset, options: dict | None = None) -> pd.DataFrame  # the ARD
    def figures(ard: pd.DataFrame, dataset: Dataset, out_dir) -> list[Path]
"""

from __future__ import annotations

import importlib
from types import ModuleType

from analysis.paths import STUDIES


def get(study: str) -> ModuleType:
    if study not in STUDIES:
        raise KeyError(f"unknown study {study!r}; known: {', '.join(STUDIES)}")
    return importlib.import_module(f"analysis.studies.{study}")
