"""Writing files so that a reader never sees half of one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from analysis.errors import OutputError


def write_text(path: Path | str, text: str) -> Path:
    """Write ``text`` to ``path`` via a temporary file in the same folder and ``os.replace``.

    An unwritable or full location raises :class:`OutputError` naming the path, and the
    previous file, if any, is left as it was.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "out" / "a.md"
    >>> write_text(p, "x\\n").read_text()
    'x\\n'
    """
    path = Path(path)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
        tmp = None
    except OSError as err:
        raise OutputError(str(path), err.strerror or str(err)) from err
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
    return path
