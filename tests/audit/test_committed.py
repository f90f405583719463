"""The committed catalogues and AUDIT.md agree with the audit engine.

Not a test of the checks (those use synthetic catalogues): it fails when a record is
excused without an inconsistent finding that involves it, or when AUDIT.md is stale
(run `dupitac audit --write`).
"""

import pytest

from analysis.audit.engine import excuse_problems
from analysis.audit.report import audit_markdown
from analysis.commands.audit import audit_all
from analysis.paths import STUDIES, targets_dir
from analysis.targets.catalogue import load_study


@pytest.fixture(scope="module")
def audited():
    return audit_all(STUDIES)


def test_every_excuse_is_backed_by_an_inconsistent_finding(audited):
    results, _, problems = audited
    assert problems == []
    for study in STUDIES:
        assert excuse_problems(load_study(study), results[study]) == []


def test_audit_md_is_up_to_date(audited):
    results, excused, _ = audited
    assert (targets_dir() / "AUDIT.md").read_text(encoding="utf-8") == \
        audit_markdown(results, excused), "AUDIT.md is stale: run `dupitac audit --write`"
