"""Ferrucci 2022 reconstruction, step 4b: the margin-preserving moves of the tuning search.

Two patients exchange their whole follow-up (who they are vs what happened to them),
or one score's trajectory (same visits attended), or an age, a course or a phenotype
(same sex, so Table I holds), or their topical therapy at one visit (same baseline
category, both seen: the transition tables hold); or a tacrolimus start moves inside
the interval between two visits, or a visit inside its window. Each move names the
groups of statistics it can change, so that only those are recomputed.
"""

from __future__ import annotations

import numpy as np

from analysis.reconstruct.anneal import Move
from analysis.reconstruct.ferrucci2022_followup import K_BOTH, K_TAC

GROUPS = ("cox", "gen", "rmst", "tacbl", "easi", "late", "plausible", "days")
FOLLOW_KEYS_2D = ("TOP_PRESENT", "PATH", "PRESENT", "EASI_PRESENT", "ADY",
                  "EASI", "PNRS", "SNRS", "DLQI")
FOLLOW_KEYS_1D = ("EVALFL", "U", "TACBL", "T", "E")
# An age-matched exchange of follow-up between the sexes picks among this many
# patients of the other sex nearest in age.
NEAREST_AGE = 8


class Moves:
    """Move proposals over a :class:`~analysis.reconstruct.ferrucci2022_tune.State`
    (``s``, ``f``, ``n``, ``dirty``, ``cache``, ``_prev``, ``refresh_tte``)."""

    def _tracked(self, propose, groups):
        def wrapped(rng):
            m = propose(rng)
            if m is None:
                return None

            touched = set(groups if m.touches is None else m.touches)

            def apply():
                m.apply()
                self.dirty |= touched

            def undo():
                m.undo()
                for g, old in self._prev.items():
                    if old is not None:
                        self.cache[g] = old
                self._prev = {}
                self.dirty.clear()
            return Move(apply, undo, m.name)
        return wrapped

    # --- moves -----------------------------------------------------------------------
    def _swap(self, table: dict, keys, i, j):
        for k in keys:
            a = table[k]
            a[[i, j]] = a[[j, i]]

    def _move(self, table, keys, i, j, name):
        return Move(lambda: self._swap(table, keys, i, j), lambda: self._swap(table, keys, i, j), name)

    def follow_swap(self, rng):
        f = self.f
        i, j = rng.choice(self.n, 2, replace=False)
        if not (f["EVALFL"][i] or f["EVALFL"][j]):
            return None
        # Women among baseline tacrolimus users, other evaluable patients and the
        # non-evaluable are set before the search (sex_cells): patients of different sex
        # exchange follow-up only within one of these classes.
        same_sex = self.s["SEX"][i] == self.s["SEX"][j]
        if not same_sex and (f["EVALFL"][i] != f["EVALFL"][j] or f["TACBL"][i] != f["TACBL"][j]):
            return None
        m = self._move(f, FOLLOW_KEYS_2D + FOLLOW_KEYS_1D, i, j, "follow")
        # The time to tacrolimus and EASI < 7 by baseline use live inside a block; with
        # the classes kept, the baseline-user comparisons move only through DLQI.
        m.touches = ("cox", "gen", "late") if same_sex else ("cox", "gen", "late", "tacbl")
        return m

    def sex_follow_swap(self, rng):
        """Follow-up exchanged between a woman and a man of nearly the same age (same
        class of evaluable / baseline user, as :meth:`follow_swap` requires): the
        association of sex with the follow-up moves, that of age hardly."""
        f, s = self.f, self.s
        i = rng.integers(self.n)
        if not f["EVALFL"][i]:
            return None
        cand = np.flatnonzero(f["EVALFL"] & (f["TACBL"] == f["TACBL"][i]) & (s["SEX"] != s["SEX"][i]))
        if cand.size == 0:
            return None
        near = cand[np.argsort(np.abs(s["AGE"][cand] - s["AGE"][i]), kind="stable")[:NEAREST_AGE]]
        m = self._move(f, FOLLOW_KEYS_2D + FOLLOW_KEYS_1D, i, near[rng.integers(near.size)], "sexfollow")
        m.touches = ("cox", "gen", "late", "tacbl")
        return m

    def late_course_swap(self, rng):
        """Course exchanged between two evaluable patients who both start tacrolimus
        after week 4 (same sex and onset, as for any course swap): the starts after
        week 16, a handful of patients, change their course while the model of starts
        after week 4 keeps its split of starters by course."""
        f, s = self.f, self.s
        on = np.isin(f["PATH"], (K_TAC, K_BOTH)) & f["TOP_PRESENT"]
        late = np.flatnonzero(f["EVALFL"] & ~on[:, :2].any(axis=1) & on[:, 2:].any(axis=1))
        if late.size < 2:
            return None
        i = late[rng.integers(late.size)]
        cand = late[(s["SEX"][late] == s["SEX"][i]) & (s["LATEONFL"][late] == s["LATEONFL"][i])
                    & (s["COURSE"][late] != s["COURSE"][i])]
        if cand.size == 0:
            return None
        return self._move(s, ("COURSE",), i, cand[rng.integers(cand.size)], "latecourse")

    def trajectory_swap(self, param: str):
        present = "EASI_PRESENT" if param == "EASI" else "PRESENT"

        def propose(rng):
            i = rng.integers(self.n)
            same = np.flatnonzero((self.f[present] == self.f[present][i]).all(axis=1))
            j = same[rng.integers(same.size)]
            if i == j or not (self.f["EVALFL"][i] or self.f["EVALFL"][j]):
                return None  # only evaluable patients enter the coupled statistics
            return self._move(self.f, (param,), i, j, param)
        return propose

    def baseline_swap(self, keys, same):
        def propose(rng):
            i = rng.integers(self.n)
            ok = np.ones(self.n, bool)
            for k in same:
                ok &= self.s[k] == self.s[k][i]
            cand = np.flatnonzero(ok & (self.s[keys[0]] != self.s[keys[0]][i]))
            if cand.size == 0:
                return None
            j = cand[rng.integers(cand.size)]
            return self._move(self.s, keys, i, j, keys[0])
        return propose

    def visit_swap(self, rng):
        f = self.f
        v = int(rng.integers(1, 4))
        i = rng.integers(self.n)
        if not f["TOP_PRESENT"][i, v]:
            return None
        cand = np.flatnonzero(f["TOP_PRESENT"][:, v] & (f["PATH"][:, 0] == f["PATH"][i, 0])
                              & (f["PATH"][:, v] != f["PATH"][i, v]))
        if cand.size == 0:
            return None
        j = cand[rng.integers(cand.size)]

        def flip():
            p = f["PATH"]
            p[i, v], p[j, v] = p[j, v], p[i, v]
            self.refresh_tte([i, j])
        return Move(flip, flip, "visit")

    def start_shift(self, rng):
        f = self.f
        i = rng.integers(self.n)
        if not (f["E"][i] and f["T"][i] > 0):
            return None
        old, new = f["U"][i], rng.random()

        def set_u(u):
            f["U"][i] = u
            self.refresh_tte([i])
        return Move(lambda: set_u(new), lambda: set_u(old), "start")

    def day_shift(self, rng):
        """Move one visit of one evaluable patient to another day of its window; half of
        the time the patient is one of the five followed longest, whose last visit sets
        the restriction time of the Kaplan-Meier mean."""
        from analysis.reconstruct.ferrucci2022_followup import ADY_BOUNDS

        f = self.f
        if rng.random() < 0.5:
            last = np.where(f["EVALFL"] & f["TOP_PRESENT"][:, 3], f["ADY"][:, 3], -1)
            i, v = int(rng.choice(np.argsort(-last, kind="stable")[:5])), 3
        else:
            i, v = rng.integers(self.n), int(rng.integers(1, 4))
        if not (f["EVALFL"][i] and f["TOP_PRESENT"][i, v]):
            return None
        lo, hi = ADY_BOUNDS[v]
        old = int(f["ADY"][i, v])
        new = int(np.clip(old + rng.integers(-25, 26), lo, hi))
        if new == old:
            return None

        def set_day(d):
            f["ADY"][i, v] = d
            self.refresh_tte([i])
        return Move(lambda: set_day(new), lambda: set_day(old), "day")

    def moves(self, names=None):
        """Weighted move proposals; ``names`` selects some (None = all)."""
        t = self._tracked
        table = {
            "follow": (3.0, t(self.follow_swap, GROUPS)),
            "dlqi": (1.5, t(self.trajectory_swap("DLQI"), ("cox", "tacbl", "plausible"))),
            "easi": (1.0, t(self.trajectory_swap("EASI"), ("easi", "plausible"))),
            "age": (1.0, t(self.baseline_swap(("AGE", "AGEDIAG"), ("SEX", "LATEONFL")), ("cox", "late"))),
            "course": (0.7, t(self.baseline_swap(("COURSE",), ("SEX", "LATEONFL")), ("late",))),
            "phenotype": (0.7, t(self.baseline_swap(("PHEN", "CLASSFL", "GENERFL", "PRURFL", "NUMMFL"),
                                                    ("SEX",)), ("gen",))),
            "visit": (1.5, t(self.visit_swap, ("cox", "gen", "rmst", "late"))),
            "start": (1.0, t(self.start_shift, ("cox", "gen", "rmst"))),
            "day": (0.7, t(self.day_shift, ("cox", "gen", "rmst", "days"))),
            "sexfollow": (1.0, t(self.sex_follow_swap, GROUPS)),
            "latecourse": (0.5, t(self.late_course_swap, ("late",))),
        }
        return [table[k] for k in (names or table)]
