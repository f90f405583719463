"""Findings for a table of before/after counts with McNemar p-values (``mcnemar_table``).

One finding per cell (which variants can give its p-value, and with which
paired tables), and one summary finding: the variants that give every p-value of
the table, cell by cell and, when the rows partition the patients, jointly at
each visit (:func:`analysis.audit.mcnemar_joint.joint_feasible`).
"""

from __future__ import annotations

from analysis.audit.finding import CONDITIONAL, CONSISTENT, INCONSISTENT, Finding
from analysis.audit.mcnemar_feasible import VARIANTS, mcnemar_feasibility
from analysis.audit.mcnemar_joint import expand_runs, joint_feasible

NAMES = {"exact": "exact binomial", "midp": "mid-p", "chi2": "chi-square without continuity "
         "correction", "chi2_cc": "chi-square with continuity correction"}


def _range(r) -> str:
    return "-".join(map(str, sorted(set(r)))) if r else "none"


def _variant_text(f, k1: int) -> str:
    if f.feasible:
        return (f"{f.variant}: fits for {f.configurations} paired table(s): y1 (in the category "
                f"before, of the paired) {_range(f.y1_range)} of {k1}, b (left) "
                f"{_range(f.b_range)}, c (entered) {_range(f.c_range)}")
    lo, hi = f.nearest
    near = ", ".join(f"{label} {v:.4g}" for label, v in (("nearest below", lo), ("above", hi))
                     if v is not None)
    return f"{f.variant}: no paired table gives it (attainable p from {f.p_min:.2g} to " \
           f"{f.p_max:.2g}; {near})"


def _refs(cat, spec, column):
    from analysis.audit.explicit import resolve

    n, nrec = resolve(cat, spec["n"][column])
    return n, nrec


def mcnemar_findings(cat, spec) -> list[Finding]:
    from analysis.audit.explicit import CheckError, cell

    table, before = spec["table"], spec["before"]
    variants = tuple(spec.get("variants", VARIANTS))
    n1, n1rec = _refs(cat, spec, before)
    findings, cells_ok, joint = [], {v: True for v in variants}, {}
    all_records, i = [], 0
    for after in spec["after"]:
        n2, n2rec = _refs(cat, spec, after)
        m = n2  # patients seen at both = those seen at the later visit (all had a baseline)
        per_row = {}
        for row in spec["rows"]:
            k1r, k2r = cell(cat, table, row, before, "count"), cell(cat, table, row, after, "count")
            pr = cell(cat, table, row, after, "p_value")
            if k1r is None or k2r is None or pr is None:
                raise CheckError(f"{table} / {row}: missing count or p at {before} / {after}")
            i += 1
            k1, k2 = int(k1r.printed.value), int(k2r.printed.value)
            feas = mcnemar_feasibility(k1, n1, k2, n2, m, pr.printed, variants)
            per_row[row] = feas
            good = [v for v in variants if feas[v].feasible]
            for v in variants:
                cells_ok[v] &= feas[v].feasible
            involved = [(r.id, r.value) for r in (k1r, n1rec, k2r, n2rec, pr) if r is not None]
            all_records += involved
            verdict = CONSISTENT if len(good) == len(variants) else (
                CONDITIONAL if good else INCONSISTENT)
            cond = (f"the {m} patients seen at {after} were all seen at {before}; the test is "
                    f"McNemar {' or '.join(good)}" if good else
                    f"the {m} patients seen at {after} were all seen at {before}")
            findings.append(Finding(
                f"{spec['id']}.{i}", cat.study, "mcnemar", involved, verdict, cond,
                f"{row}, {before} {k1}/{n1} -> {after} {k2}/{n2}, printed p {pr.value}. "
                + "; ".join(_variant_text(feas[v], k1) for v in variants) + ".",
                details={v: {"feasible": feas[v].feasible, "p_min": feas[v].p_min,
                             "p_max": feas[v].p_max, "configurations": feas[v].configurations,
                             "examples": feas[v].examples} for v in variants},
                blames=[] if good else [pr.id]))
        if spec.get("exclusive"):
            for v in variants:
                cfgs = [expand_runs(per_row[row][v].runs) for row in spec["rows"]]
                pick = joint_feasible(cfgs, m)
                joint[(after, v)] = pick
    ok = [v for v in variants if cells_ok[v] and all(
        joint.get((a, v)) is not None for a in spec["after"]) ]
    lines = []
    for v in variants:
        cell_txt = "every cell" if cells_ok[v] else "not every cell"
        if spec.get("exclusive"):
            vis = [a for a in spec["after"] if joint.get((a, v)) is None]
            joint_txt = ("jointly at every visit" if not vis
                         else f"not jointly at {', '.join(vis)}")
        else:
            joint_txt = ""
        lines.append(f"{v} ({NAMES.get(v, v)}): {cell_txt}{', ' + joint_txt if joint_txt else ''}")
    details = {"variants_consistent": ok,
               "joint_examples": {f"{a} | {v}": [dict(zip(("y1", "b", "c"), t)) for t in pick]
                                  for (a, v), pick in joint.items() if pick is not None}}
    for (a, v), pick in joint.items():
        if pick is not None and v in ok:
            lines.append(f"e.g. {v} at {a}: " + ", ".join(
                f"{row} y1={y} b={b} c={c}" for row, (y, b, c) in zip(spec["rows"], pick)))
    verdict = CONSISTENT if len(ok) == len(variants) else (CONDITIONAL if ok else INCONSISTENT)
    cond = (f"the test is McNemar {' or '.join(NAMES.get(v, v) for v in ok)}; patients seen at a "
            f"later visit were all seen at {before}" if ok else "")
    seen = set()
    unique = [r for r in all_records if not (r[0] in seen or seen.add(r[0]))]
    findings.insert(0, Finding(
        spec["id"], cat.study, "mcnemar-variant", unique, verdict, cond,
        f"Which McNemar variant gives every p-value of {table} ({before} vs each later visit)? "
        + "; ".join(lines) + ".", details=details))
    return findings
