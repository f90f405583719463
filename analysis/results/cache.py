"""The ARD cache: statistics run once per (data, study, options, code).

Key = SHA-256 of the dataset's content hash (:meth:`Dataset.content_hash`, independent
of file format and row order), the study id, its options (JSON, sorted keys), the
package version and a fingerprint of the package's own source (so a code change
during development is never served a stale ARD). Entries are Parquet files under
``paths.cache_dir()/ard``, written to a temporary file and moved into place.

Examples
--------
>>> from analysis.results.ard import records
>>> calls = []
>>> def compute():
...     calls.append(1)
...     return records([{"study": "s", "analysis": "a", "statistic": "n", "value": 1.0}])
>>> import tempfile; d = tempfile.mkdtemp()
>>> _ = cached_ard("abc", "s", {}, compute, directory=d)
>>> _, hit = cached_ard("abc", "s", {}, compute, directory=d)
>>> hit, len(calls)
(True, 1)
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from typing import TYPE_CHECKING

from analysis import __version__
from analysis.fingerprint import code_fingerprint  # noqa: F401  (re-exported)
from analysis.paths import cache_dir

if TYPE_CHECKING:  # pandas is imported when a frame is read or written, not on import:
    import pandas as pd  # the render cache only needs code_fingerprint, and fast


def ard_key(content_hash: str, study: str, options: dict | None = None,
            version: str = __version__) -> str:
    payload = json.dumps({"data": content_hash, "study": study, "options": options or {},
                          "version": version, "code": code_fingerprint()},
                         sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def _read(path: Path, columns=None) -> pd.DataFrame | None:
    import pandas as pd

    from analysis.results.ard import ARD_COLUMNS

    try:
        df = pd.read_parquet(path)
    except Exception:  # a torn or foreign file is a miss, never an error
        return None
    if columns is not None and list(df.columns) != list(columns):
        return None
    if "n" in df.columns and columns == ARD_COLUMNS:
        df["n"] = df["n"].astype("Int64")
    return df


def _write(df: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".ard-", suffix=".parquet")
    os.close(fd)
    try:
        df.to_parquet(tmp, index=False)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def cached_ard(content_hash: str, study: str, options: dict | None, compute,
               directory=None) -> tuple[pd.DataFrame, bool]:
    """Return (ARD, cache hit?); ``compute()`` runs only on a miss.

    An unwritable cache folder is not an error: the ARD is computed and returned.
    """
    from analysis.results.ard import ARD_COLUMNS

    folder = Path(directory) if directory is not None else cache_dir() / "ard"
    path = folder / f"{study}-{ard_key(content_hash, study, options)}.parquet"
    return cached_frame(path, compute, ARD_COLUMNS)


def cached_frame(path: Path, compute, columns=None) -> tuple[pd.DataFrame, bool]:
    """A frame stored at ``path`` (Parquet), computed by ``compute()`` when absent or torn.

    Used for the ARD, and by the documents for what they derive from it (with the ARD
    key in ``path``).
    """
    path = Path(path)
    if path.is_file():
        df = _read(path, columns)
        if df is not None:
            return df, True
    df = compute()
    try:
        _write(df, path)
    except OSError:
        pass
    return df, False
