"""lazyrich mutate: the automatically derived wrong formulas, how they are judged, and the
detection threshold."""

import json
import textwrap

import numpy as np
import pytest
import sympy as sp

from lazyrich import Claim, Scope, Source
from lazyrich.derive import Derivation
from lazyrich.engine._mutate import mutants, mutate_claim, threshold_text
from lazyrich.engine.cli import main


def decay(x0, t, tau=1.0):
    """x(t) = x0 e^{−t/τ}."""
    return x0 * np.exp(-t / tau)


def _claim(check, **kw):
    c = Claim(id="mut.decay", title="decay", source=Source("mut", "eq (1)"), statement="",
              formulas={"x": decay}, **kw)
    c.check("numeric", tolerance=3e-4, precision="float64", justification="test")(check)
    return c


def strong(f):
    t = np.array([0.0, 0.3, 2.0])
    worst = 0.0
    for x0 in (1.0, -2.5):
        for tau in (1.0, 0.4, 3.0):
            ref = x0 * np.exp(-t / tau)
            worst = max(worst, float(np.max(np.abs(f.x(x0, t, tau=tau) - ref) /
                                            np.abs(ref))))
    return worst


def weak(f):                       # only τ = 1, only x0 = 1, only t = 0: most mutants pass
    return abs(float(f.x(1.0, np.array([0.0]))[0]) - 1.0)


def test_a_strong_check_kills_every_mutant_and_its_threshold_matches_its_tolerance():
    rec = mutate_claim(_claim(strong))
    assert rec["status"] == "ok"
    assert rec["survived"] == 0, [m for m in rec["mutants"] if m["status"] == "survived"]
    assert rec["killed"] == rec["total"] > 10
    # output × (1 + δ) is refuted iff δ > 3e-4 (relative error δ against tolerance 3e-4)
    assert rec["thresholds"]["x"]["text"] == "1e-3" and rec["threshold"] == pytest.approx(1e-3)
    names = {m["name"] for m in rec["mutants"]}
    assert {"x: τ ignored (tau → 1)", "x: t·τ instead of t/τ (t → t·τ²)", "x: x0 → −x0",
            "x: output negated", "x: t → t/2"} <= names


def test_a_weak_check_lets_mutants_survive_and_names_them():
    rec = mutate_claim(_claim(weak))
    surv = {m["name"]: m for m in rec["mutants"] if m["status"] == "survived"}
    assert "x: τ ignored (tau → 1)" in surv
    assert "no check exercises τ" in surv["x: τ ignored (tau → 1)"]["how"]
    assert "x: t → t/2" in surv                       # t = 0 only
    assert rec["threshold"] == pytest.approx(1e-3)


def test_equivalent_mutants_are_explained_not_survivors():
    rec = mutate_claim(_claim(weak, equivalent_mutants={
        "x: t → t/2": "the check only looks at t = 0 (for this test)"}))
    m = next(m for m in rec["mutants"] if m["name"] == "x: t → t/2")
    assert m["status"] == "equivalent" and "t = 0" in m["reason"]


def test_a_variation_that_never_applies_is_not_counted():
    rec = mutate_claim(_claim(strong))
    na = [m for m in rec["mutants"] if m["status"] == "not-applicable"]
    assert any("ᵀ" in m["name"] for m in na)          # scalars cannot be transposed
    assert rec["total"] == len(rec["mutants"]) - len(na)


def test_mutants_work_on_sympy_and_mpmath_values_too():
    import mpmath

    def f(a, b):
        return a * b
    ms = {m.name: m for m in mutants("g", f)}
    wrong, counter = ms["g: output × (1 + 1e-2)"].wrap(f)
    assert wrong(sp.Symbol("a"), 2) == sp.Rational(101, 100) * 2 * sp.Symbol("a")
    wrong, counter = ms["g: a → −a"].wrap(f)
    assert wrong(mpmath.mpf(2), 3) == -6 and counter[0] == 1
    wrong, counter = ms["g: a ↔ b"].wrap(f)
    x, y = np.eye(2), np.ones((2, 2))
    assert np.array_equal(wrong(x, y), y * x) and counter[0] == 1


def test_symbolic_check_reading_a_formula_is_mutated_exactly():
    s = sp.Symbol("s", positive=True)
    c = Claim(id="mut.sym", title="", source=Source("mut", "x"), statement="",
              formulas={"sq": lambda a: a**2 + 2 * a + 1})

    @c.check("symbolic")
    def binomial(f):
        d = Derivation("square")
        d.step(f.sq(s), (s + 1) ** 2, "binomial")
        return d.evidence(scope=Scope.full("all s > 0"))

    rec = mutate_claim(c)
    assert rec["survived"] == 0 and rec["threshold"] == pytest.approx(1e-12)


def test_errata_and_claims_without_formulas_are_skipped():
    c = Claim(id="mut.err", title="", source=Source("mut", "x"), statement="",
              formulas={"x": decay}, expected="refuted")
    c.check("numeric", tolerance=1e-6)(lambda f: 1.0)
    assert mutate_claim(c)["status"] == "skipped"


def test_the_command_prints_a_table_writes_json_and_exits_1_on_survivors(tmp_path, capsys):
    p = tmp_path / "claims_mut.py"
    p.write_text(textwrap.dedent('''
        import numpy as np
        from lazyrich import Claim, Source

        def decay(x0, t, tau=1.0):
            return x0 * np.exp(-t / tau)

        c = Claim(id="mut.cli", title="", source=Source("mut", "x"), statement="",
                  formulas={"x": decay})

        @c.check("numeric", tolerance=1e-4)
        def weak(f):
            return abs(float(f.x(1.0, np.array([0.0]))[0]) - 1.0)
        '''))
    out = tmp_path / "m.json"
    code = main(["mutate", "mut", "--claims", str(p), "-j", "1", "--cache-dir",
                 str(tmp_path / "c"), "--json", str(out)])
    text = capsys.readouterr().out
    assert code == 1 and "NOT OK" in text and "τ ignored" in text
    doc = json.loads(out.read_text())
    assert doc["schema"] == "lazyrich.mutations/1" and doc["summary"]["not_ok"] == ["mut.cli"]
    # cached: a second run is served from the cache and says the same
    code = main(["mutate", "mut", "--claims", str(p), "-j", "1", "--cache-dir",
                 str(tmp_path / "c"), "--json", str(out)])
    assert code == 1 and json.loads(out.read_text())["claims"][0]["cached"] is True
    # and `check` shows the measured threshold next to the verdict
    res = tmp_path / "r.json"
    main(["check", "mut", "--claims", str(p), "-q", "-j1", "--cache-dir", str(tmp_path / "c"),
          "--json", str(res)])
    mutation = json.loads(res.read_text())["claims"][0]["mutation"]
    assert mutation["threshold_text"] == "1e-03" and "x: τ ignored (tau → 1)" in \
        mutation["survived"]


def test_a_formula_with_a_non_numeric_output_has_no_threshold_and_is_not_a_problem():
    from lazyrich.engine._mutate import judge_record

    c = Claim(id="mut.label", title="", source=Source("mut", "x"), statement="",
              formulas={"regime": lambda lam: "rich" if abs(lam) < 1 else "lazy",
                        "x": decay}, detection_target=1e-3)
    c.check("numeric", tolerance=0.0)(lambda f: float(
        f.regime(0.5) != "rich" or f.regime(5.0) != "lazy" or f.regime(-5.0) != "lazy"))
    c.check("numeric", tolerance=3e-4)(strong)
    rec = judge_record(c, mutate_claim(c))
    assert rec["thresholds"]["regime"]["applies"] is False
    assert rec["threshold"] == pytest.approx(1e-3) and threshold_text(rec) == "1e-03"
    assert not any("threshold" in p for p in rec["problems"]), rec["problems"]


def test_a_wrong_equivalence_label_is_caught_by_comparing_outputs():
    """A variant declared equivalent that is a different function (the checks only look at
    its square) is reported as survived: the outputs are compared at every call."""
    def odd(lam):
        return 2.0 * lam

    c = Claim(id="mut.eqlabel", title="", source=Source("mut", "x"), statement="",
              formulas={"g": odd}, detection_target=1e-2,
              equivalent_mutants={"g: lam → −lam": "(wrong: g is odd)",
                                  "g: output negated": "(wrong too)"})
    c.check("numeric", tolerance=1e-12)(lambda f: abs(f.g(3.0) ** 2 - 36.0))
    rec = mutate_claim(c, threshold=False)
    by = {m["name"]: m for m in rec["mutants"]}
    assert by["g: lam → −lam"]["status"] == "survived"
    assert "declared equivalent, but its output differs" in by["g: lam → −lam"]["how"]
    assert by["g: output negated"]["status"] == "survived"


def test_a_true_equivalence_stays_equivalent():
    c = Claim(id="mut.eqtrue", title="", source=Source("mut", "x"), statement="",
              formulas={"g": lambda lam: lam * lam}, detection_target=1e-2,
              equivalent_mutants={"g: lam → −lam": "g is even"})
    c.check("numeric", tolerance=1e-12)(lambda f: abs(f.g(3.0) - 9.0))
    by = {m["name"]: m for m in mutate_claim(c, threshold=False)["mutants"]}
    assert by["g: lam → −lam"]["status"] == "equivalent"
