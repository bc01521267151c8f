"""The "extend a theorem" tutorial (examples/extend_a_theorem.py, docs/extend-a-theorem.md):
the user claims file runs through the CLI exactly as documented and gets the expected verdicts,
and every extension claim is refuted when fed a wrong formula."""

import ast
import importlib.util
import json
import re
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

import lazyrich
from lazyrich import Claim, numerics
from lazyrich.engine.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "extend_a_theorem.py"
DOC = ROOT / "docs" / "extend-a-theorem.md"


def _load_example():
    spec = importlib.util.spec_from_file_location("extend_a_theorem_under_test", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


EX = _load_example()
CLAIMS = {v.id: v for v in vars(EX).values() if isinstance(v, Claim)}

#: what each extension claim must get: every derivation is exact over the claim's whole scope
#: (statement proved) and every formula agrees with its independent reference (verified)
EXPECTED = {
    "extend.tau12.conserved": "proved",
    "extend.tau12.riccati": "proved",
    "extend.tau12.aligned": "proved",
    "extend.whitening.riccati": "proved",
    "extend.whitening.aligned": "proved",
}


def test_cli_runs_the_user_file(tmp_path):
    out = tmp_path / "results.json"
    code = main(["check", "--claims", str(EXAMPLE), "extend", "-j", "1", "--cache-dir",
                 str(tmp_path / "cache"), "--json", str(out), "--quiet"])
    assert code == 0
    doc = json.loads(out.read_text())
    got = {c["id"]: c for c in doc["claims"]}
    assert set(got) == set(EXPECTED)
    for cid, want in EXPECTED.items():
        claim = got[cid]
        assert claim["verdict"] == want, (cid, claim["checks"])
        assert claim["scope"], cid
        assert claim["statement_verdict"]["verdict"] == "proved", (cid, claim["statement_verdict"])
        symbolic = [c for c in claim["checks"] if c["kind"] == "symbolic"]
        assert symbolic and all(c["verdict"] == "proved" for c in symbolic), cid
        assert all(c["scope"] and c["scope"]["complete"] for c in symbolic), cid
        assert any(c["kind"] != "symbolic" for c in claim["checks"]), cid
        assert all(c["justification"] for c in claim["checks"]), cid


def test_every_claim_has_a_mutation():
    assert set(CLAIMS) == set(EXPECTED)
    assert set(CLAIMS) <= {cid for cid, _, _ in MUTATIONS}


# ---- wrong formulas --------------------------------------------------------------------------
def _unweighted(W1, W2, W1T, W2T, tau1, tau2):        # the paper's quantity: not conserved
    return W2T * W2 - W1 * W1T


def _swapped_weights(W1, W2, W1T, W2T, tau1, tau2):   # τ1 and τ2 swapped
    return tau1 * W2T * W2 - tau2 * W1 * W1T


def _sqrt(x):
    return sp.sqrt(x) if isinstance(x, sp.Basic) else x ** 0.5


def _mean_tau(tau1, tau2, lam):                        # arithmetic instead of geometric mean
    tau_eff, lam_eff, k = EX.effective_tau12(tau1, tau2, lam)
    return (tau1 + tau2) / 2, lam_eff, k


def _lam_not_rescaled(tau1, tau2, lam):                # dropped 1/√(τ1τ2) on λ
    tau_eff, _, k = EX.effective_tau12(tau1, tau2, lam)
    return tau_eff, lam, k


def _square_root_k(tau1, tau2, lam):                   # k = (τ1/τ2)^{1/2} instead of ^{1/4}
    tau_eff, lam_eff, _ = EX.effective_tau12(tau1, tau2, lam)
    return tau_eff, lam_eff, _sqrt(tau1 / tau2)


def _flipped_f(lam, S, ST):                            # sign of λ/2 flipped
    return EX.paper_f_blocks(-lam, S, ST)


def _forgot_time(tau, sigma2):                         # τ_eff = τ (no 1/σ²)
    return tau, 1 / sigma2


def _forgot_target(tau, sigma2):                       # Σyx not rescaled
    return tau / sigma2, 1


def _not_conserved(W1, W2, W1T, W2T):                  # W2ᵀW2 + W1W1ᵀ
    return W2T * W2 + W1 * W1T


MUTATIONS = [
    # λ_eff with the wrong sign: the checks that see only λ_eff² cannot tell, the balance of the
    # rescaled weights (b̂² − â² = λ_eff) does
    ("extend.tau12.aligned", "effective", lambda t1, t2, lam: EX.effective_tau12(t1, t2, -lam)),
    ("extend.tau12.conserved", "conserved", _unweighted),
    ("extend.tau12.conserved", "conserved", _swapped_weights),
    ("extend.tau12.riccati", "effective", _mean_tau),
    ("extend.tau12.riccati", "effective", _lam_not_rescaled),
    ("extend.tau12.riccati", "effective", _square_root_k),
    ("extend.tau12.riccati", "F_blocks", _flipped_f),
    ("extend.tau12.aligned", "effective", _lam_not_rescaled),
    ("extend.tau12.aligned", "effective", _mean_tau),
    ("extend.tau12.aligned", "trajectory",              # τ_eff = (τ1 + τ2)/2
     lambda st, s0, t1, t2, lam, t: numerics.aligned_trajectory(
         st, s0, lam / np.sqrt(t1 * t2), t, tau=(t1 + t2) / 2)),
    ("extend.tau12.aligned", "trajectory",              # λ_τ used as λ
     lambda st, s0, t1, t2, lam, t: numerics.aligned_trajectory(
         st, s0, lam, t, tau=np.sqrt(t1 * t2))),
    ("extend.whitening.riccati", "effective", _forgot_time),
    ("extend.whitening.riccati", "effective", _forgot_target),
    ("extend.whitening.riccati", "F_blocks", _flipped_f),
    ("extend.whitening.riccati", "conserved", _not_conserved),
    ("extend.whitening.aligned", "effective", _forgot_target),
    ("extend.whitening.aligned", "trajectory",          # target not rescaled
     lambda st, s0, lam, s2, t, tau=1.0: numerics.aligned_trajectory(st, s0, lam, t,
                                                                      tau=tau / s2)),
]


@pytest.mark.parametrize("cid,name,wrong", MUTATIONS,
                         ids=[f"{c}:{n}:{i}" for i, (c, n, _) in enumerate(MUTATIONS)])
def test_wrong_formula_is_refuted(cid, name, wrong):
    result = CLAIMS[cid].run(**{name: wrong})
    assert result.verdict == "refuted", [(c["name"], c["verdict"], c["max_error"], c["detail"])
                                         for c in result.checks]


# ---- the tutorial's own helper and document ---------------------------------------------------
def test_layerwise_gd_with_equal_rates_is_numerics_gradient_descent():
    X, Y = numerics.random_regression_task(3, 2, 12, rng=1)
    S = Y @ X.T / 12
    rng = np.random.default_rng(2)
    W1, W2 = 0.4 * rng.standard_normal((3, 3)), 0.4 * rng.standard_normal((2, 3))
    ref = numerics.gradient_descent(W1, W2, X, Y, lr=0.01, steps=50, record_every=50)
    A1, A2 = EX.layerwise_gradient_descent(W1, W2, S, 1.0, 1.0, [0.5], 0.01)
    assert np.max(np.abs(A1[0] - ref.W1[-1])) < 1e-13
    assert np.max(np.abs(A2[0] - ref.W2[-1])) < 1e-13


@pytest.mark.parametrize("kwargs,match", [
    ({"tau1": 0.0}, "tau1"),
    ({"dt": -1.0}, "dt"),
    ({"t": [0.015]}, "multiples of dt"),
])
def test_layerwise_gd_bad_input_names_the_argument(kwargs, match):
    args = {"W1": np.ones((2, 2)), "W2": np.ones((2, 2)), "sigma_yx": np.eye(2), "tau1": 1.0,
            "tau2": 1.0, "t": [0.02], "dt": 0.01}
    args.update(kwargs)
    with pytest.raises(numerics.LazyrichError, match=match):
        EX.layerwise_gradient_descent(**args)


#: the modules a user claims file may import from lazyrich (the documented public API)
PUBLIC = {"lazyrich", "lazyrich.numerics", "lazyrich.numerics.generic", "lazyrich.numerics.mp",
          "lazyrich.derive"}


def _lazyrich_imports(source: str) -> set[str]:
    """The lazyrich modules a piece of Python imports (``from lazyrich import proofs`` counts as
    importing ``lazyrich.proofs``)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("lazyrich"):
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names
                      if a.name in ("numerics", "derive", "proofs", "engine", "reports")}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("lazyrich")}
    return found


def test_tutorial_uses_the_public_api_only():
    """The example and every Python block of the document import only public modules (no
    `_private` module, no claim module of the papers, no engine internals)."""
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
    for name, source in [(EXAMPLE.name, EXAMPLE.read_text())] + \
            [(f"{DOC.name} block {i}", b) for i, b in enumerate(blocks)]:
        try:
            used = _lazyrich_imports(source)
        except SyntaxError:          # a block with "..." placeholders: check its import lines
            used = set(re.findall(r"^\s*(?:from|import) (lazyrich[\w.]*)", source, flags=re.M))
        assert used <= PUBLIC, (name, sorted(used - PUBLIC))
    assert "lazyrich.proofs." not in DOC.read_text() and "._" not in \
        "".join(re.findall(r"lazyrich\.[\w.]+", DOC.read_text()))


def test_paper_formulas_come_from_the_claims_that_test_them():
    assert EX.paper_f_blocks is lazyrich.claim("domine2025.lemmaB.1").formulas["F_blocks"]
    assert EX.paper_conserved_quantity is \
        lazyrich.claim("domine2025.thmA.2").formulas["conserved_quantity"]


def test_tutorial_document_shows_the_commands_and_ids():
    text = DOC.read_text()
    assert "lazyrich check --claims examples/extend_a_theorem.py extend" in text
    assert "--lazyrich-select extend --lazyrich-claims examples/extend_a_theorem.py" in text
    for cid in EXPECTED:
        assert cid in text
