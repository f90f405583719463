"""The catalogue loader refuses malformed records, naming file, record and field."""

import pytest

from analysis.errors import InputError
from analysis.paths import STUDIES
from analysis.targets.catalogue import SELECTOR_KEYS, load_catalogue, load_study

from .demo import CATALOGUE, write_catalogue


def problems(path):
    with pytest.raises(InputError) as exc:
        load_catalogue(path)
    return exc.value.problems


def test_demo_catalogue_loads(tmp_path):
    cat = load_catalogue(write_catalogue(tmp_path, CATALOGUE))
    assert cat.study == "demo" and len(cat.records) == 7 and len(cat.inputs) == 1
    assert cat.record("hr_ci").parts().keys() == {"lower", "upper"}


@pytest.mark.parametrize("old, new, rule, column", [
    ("    where: \"Results, para 1\"\n", "", "required-field", "where"),
    ("    selector: {analysis: score, variable: S, group: all, visit: BASELINE, statistic: mean}\n",
     "", "required-field", "selector"),
    ("comparator: \"<\"", "comparator: \"<=\"", "comparator", "comparator"),
    ("    value: \"2.3\"\n    decimals: 1", "    value: \"2.3\"\n    decimals: 2", "decimals", "decimals"),
    ("value: \"45.0\"", "value: 45.0", "value-type", "value"),
    ("value: \"12\"", "value: \"twelve and a bit\"", "value", "value"),
    ("{analysis: nowhere, statistic: count}", "{analysis: nowhere, statistc: count}",
     "selector-key", "selector"),
    ("{analysis: nowhere, statistic: count}", "{analysis: nowhere}", "selector-key", "selector"),
    ("      upper: {analysis: cox, variable: X, group: all, statistic: ci_high}\n", "",
     "selector", "selector"),
    ("kind: count\n", "kind: Count!\n", "kind", "kind"),
    ("links: {count: 9, denominator: n_all}", "links: {count: 9, denominator: no_such}",
     "links", "links.denominator"),
])
def test_each_rule_names_record_and_field(tmp_path, old, new, rule, column):
    assert old in CATALOGUE
    probs = problems(write_catalogue(tmp_path, CATALOGUE.replace(old, new, 1)))
    hit = [p for p in probs if p.rule == rule]
    assert hit, [str(p) for p in probs]
    assert hit[0].column == column
    assert hit[0].file.endswith("demo.yaml")
    assert "record '" in hit[0].message and hit[0].row is not None


def test_duplicate_id(tmp_path):
    text = CATALOGUE.replace("id: wrong_pct", "id: pct_f")
    assert any(p.rule == "duplicate-id" for p in problems(write_catalogue(tmp_path, text)))


def test_status_needs_finding_and_policy(tmp_path):
    text = CATALOGUE.replace("    kind: percent\n    selector: {analysis: demo, variable: SEX=M",
                             "    kind: percent\n    status: inconsistent-in-source\n"
                             "    selector: {analysis: demo, variable: SEX=M")
    probs = problems(write_catalogue(tmp_path, text))
    assert {p.column for p in probs if p.rule == "status"} == {"finding", "policy"}
    bad = text.replace("status: inconsistent-in-source", "status: excused")
    assert any(p.rule == "status" and p.column == "status"
               for p in problems(write_catalogue(tmp_path, bad)))


def test_study_must_match_file_name(tmp_path):
    assert any(p.rule == "study" for p in problems(write_catalogue(tmp_path, CATALOGUE, "other.yaml")))


def test_all_problems_reported_at_once(tmp_path):
    text = CATALOGUE.replace('comparator: "<"', 'comparator: "~"').replace(
        'kind: count\n', 'kind: "9"\n')
    rules = {p.rule for p in problems(write_catalogue(tmp_path, text))}
    assert {"comparator", "kind"} <= rules


def test_not_yaml(tmp_path):
    path = tmp_path / "demo.yaml"
    path.write_text("records: [\n  - id: x\n", encoding="utf-8")
    assert problems(path)[0].rule == "yaml"


@pytest.mark.parametrize("study", STUDIES)
def test_committed_catalogue_records_have_selector_and_where(study):
    """Fails if any committed record lacks a where or a selector (or breaks the format)."""
    cat = load_study(study)   # raises InputError on any malformed record
    assert cat.records
    for rec in cat.records:
        assert rec.where.strip(), rec.id
        assert rec.selector, rec.id
        for sel in rec.parts().values():
            assert set(sel) <= set(SELECTOR_KEYS) | {"study"}, rec.id
            assert sel.get("analysis") and sel.get("statistic"), rec.id
