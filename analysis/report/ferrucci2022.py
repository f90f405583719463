"""Ferrucci 2022: Markdown tables laid out as the paper's, every number from the ARD.

Tables are pipe-format Markdown (tabulate). Figures are in
:mod:`analysis.report.ferrucci2022_figures`; :func:`figures` writes them all.

Examples
--------
>>> from analysis.report import ferrucci2022 as rep
>>> rep.VISIT_LABELS["WEEK 4"]
'4 weeks'
"""

from __future__ import annotations

import json

import pandas as pd
from tabulate import tabulate

from analysis.report.format import fmt_mean_sd, fmt_num, fmt_p
from analysis.report.suppress import cell, is_masked
from analysis.results.ard import select

VISITS = ("BASELINE", "WEEK 4", "WEEK 16", "WEEK 52")
VISIT_LABELS = {"BASELINE": "Baseline", "WEEK 4": "4 weeks", "WEEK 16": "16 weeks", "WEEK 52": "52 weeks"}
TABLE1_ROWS = (
    ("Relapsing disease", "COURSE=RELAPSING"), ("Persistent disease", "COURSE=PERSISTENT"),
    ("Late onset", "LATEONFL=Y"), ("Classic phenotype", "CLASSFL=Y"),
    ("Generalized disease", "GENERFL=Y"), ("Nodular prurigo", "PRURFL=Y"),
    ("Nummular eczema", "NUMMFL=Y"), ("Genitalia", "SITES=GENITALIA"), ("Hands", "SITES=HANDS"),
    ("Hands and genitalia", "SITES=HANDS+GENITALIA"), ("Face", "SITES=FACE"),
    ("Face and genitalia", "SITES=FACE+GENITALIA"), ("Face and hands", "SITES=FACE+HANDS"),
    ("Face, hands and genitalia", "SITES=FACE+HANDS+GENITALIA"),
)
TABLE2_ROWS = (("None (emollients only)", "TOPICAL=NONE"), ("Corticosteroids", "TOPICAL=TCS"),
               ("Tacrolimus", "TOPICAL=TAC"), ("Corticosteroids and tacrolimus", "TOPICAL=BOTH"))
SCORES = (("EASI", "easi_by_visit", "EASI"), ("Itch NRS", "nrs_by_visit", "PNRS"),
          ("Sleep NRS", "nrs_by_visit", "SNRS"), ("DLQI", "dlqi_by_visit", "DLQI"))
COX_LABELS = {"DLQI": "DLQI at baseline (per point)", "AGE": "Age at dupilumab start (per year)",
              "SEX=F": "Female vs male", "GENERFL=N": "Non-generalized vs generalized AD"}


def get(ard: pd.DataFrame, **coords) -> float:
    """The value at ``coords`` (unnamed coordinates are ""); NaN when absent; a
    :class:`~analysis.report.suppress.Masked` marker when small-cell suppression hides it."""
    return cell(ard, **coords)


def suppression_sums(ard: pd.DataFrame) -> list:
    """Sums across analyses a reader can form (for :mod:`analysis.report.suppress`):
    tacrolimus users (alone or with corticosteroids) = Table II's two tacrolimus rows."""
    base = dict(group="all", statistic="count")
    return [(dict(base, analysis="tacrolimus_use", variable="TACROLIMUS", visit=v),
             [dict(base, analysis="table2", variable=f"TOPICAL={t}", visit=v)
              for t in ("TAC", "BOTH")]) for v in VISITS]


def option(ard: pd.DataFrame, name: str):
    """A study option as recorded by the run (``availability`` / ``ALL`` params)."""
    rows = select(ard, analysis="availability", variable="ALL", statistic="options")
    return json.loads(rows["params"].iloc[0]).get(name) if len(rows) == 1 else None


def n_pct(ard, decimals: int = 1, sign: str = "%", **coords) -> str:
    count = get(ard, **coords, statistic="count")
    pct = get(ard, **coords, statistic="percent")
    if is_masked(count):
        return str(count)
    if count != count:
        return "–"
    if is_masked(pct) or pct != pct:
        return f"{int(count)}"
    return f"{int(count)} ({fmt_num(pct, decimals)}{sign})"


def table1(ard: pd.DataFrame) -> str:
    """Table I: clinical features at baseline by sex, n (%) over each column's n."""
    cols = (("SEX=M", "Males"), ("SEX=F", "Females"), ("all", "Total"))
    headers = ["Feature"] + [f"{lab} (n={fmt_num(get(ard, analysis='table1', variable='SUBJECTS', group=g, statistic='n'), 0)}), n (%)"
                             for g, lab in cols]
    rows = [[label] + [n_pct(ard, analysis="table1", variable=var, group=g) for g, _ in cols]
            for label, var in TABLE1_ROWS]
    return tabulate(rows, headers=headers, tablefmt="pipe", disable_numparse=True)


def table2(ard: pd.DataFrame) -> str:
    """Table II: topical therapy per visit, n (%), McNemar p against baseline."""
    variant = option(ard, "mcnemar_variant") or ""
    headers = ["Topical medication"] + [
        f"{VISIT_LABELS[v]} (n={fmt_num(get(ard, analysis='table2', variable='TOPICAL', group='all', visit=v, statistic='n'), 0)}), n (%)"
        for v in VISITS]
    rows = []
    for label, var in TABLE2_ROWS:
        cells = [label]
        for v in VISITS:
            cell = n_pct(ard, sign="", analysis="table2", variable=var, group="all", visit=v)
            if v != "BASELINE":
                p = get(ard, analysis="table2_mcnemar", variable=var, group="all",
                        visit=f"{v} vs BASELINE", statistic="p_value")
                cell += f"; {fmt_p(p)}"
            cells.append(cell)
        rows.append(cells)
    note = f"\n\np: McNemar test ({variant}) against baseline, patients with a record at both visits."
    return tabulate(rows, headers=headers, tablefmt="pipe", disable_numparse=True) + note


def baseline_table(ard: pd.DataFrame) -> str:
    """Demographics, comorbidities and prior systemic treatments."""
    d = dict(analysis="demographics", group="all")
    rows = [["Male sex, n (%)", n_pct(ard, **d, variable="SEX=M")]]
    for var, label in (("AGECUR", "Age, years"), ("AGEDIAG", "Age at diagnosis, years"),
                       ("AGE", "Age at dupilumab start, years")):
        rows.append([f"{label}, mean ± SD", fmt_mean_sd(get(ard, **d, variable=var, statistic="mean"),
                                                        get(ard, **d, variable=var, statistic="sd"), 1)])
    for analysis, items in (("comorbidities", (("COMORBFL", "Any comorbidity"), ("RHINFL", "Rhinitis"),
                                               ("CONJFL", "Conjunctivitis"), ("ASTHFL", "Asthma"),
                                               ("FOODFL", "Food allergy"))),
                            ("prior_treatments", (("PCYCLOFL", "Prior cyclosporine"),
                                                  ("PSCSFL", "Prior systemic corticosteroids"),
                                                  ("PPHOTOFL", "Prior phototherapy"),
                                                  ("PMTXFL", "Prior methotrexate"),
                                                  ("PALITRFL", "Prior alitretinoin"),
                                                  ("PAZAFL", "Prior azathioprine")))):
        for col, label in items:
            rows.append([f"{label}, n (%)", n_pct(ard, analysis=analysis, variable=f"{col}=Y", group="all")])
    return tabulate(rows, headers=["Characteristic", "Value"], tablefmt="pipe", disable_numparse=True)


def scores_table(ard: pd.DataFrame) -> str:
    """Mean ± SD (n) of each score at each visit."""
    rows = []
    for label, analysis, var in SCORES:
        cells = [label]
        for v in VISITS:
            c = dict(analysis=analysis, variable=var, group="all", visit=v)
            n = get(ard, **c, statistic="n")
            cells.append("–" if (n != n and not is_masked(n)) or n == 0 else
                         f"{fmt_mean_sd(get(ard, **c, statistic='mean'), get(ard, **c, statistic='sd'))} (n={fmt_num(n, 0)})")
        rows.append(cells)
    return tabulate(rows, headers=["Score"] + [VISIT_LABELS[v] for v in VISITS], tablefmt="pipe",
                    disable_numparse=True)


def cox_table(ard: pd.DataFrame) -> str:
    """Hazard ratios of starting tacrolimus: the three-covariate model and generalized AD."""
    rows = []
    for analysis, var in (("cox_tacrolimus_start", "DLQI"), ("cox_tacrolimus_start", "AGE"),
                          ("cox_tacrolimus_start", "SEX=F"), ("tac_start_by_generalized", "GENERFL=N")):
        c = dict(analysis=analysis, variable=var, group="all")
        hr = get(ard, **c, statistic="hr")
        if hr != hr:
            continue
        rows.append([COX_LABELS[var], fmt_num(hr, 2),
                     f"{fmt_num(get(ard, **c, statistic='ci_low'), 2)}–{fmt_num(get(ard, **c, statistic='ci_high'), 2)}",
                     fmt_p(get(ard, **c, statistic="p_value"))])
    return tabulate(rows, headers=["Covariate", "HR", "95% CI", "p"], tablefmt="pipe",
                    disable_numparse=True)


def figures(ard: pd.DataFrame, dataset, out_dir) -> list:
    """Every figure of the study; returns the PNG files written."""
    from analysis.report import ferrucci2022_figures as figs

    return figs.all_figures(ard, out_dir)
