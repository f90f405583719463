"""Problems found in user input, and the exception that carries them.

Every refusal of bad input goes through :class:`InputError`, which holds a list of
:class:`Problem` records. The CLI prints them and exits with status 2; nothing is
written. ``row`` counts as a spreadsheet user counts: the header is row 1, the first
data row is row 2.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

ERROR = "error"
WARNING = "warning"
INFO = "info"


@dataclass(frozen=True)
class Problem:
    """One finding about one place in the input.

    Parameters
    ----------
    rule : str
        Stable identifier of the rule broken, e.g. ``"range"``, ``"required-column"``.
    message : str
        A sentence a data manager understands.
    file : str, optional
        File (or workbook sheet, as ``book.xlsx[sheet]``) where the problem is.
    row : int, optional
        Spreadsheet row number (header = 1).
    column : str, optional
    value : Any, optional
        The offending value, as read.
    severity : {"error", "warning", "info"}
    """

    rule: str
    message: str
    file: str | None = None
    row: int | None = None
    column: str | None = None
    value: Any = None
    severity: str = ERROR

    def location(self) -> str:
        parts = [self.file or "<dataset>"]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def __str__(self) -> str:
        value = "" if self.value is None else f" (value: {self.value!r})"
        return f"{self.severity.upper()} [{self.rule}] {self.location()}: {self.message}{value}"

    def to_dict(self) -> dict:
        d = asdict(self)
        if d["value"] is not None and not isinstance(d["value"], (int, float, str, bool)):
            d["value"] = str(d["value"])
        return d


class DupitacError(Exception):
    """Base of every error the CLI turns into a clean message."""

    exit_code = 2


class InputError(DupitacError):
    """Bad user input: carries every problem found, not only the first."""

    def __init__(self, problems: list[Problem] | Problem, summary: str | None = None):
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        errors = [p for p in self.problems if p.severity == ERROR]
        self.summary = summary or f"{len(errors)} error(s) in the input"
        super().__init__(self.summary + "\n" + "\n".join(str(p) for p in self.problems))


@dataclass
class OutputError(DupitacError):
    """An output location that cannot be written (read-only, full, ...)."""

    path: str
    reason: str
    problems: list = field(default_factory=list)

    def __str__(self) -> str:
        return f"cannot write {self.path}: {self.reason}"
