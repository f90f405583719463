"""What the manuscripts' cells call: load and check the data, get the (cached) ARD,
and turn ARD rows into text.

A document does ``ctx = prepare("ferrucci2022", data=data, site=site, min_cell=min_cell)``
once; every later cell reads ``ctx``. Nothing here computes a statistic: numbers
come from the ARD built by ``analysis.studies.<study>.run`` (through the cache).

Examples
--------
>>> md_escape("a*b_[c]\\n<x>")
'a\\\\*b\\\\_\\\\[c\\\\] \\\\<x\\\\>'
>>> suppress_counts("| 3 (2.0%) | 12 (8.0%) |", 5)
'| < 5 | 12 (8.0%) |'
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.paths import reference_dir
from analysis.report.format import fmt_num, fmt_p
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


def prepare(study: str, data=None, site: str = "", min_cell: int = 0,
            options: dict | None = None, skip_validation_if_cached: bool = False) -> Context:
    """Load ``data`` (default: the study's reference cohort), validate it, get its ARD.

    Raises InputError (every problem listed) when the data break the contract. With
    ``skip_validation_if_cached`` (the overview page, which shows no data-quality
    appendix) a cached ARD is used without validating again; ``validation`` is then None.
    """
    from analysis.io import load_dataset
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

    ard, hit = cached_ard(content, study, options, compute)
    # The reference cohort is the default data; any other dataset, synthetic or not, is
    # described by name, hash and size, and is not expected to give the paper's numbers.
    ctx = Context(study, dataset, ard, report, path, data is None, site or "",
                  int(min_cell or 0), dict(options or {}), hit,
                  _dt.date.today().isoformat())
    ctx.synthetic = is_synthetic(dataset)
    ctx._hash = content
    ctx.ard_key = ard_key(content, study, options)
    return ctx


def value(ard: pd.DataFrame, decimals: int | None = None, **coords):
    """The ARD value at ``coords`` (unnamed coordinates must be ``""``)."""
    full = {k: coords.get(k, "") for k in ("analysis", "variable", "group", "visit", "statistic")}
    rows = select(ard, **full)
    if len(rows) != 1:
        return "–" if decimals is not None else float("nan")
    v = float(rows["value"].iloc[0])
    return fmt_num(v, decimals) if decimals is not None else v


def p_text(ard: pd.DataFrame, **coords) -> str:
    """``p = 0.027`` / ``p < 0.001`` from the ARD's p-value at ``coords``."""
    v = value(ard, **coords, statistic="p_value")
    return fmt_p(v) if v == v else "p not computed"


def n_pct(ard: pd.DataFrame, decimals: int = 1, min_cell: int = 0, **coords) -> str:
    """``12 (34.5%)`` from count and percent rows; ``< k`` when suppressed."""
    c = value(ard, **coords, statistic="count")
    p = value(ard, **coords, statistic="percent")
    if c != c:
        return "–"
    if 0 < c < min_cell:
        return f"< {min_cell}"
    return f"{int(c)} ({fmt_num(p, decimals)}%)" if p == p else f"{int(c)}"


_COUNT_CELL = re.compile(r"(?<=\|)(\s*)(\d+)(\s*\([^|()]*%\)|/\d+[^|]*)?(\s*)(?=\|)")


def suppress_counts(table_md: str, min_cell: int) -> str:
    """Replace table cells ``n (x%)`` or ``n/N ...`` with ``< min_cell`` when 0 < n < min_cell.

    Bare numbers (means, ages) are left alone: only cells that are counts by their form.
    """
    if not min_cell or min_cell <= 1:
        return table_md

    def repl(m):
        lead, n, rest, trail = m.groups()
        if rest and 0 < int(n) < min_cell:
            return f"{lead}< {min_cell}{trail}"
        return m.group(0)

    return "\n".join(_COUNT_CELL.sub(repl, ln) if ln.lstrip().startswith("|") else ln
                     for ln in table_md.split("\n"))


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
