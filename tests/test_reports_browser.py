"""Reports as a reader sees them: headless Chromium opens the HTML from file:// at 1280 px and the
PDF is rasterised and read back.

Browser tests (marked ``browser``) need Debian's ``chromium``; PDF tests need a TeX toolchain
(LuaLaTeX, or pdflatex) and poppler-utils (pdftoppm, pdftotext). Each is skipped, with the
reason, where its tool is missing. Screenshots are saved under the test's tmp directory (and
copied to ``$LAZYRICH_SCREENSHOT_DIR`` when that is set, e.g. for CI artifacts).
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from lazyrich import Claim, reports
from lazyrich._figures import register_paper
from lazyrich.engine._figures import for_report
from lazyrich.engine._results import document
from lazyrich.engine._run import RunOptions, run_claims
from lazyrich.reports._browser import Browser, find_chromium
from lazyrich.reports._latex import tex_toolchain
from test_reports import synthetic_results

CHROMIUM = find_chromium()
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium on PATH (Debian: apt-get install chromium)")
needs_tex = pytest.mark.skipif(
    tex_toolchain() is None or not (shutil.which("pdftotext") and shutil.which("pdftoppm")),
    reason="no TeX toolchain or poppler-utils (apt-get install texlive-latex-base "
           "texlive-latex-recommended texlive-luatex texlive-fonts-recommended poppler-utils)")

REAL_CLAIMS = {"domine2025.thmA.2": "lazyrich.proofs.domine2025.balance",
               "domine2025.eq17": "lazyrich.proofs.domine2025.aligned"}
HOSTILE = Path(__file__).parent / "data" / "hostile_results.json"

# What a reader must never see: overflow past the viewport, and LaTeX source as text.
_LOOK = r"""(() => {
  const vw = window.innerWidth, w = document.documentElement.scrollWidth;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const raw = [];
  while (walker.nextNode()) {
    const n = walker.currentNode;
    if (n.parentElement.closest("math, script, style, pre, code, .linear, details:not([open])")) continue;
    const t = n.textContent, m = t.match(/\\frac|\\tilde|\\lambda|\^\{|_\{|\\[a-zA-Z]{3,}/);
    if (m) raw.push(t.slice(Math.max(0, m.index - 30), m.index + 30));
  }
  const names = document.body.innerText;
  return {scrollWidth: w, viewport: vw, raw: raw.slice(0, 5), text: names.slice(0, 200000),
          pwned: typeof window.__pwned !== "undefined"};
})()"""


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
    from lazyrich import _figures as registry

    saved = dict(registry.PAPERS)
    registry.PAPERS.pop("demo", None)
    register_paper("demo", title="A Demonstration Paper", authors=("Ada", "Bob"),
                   venue="Demo Conf", year=2024, arxiv="2401.00001")
    cache = tmp_path_factory.mktemp("cache")
    real = run_claims(_real_claims(),
                      RunOptions(jobs=1, use_cache=False, cache_dir=str(cache)))
    records = synthetic_results()["claims"] + real["claims"]
    yield document(records), cache
    registry.PAPERS.clear()
    registry.PAPERS.update(saved)


@pytest.fixture(scope="module")
def html_site(tmp_path_factory, combined):
    doc, cache = combined
    out = tmp_path_factory.mktemp("site") / "report"
    reports.render(doc, out, ("html",), figures=for_report(cache), cache_dir=cache,
                   progress=False)
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
def test_every_page_fits_1280_px_shows_no_latex_source_and_names_its_paper(html_site,
                                                                           combined, tmp_path):
    doc, _ = combined
    pages = ["index.html", "graph.html", "errata.html", "figures.html", "papers.html"] + \
        [f"claims/{c['id']}.html" for c in doc["claims"]]
    with Browser(width=1280, height=900) as browser:
        for page in pages:
            r = browser.open(html_site / page, screenshot=page in ("index.html", "graph.html"),
                             script=_LOOK)
            look = r.script_result
            assert r.console_errors == [], (page, r.console_errors)
            left = [u for u in r.requests if not u.startswith(("file://", "data:"))]
            assert left == [], (page, left)                  # nothing left the machine
            assert r.tex_fallbacks == 0, page                 # every LaTeX string became MathML
            assert look["scrollWidth"] <= look["viewport"], (page, look["scrollWidth"])
            assert look["raw"] == [], (page, look["raw"])
            for kind, boxes in (("math", r.maths), ("svg", r.svgs)):
                empty = [b for b in boxes if not (b[0] > 0 and b[1] > 0)]
                assert empty == [], (page, kind, empty)
            if page.startswith("claims/"):
                assert r.maths and r.svgs, page               # statement + dependency graph
                paper = ("From Lazy to Rich" if "domine2025" in page
                         else "A Demonstration Paper")
                assert paper in look["text"], page
            if r.screenshot:
                png = _keep(r.screenshot, page.replace(".html", ".png"), tmp_path)
                assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with Browser() as browser:
        eq1 = browser.open(html_site / "claims" / "demo.eq1.html", screenshot=True)
        _keep(eq1.screenshot, "claim-demo.eq1.png", tmp_path)
        f = eq1.fraction                    # real MathML layout: numerator above denominator
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
        const t = document.getElementById('f-statement'); s.value = '';
        t.value = 'proved'; t.dispatchEvent(new Event('change'));
        const proved = Array.from(document.querySelectorAll('#claims tbody tr'))
            .filter(r => !r.hidden).map(r => r.dataset.statement);
        return {vis, proved, shown: document.getElementById('shown').textContent}; })()"""
    with Browser() as browser:
        r = browser.open(html_site / "index.html", script=script)
        out = r.script_result
        assert r.console_errors == []
        assert out["vis"] == ["refuted"]
        assert out["proved"] and set(out["proved"]) == {"proved"}


@pytest.mark.browser
@needs_chromium
def test_graph_zoom_and_pan_work_offline(html_site):
    script = """(() => { const svg = document.querySelector('svg.graph');
        const before = svg.getAttribute('viewBox');
        document.querySelector('button[data-zoom=in]').click();
        const zoomed = svg.getAttribute('viewBox');
        document.querySelector('button[data-zoom=fit]').click();
        const r = svg.getBoundingClientRect();
        return {before, zoomed, after: svg.getAttribute('viewBox'), width: r.width,
                column: document.querySelector('.graphbox').getBoundingClientRect().width}; })()"""
    with Browser() as browser:
        r = browser.open(html_site / "graph.html", script=script)
        out = r.script_result
        assert r.console_errors == []
        assert out["zoomed"] != out["before"] and out["after"] == out["before"]
        assert out["width"] <= out["column"]                 # the whole graph fits its column


@pytest.mark.browser
@needs_chromium
def test_hostile_report_runs_nothing_and_loads_nothing_in_the_browser(tmp_path):
    doc = json.loads(HOSTILE.read_text(encoding="utf-8"))
    out = tmp_path / "report"
    reports.render(doc, out, ("html",), figures=False, progress=False)
    with Browser() as browser:
        for page in sorted(out.rglob("*.html")):
            r = browser.open(page, script=_LOOK)
            assert r.script_result["pwned"] is False, page.name
            left = [u for u in r.requests if not u.startswith(("file://", "data:"))]
            assert left == [], (page.name, left)
            assert r.script_result["scrollWidth"] <= r.script_result["viewport"], page.name


@needs_tex
def test_pdf_typesets_unicode_names_its_papers_and_has_every_claim(combined, tmp_path):
    doc, cache = combined
    doc = json.loads(json.dumps(doc))
    doc["claims"][0]["statement"] = r"\lambda \ne 0,\ e^{-\lambda t} \to 0"
    doc["claims"][0]["title"] = "λ ≠ 0 and e^{−λt} → 0"
    paths = reports.render(doc, tmp_path / "rep", ("pdf", "latex"), figures=for_report(cache),
                           cache_dir=cache, progress=False)
    pdf = paths["pdf"]
    assert pdf.read_bytes()[:5] == b"%PDF-"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    flat = text.replace("\n", " ")
    for c in doc["claims"]:
        assert c["id"] in flat.replace("- ", "-").replace(" ", "") or \
            c["id"] in flat.replace(" ", ""), c["id"]
    assert "Errata" in text and "Figures" in text
    assert "=?" not in text and "ˆ{" not in text and "^{" not in text
    if tex_toolchain().engine == "lualatex":
        assert "≠" in text                                  # one glyph, copied as ≠
    assert "From Lazy to Rich" in flat and "arXiv:2409.14623" in flat
    assert "Fig. 2 of Dominé et al. (2025), recomputed" in flat
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "2", str(pdf),
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
def test_unknown_macros_typeset_visibly_instead_of_failing(tmp_path):
    doc = synthetic_results()
    bad = next(c for c in doc["claims"] if c["id"] == "demo.lemma4")
    bad["statement"] = r"\undefinedmacro{x} + \frac{1}{"
    paths = reports.render(doc, tmp_path / "rep", ("pdf",), figures=False, progress=False)
    text = subprocess.run(["pdftotext", str(paths["pdf"]), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "undefinedmacro" in text
