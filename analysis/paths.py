"""Where the compendium's own files live.

The package is installed editable from the repository, so data, targets and reports
are found relative to it. ``DUPITAC_ROOT`` overrides the root (used by tests).
"""

from __future__ import annotations

import os
from pathlib import Path

STUDIES = ("ferrucci2022", "matsutani2021")


def root() -> Path:
    env = os.environ.get("DUPITAC_ROOT")
    return Path(env) if env else Path(__file__).resolve().parents[1]


def targets_dir() -> Path:
    return root() / "data" / "targets"


def reference_dir(study: str) -> Path:
    return root() / "data" / "reference" / study


def report_dir() -> Path:
    return root() / "report"


def cache_dir() -> Path:
    env = os.environ.get("DUPITAC_CACHE")
    return Path(env) if env else root() / ".dupitac-cache"


def papers_dir() -> Path:
    return root().parent / "shared" / "papers"
