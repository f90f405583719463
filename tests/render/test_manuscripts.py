"""The two manuscripts rendered by the builtin engine on the studies' hand-made cohorts.

These cohorts (tests/ferrucci/data, tests/matsutani/data/hand) are not the reference
cohorts, so the documents must describe *them*: the notice names the dataset, its
patient count and content hash, and the text and tables carry the numbers of the ARD
computed from them. The expected numbers are read from the ARD built here in the test
process (the renderer's job is to show the ARD, not to compute it), formatted as
printed; the counts of tables and figures come from the paper/issue lists.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from helpers import docx_tables, docx_text, external_urls, html_links_and_text, pdf_pages_and_text

ROOT = Path(__file__).resolve().parents[2]
HAND = {"ferrucci2022": ROOT / "tests" / "ferrucci" / "data",
        "matsutani2021": ROOT / "tests" / "matsutani" / "data" / "hand"}
# Tables and figures each manuscript must carry (issue 4 item 13, issue 5 item 8, and the
# papers' Tables I-II / Figures 1-2).
# tables, figures per manuscript; the last figure of each is the data appendix's distributions.
EXPECTED = {"ferrucci2022": (5, 8), "matsutani2021": (5, 4)}


def _ard(study):
    from analysis.io import load_dataset
    from analysis.studies import get

    ds = load_dataset(HAND[study])
    return ds, get(study).run(ds)


@pytest.fixture(scope="module")
def cache(tmp_path_factory, monkeypatch_module):
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch_module.setenv("DUPITAC_CACHE", str(folder))
    return folder


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, cache):
    from analysis.render.builtin import render

    out = {}
    for study in ("ferrucci2022", "matsutani2021"):
        folder = tmp_path_factory.mktemp(study)
        files = render(ROOT / "report" / f"{study}.qmd", folder, ["html", "pdf", "docx"],
                       params={"data": str(HAND[study]), "site": "Test Clinic <b>&"})
        out[study] = {f.suffix[1:]: f for f in files}
    return out


@pytest.mark.parametrize("study", ["ferrucci2022", "matsutani2021"])
def test_html_numbers_tables_figures(rendered, study):
    from analysis.report.format import fmt_num

    html = rendered[study]["html"].read_text(encoding="utf-8")
    links, text = html_links_and_text(html)
    ds, ard = _ard(study)
    # the notice names this dataset, its size and its content hash
    assert f"{ds.n_subjects()} patients" in text
    assert ds.content_hash()[:16] in text
    assert "synthetic reconstructions" not in text
    # the site parameter reaches the methods text as typed, not as markup
    assert "Test Clinic <b>&" in text
    # numbers of the ARD in the text
    if study == "ferrucci2022":
        row = ard[(ard.analysis == "easi_by_visit") & (ard.visit == "BASELINE")
                  & (ard.statistic == "mean")]
        sd = ard[(ard.analysis == "easi_by_visit") & (ard.visit == "BASELINE")
                 & (ard.statistic == "sd")]
        assert f"{fmt_num(row.value.item(), 1)} ± {fmt_num(sd.value.item(), 1)}" in text
        n_eval = ard[(ard.analysis == "flow") & (ard.variable == "EVALUABLE")
                     & (ard.statistic == "count")].value.item()
        assert f"{int(n_eval)} could be evaluated" in text
    else:
        from analysis.report.matsutani2021 import analysed_group

        g = analysed_group(ard)
        r = ard[(ard.analysis == "improvement_correlation_pearson") & (ard.group == g)
                & (ard.visit == "WEEK 16 vs BASELINE") & (ard.statistic == "estimate")]
        assert f"Pearson r = {fmt_num(r.value.item(), 2)}" in text
        red = ard[(ard.analysis == "pct_reduction_of_means") & (ard.variable == "EASI")
                  & (ard.group == g) & (ard.visit == "WEEK 16 vs BASELINE")
                  & (ard.statistic == "reduction")].value.item()
        assert f"reduction of the group mean {fmt_num(red, 1)}%" in text
    n_tables, n_figures = EXPECTED[study]
    for k in range(1, n_tables + 1):
        assert f"Table {k}: " in text
    for k in range(1, n_figures + 1):
        assert f"Figure {k}: " in text
    assert f"Table {n_tables + 1}: " not in text and f"Figure {n_figures + 1}: " not in text
    imgs = [v for t, n, v in links if t == "img" and n == "src"]
    assert len(imgs) == n_figures and all(v.startswith("data:image/png;base64,") for v in imgs)
    assert "cannot be drawn" not in text
    assert external_urls(html) == []
    assert "Appendix C: Provenance" in text and "Data content hash" in text


@pytest.mark.parametrize("study", ["ferrucci2022", "matsutani2021"])
def test_pdf_and_docx(rendered, study):
    n_tables, n_figures = EXPECTED[study]
    import docx

    pages, text = pdf_pages_and_text(rendered[study]["pdf"])
    assert 5 <= pages <= 30
    for k in range(1, n_tables + 1):
        assert f"Table {k}: " in text
    for k in range(1, n_figures + 1):
        assert f"Figure {k}: " in text
    assert "Appendix B: Data quality" in text
    dtext = docx_text(rendered[study]["docx"])
    assert f"Table {n_tables}: " in dtext and f"Figure {n_figures}: " in dtext
    assert len(docx.Document(str(rendered[study]["docx"])).inline_shapes) == n_figures
    # study tables + variables/scorecard/validation/missingness/provenance tables
    assert docx_tables(rendered[study]["docx"]) >= n_tables + 3


def test_second_render_reuses_the_ard(rendered, cache, tmp_path):
    """Nothing changed: the ARD comes from the cache (no statistics run again).

    The ARD cache file written by the first render is neither rewritten nor joined by a
    second one; the document itself does not change with the cache's state.
    """
    from analysis.render.builtin import render
    from analysis.results.cache import code_fingerprint

    before = code_fingerprint.__wrapped__()
    render(ROOT / "report" / "matsutani2021.qmd", tmp_path / "first", ["html"],
           params={"data": str(HAND["matsutani2021"])})
    ards = sorted((cache / "ard").glob("matsutani2021-*.parquet"))
    stamps = {p: p.stat().st_mtime_ns for p in ards}
    files = render(ROOT / "report" / "matsutani2021.qmd", tmp_path, ["html"],
                   params={"data": str(HAND["matsutani2021"]), "min_cell": 3})
    if code_fingerprint.__wrapped__() != before:
        pytest.skip("the package source changed during the test (shared work tree)")
    assert sorted((cache / "ard").glob("matsutani2021-*.parquet")) == ards
    assert {p: p.stat().st_mtime_ns for p in ards} == stamps
    _, text = html_links_and_text(files[0].read_text(encoding="utf-8"))
    # min_cell = 3 suppresses counts of 1 and 2 in the study tables, and says so
    assert "<3" in text and "Small-cell suppression" in text


def test_hostile_data_path_renders_as_text(tmp_path):
    """A folder name with quotes, backslash, newline and code is data, never code."""
    from analysis.render.builtin import render

    name = "we'ird \"dir\" \\ x\n__import__('os').system('touch PWNED')"
    data = tmp_path / name
    shutil.copytree(HAND["matsutani2021"], data)
    files = render(ROOT / "report" / "matsutani2021.qmd", tmp_path / "out", ["html"],
                   params={"data": str(data)})
    _, text = html_links_and_text(files[0].read_text(encoding="utf-8"))
    assert "__import__('os').system('touch PWNED')" in text
    assert not any(p.name == "PWNED" for p in tmp_path.rglob("*"))
    assert not (ROOT / "report" / "PWNED").exists()


def test_bad_data_fails_cleanly_and_keeps_outputs(tmp_path):
    from analysis.errors import InputError
    from analysis.render.builtin import render

    out = tmp_path / "out"
    out.mkdir()
    (out / "matsutani2021.html").write_text("previous")
    with pytest.raises(InputError) as exc:
        render(ROOT / "report" / "matsutani2021.qmd", out, ["html"],
               params={"data": str(tmp_path / "does-not-exist")})
    assert exc.value.problems[0].rule == "cell-error"
    assert "does-not-exist" in exc.value.problems[0].message
    assert (out / "matsutani2021.html").read_text() == "previous"
    assert [p.name for p in out.iterdir()] == ["matsutani2021.html"]


def test_synthesized_cohort_of_another_size(tmp_path):
    """A cohort of 300 made by `dupitac synthesize`: the text and tables follow it."""
    from analysis.cli import main
    from analysis.io import load_dataset
    from analysis.render.builtin import render
    from analysis.studies import get

    data = tmp_path / "syn300"
    if main(["synthesize", "--study", "matsutani2021", "--n", "300", "--seed", "7",
             "--out", str(data), "--quiet"]) != 0:
        pytest.fail("dupitac synthesize failed")
    ds = load_dataset(data)
    ard = get("matsutani2021").run(ds)
    files = render(ROOT / "report" / "matsutani2021.qmd", tmp_path / "out", ["html"],
                   params={"data": str(data)})
    _, text = html_links_and_text(files[0].read_text(encoding="utf-8"))
    starters = ard[(ard.analysis == "patient_flow") & (ard.variable == "STARTERS")
                   & (ard.statistic == "count")].value.item()
    analysed = ard[(ard.analysis == "patient_flow") & (ard.variable == "ANALYSED")
                   & (ard.statistic == "count")].value.item()
    assert starters == 300
    assert "Synthetic data" in text and "300 patients" in text
    assert f"Of {int(starters)} dupilumab starters" in text
    assert f"The analysed group counts {int(analysed)} patients" in text
    # the flow table follows the data too
    assert re.search(rf"Started dupilumab\s+{int(starters)}\b", text)
    # no scorecard by default for data other than the reference cohort
    assert "published numbers, " not in text and "targets: yes" in text


def _has_reference(study):
    folder = ROOT / "data" / "reference" / study
    return folder.is_dir() and (folder / "subjects.csv").exists()


@pytest.mark.parametrize("study", ["ferrucci2022", "matsutani2021"])
def test_reference_manuscript_has_notice_and_scorecard(study, tmp_path, cache):
    """Default data: the synthetic notice on page one and the scorecard appendix."""
    if not _has_reference(study):
        pytest.skip(f"no reference cohort committed for {study} yet")
    from analysis.io import load_dataset
    from analysis.render.builtin import render
    from analysis.studies import get
    from analysis.targets.verify import status_counts, verify_study

    files = render(ROOT / "report" / f"{study}.qmd", tmp_path, ["html", "pdf"])
    html = files[0].read_text(encoding="utf-8")
    _, text = html_links_and_text(html)
    ds = load_dataset(ROOT / "data" / "reference" / study)
    card = verify_study(study, get(study).run(ds))
    c = status_counts(card)
    assert "These patients are synthetic reconstructions, not the study" in text
    assert (f"Of {len(card)} published numbers, {c['reproduced']} were reproduced, "
            f"{c['mismatch']} did not match") in text
    assert external_urls(html) == []
    from pypdf import PdfReader

    first_page = PdfReader(str(files[1])).pages[0].extract_text()
    assert "synthetic reconstructions" in first_page


def test_dataset_without_tarc_still_renders(tmp_path):
    """An optional parameter missing: the text says so instead of printing dashes."""
    from analysis.render.builtin import render

    data = tmp_path / "no-tarc"
    shutil.copytree(HAND["matsutani2021"], data)
    meas = (data / "measurements.csv").read_text().splitlines()
    keep = [ln for ln in meas if ",TARC," not in ln]
    assert len(keep) < len(meas)
    (data / "measurements.csv").write_text("\n".join(keep) + "\n")
    files = render(ROOT / "report" / "matsutani2021.qmd", tmp_path / "out", ["html"],
                   params={"data": str(data)})
    _, text = html_links_and_text(files[0].read_text(encoding="utf-8"))
    assert "serum TARC was not measured in these data" in text
    assert "Figure 3: " in text and "Table 5: " in text


def test_ferrucci_without_topicals_and_tte(tmp_path):
    """Optional tables missing: their sections say so in plain words, the rest renders."""
    from analysis.render.builtin import render

    data = tmp_path / "scores-only"
    shutil.copytree(HAND["ferrucci2022"], data)
    (data / "topicals.csv").unlink()
    (data / "tte.csv").unlink()
    files = render(ROOT / "report" / "ferrucci2022.qmd", tmp_path / "out", ["html"],
                   params={"data": str(data)})
    _, text = html_links_and_text(files[0].read_text(encoding="utf-8"))
    assert "The dataset has no record of topical therapy" in text
    assert "no record of when tacrolimus was started" in text
    assert "Table 3: EASI, itch NRS, sleep NRS and DLQI" in text
