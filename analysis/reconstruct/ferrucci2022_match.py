"""Ferrucci 2022 reconstruction, step 4a: hand the follow-up blocks to patients.

Before the search tunes the coupled statistics, follow-up blocks (what happened to a
patient) are given to patients (who they are) so that every association the paper
states in words starts with the right sign, and the discrete female counts of the
baseline-tacrolimus comparison are set exactly.
"""

from __future__ import annotations

import numpy as np

from analysis.reconstruct.ferrucci2022_followup import K_BOTH, K_TAC


def sex_cells(goal, n_tacbl: int, n_eval: int, n_female: int, n_total: int, two_by_two,
              share: float = 0.6) -> tuple[int, int]:
    """Females among baseline tacrolimus users (a) and among the other evaluable patients
    (c) such that the sex comparison prints as published; of the admissible cells, the
    one nearest ``share`` females among users and a proportional share among the
    non-evaluable. Fixing them before the search removes a discrete puzzle from it."""
    n_other = n_eval - n_tacbl
    n_ne = n_total - n_eval
    a0 = share * n_tacbl
    c0 = n_female - a0 - n_ne * n_female / n_total
    best = None
    for a in range(n_tacbl + 1):
        for c in range(n_other + 1):
            if not 0 <= n_female - a - c <= n_ne:
                continue
            if goal.hit(two_by_two((a, n_tacbl - a, c, n_other - c))):
                d = (a - a0) ** 2 + (c - c0) ** 2
                if best is None or d < best[0]:
                    best = (d, (a, c))
    if best is None:
        raise ValueError("no sex distribution gives the published comparison")
    return best[1]


def initial_match(subj: dict, fu: dict, rng, females=None) -> np.ndarray:
    """Order of follow-up blocks for patients: patient i gets block ``order[i]``.

    Blocks are handed out by kind, each kind to the patients the paper links with it,
    with noise, so that every association starts with the sign the paper states and
    the search only tunes its size: tacrolimus starters after week 4 to relapsing and
    younger patients; baseline users and early starters to female, younger,
    non-generalized patients; the rest at random. ``females`` = (a, c) fixes how many
    baseline users and other evaluable patients are women (:func:`sex_cells`).
    """
    n = subj["SEX"].size
    evaluable = fu["EVALFL"]
    female = subj["SEX"] == "F"
    on = np.isin(fu["PATH"], (K_TAC, K_BOTH)) & fu["TOP_PRESENT"]
    tacbl = fu["TACBL"] & evaluable
    late = evaluable & ~on[:, :2].any(axis=1) & on[:, 2:].any(axis=1)
    early = evaluable & on[:, :2].any(axis=1) & ~tacbl
    age = subj["AGE"]
    z_late = (0.8 * (subj["COURSE"] == "RELAPSING") - 0.03 * (age - age.mean())
              + 0.6 * rng.standard_normal(n))
    z_early = (0.45 * female - 0.012 * (age - age.mean())
               + 0.35 * (subj["GENERFL"] == "N") + 0.8 * rng.standard_normal(n))
    order = np.full(n, -1, dtype=np.int64)
    free = np.ones(n, dtype=bool)

    def hand(blocks, score, quota=None):
        blocks = rng.permutation(np.flatnonzero(blocks))
        if quota is None:
            cand = np.flatnonzero(free)
            chosen = cand[np.argsort(-score[cand], kind="stable")[:blocks.size]]
        else:
            chosen = []
            for sex_mask, k in ((female, quota), (~female, blocks.size - quota)):
                cand = np.flatnonzero(free & sex_mask)
                chosen.extend(cand[np.argsort(-score[cand], kind="stable")[:k]])
            chosen = np.array(chosen, dtype=np.int64)
        order[chosen] = blocks
        free[chosen] = False

    if females is None:
        hand(~evaluable, rng.random(n))
        hand(tacbl, z_early)
    else:
        a, c = females
        hand(~evaluable, rng.random(n), quota=int(female.sum()) - a - c)
        hand(tacbl, z_early, quota=a)
    hand(late, z_late)
    hand(early, z_early)
    hand(evaluable & ~late & ~early & ~tacbl, rng.random(n))
    return order
