"""The data contract, as data: tables, columns, types, ranges, codes.

This module is the single source of truth for column names. ``schema.validate``
builds its checks from it, ``data/README.md`` documents it, ``reconstruct`` writes
it. Names follow CDISC ADaM where one exists (USUBJID, SEX, AGE, PARAMCD, AVISIT,
AVISITN, ADY, AVAL, CNSR) so a pharma export maps by renaming.

Flags are ``"Y"``/``"N"`` (ADaM style); blank means not recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

YN = ("Y", "N")


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str  # "str", "int", "float", "date", "flag" (Y/N), "code"
    description: str
    required: bool = False
    unit: str = ""
    codes: tuple = ()
    min: float | None = None
    max: float | None = None
    needed_by: tuple = ()  # analyses (study:block) that use it


@dataclass(frozen=True)
class Param:
    """A PARAMCD of the measurements table and its scale."""

    code: str
    label: str
    min: float
    max: float | None
    integer: bool
    unit: str = "points"
    min_exclusive: bool = False


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple
    required: bool = False
    key: tuple = ()
    needed_by: tuple = field(default_factory=tuple)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


PARAMS = {
    p.code: p
    for p in (
        Param("EASI", "Eczema Area and Severity Index", 0, 72, False),
        Param("EASIHN", "EASI, head and neck region", 0, 7.2, False),
        Param("IGA", "Investigator's Global Assessment", 0, 4, True),
        Param("POEM", "Patient-Oriented Eczema Measure", 0, 28, True),
        Param("PNRS", "Peak pruritus (itch) numerical rating scale", 0, 10, True),
        Param("SNRS", "Sleep-disturbance numerical rating scale", 0, 10, True),
        Param("DLQI", "Dermatology Life Quality Index", 0, 30, True),
        Param("TARC", "Serum thymus- and activation-regulated chemokine", 0, None, False,
              unit="pg/mL", min_exclusive=True),
    )
}

# Nominal visits: AVISIT label -> AVISITN (weeks since dupilumab start).
VISITS = {"BASELINE": 0, "WEEK 4": 4, "WEEK 16": 16, "WEEK 52": 52}
# Visits outside this list are allowed when spelled "WEEK n".
VISIT_PATTERN = r"^(BASELINE|WEEK [0-9]{1,3})$"
# How far a study day may sit from its nominal week before a warning (days).
VISIT_WINDOW_DAYS = {0: (-30, 1), 4: (14, 49), 16: (85, 141), 52: (300, 430)}

TOPICAL_CODES = ("NONE", "TCS", "TAC", "BOTH")
TACROLIMUS_STRENGTHS = (0.03, 0.1)
TACGRP_CODES = ("NONE", "TAC_TCS", "TAC_ONLY")
COURSE_CODES = ("RELAPSING", "PERSISTENT", "OTHER")

SUBJECTS = Table(
    "subjects",
    "One row per patient (ADSL-like).",
    required=True,
    key=("USUBJID",),
    columns=(
        Column("USUBJID", "str", "Unique patient identifier", required=True),
        Column("SEX", "code", "Sex", required=True, codes=("M", "F")),
        Column("AGE", "float", "Age at dupilumab start", required=True, unit="years", min=0, max=120),
        Column("AGECUR", "float", "Age at data collection (enrolment)", unit="years", min=0, max=120),
        Column("AGEDIAG", "float", "Age at diagnosis of atopic dermatitis (not above AGE)",
               unit="years", min=0, max=120),
        Column("TRTSDT", "date", "Dupilumab start date (ISO 8601)"),
        Column("EVALFL", "flag", "Evaluable for the topical-therapy analysis", codes=YN),
        Column("EVALRSN", "str", "Reason when EVALFL = N (e.g. NON-ADHERENCE)"),
        Column("COURSE", "code", "Disease course", codes=COURSE_CODES),
        Column("LATEONFL", "flag", "Late (adult) onset", codes=YN),
        Column("CLASSFL", "flag", "Classic phenotype", codes=YN),
        Column("GENERFL", "flag", "Generalized disease", codes=YN),
        Column("PRURFL", "flag", "Nodular prurigo phenotype", codes=YN),
        Column("NUMMFL", "flag", "Nummular eczema phenotype", codes=YN),
        Column("SITEFACE", "flag", "Face involved (critical site)", codes=YN),
        Column("SITEHAND", "flag", "Hands involved (critical site)", codes=YN),
        Column("SITEGEN", "flag", "Genitalia involved (critical site)", codes=YN),
        Column("COMORBFL", "flag", "At least one atopic or other comorbidity", codes=YN),
        Column("RHINFL", "flag", "Allergic rhinitis", codes=YN),
        Column("CONJFL", "flag", "Allergic conjunctivitis (history, not an adverse event)", codes=YN),
        Column("ASTHFL", "flag", "Asthma", codes=YN),
        Column("FOODFL", "flag", "Food allergy", codes=YN),
        Column("PCYCLOFL", "flag", "Prior cyclosporine", codes=YN),
        Column("PSCSFL", "flag", "Prior systemic corticosteroids", codes=YN),
        Column("PPHOTOFL", "flag", "Prior phototherapy", codes=YN),
        Column("PMTXFL", "flag", "Prior methotrexate", codes=YN),
        Column("PALITRFL", "flag", "Prior alitretinoin", codes=YN),
        Column("PAZAFL", "flag", "Prior azathioprine", codes=YN),
        Column("TACGRP", "code",
               "Tacrolimus ointment use: NONE, TAC_TCS (with topical corticosteroids on head/neck), "
               "TAC_ONLY (tacrolimus alone on head/neck)", codes=TACGRP_CODES),
        Column("SYNTHFL", "flag", "Y when the row is a synthetic reconstruction, not a real patient",
               codes=YN),
    ),
)

MEASUREMENTS = Table(
    "measurements",
    "One row per patient x parameter x visit (BDS-like).",
    required=True,
    key=("USUBJID", "PARAMCD", "AVISIT"),
    columns=(
        Column("USUBJID", "str", "Patient identifier (must exist in subjects)", required=True),
        Column("PARAMCD", "code", "Parameter code", required=True, codes=tuple(PARAMS)),
        Column("AVISIT", "str", "Analysis visit: BASELINE or WEEK n", required=True),
        Column("AVISITN", "int", "Visit week number (derived from AVISIT when absent)", min=0, max=520),
        Column("ADY", "int", "Study day of the assessment (day 1 = dupilumab start)", unit="days",
               min=-365, max=3650),
        Column("AVAL", "float", "Analysis value, in the parameter's range", required=True),
    ),
)

TOPICALS = Table(
    "topicals",
    "One row per patient x visit: the topical anti-inflammatory therapy in use.",
    key=("USUBJID", "AVISIT"),
    columns=(
        Column("USUBJID", "str", "Patient identifier (must exist in subjects)", required=True),
        Column("AVISIT", "str", "Analysis visit: BASELINE or WEEK n", required=True),
        Column("AVISITN", "int", "Visit week number", min=0, max=520),
        Column("TOPICAL", "code",
               "NONE (emollients only), TCS (corticosteroids), TAC (tacrolimus), BOTH",
               required=True, codes=TOPICAL_CODES),
        Column("TACSTR", "float", "Tacrolimus ointment strength, when TAC or BOTH", unit="%",
               codes=TACROLIMUS_STRENGTHS),
        Column("TACSITE", "str", "Body sites treated with tacrolimus (e.g. HEAD/NECK)"),
    ),
)

EVENTS = Table(
    "events",
    "Adverse events: one row per patient x event.",
    key=("USUBJID", "AEDECOD"),
    columns=(
        Column("USUBJID", "str", "Patient identifier (must exist in subjects)", required=True),
        Column("AEDECOD", "str", "Event term (CONJUNCTIVITIS, HERPES SIMPLEX, ...)", required=True),
        Column("ASTDY", "int", "Onset study day", unit="days", min=0, max=3650),
    ),
)

TTE = Table(
    "tte",
    "Time-to-event records (ADTTE-like): one row per patient x parameter.",
    key=("USUBJID", "PARAMCD"),
    columns=(
        Column("USUBJID", "str", "Patient identifier (must exist in subjects)", required=True),
        Column("PARAMCD", "code", "TTTAC: time from dupilumab start to first tacrolimus",
               required=True, codes=("TTTAC",)),
        Column("AVAL", "float", "Time from dupilumab start", required=True, unit="days", min=0),
        Column("CNSR", "int", "0 = event, 1 = censored (ADaM convention)", required=True,
               codes=(0, 1)),
    ),
)

CONTRACT = {t.name: t for t in (SUBJECTS, MEASUREMENTS, TOPICALS, EVENTS, TTE)}
