"""Checks the catalogue's own links call for (no checks file needed).

==========  ===========================================================================
id          check
==========  ===========================================================================
PCT         a percent against its count and denominator (GRIM for percentages); with
            only one of them, which counts / which denominators can give it
MSD         a mean (and SD) of a bounded scale against n: GRIM, GRIMMER, the
            Bhatia-Davis bound, and a SPRITE sample that proves feasibility
WALD        a ratio with its CI and p under a Wald test on the log scale
TWICE       one quantity (same ARD selector) printed twice: can one value print as both?
==========  ===========================================================================

Finding ids are ``AUD-<P>-<check>-<record id>`` so that a catalogue may cite them
and they do not move when records are added.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from fractions import Fraction

from analysis.audit.finding import CONDITIONAL, CONSISTENT, INCONSISTENT, Finding
from analysis.audit.grim import grim_sums, grimmer, max_sd, percent_counts, percent_denominators
from analysis.audit.sprite import sprite
from analysis.audit.wald import estimates_fitting_p, wald_p_range
from analysis.targets.catalogue import Catalogue, Record
from analysis.targets.compare import printing_interval


def as_int(rec: Record) -> int | None:
    v = rec.printed.value
    return int(v) if rec.printed.form in ("number", "word") and v == v.to_integral_value() else None


def link_value(cat: Catalogue, rec: Record, role: str) -> tuple[int | None, Record | None]:
    """Whole-number value of a link (a record id or a literal integer) and its record."""
    target = rec.links.get(role)
    if target is None:
        return None, None
    if isinstance(target, int):
        return target, None
    other = cat.record(target)
    return as_int(other), other


def _fmt(x: Fraction | float, digits: int = 3) -> str:
    return f"{float(x):.{digits}f}"


def _span(values: list[int], limit: int = 8) -> str:
    if len(values) <= limit:
        return ", ".join(map(str, values))
    return f"{values[0]}-{values[-1]} ({len(values)} values)"


def check_percent(cat: Catalogue, rec: Record, fid: str) -> Finding | None:
    count, count_rec = link_value(cat, rec, "count")
    n, n_rec = link_value(cat, rec, "denominator")
    if count is None and n is None:
        return None
    pct, dec = rec.printed.value, rec.decimals
    involved = [(rec.id, rec.value)] + [(r.id, r.value) for r in (count_rec, n_rec) if r]
    n_txt = f"n = {n}" + (f" ({n_rec.id})" if n_rec else " (literal)") if n is not None else ""
    if count is not None and n is not None:
        ks = percent_counts(pct, dec, n)
        if count in ks:
            return Finding(fid, cat.study, "percent-count", involved, CONSISTENT,
                           explanation=f"100 x {count}/{n} = {_fmt(Fraction(100 * count, n))} "
                                       f"prints as {rec.value}.")
        dens = percent_denominators(count, pct, dec, 1, max(4 * n, 10))
        exact = Fraction(100 * count, n)
        return Finding(
            fid, cat.study, "percent-count", involved, INCONSISTENT,
            conditions="percent = 100 x count / denominator, rounded half-up or half-even",
            explanation=(f"100 x {count}/{n} = {_fmt(exact)} %, printed {rec.value} %. At {n_txt} "
                         f"the counts printing as {rec.value} % are "
                         f"{_span(ks) if ks else 'none (GRIM-inconsistent)'}; {count} prints as "
                         f"{rec.value} % " + (f"only for n = {_span(dens)}." if dens else "for no n.")),
            details={"count": count, "n": n, "exact_percent": float(exact),
                     "counts_fitting": ks, "denominators_fitting": dens},
            blames=[rec.id])
    if n is not None:
        ks = percent_counts(pct, dec, n)
        if ks:
            return Finding(fid, cat.study, "grim-percent", involved, CONSISTENT,
                           explanation=f"At {n_txt}, counts {_span(ks)} print as {rec.value} %.",
                           details={"n": n, "counts_fitting": ks})
        return Finding(fid, cat.study, "grim-percent", involved, INCONSISTENT,
                       conditions="percent of a whole count of the stated denominator",
                       explanation=f"No whole count out of {n} prints as {rec.value} % "
                                   f"(GRIM).", details={"n": n}, blames=[rec.id])
    dens = percent_denominators(count, pct, dec, 1, 100_000)
    if not dens:
        return Finding(fid, cat.study, "percent-denominator", involved, INCONSISTENT,
                       explanation=f"No denominator makes {count} print as {rec.value} %.",
                       blames=[rec.id])
    return Finding(fid, cat.study, "percent-denominator", involved, CONDITIONAL,
                   conditions=f"the unprinted denominator is {_span(dens, 12)}",
                   explanation=f"{count} prints as {rec.value} % only over n = {_span(dens, 12)}.",
                   details={"count": count, "denominators_fitting": dens[:200],
                            "n_denominators": len(dens)})


def _rescale(value: Decimal, decimals: int, step: Fraction) -> tuple[Decimal, int]:
    """Express a printed value in whole scale steps (step must be 10^-k)."""
    k = 0
    s = step
    while s < 1:
        s *= 10
        k += 1
    if s != 1:
        raise ValueError(f"scale step {step} is not a power of ten")
    return value.scaleb(k), decimals - k


def check_mean(cat: Catalogue, rec: Record, fid: str, seed: int = 0) -> Finding | None:
    scale = rec.scale
    if not scale:
        return None
    sd_rec = cat.record(rec.links["sd"]) if isinstance(rec.links.get("sd"), str) else None
    n, n_rec = link_value(cat, rec, "n")
    lo, hi = scale["min"], scale["max"]
    step = Fraction(str(scale.get("step", 1)))
    involved = [(rec.id, rec.value)] + [(r.id, r.value) for r in (sd_rec, n_rec) if r]
    m_lo, m_hi = printing_interval(rec.printed.value, rec.decimals)
    if m_hi < lo or m_lo > hi:
        return Finding(fid, cat.study, "mean-bounds", involved, INCONSISTENT,
                       explanation=f"mean {rec.value} outside the scale [{lo}, {hi}]",
                       blames=[rec.id])
    if n is None:
        if sd_rec is None:
            return None
        # Unknown n: the bound is loosest at n = 2 (factor n/(n-1) = 2).
        # max_sd is concave in the mean, largest at the scale's midpoint.
        m_best = min(max(Fraction(lo + hi) / 2, m_lo, Fraction(lo)), m_hi, Fraction(hi))
        best = max_sd(m_best, 2, lo, hi)
        sd_lo = printing_interval(sd_rec.printed.value, sd_rec.decimals)[0]
        verdict = CONSISTENT if sd_lo <= best else INCONSISTENT
        return Finding(fid, cat.study, "sd-bound", involved, verdict,
                       conditions="n not printed: Bhatia-Davis bound only, at its loosest (n = 2)",
                       explanation=f"SD {sd_rec.value} vs the largest SD a mean of {rec.value} "
                                   f"allows on [{lo}, {hi}]: {best:.2f} (n = 2), "
                                   f"{math.sqrt((hi - float(rec.printed.value)) * (float(rec.printed.value) - lo)):.2f} (large n).",
                       blames=[] if verdict == CONSISTENT else [sd_rec.id])
    mean_s, mdec = _rescale(rec.printed.value, rec.decimals, step)
    lo_s, hi_s = int(Fraction(lo) / step), int(Fraction(hi) / step)
    sums = [s for s in grim_sums(mean_s, mdec, n) if n * lo_s <= s <= n * hi_s]
    unit = "" if step == 1 else f" (in steps of {step})"
    if not sums:
        return Finding(fid, cat.study, "grim-mean", involved, INCONSISTENT,
                       explanation=f"No sum of {n} values{unit} on [{lo}, {hi}] gives a mean "
                                   f"printing as {rec.value} (GRIM).", blames=[rec.id])
    if sd_rec is None:
        return Finding(fid, cat.study, "grim-mean", involved, CONSISTENT,
                       explanation=f"{len(sums)} whole sums{unit} of {n} values print as {rec.value}.")
    sd_s, sdec = _rescale(sd_rec.printed.value, sd_rec.decimals, step)
    pairs = grimmer(mean_s, mdec, sd_s, sdec, n, lo_s, hi_s)
    if not pairs:
        return Finding(fid, cat.study, "mean-sd", involved, INCONSISTENT,
                       conditions="whole-number data" + unit,
                       explanation=f"No {n} values{unit} on [{lo}, {hi}] have a mean printing as "
                                   f"{rec.value} and an SD printing as {sd_rec.value} (GRIMMER / "
                                   f"bounds of the sum of squares).", blames=[sd_rec.id])
    sample = sprite(mean_s, mdec, sd_s, sdec, n, lo_s, hi_s, seed=seed)
    if sample is None:
        return Finding(fid, cat.study, "mean-sd", involved, CONSISTENT,
                       explanation=f"GRIMMER finds {len(pairs)} feasible (sum, sum of squares); "
                                   f"SPRITE found no sample (which proves nothing).")
    x = sample * float(step)
    return Finding(fid, cat.study, "mean-sd", involved, CONSISTENT,
                   explanation=f"A sample of {n} values{unit} on [{lo}, {hi}] with mean "
                               f"{x.mean():.4f} and SD {x.std(ddof=1):.4f} exists (SPRITE, seed {seed}; "
                               f"range {x.min():g}-{x.max():g}).",
                   details={"sprite_mean": float(x.mean()), "sprite_sd": float(x.std(ddof=1)),
                            "sprite_min": float(x.min()), "sprite_max": float(x.max())})


def check_wald(cat: Catalogue, rec: Record, fid: str, level: float = 0.95) -> Finding | None:
    ci_id, p_id = rec.links.get("ci"), rec.links.get("p")
    if not isinstance(ci_id, str) or not isinstance(p_id, str):
        return None
    ci, p = cat.record(ci_id), cat.record(p_id)
    involved = [(rec.id, rec.value), (ci.id, ci.value), (p.id, p.value)]
    lower, upper = ci.printed.numbers
    r = wald_p_range(rec.printed.value, rec.decimals, lower, upper, ci.decimals, level)
    if p.printed.comparator == "<":
        p_lo, p_hi = 0.0, float(p.printed.value)
    elif p.printed.comparator == ">":
        p_lo, p_hi = float(p.printed.value), 1.0
    else:
        p_lo, p_hi = (float(v) for v in printing_interval(p.printed.value, p.decimals))
    cond = (f"two-sided Wald test on the log scale, {level:.0%} CI = exp(log HR +/- "
            f"z SE); every number rounded half-up or half-even")
    if not r.feasible:
        return Finding(fid, cat.study, "wald-hr", involved, INCONSISTENT, cond,
                       f"No unrounded HR printing as {rec.value} is the log-scale centre of a CI "
                       f"printing as {ci.value}.", blames=[rec.id])
    details = {"p_min": r.p_min, "p_max": r.p_max, "p_printed": [p_lo, p_hi]}
    text = (f"HR {rec.value} with CI {ci.value} allows Wald p in [{r.p_min:.4f}, {r.p_max:.4f}]; "
            f"printed p {p.value}")
    if r.p_min <= p_hi and r.p_max >= p_lo:
        fit = estimates_fitting_p(rec.printed.value, rec.decimals, lower, upper, ci.decimals,
                                  p_lo, p_hi, level)
        e_lo, e_hi = (float(v) for v in printing_interval(rec.printed.value, rec.decimals))
        if fit and (fit[0] > e_lo + 1e-9 or fit[1] < e_hi - 1e-9):
            details["hr_fitting"] = list(fit)
            return Finding(fid, cat.study, "wald-hr", involved, CONDITIONAL,
                           f"the unrounded HR is in [{fit[0]:.4f}, {fit[1]:.4f}]; " + cond,
                           text + " fits for part of the HR's printing interval.", details)
        return Finding(fid, cat.study, "wald-hr", involved, CONSISTENT, cond, text + " fits.",
                       details)
    # What the HR and the p-value imply for the CI, to show which number is off.
    z_lo = float(_z(p_hi)) if p_hi < 1 else 0.0
    z_hi = float(_z(p_lo)) if p_lo > 0 else math.inf
    e_lo, e_hi = (float(v) for v in printing_interval(rec.printed.value, rec.decimals))
    implied = _implied_ci(e_lo, e_hi, z_lo, z_hi, level)
    details["ci_implied_by_hr_and_p"] = implied
    return Finding(fid, cat.study, "wald-hr", involved, INCONSISTENT, cond,
                   text + f" lies outside. HR {rec.value} and p {p.value} imply a CI of about "
                          f"{implied[0]:.3f}-{implied[1]:.3f} (ranges "
                          f"[{implied[2]:.3f}, {implied[3]:.3f}] and [{implied[4]:.3f}, {implied[5]:.3f}]).",
                   details, blames=[ci.id])


def _z(p: float) -> float:
    from scipy import stats

    return stats.norm.isf(p / 2)


def _implied_ci(e_lo, e_hi, z_lo, z_hi, level):
    """CI bounds implied by an estimate range and a z range (central, then ranges)."""
    from scipy import stats

    zc = float(stats.norm.ppf(0.5 + level / 2))
    out = []
    for e in (e_lo, e_hi):
        le = math.log(e)
        for z in (z_lo, z_hi):
            if z == 0 or not math.isfinite(z):
                continue
            se = abs(le) / z
            out.append((math.exp(le - zc * se), math.exp(le + zc * se)))
    mid_e = math.exp((math.log(e_lo) + math.log(e_hi)) / 2)
    mid_z = (z_lo + z_hi) / 2 if math.isfinite(z_hi) else z_lo
    se = abs(math.log(mid_e)) / mid_z if mid_z else math.inf
    centre = (math.exp(math.log(mid_e) - zc * se), math.exp(math.log(mid_e) + zc * se))
    lows = [a for a, _ in out] or [math.nan]
    highs = [b for _, b in out] or [math.nan]
    return [centre[0], centre[1], min(lows), max(lows), min(highs), max(highs)]


def check_twice(cat: Catalogue, records: list[Record], fid: str, pct_verdicts: dict) -> Finding:
    """Records with one selector: does one value print as every one of them?"""
    involved = [(r.id, r.value) for r in records]
    singles = [r for r in records if r.comparator == "=" and len(r.printed.numbers) == 1]
    lo = max(printing_interval(r.printed.value, r.decimals)[0] for r in singles)
    hi = min(printing_interval(r.printed.value, r.decimals)[1] for r in singles)
    key = json.dumps(records[0].selector, sort_keys=True)
    if lo <= hi:
        return Finding(fid, cat.study, "printed-twice", involved, CONSISTENT,
                       explanation=f"One quantity ({key}) printed {len(records)} times; values in "
                                   f"[{_fmt(lo, 4)}, {_fmt(hi, 4)}] print as all of them.")
    blamed = [r.id for r in singles if pct_verdicts.get(r.id) == INCONSISTENT] or \
        [r.id for r in singles]
    return Finding(fid, cat.study, "printed-twice", involved, INCONSISTENT,
                   conditions="the records measure one quantity (they share an ARD selector)",
                   explanation=f"One quantity ({key}) is printed as "
                               f"{' and '.join(repr(r.value) for r in singles)}: no value rounds "
                               f"to all of them.", blames=blamed)
