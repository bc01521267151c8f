"""lazyrich export: LaTeX macros a paper can \\input (they compile, hostile values included) and
SVG badges (well-formed, escaped)."""

import shutil
import subprocess
import textwrap
import xml.etree.ElementTree as ET

import pytest

from lazyrich.engine._export import badges, latex_macros
from lazyrich.engine.cli import main

DEMO = textwrap.dedent('''
    import math
    from lazyrich import Claim, Evidence, Source

    good = Claim(id="demo.eq1", title="exp(1) = e", source=Source("demo", "eq (1)"),
                 statement="e^1 = e", formulas={"f": math.exp})

    @good.check("numeric", tolerance=1e-15, precision="float64", justification="one rounding")
    def value(f):
        return abs(f.f(1.0) - math.e)

    erratum = Claim(id="demo.eq2_a+b", title="exp(1) = 3", source=Source("demo", "eq (2)"),
                    statement="e^1 = 3", expected="refuted")

    @erratum.check("numeric", tolerance=1e-15)
    def value2(f):
        return Evidence(max_error=abs(math.e - 3), detail="e is not 3")
    ''')

HOSTILE_URL = r"https://example.org/a b%20c#frag\input{/etc/passwd}{}$^_&~"


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("export")
    claims = tmp / "demo_claims.py"
    claims.write_text(DEMO)
    code = main(["export", "demo", "--claims", str(claims), "-q", "-j1", "--cache-dir",
                 str(tmp / "c"), "--latex", str(tmp / "lazyrich.tex"), "--badges",
                 str(tmp / "badges"), "--url", HOSTILE_URL])
    assert code == 0
    return tmp


def test_badges_are_well_formed_svg(exported):
    svg = (exported / "badges" / "demo.svg").read_text()
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert "demo: 0/2 proved" in svg


def test_a_badge_escapes_a_hostile_paper_name():
    doc = {"claims": [{"id": "x.y", "verdict": "proved", "outcome": "passed",
                       "source": {"paper": "<script>alert(1)</script>", "ref": ""}}]}
    (name, svg), = badges(doc).items()
    assert "<script>" not in svg and "/" not in name
    ET.fromstring(svg)


@pytest.mark.skipif(shutil.which("latexmk") is None, reason="needs latexmk (Debian: latexmk)")
def test_the_exported_macros_compile_and_typeset_the_values(exported):
    doc = exported / "paper.tex"
    doc.write_text(textwrap.dedent(r'''
        \documentclass{article}
        \usepackage{hyperref}
        \input{lazyrich.tex}
        \begin{document}
        Verdict: \lazyrichverdict{demo.eq1}; statement \lazyrichstatement{demo.eq1};
        implementation \lazyrichimplementation{demo.eq1}.
        Error $\lazyricherror{demo.eq1}$ against \lazyrichtolerance{demo.eq1}.
        Erratum: \lazyrichverdict{demo.eq2_a+b}. \lazyrichlink{demo.eq1}{the report}.
        Summary: \lazyrichsummary{demo}. Unknown: \lazyrichverdict{demo.nothere}.
        \end{document}
        '''))
    proc = subprocess.run(["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error",
                           "paper.tex"], cwd=exported, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:]
    text = " ".join(subprocess.run(["pdftotext", "paper.pdf", "-"], cwd=exported,
                                   capture_output=True, text=True).stdout.split())
    assert "Verdict: verified" in text and "Erratum: refuted" in text
    assert "statement inconclusive" in text and "implementation verified" in text
    assert "Summary: 0 of 2 claims proved, 1 verified" in text
    assert "Unknown: ??" in text
    assert "passwd" not in text and "root:" not in text
    log = (exported / "paper.log").read_text(errors="replace")
    assert "No lazyrich value `verdict' for claim `demo.nothere'" in log.replace("\n", "")


def test_the_macros_never_carry_raw_tex_from_the_results():
    doc = {"schema": "lazyrich.results/2", "claims": [{
        "id": "demo.eq1", "verdict": "proved", "source": {"paper": "demo", "ref": ""},
        "statement_verdict": {"verdict": r"\input{/etc/passwd}", "why": ""},
        "implementation_verdict": {"verdict": "verified", "why": ""},
        "checks": [{"max_error": r"\def\x{\x}\x", "tolerance": 1e-3, "verdict": "proved"}]}]}
    tex = latex_macros(doc, url=HOSTILE_URL)
    values = tex.split("\\providecommand\\lazyrich@set[3]", 1)[1].split("\n", 1)[1]
    for bad in ("\\input", "\\def", "{/etc", "#", "%"):
        assert bad not in values, (bad, values)
    assert "{?}" in values            # the unknown statement verdict became '?'
