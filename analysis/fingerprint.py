"""A fingerprint of the package's own source, for cache keys.

Kept free of heavy imports (no pandas): the render cache computes it on every
``dupitac render``, also when nothing needs re-rendering.

Examples
--------
>>> len(code_fingerprint())
64
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """SHA-256 over the package's ``.py`` files (what computes the ARD and the documents)."""
    pkg = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for f in sorted(pkg.rglob("*.py")):
        h.update(str(f.relative_to(pkg.parent)).encode())
        h.update(f.read_bytes())
    return h.hexdigest()
