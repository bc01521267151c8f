"""Reports as a reader sees them: headless Chromium opens the HTML from file:// and the PDF is
rasterised and read back.

Browser tests (marked ``browser``) need Debian's ``chromium``; PDF tests need a TeX toolchain
(latexmk/pdflatex) and poppler-utils (pdftoppm, pdftotext). Each is skipped, with the reason,
where its tool is missing. Screenshots are saved under the test's tmp directory (and copied to
``$LAZYRICH_SCREENSHOT_DIR`` when that is set, e.g. for CI artifacts).
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from lazyrich import reports
from lazyrich.engine._run import RunOptions, run_claims
from lazyrich import Claim
from lazyrich.engine._results import document
from lazyrich.reports._browser import Browser, find_chromium
from lazyrich.reports._latex import tex_toolchain
from test_reports import synthetic_results

CHROMIUM = find_chromium()
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium on PATH (Debian: apt-get install chromium)")
needs_tex = pytest.mark.skipif(
    tex_toolchain() is None or not (shutil.which("pdftotext") and shutil.which("pdftoppm")),
    reason="no TeX toolchain or poppler-utils (apt-get install latexmk texlive-latex-base "
           "texlive-latex-recommended texlive-fonts-recommended poppler-utils)")

REAL_CLAIMS = {"domine2025.thmA.2": "lazyrich.proofs.domine2025.balance",
               "domine2025.eq17": "lazyrich.proofs.domine2025.aligned"}


def _real_claims() -> list:
    """Two built-in claims, imported from their modules (not through discovery, so a claim
    being edited elsewhere in the tree cannot break this test)."""
    import importlib

    out = []
    for cid, module in REAL_CLAIMS.items():
        mod = importlib.import_module(module)
        out += [v for v in vars(mod).values() if isinstance(v, Claim) and v.id == cid]
    assert [c.id for c in out] == list(REAL_CLAIMS)
    return out


@pytest.fixture(scope="module")
def combined(tmp_path_factory):
    """The synthetic document plus a real run of two built-in claims (one results document)."""
    cache = tmp_path_factory.mktemp("cache")
    real = run_claims(_real_claims(),
                      RunOptions(jobs=1, use_cache=False, cache_dir=str(cache)))
    records = synthetic_results()["claims"] + real["claims"]
    return document(records), cache


@pytest.fixture(scope="module")
def html_site(tmp_path_factory, combined):
    doc, cache = combined
    out = tmp_path_factory.mktemp("site") / "report"
    reports.render(doc, out, ("html",), figures=True, cache_dir=cache)
    return out


def _keep(png: bytes, name: str, tmp: Path) -> Path:
    path = tmp / name
    path.write_bytes(png)
    extra = os.environ.get("LAZYRICH_SCREENSHOT_DIR")
    if extra:
        Path(extra).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(extra) / name)
    return path


@pytest.mark.browser
@needs_chromium
def test_every_page_renders_offline_without_errors(html_site, combined, tmp_path):
    doc, _ = combined
    pages = ["index.html", "graph.html", "errata.html", "figures.html"] + \
        [f"claims/{c['id']}.html" for c in doc["claims"]]
    with Browser() as browser:
        for page in pages:
            r = browser.open(html_site / page, screenshot=page == "index.html")
            assert r.console_errors == [], (page, r.console_errors)
            left = [u for u in r.requests if not u.startswith(("file://", "data:"))]
            assert left == [], (page, left)                  # nothing left the machine
            assert r.tex_fallbacks == 0, page                 # every LaTeX string became MathML
            for kind, boxes in (("math", r.maths), ("svg", r.svgs)):
                empty = [b for b in boxes if not (b[0] > 0 and b[1] > 0)]
                assert empty == [], (page, kind, empty)
            if page == "index.html":
                png = _keep(r.screenshot, "index.png", tmp_path)
                assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20000
            if page.startswith("claims/"):
                assert r.maths and r.svgs, page               # statement + dependency graph
    # the pages that must show mathematics and plots do
    with Browser() as browser:
        eq1 = browser.open(html_site / "claims" / "demo.eq1.html", screenshot=True)
        _keep(eq1.screenshot, "claim-demo.eq1.png", tmp_path)
        assert len(eq1.maths) >= 3 and len(eq1.svgs) >= 2    # MathML; check plot + graph
        # real MathML layout: the fraction's numerator sits above its denominator
        f = eq1.fraction
        assert f and f["num_h"] > 0 and f["den_h"] > 0 and f["num_bottom"] <= f["den_top"] + 1
        figs = browser.open(html_site / "figures.html", screenshot=True, full_page=True)
        _keep(figs.screenshot, "figures.png", tmp_path)
        assert len(figs.svgs) >= 5                           # Dominé Fig 1C, 2, 3, 4, 5
        assert all(w > 300 and h > 150 for w, h in figs.svgs)


@pytest.mark.browser
@needs_chromium
def test_index_filter_works_in_the_browser(html_site):
    """The inline filter really hides rows (run in the page, as a reader would click)."""
    script = """(() => { const s = document.getElementById('f-verdict');
        s.value = 'refuted'; s.dispatchEvent(new Event('change'));
        const vis = Array.from(document.querySelectorAll('#claims tbody tr'))
            .filter(r => !r.hidden).map(r => r.dataset.verdict);
        return {vis, shown: document.getElementById('shown').textContent}; })()"""
    with Browser() as browser:
        r = browser.open(html_site / "index.html", script=script)
        out = r.script_result
        assert r.console_errors == []
        assert out["vis"] == ["refuted"] and out["shown"] == "1"


@needs_tex
def test_pdf_renders_and_contains_every_claim_id(combined, tmp_path):
    doc, cache = combined
    paths = reports.render(doc, tmp_path / "rep", ("pdf", "latex"), figures=True,
                           cache_dir=cache)
    pdf = paths["pdf"]
    assert pdf.read_bytes()[:5] == b"%PDF-"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    for c in doc["claims"]:
        assert c["id"] in text, c["id"]
    assert "Errata" in text and "Figures" in text
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "2", str(pdf),
                    str(tmp_path / "page")], check=True)
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert len(pngs) == 2 and all(p.stat().st_size > 5000 for p in pngs)
    extra = os.environ.get("LAZYRICH_SCREENSHOT_DIR")
    if extra:
        Path(extra).mkdir(parents=True, exist_ok=True)
        for p in pngs:
            shutil.copy(p, Path(extra) / f"pdf-{p.name}")
    assert not list((tmp_path / "rep" / "latex").glob("*.aux"))  # build junk removed


@needs_tex
def test_pdf_tex_error_names_the_claim_and_keeps_the_old_report(tmp_path):
    doc = synthetic_results()
    out = tmp_path / "rep"
    reports.render(doc, out, ("html",), figures=False)
    bad = next(c for c in doc["claims"] if c["id"] == "demo.lemma4")
    bad["statement"] = r"\undefinedmacro{x}"
    with pytest.raises(reports._render.LazyrichError, match="demo.lemma4"):
        reports.render(doc, out, ("html", "pdf"), figures=False)
    assert (out / "index.html").is_file() and not (out / "report.pdf").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rep"]
