"""Small-cell suppression (issue 8 item 5): no suppressed count and no patient ID in any output.

Both manuscripts are rendered with ``min_cell = 5`` in HTML, PDF and DOCX on small
cohorts: Matsutani on a cohort made by ``dupitac synthesize --study matsutani2021 --n 60
--seed 3``, Ferrucci on the hand-made contract cohort of tests/ferrucci/data (synthesis
of a small Ferrucci cohort is not available yet). The expected suppressions are worked
out here from the raw ARD, independently of the renderer: every count 1-4 shown by the
report modules must be gone from every output, in its printed forms ("3 (", "n = 3",
"3/60"), with its percentage; every USUBJID of the input must be absent.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "render"))
from helpers import docx_text, html_links_and_text, pdf_pages_and_text  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
K = 5


def _synth_matsutani(folder: Path) -> Path:
    out = folder / "mat60"
    done = subprocess.run([sys.executable, "-m", "analysis", "synthesize", "--study",
                           "matsutani2021", "--n", "60", "--seed", "3", "--out", str(out),
                           "--quiet"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """{study: (data folder, {fmt: path})} rendered with min_cell = 5, cache off."""
    base = tmp_path_factory.mktemp("privacy")
    data = {"matsutani2021": _synth_matsutani(base),
            "ferrucci2022": ROOT / "tests" / "ferrucci" / "data"}
    env = {"DUPITAC_CACHE": str(base / "cache")}
    import os

    result = {}
    for study, folder in data.items():
        out = base / f"out-{study}"
        # both spellings: the CLI option for one study, the document parameter for the other
        option = (["--min-cell", str(K)] if study == "matsutani2021"
                  else ["-P", f"min_cell={K}"])
        done = subprocess.run(
            [sys.executable, "-m", "analysis", "render", "--study", study, "--data", str(folder),
             *option, "--engine", "builtin", "--out", str(out), "--no-cache"],
            cwd=ROOT, capture_output=True, text=True, env={**os.environ, **env})
        assert done.returncode == 0, done.stderr[-3000:]
        result[study] = (folder, {f: out / f"{study}.{f}" for f in ("html", "pdf", "docx")})
    return result


def _texts(files: dict) -> dict:
    html = files["html"].read_text(encoding="utf-8")
    links, text = html_links_and_text(html)
    # alt texts and titles are text a reader (or a screen reader) gets too
    attrs = " ".join(v for _, name, v in links if name not in ("src", "href"))
    alts = " ".join(re.findall(r'(?:alt|title)="([^"]*)"', html))
    return {"html": text + " " + attrs + " " + alts,
            "pdf": pdf_pages_and_text(files["pdf"])[1],
            "docx": docx_text(files["docx"])}


def _expected(study: str, folder: Path):
    """Counts the documents show that must be hidden, worked out from the raw ARD.

    Primary: every count-like statistic 1..K-1. Complementary: a yes/no count whose "no"
    rest against its shown denominator is 1..K-1; a category of a partition (categories
    over one denominator that add up to it) in which one other category is 1..K-1.
    """
    from analysis.io import load_dataset
    from analysis.studies import get

    ds = load_dataset(folder)
    ard = get(study).run(ds)
    counts = ard[ard["statistic"] == "count"].copy()
    small = counts[(counts["value"] > 0) & (counts["value"] < K)]
    pct = ard[ard["statistic"] == "percent"].set_index(
        ["analysis", "variable", "group", "visit"])["value"]
    from analysis.report.format import fmt_num

    # A percent that an unsuppressed count also has (7/14 and 4/8 are both 50.0%) is
    # checked only in its "count (percent)" form.
    big = counts[counts["value"] >= K]
    common = {fmt_num(pct.get((r.analysis, r.variable, r.group, r.visit), float("nan")), 1)
              for r in big.itertuples()}
    hidden = []   # (count, percent or None)
    for r in small.itertuples():
        p = pct.get((r.analysis, r.variable, r.group, r.visit))
        hidden.append((int(r.value), None if p is None or fmt_num(p, 1) in common else p))
    return ds, ard, hidden


def _forms(count: int, percent) -> list[str]:
    """Regexes of the printed forms of a suppressed count (and of its percent)."""
    c = str(count)
    forms = [rf"(?<![\w.,–-]){c} \(\d",            # "3 (27.3%)", "3 (27.3)"
             rf"\bn ?= ?{c}(?![\d.])",              # "n = 3", "n=3"
             rf"(?<![\w.,–-]){c}/\d"]                # "3/60"
    if percent is not None and percent == percent:
        from analysis.report.format import fmt_num

        p = re.escape(fmt_num(percent, 1))
        forms.append(rf"\({p}%?\)")                 # "(27.3%)" on its own
    return forms


@pytest.mark.parametrize("study", ["matsutani2021", "ferrucci2022"])
def test_no_small_count_in_any_output(outputs, study):
    folder, files = outputs[study]
    _, _, hidden = _expected(study, folder)
    assert hidden, "the test cohort must have small counts to hide"
    for fmt, text in _texts(files).items():
        assert f"<{K}" in text, f"{fmt}: no suppression marker shown"
        for count, percent in hidden:
            for form in _forms(count, percent):
                hit = re.search(form, text)
                assert hit is None, (f"{study}.{fmt} shows suppressed count {count}: "
                                     f"...{text[max(0, hit.start() - 60):hit.end() + 40]}...")


@pytest.mark.parametrize("study", ["matsutani2021", "ferrucci2022"])
def test_no_patient_id_in_any_output(outputs, study):
    folder, files = outputs[study]
    from analysis.io import load_dataset

    ids = set(load_dataset(folder).tables["subjects"]["USUBJID"].astype(str))
    assert ids
    for fmt, text in _texts(files).items():
        for pid in ids:
            assert re.search(rf"(?<![\w-]){re.escape(pid)}(?![\w-])", text) is None, (fmt, pid)


def test_complement_of_a_shown_total_is_hidden(outputs):
    """A yes/no count whose rest (denominator - count) is small is itself hidden.

    On the Ferrucci contract cohort: every yes/no row whose complement in its shown
    denominator is 1..K-1 must not print as "count (percent)".
    """
    folder, files = outputs["ferrucci2022"]
    _, ard, _ = _expected("ferrucci2022", folder)
    from analysis.report.format import fmt_num

    counts = ard[(ard["statistic"] == "count") & ard["n"].notna()].copy()
    # yes/no flags: the only category of its variable in its place (the "no" count is the
    # hidden rest); in a partition the rest is made of other shown cells
    counts["_p"] = counts["variable"].str.split("=").str[0]
    size = counts.groupby(["analysis", "group", "visit", "_p"])["value"].transform("size")
    counts = counts[size == 1]
    rest = counts["n"].astype(float) - counts["value"]
    flagged = counts[(rest > 0) & (rest < K) & (counts["value"] >= K)]
    pct = ard[ard["statistic"] == "percent"].set_index(
        ["analysis", "variable", "group", "visit"])["value"]
    texts = _texts(files)
    checked = 0
    for r in flagged.itertuples():
        p = pct.get((r.analysis, r.variable, r.group, r.visit))
        if p is None:
            continue
        shown = f"{int(r.value)} ({fmt_num(p, 1)}"
        for fmt, text in texts.items():
            assert shown not in text, (fmt, r.analysis, r.variable, r.group, shown)
        checked += 1
    assert checked, "the cohort has no small complement to check"


def test_figure_labels_follow_suppression(tmp_path):
    """Text drawn in the figures (titles, tick labels, boxes) carries no suppressed count."""
    import matplotlib
    import matplotlib.text

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from analysis.io import load_dataset
    from analysis.report import ferrucci2022 as fr
    from analysis.report import matsutani2021 as mr
    from analysis.report.manuscript import suppression_sums
    from analysis.report.suppress import suppress
    from analysis.studies import get

    drawn = []
    original = Figure.savefig

    def spy(self, *args, **kwargs):
        drawn.extend(t.get_text() for t in self.findobj(matplotlib.text.Text))
        return original(self, *args, **kwargs)

    ds = load_dataset(ROOT / "tests" / "ferrucci" / "data")
    raw = get("ferrucci2022").run(ds)
    shown = suppress(raw, K, suppression_sums("ferrucci2022", raw))
    Figure.savefig = spy
    try:
        fr.figures(shown, ds, tmp_path / "f")
        mds = load_dataset(ROOT / "tests" / "matsutani" / "data" / "hand")
        mraw = get("matsutani2021").run(mds)
        mr.figures(suppress(mraw, K, suppression_sums("matsutani2021", mraw)), mds,
                   tmp_path / "m")
    finally:
        Figure.savefig = original
    text = "\n".join(drawn)
    assert f"<{K}" in text
    for c in range(1, K):
        assert re.search(rf"\bn ?= ?{c}(?![\d.])", text) is None, text
        assert re.search(rf"(?<![\w.,–-]){c} \(\d", text) is None, text


def test_run_writes_a_suppressed_ard(outputs, tmp_path):
    """``dupitac run --min-cell 5``: the shared ARD has no count 1-4 and says what it hid."""
    import pandas as pd

    folder, _ = outputs["matsutani2021"]
    done = subprocess.run([sys.executable, "-m", "analysis", "run", "--study", "matsutani2021",
                           "--data", str(folder), "--min-cell", str(K), "--out",
                           str(tmp_path)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    ard = pd.read_parquet(tmp_path / "matsutani2021.parquet")
    counts = ard[ard["statistic"].isin(["count", "n"])]
    assert not ((counts["value"] > 0) & (counts["value"] < K)).any()
    assert not ((ard["n"] > 0) & (ard["n"] < K)).any()
    _, raw, hidden = _expected("matsutani2021", folder)
    assert (ard["suppressed"] == f"<{K}").sum() >= len(hidden) > 0
    # same rows as the full ARD, only values blanked
    assert len(ard) == len(raw)


def test_render_min_cell_option_is_the_parameter(tmp_path):
    """``--min-cell 5`` reaches the document as ``min_cell = 5``; a negative value is refused."""
    import os

    env = {**os.environ, "DUPITAC_CACHE": str(tmp_path / "cache")}
    bad = subprocess.run([sys.executable, "-m", "analysis", "render", "--study",
                          "matsutani2021", "--min-cell", "-1", "--out", str(tmp_path / "o")],
                         cwd=ROOT, capture_output=True, text=True, env=env)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and "min-cell" in bad.stderr
