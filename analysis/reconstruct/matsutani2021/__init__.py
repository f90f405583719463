"""Matsutani 2021 reference cohort: synthetic patients calibrated to the printed numbers.

The paper's patients are not public. :func:`build` makes a cohort of the published
size (109 dupilumab starters; 40 tacrolimus with topical corticosteroids on the head
and neck, 20 tacrolimus alone = the analysed group, 49 without tacrolimus) whose
analysis by ``analysis.studies.matsutani2021`` gives back every number of
``data/targets/matsutani2021.yaml``. Every row is flagged ``SYNTHFL = "Y"``.

How each published number is met:

- group sizes, ointment strengths (14 on 0.1 %, 5 on 0.03 %, 1 switching
  0.03 -> 0.1 %: "75 %" and "6" under the ever-used rule), adverse events: exact
  allocation of the counts the catalogue implies;
- % reductions of the group means at week 16: each patient gets a baseline and an
  individual improvement driven by a latent response score (shared by the measures,
  so a patient who responds well does so on every scale), then values are moved one
  scale step at a time (never above the patient's own baseline) until the reduction
  of means prints as published;
- the EASIHN/EASI improvement-rate correlation (P < .01) follows from the shared
  response score; each candidate cohort is run through the study and the verify
  scorecard, and the next draw of the same generator is tried if anything misses.

Head/neck EASI values are products of an intensity sum (0-12) and an area score
(0-6) times the head/neck weight 0.1, as the EASI form allows. Numbers the paper does
not print (sex, age, start dates, week-4 values, AEs outside the printed ones, the
other groups' measurements) are plausible assumptions, not calibrated to anything.

Examples
--------
>>> ds = build(seed=1, n=300)                                    # doctest: +SKIP
>>> ds["subjects"]["TACGRP"].value_counts().to_dict()            # doctest: +SKIP
{'NONE': 135, 'TAC_TCS': 110, 'TAC_ONLY': 55}
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.io.dataset import Dataset
from analysis.reconstruct.allocation import largest_remainder
from analysis.reconstruct.goals import TargetsMissed
from analysis.reconstruct.matsutani2021.scales import TARC_FLOOR, measures, tune_reduction

__all__ = ["build", "tune_reduction", "SEED", "NOTE", "readme_note"]

STUDY = "matsutani2021"
SEED = 20210622
GROUPS = ("NONE", "TAC_TCS", "TAC_ONLY")
VISITS = (("BASELINE", 0), ("WEEK 4", 4), ("WEEK 16", 16))
MAX_ATTEMPTS = 50
VERIFY_MAX_N = 20000
# Plausible but unpublished rates (per cent of group): (conjunctivitis, herpes simplex)
ASSUMED_AE = {"NONE": (8.0, 2.0), "TAC_TCS": (10.0, None), "TAC_ONLY": (None, None)}
ASSUMED_MALE = 0.65
ASSUMED_TCS_LOW_STRENGTH = 0.15


# ------------------------------------------------------------------- catalogue facts

def _facts() -> dict:
    """The printed numbers this cohort is built to return (read from the catalogue)."""
    from analysis.targets.catalogue import load_study

    cat = load_study(STUDY)

    def pick(**sel):
        vals = {r.printed.value for r in cat.records
                if all(r.selector.get(k, "") == v for k, v in sel.items())}
        if len(vals) != 1:
            raise ValueError(f"catalogue: {len(vals)} printed values for {sel}")
        return float(vals.pop())

    def window(**sel):
        recs = [r for r in cat.records if all(r.selector.get(k, "") == v for k, v in sel.items())]
        half = 0.5 * 10.0 ** -recs[0].decimals
        return float(recs[0].printed.value) - half, float(recs[0].printed.value) + half

    only, tcs = "TACGRP=TAC_ONLY", "TACGRP=TAC_TCS"
    f = {
        "starters": pick(analysis="patient_flow", variable="STARTERS"),
        "users": pick(analysis="patient_flow", variable="TACROLIMUS", statistic="count"),
        "TAC_TCS": pick(analysis="patient_flow", variable="TACGRP=TAC_TCS"),
        "TAC_ONLY": pick(analysis="patient_flow", variable="TACGRP=TAC_ONLY"),
        "ever_01_pct": pick(analysis="ointment_strength_ever", variable="TACSTR=0.1"),
        "ever_003": pick(analysis="ointment_strength_ever", variable="TACSTR=0.03"),
        "switch": pick(analysis="ointment_strength_ever", variable="SWITCH=0.03->0.1"),
        "conj_only_pct": pick(analysis="adverse_events", variable="AEDECOD=CONJUNCTIVITIS", group=only),
        "herpes_only": pick(analysis="adverse_events", variable="AEDECOD=HERPES SIMPLEX", group=only,
                            statistic="count"),
        "herpes_tcs_pct": pick(analysis="adverse_events", variable="AEDECOD=HERPES SIMPLEX", group=tcs),
        "reduction": {p: window(analysis="pct_reduction_of_means", variable=p)
                      for p in ("IGA", "EASI", "EASIHN", "POEM", "TARC")},
    }
    f["NONE"] = f["starters"] - f["users"]
    return f


def _sizes(f: dict, n: int | None) -> dict:
    pub = {g: int(f[g]) for g in GROUPS}
    if n is None:
        return pub
    return dict(zip(GROUPS, (int(k) for k in largest_remainder([pub[g] for g in GROUPS], n))))


# ----------------------------------------------------------------------- the cohort

def _strength_mix(f: dict) -> list[int]:
    """Patients on 0.1 % only, 0.03 % only, and switching 0.03 -> 0.1 %, from the printed
    ever-used counts: the switcher is in both "75 %" and "6"."""
    m, s = int(f["TAC_ONLY"]), int(f["switch"])
    only01 = int(round(f["ever_01_pct"] * m / 100)) - s
    only003 = int(f["ever_003"]) - s
    if min(only01, only003) < 0 or only01 + only003 + s != m:
        raise ValueError(f"strength counts {only01}+{only003}+{s} do not make {m} patients")
    return [only01, only003, s]


def _allocate(mask, counts: list[int], labels: list, rng, fill=None) -> np.ndarray:
    """Give ``counts[i]`` of the patients in ``mask`` the label ``labels[i]`` at random."""
    out = np.full(mask.size, fill, dtype=object)
    where = rng.permutation(np.flatnonzero(mask))
    start = 0
    for c, lab in zip(counts, labels):
        out[where[start:start + c]] = lab
        start += c
    return out


def _candidate(rng, sizes: dict, f: dict) -> Dataset:
    n = sum(sizes.values())
    grp = rng.permutation(np.repeat(np.array(GROUPS, dtype=object), [sizes[g] for g in GROUPS]))
    ids = np.array([f"M{i + 1:0{max(3, len(str(n)))}d}" for i in range(n)], dtype=object)
    start = pd.Timestamp("2018-04-01")
    days = np.sort(rng.integers(0, (pd.Timestamp("2020-07-31") - start).days + 1, n))
    subjects = pd.DataFrame({
        "USUBJID": ids, "SEX": np.where(rng.random(n) < ASSUMED_MALE, "M", "F"),
        "AGE": np.clip(np.rint(rng.normal(38, 13, n)), 18, 85).astype(int),
        "TRTSDT": (start + pd.to_timedelta(days, unit="D")).strftime("%Y-%m-%d"),
        "TACGRP": grp, "SYNTHFL": "Y",
    })
    vals = measures(grp, rng, f["reduction"])
    ady = np.vstack([np.ones(n, int), np.clip(np.rint(rng.normal(29, 3, n)), 22, 36),
                     np.clip(np.rint(rng.normal(113, 7, n)), 99, 127)]).astype(int)
    # built directly in (patient, parameter, visit) order: no sort of millions of rows
    params = sorted(vals)
    nv = len(VISITS)
    aval = np.stack([vals[p] for p in params])            # (param, visit, patient)
    meas = pd.DataFrame({
        "USUBJID": np.repeat(ids, len(params) * nv),
        "PARAMCD": np.tile(np.repeat(np.array(params, dtype=object), nv), n),
        "AVISIT": np.tile(np.array([v for v, _ in VISITS], dtype=object), n * len(params)),
        "AVISITN": np.tile(np.array([w for _, w in VISITS]), n * len(params)),
        "ADY": np.tile(ady.T, (1, len(params))).ravel(),
        "AVAL": aval.transpose(2, 0, 1).ravel(),
    })

    # ointment strength per visit (BASELINE, WEEK 4, WEEK 16)
    m = sizes["TAC_ONLY"]
    kinds = _allocate(grp == "TAC_ONLY", [int(k) for k in largest_remainder(_strength_mix(f), m)],
                      ["0.1", "0.03", "0.03->0.1"], rng)
    tcs = grp == "TAC_TCS"
    low = int(round(ASSUMED_TCS_LOW_STRENGTH * tcs.sum()))
    kinds[tcs] = _allocate(tcs, [low, int(tcs.sum()) - low], ["0.03", "0.1"], rng)[tcs]
    strength = np.full((3, n), np.nan)
    for lab, seq in (("0.1", (0.1,) * 3), ("0.03", (0.03,) * 3), ("0.03->0.1", (0.03, 0.03, 0.1))):
        strength[:, kinds == lab] = np.array(seq)[:, None]
    user = np.repeat(grp != "NONE", nv)
    topicals = pd.DataFrame({
        "USUBJID": np.repeat(ids, nv),
        "AVISIT": np.tile(np.array([v for v, _ in VISITS], dtype=object), n),
        "AVISITN": np.tile(np.array([w for _, w in VISITS]), n),
        "TOPICAL": np.where(user, "BOTH", "TCS"),
        "TACSTR": strength.T.ravel(),
        "TACSITE": np.where(user, "HEAD/NECK", ""),
    })

    ev = []
    for g in GROUPS:
        mask = grp == g
        size = int(mask.sum())
        conj, herp = ASSUMED_AE[g]
        if g == "TAC_ONLY":
            conj, herp = f["conj_only_pct"], 100.0 * f["herpes_only"] / f["TAC_ONLY"]
        if g == "TAC_TCS":
            herp = f["herpes_tcs_pct"]
        for term, pct in (("CONJUNCTIVITIS", conj), ("HERPES SIMPLEX", herp)):
            who = _allocate(mask, [int(round(pct * size / 100))], [term], rng)
            hit = np.flatnonzero(who == term)
            ev.append(pd.DataFrame({"USUBJID": ids[hit], "AEDECOD": term,
                                    "ASTDY": rng.integers(7, 113, hit.size)}))
    events = pd.concat(ev, ignore_index=True).sort_values(["USUBJID", "AEDECOD"], ignore_index=True)
    tables = {"subjects": subjects, "measurements": meas, "topicals": topicals, "events": events}
    return Dataset(tables=tables, sources={k: f"{STUDY} reconstruction" for k in tables},
                   name=f"{STUDY} reference (synthetic)", synthetic=True)


def _misses(ds: Dataset) -> dict:
    """Records that do not print as published: id -> (printed, value reached)."""
    from analysis.studies import matsutani2021 as study
    from analysis.targets.verify import verify_study

    card = verify_study(STUDY, study.run(ds))
    return _named(card[~card["status"].isin(["reproduced", "inconsistent-in-source"])])


def _named(rows) -> dict:
    return {r.id: (str(r.printed), r.rebuilt_full) for r in rows.itertuples()}


def build(seed: int = SEED, n: int | None = None) -> Dataset:
    """A synthetic Matsutani cohort; ``n=None`` gives the published sizes.

    Parameters
    ----------
    seed : int
        Seed of the :class:`numpy.random.Generator`; the same seed gives the same cohort.
    n : int, optional
        Number of dupilumab starters; the groups keep the published proportions.

    Returns
    -------
    Dataset
        ``subjects``, ``measurements``, ``topicals``, ``events``, all flagged synthetic.
        Up to :data:`VERIFY_MAX_N` patients, each candidate is checked with the study
        code against the catalogue and redrawn if a number misses.
    """
    f = _facts()
    sizes = _sizes(f, n)
    rng = np.random.default_rng(seed)
    missed: dict = {}
    for _ in range(MAX_ATTEMPTS):
        try:
            ds = _candidate(rng, sizes, f)
        except RuntimeError as err:      # a reduction of means that did not converge
            missed = {"pct_reduction_of_means": ("", str(err))}
            continue
        if sum(sizes.values()) > VERIFY_MAX_N:
            return ds
        missed = _misses(ds) if n is None else _scaled_misses(ds)
        if not missed:
            return ds
    raise TargetsMissed(STUDY, seed, missed, f"in {MAX_ATTEMPTS} draws")


def _scaled_misses(ds: Dataset) -> dict:
    """For other sizes only the size-free targets (reductions, correlation p) must hold."""
    from analysis.studies import matsutani2021 as study
    from analysis.targets.verify import verify_study

    card = verify_study(STUDY, study.run(ds))
    free = card["kind"].isin(["reduction", "p_value"])
    return _named(card[free & (card["status"] != "reproduced")])


NOTE = f"""## How this cohort was made ({STUDY})

- Calibrated to print as published (`dupitac verify --study {STUDY}`): group sizes
  (109 starters: 49 NONE, 40 TAC_TCS, 20 TAC_ONLY = the analysed group); 0.1 % / 0.03 %
  ointment use under the ever-used rule (14 on 0.1 %, 5 on 0.03 %, 1 switching
  0.03 -> 0.1 % at week 16); reductions of the group means of IGA, EASI, head/neck EASI,
  POEM and TARC from baseline to week 16 in the analysed group; the correlation of
  head/neck EASI and EASI improvement rates (P < .01); conjunctivitis 2/20 and herpes
  simplex 0/20 in the analysed group, herpes simplex 3/40 in TAC_TCS.
- Assumptions, calibrated to nothing: sex (about {ASSUMED_MALE:.0%} male), age, start dates
  (April 2018 - July 2020), the week-4 visit (45-85 % of each patient's week-16 change),
  the measurements of the TAC_TCS and NONE groups, strength use in TAC_TCS
  ({ASSUMED_TCS_LOW_STRENGTH:.0%} on 0.03 %), conjunctivitis outside the analysed group
  (10 % TAC_TCS, 8 % NONE), herpes simplex without tacrolimus (2 %), whole-body topicals
  (TCS; BOTH for tacrolimus users, with tacrolimus on HEAD/NECK). TARC after treatment is
  never below {TARC_FLOOR} pg/mL; head/neck EASI values are intensity sum x area score x 0.1.
"""


def readme_note(seed: int, n: int | None) -> str:
    """The README's account of how the cohort was made: :data:`NOTE`, and at another
    size which numbers were checked while building."""
    if n is None:
        return NOTE
    checked = ("the size-free numbers (reductions of means, the correlation P)"
               if n <= VERIFY_MAX_N else f"none (more than {VERIFY_MAX_N} patients)")
    return (NOTE.rstrip() + f"\n- Size: {n} starters in the published group proportions "
            "(the counts above are those of the 109 published patients and scale with the "
            f"size); checked while building: {checked}.\n")
