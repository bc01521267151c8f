"""Hostile results documents: nothing in them can run in the HTML report, load anything from
outside it, or reach TeX as something TeX would execute.

The hostile document (tests/data/hostile_results.json) puts script tags, event handlers,
``javascript:`` links, ``\\style{...url(...)}``, ``\\href``, ``\\input``, ``\\def`` loops,
``\\write18``, ``\\directlua``, catcode and ``^^`` tricks into every field a report shows:
statements, corrected forms, titles, notes, assumptions, scopes, ids, check names, details,
derivation steps (both sides, display forms, residuals, names), counterexamples, mutation
survivors, the environment. The TeX tests compile it (and a batch of random formulas) and
read the PDF back; the browser test is in test_reports_browser.py.
"""

import json
import random
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lazyrich import reports
from lazyrich.reports import _latex, _mathml, _tex

DATA = Path(__file__).parent / "data" / "hostile_results.json"
HOSTILE_CS = ("input", "include", "def", "let", "catcode", "expandafter", "csname", "write",
              "immediate", "directlua", "openout", "openin", "read", "usepackage",
              "makeatletter", "special", "endinput", "scantokens", "end{document}",
              "begin{verbatim}")
needs_tex = pytest.mark.skipif(
    _latex.tex_toolchain() is None or not shutil.which("pdftotext"),
    reason="no TeX toolchain or poppler-utils")


def hostile() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("hostile") / "report"
    reports.render(hostile(), out, ("html", "latex"), figures=False, progress=False)
    return out


class _Page(HTMLParser):
    """Everything a browser would act on, and every element inside <math>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts, self.problems, self.math_tags = [], [], set()
        self.in_script = self.in_math = 0
        self.current = []

    def handle_starttag(self, tag, attrs):
        if tag == "math":
            self.in_math += 1
        elif self.in_math:
            self.math_tags.add(tag)
        for name, value in attrs:
            v = (value or "").replace(" ", "").lower()
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}>")
            if name in ("href", "src", "xlink:href", "action", "formaction", "poster",
                        "srcset", "data"):
                if v.startswith(("javascript:", "vbscript:", "data:text")):
                    self.problems.append(f"<{tag} {name}={value[:40]}>")
                if re.match(r"^(https?:)?//", v) and not v.startswith("https://arxiv.org/abs/"):
                    self.problems.append(f"<{tag} {name}={value[:40]}>")
            if name == "style" and "url(" in v:
                self.problems.append(f"<{tag} style=url(...)>")
        if tag == "script":
            self.in_script += 1
            self.current = []
            if any(n == "src" for n, _ in attrs):
                self.problems.append("<script src>")
        if tag in ("iframe", "object", "embed", "img", "base", "form") or (
                tag == "link" and dict(attrs).get("href") != "data:,"):
            self.problems.append(f"<{tag}>")

    def handle_endtag(self, tag):
        if tag == "math":
            self.in_math = max(0, self.in_math - 1)
        if tag == "script" and self.in_script:
            self.in_script -= 1
            self.scripts.append("".join(self.current))

    def handle_data(self, data):
        if self.in_script:
            self.current.append(data)


def test_hostile_html_runs_nothing_and_loads_nothing(site):
    from lazyrich.reports._html import script

    pages = list(site.rglob("*.html"))
    assert len(pages) >= 10
    for page in pages:
        text = page.read_text(encoding="utf-8")
        p = _Page()
        p.feed(text)
        assert p.problems == [], (page.name, p.problems[:5])
        assert p.scripts == [str(script())], page.name         # only the report's own
        assert p.math_tags <= _mathml.ELEMENTS, (page.name, p.math_tags - _mathml.ELEMENTS)
        assert "__pwned" not in "".join(p.scripts)
        assert 'Content-Security-Policy' in text
    assert not list(site.parent.glob("*pwned*"))


def test_hostile_ids_stay_inside_the_report(site):
    files = {p.relative_to(site) for p in site.rglob("*") if p.is_file()}
    for f in files:
        assert ".." not in f.parts and not str(f).startswith("/")
    names = [p.name for p in (site / "claims").iterdir()]
    assert len(names) == len(hostile()["claims"])             # one page each, none shared
    assert all(re.fullmatch(r"[A-Za-z0-9._+-]+\.html", n) for n in names)


def test_hostile_math_never_reaches_tex_as_a_command(site):
    tex = (site / "latex" / "report.tex").read_text(encoding="utf-8")
    body = tex[tex.index(r"\begin{document}") + 16:tex.rindex(r"\end{document}")]
    for cs in HOSTILE_CS:
        assert not re.search(r"\\" + re.escape(cs) + r"(?![A-Za-z])", body), cs
    assert "^^" not in tex
    assert "pwned" in body                                      # shown, as text
    # the input's '#', '%' and '$' only ever appear escaped
    assert not re.search(r"(?<!\\)#", body)
    assert not re.search(r"(?<![\\%])%(?! lazyrich-claim:)(?!$)", body.replace("%\n", "\n"))


# --------------------------------------------------------------------------- properties

_ATOMS = ["\\", "{", "}", "^", "_", "&", "#", "%", "$", "~", "'", "\\\\", " ", "a", "1", "λ",
          "s̃", "\\frac", "\\left", "\\right", "(", ")", "\\begin{pmatrix}", "\\end{pmatrix}",
          "\\begin{cases}", "\\end{cases}", "\\begin{evil}", "\\end{document}", "\\input",
          "\\def", "\\x", "\\text{", "\\sqrt[", "]", "\\not", "\\tilde", "\\catcode", "^^5c",
          "\\csname", "\\endcsname", "\\limits", "\\tfrac", "\\operatorname{", "\\mathbb",
          "\\big", "\\|", "<", ">", "=", "\\le", "\\\\", "\n", "\x00", "\\ensuremath",
          "\\textbackslash", "\\begin{array}{cc|", "\\end{array}", "\\directlua", "\\write"]
_OURS = set(_tex.ZERO_ARITY | _tex.ONE_ARITY | _tex.TWO_ARITY | _tex.ENVIRONMENTS |
            _tex.SIZES | {"text", "backslash", "mathtt", "mathord", "quad", "left", "right",
                          "begin", "end", "ensuremath", "textbackslash", "textasciicircum",
                          "textasciitilde", "textless", "textgreater", "textbar", "wedge",
                          "dots", "top", "prime", "S", "P", "textbullet"})


def _fuzz(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(_ATOMS) for _ in range(n))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(_ATOMS), max_size=40))
def test_tex_math_output_is_balanced_and_uses_only_allowed_commands(atoms):
    out = _tex.tex_math("".join(atoms))
    words = set(re.findall(r"\\([A-Za-z]+)", out))
    assert words <= _OURS, words - _OURS
    assert "^^" not in out
    assert not re.search(r"(?<!\\)(?:\\\\)*\\$", out), out   # no lone trailing backslash
    depth = 0
    for k, ch in enumerate(out):
        if ch in "{}" and (k == 0 or out[k - 1] != "\\" or out[k - 2:k] == "\\\\"):
            depth += 1 if ch == "{" else -1
            assert depth >= 0, out
    assert depth == 0, out
    assert not re.search(r"(?<!\\)[#%$]", out), out


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(_ATOMS + ["<script>", "</math>", "<svg onload=x>",
                                          "\\style{color:red;background:url(x)}",
                                          "\\href{javascript:x}", "&lt;", "\"", "'"]),
                max_size=30))
def test_mathml_output_is_rebuilt_from_the_allow_list(atoms):
    out = str(_mathml.safe_mathml("".join(atoms), True))
    if out.startswith("<code"):
        assert "<" not in out[len('<code class="tex">'):-len("</code>")]
        return
    p = _Page()
    p.feed(out)
    assert p.problems == [] and p.scripts == []
    assert p.math_tags <= _mathml.ELEMENTS
    for name, value in re.findall(r'\s([a-z:-]+)="([^"]*)"', out):
        assert name in _mathml.ATTRIBUTES or name in ("xmlns", "alttext"), name
        assert "url(" not in value.lower() or name == "alttext"


# --------------------------------------------------------------------------- TeX


def test_tex_runs_paranoid():
    env = _latex.tex_environment(Path("/tmp"))
    assert env["openin_any"] == "p" and env["openout_any"] == "p"
    assert env["shell_escape"] == "f"


@needs_tex
def test_hostile_pdf_compiles_reads_no_file_and_runs_nothing(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT\n")
    work = tmp_path / "work"
    work.mkdir()
    (work / "secret.tex").write_text("TOP-SECRET-CONTENT\n")
    out = tmp_path / "report"
    import time
    start = time.monotonic()
    paths = reports.render(hostile(), out, ("pdf",), figures=False, progress=False)
    assert time.monotonic() - start < 240
    text = subprocess.run(["pdftotext", str(paths["pdf"]), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "TOP-SECRET" not in text
    hostname = Path("/etc/hostname")
    if hostname.is_file() and len(hostname.read_text().strip()) > 6:
        assert hostname.read_text().strip() not in text
    assert "input" in text and "pwned" in text                   # shown, not executed
    assert not list(tmp_path.rglob("pwned*"))


@needs_tex
def test_a_raw_input_is_refused_by_tex_itself(tmp_path):
    """Defence in depth: even a .tex that asks for a file outside its directory is refused
    (openin_any=p), should anything ever slip through the sanitiser."""
    tex = tmp_path / "report.tex"
    tex.write_text("\\documentclass{article}\\begin{document}\\input{/etc/hostname}"
                   "\\end{document}\n")
    with pytest.raises(reports._render.LazyrichError):
        _latex.compile_pdf(tex, _latex.require_tex())


@needs_tex
def test_random_formulas_all_compile(tmp_path):
    """300 random formulas made of TeX's dangerous pieces: sanitised, they all typeset."""
    rng = random.Random(7)
    doc = json.loads(DATA.read_text(encoding="utf-8"))
    doc["claims"] = doc["claims"][:5]
    for k, c in enumerate(doc["claims"]):
        c["statement"] = " ".join(_fuzz(rng, 30) for _ in range(60))
        c["corrected"] = _fuzz(rng, 200) if c.get("corrected") else None
    paths = reports.render(doc, tmp_path / "r", ("pdf",), figures=False, progress=False)
    assert paths["pdf"].read_bytes()[:5] == b"%PDF-"


def test_forged_drawing_mathml_and_layout_cache_entries_are_never_used(tmp_path, monkeypatch):
    """A drawing and the MathML are inserted into pages as markup: a cache entry that someone
    edited (MAC left as it was) or signed with another key is removed and redrawn, never shown."""
    from lazyrich import _store
    from lazyrich._figures import Figure
    from test_reports import synthetic_results

    monkeypatch.setenv("LAZYRICH_CACHE_KEY_FILE", str(tmp_path / "key"))
    cache = tmp_path / "cache"
    fig = Figure("demo.fig1", "demo", "Fig. 1", "A line", "", ("demo.eq1",), dict)
    figures = [{"figure": fig, "data": {"panels": [{"series": [{"x": [0, 1], "y": [0, 1]}]}]}}]
    doc = synthetic_results()

    def render():
        reports.render(doc, tmp_path / "r", figures=figures, cache_dir=cache, progress=False)
        return "\n".join(p.read_text() for p in (tmp_path / "r").rglob("*.html"))

    assert "<svg" in render()
    kinds = ["drawings", "mathml"] + (["layouts"] if shutil.which("dot") else [])
    entries = {k: sorted((cache / k).glob("*.json")) for k in kinds}
    assert all(entries.values()), entries
    evil = "<script>window.forged = 1</script>"
    for kind, paths in entries.items():
        for p in paths:
            text = p.read_text()
            forged = text.replace("<svg", evil + "<svg").replace("<math", evil + "<math")
            if kind == "layouts":
                forged = re.sub(r"(\d)\.(\d)", r"\g<1>7.\2", text, count=5)
            assert forged != text, p
            p.write_text(forged)
    for p in entries["drawings"][-1:]:   # a well-formed entry signed with another key
        payload = json.loads(p.read_text())["payload"]
        p.write_text(json.dumps({"payload": payload, "mac": _store.mac(b"k" * 64, payload)}))
    pages = render()
    assert "forged" not in pages and "<svg" in pages
    key = _store.secret()
    for paths in entries.values():
        for p in paths:
            assert "forged" not in p.read_text()
            assert _store.authentic(json.loads(p.read_text()), key), p   # redrawn, re-signed
