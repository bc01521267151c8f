"""Verification reports (reports.render): content, honesty of the counts, offline HTML, LaTeX,
atomic writes, bad input, and the figure data that reproduces the papers.

The browser and PDF checks (a reader's view) are in test_reports_browser.py.
"""

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from lazyrich import reports
from lazyrich.derive import Derivation
from lazyrich.numerics import LazyrichError
from lazyrich import Claim, Evidence, Scope, Source
from lazyrich.engine._results import document
from lazyrich.reports import _figures, _figures_data, _latex
from lazyrich.reports._math import latex_math, latex_text, mathml
from lazyrich.reports._model import percent

UNICODE_TITLE = "λ-balanced Ũ and s̃ ≤ 1e-3 & 50% _x_ {y} #1"


def synthetic_results() -> dict:
    """A small results document made by really running claims of every kind of verdict."""
    a, b = sp.symbols("a b", positive=True)

    good = Claim(id="demo.eq1", title=UNICODE_TITLE, source=Source("demo", "eq (1)", "§2"),
                 statement=r"\frac{(a+b)^2}{2} = \frac{a^2 + 2ab + b^2}{2}",
                 assumptions=("a > 0", "b > 0 (Σ ≥ 0)"), notes="A square, expanded.")

    @good.check("symbolic")
    def derivation(f):
        d = Derivation("expand the square")
        d.given(sp.Symbol("s"), a + b, "definition of s")
        d.step((a + b) ** 2 / 2, (a ** 2 + 2 * a * b + b ** 2) / 2, "binomial formula",
               moves=(sp.expand,))
        return d.evidence()

    @good.check("numeric", tolerance=1e-12, precision="float64",
                justification="two roundings; 1e-12 leaves margin")
    def against_float(f):
        lam = [1e-3, 1e-2, 1e-1, 1.0]
        gap = [x * 1e-15 for x in lam]
        return Evidence(max_error=max(gap), detail="max |lhs − rhs| over λ",
                        data={"lambda": lam, "gap": gap})

    erratum = Claim(id="demo.eq2", title="A printed square without its cross term",
                    source=Source("demo", "eq (2)"), statement=r"(a+b)^2 = a^2 + b^2",
                    expected="refuted", corrected=r"(a+b)^2 = a^2 + 2ab + b^2",
                    corrected_by="demo.eq3", depends_on=("demo.eq1",),
                    notes="printed without the 2ab term")

    @erratum.check("symbolic")
    def printed(f):
        d = Derivation("the printed identity")
        d.step((a + b) ** 2, a ** 2 + b ** 2, "as printed", moves=(sp.expand,))
        return d.evidence()

    fixed = Claim(id="demo.eq3", title="The corrected square", source=Source("demo", "eq (2)"),
                  statement=r"(a+b)^2 = a^2 + 2ab + b^2", depends_on=("demo.eq1",))

    @fixed.check("symbolic")
    def corrected(f):
        d = Derivation("the corrected identity")
        d.step((a + b) ** 2, a ** 2 + 2 * a * b + b ** 2, "binomial formula",
               moves=(sp.expand,))
        return d.evidence(scope=Scope.full("all positive a, b"))

    unsure = Claim(id="demo.lemma4", title="Something SymPy cannot reduce",
                   source=Source("demo", "Lemma 4"), statement=r"\sqrt{a^2} = a",
                   depends_on=("demo.eq3", "demo.missing9"))

    @unsure.check("symbolic")
    def weak(f):
        return Evidence(verdict="inconclusive", detail="no reduction found")

    broken = Claim(id="demo.thm5", title="A check that crashes", source=Source("demo", "Thm 5"),
                   statement=r"\lVert W \rVert_F \le \tfrac12")

    @broken.check("numeric", tolerance=1e-9)
    def crashes(f):
        raise RuntimeError("boom")

    records = []
    for c in (good, erratum, fixed, unsure, broken):
        rec = c.run().as_dict()
        rec["cached"] = False
        records.append(rec)
    return document(records)


@pytest.fixture(scope="module")
def results():
    return synthetic_results()


@pytest.fixture(scope="module")
def site(tmp_path_factory, results):
    out = tmp_path_factory.mktemp("rep") / "report"
    paths = reports.render(results, out, ("html", "latex"), figures=False)
    return out, paths


def _all_html(out: Path) -> dict[str, str]:
    return {str(p.relative_to(out)): p.read_text(encoding="utf-8") for p in out.rglob("*.html")}


# --------------------------------------------------------------------------- content


def test_synthetic_results_cover_every_outcome(results):
    got = {c["id"]: (c["verdict"], c["outcome"]) for c in results["claims"]}
    assert got == {"demo.eq1": ("verified", "passed"), "demo.eq2": ("refuted", "erratum"),
                   "demo.eq3": ("proved", "passed"),
                   "demo.lemma4": ("inconclusive", "inconclusive"),
                   "demo.thm5": ("error", "error")}


def test_render_returns_the_files_it_wrote(site):
    out, paths = site
    assert set(paths) == {"html", "latex"}
    assert paths["html"] == out.resolve() / "index.html" and paths["html"].is_file()
    assert paths["latex"] == out.resolve() / "latex" / "report.tex" and paths["latex"].is_file()
    assert not (out / "report.pdf").exists()  # not asked for
    assert (out / ".lazyrich-report").is_file()
    for page in ("graph.html", "errata.html", "figures.html"):
        assert (out / page).is_file()


def test_index_counts_per_verdict_and_paper(site, results):
    out, _ = site
    html = (out / "index.html").read_text()
    table = html[html.index('id="verdicts"'):html.index('id="outcomes"')]
    for verdict, n in (("proved", 1), ("verified", 1), ("refuted", 1), ("inconclusive", 1),
                       ("error", 1)):
        row = re.search(rf'badge {verdict}">{verdict}</span></td><td class="n">(\d+) of 5'
                        rf'</td><td class="n">([^<]+)</td>', table)
        assert row, verdict
        assert int(row.group(1)) == n
        assert row.group(2) == {0: "0%", 1: "20%", 2: "40%"}[n]
    papers = html[html.index('id="papers"'):]
    assert "<td>demo</td><td class=\"n\">5</td>" in papers
    assert "2 of 5 (40%)" in papers
    for c in results["claims"]:
        assert f'href="claims/{c["id"]}.html"' in html
        assert f'data-verdict="{c["verdict"]}"' in html
    assert "did not get the verdict they expect" in html  # thm5 errored, lemma4 is fine


@pytest.mark.parametrize("n,total,text", [
    (199, 200, "99.5%"), (1, 200, "0.5%"), (200, 200, "100%"), (0, 200, "0%"),
    (9999, 10000, "99.99%"), (1, 10000, "0.01%"), (2, 3, "67%"), (0, 0, "–"),
    (999999, 1000000, "99.9999%"),
])
def test_percent_never_rounds_a_partial_count_to_0_or_100(n, total, text):
    assert percent(n, total) == text


def test_index_does_not_round_199_of_200_to_100_percent(tmp_path, results):
    base = next(c for c in results["claims"] if c["id"] == "demo.eq3")
    claims = []
    for i in range(200):
        c = json.loads(json.dumps(base))
        c["id"] = f"bulk.eq{i}"
        c["source"]["paper"] = "bulk"
        c["depends_on"] = []
        c["checks"][0]["data"] = None
        if i == 7:
            c["verdict"], c["checks"][0]["verdict"] = "refuted", "refuted"
        claims.append(c)
    doc = document(claims)
    index = reports.render(doc, tmp_path / "r", figures=False)["html"].read_text()
    assert re.search(r'proved</span></td><td class="n">199 of 200</td><td class="n">99\.5%',
                     index)
    assert "199 of 200 (99.5%)" in index
    body = index[index.index("<body>"):]
    assert "100%" not in body


def test_claim_page_has_statement_derivation_evidence_and_timing(site):
    out, _ = site
    page = (out / "claims" / "demo.eq1.html").read_text()
    assert page.count("<math") >= 3                      # statement + premise + step
    assert 'alttext="\\frac{(a+b)^2}{2}' in page          # the LaTeX source is kept
    assert "<mfrac>" in page
    assert "binomial formula" in page and "definition of s" in page
    assert "residual reduced to exactly 0" in page
    assert "max error <strong>1.00e-15</strong> ≤ tolerance <strong>1.00e-12</strong>" in page
    assert "two roundings; 1e-12 leaves margin" in page and "float64" in page
    assert re.search(r"\d+\.\d{2} s", page)                     # claim timing
    assert page.count('class="plot"') == 1               # the check's recorded curve
    assert "λ-balanced Ũ and s̃ ≤ 1e-3 &amp; 50% _x_ {y} #1" in page   # escaped, not lost
    assert "A square, expanded." in page and "b &gt; 0 (Σ ≥ 0)" in page
    assert "Used by:" in page and 'href="demo.eq2.html"' in page


def test_erratum_page_lists_printed_corrected_and_evidence(site):
    out, _ = site
    errata = (out / "errata.html").read_text()
    assert errata.count("<h2 id=") == 1 and 'id="demo.eq2"' in errata
    printed = errata[errata.index("Printed:"):errata.index("Corrected:")]
    corrected = errata[errata.index("Corrected:"):errata.index("Evidence:")]
    assert 'alttext="(a+b)^2 = a^2 + b^2"' in printed
    assert 'alttext="(a+b)^2 = a^2 + 2ab + b^2"' in corrected
    assert 'href="claims/demo.eq3.html"' in errata           # corrected_by, with its verdict
    assert "residual ≠ 0" in errata and '"point"' in errata    # the counterexample
    assert 'id="demo.eq1"' not in errata and 'id="demo.eq3"' not in errata
    claim = (out / "claims" / "demo.eq2.html").read_text()
    assert "Statement as printed" in claim and "Corrected form" in claim
    assert "Counterexample" in claim                          # the refuted step's point


def test_error_and_inconclusive_are_shown_with_their_reason(site):
    out, _ = site
    crash = (out / "claims" / "demo.thm5.html").read_text()
    assert "RuntimeError: boom" in crash and "<summary>traceback</summary>" in crash
    unsure = (out / "claims" / "demo.lemma4.html").read_text()
    assert "no reduction found" in unsure
    assert "demo.missing9</code> <span class=\"small\">(not in these results)" in unsure


def test_graph_is_coloured_by_verdict_and_subgraphs_are_neighbourhoods(site):
    out, _ = site
    graph = (out / "graph.html").read_text()
    nodes = sorted(re.findall(r'data-verdict="(\w+)"><title>([\w.]+) ', graph))
    assert nodes == sorted([("verified", "demo.eq1"), ("refuted", "demo.eq2"),
                            ("proved", "demo.eq3"), ("inconclusive", "demo.lemma4"),
                            ("error", "demo.thm5"), ("missing", "demo.missing9")])
    from lazyrich.reports._graph import VERDICT_COLORS
    for v in ("proved", "verified", "refuted", "inconclusive", "error"):
        assert f'fill="{VERDICT_COLORS[v]}" stroke' in graph
    # eq1→eq2, eq1→eq3, eq3→lemma4, missing9→lemma4
    assert graph.count("marker-end=") == 4
    assert 'stroke-dasharray="4 2"' in graph                 # the erratum / missing node
    sub = (out / "claims" / "demo.eq3.html").read_text()
    sub = sub[sub.index("<h2>Dependencies</h2>"):]
    ids = set(re.findall(r"<title>([\w.]+) ", sub))
    assert ids == {"demo.eq1", "demo.eq3", "demo.lemma4"}    # ancestors + descendants only
    assert 'stroke-width="3"' in sub                          # the claim itself


def test_html_is_self_contained(site):
    out, _ = site
    for name, text in _all_html(out).items():
        assert "<script src" not in text and "<link rel=\"stylesheet\"" not in text, name
        assert "@import" not in text and "url(http" not in text, name
        for ref in re.findall(r'(?:src|href)="([^"]*)"', text):
            assert not re.match(r"^(https?:)?//", ref), (name, ref)
            if ref.startswith(("data:", "#")):
                continue
            target = (out / name).parent / ref.split("#")[0]
            assert target.resolve().is_file(), (name, ref)   # every link resolves


def test_latex_document_typesets_statements_and_escapes_text(site, results):
    out, _ = site
    tex = (out / "latex" / "report.tex").read_text()
    for c in results["claims"]:
        assert f"\\texttt{{{c['id']}}}" in tex
    assert r"\eqblock{\frac{(a+b)^2}{2} = \frac{a^2 + 2ab + b^2}{2}}" in tex
    assert r"\ensuremath{\lambda}-balanced \~{U} and \~{s} \ensuremath{\le} 1e-3 \& 50\% " \
           r"\_x\_ \{y\} \#1" in tex
    assert "\\section{Errata}" in tex and "Corrected" in tex
    assert tex.isascii()                                      # pdflatex-safe
    assert list((out / "latex" / "plots").glob("*.pdf"))      # the check's curve


# --------------------------------------------------------------------------- math helpers


def test_mathml_conversion_and_fallback():
    m = mathml(r"\frac{a}{b} + \tilde\Sigma^{yx\top}", True)
    assert m.startswith("<math") and "<mfrac>" in m and 'display="block"' in m
    assert str(mathml("")) == ""
    bad = mathml(r"\frac{a}{")      # unbalanced: shown as its source, never an exception
    assert "<math" in bad or 'class="tex"' in bad
    assert "&lt;" in mathml(r"<script>", False) or "<script>" not in mathml(r"<script>", False)


def test_latex_text_and_math_are_ascii():
    assert latex_text("a_b & 100% {x} $ # ^ ~ \\") == \
        r"a\_b \& 100\% \{x\} \$ \# \^{} \textasciitilde{} \textbackslash{}"
    assert latex_text("τ ≤ 1 → ∞, Dominé") == \
        r"\ensuremath{\tau} \ensuremath{\le} 1 \ensuremath{\to} \ensuremath{\infty}, Domin\'{e}"
    assert latex_text("日本").count("?") == 2                 # unknown: visible, never a crash
    assert latex_math(r"\text{λ} = Ũ") == r"\text{\ensuremath{\lambda }} = \ensuremath{\tilde{U}}"
    assert latex_math(r"\frac{a}{b}") == r"\frac{a}{b}"


# --------------------------------------------------------------------------- writes and errors


def test_rerender_replaces_atomically_and_failure_keeps_the_old_report(tmp_path, results,
                                                                       monkeypatch):
    out = tmp_path / "rep"
    reports.render(results, out, figures=False)
    (out / "index.html").write_text("OLD")
    reports.render(results, out, figures=False)
    assert (out / "index.html").read_text() != "OLD"
    (out / "index.html").write_text("GOOD")

    def crash(*a, **k):
        raise RuntimeError("renderer crashed half-way")

    import lazyrich.reports._render as render_mod
    monkeypatch.setattr(render_mod, "write_latex", crash)
    with pytest.raises(RuntimeError, match="half-way"):
        reports.render(results, out, ("html", "latex"), figures=False)
    assert (out / "index.html").read_text() == "GOOD"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rep"]   # no temp dir left


def test_refuses_to_replace_a_directory_that_is_not_a_report(tmp_path, results):
    precious = tmp_path / "mine"
    precious.mkdir()
    (precious / "thesis.tex").write_text("do not delete")
    with pytest.raises(LazyrichError, match="not a lazyrich report"):
        reports.render(results, precious, figures=False)
    assert (precious / "thesis.tex").read_text() == "do not delete"
    (tmp_path / "afile").write_text("x")
    with pytest.raises(LazyrichError, match="is a file"):
        reports.render(results, tmp_path / "afile", figures=False)


def test_render_report_is_the_html_wrapper(tmp_path, results):
    index = reports.render_report(results, tmp_path / "r")
    assert index == (tmp_path / "r").resolve() / "index.html"
    assert "demo.eq1" in index.read_text()


@pytest.mark.parametrize("bad,match", [
    ({"claims": "nope"}, r"results\['claims'\] = 'nope': expected list"),
    ({}, "missing 'claims'"),
    ({"claims": [{"id": "x.y"}]}, r"\(x\.y\): missing 'verdict'"),
    ({"claims": [{"id": "x.y", "verdict": "great", "source": {"paper": "x"}, "checks": []}]},
     "'great': not one of"),
    ([], "must be a dict"),
])
def test_bad_results_name_the_field(tmp_path, bad, match):
    with pytest.raises(LazyrichError, match=match):
        reports.render(bad, tmp_path / "r", figures=False)
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("formats", [("html", "docx"), (), "pdf,epub", 3])
def test_unknown_format_is_rejected(tmp_path, results, formats):
    with pytest.raises(LazyrichError, match="format"):
        reports.render(results, tmp_path / "r", formats, figures=False)


def test_formats_accept_a_comma_string(tmp_path, results):
    paths = reports.render(results, tmp_path / "r", "html, latex", figures=False)
    assert set(paths) == {"html", "latex"}


def test_pdf_without_tex_fails_clearly_and_writes_nothing(tmp_path, results, monkeypatch):
    monkeypatch.setattr(_latex.shutil, "which", lambda name: None)
    with pytest.raises(LazyrichError) as info:
        reports.render(results, tmp_path / "r", ("html", "pdf"), figures=False)
    msg = str(info.value)
    assert "pdflatex" in msg and "texlive-latex-base" in msg and "latexmk" in msg
    assert list(tmp_path.iterdir()) == []                     # no stub, no half report


# --------------------------------------------------------------------------- figures


def test_figure_hook_registers_data_and_renderer(tmp_path, results, monkeypatch):
    calls = []
    monkeypatch.setattr(_figures_data, "FIGURES", dict(_figures_data.FIGURES))
    monkeypatch.setattr(_figures, "RENDERERS", dict(_figures.RENDERERS))

    @_figures_data.figure_data("demo.fig1", title="Demo figure", caption="a line",
                               claims=("demo.eq1",))
    def demo_fig1():
        calls.append(1)
        return {"x": [0.0, 1.0, 2.0], "y": [0.0, 1.0, 4.0]}

    @_figures.figure_renderer("demo.fig1")
    def draw(d):
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots()
        ax.plot(d["x"], d["y"])
        return fig

    @_figures_data.figure_data("demo.fig2", title="Broken figure", caption="fails")
    def demo_fig2():
        raise ValueError("no data today")

    with pytest.raises(LazyrichError, match="registered twice"):
        _figures_data.figure_data("demo.fig1", title="", caption="")
    with pytest.raises(LazyrichError, match="must look like"):
        _figures_data.figure_data("nodot", title="", caption="")

    cache = tmp_path / "cache"
    out = reports.render(results, tmp_path / "r", ("html", "latex"), cache_dir=cache)
    figs = (tmp_path / "r" / "figures.html").read_text()
    assert "Demo figure" in figs and 'class="plot"' in figs
    assert "ValueError: no data today" in figs                # reported, report still written
    assert "Demo figure" in (tmp_path / "r" / "claims" / "demo.eq1.html").read_text()
    assert "Demo figure" not in (tmp_path / "r" / "claims" / "demo.eq3.html").read_text()
    assert (tmp_path / "r" / "latex" / "figures" / "demo-fig1.pdf").is_file()
    assert out["html"].is_file() and calls == [1]
    # cached by content hash; a corrupted cache file is recomputed, not trusted
    reports.render(results, tmp_path / "r", figures=True, cache_dir=cache)
    assert calls == [1]
    for p in (cache / "figures").glob("demo.fig1-*.json"):
        p.write_text(p.read_text().replace("4.0", "5.0"))
    assert _figures_data.load_figure("demo.fig1", cache_dir=cache)["y"] == [0.0, 1.0, 4.0]
    assert calls == [1, 1]
    with pytest.raises(LazyrichError, match="not registered"):
        _figures_data.load_figure("demo.nope", cache_dir=cache)


def test_figures_only_for_papers_in_the_results(tmp_path, results):
    reports.render(results, tmp_path / "r", cache_dir=tmp_path / "c")
    figs = (tmp_path / "r" / "figures.html").read_text()
    assert "No figure is registered" in figs or "domine2025" not in figs
    assert not (tmp_path / "c").exists()                       # nothing computed for 'demo'


def test_check_plot_picks_the_abscissa_and_skips_derivations():
    fig = _figures.check_plot({"lr": [0.02, 0.01, 0.005], "drift": [4e-3, 2e-3, 1e-3]})
    ax = fig.axes[0]
    assert ax.get_xlabel() == "lr" and ax.get_xscale() == "linear"
    assert list(ax.lines[0].get_xdata()) == [0.02, 0.01, 0.005]
    fig2 = _figures.check_plot({"gap": [1e-4, 1e-6, 1e-8], "lambda": [1e-3, 1e-4, 1e-5]})
    assert fig2.axes[0].get_xlabel() == "lambda" and fig2.axes[0].get_yscale() == "log"
    assert _figures.check_plot({"steps": [{"lhs": "a"}], "derivation": "x"}) is None
    assert _figures.check_plot(None) is None
    assert _figures.check_plot({"errors": {"square": [1.0, 0.5], "funnel": [2.0, 1.0]}})


@pytest.fixture(scope="module")
def paper_figures(tmp_path_factory):
    cache = tmp_path_factory.mktemp("figcache")
    return {fid: _figures_data.load_figure(fid, cache_dir=cache, use_cache=False)
            for fid in _figures_data.FIGURES if fid.startswith("domine2025.")}


def test_dominé_figures_closed_forms_agree_with_simulation(paper_figures):
    """The figures reproduce the papers: each closed-form curve lies on its simulation."""
    f2 = paper_figures["domine2025.fig2"]
    t = np.asarray(f2["t"])
    for c in f2["curves"]:
        sim_t = np.asarray(c["simulation"]["t"])
        theory_at_sim = np.interp(sim_t, t, c["theory"]["loss"])
        rel = np.abs(theory_at_sim - c["simulation"]["loss"]) / np.asarray(c["simulation"]["loss"])
        # GD is the Euler discretisation of the flow: O(lr)=1e-2 relative differences, far
        # below the plateau-to-converged spread (a factor > 100) the figure shows
        assert rel.max() < 0.5 and np.median(rel) < 0.05, c["lambda"]
        assert c["theory"]["loss"][-1] < 0.02 * c["theory"]["loss"][0]
    f3 = paper_figures["domine2025.fig3"]
    t3, ts = np.asarray(f3["t"]), np.asarray(f3["t_sim"])
    for c in f3["curves"]:
        th = np.asarray(c["theory"])
        at = np.array([np.interp(ts, t3, row) for row in th])
        assert np.max(np.abs(at - np.asarray(c["simulation"]))) < 2e-2   # grid interpolation
        assert np.allclose(th[:, -1], f3["s_target"], rtol=1e-3)        # converged
    lam0 = next(c for c in f3["curves"] if c["lambda"] == 0.0)
    assert np.max(np.abs(np.asarray(lam0["gamma"]) - f3["sigmoid_limit"])) < 1e-9
    f4 = paper_figures["domine2025.fig4"]
    for p in f4["panels"]:
        assert p["max_diff_input"] < 1e-8 and p["max_diff_output"] < 1e-8
    # λ<0: the input block is the large, near-identity one; λ>0: the output block (spec §8)
    neg, pos = f4["panels"][0], f4["panels"][-1]
    assert neg["lambda"] < 0 < pos["lambda"]
    assert np.trace(neg["input_theory"]) / 8 > np.trace(pos["input_theory"]) / 8 * 10
    assert np.trace(pos["output_theory"]) > np.trace(neg["output_theory"]) * 10


def test_dominé_fig5_pattern_and_fig1c_statistics(paper_figures):
    f5 = paper_figures["domine2025.fig5"]
    lam = f5["lambdas"]
    arch = {a["name"].split(" (")[0]: a for a in f5["architectures"]}
    i_neg, i0, i_pos = lam.index(-20.0), lam.index(0.0), lam.index(20.0)
    assert arch["funnel"]["theory"][i_pos] < 0.01 < 0.3 < arch["funnel"]["theory"][i_neg]
    assert arch["inverted funnel"]["theory"][i_neg] < 0.01
    assert arch["inverted funnel"]["theory"][i_pos] > 0.3
    assert max(arch["square"]["theory"][i_neg], arch["square"]["theory"][i_pos]) < 0.01
    assert all(a["theory"][i0] > 0.1 for a in arch.values())   # λ=0 is rich in all three
    for a in arch.values():
        for l_sim, d_sim in zip(f5["sim_lambdas"], a["simulation"]):
            assert abs(a["theory"][lam.index(l_sim)] - d_sim) < 0.02, (a["name"], l_sim)
    f1 = paper_figures["domine2025.fig1c"]
    n1, n2, n3 = f1["sizes"]
    diag, off = np.asarray(f1["diagonal"]), np.asarray(f1["off_diagonal"])
    assert math.isclose(f1["lambda_predicted"], n3 / n2 - 1)
    sd = f1["std_predicted"]
    # diagonal mean vs λ: within 4 standard errors (entry sd ≈ 2·sd, 120 entries)
    assert abs(diag.mean() - f1["lambda_predicted"]) < 4 * 2 * sd / math.sqrt(n2)
    assert abs(off.mean()) < 4 * sd / math.sqrt(off.size) * 10
    assert abs(off.std() / sd - 1) < 0.05


def test_paper_figures_draw(paper_figures):
    for fid, data in paper_figures.items():
        svg = _figures.to_svg(_figures.draw_figure(fid, data))
        assert svg.startswith("<svg") and 'class="plot"' in svg and "viewBox" in svg
