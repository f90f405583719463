"""A small synthetic catalogue and ARD, independent of the study catalogues' content."""

import textwrap

import pytest

from analysis.results.ard import records

CATALOGUE = """\
study: demo
source: none
inputs:
  - {id: dose, where: "Methods", measures: "dose, mg", value: "300"}
records:
  - id: n_all
    where: "Table 1, header"
    measures: "patients"
    value: "20"
    decimals: 0
    comparator: "="
    kind: n
    selector: {analysis: flow, variable: ALL, group: all, statistic: count}
  - id: pct_f
    where: "Table 1, row Female"
    measures: "% female"
    value: "45.0"
    decimals: 1
    comparator: "="
    kind: percent
    links: {count: 9, denominator: n_all}
    selector: {analysis: demo, variable: SEX=F, group: all, statistic: percent}
  - id: mean_score
    where: "Results, para 1"
    measures: "mean score"
    value: "2.3"
    decimals: 1
    comparator: "="
    kind: mean
    selector: {analysis: score, variable: S, group: all, visit: BASELINE, statistic: mean}
  - id: p_change
    where: "Results, para 2"
    measures: "p of the change"
    value: "<0.001"
    decimals: 3
    comparator: "<"
    kind: p_value
    selector: {analysis: score, variable: S, group: all, visit: WEEK 4 vs BASELINE, statistic: p_value}
  - id: hr_ci
    where: "Results, para 3"
    measures: "95% CI of the HR"
    value: "0.94\u20130.99"
    decimals: 2
    comparator: "="
    kind: ci
    selector:
      lower: {analysis: cox, variable: X, group: all, statistic: ci_low}
      upper: {analysis: cox, variable: X, group: all, statistic: ci_high}
  - id: missing_one
    where: "Results, para 4"
    measures: "not computed by the ARD"
    value: "12"
    decimals: 0
    comparator: "="
    kind: count
    selector: {analysis: nowhere, statistic: count}
  - id: wrong_pct
    where: "Results, para 5"
    measures: "a percent the paper got wrong"
    value: "47.9"
    decimals: 1
    comparator: "="
    kind: percent
    selector: {analysis: demo, variable: SEX=M, group: all, statistic: percent}
"""


def ard_rows(**overrides):
    base = [
        {"analysis": "flow", "variable": "ALL", "group": "all", "statistic": "count", "value": 20},
        {"analysis": "demo", "variable": "SEX=F", "group": "all", "statistic": "percent",
         "value": 45.0},
        {"analysis": "demo", "variable": "SEX=M", "group": "all", "statistic": "percent",
         "value": 55.0},
        {"analysis": "score", "variable": "S", "group": "all", "visit": "BASELINE",
         "statistic": "mean", "value": 2.25},
        {"analysis": "score", "variable": "S", "group": "all", "visit": "WEEK 4 vs BASELINE",
         "statistic": "p_value", "value": 0.0004},
        {"analysis": "cox", "variable": "X", "group": "all", "statistic": "ci_low", "value": 0.9351},
        {"analysis": "cox", "variable": "X", "group": "all", "statistic": "ci_high", "value": 0.9899},
    ]
    for row in base:
        row.setdefault("visit", "")
        row["study"] = "demo"
        key = row["statistic"] + ":" + row["variable"]
        if key in overrides:
            row["value"] = overrides[key]
    return records(base)


@pytest.fixture
def demo_root(tmp_path, monkeypatch):
    """A DUPITAC_ROOT with data/targets/demo.yaml."""
    targets = tmp_path / "data" / "targets"
    targets.mkdir(parents=True)
    (targets / "demo.yaml").write_text(CATALOGUE, encoding="utf-8")
    monkeypatch.setenv("DUPITAC_ROOT", str(tmp_path))
    return tmp_path


def write_catalogue(tmp_path, text, name="demo.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path
