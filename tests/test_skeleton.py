"""The package skeleton: CLI lists every command; ARD refuses duplicate coordinates."""

import pytest

from analysis.cli import COMMANDS, main
from analysis.results.ard import ArdBuilder, select, value


def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for name in ("validate", "run", "verify", "audit", "synthesize", "render"):
        assert name in out
    assert set(COMMANDS) == {"validate", "run", "verify", "audit", "synthesize", "render"}


def test_ard_rejects_duplicate_coordinates():
    b = ArdBuilder("demo")
    b.add("flow", "count", 3, variable="ENROLLED")
    with pytest.raises(ValueError, match="duplicate"):
        b.add("flow", "count", 4, variable="ENROLLED")


def test_ard_select_by_coordinates():
    b = ArdBuilder("demo")
    b.add_many("easi", {"n": 3, "mean": 2.0}, variable="EASI", visit="BASELINE", group="all")
    ard = b.frame()
    assert value(ard, analysis="easi", statistic="mean") == 2.0
    assert len(select(ard, variable="EASI")) == 2
