"""Verification reports (reports.render): content, the verdict model as a reader sees it, honest
counts, offline HTML, LaTeX, atomic writes, bad input, figures and their cache.

The browser and PDF checks (a reader's view) are in test_reports_browser.py; hostile input in
test_reports_security.py.
"""

import json
import re
from pathlib import Path

import pytest
import sympy as sp

from lazyrich import Claim, Evidence, Scope, Source, reports
from lazyrich.derive import Derivation
from lazyrich.engine._results import document
from lazyrich import LazyrichError
from lazyrich.reports import _display, _figures, _latex, _tex, _text
from lazyrich.reports._mathml import safe_mathml
from lazyrich.reports._model import percent, slug

UNICODE_TITLE = "λ-balanced Ũ and s̃ ≤ 1e-3 & 50% _x_ {y} #1"
MUTATION = {"killed": 7, "total": 9, "survived": ["square: a → −a"],
            "equivalent": {"square: swap a, b": "the square of a + b is symmetric in a, b"},
            "threshold": 1e-9, "threshold_text": "1e-9", "thresholds": {"square": "1e-9"},
            "target": 1e-6}


def synthetic_results() -> dict:
    """A small results document made by really running claims of every kind of verdict."""
    a, b = sp.symbols("a b", positive=True)
    lam = sp.Symbol("lambda", positive=True)

    good = Claim(id="demo.eq1", title=UNICODE_TITLE, source=Source("demo", "eq (1)", "§2"),
                 statement=r"\frac{(a+b)^2}{2} = \frac{a^2 + 2ab + b^2}{2}",
                 scope="any real a, b",
                 assumptions=("a > 0", "b > 0 (Σ ≥ 0)"), notes="A square, expanded.",
                 formulas={"square": lambda x, y: (x + y) ** 2})

    @good.check("symbolic")
    def derivation(f):
        d = Derivation("expand the square")
        d.given(sp.Symbol("s"), a + b, "definition of s", name="def-s")
        d.step((a + b) ** 2 / 2, (a ** 2 + 2 * a * b + b ** 2) / 2, "binomial formula",
               moves=(sp.expand,), uses=("def-s",))
        d.step(a * b, 0, "a product of positive numbers", relation=">")
        d.step(1 / lam, 0, "1/λ → 0 as λ → ∞", relation="->", limit=(lam, sp.oo))
        d.step((a + b) ** 2, a ** 2 + 2 * a * b + b ** 2, "shown in its usual form",
               display=r"(a+b)^2 = a^2 + 2ab + b^2", moves=(sp.expand,))
        return d.evidence(scope=Scope.partial("a, b > 0", missing="a or b ≤ 0"))

    @good.check("numeric", tolerance=1e-12, precision="float64",
                justification="two roundings; 1e-12 leaves margin")
    def against_float(f):
        lam_ = [1e-3, 1e-2, 1e-1, 1.0]
        gap = [abs(f.square(x, 1.0) - (x * x + 2 * x + 1)) + x * 1e-15 for x in lam_]
        return Evidence(max_error=max(gap), detail="max |lhs − rhs| over λ",
                        data={"lambda": lam_, "gap": gap})

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
                  statement=r"(a+b)^2 = a^2 + 2ab + b^2", depends_on=("demo.eq1",),
                  scope="all positive a, b")

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
        rec["mutation"] = dict(MUTATION) if c is good else None
        records.append(rec)
    return document(records)


@pytest.fixture(scope="module")
def results():
    return synthetic_results()


@pytest.fixture(scope="module")
def site(tmp_path_factory, results):
    out = tmp_path_factory.mktemp("rep") / "report"
    paths = reports.render(results, out, ("html", "latex"), figures=False, progress=False)
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
    for page in ("graph.html", "errata.html", "figures.html", "papers.html"):
        assert (out / page).is_file()


def test_index_counts_per_verdict_statement_and_implementation(site, results):
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
    # honest counts of the two questions: one statement proved (eq3 is complete; eq1 covers
    # only part of its scope), one implementation verified (eq1 is the only one with formulas)
    assert re.search(r'id="stat-proved">1 of 5<', html)
    assert re.search(r'id="impl-verified">1 of 1<', html)
    assert "1 exact only on part of the stated scope" in html
    assert "7 of 9" in html and "1 survived" in html            # mutation, summed
    for c in results["claims"]:
        assert f'href="claims/{c["id"]}.html"' in html
        assert f'data-verdict="{c["verdict"]}"' in html
    assert "did not get the verdict" in html  # thm5 errored


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
            c["statement_verdict"] = {"verdict": "refuted", "why": "a counterexample"}
        claims.append(c)
    doc = document(claims)
    index = reports.render(doc, tmp_path / "r", figures=False, progress=False)["html"]
    index = index.read_text()
    assert re.search(r'proved</span></td><td class="n">199 of 200</td><td class="n">99\.5%',
                     index)
    body = index[index.index("<body>"):]
    assert "100%" not in body and 'id="stat-proved">199 of 200<' in body


def test_claim_page_shows_both_verdicts_scope_formulas_and_mutation(site):
    out, _ = site
    page = (out / "claims" / "demo.eq1.html").read_text()
    verdict = page[page.index('id="verdict"'):page.index("<h2>Statement")]
    assert "Statement</strong>" in verdict and "Implementation</strong>" in verdict
    assert 'badge inconclusive">inconclusive' in verdict          # partial scope
    assert "exact only for a, b &gt; 0 (missing: a or b ≤ 0)" in verdict
    assert 'badge verified">verified' in verdict
    scope = page[page.index('id="scope"'):page.index('id="formulas"')]
    assert "any real a, b" in scope                                # the paper's stated scope
    assert "missing: a or b ≤ 0" in scope
    formulas = page[page.index('id="formulas"'):page.index("<h2>Checks")]
    assert "<code>square</code>" in formulas and "<code>against_float</code>" in formulas
    assert "1e-9" in formulas                                      # its detection threshold
    assert "proves the statement, not the implementation" in page  # the derivation reads none
    mutation = page[page.index('id="mutation"'):]
    assert "7 of 9" in mutation and "square: a → −a" in mutation
    assert "the square of a + b is symmetric in a, b" in mutation
    assert "target <span class=\"num\">1.00e-06</span>" in page and "met" in page


def test_claim_page_has_statement_derivation_evidence_and_timing(site):
    out, _ = site
    page = (out / "claims" / "demo.eq1.html").read_text()
    assert page.count("<math") >= 5
    assert 'alttext="\\frac{(a+b)^2}{2}' in page          # the LaTeX source is kept
    assert "<mfrac>" in page
    assert "binomial formula" in page and "definition of s" in page
    assert "residual reduced to exactly 0" in page
    assert re.search(r'<span class="num">1\.00e-15</span> ≤ tolerance <span class="num">'
                     r'1\.00e-12</span>', page)
    assert "two roundings; 1e-12 leaves margin" in page and "float64" in page
    assert re.search(r"\d+\.\d{2} s", page)
    assert page.count('class="plot"') == 1               # the check's recorded curve
    assert "λ-balanced Ũ and s̃ ≤ 1e-3 &amp; 50% _x_ {y} #1" in page   # escaped, not lost
    assert "A square, expanded." in page and "b &gt; 0 (Σ ≥ 0)" in page
    assert "Used by:" in page and 'href="demo.eq2.html"' in page


def test_steps_show_their_relation_display_form_and_premises_by_name(site):
    out, _ = site
    page = (out / "claims" / "demo.eq1.html").read_text()
    steps = page[page.index('class="steps"'):]
    assert "<mo>&gt;</mo>" in steps                          # a b > 0, not "a b = 0"
    assert "<mo>→</mo>" in steps                             # the limit step
    assert "(def-s)" in steps and "from (def-s)" in steps    # a named premise, used by name
    assert 'alttext="(a+b)^2 = a^2 + 2ab + b^2"' in steps    # the display form ...
    assert "checked as</summary>" in steps                   # ... the checked one folded


def test_big_matrix_steps_are_shown_by_entry_and_long_formulas_wrap():
    big = "+".join(f"x_{{{k}}}" for k in range(60))
    step = {"lhs": r"\left[\begin{matrix}" + big + r" & 1\\2 & " + big + r"\end{matrix}\right]",
            "rhs": r"\left[\begin{matrix}" + big + r" & 1\\3 & y\end{matrix}\right]",
            "relation_tex": "=", "display": ""}
    view = _display.step_view(step)
    assert view["shape"] == "2×2" and view["same"] == 2
    assert [lab for lab, _ in view["entries"]] == ["(2, 1)", "(2, 2)"]
    long = r"H=\frac{a}{b};\ " + r";\ ".join(f"x_{k} = y_{k} + z_{k}" for k in range(12))
    assert len(_display.chunks(long)) >= 12
    assert all(len(p) <= 90 for p in _display.chunks(long))
    html = str(reports._html.formula(long))
    assert html.count('class="piece"') == len(_display.chunks(long))


def test_erratum_page_lists_printed_corrected_and_evidence(site):
    out, _ = site
    errata = (out / "errata.html").read_text()
    assert errata.count("<h2 id=") == 1 and 'id="demo.eq2"' in errata
    printed = errata[errata.index("Printed:"):errata.index("Corrected:")]
    corrected = errata[errata.index("Corrected:"):errata.index("Evidence:")]
    assert 'alttext="(a+b)^2 = a^2 + b^2"' in printed
    assert 'alttext="(a+b)^2 = a^2 + 2ab + b^2"' in corrected
    assert 'href="claims/demo.eq3.html"' in errata
    assert "residual ≠ 0" in errata and "point" in errata
    assert "the erratum&#39;s counterexample" in errata or "the erratum's counterexample" in \
        errata
    claim = (out / "claims" / "demo.eq2.html").read_text()
    assert "Statement as printed" in claim and "Corrected form" in claim
    assert "Counterexample" in claim


def test_error_and_inconclusive_are_shown_with_their_reason(site):
    out, _ = site
    crash = (out / "claims" / "demo.thm5.html").read_text()
    assert "RuntimeError: boom" in crash and "<summary>traceback</summary>" in crash
    unsure = (out / "claims" / "demo.lemma4.html").read_text()
    assert "no reduction found" in unsure
    assert "derivation &#x27;weak&#x27; is inconclusive" in unsure
    assert "demo.missing9</code> <span class=\"small\">(not in these results)" in unsure


def test_graph_is_laid_out_coloured_and_each_subgraph_shows_its_claim(site):
    out, _ = site
    graph = (out / "graph.html").read_text()
    nodes = sorted(re.findall(r'data-verdict="(\w+)" data-id="([\w.]+)"', graph))
    assert nodes == sorted([("verified", "demo.eq1"), ("refuted", "demo.eq2"),
                            ("proved", "demo.eq3"), ("inconclusive", "demo.lemma4"),
                            ("error", "demo.thm5"), ("missing", "demo.missing9")])
    from lazyrich.reports._graph import VERDICT_COLORS
    for v in ("proved", "verified", "refuted", "inconclusive", "error"):
        assert f'fill="{VERDICT_COLORS[v]}" stroke' in graph
    assert graph.count("marker-end=") == 4    # eq1→eq2, eq1→eq3, eq3→lemma4, missing9→lemma4
    assert 'stroke-dasharray="4 2"' in graph
    assert 'viewBox="0 0' in graph and "zoomable" in graph    # fits its column, zoomable
    for label in ("proved", "verified", "inconclusive", "refuted", "error",
                  "not in these results", "documented erratum"):
        assert label in graph[graph.index('class="legend"'):]
    sub = (out / "claims" / "demo.eq3.html").read_text()
    sub = sub[sub.index("<h2>Dependencies</h2>"):]
    ids = set(re.findall(r'data-id="([\w.]+)"', sub))
    assert ids == {"demo.eq1", "demo.eq3", "demo.lemma4"}
    assert 'class="node here"' in sub and 'stroke-width="3.5"' in sub


def test_html_is_self_contained_and_forbids_anything_else(site):
    out, _ = site
    from markupsafe import escape

    from lazyrich.reports._html import csp, script
    import base64
    import hashlib
    digest = base64.b64encode(hashlib.sha256(str(script()).encode()).digest()).decode()
    for name, text in _all_html(out).items():
        assert f'http-equiv="Content-Security-Policy" content="{escape(csp())}"' in text, name
        assert f"'sha256-{digest}'" in csp() and "default-src 'none'" in csp()
        assert text.count("<script") == 1 and "<script>" + str(script()) + "</script>" in text
        assert "@import" not in text and "url(http" not in text, name
        for ref in re.findall(r'(?:src|href)="([^"]*)"', text):
            if ref.startswith("https://arxiv.org/abs/"):
                continue
            assert not re.match(r"^(https?:)?//", ref), (name, ref)
            if ref.startswith(("data:", "#")):
                continue
            target = (out / name).parent / ref.split("#")[0]
            assert target.resolve().is_file(), (name, ref)


def test_every_page_names_its_paper(tmp_path, monkeypatch):
    from lazyrich import _figures as registry
    from lazyrich._figures import register_paper

    monkeypatch.setattr(registry, "PAPERS", dict(registry.PAPERS))
    register_paper("demo", title="A Demonstration Paper", authors=("Ada", "Bob"),
                   venue="Demo Conf", year=2024, arxiv="2401.00001",
                   assumptions={"A1": "whitened input: Σxx = I"})
    doc = synthetic_results()
    doc["claims"][0]["assumptions"] = ["A1", "A1: with a note", "b > 0"]
    reports.render(doc, tmp_path / "r", figures=False, progress=False)
    for name, text in _all_html(tmp_path / "r").items():
        assert "A Demonstration Paper" in text and "Ada, Bob" in text, name
        assert "arXiv:2401.00001" in text, name
    claim = (tmp_path / "r" / "claims" / "demo.eq1.html").read_text()
    assert "Lemma" not in claim[:0]
    assert "<strong>eq (1)</strong>, §2" in claim                   # the claim's section
    assert 'href="../papers.html#demo-A1"' in claim                 # assumption → definition
    assert "whitened input: Σxx = I" in claim
    papers = (tmp_path / "r" / "papers.html").read_text()
    assert 'id="demo-A1"' in papers


def test_references_a_reader_does_not_have_are_dropped():
    assert _text.clean_refs("Printed prose (spec §10). False for Glorot") == \
        "Printed prose. False for Glorot"
    assert _text.clean_refs("Reconstructed (spec §9, printed-form confidence medium; the paper "
                            "cites X)") == \
        "Reconstructed (printed-form confidence medium; the paper cites X)"
    assert _text.clean_refs("H = 2(S − s)/λ (spec §3, equivalent form)") == \
        "H = 2(S − s)/λ (equivalent form)"
    assert _text.clean_refs("GD loop of main.ipynb / dynamics.ipynb") == \
        "GD loop of the authors' code"
    assert "spec" not in _text.clean_refs("App. C, §12 of the spec")


def test_latex_document_typesets_statements_and_escapes_text(site, results):
    out, _ = site
    tex = (out / "latex" / "report.tex").read_text()
    for c in results["claims"]:
        assert f"% lazyrich-claim: {c['id']}" in tex
    assert r"\lzfirst{\frac{(a+b)^{2}}{2} = \frac{a^{2} + 2ab + b^{2}}{2}}" in tex
    assert r"\ensuremath{\lambda }-balanced" in tex and r"\& 50\% \_x\_ \{y\} \#1" in tex
    assert "\\section{Errata}" in tex and "Corrected" in tex
    assert "proves the statement, not the implementation" in tex
    assert "missing: a or b" in tex and "7 of 9" in tex
    assert list((out / "latex" / "plots").glob("*.pdf"))      # the check's curve


# --------------------------------------------------------------------------- prose and math


def test_prose_renders_scripts_and_latex_fragments_as_mathematics():
    html = str(_text.html("Limits of γ: exponential 1 − e^{−|λ|t/τ} as |λ| → ∞"))
    assert "e<sup>−|λ|t/τ</sup>" in html and "^{" not in html
    html = str(_text.html(r"λ > 0: G^2(I-H^2)S_\lambda=\tilde S"))
    assert html.startswith("λ &gt; 0: <math") and "\\lambda" not in html.split("<math")[0]
    html = str(_text.html("N_i = N_o; the check 'gamma_is_monotone_from_0_to_1' and f_max"))
    assert "N<sub>i</sub>" in html and "<code>gamma_is_monotone_from_0_to_1</code>" in html
    assert "f<sub>max</sub>" in html
    assert "gradient_flow" in str(_text.html("numerics.gradient_flow"))
    assert "\\frac" not in _text.plain(r"a \frac{1}{2} b") and "/" in _text.plain(r"\frac{1}{2}")
    tex = _text.tex("e^{−λt} and N_i")
    assert r"\textsuperscript{" in tex and r"\textsubscript{" in tex and "^{" not in tex


def test_mathml_conversion_and_fallback():
    m = safe_mathml(r"\frac{a}{b} + \tilde\Sigma^{yx\top}", True)
    assert m.startswith("<math") and "<mfrac>" in m and 'display="block"' in m
    assert str(safe_mathml("")) == ""
    bad = safe_mathml(r"\frac{a}{")      # unbalanced: shown as its source, never an exception
    assert "<math" in bad or 'class="tex"' in bad
    assert "<script" not in safe_mathml(r"<script>", False)


def test_tex_text_escapes_everything():
    assert _tex.tex_text("a_b & 100% {x} $ # ^ ~ \\") == \
        r"a\_b \& 100\% \{x\} \$ \# \textasciicircum{} \textasciitilde{} \textbackslash{}"
    assert _tex.tex_text("τ ≤ 1 → ∞, Dominé") == \
        r"\ensuremath{\tau } \ensuremath{\le } 1 \ensuremath{\to } \ensuremath{\infty }, Dominé"
    assert _tex.tex_text("Dominé", unicode_ok=False) == r"Domin\'{e}"
    assert _tex.tex_math(r"\text{λ} = Ũ") == r"\text{\ensuremath{\lambda }} = \tilde{U}"


# --------------------------------------------------------------------------- writes and errors


def test_rerender_replaces_atomically_and_failure_keeps_the_old_report(tmp_path, results,
                                                                       monkeypatch):
    out = tmp_path / "rep"
    reports.render(results, out, figures=False, progress=False)
    (out / "index.html").write_text("OLD")
    reports.render(results, out, figures=False, progress=False)
    assert (out / "index.html").read_text() != "OLD"
    (out / "index.html").write_text("GOOD")

    def crash(*a, **k):
        raise RuntimeError("renderer crashed half-way")

    import lazyrich.reports._render as render_mod
    monkeypatch.setattr(render_mod, "write_latex", crash)
    with pytest.raises(RuntimeError, match="half-way"):
        reports.render(results, out, ("html", "latex"), figures=False, progress=False)
    assert (out / "index.html").read_text() == "GOOD"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rep"]   # no temp dir left


def test_refuses_to_replace_a_directory_that_is_not_a_report(tmp_path, results):
    precious = tmp_path / "mine"
    precious.mkdir()
    (precious / "thesis.tex").write_text("do not delete")
    with pytest.raises(LazyrichError, match="not a lazyrich report"):
        reports.render(results, precious, figures=False, progress=False)
    assert (precious / "thesis.tex").read_text() == "do not delete"
    (tmp_path / "afile").write_text("x")
    with pytest.raises(LazyrichError, match="is a file"):
        reports.render(results, tmp_path / "afile", figures=False, progress=False)


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
    ({"claims": [7]}, r"\['claims'\]\[0\] = 7: expected a claim record"),
    ({"claims": [{"id": "x.y", "verdict": "proved", "source": {"paper": "x"},
                  "checks": ["no"]}]}, r"\['checks'\]\[0\] = 'no': expected a check record"),
    ([], "must be a dict"),
])
def test_bad_results_name_the_field(tmp_path, bad, match):
    with pytest.raises(LazyrichError, match=match):
        reports.render(bad, tmp_path / "r", figures=False, progress=False)
    assert not (tmp_path / "r").exists()


def test_ids_that_differ_only_in_odd_characters_get_their_own_pages(tmp_path, results):
    doc = json.loads(json.dumps(results))
    twins = []
    for cid in ("zz.a/b", "zz.a_b", "ZZ.A_B"):
        c = json.loads(json.dumps(doc["claims"][2]))
        c["id"], c["depends_on"] = cid, []
        twins.append(c)
    doc["claims"] += twins
    assert len({slug(c["id"]) for c in twins}) == 3 and slug("zz.a_b") == "zz.a_b"
    reports.render(doc, tmp_path / "r", figures=False, progress=False)
    pages = {p.name.lower() for p in (tmp_path / "r" / "claims").iterdir()}
    assert len(pages) == len(doc["claims"])                  # no page shared, case folded too


@pytest.mark.parametrize("formats", [("html", "docx"), (), "pdf,epub", 3])
def test_unknown_format_is_rejected(tmp_path, results, formats):
    with pytest.raises(LazyrichError, match="format"):
        reports.render(results, tmp_path / "r", formats, figures=False, progress=False)


def test_formats_accept_a_comma_string(tmp_path, results):
    paths = reports.render(results, tmp_path / "r", "html, latex", figures=False,
                           progress=False)
    assert set(paths) == {"html", "latex"}


def test_pdf_without_tex_fails_clearly_and_writes_nothing(tmp_path, results, monkeypatch):
    monkeypatch.setattr(_latex.shutil, "which", lambda name: None)
    with pytest.raises(LazyrichError) as info:
        reports.render(results, tmp_path / "r", ("html", "pdf"), figures=False, progress=False)
    msg = str(info.value)
    assert "LuaLaTeX" in msg and "texlive-luatex" in msg and "texlive-latex-base" in msg
    assert list(tmp_path.iterdir()) == []                     # no stub, no half report


def test_progress_is_reported_for_each_step(tmp_path, results):
    said = []
    reports.render(results, tmp_path / "r", ("html", "latex"), figures=False,
                   progress=said.append)
    assert any("writing html, latex" in s for s in said) and said[-1].startswith("done")


# --------------------------------------------------------------------------- plots


def test_check_plot_picks_a_named_abscissa_and_never_hides_a_series():
    pd = _figures.check_plot_data({"lr": [0.02, 0.01, 0.005], "drift": [4e-3, 2e-3, 1e-3]})
    panel = pd["panels"][0]
    assert panel["xlabel"] == "learning rate" and panel["series"][0]["x"] == [0.02, 0.01,
                                                                             0.005]
    pd = _figures.check_plot_data({"gap": [1e-4, 1e-6, 1e-8], "lambda": [1e-3, 1e-4, 1e-5]})
    assert pd["panels"][0]["xlabel"] == "λ" and pd["panels"][0]["yscale"] == "log"
    # two series with the same values: the second says so and is drawn dashed on top
    pd = _figures.check_plot_data({"t": [1.0, 2.0, 3.0], "a": [1.0, 2.0, 3.0],
                                   "b": [1.0, 2.0, 3.0]})
    second = pd["panels"][0]["series"][1]
    assert "same values as a" in second["label"] and second["style"] == "dashed"
    # groups with their own abscissa
    pd = _figures.check_plot_data({"funnel": {"abs_lambda": [1.0, 2.0], "d": [0.1, 0.01]}})
    assert pd["panels"][0]["series"][0]["label"] == "funnel: d"
    # no meaningful x-axis: no plot (the values are shown as a table)
    assert _figures.check_plot_data({"sign +1": [1.0, 2.0], "sign -1": [1.0, 2.0]}) is None
    assert _figures.check_values({"sign +1": [1.0, 2.0]}) == [("sign +1", [1.0, 2.0])]
    assert _figures.check_plot_data({"steps": [{"lhs": "a"}], "derivation": "x"}) is None
    assert _figures.check_plot_data(None) is None


def test_plot_data_format_draws_every_series_and_drops_non_finite_values():
    fig = _figures.new_figure()
    _figures.draw_plot_data({"panels": [{
        "title": "a panel", "xlabel": "t", "ylabel": "y", "yscale": "log",
        "series": [{"x": [1, 2, 3], "y": [1.0, 1e308 * 10, 3.0], "label": "with inf"},
                   {"x": [1, 2, 3], "y": [2.0, 2.0, 2.0], "style": "markers", "color": 2}],
        "hlines": [{"y": 1.5, "label": "level"}]}]}, fig)
    ax = fig.axes[0]
    assert len(ax.lines) == 3 and ax.get_yscale() == "log"
    assert "with inf (1 non-finite value not shown)" in [t.get_text()
                                                        for t in ax.get_legend().get_texts()]
    svg = _figures.to_svg(fig)
    assert svg.startswith("<svg") and 'class="plot"' in svg


def test_reports_leave_matplotlib_global_state_alone(tmp_path, results):
    import subprocess
    import sys
    code = ("import matplotlib; matplotlib.use('pdf'); import matplotlib as m; "
            "before = (m.get_backend(), dict(m.rcParams)); "
            "from lazyrich import reports; import json, sys; "
            "from test_reports import synthetic_results; "
            "reports.render(synthetic_results(), sys.argv[1], figures=False, progress=False); "
            "after = (m.get_backend(), dict(m.rcParams)); "
            "print('same' if before == after else 'changed')")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "r")], capture_output=True,
                         text=True, cwd=Path(__file__).parent, timeout=300)
    assert out.stdout.strip() == "same", out.stderr[-2000:]


# --------------------------------------------------------------------------- figures


def test_figures_register_publicly_compute_once_and_reject_forged_cache_entries(
        tmp_path, results, monkeypatch):
    from lazyrich import _figures as registry
    from lazyrich.engine import _figures as engine

    monkeypatch.setattr(registry, "FIGURES", dict(registry.FIGURES))
    monkeypatch.setattr(registry, "PAPERS", {k: v for k, v in registry.PAPERS.items()
                                             if k != "demo"})
    calls = []

    @registry.figure("demo.fig1", recomputes="Fig. 1", title="Demo figure", caption="a line",
                     claims=("demo.eq1",))
    def demo_fig1():
        calls.append(1)
        return {"panels": [{"title": "y = x²", "xlabel": "x", "ylabel": "y",
                            "series": [{"x": [0, 1, 2], "y": [0, 1, 4], "label": "x²"},
                                       {"x": [0, 1, 2], "y": [0, 1.1, 3.9], "label": "sim",
                                        "style": "markers"}]}]}

    @registry.figure("demo.fig2", recomputes="Fig. 2", title="Broken figure", caption="fails")
    def demo_fig2():
        raise ValueError("no data today")

    from lazyrich._errors import InvalidArgument
    with pytest.raises(InvalidArgument, match="must look like"):
        registry.figure("nodot", recomputes="", title="")
    with pytest.raises(InvalidArgument, match="registered twice"):
        registry.figure("demo.fig1", recomputes="", title="")(lambda: {})

    cache = tmp_path / "cache"
    said = []
    reports.render(results, tmp_path / "r", ("html", "latex"), figures=engine.for_report(cache),
                   cache_dir=cache, progress=said.append)
    figs = (tmp_path / "r" / "figures.html").read_text()
    assert "Fig. 1 of demo, recomputed: Demo figure" in figs
    assert "Demo figure" in figs and 'class="plot"' in figs
    assert "ValueError: no data today" in figs                # reported, report still written
    assert "Demo figure" in (tmp_path / "r" / "claims" / "demo.eq1.html").read_text()
    assert "Demo figure" not in (tmp_path / "r" / "claims" / "demo.eq3.html").read_text()
    assert (tmp_path / "r" / "latex" / "figures" / "demo-fig1.pdf").is_file()
    assert calls == [1] and any("computing demo.fig1 (Fig. 1)" in s for s in said)
    # cached by a key over its code: a second report computes nothing
    said.clear()
    reports.render(results, tmp_path / "r", figures=engine.for_report(cache), cache_dir=cache,
                   progress=said.append)
    assert calls == [1] and not any("computing demo.fig1" in s for s in said)
    # a forged entry (data edited, MAC left) is not trusted
    for p in (cache / "figures").glob("demo.fig1*.json"):
        p.write_text(p.read_text().replace('"y": [0, 1, 4]', '"y": [0, 1, 5]'))
    data, cached, _ = engine.load("demo.fig1", cache_dir=cache)
    assert not cached and data["panels"][0]["series"][0]["y"] == [0, 1, 4] and calls == [1, 1]


def test_a_long_figure_is_never_silent(tmp_path, monkeypatch):
    import time

    from lazyrich import _figures as registry
    from lazyrich import _progress
    from lazyrich.engine import _figures as engine

    monkeypatch.setattr(registry, "FIGURES", dict(registry.FIGURES))
    monkeypatch.setattr(_progress, "HEARTBEAT_S", 0.2)

    @registry.figure("slow.fig1", recomputes="Fig. 1", title="slow")
    def slow():
        time.sleep(0.7)
        return {"panels": [{"series": [{"x": [0, 1], "y": [0, 1]}]}]}

    said = []
    engine.load("slow.fig1", cache_dir=tmp_path, use_cache=False, progress=said.append)
    assert said[0] == "computing slow.fig1 (Fig. 1) …"
    assert any("still running" in s for s in said[1:])


def test_render_draws_computed_figures_it_is_handed_and_computes_none(tmp_path, results):
    """The reports draw the figure data their caller computed; handed none (the default), the
    figures page says so; a malformed hand-off is refused with the shape it needs."""
    from lazyrich._figures import Figure

    def never():
        raise AssertionError("the reports must not compute a figure")

    fig = Figure("demo.fig9", "demo", "Fig. 9", "Handed figure", "drawn, not computed",
                 ("demo.eq1",), never)
    data = {"panels": [{"title": "t", "series": [{"x": [0, 1, 2], "y": [2, 1, 0.5]}]}]}
    broken = Figure("demo.fig8", "demo", "Fig. 8", "Failed figure", "", (), never)
    reports.render(results, tmp_path / "r", figures=[
        {"figure": fig, "data": data, "cached": True, "seconds": 1.5},
        {"figure": broken, "error": "RuntimeError: diverged"}], cache_dir=tmp_path / "c",
        progress=False)
    page = (tmp_path / "r" / "figures.html").read_text()
    assert "Handed figure" in page and 'class="plot"' in page and "(cached)" in page
    assert "RuntimeError: diverged" in page
    assert "Handed figure" in (tmp_path / "r" / "claims" / "demo.eq1.html").read_text()
    seen = []
    reports.render(results, tmp_path / "r", figures=lambda papers, say: seen.append(papers)
                   or [], cache_dir=tmp_path / "c", progress=False)
    assert seen == [sorted({c["source"]["paper"] for c in results["claims"]})]
    reports.render(results, tmp_path / "r", cache_dir=tmp_path / "c", progress=False)
    assert "not rendered" in (tmp_path / "r" / "figures.html").read_text()
    for bad in ([{"data": data}], [("demo.fig9", data)], [{"figure": "demo.fig9"}]):
        with pytest.raises(LazyrichError, match="'figure' \\(a lazyrich.Figure\\)"):
            reports.render(results, tmp_path / "r", figures=bad, progress=False)
    with pytest.raises(LazyrichError, match="pass the computed figures"):
        reports.render(results, tmp_path / "r", figures=3, progress=False)
