"""The manuscripts' shared parts: first-page notice, data quality, provenance.

(The reproduction scorecard reads the published targets, which no analysis layer may
see; it lives with the documents, in ``report/_scorecard.py``.)

Each function returns Markdown (pipe tables via tabulate) for an ``output: asis`` cell.

Examples
--------
>>> "synthetic" in SYNTHETIC_NOTICE
True
"""

from __future__ import annotations

import platform
import sys
from importlib import metadata

from tabulate import tabulate

from analysis import __version__
from analysis.report.manuscript import Context, md_escape
from analysis.report.suppress import count_text, pair_text

SYNTHETIC_NOTICE = (
    "**Reference data.** These patients are synthetic reconstructions, not the study's "
    "patients: a cohort built so that its analysis gives back the published aggregates. "
    "Any agreement with the paper shows that the analysis is rebuilt faithfully; it says "
    "nothing new about real patients.")

SOFTWARE = ("numpy", "pandas", "scipy", "statsmodels", "lifelines", "matplotlib", "seaborn",
            "pyarrow", "nbclient", "ipykernel", "pypandoc-binary", "typst", "tabulate")


def notice(ctx: Context) -> str:
    """The first-page box: synthetic reference data, or which dataset this is."""
    parts = []
    if ctx.reference or getattr(ctx, "synthetic", False):
        parts.append(SYNTHETIC_NOTICE if ctx.reference else
                     "**Synthetic data.** These patients are synthetic, made by the package's "
                     "reconstruction engine; they are not real patients.")
    if not ctx.reference:
        parts.append(f"**Dataset.** {md_escape(ctx.dataset.name)}: "
                     f"{count_text(ctx.n_patients, ctx.min_cell)} patients; "
                     f"content hash `{ctx.data_hash[:16]}`; analysed on {ctx.run_date} with "
                     f"dupitac {__version__}.")
    body = "\n\n".join(parts)
    extra = ""
    if ctx.min_cell and ctx.min_cell > 1:
        extra = (f"\n\n**Small-cell suppression.** Counts of 1 to {ctx.min_cell - 1} patients "
                 f"are shown as \"\\<{ctx.min_cell}\"; numbers from which such a count could be "
                 "worked out (another cell of the same total, a percentage, or the summary "
                 "statistics of so small a group) are shown as \"suppressed\".")
    # A Quarto callout: a box in Quarto's HTML, PDF and Word, and in the builtin engine's.
    return f"::: {{.callout-important appearance=\"minimal\"}}\n{body}{extra}\n:::\n"


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def provenance_table(ctx: Context, params: dict | None = None) -> str:
    """Package, code, data and parameters behind the document, and software versions."""
    from analysis.results.cache import code_fingerprint

    rows = [
        ["dupitac version", __version__],
        ["Code fingerprint (SHA-256 of the package source)", f"`{code_fingerprint()[:16]}`"],
        ["Study", ctx.study],
        ["Dataset", md_escape(ctx.dataset.name)],
        ["Data location", md_escape(ctx.data_path)],
        ["Data content hash (SHA-256)", f"`{ctx.data_hash}`"],
        ["Patients", count_text(ctx.n_patients, ctx.min_cell)],
        ["Reference cohort (the default data)", "yes" if ctx.reference else "no"],
        ["Synthetic patients", "yes" if getattr(ctx, "synthetic", False) else "no"],
        ["ARD rows", str(len(ctx.ard))],
        # The ARD's cache key, not whether it came from the cache: the document must not
        # change with the state of the cache.
        ["ARD key (data, study, options, version, code)", f"`{getattr(ctx, 'ard_key', '')}`"],
        ["Date of run", ctx.run_date],
    ]
    for key, val in (params or {}).items():
        rows.append([f"Parameter `{key}`", md_escape(repr(val))])
    rows.append(["Python", platform.python_version()])
    rows.append(["Platform", md_escape(platform.platform(terse=True))])
    rows += [[dist, _version(dist)] for dist in SOFTWARE]
    return tabulate(rows, headers=["Item", "Value"], tablefmt="pipe", disable_numparse=True)


def validation_summary(ctx: Context) -> str:
    """One paragraph and a table of the validation findings by severity and rule."""
    rep = ctx.validation
    counts = []
    for severity, rules in rep.counts.items():
        for rule, n in sorted(rules.items()):
            counts.append([severity, rule, n])
    text = (f"The dataset passed the data contract with {rep.total('error')} errors, "
            f"{rep.total('warning')} warnings and {rep.total('info')} notes.")
    if not counts:
        return text + " No finding of any kind was recorded.\n"
    table = tabulate(counts, headers=["Severity", "Rule", "Findings"], tablefmt="pipe")
    return text + "\n\n" + table + "\n"


def missingness_table(ctx: Context, params=None, visits=None) -> str:
    """Patients with a value, by parameter and visit: n / N (%), N = patients in subjects."""
    meas = ctx.dataset.tables.get("measurements")
    n_all = ctx.n_patients
    if meas is None or meas.empty or not n_all:
        return "No measurements were supplied."
    # grouped from integer codes: a pandas groupby on the text took ~9 s at 1e6 patients
    from analysis.report.aggregate import measurement_groups, present_values

    have = {(g.param, g.visit): g.n_patients for g in measurement_groups(ctx.dataset)}
    params = params or sorted(present_values(ctx.dataset, "measurements", "PARAMCD"))
    visits = visits or sorted(present_values(ctx.dataset, "measurements", "AVISIT"),
                              key=lambda v: (v != "BASELINE", int(v.split()[-1])
                                             if v.split()[-1].isdigit() else 0))
    rows = []
    for p in params:
        row = [p]
        for v in visits:
            row.append(pair_text(int(have.get((p, v), 0)), n_all, ctx.min_cell))
        rows.append(row)
    return tabulate(rows, headers=["Parameter", *[v.title() for v in visits]], tablefmt="pipe",
                    disable_numparse=True)


def software_line() -> str:
    return (f"Python {platform.python_version()} ({sys.implementation.name}), pandas "
            f"{_version('pandas')}, SciPy {_version('scipy')}, statsmodels "
            f"{_version('statsmodels')}, lifelines {_version('lifelines')}")
