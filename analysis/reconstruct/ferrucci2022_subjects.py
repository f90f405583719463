"""Ferrucci 2022 reconstruction, step 2: the baseline characteristics of each patient.

Sex, course, phenotype and critical sites are allocated exactly by sex (Table I);
comorbidities with their "at least one" total; prior systemic treatments; ages by
SPRITE with the age at diagnosis bounded by the patient's age and bimodal (childhood
onset, or adult onset for the late-onset course). Latent scores make the allocation
plausible: late onset goes with older patients, generalized disease with more severe
ones, comorbidities cluster (the atopic march).
"""

from __future__ import annotations

import numpy as np
from scipy import stats as sst

from analysis.reconstruct.allocation import allocate_flags, assign_categories
from analysis.reconstruct.sprite import Scale, sprite, sprite_bounded

AGE_SCALE = Scale(18, 85, 0.1)
AGEDIAG_SCALE = Scale(0, 90, 1)
ADULT_ONSET = 18
MIN_DURATION = 2
START_FIRST = np.datetime64("2018-06-01")
START_LAST = np.datetime64("2019-11-30")
# Mean years from dupilumab start to the last recorded visit (drives AGECUR - AGE);
# set from the visit pattern in ferrucci2022_followup (about 0.67 years).
PHENOTYPES = ("CLASS", "GENER", "PRUR", "NUMM")
SITE_FLAGS = {"SITEFACE": "FACE", "SITEHAND": "HANDS", "SITEGEN": "GENITALIA"}


def _age_aim(plan, follow_years: float) -> tuple[float, float]:
    """AGE mean and SD to aim at so that AGE and AGECUR (= AGE + follow-up) both print right."""
    (m1, s1), (m2, s2) = plan.ages["AGE"], plan.ages["AGECUR"]
    h = 0.5
    lo = max(m1 - h, m2 - h - follow_years)
    hi = min(m1 + h, m2 + h - follow_years)
    if lo >= hi:
        lo, hi = m1 - h, m1 + h
    return (lo + hi) / 2, (s1 + s2) / 2


def ages(plan, late: np.ndarray, rng, follow_years: float = 0.67):
    """AGE (years, 0.1 steps) and AGEDIAG (whole years), AGEDIAG <= AGE.

    Late-onset patients are diagnosed at 18 or later; the others in childhood,
    mostly in the first years of life (the bimodal shape a mean of 12 with an SD of
    19 implies when a quarter of patients have adult onset).
    """
    n = late.size
    mean, sd = _age_aim(plan, follow_years)
    age_values = sprite(n, mean, sd, AGE_SCALE, rng,
                        shape=sst.gamma(2.6, loc=18, scale=(mean - 18) / 2.6))
    # Late-onset patients take older ages (rank coupling with noise).
    score = late * 1.6 + 0.9 * rng.standard_normal(n)
    age = np.empty(n)
    age[np.argsort(score, kind="stable")] = np.sort(age_values)
    # Adult onset needs time for the disease to become severe and fail cyclosporine
    # before dupilumab: at least MIN_DURATION years between diagnosis and dupilumab.
    young_late = np.flatnonzero(late & (age < ADULT_ONSET + MIN_DURATION))
    donors = np.flatnonzero(~late & (age >= ADULT_ONSET + MIN_DURATION))
    swap = donors[np.argsort(age[donors], kind="stable")[:young_late.size]]
    age[young_late], age[swap] = age[swap], age[young_late].copy()
    diag = np.zeros(n)
    early = ~late
    diag[early] = np.minimum(rng.geometric(0.28, int(early.sum())) - 1, 17)
    span = np.floor(age[late]) - MIN_DURATION - ADULT_ONSET
    diag[late] = ADULT_ONSET + np.floor(rng.beta(2.0, 1.3, int(late.sum())) * np.maximum(span, 0))
    low = np.where(late, ADULT_ONSET, 0.0)
    high = np.where(late, np.maximum(np.floor(age) - MIN_DURATION, ADULT_ONSET),
                    np.minimum(17, np.floor(age)))
    (dm, ds) = plan.ages["AGEDIAG"]
    diag = sprite_bounded(diag, low, high, dm, ds, AGEDIAG_SCALE, rng, sd_tol=0.1)
    return np.round(age, 1), diag


def subjects_block(plan, rng, follow_years: float = 0.67) -> dict:
    """Baseline arrays (one entry per patient) for ``plan``."""
    n = plan.n
    sex = np.array(["M"] * plan.sex["M"] + ["F"] * plan.sex["F"], dtype=object)
    sex = sex[rng.permutation(n)]
    severity = rng.standard_normal(n)
    atopy = rng.standard_normal(n)
    oldness = rng.standard_normal(n)
    course_order = {s: {k: plan.course[s][k] for k in ("OTHER", "RELAPSING", "PERSISTENT")}
                    for s in plan.course}
    course = assign_categories(sex, course_order, rng, score=oldness + 0.6 * rng.standard_normal(n))
    late = course == "OTHER"
    age, agediag = ages(plan, late, rng, follow_years)
    phen_order = {s: {k: plan.phenotype[s][k] for k in ("GENER", "PRUR", "NUMM", "CLASS")}
                  for s in plan.phenotype}
    phen = assign_categories(sex, phen_order, rng, score=severity + rng.standard_normal(n))
    sites = assign_categories(sex, plan.sites, rng)
    comorb = allocate_flags(n, plan.comorb, rng, union=plan.comorb_union, score=atopy)
    prior = allocate_flags(n, plan.prior, rng, score=severity + rng.standard_normal(n),
                           cooccur=0.5)
    span = int((START_LAST - START_FIRST).astype(int))
    start = START_FIRST + rng.integers(0, span + 1, n).astype("timedelta64[D]")
    out = {
        "SEX": sex, "AGE": age, "AGEDIAG": agediag, "COURSE": course,
        "LATEONFL": np.where(late, "Y", "N"), "TRTSDT": start, "PHEN": phen, "SITES": sites,
        "SEVERITY": severity,
    }
    for code in PHENOTYPES:
        out[{"CLASS": "CLASSFL", "GENER": "GENERFL", "PRUR": "PRURFL", "NUMM": "NUMMFL"}[code]] = \
            np.where(phen == code, "Y", "N")
    labels = np.array(sorted(set(sites.tolist())), dtype=object)
    codes = np.searchsorted(labels, sites)
    for col, name in SITE_FLAGS.items():
        has = np.array([name in str(lab).split("+") for lab in labels])
        out[col] = np.where(has[codes], "Y", "N")
    anyc = np.zeros(n, dtype=bool)
    for col, flag in comorb.items():
        out[col] = np.where(flag, "Y", "N")
        anyc |= flag
    out["COMORBFL"] = np.where(anyc, "Y", "N")
    for col, flag in prior.items():
        out[col] = np.where(flag, "Y", "N")
    return out
