"""data/README.md is generated from the contract and documents every rule the code emits."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from analysis.schema.contract import CONTRACT, PARAMS
from analysis.schema.docs import readme_path, render
from analysis.schema.docs_text import RULES

ROOT = Path(__file__).parents[2]


def test_committed_readme_is_the_generated_text():
    assert readme_path().read_text(encoding="utf-8") == render(), (
        "data/README.md is stale: run `python -m analysis.schema.docs --write`")


def test_every_column_and_parameter_is_documented():
    text = render()
    for table in CONTRACT.values():
        assert f"### `{table.name}`" in text
        for column in table.columns:
            assert f"| `{column.name}` |" in text
    for code in PARAMS:
        assert f"| `{code}` |" in text


def test_every_rule_in_code_and_corpus_is_documented():
    documented = {rule for rule, _, _ in RULES}
    emitted = set()
    for path in [*ROOT.glob("analysis/io/*.py"), *ROOT.glob("analysis/schema/*.py")]:
        source = path.read_text()
        emitted |= set(re.findall(r'fail\(\s*"([a-z0-9-]+)"', source))
        emitted |= set(re.findall(r'rule="([a-z0-9-]+)"', source))
        emitted |= set(re.findall(r'out\.rows\([^"]*?"([a-z0-9-]+)",', source)) - set(CONTRACT)
        emitted |= set(re.findall(r'\(\s*"([a-z0-9-]+)",\s*f?"', source)) & documented
    for expected in ROOT.glob("tests/data/bad/*/expected.yaml"):
        emitted.add(yaml.safe_load(expected.read_text())["rule"])
    emitted.discard("invalid")
    assert emitted - documented == set()
    assert len(emitted) > 30
