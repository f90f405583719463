"""What the manuscripts' cells call: load and check the data, get the (cached) ARD,
and turn ARD rows into text.

A document does ``ctx = prepare("ferrucci2022", data=data, site=site, min_cell=min_cell)``
once; every later cell reads ``ctx``. Nothing here computes a statistic: numbers
come from the ARD built by ``analysis.studies.<study>.run`` (through the cache).

Examples
--------
>>> md_escape("a*b_[c]\\n<x>")
'a\\\\*b\\\\_\\\\[c\\\\] \\\\<x\\\\>'
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.paths import reference_dir
from analysis.report.format import fmt_num, fmt_p
from analysis.report.suppress import cell, count_text, is_masked, row_n  # noqa: F401
from analysis.results.ard import select

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~$@&\"'^=:;])")


def md_escape(text) -> str:
    """Show user-supplied text (a dataset name, a path, a site) as typed, never as markup."""
    return _MD_SPECIAL.sub(r"\\\1", str(text)).replace("\r", " ").replace("\n", " ")


@dataclass
class Context:
    """Everything a manuscript shows, gathered once."""

    study: str
    dataset: object
    ard: pd.DataFrame
    validation: object
    data_path: Path
    reference: bool
    site: str = ""
    min_cell: int = 0
    options: dict = field(default_factory=dict)
    cache_hit: bool = False
    run_date: str = ""

    @property
    def n_patients(self) -> int:
        return self.dataset.n_subjects()

    @property
    def data_hash(self) -> str:
        return self._hash

    def get(self, decimals: int | None = None, **coords) -> float | str:
        """One ARD value; formatted with ``decimals`` when given ("–" when absent)."""
        return value(self.ard, decimals, **coords)


def is_synthetic(dataset) -> bool:
    """True when the dataset says it is synthetic (flag, or SYNTHFL = Y on every patient)."""
    if getattr(dataset, "synthetic", False):
        return True
    subj = dataset.tables.get("subjects")
    return bool(subj is not None and "SYNTHFL" in subj and len(subj)
                and (subj["SYNTHFL"].astype(str) == "Y").all())


def run_date() -> str:
    """The date printed as the date of run: ``SOURCE_DATE_EPOCH`` (UTC) when set, else today.

    The renderer sets ``SOURCE_DATE_EPOCH`` for the whole render, so the documents and
    their PDF/DOCX metadata carry one date and two renders of the same data match byte
    for byte.

    >>> import os; os.environ["SOURCE_DATE_EPOCH"] = "0"; run_date()
    '1970-01-01'
    >>> del os.environ["SOURCE_DATE_EPOCH"]
    """
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if raw.isdigit():
        return _dt.datetime.fromtimestamp(int(raw), _dt.timezone.utc).date().isoformat()
    return _dt.date.today().isoformat()


def suppression_sums(study: str, ard: pd.DataFrame) -> list:
    """Sums between ARD numbers that a reader can form, declared by the study's report module."""
    import importlib

    try:
        module = importlib.import_module(f"analysis.report.{study}")
    except ImportError:
        return []
    declare = getattr(module, "suppression_sums", None)
    return list(declare(ard)) if declare else []


def prepare(study: str, data=None, site: str = "", min_cell: int = 0,
            options: dict | None = None, skip_validation_if_cached: bool = False) -> Context:
    """Load ``data`` (default: the study's reference cohort), validate it, get its ARD.

    Raises InputError (every problem listed) when the data break the contract. With
    ``skip_validation_if_cached`` (the overview page, which shows no data-quality
    appendix) a cached ARD is used without validating again; ``validation`` is then None.
    """
    from analysis.io import load_dataset
    from analysis.report.suppress import suppress
    from analysis.results.cache import ard_key, cached_ard
    from analysis.schema import validate_or_raise
    from analysis.studies import get

    path = Path(data) if data else reference_dir(study)
    dataset = load_dataset(path)
    content = dataset.content_hash()
    report = None
    if not skip_validation_if_cached:
        report = validate_or_raise(dataset)

    def compute():
        # A cached ARD means these very contents passed validation under this code before.
        if report is None:
            validate_or_raise(dataset)
        return get(study).run(dataset, options or None)

    raw, hit = cached_ard(content, study, options, compute)
    # Every number shown is read from the suppressed ARD; the raw one stays for the
    # scorecard, which masks what this one masks.
    ard = suppress(raw, int(min_cell or 0), suppression_sums(study, raw))
    # The reference cohort is the default data; any other dataset, synthetic or not, is
    # described by name, hash and size, and is not expected to give the paper's numbers.
    ctx = Context(study, dataset, ard, report, path, data is None, site or "",
                  int(min_cell or 0), dict(options or {}), hit, run_date())
    ctx.raw_ard = raw
    ctx.synthetic = is_synthetic(dataset)
    ctx._hash = content
    ctx.ard_key = ard_key(content, study, options)
    return ctx


def value(ard: pd.DataFrame, decimals: int | None = None, **coords):
    """The ARD value at ``coords`` (unnamed coordinates must be ``""``).

    A number that small-cell suppression hides comes back as a
    :class:`~analysis.report.suppress.Masked` value, which prints as its marker.
    """
    v = cell(ard, **coords)
    if decimals is None:
        return v
    return "–" if v != v and not is_masked(v) else fmt_num(v, decimals)


def p_text(ard: pd.DataFrame, **coords) -> str:
    """``p = 0.027`` / ``p < 0.001`` from the ARD's p-value at ``coords``."""
    v = value(ard, **coords, statistic="p_value")
    return fmt_p(v) if v == v else "p not computed"


def n_pct(ard: pd.DataFrame, decimals: int = 1, min_cell: int = 0, **coords) -> str:
    """``12 (34.5%)`` from count and percent rows; the marker (``<5``) when suppressed.

    Suppression itself is done once, on the ARD (:func:`analysis.report.suppress.suppress`
    in :func:`prepare`); ``min_cell`` is kept for callers that pass it.
    """
    c = value(ard, **coords, statistic="count")
    p = value(ard, **coords, statistic="percent")
    if is_masked(c):
        return str(c)
    if c != c:
        return "–"
    if is_masked(p) or p != p:
        return f"{int(c)}"
    return f"{int(c)} ({fmt_num(p, decimals)}%)"


def mean_sd(ard: pd.DataFrame, decimals: int = 1, **coords) -> str:
    """``27.2 ± 10.0`` from the mean and sd rows at ``coords`` (the marker when suppressed)."""
    from analysis.report.format import fmt_mean_sd

    return fmt_mean_sd(value(ard, **coords, statistic="mean"), value(ard, **coords, statistic="sd"),
                       decimals)


def pct(ard: pd.DataFrame, decimals: int = 1, **coords) -> str:
    """``72.2%`` from the percent row at ``coords`` (the marker, without %, when suppressed)."""
    v = value(ard, **coords, statistic="percent")
    return str(v) if is_masked(v) else f"{fmt_num(v, decimals)}%"


def n_of(ard: pd.DataFrame, **coords) -> str:
    """The denominator (``n`` column) of the row at ``coords``, as it may be shown."""
    rows = select(ard, **{k: coords.get(k, "") for k in ("analysis", "variable", "group",
                                                          "visit", "statistic")})
    n = row_n(rows)
    return fmt_num(n, 0)


def methods_used(ard: pd.DataFrame, analyses=None) -> list[tuple[str, str]]:
    """(analysis, exact method) pairs of the tests and estimates in the ARD, in order."""
    stats = {"p_value", "estimate", "hr", "statistic", "reduction", "mean"}
    rows = ard[ard["statistic"].isin(stats) & (ard["method"] != "")]
    if analyses is not None:
        rows = rows[rows["analysis"].isin(analyses)]
    return list(dict.fromkeys(zip(rows["analysis"], rows["method"])))


def figure(path):
    """Display a PNG the report module wrote (a figure cell's single output)."""
    from IPython.display import Image

    return Image(filename=str(path))


def direction(before, after, up="rose", down="fell", same="did not change") -> str:
    """A verb that follows the data: ``fell`` only when the value did fall.

    >>> direction(30.0, 2.5), direction(1.0, 2.0), direction(1.0, 1.0)
    ('fell', 'rose', 'did not change')
    """
    try:
        b, a = float(before), float(after)
    except (TypeError, ValueError):
        return "changed"
    if b != b or a != a:
        return "changed"
    return up if a > b else down if a < b else same


def compare_word(x, y, more="more often", less="less often", same="as often") -> str:
    """``more often`` when x > y (both numbers), for sentences comparing two groups."""
    return direction(y, x, up=more, down=less, same=same)


def plural(n, word: str, many: str | None = None) -> str:
    """``1 patient``, ``3 patients``; the count as given (text or number)."""
    try:
        one = float(n) == 1
    except (TypeError, ValueError):
        one = False
    return f"{n} {word if one else (many or word + 's')}"


def figure_file(paths, what: str = "figure"):
    """The PNG among ``paths`` a report module wrote; a plain placeholder when there is none.

    A figure cell must show exactly one image, also when the data cannot make the figure
    (say, no week-16 values): then the image says so.
    """
    png = [Path(p) for p in paths or [] if str(p).endswith(".png")]
    if png:
        return figure(png[0])
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 1.2))
    ax.set_axis_off()
    ax.text(0.5, 0.5, f"The {what} figure cannot be drawn from these data.", ha="center",
            va="center")
    import io

    from IPython.display import Image

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)  # shown once, as the returned image, not again by the inline backend
    return Image(data=buf.getvalue(), format="png")


def notes(ard: pd.DataFrame) -> list[str]:
    """Sentences the study recorded about blocks skipped or partly undefined."""
    return list(select(ard, analysis="run_notes")["method"])
