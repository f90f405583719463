"""Where a render writes before its outputs are moved into place, and how it moves them.

A render writes everything into its own staging folder inside the output folder
(``.dupitac-render-<pid>-<random>``), so the final :func:`os.replace` stays on one file
system and is atomic for each file. Three faults are handled here:

* *Interrupted renders* (``kill -9`` at any point) leave their staging folder behind and
  never touch the outputs. The next render into the same folder removes staging folders
  whose process is gone (:func:`clean_stale`).
* *Concurrent renders* into one folder each stage separately; the moves into place run
  under an exclusive lock on the output folder
  (:func:`output_lock`), so the files of one document (HTML, PDF, DOCX) all come from the
  same render, never half from one and half from the other.
* *Unwritable or full* output locations raise :class:`analysis.errors.OutputError` naming
  the path and the reason (:func:`output_error`), which the CLI prints with exit 2.

Test hook: when ``DUPITAC_RENDER_PHASE_FILE`` names a file, each phase of a render
appends one line ``<pid> <phase>`` to it (:func:`phase`), so a fault test can wait for
a phase and kill the process there instead of sleeping blindly.

Examples
--------
>>> _owner(".dupitac-render-123-abcd"), _owner(".dupitac-copy-77-x.html"), _owner("x")
(123, 77, None)
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

from analysis.errors import OutputError

PHASE_ENV = "DUPITAC_RENDER_PHASE_FILE"
STAGE_PREFIX = ".dupitac-render-"
COPY_PREFIX = ".dupitac-copy-"
_OWNER = re.compile(r"^\.dupitac-(?:render|copy)-(\d+)-")


def phase(name: str) -> None:
    """Record that the render enters ``name`` (only when the test hook is set)."""
    target = os.environ.get(PHASE_ENV)
    if not target:
        return
    with open(target, "a", encoding="utf-8") as fh:
        fh.write(f"{os.getpid()} {name} {time.monotonic():.3f}\n")
        fh.flush()


def output_error(path, err: OSError) -> OutputError:
    """An OutputError naming ``path`` and the system's reason (e.g. no space left)."""
    reason = err.strerror or str(err)
    if err.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        reason += " (the output location is not writable)"
    elif err.errno in (errno.ENOSPC, errno.EDQUOT):
        reason += " (the output location is full)"
    return OutputError(str(err.filename or path), reason)


def _owner(name: str) -> int | None:
    m = _OWNER.match(name)
    return int(m.group(1)) if m else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale(outdir: Path) -> list[Path]:
    """Remove staging folders and copy files left by renders whose process is gone."""
    removed = []
    try:
        entries = list(os.scandir(outdir))
    except OSError:
        return removed
    for entry in entries:
        pid = _owner(entry.name)
        if pid is None or pid == os.getpid() or _alive(pid):
            continue  # not ours to remove: a foreign file, our own, or a live render's
        path = Path(entry.path)
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(path)
            else:
                path.unlink()
            removed.append(path)
        except OSError:
            pass  # another render cleaned it first, or the folder is read-only
    return removed


def make_stage(outdir: Path) -> Path:
    """A fresh staging folder in ``outdir`` (created if needed); stale ones are removed."""
    try:
        outdir.mkdir(parents=True, exist_ok=True)
        clean_stale(outdir)
        return Path(tempfile.mkdtemp(prefix=f"{STAGE_PREFIX}{os.getpid()}-", dir=outdir))
    except OSError as err:
        raise output_error(outdir, err) from None


@contextlib.contextmanager
def output_lock(outdir: Path):
    """Exclusive lock on the output folder while outputs are moved into place.

    The lock is taken on the folder itself (``flock`` on a directory descriptor), so no
    lock file is left among the outputs.
    """
    import fcntl

    try:
        fd = os.open(outdir, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as err:
        raise output_error(outdir, err) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def commit(files: list[Path], outdir: Path) -> list[Path]:
    """Move finished ``files`` (all in one staging folder) into ``outdir`` under the lock."""
    final = []
    phase("commit")
    with output_lock(outdir):
        for f in files:
            dest = outdir / f.name
            try:
                os.replace(f, dest)
            except OSError as err:
                raise output_error(dest, err) from None
            final.append(dest)
    return final


def copy_into(sources: list[Path], outdir: Path) -> list[Path]:
    """Copy ``sources`` into ``outdir`` (staged copies, then :func:`commit`)."""
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise output_error(outdir, err) from None
    clean_stale(outdir)
    staged = []
    try:
        for src in sources:
            fd, tmp = tempfile.mkstemp(dir=outdir, prefix=f"{COPY_PREFIX}{os.getpid()}-",
                                       suffix=src.suffix)
            os.close(fd)
            staged.append(Path(tmp))
            shutil.copyfile(src, tmp)
        with output_lock(outdir):
            done = []
            for src, tmp in zip(sources, staged):
                os.replace(tmp, outdir / src.name)
                done.append(outdir / src.name)
        return done
    except OSError as err:
        raise output_error(outdir, err) from None
    finally:
        for tmp in staged:
            with contextlib.suppress(OSError):
                tmp.unlink()


def probe_space(folder: Path, size: int = 1 << 16) -> None:
    """Raise OutputError if ``size`` bytes cannot be written in ``folder`` (full disk)."""
    probe = folder / ".dupitac-probe"
    try:
        with open(probe, "wb") as fh:
            fh.write(b"\0" * size)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as err:
        raise output_error(folder, err) from None
    finally:
        with contextlib.suppress(OSError):
            probe.unlink()
