"""One result of the audit: which printed numbers were checked, and the verdict.

Verdicts
--------
``consistent``
    Some data could give every number involved as printed.
``inconsistent``
    No data can (a proof, under the conditions stated).
``consistent only if``
    Only under the stated conditions (e.g. a denominator the paper does not print,
    a test variant, a group size).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CONSISTENT = "consistent"
INCONSISTENT = "inconsistent"
CONDITIONAL = "consistent only if"
VERDICTS = (INCONSISTENT, CONDITIONAL, CONSISTENT)


@dataclass
class Finding:
    """A checked relation between printed numbers.

    Parameters
    ----------
    id : str
        Stable id, ``AUD-FER-007`` (checks file) or ``AUD-FER-PCT-<record>`` (links).
    study : str
    check : str
        What was checked (``percent-count``, ``grim-mean``, ``wald-hr``, ``mcnemar`` ...).
    records : list of (id, printed)
        The printed numbers involved.
    verdict : {"consistent", "inconsistent", "consistent only if"}
    conditions : str
        What must hold (for ``consistent only if``) or the assumptions of a proof.
    explanation : str
        The arithmetic, in words a reader can redo.
    details : dict
        The numbers behind it (JSON-able).
    blames : list of str
        For an inconsistent finding, the record ids that cannot hold together with the
        others (the ones a catalogue may excuse).

    Examples
    --------
    >>> Finding("AUD-X-1", "x", "sum", [("a", "3")], CONSISTENT).to_dict()["verdict"]
    'consistent'
    """

    id: str
    study: str
    check: str
    records: list
    verdict: str
    conditions: str = ""
    explanation: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    blames: list = field(default_factory=list)

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, not {self.verdict!r}")

    def record_ids(self) -> list[str]:
        return [rid for rid, _ in self.records]

    def to_dict(self) -> dict:
        return {
            "id": self.id, "study": self.study, "check": self.check,
            "records": [{"id": rid, "printed": printed} for rid, printed in self.records],
            "verdict": self.verdict, "conditions": self.conditions,
            "explanation": self.explanation, "blames": list(self.blames),
            "details": self.details,
        }
