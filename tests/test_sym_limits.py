"""Theorems C.4-C.6 (large-|λ| limits), the RSM_O erratum, eqs (4)-(5), and the derivation
helpers of derive/_series.py.

Every claim gets its expected verdict (the erratum domine2025.thmC.4.rsm stays refuted and
passes when fed its correction), and every formula, replaced by a wrong one, makes its claim
refuted (MUTATIONS)."""

from __future__ import annotations

import random

import numpy as np
import pytest
import sympy as sp

from lazyrich.derive import Derivation
from lazyrich.derive import _series as ser
from lazyrich.numerics import InvalidArgument
from lazyrich import discover
from lazyrich.proofs.domine2025 import kernels, limits

CLAIMS = discover(entry_points_too=False)
MINE = ("domine2025.thmC.4", "domine2025.thmC.4.plus", "domine2025.thmC.4.minus",
        "domine2025.thmC.4.rsm", "domine2025.thmC.4.rsm_corrected", "domine2025.thmC.5",
        "domine2025.thmC.5.unequal", "domine2025.thmC.6", "domine2025.eq4", "domine2025.eq5")


def _abs(lam):
    return sp.Abs(lam) if isinstance(lam, sp.Basic) else abs(lam)


def _rat(p, q):
    return sp.Rational(p, q)


def _ntk_no_identity_term(W1, W2, X):
    if isinstance(W1, sp.MatrixBase):
        from sympy.physics.quantum import TensorProduct
        return TensorProduct(W2 * W2.T, X.T * X)
    return np.kron(W2 @ W2.T, X.T @ X)


def _ntk_sample_outer(W1, W2, X):      # Kronecker factors in the wrong order (p outer)
    if isinstance(W1, sp.MatrixBase):
        from sympy.physics.quantum import TensorProduct
        return TensorProduct(X.T * W1.T * W1 * X, sp.eye(W2.shape[0])) + \
            TensorProduct(X.T * X, W2 * W2.T)
    H = W1 @ X
    return np.kron(H.T @ H, np.eye(W2.shape[0], dtype=W1.dtype)) + np.kron(X.T @ X, W2 @ W2.T)


MUTATIONS = [
    ("domine2025.thmC.4", "s_lambda_series", lambda s, a: a / 2 + s**2 / a + s**4 / a**3),
    ("domine2025.thmC.4", "s_lambda_series", lambda s, a: a / 2 + s**2 / (2 * a)),
    ("domine2025.thmC.4", "s_lambda_series",            # wrong only at order |λ|⁻³ (by 1e-3)
     lambda s, a: a / 2 + s**2 / a - (s**4 / a**3) * (1 + _rat(1, 1000))),
    ("domine2025.thmC.4.minus", "w1w1", lambda s, lam: _abs(lam) + s**2 / _abs(lam) + s),
    ("domine2025.thmC.4.rsm_corrected", "plus", lambda s, lam: 1 / lam - 2 * s**2 / lam**3),
    ("domine2025.thmC.5", "limit",                        # a 1e-7 relative offset
     lambda X, n: limits.ntk_limit_square(X, n) * _rat(10**7 + 1, 10**7)),
    ("domine2025.thmC.5.unequal", "limit",                # transposed on the wrong side
     lambda X, U, V, sign: limits.ntk_limit_general(X, V, U, sign) if U.shape == V.shape
     else limits.ntk_limit_general(X, U, V, -sign)),
    ("domine2025.thmC.6", "slow", lambda s, lam: s**2 / _abs(lam) * _rat(10**7 + 1, 10**7)),
    ("domine2025.eq5", "ntk", lambda W1, W2, X: kernels.ntk_printed(W1, W2, X) * _rat(101, 100)),
    ("domine2025.thmC.4.plus", "w2w2", lambda s, lam: lam + s**2 / (2 * lam)),
    ("domine2025.thmC.4.plus", "w1w1", lambda s, lam: s / lam),
    ("domine2025.thmC.4.minus", "w1w1", lambda s, lam: _abs(lam)),
    ("domine2025.thmC.4.minus", "w2w2", lambda s, lam: 2 * s**2 / _abs(lam)),
    ("domine2025.thmC.4.rsm", "weight", lambda s, lam: lam + s**2 / lam),
    ("domine2025.thmC.4.rsm_corrected", "plus", lambda s, lam: 1 / lam + s**2 / lam**3),
    ("domine2025.thmC.4.rsm_corrected", "minus", lambda s, lam: _abs(lam) / s**2),
    ("domine2025.thmC.5", "limit", lambda X, n: 2 * limits.ntk_limit_square(X, n)),
    ("domine2025.thmC.5.unequal", "limit",
     lambda X, U, V, sign: limits.ntk_limit_general(X, U, V, -sign)),
    ("domine2025.thmC.6", "fast", lambda s, lam: 2 * _abs(lam)),
    ("domine2025.thmC.6", "slow", lambda s, lam: s**2 / (2 * _abs(lam))),
    # a rate off by a constant: the ratio of the rates still → 1, the exponentials do not
    ("domine2025.thmC.6", "fast", lambda s, lam: _abs(lam) + sp.Rational(1, 10)
     if isinstance(lam, sp.Basic) else abs(lam) + 0.1),
    ("domine2025.eq4", "rsm_out",                   # no pseudo-inverse
     lambda W2, Y, pinv: Y.T * W2 * W2.T * Y if isinstance(W2, sp.MatrixBase)
     else Y.T @ W2 @ W2.T @ Y),
    ("domine2025.eq4", "rsm_in", lambda W1, X: 2 * kernels.rsm_in_printed(W1, X)),
    ("domine2025.eq5", "ntk", _ntk_no_identity_term),
    ("domine2025.eq5", "ntk", _ntk_sample_outer),
]


def test_every_new_claim_has_a_mutation():
    assert set(MINE) <= {cid for cid, _, _ in MUTATIONS}


@pytest.mark.parametrize("cid,name,wrong", MUTATIONS,
                         ids=[f"{c}:{n}:{i}" for i, (c, n, _) in enumerate(MUTATIONS)])
def test_wrong_formula_is_refuted(cid, name, wrong):
    result = CLAIMS[cid].run(**{name: wrong})
    assert result.verdict == "refuted", [(c["name"], c["verdict"], c["detail"][:200])
                                         for c in result.checks]


#: claims whose statement is proved over the scope the paper states (the others: verified)
PROVED = set(MINE) - {"domine2025.thmC.4.rsm"}


@pytest.mark.parametrize("cid", MINE)
def test_claim_gets_its_expected_verdict(cid):
    claim = CLAIMS[cid]
    result = claim.run()
    expected = claim.expected or ("proved" if cid in PROVED else "verified")
    assert result.verdict == expected, [(c["name"], c["verdict"], c["detail"][:200])
                                        for c in result.checks]
    for c in result.checks:
        if c["kind"] == "symbolic" and expected != "refuted":
            assert c["verdict"] == "proved", (c["name"], c["detail"])


@pytest.mark.parametrize("cid", sorted(PROVED))
def test_every_symbolic_check_declares_the_full_scope(cid):
    claim = CLAIMS[cid]
    assert claim.scope, f"{cid} states no scope"
    for check in claim.checks:
        if check.kind == "symbolic":
            rec = check.run(claim.formulas)
            assert rec["scope"] and rec["scope"]["complete"], (check.name, rec["scope"])


# Admissible variants: the statements bound the remainder, they do not fix its coefficient.
ADMISSIBLE = [
    ("domine2025.thmC.4", "s_lambda_series",             # with the correct next term
     lambda s, a: a / 2 + s**2 / a - s**4 / a**3 + 2 * s**6 / a**5),
    ("domine2025.thmC.4", "s_lambda_series",             # with another O(|λ|⁻⁵) term
     lambda s, a: a / 2 + s**2 / a - s**4 / a**3 - 7 * s**6 / a**5),
    ("domine2025.thmC.4.plus", "w2w2",                   # with the correct next term
     lambda s, lam: lam + s**2 / lam - s**4 / lam**3),
    ("domine2025.thmC.4.rsm_corrected", "minus",         # with an O(|λ|⁻³) term
     lambda s, lam: _abs(lam) / s**2 + 1 / _abs(lam) + 3 * s**2 / _abs(lam)**3),
    ("domine2025.thmC.6", "fast",                        # a better approximation of 2S_λ
     lambda s, lam: _abs(lam) + 2 * s**2 / _abs(lam)),
]


@pytest.mark.parametrize("cid,name,variant", ADMISSIBLE,
                         ids=[f"{c}:{n}:{i}" for i, (c, n, _) in enumerate(ADMISSIBLE)])
def test_admissible_expansion_is_not_refuted(cid, name, variant):
    result = CLAIMS[cid].run(**{name: variant})
    assert result.verdict == "proved", [(c["name"], c["verdict"], c["detail"][:200])
                                        for c in result.checks]


def test_erratum_is_documented_and_its_correction_passes():
    claim = CLAIMS["domine2025.thmC.4.rsm"]
    assert claim.corrected and claim.corrected_by == "domine2025.thmC.4.rsm_corrected"
    assert claim.corrected_by in CLAIMS
    # the correct weight (S_λ + λ/2)⁻¹ ≈ 1/λ makes the erratum's own checks pass
    fixed = claim.run(weight=lambda s, lam: 1 / lam - s**2 / lam**3)
    assert fixed.verdict in ("proved", "verified"), [(c["name"], c["verdict"])
                                                     for c in fixed.checks]


# ---- derive/_series.py -----------------------------------------------------------------------

x, eps = sp.Symbol("x", real=True), sp.Symbol("epsilon", positive=True)
a = sp.Symbol("a", positive=True)


def test_taylor_coefficients_of_known_series():
    c = ser.taylor_coefficients(sp.exp(x) / (1 - x), x, 3)
    assert [sp.nsimplify(v) for v in c] == [1, 2, sp.Rational(5, 2), sp.Rational(8, 3)]
    # a common factor x of numerator and denominator is stripped
    c = ser.taylor_coefficients(sp.sin(x) / x, x, 2)
    assert [sp.simplify(v) for v in c] == [1, 0, sp.Rational(-1, 6)]


def test_at_infinity_pulls_powers_out_of_roots():
    expr = ser.at_infinity(sp.sqrt(x**2 + 4 * a**2), x, eps, -1)
    assert sp.simplify(expr - sp.sqrt(1 + 4 * a**2 * eps**2) / eps) == 0
    c = ser.taylor_coefficients(expr * eps, eps, 2)
    assert [sp.expand(v) for v in c] == [1, 0, 2 * a**2]


def test_reduce_roots_proves_root_identities_and_keeps_false_ones():
    lam, s = sp.Symbol("lam", real=True), sp.Symbol("s", positive=True)
    S = sp.sqrt(s**2 + lam**2 / 4)
    assert ser.reduce_roots((S - lam / 2) * (S + lam / 2) - s**2) == 0
    assert ser.reduce_roots(sp.sqrt(lam**2 + 4 * s**2) - 2 * S) == 0     # content normalised
    assert ser.reduce_roots((S - lam / 2) * (S + lam / 2) - 2 * s**2) != 0


def test_record_error_order_proves_and_refutes():
    d = Derivation("t")
    ser.record_error_order(d, sp.exp(x), 1 + x, x, 2, "exp", coefficient=sp.Rational(1, 2))
    assert d.verdict == "proved"
    d = Derivation("t")
    ser.record_error_order(d, sp.exp(x), 1, x, 2, "exp (wrong order)")
    assert d.verdict == "refuted"
    d = Derivation("t")                          # the order is not sharp: next term vanishes
    ser.record_error_order(d, sp.cos(x), 1, x, 1, "cos")
    assert d.verdict == "refuted"


def test_record_nonnegative():
    d = Derivation("t")
    ser.record_nonnegative(d, a**2 + 1, "positive", strict=True)
    assert d.verdict == "proved"
    d = Derivation("t")
    ser.record_nonnegative(d, x - 1, "not always", sampler=lambda rng: {x: sp.Integer(0)})
    assert d.verdict == "refuted"
    d = Derivation("t")
    ser.record_nonnegative(d, sp.cos(x) + 2, "true but undecided")
    assert d.verdict in ("proved", "inconclusive")


def test_record_limit():
    d = Derivation("t")
    ser.record_limit(d, sp.sin(x) / x, x, 0, 1, "sinc")
    assert d.verdict == "proved"
    d = Derivation("t")
    ser.record_limit(d, sp.sin(x) / x, x, 0, 2, "wrong")
    assert d.verdict == "refuted"


@pytest.mark.parametrize("call,match", [
    (lambda: ser.at_infinity(x, x, x, 1), "positive Symbol"),
    (lambda: ser.at_infinity(x, x, eps, 2), "sign must be"),
    (lambda: ser.at_infinity(x, "x", eps, 1), "must be a SymPy Symbol"),
    (lambda: ser.taylor_coefficients(x, x, -1), "non-negative int"),
    (lambda: ser.taylor_coefficients(1 / x, x, 1), "pole"),
    (lambda: ser.pull_out_of_roots(x, x), "positive Symbol"),
])
def test_bad_input_names_the_argument(call, match):
    with pytest.raises(InvalidArgument, match=match):
        call()


def test_sampler_reproducible():
    rng = random.Random(0)
    pt = limits._small_points(a)(rng)
    assert set(pt) == {a} and pt[a] > 0
