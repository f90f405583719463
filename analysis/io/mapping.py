"""Mapping files (YAML) that describe non-contract exports: REDCap and ADaM.

The ``format:`` key chooses the reader (``redcap`` -> :mod:`analysis.io.redcap`,
``adam`` -> :mod:`analysis.io.adam`). File names inside a mapping are relative to
PATH when PATH is a folder, else to PATH's folder. Both formats are documented in
data/README.md.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from analysis.io.dataset import Dataset
from analysis.io.raw import fail, label


def read_mapping(path: Path) -> dict:
    """Parse a mapping YAML; refuse a missing, unparsable or non-mapping file."""
    source = label(path)
    if not path.is_file():
        fail("missing-file", "the mapping file does not exist", source, value=str(path))
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        # The construct that is broken starts at context_mark (an unclosed bracket ...).
        mark = getattr(err, "context_mark", None) or getattr(err, "problem_mark", None)
        line = getattr(mark, "line", None)
        reason = " ".join(str(getattr(err, "problem", None) or err).split())
        fail("mapping", f"the mapping file is not valid YAML: {reason}", source,
             row=None if line is None else line + 1)
    if not isinstance(spec, dict) or "format" not in spec:
        fail("mapping", "the mapping must be a YAML mapping with a 'format' key "
                        "(redcap or adam)", source)
    return spec


def check_keys(spec: dict, allowed: set, required: set, source: str, where: str = "") -> None:
    """Refuse unknown (misspelt) and missing keys of a mapping section."""
    for key in spec:
        if key not in allowed:
            fail("mapping", f"unknown key {key!r}{where}; allowed: {', '.join(sorted(allowed))}",
                 source, value=key)
    for key in sorted(required):
        if key not in spec:
            fail("mapping", f"missing key {key!r}{where}", source, value=key)


def section(spec: dict, key: str, source: str, default=None) -> dict:
    """A sub-mapping of ``spec`` (empty when absent); refuse a non-mapping value."""
    value = spec.get(key, default if default is not None else {})
    if value is None:
        return {}
    if not isinstance(value, dict):
        fail("mapping", f"{key!r} must be a mapping (key: value lines)", source, value=str(value))
    return value


def resolve(base: Path, name, source: str, what: str) -> Path:
    """Path of a file named in a mapping, relative to the dataset folder."""
    if not isinstance(name, str) or not name:
        fail("mapping", f"{what} must be a file name", source, value=str(name))
    path = Path(name)
    path = path if path.is_absolute() else base / path
    if not path.is_file():
        fail("missing-file", f"{what} {name!r} named in the mapping does not exist",
             source, value=str(name))
    return path


def recode(values: pd.Series, codes: dict, labels: dict | None = None) -> pd.Series:
    """Translate source codes to contract codes; unlisted values pass unchanged.

    ``labels`` (source code -> label, e.g. REDCap choices) lets ``codes`` be keyed by
    either the stored code or its label.

    Examples
    --------
    >>> recode(pd.Series(["1", "2", None]), {"Female": "F", "1": "M"}, {"2": "Female"}).tolist()
    ['M', 'F', None]
    """
    if not codes:
        return values
    table = {str(k).strip(): v for k, v in codes.items()}
    for code, text in (labels or {}).items():
        if code not in table and str(text).strip() in table:
            table[code] = table[str(text).strip()]
    text = values.map(_key, na_action="ignore")
    mapped = text.map(table)
    return mapped.where(text.isin(list(table)), values).where(values.notna(), None)


def _key(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def load_mapped(path: Path, mapping: Path) -> Dataset:
    """Read the export at ``path`` as the mapping file ``mapping`` describes."""
    spec = read_mapping(mapping)
    kind = str(spec.get("format", "")).strip().lower()
    if kind == "redcap":
        from analysis.io.redcap import load_redcap

        return load_redcap(path, spec, mapping)
    if kind == "adam":
        from analysis.io.adam import load_adam

        return load_adam(path, spec, mapping)
    fail("mapping", f"unknown format {spec.get('format')!r}: expected 'redcap' or 'adam'",
         label(mapping), column="format", value=str(spec.get("format")))
