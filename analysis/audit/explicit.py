"""Checks declared in ``data/targets/<study>.checks.yaml``: relations links cannot say.

Each entry has an ``id`` (``AUD-FER-001``), a ``check`` type and its arguments.
Numbers are referred to by record id, by a literal integer, or by a table cell
``{table: ..., row: ..., column: ..., kind: ...}`` matching exactly one record.

=================  ================================================================
check              arguments
=================  ================================================================
row_sums           table, kind, parts (column labels), total (column label), rows
column_sums        table, kind, totals ({column label: ref}), rows, relation (= or <=)
sum                parts (refs, or {percent: ref, of: ref}), total (ref), relation,
                   overlap ({max: k, reason: ..., ref: record}, optional), unless (optional: the
                   condition under which a failing relation need not hold)
mcnemar_table      table, before (column), after (columns), rows, n ({column: ref}),
                   variants, exclusive (rows partition the patients: joint check)
two_proportions    percents [ref, ref], p (ref), n1 [lo, hi], n2 [lo, hi],
                   n_total [lo, hi] (optional), tests, note
min_r              p (ref), n (ref), note
mean_sd            mean, sd, n (refs), scale {min, max (optional), step}
=================  ================================================================
"""

from __future__ import annotations

import itertools
from fractions import Fraction

from analysis.audit.correlation import min_abs_r
from analysis.audit.finding import CONDITIONAL, CONSISTENT, INCONSISTENT, Finding
from analysis.audit.grim import grimmer, percent_counts
from analysis.audit.mcnemar_feasible import VARIANTS, mcnemar_feasibility
from analysis.audit.mcnemar_joint import expand_runs, joint_feasible
from analysis.audit.twobytwo import TESTS, enumerate_two_proportions
from analysis.targets.catalogue import Catalogue, Record


class CheckError(ValueError):
    """A checks-file entry that cannot be evaluated (bad reference, missing cell)."""


def resolve(cat: Catalogue, ref) -> tuple[int | None, Record | None]:
    """(whole-number value, record) of a reference; value None if not a whole number."""
    if isinstance(ref, bool):
        raise CheckError(f"not a reference: {ref!r}")
    if isinstance(ref, int):
        return ref, None
    if isinstance(ref, str):
        if ref not in cat:
            raise CheckError(f"no record {ref!r}")
        rec = cat.record(ref)
    elif isinstance(ref, dict):
        hits = [r for r in cat.records if all(getattr(r, k, None) == v for k, v in ref.items())]
        if len(hits) != 1:
            raise CheckError(f"{len(hits)} records match {ref}")
        rec = hits[0]
    else:
        raise CheckError(f"not a reference: {ref!r}")
    v = rec.printed.value
    return (int(v) if v == v.to_integral_value() and rec.printed.form in ("number", "word")
            else None), rec


def cell(cat: Catalogue, table: str, row: str, column: str, kind: str) -> Record | None:
    hits = [r for r in cat.records
            if r.table == table and r.row == row and r.column == column and r.kind == kind]
    if len(hits) > 1:
        raise CheckError(f"{len(hits)} records at {table} / {row} / {column} / {kind}")
    return hits[0] if hits else None


def _rows(cat: Catalogue, table: str, kind: str, rows) -> list[str]:
    if rows in (None, "all"):
        seen = []
        for r in cat.records:
            if r.table == table and r.kind == kind and r.row not in seen:
                seen.append(r.row)
        return seen
    return list(rows)


def row_sums(cat, spec) -> list[Finding]:
    table, kind, parts, total = spec["table"], spec.get("kind", "count"), spec["parts"], spec["total"]
    involved, bad, lines = [], [], []
    for row in _rows(cat, table, kind, spec.get("rows")):
        cells = [cell(cat, table, row, col, kind) for col in parts]
        tot = cell(cat, table, row, total, kind)
        if tot is None or any(c is None for c in cells):
            continue
        involved += [(c.id, c.value) for c in cells + [tot]]
        got = sum(int(c.printed.value) for c in cells)
        ok = got == int(tot.printed.value)
        lines.append(f"{row}: {' + '.join(c.value for c in cells)} = {got} vs {tot.value}")
        if not ok:
            bad.append((row, [c.id for c in cells + [tot]], lines[-1]))
    verdict = INCONSISTENT if bad else CONSISTENT
    text = (f"{len(lines)} rows of {table}: {' + '.join(parts)} = {total}. "
            + ("Failing: " + "; ".join(b[2] for b in bad) if bad else "All hold."))
    return [Finding(spec["id"], cat.study, "row-sums", involved, verdict,
                    explanation=text, details={"rows": lines},
                    blames=[i for b in bad for i in b[1]])]


def column_sums(cat, spec) -> list[Finding]:
    table, kind = spec["table"], spec.get("kind", "count")
    relation = spec.get("relation", "=")
    involved, bad, lines = [], [], []
    rows = _rows(cat, table, kind, spec.get("rows"))
    for column, ref in spec["totals"].items():
        total, trec = resolve(cat, ref)
        cells = [c for c in (cell(cat, table, row, column, kind) for row in rows) if c]
        got = sum(int(c.printed.value) for c in cells)
        ok = got == total if relation == "=" else got <= total
        involved += [(c.id, c.value) for c in cells] + ([(trec.id, trec.value)] if trec else [])
        lines.append(f"{column}: sum of {len(cells)} rows = {got} {relation} {total}: "
                     f"{'holds' if ok else 'FAILS'}")
        if not ok:
            bad.append(([c.id for c in cells] + ([trec.id] if trec else []), lines[-1]))
    return [Finding(spec["id"], cat.study, "column-sums", involved,
                    INCONSISTENT if bad else CONSISTENT,
                    conditions=spec.get("note", ""),
                    explanation=f"{table}, rows {', '.join(rows)}: " + "; ".join(lines),
                    details={"columns": lines}, blames=[i for b in bad for i in b[0]])]


def _part_values(cat, part):
    if isinstance(part, dict) and "percent" in part:
        _, prec = resolve(cat, part["percent"])
        n, nrec = resolve(cat, part["of"])
        return percent_counts(prec.printed.value, prec.decimals, n), [prec] + ([nrec] if nrec else [])
    v, rec = resolve(cat, part)
    return [v], [rec] if rec else []


def sum_check(cat, spec) -> list[Finding]:
    options, recs = [], []
    for part in spec["parts"]:
        vals, rs = _part_values(cat, part)
        options.append(vals)
        recs += rs
    total, trec = resolve(cat, spec["total"])
    recs += [trec] if trec else []
    if spec.get("overlap", {}).get("ref"):
        recs.append(resolve(cat, spec["overlap"]["ref"])[1])
    seen: set = set()
    recs = [r for r in recs if r is not None and not (r.id in seen or seen.add(r.id))]
    involved = [(r.id, r.value) for r in recs]
    relation = spec.get("relation", "=")
    sums = sorted({sum(c) for c in itertools.product(*options)})
    holds = [s for s in sums if (s == total if relation == "=" else s <= total)]
    text = (f"parts can sum to {', '.join(map(str, sums))} (counts from percents: "
            f"{options}); total {total}, relation {relation}")
    if holds:
        return [Finding(spec["id"], cat.study, "sum", involved, CONSISTENT,
                        explanation=text + ": holds.")]
    overlap = spec.get("overlap")
    if overlap and relation == "=" and any(0 < s - total <= overlap["max"] for s in sums):
        excess = min(s - total for s in sums if s > total)
        return [Finding(spec["id"], cat.study, "sum", involved, CONDITIONAL,
                        conditions=f"{excess} unit(s) are counted in two parts: {overlap['reason']}",
                        explanation=text + f": exceeds the total by {excess}.")]
    if spec.get("unless"):
        # A relation the paper implies but does not state (e.g. eligibility measured
        # at another time): failing it is a condition, not a proof.
        return [Finding(spec["id"], cat.study, "sum", involved, CONDITIONAL,
                        conditions=spec["unless"], explanation=text + ": fails as stated.")]
    return [Finding(spec["id"], cat.study, "sum", involved, INCONSISTENT,
                    explanation=text + ": fails.", blames=[r.id for r in recs])]


def two_proportions(cat, spec) -> list[Finding]:
    (_, r1), (_, r2) = (resolve(cat, ref) for ref in spec["percents"])
    _, rp = resolve(cat, spec["p"])
    tests = tuple(spec.get("tests", TESTS))
    n1, n2 = tuple(spec["n1"]), tuple(spec["n2"])
    n_total = tuple(spec["n_total"]) if spec.get("n_total") else None
    hits = enumerate_two_proportions(r1.printed.value, r1.decimals, r2.printed.value, r2.decimals,
                                     rp.printed, n1, n2, n_total, tests)
    involved = [(r.id, r.value) for r in (r1, r2, rp)]
    searched = (f"group sizes n1 in {n1[0]}-{n1[1]}, n2 in {n2[0]}-{n2[1]}"
                + (f", n1 + n2 in {n_total[0]}-{n_total[1]}" if n_total else "")
                + f"; tests {', '.join(tests)}")
    if hits.empty:
        return [Finding(spec["id"], cat.study, "two-proportions", involved, INCONSISTENT,
                        conditions=searched + (f"; {spec['note']}" if spec.get("note") else ""),
                        explanation=f"No 2x2 table with {r1.value} % vs {r2.value} % gives "
                                    f"p {rp.value} under any of the tests searched.",
                        blames=[rp.id])]
    per_test = []
    for test, part in hits.groupby("test", sort=False):
        tables = "; ".join(f"{a}/{b} vs {c}/{d}" for a, b, c, d in
                           part[["x1", "n1", "x2", "n2"]].itertuples(index=False))
        per_test.append(f"{test}: {tables}")
    missing = [t for t in tests if t not in set(hits["test"])]
    n1s = sorted(set(hits["n1"]))
    cond = (f"group 1 has n = {', '.join(map(str, n1s))}, group 2 n = "
            f"{hits['n2'].min()}-{hits['n2'].max()}, and the test is "
            f"{' or '.join(sorted(set(hits['test'])))}")
    return [Finding(spec["id"], cat.study, "two-proportions", involved, CONDITIONAL,
                    conditions=cond + (f". {spec['note']}" if spec.get("note") else ""),
                    explanation=f"Searched {searched}. Tables giving p {rp.value}: "
                                + " | ".join(per_test)
                                + (f". No table gives it under {', '.join(missing)}." if missing else "."),
                    details={"hits": hits.to_dict("records"), "searched": searched})]


def min_r(cat, spec) -> list[Finding]:
    _, rp = resolve(cat, spec["p"])
    n, nrec = resolve(cat, spec["n"])
    crit = min_abs_r(float(rp.printed.value), n)
    involved = [(rp.id, rp.value)] + ([(nrec.id, nrec.value)] if nrec else [])
    return [Finding(spec["id"], cat.study, "min-r", involved, CONDITIONAL,
                    conditions=f"|r| > {crit['t']:.3f} (Pearson t-test, or Spearman's t "
                               f"approximation) or |r| > {crit['fisher_z']:.3f} (Fisher z), "
                               f"with n = {n} pairs" + (f"; {spec['note']}" if spec.get("note") else ""),
                    explanation=f"p {rp.value} at n = {n} needs |r| above the critical value of "
                                f"the test.", details=crit)]


def mean_sd(cat, spec) -> list[Finding]:
    _, mrec = resolve(cat, spec["mean"])
    _, srec = resolve(cat, spec["sd"])
    n, nrec = resolve(cat, spec["n"])
    scale = spec["scale"]
    involved = [(r.id, r.value) for r in (mrec, srec, nrec) if r]
    lo = int(scale["min"])
    if scale.get("max") is not None:
        hi = int(scale["max"])
        ok = grimmer(mrec.printed.value, mrec.decimals, srec.printed.value, srec.decimals, n, lo, hi)
        return [Finding(spec["id"], cat.study, "mean-sd", involved,
                        CONSISTENT if ok else INCONSISTENT,
                        explanation=f"GRIMMER on [{lo}, {hi}] at n = {n}: "
                                    f"{'feasible' if ok else 'no feasible sum of squares'}.",
                        blames=[] if ok else [srec.id])]
    hi = int(Fraction(mrec.printed.value)) + 1
    while not grimmer(mrec.printed.value, mrec.decimals, srec.printed.value, srec.decimals,
                      n, lo, hi):
        hi += 1
        if hi > 10_000:
            raise CheckError("no upper bound up to 10000 makes the mean and SD feasible")
    return [Finding(spec["id"], cat.study, "mean-sd", involved, CONDITIONAL,
                    conditions=f"some value reaches at least {hi} (whole numbers >= {lo}, "
                               f"n = {n})" + (f"; {spec['note']}" if spec.get("note") else ""),
                    explanation=f"A mean of {mrec.value} with SD {srec.value} over {n} whole "
                                f"numbers >= {lo} needs a maximum of at least {hi} (GRIMMER bounds).",
                    details={"min_max": hi})]


def mcnemar_table(cat, spec) -> list[Finding]:
    from analysis.audit.mcnemar_report import mcnemar_findings

    return mcnemar_findings(cat, spec)


CHECKS = {
    "row_sums": row_sums, "column_sums": column_sums, "sum": sum_check,
    "mcnemar_table": mcnemar_table, "two_proportions": two_proportions, "min_r": min_r,
    "mean_sd": mean_sd,
}

__all__ = ["CHECKS", "CheckError", "resolve", "cell", "VARIANTS", "mcnemar_feasibility",
           "expand_runs", "joint_feasible"]
