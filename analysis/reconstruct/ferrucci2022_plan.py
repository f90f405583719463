"""Ferrucci 2022 reconstruction, step 1: the published numbers and the cohort's shape.

Every count, mean and SD comes from the targets catalogue ``data/targets/ferrucci2022.yaml``
(by record id), never retyped here. What the paper does not print (the n of the
patient-reported scores at weeks 4 and 16, sleep NRS at weeks 4 and 16, which patients
miss a visit) is an *assumption*, listed in :data:`ASSUMPTIONS` and written into the
cohort's README.

For another size n every count is scaled by largest remainders, so rates and table
shapes stay those of the paper.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from analysis.reconstruct.allocation import largest_remainder, scale_table
from analysis.reconstruct.dropout import scale_visits
from analysis.reconstruct.goals import Goal

STUDY = "ferrucci2022"
VISITS = ("BASELINE", "WEEK 4", "WEEK 16", "WEEK 52")
TOPICALS = ("NONE", "TCS", "TAC", "BOTH")
SITE_ROWS = {"GENITALIA": "gen", "HANDS": "hand", "HANDS+GENITALIA": "handgen", "FACE": "face",
             "FACE+GENITALIA": "facegen", "FACE+HANDS": "facehand",
             "FACE+HANDS+GENITALIA": "facehandgen"}
COMORB = {"RHINFL": "rhin", "CONJFL": "conj", "ASTHFL": "asth", "FOODFL": "food"}
PRIOR = {"PCYCLOFL": "cyclo", "PSCSFL": "scs", "PPHOTOFL": "photo", "PMTXFL": "mtx",
         "PALITRFL": "alitr", "PAZAFL": "aza"}
VISIT_KEY = {"BASELINE": "bl", "WEEK 4": "w4", "WEEK 16": "w16", "WEEK 52": "w52"}

# Sleep NRS at weeks 4 and 16 is not printed; values between baseline and week 52,
# compatible with the printed responder counts.
SNRS_UNPRINTED = {"WEEK 4": (2.1, 2.4), "WEEK 16": (1.5, 2.1)}

ASSUMPTIONS = (
    "Dropout is monotone (a patient who misses a visit misses the later ones) except where "
    "Table II's row margins need a few patients to miss week 4 and come back at week 16.",
    "A few evaluable patients have a week-4 topical record but no week-4 scores: the group "
    "sizes that let EASI < 7 at week 4 by baseline tacrolimus print as published (with the "
    "study's 2x2 test) are smaller than the numbers of patients that Table II's McNemar "
    "p-values need at week 4.",
    "Time to tacrolimus: baseline users start on day 0; a start first recorded at a visit "
    "happened after the previous visit attended; patients who never use it are censored at "
    "their last topical-therapy visit.",
    "Itch NRS, sleep NRS and DLQI are recorded whenever EASI is (n per visit as for EASI); "
    "at week 52 one patient has them without an EASI (DLQI < 10 is printed as 192 = 94.1 %, "
    "which needs n = 204, while EASI has n = 203).",
    "Sleep NRS at weeks 4 and 16 (not printed): mean 2.1 (SD 2.4) and 1.5 (SD 2.1).",
    "Relapsing, persistent and late onset are exclusive courses (their counts add up to "
    "each column of Table I); late onset means an age at diagnosis of 18 or more.",
    "Classic, generalized, nodular prurigo and nummular are exclusive phenotypes (they add "
    "up to each column of Table I).",
    "Critical-site rows are exclusive combinations; the patients in none of them (1 male, "
    "3 females) have no critical site.",
    "Age at enrolment (AGECUR) is the age at the patient's last recorded visit.",
    "Non-evaluable patients (non-adherence) have scores but no topical-therapy records; their "
    "baseline DLQI lies nearer the middle of the distribution than the evaluable patients'.",
    "Adult onset is at least 2 years before dupilumab; AGEDIAG is in whole years.",
    "Visit days vary inside their windows; the median day of each follow-up visit lies within "
    "2 days of its nominal day (week x 7 + 1).",
)


def catalogue():
    from analysis.targets.catalogue import load_study

    return load_study(STUDY)


@dataclass
class Numbers:
    """Access to printed values by catalogue id."""

    cat: object = field(default_factory=catalogue)

    def value(self, rid: str, index: int = 0) -> float:
        return float(self.cat.record(rid).printed.numbers[index])

    def count(self, rid: str) -> int:
        v = self.cat.record(rid).printed.numbers[0]
        if v != v.to_integral_value():
            raise ValueError(f"{rid} is not a count: {v}")
        return int(v)

    def goal(self, rid: str, margin: float = 0.01, index: int = 0) -> Goal:
        rec = self.cat.record(rid)
        return Goal.printed(rec.value, rec.comparator, margin=margin, index=index,
                            log=rec.kind == "p_value")

    def excused(self, rid: str) -> bool:
        return rid in self.cat and self.cat.record(rid).excused


def denominator(count: int, percent: Decimal | float, decimals: int, near: int) -> int:
    """The n nearest ``near`` for which ``count / n`` prints as ``percent``.

    >>> denominator(192, 94.1, 1, 203)
    204
    """
    h = 0.5 * 10 ** (-decimals)
    cands = [n for n in range(max(count, 1), 10 * near + 10)
             if float(percent) - h <= 100 * count / n < float(percent) + h]
    if not cands:
        raise ValueError(f"no n gives {count} = {percent} %")
    return min(cands, key=lambda n: (abs(n - near), n))


@dataclass
class Plan:
    """Counts and targets of the cohort at size ``n``."""

    n: int
    reference: bool
    sex: dict
    course: dict
    phenotype: dict
    sites: dict
    comorb: dict
    comorb_union: int
    prior: dict
    ages: dict
    n_evaluable: int
    topical_base: list
    topical_visits: list
    mcnemar_goals: list
    score_n: list
    easi_n: list
    scores: dict
    bands: dict
    responders: dict
    low_dlqi: dict
    goals: dict
    numbers: Numbers

    def scale(self, total: int) -> int:
        """A reference count scaled to this plan's size."""
        return int(round(total * self.n / 342)) if not self.reference else total


def _by_sex(num: Numbers, rows: dict, key: str, rest: str | None = None) -> dict:
    out = {}
    for sex, col in (("M", "m"), ("F", "f")):
        n_sex = num.count(f"t1_n_{col}")
        counts = {label: num.count(f"t1_{stem}_{col}_count") for label, stem in rows.items()}
        if rest is not None:
            counts[rest] = n_sex - sum(counts.values())
        if sum(counts.values()) != n_sex:
            raise ValueError(f"Table I {key} rows do not add up to the {sex} column")
        out[sex] = counts
    return out


def reference_plan(num: Numbers | None = None) -> Plan:
    num = num or Numbers()
    n = num.count("t1_n_t")
    course = _by_sex(num, {"RELAPSING": "relapsing", "PERSISTENT": "persistent",
                           "OTHER": "lateonset"}, "course")
    phen = _by_sex(num, {"CLASS": "classic", "GENER": "generalized", "PRUR": "prurigo",
                         "NUMM": "nummular"}, "phenotype")
    sites = _by_sex(num, SITE_ROWS, "sites", rest="")
    visits_n = [num.count(f"res_easi_{VISIT_KEY[v]}_n") for v in VISITS]
    dlqi_w52_n = denominator(num.count("res_dlqilt10_w52_count"),
                             num.value("res_dlqilt10_w52_pct"), 1, visits_n[-1])
    score_n = visits_n[:-1] + [dlqi_w52_n]
    scores = {
        "EASI": {v: (num.value(f"res_easi_{VISIT_KEY[v]}_mean"), num.value(f"res_easi_{VISIT_KEY[v]}_sd"))
                 for v in VISITS},
        "PNRS": {v: (num.value(f"res_pnrs_{VISIT_KEY[v]}_mean"), num.value(f"res_pnrs_{VISIT_KEY[v]}_sd"))
                 for v in VISITS},
        "SNRS": {"BASELINE": (num.value("res_snrs_bl_mean"), num.value("res_snrs_bl_sd")),
                 **SNRS_UNPRINTED,
                 "WEEK 52": (num.value("res_snrs_w52_mean"), num.value("res_snrs_w52_sd"))},
        "DLQI": {v: (num.value(f"res_dlqi_{VISIT_KEY[v]}_mean"), num.value(f"res_dlqi_{VISIT_KEY[v]}_sd"))
                 for v in VISITS},
    }
    bands = {("EASI", v): {"gt21": num.count(f"res_easigt21_{VISIT_KEY[v]}_count")} for v in VISITS}
    bands[("DLQI", "BASELINE")] = {"lt10": num.count("res_dlqilt10_bl_count")}
    bands[("DLQI", "WEEK 52")] = {"lt10": num.count("res_dlqilt10_w52_count")}
    itch_w4 = round(num.value("res_pnrs_resp_w4_pct") / 100 * score_n[1])
    responders = {("SNRS", v): num.count(f"res_snrs_resp_{VISIT_KEY[v]}_count") for v in VISITS[1:]}
    responders[("PNRS", "WEEK 4")] = itch_w4
    topical_base = [num.count(f"t2_{c.lower()}_bl_count") for c in TOPICALS]
    topical_visits = [[num.count(f"t2_{c.lower()}_{VISIT_KEY[v]}_count") for c in TOPICALS]
                      for v in VISITS[1:]]
    mcnemar_goals = [[num.goal(f"t2_{c.lower()}_{VISIT_KEY[v]}_p", margin=0.01) for c in TOPICALS]
                     for v in VISITS[1:]]
    goal_ids = ("res_tac_time_mean", "res_tac_time_se", "res_cox_dlqi_hr", "res_cox_dlqi_p",
                "res_cox_age_hr", "res_cox_age_p", "res_cox_female_hr", "res_cox_female_p",
                "res_generalized_p", "res_tacbl_dlqi_p", "res_tacbl_sex_p",
                "res_easilt7_w4_tacbl_pct", "res_easilt7_w4_notacbl_pct", "res_easilt7_w4_p",
                "res_late4_relapsing_p", "res_late4_age_p", "res_late16_relapsing_p")
    goals = {rid: num.goal(rid) for rid in goal_ids}
    for rid in ("res_cox_dlqi_ci", "res_cox_age_ci", "res_cox_female_ci"):
        goals[rid + ":low"] = num.goal(rid, index=0)
        goals[rid + ":high"] = num.goal(rid, index=1)
    return Plan(
        n=n, reference=True,
        sex={"M": num.count("t1_n_m"), "F": num.count("t1_n_f")},
        course=course, phenotype=phen, sites=sites,
        comorb={col: num.count(f"res_{stem}_count") for col, stem in COMORB.items()},
        comorb_union=num.count("res_comorb_count"),
        prior={col: num.count(f"res_prior_{stem}_count") for col, stem in PRIOR.items()},
        ages={"AGE": (num.value("res_agedupi_mean"), num.value("res_agedupi_sd")),
              "AGECUR": (num.value("res_age_mean"), num.value("res_age_sd")),
              "AGEDIAG": (num.value("res_agediag_mean"), num.value("res_agediag_sd"))},
        n_evaluable=num.count("res_evaluable_n"),
        topical_base=topical_base, topical_visits=topical_visits, mcnemar_goals=mcnemar_goals,
        score_n=score_n, easi_n=visits_n, scores=scores, bands=bands, responders=responders,
        low_dlqi={"BASELINE": bands[("DLQI", "BASELINE")]["lt10"],
                  "WEEK 52": bands[("DLQI", "WEEK 52")]["lt10"]},
        goals=goals, numbers=num,
    )


def scaled_plan(ref: Plan, n: int) -> Plan:
    """The reference plan at ``n`` patients: every count scaled, means and SDs kept."""
    if n == ref.n:
        return ref
    sex = dict(zip(ref.sex, largest_remainder(list(ref.sex.values()), n).tolist()))

    def by_sex(table):
        return {s: scale_table({s: table[s]}, sex[s])[s] for s in table}

    f = n / ref.n
    score_n = scale_visits(ref.score_n, n)
    easi_n = scale_visits(ref.easi_n, n)
    n_eval = int(round(ref.n_evaluable * f))
    base = largest_remainder(ref.topical_base, n_eval).tolist()
    vis = [largest_remainder(v, int(round(sum(v) * f))).tolist() for v in ref.topical_visits]

    bands = {}
    for (p, v), d in ref.bands.items():
        idx = VISITS.index(v)
        old = (ref.easi_n if p == "EASI" else ref.score_n)[idx]
        new = (easi_n if p == "EASI" else score_n)[idx]
        bands[(p, v)] = {k: int(round(c * new / old)) for k, c in d.items()}
    responders = {(p, v): int(round(c * score_n[VISITS.index(v)] / ref.score_n[VISITS.index(v)]))
                  for (p, v), c in ref.responders.items()}
    return Plan(
        n=n, reference=False, sex=sex, course=by_sex(ref.course), phenotype=by_sex(ref.phenotype),
        sites=by_sex(ref.sites),
        comorb={k: int(round(v * f)) for k, v in ref.comorb.items()},
        comorb_union=int(round(ref.comorb_union * f)),
        prior={k: int(round(v * f)) for k, v in ref.prior.items()},
        ages=ref.ages, n_evaluable=n_eval, topical_base=base, topical_visits=vis,
        mcnemar_goals=ref.mcnemar_goals, score_n=score_n, easi_n=easi_n, scores=ref.scores,
        bands=bands, responders=responders,
        low_dlqi={v: bands[("DLQI", v)]["lt10"] for v in ("BASELINE", "WEEK 52")},
        goals=ref.goals, numbers=ref.numbers,
    )
