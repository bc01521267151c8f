"""Derivation steps as a report shows them: relations other than '=', display forms kept apart
from what was checked, and premises referred to by name (derive/_derivation.py)."""

import pytest
import sympy as sp

from lazyrich.derive import Derivation

x, y = sp.symbols("x y", positive=True)
t = sp.Symbol("t", real=True)
lam = sp.Symbol("lambda", positive=True)


def test_inequalities_are_proved_by_sign_and_refuted_by_a_point():
    d = Derivation("signs")
    assert d.step(x + y, x, "adding a positive number", relation=">").verdict == "proved"
    assert d.step(x, x + y, "less", relation="<").verdict == "proved"
    assert d.step(x ** 2, 0, "a square", relation=">=").verdict == "proved"
    bad = d.step(1 - x, 0, "not always positive", relation=">")
    assert bad.verdict == "refuted" and "x" in bad.counterexample["point"]
    assert d.step(t ** 2, 0, "undecided? no: t² ≥ 0", relation="≥").verdict == "proved"
    unsure = d.step(sp.sin(t) + 2, 0, "SymPy cannot decide", relation=">")
    assert unsure.verdict in ("proved", "inconclusive")
    assert [s.as_dict()["relation"] for s in d.steps] == [">", "<", "≥", ">", "≥", ">"]


def test_not_equal_limits_and_asymptotics():
    d = Derivation("relations")
    assert d.step(x, 0, "x is positive", relation="!=").verdict == "proved"
    assert d.step(x - x, 0, "identical", relation="≠").verdict == "refuted"
    assert d.step(1 / lam, 0, "1/λ → 0", relation="->", limit=(lam, sp.oo)).verdict == "proved"
    wrong = d.step(1 + 1 / lam, 0, "does not tend to 0", relation="→", limit=(lam, sp.oo))
    assert wrong.verdict == "refuted" and wrong.counterexample["value"] == "1"
    assert d.step(sp.sqrt(lam ** 2 + 1), lam, "√(λ²+1) ~ λ", relation="~",
                  limit=(lam, sp.oo)).verdict == "proved"
    with pytest.raises(ValueError, match="limit"):
        d.step(lam, lam, "no limit given", relation="→")
    with pytest.raises(ValueError, match="relation"):
        d.step(x, x, "unknown", relation="≈≈")


def test_display_form_is_recorded_apart_from_the_checked_sides():
    d = Derivation("display")
    s = d.step((x + y) ** 2, x ** 2 + 2 * x * y + y ** 2, "expand", moves=(sp.expand,),
               display=("(x+y)^2", "x^2+2xy+y^2"))
    rec = s.as_dict()
    assert rec["verdict"] == "proved"
    assert rec["display"] == r"(x+y)^2 = x^2+2xy+y^2"
    assert rec["lhs"] == sp.latex((x + y) ** 2)                 # what was checked is kept
    s2 = d.step(x * y, 0, "positive", relation=">", display=r"xy > 0")
    assert s2.as_dict()["display"] == "xy > 0"


def test_premises_and_steps_by_name_or_number():
    d = Derivation("names")
    d.given(sp.Symbol("W"), sp.Symbol("V"), "A2: λ-balanced", name="A2")
    d.step(x + x, 2 * x, "doubling", name="double")
    s = d.step(2 * x, x + x, "back", uses=("A2", "double", 1, 2))
    assert s.as_dict()["uses"] == ["A2", "double", "A2", "double"]
    with pytest.raises(ValueError, match="no earlier step"):
        d.step(x, x, "?", uses=("A3",))
    with pytest.raises(ValueError, match="does not exist yet"):
        d.step(x, x, "?", uses=(9,))
    with pytest.raises(ValueError, match="already used"):
        d.given(x, x, "again", name="A2")


def test_old_style_calls_are_unchanged():
    d = Derivation("old")
    d.given(sp.Symbol("s"), x + y, "definition")
    s = d.step((x + y) ** 2, x ** 2 + 2 * x * y + y ** 2, "binomial", moves=(sp.expand,))
    assert s.relation == "=" and s.display is None and s.name is None and s.uses == ()
    ev = d.evidence()
    steps = ev.data["steps"]
    assert [st["relation"] for st in steps] == ["=", "="]
    assert steps[0]["premise"] and not steps[1]["premise"]
