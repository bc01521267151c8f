"""Symbolic re-derivations of Lemma B.1, Theorem A.2 and Lemma 4.1 (Dominé et al. 2025): each
claim gets its verdict with the right formulas, its symbolic check is `proved`, and every
deliberately wrong formula is refuted."""

import types

import numpy as np
import pytest
import sympy as sp

from lazyrich.derive._blocks import block_matrix
from lazyrich.proofs.domine2025 import balance, riccati, riccati_solution

# The claims under test, taken from their modules (not from discover(), so that other people's
# work in progress elsewhere in proofs/ cannot break this file).
CLAIMS = {c.id: c for c in (riccati.lemmaB1, balance.thmA2, riccati_solution.lemma41)}
HALF = sp.Rational(1, 2)


def _no_half(E, F_inv):                 # dropped ½ in the middle term
    return E * F_inv * E - F_inv


def _plus_inverse(E, F_inv):            # + F⁻¹ instead of − F⁻¹
    return HALF * (E * F_inv * E + F_inv)


MUTATIONS = [
    # Lemma B.1: the symbolic F
    ("domine2025.lemmaB.1", "F_blocks",                     # λ/2 signs flipped
     lambda lam, S, ST: block_matrix([[lam / 2, ST], [S, -lam / 2]])),
    ("domine2025.lemmaB.1", "F_blocks",                     # λ instead of λ/2
     lambda lam, S, ST: block_matrix([[-lam, ST], [S, lam]])),
    ("domine2025.lemmaB.1", "F_blocks",                     # Σ and Σᵀ swapped (order matters)
     lambda lam, S, ST: block_matrix([[-lam / 2, S], [ST, lam / 2]])),
    # Theorem A.2: the conserved quantity
    ("domine2025.thmA.2", "conserved_quantity",             # sign flipped
     lambda W1, W2, W1T, W2T: W2T * W2 + W1 * W1T),
    ("domine2025.thmA.2", "conserved_quantity",             # one layer only
     lambda W1, W2, W1T, W2T: W2T * W2),
    ("domine2025.thmA.2", "conserved_quantity",             # plus a commutator: 1×1 can't tell
     lambda W1, W2, W1T, W2T: W2T * W2 - W1 * W1T + W1 * W1T * W2T * W2 - W2T * W2 * W1 * W1T),
    ("domine2025.thmA.2", "conserved_quantity",             # conserved too, but not λI: 2λI
     lambda W1, W2, W1T, W2T: 2 * (W2T * W2 - W1 * W1T)),
    ("domine2025.thmA.2", "balance",                        # off by 1e-9 relative
     lambda W1, W2: balance.balance(W1, W2) * (1 + 1e-9)),
    # Lemma 4.1: the middle term and the solution's shape
    ("domine2025.lemma4.1", "middle", _no_half),
    ("domine2025.lemma4.1", "middle", _plus_inverse),
    ("domine2025.lemma4.1", "solution",                     # right factor e^{Ft/τ} dropped
     lambda Q0, Q0T, E, K: E * Q0 * (1 + Q0T * K * Q0) ** -1 * Q0T),
    ("domine2025.lemma4.1", "solution",                     # I − Q0ᵀKQ0 in the bracket
     lambda Q0, Q0T, E, K: E * Q0 * (1 - Q0T * K * Q0) ** -1 * Q0T * E),
]

MY_CLAIMS = ("domine2025.lemmaB.1", "domine2025.thmA.2", "domine2025.lemma4.1")


def _summary(result):
    return [(c["name"], c["verdict"], c["max_error"], c["detail"][-300:]) for c in result.checks]


@pytest.fixture(scope="module")
def results():
    return {cid: CLAIMS[cid].run() for cid in MY_CLAIMS}


@pytest.mark.parametrize("cid", MY_CLAIMS)
def test_claim_is_proved_over_its_whole_scope(results, cid):
    result = results[cid]
    assert result.verdict == "proved", _summary(result)        # statement + implementation
    assert result.statement["verdict"] == "proved", result.statement
    assert CLAIMS[cid].scope, cid
    symbolic = [c for c in result.checks if c["kind"] == "symbolic"]
    assert symbolic and all(c["verdict"] == "proved" for c in symbolic), _summary(result)
    assert all(c["scope"] and c["scope"]["complete"] for c in symbolic)
    steps = symbolic[0]["data"]["steps"]
    assert all(s["verdict"] == "proved" and (s["premise"] or s["residual"] == "0")
               for s in steps)


def test_every_claim_of_mine_has_a_mutation():
    assert set(MY_CLAIMS) <= {cid for cid, _, _ in MUTATIONS}
    assert CLAIMS["domine2025.lemma4.1"].depends_on == ("domine2025.lemmaB.1",)


@pytest.mark.parametrize("cid,name,wrong", MUTATIONS,
                         ids=[f"{c}:{n}:{i}" for i, (c, n, _) in enumerate(MUTATIONS)])
def test_wrong_formula_is_refuted(cid, name, wrong):
    result = CLAIMS[cid].run(stop_on_refute=True, **{name: wrong})
    assert result.verdict == "refuted", _summary(result)


def test_lemmaB1_derivation_goes_block_by_block_with_the_balance_rewrite():
    d = riccati.lemmaB1_derivation(riccati.f_blocks)
    why = [s.justification for s in d.steps]
    assert sum("block (" in w and "F QQᵀ" in w for w in why) == 4
    assert sum("cubic terms" in w for w in why) == 2
    assert any("W2ᵀW2 → W1W1ᵀ + λI" in s.detail for s in d.steps)


def test_lemmaB1_refutation_point_is_balanced():
    """The flipped F is refuted at a point where λ really is W2ᵀW2 − W1W1ᵀ (1×1) or at exactly
    balanced 2×2 matrices: a genuine counterexample, not an artefact of ignoring A2."""
    wrong = lambda lam, S, ST: block_matrix([[lam / 2, ST], [S, -lam / 2]])
    d = riccati.lemmaB1_derivation(wrong)
    bad = next(s for s in d.steps if s.verdict == "refuted")
    point = {k: sp.Rational(v) for k, v in bad.counterexample["point"].items()
             if not v.startswith("[")}
    assert point["lambda"] == point["W2"] ** 2 - point["W1"] ** 2


def test_thmA2_commutator_mistake_is_caught_by_matrix_points():
    wrong = MUTATIONS[5][2]
    d = balance.thmA2_derivation(wrong)
    assert d.verdict == "refuted"
    assert "matrix identity" in d.steps[-1].detail and "shaped" in d.steps[-1].detail


def test_thmA2_scaled_quantity_is_conserved_but_not_lambda():
    """A zero derivative cannot see a constant factor: the derivation proves 2(W2ᵀW2 − W1W1ᵀ)
    conserved too; the check against λI at balanced weights is what refutes it."""
    wrong = MUTATIONS[6][2]
    assert balance.thmA2_derivation(wrong).verdict == "proved"
    result = CLAIMS["domine2025.thmA.2"].run(conserved_quantity=wrong)
    bad = [c["name"] for c in result.checks if c["verdict"] == "refuted"]
    assert bad == ["equals_lambda_at_balanced_weights"], _summary(result)


def test_lemmaB1_steps_are_shape_checked_for_every_size():
    """Σ and Σᵀ swapped in F is not even defined when N_i ≠ N_o: refuted by the shapes."""
    d = riccati.lemmaB1_derivation(MUTATIONS[2][2])
    bad = next(s for s in d.steps if s.verdict == "refuted")
    assert "not defined for every size" in bad.detail and "N_i" in bad.detail


def test_lemma41_zero_eigenvalue_mode_is_the_integral():
    d = riccati_solution.lemma41_derivation(
        types.SimpleNamespace(middle=riccati_solution.middle, solution=riccati_solution.solution))
    zero = next(s for s in d.steps if s.justification.startswith("zero mode"))
    assert zero.verdict == "proved" and zero.rhs == sp.Symbol("t", nonnegative=True) / \
        sp.Symbol("tau", positive=True)


def test_literal_eq7_in_float64_loses_accuracy_only_at_large_t():
    """The spec's caveat, measured: the literal form is fine at t = 2 and degrades later."""
    from lazyrich import numerics
    from lazyrich.proofs.domine2025._cases import instance, rel_err
    W1, W2, S = instance("inverted-funnel", 0.0, seed=4)
    f = types.SimpleNamespace(middle=riccati_solution.middle, solution=riccati_solution.solution)
    errs = [rel_err(riccati_solution._literal_float64(f, W1, W2, S, 0.0, t),
                    numerics.qqt(W1, W2, S, t)) for t in (2.0, 15.0)]
    assert errs[0] < 1e-11 and errs[1] > 10 * errs[0] and np.isfinite(errs[1])
