"""A small claims file with a proved claim (with plot data) and a documented erratum, and the
results document `lazyrich check --json` writes for it: the input of the schema, fuzz and
bad-input-page tests."""

from __future__ import annotations

import contextlib
import io
import json
import textwrap
from pathlib import Path

DEMO = textwrap.dedent('''
    import math
    from lazyrich import Claim, Evidence, Scope, Source
    from lazyrich.derive import Derivation
    import sympy as sp

    good = Claim(id="demo.eq1", title="exp(1) = e", source=Source("demo", "eq (1)"),
                 statement="e^1 = e", scope="one number", formulas={"f": math.exp})

    @good.check("numeric", tolerance=1e-15, precision="float64", justification="one rounding")
    def value(f):
        return Evidence(max_error=abs(f.f(1.0) - math.e), data={"x": [0, 1], "y": [1, 2]})

    @good.check("symbolic")
    def exact(f):
        d = Derivation("exp(1) - e")
        d.step(sp.exp(1), sp.E, "definition of e")
        return d.evidence(scope=Scope.full("the number e"))

    erratum = Claim(id="demo.eq2", title="exp(1) = 3", source=Source("demo", "eq (2)"),
                    statement="e^1 = 3", expected="refuted", corrected="e^1 = e",
                    corrected_by="demo.eq1", depends_on=("demo.eq1",))

    @erratum.check("numeric", tolerance=1e-15)
    def value2(f):
        return Evidence(max_error=abs(math.e - 3), detail="e is not 3", counterexample={"x": 1})
    ''')


def demo_results(tmp: Path) -> dict:
    """Write the demo claims file in ``tmp``, check it (private cache), return the document."""
    from lazyrich.engine.cli import main

    (tmp / "demo_claims.py").write_text(DEMO)
    out = tmp / "r.json"
    with contextlib.redirect_stdout(io.StringIO()):
        code = main(["check", "demo", "--claims", str(tmp / "demo_claims.py"), "-q", "-j1",
                     "--cache-dir", str(tmp / "c"), "--json", str(out)])
    assert code == 0, code
    return json.loads(out.read_text())
