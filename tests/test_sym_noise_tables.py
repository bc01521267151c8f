"""Noise robustness (eqs 171–177), Theorem A.3 and Tables 1–3, and the Gaussian moment algebra
they rest on: every claim gets its expected verdict, every claim refutes a wrong formula, and the
moment calculator agrees with independent routes (Wick pairings, Gauss–Hermite quadrature)."""

import math

import mpmath
import numpy as np
import pytest
import sympy as sp

from lazyrich.derive._gaussian import (GaussianEnsemble, IndexCalculus, gaussian_moment,
                                      hermite_expectation, wick_moment)
from lazyrich.numerics import InvalidArgument, LazyrichError
from lazyrich import Claim
from lazyrich.proofs.domine2025 import init_tables, noise

CLAIMS = {c.id: c for m in (noise, init_tables) for c in vars(m).values()
          if isinstance(c, Claim)}


# ---------------------------------------------------------------------------------------------
# Gaussian moment algebra
# ---------------------------------------------------------------------------------------------
def test_moments_of_one_gaussian():
    v = sp.Symbol("v", positive=True)
    assert [gaussian_moment(k, v) for k in range(7)] == [1, 0, v, 0, 3 * v**2, 0, 15 * v**3]


def test_ensemble_matches_wick_pairings_for_independent_variables():
    v1, v2 = sp.symbols("v1 v2", positive=True)
    g = GaussianEnsemble()
    x, y = g.scalar("x", v1), g.scalar("y", v2)
    cov = sp.diag(v1, v2)
    for powers in ((4, 0), (2, 2), (3, 1), (6, 2), (0, 4)):
        idx = [0] * powers[0] + [1] * powers[1]
        assert sp.expand(g.expectation(x ** powers[0] * y ** powers[1]) -
                         wick_moment(cov, idx)) == 0


def test_wick_with_correlation():
    c11, c12, c22 = sp.symbols("c11 c12 c22")
    cov = sp.Matrix([[c11, c12], [c12, c22]])
    assert sp.expand(wick_moment(cov, [0, 0, 1, 1]) - (c11 * c22 + 2 * c12**2)) == 0
    assert wick_moment(cov, [0, 1, 1]) == 0


def test_matrix_identities_used_by_the_claims():
    s = sp.Symbol("sigma", positive=True)
    g = GaussianEnsemble()
    E = g.matrix("e", 2, 3, s**2)
    A = sp.Matrix(3, 3, lambda i, j: sp.Symbol(f"a{i}{j}"))
    assert sp.expand(g.expectation(E * A * E.T) - s**2 * A.trace() * sp.eye(2)) == sp.zeros(2, 2)
    assert g.variance((E.T * E)[0, 0]) == 2 * 2 * s**4          # 2 rows: 2·Var(x²) = 2·2σ⁴


def test_hermite_quadrature_is_exact_to_degree_five_per_variable():
    got = hermite_expectation(lambda x: x[:, 0] ** 4 * x[:, 1] ** 2 + x[:, 0] ** 5, [2.0, 3.0])
    assert got == pytest.approx(3 * 4 * 3, rel=1e-14)
    six = hermite_expectation(lambda x: x[:, 0] ** 6, [1.0])       # 15 exactly; 3 nodes give 9
    assert abs(six - 15.0) > 1.0
    with mpmath.workdps(50):
        got50 = hermite_expectation(lambda x: x[0] ** 4 * x[1] ** 2, ["2", "3"], dps=50)
        assert abs(got50 - 36) < mpmath.mpf("1e-45")


def _non_polynomial_expectation():
    g = GaussianEnsemble()
    return g.expectation(sp.sin(g.scalar("x", 1)))


@pytest.mark.parametrize("call,word", [
    (lambda: gaussian_moment(-1, 1), "k"),
    (lambda: gaussian_moment(2.5, 1), "k"),
    (lambda: GaussianEnsemble().scalar("", 1), "name"),
    (lambda: GaussianEnsemble().scalar("x", -1), "variance"),
    (lambda: GaussianEnsemble().matrix("m", 0, 2, 1), "rows"),
    (lambda: GaussianEnsemble().variance_of(sp.Symbol("q")), "not a Gaussian"),
    (lambda: _non_polynomial_expectation(), "polynomial"),
    (lambda: wick_moment([[1, 2]], [0, 0]), "square"),
    (lambda: wick_moment([[1]], [0, 1]), "indices"),
    (lambda: hermite_expectation(lambda x: x, []), "variances"),
    (lambda: hermite_expectation(lambda x: x, [-1.0]), "variances"),
    (lambda: hermite_expectation(lambda x: x, [1.0], dps=5), "dps"),
    (lambda: noise.optimal_lambda([1.0, -2.0], 3, 3), "s_tilde"),
    (lambda: noise.optimal_lambda([1.0], 0, 3), "n_i"),
])
def test_bad_input_names_the_argument(call, word):
    with pytest.raises(LazyrichError) as info:
        call()
    assert isinstance(info.value, InvalidArgument)
    assert word in str(info.value)


# ---------------------------------------------------------------------------------------------
# Index calculus with symbolic dimensions, refereed by explicit expansion at concrete sizes
# ---------------------------------------------------------------------------------------------
def _explicit_matrix(name, rows, cols):
    return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"{name}_{i}_{j}", real=True))


@pytest.mark.parametrize("sizes,which", [((1, 2, 3, 2), (0, 1, 2, 3)), ((2, 1, 3, 1), (0, 1, 2))])
def test_index_expectation_agrees_with_explicit_moments(sizes, which):
    """E‖(W2+E2)(W1+E1)X − Y‖², E[(W2+E2)ᵀ(W2+E2)]_ab and a fourth-moment entry: the index
    calculus (any size) evaluated at concrete sizes equals the explicit Gaussian expansion."""
    s = sp.Symbol("sigma", positive=True)
    c = IndexCalculus()
    Ni, Nh, No, P = c.dims("N_i N_h N_o P")
    E1, E2 = c.gaussian("E1", Nh, Ni, s**2), c.gaussian("E2", No, Nh, 3 * s**2)
    W1, W2 = c.matrix("W1", Nh, Ni), c.matrix("W2", No, Nh)
    X, Y = c.matrix("X", Ni, P), c.matrix("Y", No, P)
    a, b = c.index("a", Nh), c.index("b", Ni)
    E1 = E1 + c.matrix("Z", Nh, Ni)                 # a non-zero mean for the odd moment
    M = (W2 + E2).T @ (W2 + E2) - (W1 + E1) @ (W1 + E1).T
    a2 = c.index("a2", Nh)
    exprs = [(c.frob2((W2 + E2) @ (W1 + E1) @ X - Y), {}),
             (M.at(a, a2), {a: 0, a2: sizes[1] - 1}),
             (M.at(a, a2) * M.at(a, a2), {a: 0, a2: 0}),
             (M.at(a, a2) * M.at(a2, a) * E1.at(a2, b), {a: sizes[1] - 1, a2: 0, b: 0})]
    n_i, n_h, n_o, p = sizes
    dims = {Ni: n_i, Nh: n_h, No: n_o, P: p}
    g = GaussianEnsemble()
    T = {"E1": g.matrix("e1", n_h, n_i, s**2), "E2": g.matrix("e2", n_o, n_h, 3 * s**2),
         "W1": _explicit_matrix("w1", n_h, n_i), "Z": _explicit_matrix("z", n_h, n_i),
         "W2": _explicit_matrix("w2", n_o, n_h),
         "X": _explicit_matrix("x", n_i, p), "Y": _explicit_matrix("y", n_o, p)}
    for expr, free in (exprs[k] for k in which):
        want = g.expectation(c.explicit(expr, dims, T, free))
        got = c.explicit(c.expectation(expr), dims, T, free)
        assert sp.expand(got - want) == 0


def test_index_gram_relations_agree_with_explicit_orthonormal_matrices():
    """ŨᵀŨ = I and XXᵀ = P·I contractions, checked with exact orthonormal/whitened matrices."""
    from lazyrich.derive import rational_orthogonal
    c = IndexCalculus()
    No, r, P = c.dims("N_o r P")
    U = c.matrix("U", No, r, gram={0: 1})
    X = c.matrix("X", r, P, gram={1: P})
    B = c.matrix("B", r, r)
    sv = c.vector("s", r)
    S = c.diag("s", r)
    expr = c.frob2(U @ S @ B @ X) + c.trace(U.T @ U @ B)
    reduced = c.normal(expr)
    # the contractions removed U and X altogether
    assert all(f[0] not in ("U", "X") for t in reduced.terms for f in t.factors)
    import random
    Q = sp.Matrix(rational_orthogonal(random.Random(4), 3))
    Xm = sp.Matrix([[1, 1], [1, -1]])                          # XXᵀ = 2 I (P = 2)
    T = {"U": Q[:, :2], "X": Xm, "B": _explicit_matrix("b", 2, 2),
         "s": [sp.Symbol("s0"), sp.Symbol("s1")]}
    dims = {No: 3, r: 2, P: 2}
    assert sp.expand(c.explicit(expr, dims, T) - c.explicit(reduced, dims, T)) == 0
    assert sv is not None


def test_index_normal_form_identifies_renamed_sums():
    c = IndexCalculus()
    n, m = c.dims("n m")
    A, B = c.matrix("A", n, m), c.matrix("B", m, n)
    assert c.to_sympy(c.trace(A @ B)) - c.to_sympy(c.trace(B @ A)) == 0
    assert c.to_sympy(c.frob2(A)) == c.to_sympy(c.inner(A.T, A.T))
    assert c.to_sympy(c.trace(A @ B)) != c.to_sympy(c.trace(A @ A.T))
    # δ_ij v_j = δ_ij v_i for free i, j
    i, j = c.index("i", n), c.index("j", n)
    v = c.vector("v", n)
    assert c.to_sympy(c.delta(i, j) * v(j)) == c.to_sympy(c.delta(i, j) * v(i))
    assert c.to_sympy(c.delta(i, j) * v(j) * v(j)) == c.to_sympy(c.delta(j, i) * v(i) * v(j))
    # disconnected index sums factorise: ‖A‖²‖B‖² is the product of the two symbols
    assert c.to_sympy(c.frob2(A) * c.frob2(B)) == c.to_sympy(c.frob2(A)) * c.to_sympy(c.frob2(B))


@pytest.mark.parametrize("call,word", [
    (lambda: IndexCalculus().index("_a", 3), "name"),
    (lambda: IndexCalculus().matrix("A", 2, 2, gram={2: 1}), "gram"),
    (lambda: (lambda c: (c.matrix("A", 2, 3), c.matrix("A", 2, 3)))(IndexCalculus()), "exists"),
    (lambda: (lambda c: c.matrix("A", 2, 3) @ c.matrix("B", 2, 3))(IndexCalculus()), "inner"),
    (lambda: (lambda c: c.matrix("A", 2, 3) + c.matrix("B", 3, 2))(IndexCalculus()), "shapes"),
    (lambda: (lambda c: c.trace(c.matrix("A", 2, 3)))(IndexCalculus()), "non-square"),
])
def test_index_calculus_bad_input(call, word):
    with pytest.raises(InvalidArgument, match=word):
        call()


def test_duplicate_gaussian_is_rejected():
    g = GaussianEnsemble()
    g.scalar("x", 1)
    with pytest.raises(InvalidArgument, match="already"):
        g.scalar("x", 1)


# ---------------------------------------------------------------------------------------------
# Independent facts the claims rely on
# ---------------------------------------------------------------------------------------------
def test_optimal_lambda_is_antisymmetric_and_has_the_derived_sign():
    s = np.array([2.5, 1.5, 0.5])
    a, b = noise.optimal_lambda(s, 5, 3), noise.optimal_lambda(s, 3, 5)
    assert a < 0 < b and a == pytest.approx(-b, abs=1e-12)
    assert noise.optimal_lambda(s, 4, 4) == pytest.approx(0.0, abs=1e-14)
    # the derivative vanishes there (eq 176), computed without the module: finite differences
    J = lambda x: np.sum(3 * (np.sqrt(s**2 + x**2 / 4) - x / 2)  # noqa: E731
                         + 5 * (np.sqrt(s**2 + x**2 / 4) + x / 2))
    assert (J(a + 1e-5) - J(a - 1e-5)) / 2e-5 == pytest.approx(0.0, abs=1e-8)


def test_variance_diagonal_factor_is_two_by_plain_monte_carlo():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((200000, 3))                      # a sum of 3 squares, σ = 1
    assert np.var(np.sum(x**2, axis=1)) == pytest.approx(2 * 3, rel=0.03)


def test_lecun_lambda_example_fig1C():
    assert init_tables.lecun_mean(40, 120, 250) == pytest.approx(250 / 120 - 1)
    assert init_tables.lecun_offdiag_sd(40, 120, 250) == pytest.approx(0.2058, abs=1e-4)


# ---------------------------------------------------------------------------------------------
# Claims: expected verdicts and mutations
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("cid", sorted(CLAIMS))
def test_claim_gets_its_expected_verdict(cid):
    claim = CLAIMS[cid]
    result = claim.run()
    expected = claim.expected or "verified"
    ok = result.verdict == expected or (expected == "verified" and result.verdict == "proved")
    assert ok, (cid, result.verdict, [(c["name"], c["verdict"], c["max_error"], c["detail"][:300])
                                      for c in result.checks])
    if claim.expected is None:
        kinds = {c["kind"]: c["verdict"] for c in result.checks}
        if "symbolic" in kinds:
            assert kinds["symbolic"] == "proved", (cid, kinds)


def test_errata_have_a_corrected_claim_that_passes():
    for cid, claim in CLAIMS.items():
        if claim.expected == "refuted":
            assert claim.corrected and claim.corrected_by in CLAIMS
            assert CLAIMS[claim.corrected_by].run().verdict in ("proved", "verified")


def test_printed_variance_claim_accepts_the_corrected_formula():
    """The erratum is the formula, not a broken check: fed the corrected B, it passes."""
    result = CLAIMS["domine2025.thmA.3.variance"].run(
        variance=init_tables.variance_entries_corrected)
    assert result.verdict == "proved"
    sym = [c for c in result.checks if c["kind"] == "symbolic"][0]
    assert sym["verdict"] == "proved"


def test_k_prose_is_refuted_by_glorot_only():
    """Only Glorot violates ∂λ/∂k < 0, and the counterexample is a genuine increase of λ."""
    refuted = CLAIMS["domine2025.appA.3.k-decreases"].run()
    sym = [c for c in refuted.checks if c["kind"] == "symbolic"][0]
    assert sym["verdict"] == "refuted"
    assert sym["counterexample"]["init"] == "Glorot"
    signs = sym["data"]["signs"]
    assert [k for k, v in signs.items() if not v.endswith("proved")] == ["Glorot"]
    r, k = (sp.Rational(sym["counterexample"][x]) for x in ("r", "k"))
    lam = init_tables.table2_lambda("Glorot")
    assert lam.subs({init_tables.R: r, init_tables.K: k * 2}) > \
        lam.subs({init_tables.R: r, init_tables.K: k})


def test_k_prose_erratum_rests_on_its_own_counterexample():
    """Removing the counterexample (Glorot's row replaced by LeCun's, which makes the printed
    prose true) must turn the erratum into an unexpected pass: no other step may refute it."""
    from lazyrich.engine._results import record_outcome
    claim = CLAIMS["domine2025.appA.3.k-decreases"]
    assert record_outcome(claim.run().as_dict()) == "erratum"

    def without_glorot(init):
        return init_tables.table2_lambda("LeCun" if init == "Glorot" else init)
    result = claim.run(lam=without_glorot)
    assert record_outcome(result.as_dict()) == "unexpected-pass", \
        [(c["name"], c["verdict"], c["detail"][:200]) for c in result.checks]


def test_variance_erratum_rests_on_its_own_counterexample():
    from lazyrich.engine._results import record_outcome
    claim = CLAIMS["domine2025.thmA.3.variance"]
    assert record_outcome(claim.run().as_dict()) == "erratum"
    fixed = claim.run(variance=init_tables.variance_entries_corrected)
    assert record_outcome(fixed.as_dict()) == "unexpected-pass"


def _table1_glorot_sign_flipped():
    t = init_tables.table1()
    lam, pref = t["Glorot"]
    t["Glorot"] = (-lam, pref)
    return t


def _table1_he_prefactor_halved():
    t = init_tables.table1()
    lam, pref = t["He"]
    t["He"] = (lam, pref / 2)
    return t


def _table2_lecun_plus_one():
    t = init_tables.table2()
    lam, pref = t["LeCun"]
    t["LeCun"] = (lam + 2, pref)
    return t


def _table3_with(init, column, value):
    def table():
        t = init_tables.table3()
        t[init][column] = value
        return t
    return table


def _bounds_with(init, bounds):
    def fn():
        b = init_tables.lecun_lambda_range()
        b[init] = bounds
        return b
    return fn


MUTATIONS = [
    ("domine2025.eq171", "loss", lambda L, w, s: L + s**2 * w),                     # factor ½
    ("domine2025.eq171", "loss", lambda L, w, s: L - s**2 / 2 * w),                 # sign
    ("domine2025.eq172", "loss", lambda c, st, s: c + s**2 * sum(x**2 for x in noise._modes(st))),
    ("domine2025.eq173", "loss", lambda L, a, b, s, ni, nh, no: L + s**2 / 2 * (no * a + ni * b)),
    ("domine2025.eq173", "loss",                                                  # N_i ↔ N_o
     lambda L, a, b, s, ni, nh, no: noise.param_noise_loss(L, a, b, s, no, nh, ni)),
    ("domine2025.eq173", "loss",                          # σ⁴ term right only for N_o = 2
     lambda L, a, b, s, ni, nh, no: noise.param_noise_loss(L, a, b, s, ni, nh, no)
     + s**4 / 2 * ni * nh * (2 - no)),
    ("domine2025.eq174", "norm2", noise.w2_norm2),                                 # ±λ/2 swapped
    ("domine2025.eq175", "norm2", lambda s, lam: 2 * noise.w2_norm2(s, lam)),
    ("domine2025.eq176", "derivative",
     lambda s, lam, ni, no: noise.robustness_derivative(s, lam, no, ni)),
    ("domine2025.eq177", "stationarity",                                            # root at 0.3
     lambda s, lam: noise.equal_dims_stationarity(s, lam - 0.3)),
    ("domine2025.eq177", "stationarity",                                            # λ/2 for λ²/4
     lambda s, lam: sum(lam / noise._sqrt(x**2 + lam**2 / 2) for x in noise._modes(s))),
    ("domine2025.eq177.sign", "sign", lambda ni, no: (ni > no) - (ni < no)),
    ("domine2025.thmA.3.mean", "mean", lambda n1, n3, v1, v2: (n3 * v2 + n1 * v1, 0)),
    ("domine2025.thmA.3.mean", "mean", lambda n1, n3, v1, v2: (n3 * v2 - n1 * v1, v2)),
    ("domine2025.thmA.3.variance", "variance", lambda n1, n3, v1, v2: (3 * n3 * v2**2, 0)),
    ("domine2025.thmA.3.variance.corrected", "variance", init_tables.variance_entries_printed),
    ("domine2025.thmA.3.variance.corrected", "variance",
     lambda n1, n3, v1, v2: (2 * (n3 * v2**2 + n1 * v1**2), 2 * (n3 * v2**2 + n1 * v1**2))),
    ("domine2025.tableA.1", "table", _table1_glorot_sign_flipped),
    ("domine2025.tableA.1", "table", _table1_he_prefactor_halved),
    ("domine2025.tableA.2", "table", _table2_lecun_plus_one),
    ("domine2025.tableA.3", "table", _table3_with("LeCun", "r->0", 0)),
    ("domine2025.tableA.3", "table", _table3_with("Glorot", "k->oo", 2)),
    ("domine2025.appA.3.r-increases", "lam", lambda init: -init_tables.table2_lambda(init)),
    ("domine2025.appA.3.k-decreases", "lam", lambda init: -init_tables.table2_lambda(init)),
    ("domine2025.appA.3.k-decreases.corrected", "glorot_dk",
     lambda r, k: -init_tables.glorot_dlambda_dk(r, k)),
    ("domine2025.appA.3.lambda-range", "bounds", _bounds_with("LeCun", (-2, sp.oo))),   # not sharp
    ("domine2025.appA.3.lambda-range", "bounds", _bounds_with("Glorot", (0, 2))),       # not strict
    ("domine2025.fig1C", "lam", lambda n1, n2, n3: n3 / n2),
    ("domine2025.fig1C", "offdiag_sd", lambda n1, n2, n3: 2 * math.sqrt(n3 / n2**2 + 1 / n1)),
    ("domine2025.fig1C", "offdiag_sd",                      # the diagonal's 2 in the variance
     lambda n1, n2, n3: init_tables.lecun_offdiag_sd(n1, n2, n3) * 2 ** 0.5),
    ("domine2025.fig1C", "lam", lambda n1, n2, n3: n3 / n2 - 1 + 1e-3),
]


def test_every_claim_has_a_mutation():
    assert set(CLAIMS) <= {cid for cid, _, _ in MUTATIONS}


@pytest.mark.parametrize("cid,name,wrong", MUTATIONS,
                         ids=[f"{c}:{n}:{i}" for i, (c, n, _) in enumerate(MUTATIONS)])
def test_wrong_formula_is_refuted(cid, name, wrong):
    result = CLAIMS[cid].run(**{name: wrong})
    assert result.verdict == "refuted", [(c["name"], c["verdict"], c["max_error"],
                                          c["detail"][:200]) for c in result.checks]
