"""Faults during a render (issue 8 item 3).

A render killed with SIGKILL while its kernel executes, while pandoc runs, or while
Typst compiles leaves the previous outputs byte-identical, and the next render succeeds
(the killed render's staging folder is removed). Two renders into one folder at once
leave complete files that all come from one of them. A read-only or full output
location ends in a clean error naming the path and the reason (exit 2), never a
traceback, and leaves what was there.

The tests wait for the phase the engine reports through its test hook
(``DUPITAC_RENDER_PHASE_FILE``, see analysis/render/staging.py), or for the pandoc child
process itself, instead of sleeping blindly.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
ROOT = Path(__file__).resolve().parents[2]
DOC = Path(__file__).parent / "docs" / "slow.qmd"
FORMATS = ("html", "pdf", "docx")


def _cmd(out: Path, *params: str) -> list[str]:
    cmd = [sys.executable, "-m", "analysis", "render", "--file", str(DOC), "--engine",
           "builtin", "--out", str(out), "--no-cache", "--to", ",".join(FORMATS)]
    for p in params:
        cmd += ["-P", p]
    return cmd


def _env(tmp: Path, phases: Path | None = None) -> dict:
    env = dict(os.environ, DUPITAC_CACHE=str(tmp / "cache"))
    env.pop("DUPITAC_RENDER_PHASE_FILE", None)
    if phases is not None:
        env["DUPITAC_RENDER_PHASE_FILE"] = str(phases)
    return env


def _render(out: Path, tmp: Path, *params: str) -> subprocess.CompletedProcess:
    return subprocess.run(_cmd(out, *params), cwd=ROOT, env=_env(tmp), capture_output=True,
                          text=True, timeout=300)


def _snapshot(out: Path) -> dict:
    return {f: (out / f"slow.{f}").read_bytes() for f in FORMATS}


@pytest.fixture(scope="module")
def previous(tmp_path_factory):
    """Outputs of a finished render with label 'first' (copied into each test's folder)."""
    tmp = tmp_path_factory.mktemp("previous")
    done = _render(tmp / "out", tmp, "label=first")
    assert done.returncode == 0, done.stderr[-2000:]
    return _snapshot(tmp / "out")


def _prepare(tmp: Path, previous: dict) -> Path:
    out = tmp / "out"
    out.mkdir()
    for fmt, data in previous.items():
        (out / f"slow.{fmt}").write_bytes(data)
    return out


def _phases(path: Path, pid: int) -> list[str]:
    if not path.exists():
        return []
    return [ln.split()[1] for ln in path.read_text().splitlines()
            if ln.split() and ln.split()[0] == str(pid)]


def _children(pid: int) -> list[tuple[int, str]]:
    """(pid, command name) of the direct children of ``pid`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        if ppid == pid:
            found.append((int(entry.name), name))
    return found


def _kill_when(proc: subprocess.Popen, ready, limit: float = 120.0) -> str:
    """SIGKILL ``proc`` as soon as ``ready()`` names what it caught; return that name."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        if proc.poll() is not None:
            pytest.fail(f"the render ended (status {proc.returncode}) before the fault point")
        what = ready()
        if what:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
            return what
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)
    pytest.fail("the fault point was never reached")


def _interrupted_then_recovered(tmp: Path, previous: dict, ready_factory, *params: str):
    out = _prepare(tmp, previous)
    phases = tmp / "phases.txt"
    proc = subprocess.Popen(_cmd(out, "label=second", *params), cwd=ROOT,
                            env=_env(tmp, phases), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    caught = _kill_when(proc, ready_factory(proc, phases))
    assert proc.returncode == -signal.SIGKILL
    # the previous outputs are untouched, byte for byte
    assert _snapshot(out) == previous, f"outputs changed by a render killed at {caught}"
    # the next render succeeds, replaces them, and leaves no staging folder behind
    done = _render(out, tmp, "label=third")
    assert done.returncode == 0, done.stderr[-2000:]
    now = _snapshot(out)
    assert all(now[f] != previous[f] for f in FORMATS)
    assert sorted(p.name for p in out.iterdir()) == [f"slow.{f}" for f in sorted(FORMATS)]
    return caught


def test_kill_during_kernel_execution(tmp_path, previous):
    def ready_factory(proc, phases):
        # the document's first cell sleeps 60 s: once "execute" is reported and a kernel
        # child runs, the render is inside kernel execution
        return lambda: ("execute" if "execute" in _phases(phases, proc.pid)
                        and any("python" in n for _, n in _children(proc.pid)) else "")

    assert _interrupted_then_recovered(tmp_path, previous, ready_factory,
                                       "sleep=60") == "execute"


def test_kill_during_pandoc(tmp_path, previous):
    def ready_factory(proc, phases):
        return lambda: "pandoc" if any(n == "pandoc" for _, n in _children(proc.pid)) else ""

    assert _interrupted_then_recovered(tmp_path, previous, ready_factory) == "pandoc"


def test_kill_during_typst(tmp_path, previous):
    def ready_factory(proc, phases):
        # "typst" is written immediately before typst.compile starts in the process
        return lambda: "typst" if "typst" in _phases(phases, proc.pid) else ""

    assert _interrupted_then_recovered(tmp_path, previous, ready_factory) == "typst"


def test_two_renders_at_once_do_not_mix(tmp_path, previous):
    out = _prepare(tmp_path, previous)
    procs = {label: subprocess.Popen(_cmd(out, f"label={label}"), cwd=ROOT,
                                     env=_env(tmp_path), stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)
             for label in ("alpha", "bravo")}
    for label, proc in procs.items():
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, (label, err[-2000:])
    from helpers_faults import label_of

    labels = {fmt: label_of(out / f"slow.{fmt}") for fmt in FORMATS}
    # every file is complete (readable) and all three come from the same render
    assert len(set(labels.values())) == 1 and labels["html"] in ("alpha", "bravo"), labels
    assert sorted(p.name for p in out.iterdir()) == [f"slow.{f}" for f in sorted(FORMATS)]


# ------------------------------------------------------------------ unwritable, full

@pytest.fixture
def tiny_mount(tmp_path):
    """A 300 KiB tmpfs (root only); skipped where mounting is not permitted."""
    point = tmp_path / "mnt"
    point.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", str(point)],
                          capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.strip()}")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], capture_output=True)


def _clean_error(done: subprocess.CompletedProcess, path: Path, reason: str) -> None:
    assert done.returncode == 2, (done.returncode, done.stderr[-2000:])
    assert "Traceback" not in done.stderr
    assert "cannot write" in done.stderr and str(path) in done.stderr, done.stderr
    assert reason in done.stderr, done.stderr


def test_full_output_location(tmp_path, tiny_mount, previous):
    out = tiny_mount / "out"
    out.mkdir()
    (out / "slow.html").write_bytes(b"previous")   # what there is must survive
    done = _render(out, tmp_path, "label=second")
    _clean_error(done, tiny_mount, "No space left on device")
    assert (out / "slow.html").read_bytes() == b"previous"
    assert [p.name for p in out.iterdir()] == ["slow.html"]   # no partial files left


def test_read_only_output_location(tmp_path, tiny_mount):
    out = tiny_mount / "out"
    out.mkdir()
    (out / "slow.html").write_bytes(b"previous")
    remount = subprocess.run(["mount", "-o", "remount,ro", str(tiny_mount)],
                             capture_output=True, text=True)
    if remount.returncode != 0:
        pytest.skip(f"cannot remount read-only: {remount.stderr.strip()}")
    done = _render(out, tmp_path, "label=second")
    _clean_error(done, out, "Read-only file system")
    assert (out / "slow.html").read_bytes() == b"previous"


def test_output_errors_without_mount(tmp_path, monkeypatch, previous):
    """Same errors simulated in-process (for machines where mount is not allowed)."""
    import errno

    from analysis.errors import OutputError
    from analysis.render import builtin, staging

    out = _prepare(tmp_path, previous)

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(out / "slow.pdf"))

    monkeypatch.setattr(staging.os, "replace", no_space)
    with pytest.raises(OutputError) as err:
        builtin.render(DOC, out, list(FORMATS), params={"label": "second", "rows": 5})
    assert "slow.pdf" in str(err.value) and "full" in str(err.value)
    monkeypatch.undo()
    assert _snapshot(out) == previous
    assert sorted(p.name for p in out.iterdir()) == [f"slow.{f}" for f in sorted(FORMATS)]

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(out))

    monkeypatch.setattr(staging.tempfile, "mkdtemp", read_only)
    with pytest.raises(OutputError) as err:
        builtin.render(DOC, out, ["html"], params={"label": "second"})
    assert str(out) in str(err.value) and "not writable" in str(err.value)
    assert _snapshot(out) == previous


def test_stale_stage_of_a_dead_process_is_removed(tmp_path):
    from analysis.render import staging

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    stale = tmp_path / f".dupitac-render-{dead}-abc"
    stale.mkdir()
    (stale / "half.pdf").write_bytes(b"%PDF-half")
    alive = tmp_path / f".dupitac-render-{os.getpid() + 0}-mine"
    alive.mkdir()
    other = tmp_path / "notes.txt"
    other.write_text("user file")
    staging.clean_stale(tmp_path)
    assert not stale.exists() and alive.exists() and other.exists()
    shutil.rmtree(alive)
