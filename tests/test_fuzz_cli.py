"""Fuzz: `lazyrich report --from` and `lazyrich check` driven with random well-formed and
malformed documents and claims. Whatever the input: no traceback, exit codes as README says
(0/1 from the recomputed results, 2 with one stderr line for bad input), no file written
outside --out, and no script, event handler or external URL in the HTML beyond the report's
own. The default budget is small; LAZYRICH_HYPOTHESIS_PROFILE=nightly runs many more."""

import copy
import json
import re
from html.parser import HTMLParser
import string
from pathlib import Path

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lazyrich.engine.cli import main

NIGHTLY = os.environ.get("LAZYRICH_HYPOTHESIS_PROFILE") == "nightly"
BUDGET = {"report": 300 if NIGHTLY else 8, "check": 150 if NIGHTLY else 6}

HOSTILE_TEXT = [
    r"<script>alert(1)</script>", r"\text{</math><script>alert(2)</script>}",
    r"\style{background-image:url(http://evil.invalid/x)}{x}", r"\href{javascript:alert(3)}{x}",
    "<img src=x onerror=alert(4)>", '"><svg onload=alert(5)>', r"\input{/etc/passwd}",
    r"\def\x{\x}\x", "λ ≠ 0 & 50% _x_ {y} #1 ~ ^", "\u202e\u0000\x1b[31m", "a" * 5000,
    r"\frac{1}{0}^{", "</title></head><body onload=alert(6)>", "javascript:alert(7)",
]


class _Active(HTMLParser):
    """Collects what a browser would act on: scripts, event handlers, javascript: links and
    loads from outside the report (src/srcset/poster/data/action/formaction, stylesheet links,
    url(...) in styles). Escaped text is inert and not looked at."""

    LOADS = {"src", "srcset", "poster", "data", "action", "formaction", "background"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []
        self.in_script = self.in_style = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            v = (value or "").strip().lower()
            if name.lower().startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if v.replace("\x00", "").replace(" ", "").startswith(("javascript:", "vbscript:")):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name.lower() in self.LOADS and re.match(r"(https?:)?//", v):
                self.problems.append(f"<{tag} {name}={value!r}> loads from outside")
            if tag == "link" and name == "href" and re.match(r"(https?:)?//", v):
                self.problems.append(f"<link href={value!r}> loads from outside")
            if name.lower() == "style" and re.search(r"url\s*\(|expression\s*\(", v):
                self.problems.append(f"<{tag} style={value!r}>")
        if tag == "script":
            self.in_script = True
            if any(n == "src" for n, _ in attrs):
                self.problems.append("<script src>")
        if tag == "style":
            self.in_style = True

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False
        if tag == "style":
            self.in_style = False

    def handle_data(self, data):
        if self.in_script and re.search(r"alert\s*\(|evil\.invalid", data):
            self.problems.append(f"script content {data[:80]!r}")
        if self.in_style and re.search(r"url\s*\(\s*['\"]?(https?:)?//", data, re.I):
            self.problems.append(f"style loads {data[:80]!r}")


from demo_results import demo_results  # noqa: E402


@pytest.fixture(scope="module")
def base_doc(tmp_path_factory):
    return demo_results(tmp_path_factory.mktemp("fuzzbase"))


TEXT_FIELDS = [("title",), ("statement",), ("notes",), ("corrected",), ("scope",),
               ("source", "ref"), ("source", "section"), ("checks", 0, "detail"),
               ("checks", 0, "precision"), ("checks", 0, "justification"),
               ("checks", 0, "name"), ("assumptions", 0)]

json_leaf = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20),
                      st.floats(allow_nan=False, allow_infinity=False),
                      st.sampled_from(HOSTILE_TEXT), st.text(max_size=30))
any_json = st.recursive(json_leaf, lambda kids: st.one_of(
    st.lists(kids, max_size=4), st.dictionaries(st.text(max_size=8), kids, max_size=4)),
    max_leaves=20)


@st.composite
def mangled(draw, doc):
    doc = copy.deepcopy(doc)
    claim = draw(st.sampled_from(doc["claims"]))
    claim.setdefault("assumptions", []).append("A1")
    for _ in range(draw(st.integers(1, 5))):
        path = draw(st.sampled_from(TEXT_FIELDS))
        node = claim
        for p in path[:-1]:
            node = node[p]
        node[path[-1]] = draw(st.sampled_from(HOSTILE_TEXT))
    if draw(st.booleans()):
        claim["checks"][0]["data"] = draw(st.one_of(
            any_json, st.just({"x": [0, 1e308, -1e308], "y": [1e-308, 1e308, -1e308]}),
            st.just({"steps": [{"lhs": draw(st.sampled_from(HOSTILE_TEXT)),
                                "rhs": draw(st.sampled_from(HOSTILE_TEXT)),
                                "justification": draw(st.sampled_from(HOSTILE_TEXT)),
                                "verdict": "proved"}]})))
    if draw(st.booleans()):
        # a structural change: any JSON at any key (mostly malformed)
        key = draw(st.sampled_from(["verdict", "checks", "source", "id", "expected",
                                    "depends_on", "mutation", "refuted_by"]))
        claim[key] = draw(any_json)
    if draw(st.booleans()):
        doc["summary"]["exit_code"] = draw(st.sampled_from([0, 1, 2, -1, "0", None]))
    return doc


def _files(root: Path, skip: Path) -> set[str]:
    return {str(p) for p in root.rglob("*") if skip not in p.parents and p != skip}


def _check_html(out: Path) -> None:
    for page in out.rglob("*.html"):
        parser = _Active()
        parser.feed(page.read_text(encoding="utf-8", errors="replace"))
        assert not parser.problems, (page.name, parser.problems[:5])


@settings(max_examples=BUDGET["report"], deadline=None, derandomize=not NIGHTLY,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_report_from_any_document(base_doc, tmp_path_factory, data, capsys):
    tmp = tmp_path_factory.mktemp("fuzz")
    doc = data.draw(st.one_of(mangled(base_doc), any_json.map(lambda x: x)), label="doc")
    src = tmp / "in.json"
    src.write_text(json.dumps(doc))
    out = tmp / "rep"
    before = _files(tmp, out)
    code = main(["report", "--from", str(src), "--out", str(out), "--no-figures"])
    err = capsys.readouterr().err
    assert "Traceback" not in err, err
    assert code in (0, 1, 2), code
    if code == 2:
        assert err.count("\n") == 1 and err.startswith("lazyrich: error:"), err
        assert not out.exists()
    else:
        _check_html(out)
    assert _files(tmp, out) == before, _files(tmp, out) ^ before


ids = st.from_regex(r"\Azz\.[A-Za-z0-9][A-Za-z0-9_+-]{0,10}\Z")


@settings(max_examples=BUDGET["check"], deadline=None, derandomize=not NIGHTLY,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(cid=st.one_of(ids, st.text(alphabet=string.printable + "λ/\\\x00", max_size=20)),
       statement=st.sampled_from(HOSTILE_TEXT), value=json_leaf)
def test_check_with_any_claim(tmp_path_factory, cid, statement, value, capsys):
    tmp = tmp_path_factory.mktemp("fuzzc")
    p = tmp / "c.py"
    p.write_text("from lazyrich import Claim, Source, Evidence\n"
                 f"c = Claim(id={cid!r}, title='t', source=Source('zz', 'x'), "
                 f"statement={statement!r})\n"
                 "@c.check('numeric', tolerance=1e-6)\n"
                 f"def k(f):\n    return {value!r}\n")
    out = tmp / "r.json"
    before = _files(tmp, tmp / "cache")
    code = main(["check", "--claims", str(p), "zz", "-q", "-j1", "--cache-dir",
                 str(tmp / "cache"), "--json", str(out)])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert code in (0, 1, 2)
    if code == 2:
        assert err.count("\n") == 1, err
    else:
        doc = json.loads(out.read_text())
        assert doc["summary"]["exit_code"] == code
    assert _files(tmp, tmp / "cache") - before <= {str(out)}
