"""The audit engine on a small synthetic catalogue: links, checks file, report, CLI."""

import json

import pytest

from analysis.audit.engine import excuse_problems, load_checks, run_audit
from analysis.audit.finding import CONDITIONAL, CONSISTENT, INCONSISTENT
from analysis.cli import main
from analysis.errors import InputError
from analysis.targets.catalogue import load_catalogue


def rec(rid, value, kind, decimals=None, comparator="=", **extra):
    decimals = decimals if decimals is not None else (
        len(value.split(".")[1]) if "." in value else 0)
    lines = [f"  - id: {rid}", f"    where: \"T1\"", f"    measures: \"{rid}\"",
             f"    value: \"{value}\"", f"    decimals: {decimals}",
             f"    comparator: \"{comparator}\"", f"    kind: {kind}",
             f"    selector: {{analysis: a, variable: {extra.pop('variable', rid)}, statistic: s}}"]
    for key, val in extra.items():
        lines.append(f"    {key}: {val}")
    return "\n".join(lines)


RECORDS = [
    rec("n_m", "190", "n", table='"Table I"', row='"(header)"', column='"Males"'),
    rec("n_f", "152", "n", table='"Table I"', row='"(header)"', column='"Females"'),
    rec("n_t", "342", "n", table='"Table I"', row='"(header)"', column='"Total"'),
    # Ferrucci's Table I row 'Persistent disease': 80 (47.9 %) of 190 males.
    rec("pers_m", "80", "count", table='"Table I"', row='"Persistent"', column='"Males"'),
    rec("pers_m_pct", "47.9", "percent", links="{count: pers_m, denominator: n_m}",
        table='"Table I"', row='"Persistent"', column='"Males"'),
    rec("pers_f", "87", "count", table='"Table I"', row='"Persistent"', column='"Females"'),
    rec("pers_t", "167", "count", table='"Table I"', row='"Persistent"', column='"Total"'),
    rec("pers_t_pct", "48.8", "percent", links="{count: pers_t, denominator: n_t}"),
    rec("mean", "3.00", "mean", links="{sd: sd, n: 5}", scale="{min: 1, max: 5, step: 1}"),
    rec("sd", "1.60", "sd", scale="{min: 1, max: 5, step: 1}"),
    rec("hr", "0.99", "hr", links="{ci: ci, p: p}"),
    rec("ci", "0.98\u20130.99", "ci", decimals=2).replace(
        "selector: {analysis: a, variable: ci, statistic: s}",
        "selector: {lower: {analysis: a, statistic: l}, upper: {analysis: a, statistic: u}}"),
    rec("p", "0.031", "p_value"),
    rec("twice_a", "34.5", "percent", variable="X"),
    rec("twice_b", "34.7", "percent", variable="X"),
    rec("only_count", "192", "count"),
    rec("only_count_pct", "94.1", "percent", links="{count: only_count}"),
]
CATALOGUE = "study: demo\nrecords:\n" + "\n".join(RECORDS) + "\n"
CHECKS = """\
study: demo
checks:
  - id: AUD-DEM-001
    check: row_sums
    table: Table I
    kind: count
    parts: [Males, Females]
    total: Total
    rows: all
  - id: AUD-DEM-002
    check: sum
    parts: [n_m, n_f]
    total: 341
    relation: "="
  - id: AUD-DEM-003
    check: min_r
    p: p
    n: 20
"""


@pytest.fixture
def root(tmp_path, monkeypatch):
    targets = tmp_path / "data" / "targets"
    targets.mkdir(parents=True)
    (targets / "demo.yaml").write_text(CATALOGUE, encoding="utf-8")
    (targets / "demo.checks.yaml").write_text(CHECKS, encoding="utf-8")
    monkeypatch.setenv("DUPITAC_ROOT", str(tmp_path))
    monkeypatch.setattr("analysis.commands.audit.STUDIES", ("demo",))
    return targets


def by_id(findings):
    return {f.id: f for f in findings}


def test_findings(root):
    f = by_id(run_audit("demo", root))
    assert f["AUD-DEM-001"].verdict == CONSISTENT                  # 80 + 87 = 167
    assert f["AUD-DEM-002"].verdict == INCONSISTENT                # 190 + 152 = 342, not 341
    assert f["AUD-DEM-003"].verdict == CONDITIONAL
    pct = f["AUD-DEM-PCT-pers_m_pct"]
    assert pct.verdict == INCONSISTENT and pct.details["counts_fitting"] == [91]
    assert pct.details["denominators_fitting"] == [167]             # 80/167 = 47.9 %
    assert f["AUD-DEM-PCT-pers_t_pct"].verdict == CONSISTENT
    assert f["AUD-DEM-MSD-mean"].verdict == INCONSISTENT            # GRIMMER parity
    assert f["AUD-DEM-WALD-hr"].verdict == INCONSISTENT
    assert f["AUD-DEM-WALD-hr"].blames == ["ci"]
    assert f["AUD-DEM-TWICE-twice_a"].verdict == INCONSISTENT
    den = f["AUD-DEM-PCT-only_count_pct"]
    assert den.verdict == CONDITIONAL and den.details["denominators_fitting"] == [204]


def test_order_is_deterministic(root):
    a = [x.to_dict() for x in run_audit("demo", root)]
    b = [x.to_dict() for x in run_audit("demo", root)]
    assert a == b and a[0]["id"] == "AUD-DEM-001"


def test_excuses_must_cite_an_inconsistent_finding(root):
    text = CATALOGUE.replace(
        "    kind: percent\n    selector: {analysis: a, variable: pers_m_pct, statistic: s}",
        "    kind: percent\n    selector: {analysis: a, variable: pers_m_pct, statistic: s}\n"
        "    status: inconsistent-in-source\n    finding: AUD-DEM-PCT-pers_m_pct\n"
        "    policy: the count 80 is honoured")
    text = text.replace(
        "    kind: percent\n    selector: {analysis: a, variable: pers_t_pct, statistic: s}",
        "    kind: percent\n    selector: {analysis: a, variable: pers_t_pct, statistic: s}\n"
        "    status: inconsistent-in-source\n    finding: AUD-DEM-PCT-pers_t_pct\n"
        "    policy: not allowed, the finding is consistent")
    (root / "demo.yaml").write_text(text, encoding="utf-8")
    cat = load_catalogue(root / "demo.yaml")
    problems = excuse_problems(cat, run_audit("demo", root))
    assert len(problems) == 1 and problems[0].startswith("pers_t_pct")


def test_bad_checks_file(root):
    (root / "demo.checks.yaml").write_text(
        "study: demo\nchecks:\n  - id: X-1\n    check: nonsense\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_checks(root / "demo.checks.yaml", "demo")
    assert {p.rule for p in exc.value.problems} == {"check-id", "check"}
    (root / "demo.checks.yaml").write_text(
        "study: demo\nchecks:\n  - id: AUD-DEM-9\n    check: sum\n    parts: [nope]\n"
        "    total: 3\n", encoding="utf-8")
    with pytest.raises(InputError, match="no record 'nope'"):
        run_audit("demo", root)


def test_cli_write_is_deterministic(root, capsys):
    assert main(["audit", "--write"]) == 0
    first = (root / "AUDIT.md").read_text()
    assert main(["audit", "--write"]) == 0
    assert (root / "AUDIT.md").read_text() == first
    assert "#### AUD-DEM-PCT-pers_m_pct (percent-count)" in first
    assert "80 prints as 47.9 % only for n = 167" in first
    capsys.readouterr()
    assert main(["audit", "--study", "demo", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {f["verdict"] for f in doc["demo"]} == {CONSISTENT, CONDITIONAL, INCONSISTENT}


def test_cli_flags_unbacked_excuse(root, capsys):
    text = CATALOGUE.replace(
        "    kind: percent\n    selector: {analysis: a, variable: pers_t_pct, statistic: s}",
        "    kind: percent\n    selector: {analysis: a, variable: pers_t_pct, statistic: s}\n"
        "    status: inconsistent-in-source\n    finding: AUD-DEM-404\n    policy: none")
    (root / "demo.yaml").write_text(text, encoding="utf-8")
    assert main(["audit", "--study", "demo", "--format", "markdown"]) == 1
    assert "AUD-DEM-404" in capsys.readouterr().err
