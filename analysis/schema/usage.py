"""Which analyses of the two studies need which table, column and parameter.

Used for the data dictionary (data/README.md) and for the information notes of
``validate`` and ``requirements`` ("no TARC: the TARC reduction is left out").
The study modules declare their own needs; this table is the documentation of them.
"""

from __future__ import annotations

F = "ferrucci2022"
M = "matsutani2021"

_TABLE_I = f"{F}: Table I (patients by sex)"
_PRIOR = f"{F}: Table I (prior systemic treatments)"
_COX = f"{F}: Cox model of time to tacrolimus"
_EFFECT = f"{F}: scores at baseline and weeks 4, 16, 52"

COLUMNS: dict[tuple[str, str], tuple[str, ...]] = {
    ("subjects", "USUBJID"): (F, M),
    ("subjects", "SEX"): (_TABLE_I, _COX),
    ("subjects", "AGE"): (_TABLE_I, _COX),
    ("subjects", "AGEDIAG"): (_TABLE_I,),
    ("subjects", "EVALFL"): (f"{F}: evaluable population (topical therapy analyses)",),
    ("subjects", "EVALRSN"): (f"{F}: flow of patients (reasons not evaluable)",),
    ("subjects", "COURSE"): (_TABLE_I,),
    ("subjects", "GENERFL"): (_TABLE_I, _COX),
    **{("subjects", c): (_TABLE_I,) for c in (
        "LATEONFL", "CLASSFL", "PRURFL", "NUMMFL", "SITEFACE", "SITEHAND", "SITEGEN",
        "COMORBFL", "RHINFL", "CONJFL", "ASTHFL", "FOODFL")},
    **{("subjects", c): (_PRIOR,) for c in (
        "PCYCLOFL", "PSCSFL", "PPHOTOFL", "PMTXFL", "PALITRFL", "PAZAFL")},
    ("subjects", "TACGRP"): (f"{M}: cohort (tacrolimus alone vs with corticosteroids on head/neck)",),
    ("measurements", "ADY"): ("visit checks (study day against visit)",),
    ("topicals", "TOPICAL"): (f"{F}: Table II (topical therapy per visit, McNemar)",
                              f"{F}: EASI < 7 at week 4 by baseline tacrolimus"),
    ("topicals", "TACSTR"): (f"{M}: 0.1 % vs 0.03 % ointment",),
    ("events", "AEDECOD"): (f"{M}: conjunctivitis and herpes simplex",),
    ("tte", "AVAL"): (_COX,),
    ("tte", "CNSR"): (_COX,),
}

PARAMS: dict[str, tuple[str, ...]] = {
    "EASI": (_EFFECT, f"{F}: Figure 1 (EASI ranges), EASI < 7 at week 4",
             f"{M}: EASI reduction at week 16, correlation with head/neck EASI"),
    "PNRS": (_EFFECT,),
    "SNRS": (_EFFECT,),
    "DLQI": (_EFFECT, _COX),
    "EASIHN": (f"{M}: head/neck EASI reduction, correlation with EASI",),
    "IGA": (f"{M}: IGA reduction at week 16",),
    "POEM": (f"{M}: POEM reduction at week 16",),
    "TARC": (f"{M}: serum TARC reduction at week 16",),
}

TABLES: dict[str, tuple[str, ...]] = {
    "subjects": (F, M),
    "measurements": (F, M),
    "topicals": (f"{F}: Table II, EASI < 7 by baseline tacrolimus", f"{M}: ointment strength"),
    "events": (f"{M}: conjunctivitis, herpes simplex",),
    "tte": (_COX + " (TTTAC)",),
}

EVENT_TERMS = {"CONJUNCTIVITIS": (f"{M}: conjunctivitis",),
               "HERPES SIMPLEX": (f"{M}: herpes simplex",)}


def needed_by(table: str, column: str, declared=()) -> tuple[str, ...]:
    """Analyses needing a column: the contract's own ``needed_by`` plus this table."""
    return tuple(dict.fromkeys((*declared, *COLUMNS.get((table, column), ()))))
