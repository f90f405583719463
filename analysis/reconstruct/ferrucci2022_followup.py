"""Ferrucci 2022 reconstruction, step 3: each patient's follow-up.

A follow-up *block* holds everything observed after enrolment: whether the patient is
evaluable for the topical analysis, the topical therapy at each visit (transition
tables calibrated to Table II's McNemar p-values with the study's own test), the visits
attended and their study days, EASI / itch NRS / sleep NRS / DLQI at each visit (SPRITE
per visit, rank-coupled within patient), and the time to first tacrolimus. Blocks are
made first and handed to patients afterwards (``ferrucci2022_tune``), so that swapping
two blocks never changes a published margin.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from analysis.reconstruct.allocation import largest_remainder
from analysis.reconstruct.dropout import monotone_last_visit
from analysis.reconstruct.event_times import time_to_first
from analysis.reconstruct.sprite import Band, Scale, sprite
from analysis.reconstruct.trajectories import assign_by_rank, swap_to_count
from analysis.reconstruct.transitions import assign_paths, fill_offdiagonal, search_margins

K_NONE, K_TCS, K_TAC, K_BOTH = range(4)
# Plausible switches in routine care (rows: baseline, columns: later visit, diagonal
# unused): steroids are stopped as disease clears; a tacrolimus user who changes
# mostly keeps tacrolimus (drops or adds the steroid); new tacrolimus goes to residual
# lesions of critical sites.
PRIOR_SWITCH = np.array([[0, 2.0, 0.3, 0.1],
                         [4.0, 0, 0.3, 0.3],
                         [3.0, 0.3, 0, 6.0],
                         [1.0, 1.0, 20.0, 0]])
# Where to aim in each category's admissible range of Table II diagonals (0 = fewest
# keep their therapy, 1 = most), per visit (rows) and category (NONE, TCS, TAC, BOTH).
# At week 4 steroid users change most (steroids stopped, flares treated), later the
# therapy settles.
PERSISTENCE = ((0.8, 0.2, 0.8, 0.8), (0.8, 0.8, 0.8, 0.8), (0.8, 0.8, 0.8, 0.8))
ADY_NOMINAL = np.array([1, 29, 113, 365])
ADY_SD = np.array([0, 4, 8, 8])
ADY_BOUNDS = np.array([[-20, 1], [18, 45], [90, 138], [336, 400]])
SCALES = {"EASI": Scale(0, 72, 0.1), "PNRS": Scale(0, 10, 1), "SNRS": Scale(0, 10, 1),
          "DLQI": Scale(0, 30, 1)}
EASI_SEVERE, EASI_LOW, DLQI_LOW, RESPONSE = 21.0, 7.0, 10.0, 4.0
# Baseline latent of each score: weight on overall severity and on the itch burden
# (shared by itch, sleep and quality of life), the rest own noise. Gives moderate
# correlations between a patient's baseline scores (EASI~DLQI about 0.4, itch~sleep
# about 0.6), as in registries.
PARAM_WEIGHT = {"EASI": (0.75, 0.0), "PNRS": (0.55, 0.5), "SNRS": (0.5, 0.55), "DLQI": (0.55, 0.35)}


def mcnemar_test(variant: str):
    from analysis.stats.mcnemar import mcnemar

    return lambda b, c: mcnemar(b, c, variant).p_value


@lru_cache(maxsize=4)
def reference_tables(plan_key, base, visits, goals, variant, combos=(), tac_bl=()):
    """Transition tables of the published cohort (cached: the search takes about a second).

    With ``combos`` (see :func:`easi_low_combos`) the week-4 row margins must leave room
    for one of them, preferring the one that needs the fewest missing week-4 scores.
    """
    goals = [list(g) for g in goals]

    def row_cost(v, r):
        if v or not combos:
            return 0.0
        r_y = int(r[list(tac_bl)].sum())
        odd = [o for c in combos if (o := split_oddity(c, r_y, int(r.sum()) - r_y)) is not None]
        return 5.0 * min(odd) if odd else None

    rows, diag = search_margins(list(base), [list(v) for v in visits], goals,
                                mcnemar_test(variant), persistence=PERSISTENCE, row_cost=row_cost,
                                gap_cost=3.0)
    tables = []
    for v in range(len(visits)):
        off = fill_offdiagonal(rows[v] - diag[v], np.array(visits[v]) - diag[v], PRIOR_SWITCH)
        tables.append(off + np.diag(diag[v]))
    return tuple(t.copy() for t in tables)


def topical_tables(plan, ref_plan, variant, combos=(), tac_bl=()):
    key = (tuple(ref_plan.topical_base), tuple(map(tuple, ref_plan.topical_visits)))
    goals = tuple(tuple(g) for g in ref_plan.mcnemar_goals)
    tables = reference_tables(key, key[0], key[1], goals, variant, tuple(combos), tuple(tac_bl))
    if plan.reference:
        return [t.copy() for t in tables]
    # Scale each baseline row, keeping the nesting of the row sums over visits.
    base = np.array(plan.topical_base)
    out, prev = [], base
    for t in tables:
        rows = np.minimum(np.round(t.sum(1) / np.array(ref_plan.topical_base) * base).astype(int), prev)
        out.append(np.array([largest_remainder(r, k) if r.sum() else np.zeros(4, int)
                             for r, k in zip(t, rows)]))
        prev = rows
    return out


def _hits(goal, k):
    """Numerators c in 0..k whose percentage of k meets ``goal``."""
    lo = max(0, int(np.floor(goal.lo * k / 100)) - 1)
    hi = min(k, int(np.ceil(goal.hi * k / 100)) + 1)
    return [c for c in range(lo, hi + 1) if goal.hit(100 * c / k)]


def easi_low_combos(n_total: int, max_y: int, goals: dict, two_by_two) -> list:
    """Every (y, a, m, c) with a/y and c/m printing as the published percentages and the
    2x2 test printing as the published p: "EASI < 7 at week 4" by baseline tacrolimus,
    y + m <= ``n_total`` patients with a week-4 EASI, y <= ``max_y`` users."""
    g_y, g_n, g_p = (goals["res_easilt7_w4_tacbl_pct"], goals["res_easilt7_w4_notacbl_pct"],
                     goals["res_easilt7_w4_p"])
    out = []
    for y in range(1, max_y + 1):
        for a in _hits(g_y, y):
            for m in range(1, n_total - y + 1):
                for c in _hits(g_n, m):
                    if g_p.hit(two_by_two(a, y - a, c, m - c)):
                        out.append((y, a, m, c))
    if not out:
        raise ValueError("no group sizes give the published EASI < 7 comparison")
    return out


def split_oddity(combo, r_y: int, r_n: int) -> int | None:
    """Evaluable patients at week 4 without a week-4 score that ``combo`` needs, None if
    it needs more patients in a group than the tables leave there."""
    y, _, m, _ = combo
    if y > r_y or m > r_n:
        return None
    return (r_y - y) + (r_n - m)


def visit_days(n: int, rng) -> np.ndarray:
    ady = ADY_NOMINAL + np.round(rng.standard_normal((n, 4)) * ADY_SD).astype(int)
    ady[:, 0] = 1 - (rng.random(n) < 0.3) * rng.integers(0, 15, n)
    return np.clip(ady, ADY_BOUNDS[:, 0], ADY_BOUNDS[:, 1])


def time_to_tacrolimus(path, present, ady, u, tac=(K_TAC, K_BOTH)):
    """Days from dupilumab start to first tacrolimus (event) or to the last topical visit
    (:func:`analysis.reconstruct.event_times.time_to_first`): baseline users start on
    day 0; a start first recorded at a visit lies at fraction ``u`` of the interval
    after the previous visit attended."""
    return time_to_first(path, present, ady, u, tac)


def _pick(mask, k, rng):
    idx = np.flatnonzero(mask)
    if idx.size < k:
        raise ValueError(f"need {k} patients, only {idx.size} qualify")
    return rng.choice(idx, k, replace=False) if k else idx[:0]


def followup_block(plan, ref_plan, rng, options: dict, two_by_two=None) -> dict:
    """Follow-up blocks of ``plan.n`` patients (the first ``plan.n_evaluable`` evaluable)."""
    n, n_ev = plan.n, plan.n_evaluable
    tac_bl = (K_TAC,) if options["tacbl_definition"] == "TAC" else (K_TAC, K_BOTH)
    combos = ()
    if two_by_two is not None:
        combos = easi_low_combos(sum(ref_plan.topical_visits[0]),
                                 sum(ref_plan.topical_base[k] for k in tac_bl),
                                 ref_plan.goals, two_by_two)
    tables = topical_tables(plan, ref_plan, options["mcnemar_variant"], combos, tac_bl)
    base_cat = np.repeat(np.arange(4), plan.topical_base)[rng.permutation(n_ev)]
    top_present_ev, path_ev = assign_paths(base_cat, tables, rng)
    split = None
    score_present_ev = top_present_ev.copy()
    if plan.reference:
        r_y = int(tables[0][list(tac_bl)].sum())
        r_n = int(tables[0].sum()) - r_y
        scored = [(o, c) for c in combos if (o := split_oddity(c, r_y, r_n)) is not None]
        y, a, m, c = min(scored)[1]
        split = (y, a, m, c, r_y - y, r_n - m)
        y_bl = np.isin(base_cat, tac_bl)
        seen4 = top_present_ev[:, 1]
        last_seen4 = seen4 & ~top_present_ev[:, 2] & ~top_present_ev[:, 3]
        for mask, k in ((y_bl, split[4]), (~y_bl, split[5])):
            # Prefer patients for whom week 4 was the last visit: then only the end of
            # their follow-up lacks scores, not a visit in the middle.
            pool = mask & last_seen4 if (mask & last_seen4).sum() >= k else mask & seen4
            score_present_ev[_pick(pool, k, rng), 1] = False
    ev_counts = score_present_ev.sum(axis=0).tolist()
    ne_counts = [n - n_ev] + [max(0, plan.score_n[v] - ev_counts[v]) for v in range(1, 4)]
    for v in range(1, 4):  # scaled plans: keep monotone
        ne_counts[v] = min(ne_counts[v], ne_counts[v - 1])
    ne_last = monotone_last_visit(np.zeros(n - n_ev, int), {0: ne_counts}, rng)
    present = np.vstack([score_present_ev, ne_last[:, None] >= np.arange(4)])
    top_present = np.vstack([top_present_ev, np.zeros((n - n_ev, 4), bool)])
    path = np.vstack([path_ev, np.full((n - n_ev, 4), -1)])
    easi_present = present.copy()
    drop = sum(plan.score_n) - sum(plan.easi_n)
    if drop > 0:
        at52 = present[:, 3]
        cand = at52 & (np.arange(n) >= n_ev)
        pool = cand if cand.sum() >= drop else at52
        easi_present[_pick(pool, drop, rng), 3] = False
    tacbl = np.r_[np.isin(base_cat, tac_bl), np.zeros(n - n_ev, bool)]
    ever = np.r_[(np.isin(path_ev, (K_TAC, K_BOTH))).any(axis=1), np.zeros(n - n_ev, bool)]
    severity = rng.standard_normal(n)
    itch = rng.standard_normal(n)
    nonresp = rng.standard_normal(n)
    scores = {}
    for p, scale in SCALES.items():
        w, v = PARAM_WEIGHT[p]
        base_latent = w * severity + v * itch + np.sqrt(1 - w * w - v * v) * rng.standard_normal(n)
        if p == "DLQI":  # tacrolimus goes with a lower burden (the paper's Cox and t-test)
            base_latent = base_latent - 0.35 * ever - 0.2 * tacbl
            # The Cox model's precision for DLQI (its printed CI and p) needs the spread of
            # baseline DLQI among evaluable patients a little above the cohort's: the
            # non-adherent patients sit nearer the middle.
            base_latent[n_ev:] *= 0.4
        values = np.full((n, 4), np.nan)
        pres = easi_present if p == "EASI" else present
        for v, visit in enumerate(("BASELINE", "WEEK 4", "WEEK 16", "WEEK 52")):
            mask = pres[:, v]
            mean, sd = plan.scores[p][visit]
            bands = _bands(plan, p, visit, int(mask.sum()), split)
            vals = sprite(int(mask.sum()), mean, sd, scale, rng, bands=bands,
                          shape=_shape(p, v, mean, sd))
            if v == 0:
                latent = base_latent
            else:
                latent = 0.45 * base_latent + 0.75 * nonresp + 0.5 * rng.standard_normal(n)
                if p == "EASI" and v == 1:
                    latent = latent - 0.5 * tacbl
            values[mask, v] = assign_by_rank(vals, latent[mask])
        scores[p] = values
    for (p, visit), target in plan.responders.items():
        v = ("BASELINE", "WEEK 4", "WEEK 16", "WEEK 52").index(visit)
        both = ~np.isnan(scores[p][:, 0]) & ~np.isnan(scores[p][:, v])
        scores[p][both, v] = swap_to_count(scores[p][both, 0], scores[p][both, v],
                                           lambda b, f: b - f >= RESPONSE, int(target), rng)
    return {
        "EVALFL": np.arange(n) < n_ev, "TOP_PRESENT": top_present, "PATH": path,
        "PRESENT": present, "EASI_PRESENT": easi_present, "ADY": visit_days(n, rng),
        "U": rng.random(n), "SCORES": scores, "TACBL": tacbl, "SPLIT": split, "TABLES": tables,
    }


def _shape(param: str, v: int, mean: float, sd: float):
    """Baseline EASI: eligibility needs severe disease, so the values start at the
    severe band and trail off to the right (a shifted gamma); others: the default."""
    if param == "EASI" and v == 0 and mean > EASI_SEVERE:
        from scipy import stats as sst

        k = ((mean - EASI_SEVERE) / sd) ** 2
        return sst.gamma(k, loc=EASI_SEVERE, scale=sd * sd / (mean - EASI_SEVERE))
    return None


def _bands(plan, p, visit, n_v, split):
    d = plan.bands.get((p, visit), {})
    out = []
    if "gt21" in d:
        out.append(Band(low=EASI_SEVERE, low_open=True, count=d["gt21"]))
    if "lt10" in d:
        out.append(Band(high=DLQI_LOW, high_open=True, count=d["lt10"]))
    if p == "EASI" and visit == "WEEK 4" and split is not None:
        y, a, m, c = split[:4]
        rest = n_v - y - m
        out.append(Band(high=EASI_LOW, high_open=True,
                        count=a + c + int(round(rest * (a + c) / (y + m)))))
    return out
