"""derive._blocks (noncommutative block algebra) and derive._ode (does a candidate solve an ODE)."""

import random

import mpmath
import numpy as np
import pytest
import sympy as sp

from lazyrich import numerics
from lazyrich.derive import Derivation
from lazyrich.derive._blocks import (NCAlgebra, block_matrix, block_mul, block_transpose, evaluate,
                            evaluate_blocks, nc_expand, nc_factors, nc_step, nc_terms,
                            random_rational_matrix, rational_orthogonal, refute_with_matrices,
                            rewriter, scalar_sampler, substitute_product)
from lazyrich.derive._ode import (initial_residual, nc_derivative, nc_ode_residual, nc_ode_step,
                         ode_residual, ode_step)
from lazyrich.numerics import LazyrichError


@pytest.fixture
def alg():
    return NCAlgebra()


# ---- NCAlgebra -------------------------------------------------------------------------------

def test_transpose_reverses_products_and_keeps_scalars(alg):
    A, B = alg.matrices("A B")
    S, = alg.matrices("S", symmetric=True)
    lam = sp.Symbol("lam")
    AT, BT = alg.T(A), alg.T(B)
    assert str(AT) == "A^T" and alg.T(AT) == A
    assert alg.T(S) == S and alg.is_symmetric(S) and not alg.is_symmetric(A)
    assert alg.T(3 * lam * A * B * S) == 3 * lam * S * BT * AT
    assert alg.T(A + lam) == AT + lam
    assert alg.T((1 + A * B) ** -1) == (1 + BT * AT) ** -1
    assert alg.T(A ** 2 * B) == BT * AT ** 2


def test_transpose_agrees_with_numeric_transpose(alg, rng):
    A, B, C = alg.matrices("A B C")
    expr = A * B + 2 * C * alg.T(A) * (1 + A * alg.T(A)) ** -1
    vals = {A: rng.standard_normal((3, 3)), B: rng.standard_normal((3, 3)),
            C: rng.standard_normal((3, 3))}
    direct = evaluate(expr, vals, alg=alg)
    transposed = evaluate(alg.T(expr), vals, alg=alg)
    assert np.allclose(transposed, direct.T, atol=1e-12)


def test_block_transpose_via_alg(alg):
    A, B = alg.matrices("A B")
    M = block_matrix([[A, B], [0, 1]])
    assert alg.T(M) == block_matrix([[alg.T(A), 0], [alg.T(B), 1]])


def test_with_transposes_adds_transposed_rules(alg):
    A, F = alg.matrices("A F")
    rules = alg.with_transposes({A: F * A})
    assert rules[alg.T(A)] == alg.T(A) * alg.T(F)


@pytest.mark.parametrize("name", ["", "A B", "A^T", 3])
def test_bad_matrix_names_are_rejected(alg, name):
    with pytest.raises(LazyrichError, match="name"):
        alg.matrix(name)


def test_unknown_symbol_and_clashing_symmetry(alg):
    stranger = sp.Symbol("Z", commutative=False)
    with pytest.raises(LazyrichError, match="unknown to this NCAlgebra"):
        alg.T(stranger)
    alg.matrix("A")
    with pytest.raises(LazyrichError, match="already exists"):
        alg.matrix("A", symmetric=True)
    with pytest.raises(LazyrichError, match="transpose"):
        alg.T(sp.exp(alg.matrix("B")))


# ---- rewriting -------------------------------------------------------------------------------

def test_terms_unroll_powers(alg):
    A, B = alg.matrices("A B")
    c, f = nc_factors(3 * A ** 2 * B)
    assert c == 3 and f == [A, A, B]
    assert sorted(len(f) for _, f in nc_terms((A + B) * A)) == [2, 2]


def test_balance_substitution_matches_spec_bullets(alg):
    W1, W2 = alg.matrices("W1 W2")
    W1T, W2T = alg.T(W1), alg.T(W2)
    lam = sp.Symbol("lam")
    out = substitute_product(W1T * W2T * W2 * W1, W2T * W2, W1 * W1T + lam)
    assert out == sp.expand(W1T * W1 * W1T * W1 + lam * W1T * W1)
    # two occurrences inside a power are both rewritten
    out = substitute_product((W2T * W2) ** 2, W2T * W2, W1 * W1T + lam)
    assert out == sp.expand((W1 * W1T + lam) ** 2)
    # the order of factors matters: W2*W2T is not the pattern
    assert substitute_product(W2 * W2T, W2T * W2, lam) == W2 * W2T


def test_commutation_rewriter_reaches_normal_form(alg):
    E, F, Fi = alg.matrices("E F Fi", symmetric=True)
    move = rewriter([(E * F, F * E), (E * Fi, Fi * E), (F * Fi, 1), (Fi * F, 1)], name="c")
    assert move.__name__ == "c"
    assert move(E * Fi * F * E - E * E) == 0
    assert move(F * E * Fi * E) == E ** 2


def test_non_terminating_or_bad_rules_raise(alg):
    A, B = alg.matrices("A B")
    with pytest.raises(LazyrichError, match="fixed point"):
        rewriter([(A * B, B * A), (B * A, A * B)], max_rounds=5)(A * B)
    with pytest.raises(LazyrichError, match="pattern"):
        substitute_product(A, 2 * A * B, 1)
    with pytest.raises(LazyrichError, match="empty"):
        rewriter([])


# ---- block matrices and evaluation -------------------------------------------------------------

def test_block_product_matches_numeric_product(alg, rng):
    A, B, C, D, E = alg.matrices("A B C D E")
    lam = sp.Symbol("lam")
    X = block_matrix([[A, B], [C, lam]])
    Y = block_matrix([[D, 0], [alg.T(E), 2]])
    n1, n2 = 2, 3
    vals = {A: rng.standard_normal((n1, n1)), B: rng.standard_normal((n1, n2)),
            C: rng.standard_normal((n2, n1)), D: rng.standard_normal((n1, n1)),
            E: rng.standard_normal((n1, n2))}
    got = evaluate_blocks(block_mul(X, Y), vals, (n1, n2), alg=alg, scalars={lam: 0.7})
    want = evaluate_blocks(X, vals, (n1, n2), alg=alg, scalars={lam: 0.7}) @ \
        evaluate_blocks(Y, vals, (n1, n2), alg=alg)
    assert np.allclose(got, want, atol=1e-12)
    with pytest.raises(LazyrichError, match="conform"):
        block_mul(X, block_matrix([[A, B, C]]))
    with pytest.raises(LazyrichError, match="at least two"):
        block_mul(X)


def test_block_transpose_and_expand(alg):
    A, B = alg.matrices("A B")
    M = block_matrix([[A * (B + 1), B]])
    want = sp.ImmutableMatrix([[alg.T(B) * alg.T(A) + alg.T(A)], [alg.T(B)]])
    assert nc_expand(block_transpose(M, alg)) == want
    assert nc_expand(M)[0, 0] == A * B + A


def test_f_blocks_assemble_to_numerics_f_matrix(alg, rng):
    S, = alg.matrices("S")
    lam = sp.Symbol("lam")
    Sv = rng.standard_normal((2, 4))
    F = evaluate_blocks([[-lam / 2, alg.T(S)], [S, lam / 2]], {S: Sv}, (4, 2), alg=alg,
                        scalars={lam: -1.3})
    assert np.array_equal(F, numerics.f_matrix(Sv, -1.3))


def test_evaluate_in_three_backends(alg, rng):
    A, B = alg.matrices("A B")
    expr = A * (1 + alg.T(B) * B) ** -1 * alg.T(A) - sp.Rational(1, 3)
    a, b = rng.standard_normal((3, 2)), rng.standard_normal((4, 2))
    want = a @ np.linalg.inv(np.eye(2) + b.T @ b) @ a.T - np.eye(3) / 3
    assert np.allclose(evaluate(expr, {A: a, B: b}, alg=alg), want, atol=1e-13)
    with mpmath.workdps(30):
        got = evaluate(expr, {A: mpmath.matrix(a.tolist()), B: mpmath.matrix(b.tolist())},
                       alg=alg)
        assert float(mpmath.mnorm(got - mpmath.matrix(want.tolist()), 1)) < 1e-13
    exact = evaluate(expr, {A: sp.Matrix([[1, 2]]), B: sp.Matrix([[0, 1]])}, alg=alg)
    # (I + BᵀB)⁻¹ = diag(1, 1/2): A(...)Aᵀ = 1·1·1 + 2·(1/2)·2 = 3
    assert exact == sp.Matrix([[3 - sp.Rational(1, 3)]])


def test_evaluate_bad_input(alg):
    A, B = alg.matrices("A B")
    with pytest.raises(LazyrichError, match="no value"):
        evaluate(A * B, {A: np.eye(2)})
    with pytest.raises(LazyrichError, match="size"):
        evaluate(sp.Integer(2), {A: np.eye(2)})
    with pytest.raises(LazyrichError, match="kinds"):
        evaluate(A * B, {A: np.eye(2), B: sp.eye(2)})
    with pytest.raises(LazyrichError, match="scalars"):
        evaluate(A + sp.Symbol("lam"), {A: np.eye(2)})
    with pytest.raises(LazyrichError, match="off the diagonal"):
        evaluate_blocks([[A, 1], [1, A]], {A: np.eye(2)}, (2, 2))
    with pytest.raises(LazyrichError, match="grid"):
        evaluate_blocks([[A]], {A: np.eye(2)}, (2, 2))


# ---- sampling and matrix refutations -----------------------------------------------------------

def test_scalar_sampler_respects_transposes_and_constraints(alg):
    W1, W2 = alg.matrices("W1 W2")
    lam = sp.Symbol("lam")
    sampler = scalar_sampler(alg, [W1, W2, lam],
                             constraints=lambda p: {lam: p[W2] ** 2 - p[W1] ** 2})
    p = sampler(random.Random(3))
    assert p[alg.T(W1)] == p[W1] and p[alg.T(W2)] == p[W2]
    assert p[lam] == p[W2] ** 2 - p[W1] ** 2


def test_rational_matrices():
    rng = random.Random(1)
    O = rational_orthogonal(rng, 3)
    assert O * O.T == sp.eye(3) and all(x.is_Rational for x in O)
    Sym = random_rational_matrix(rng, 3, 3, symmetric=True)
    assert Sym == Sym.T
    with pytest.raises(LazyrichError, match="square"):
        random_rational_matrix(rng, 2, 3, symmetric=True)


def test_commutator_needs_matrix_points(alg):
    A, B = alg.matrices("A B")

    def points(rng):
        return {A: random_rational_matrix(rng, 2, 2), B: random_rational_matrix(rng, 2, 2)}, {}

    assert refute_with_matrices(A * B - A * B, points, alg=alg) is None
    found = refute_with_matrices(A * B - B * A, points, alg=alg)
    assert found is not None and found[1] > 0
    d = Derivation("commutator")
    plain = d.step(A * B, B * A, "AB = BA?", moves=(nc_expand,))
    assert plain.verdict == "inconclusive"           # 1×1 points commute: no verdict
    strong = nc_step(d, A * B, B * A, "AB = BA?", matrix_sampler=points, alg=alg)
    assert strong.verdict == "refuted" and "2×2" in strong.detail
    assert nc_step(d, A * B + A, A * (B + 1), "distributivity").verdict == "proved"
    with pytest.raises(LazyrichError, match="alg"):
        nc_step(d, A, B, "x", matrix_sampler=points)


# ---- derive._ode -----------------------------------------------------------------------------

def test_nc_derivative_rules(alg):
    A, B, DA, DB = alg.matrices("A B DA DB")
    rules = {A: DA, B: DB}
    assert nc_expand(nc_derivative(A * B, rules)) == DA * B + A * DB
    assert nc_expand(nc_derivative(A ** 2, rules)) == DA * A + A * DA
    assert nc_expand(nc_derivative(A ** -1, rules)) == -A ** -1 * DA * A ** -1
    s = sp.Symbol("s")
    assert nc_expand(nc_derivative(s ** 2 * A, {s: 1, A: DA})) == 2 * s * A + s ** 2 * DA
    assert nc_derivative(sp.Integer(3) + B, {A: DA}) == 0


def test_nc_derivative_agrees_with_finite_differences(alg, rng):
    """A(t) = A0 + t A1, B(t) = B0 + t B1: the derivative of (I + AB)⁻¹A from the rules vs a
    central difference of the evaluated expression."""
    A, B, A1, B1 = alg.matrices("A B A1 B1")
    expr = (1 + A * B) ** -1 * A * alg.T(B)
    deriv = nc_derivative(expr, alg.with_transposes({A: A1, B: B1}))
    a0, a1 = 0.3 * rng.standard_normal((3, 3)), rng.standard_normal((3, 3))
    b0, b1 = 0.3 * rng.standard_normal((3, 3)), rng.standard_normal((3, 3))
    h = 1e-6
    vals = lambda t: {A: a0 + t * a1, B: b0 + t * b1, A1: a1, B1: b1}
    fd = (evaluate(expr, vals(h), alg=alg) - evaluate(expr, vals(-h), alg=alg)) / (2 * h)
    assert np.allclose(evaluate(deriv, vals(0.0), alg=alg), fd, atol=1e-8)


def test_nc_ode_residual_riccati(alg):
    X, F = alg.matrices("X F", symmetric=True)
    M, = alg.matrices("M", symmetric=True)
    Y, = alg.matrices("Y")
    tau = sp.Symbol("tau", positive=True)
    rules = alg.with_transposes({Y: F * Y / tau, M: alg.T(Y) * Y / tau})
    cand = Y * M ** -1 * alg.T(Y)
    riccati = lambda Z: F * Z + Z * F - Z * Z
    assert nc_ode_residual(cand, rules, riccati, lhs_factor=tau) == 0
    assert nc_ode_residual(cand, rules, riccati, lhs_factor=2 * tau) != 0
    d = Derivation("riccati")
    assert nc_ode_step(d, cand, rules, riccati, lhs_factor=tau).verdict == "proved"
    bad = nc_ode_step(d, cand, {Y: F * Y / tau}, riccati, lhs_factor=tau)  # M' forgotten
    assert bad.verdict != "proved"


def test_scalar_and_matrix_ode_residuals():
    t, s, a = sp.symbols("t s a", positive=True)
    logistic = 1 / (1 + sp.exp(-t))
    assert sp.simplify(ode_residual(logistic, t, lambda x: x * (1 - x))) == 0
    assert sp.simplify(ode_residual(sp.exp(2 * t), t, lambda x: x)) != 0
    A = sp.Matrix([[a, 1], [0, a]])
    cand = sp.Matrix([[sp.exp(a * t), t * sp.exp(a * t)], [0, sp.exp(a * t)]])   # e^{At}
    assert sp.simplify(ode_residual(cand, t, lambda X: A * X)) == sp.zeros(2, 2)
    assert initial_residual(cand, {t: 0}, sp.eye(2)) == sp.zeros(2, 2)
    d = Derivation("scalar")
    assert ode_step(d, logistic, t, lambda x: x * (1 - x)).verdict == "proved"
    assert ode_step(d, sp.exp(3 * t), t, lambda x: 2 * x).verdict == "refuted"


def test_ode_bad_input(alg):
    A, = alg.matrices("A")
    with pytest.raises(LazyrichError, match="mapping"):
        nc_derivative(A, [A])
    with pytest.raises(LazyrichError, match="differentiate"):
        nc_derivative(sp.exp(A), {A: A})
    with pytest.raises(LazyrichError, match="Symbol"):
        ode_residual(sp.Integer(1), "t", 0)
    with pytest.raises(LazyrichError, match="mapping"):
        initial_residual(A, [0], 0)


# ---- shapes ----------------------------------------------------------------------------------

from lazyrich.derive._blocks import (NCMatrix, block_identity, diagonal_groups, nc_inverse,
                                     normalizer, shape_refutation, shaped_sampler)


def test_shapes_propagate_and_refuse_non_conformable_expressions(alg):
    W1 = alg.matrix("W1", shape=("N_h", "N_i"))
    W2 = alg.matrix("W2", shape=("N_o", "N_h"))
    Ni, Nh, No = (alg.dim(x) for x in ("N_i", "N_h", "N_o"))
    assert alg.shape(alg.T(W1)) == (Ni, Nh)
    assert alg.shape_of(W2 * W1) == (No, Ni)
    assert alg.shape_of(alg.T(W1) * W1 + 3) == (Ni, Ni)           # scalar = multiple of I
    assert alg.shape_of(sp.Symbol("lam") * W2 * W1) == (No, Ni)
    assert alg.shape_of(5) is None
    assert alg.sizes == {Ni, Nh, No}
    with pytest.raises(LazyrichError, match="non-conformable"):
        alg.shape_of(W1 * W2)                                     # N_i ≠ N_o as symbols
    with pytest.raises(LazyrichError, match="differently shaped"):
        alg.shape_of(W2 * W1 + alg.T(W1) * W1)
    with pytest.raises(LazyrichError, match="non-square"):
        alg.shape_of(W2 * W1 + 1)
    with pytest.raises(LazyrichError, match="non-square"):
        alg.shape_of((W2 * W1) ** 2)
    with pytest.raises(LazyrichError, match="different shapes"):
        alg.check_shapes(W2 * W1, alg.T(W1) * W1)
    # expansion would split (W2W1)⁻¹ into W1⁻¹W2⁻¹: refused for non-square factors
    with pytest.raises(LazyrichError, match="non-square factor"):
        alg.shape_of(sp.Pow(W1 * alg.T(W1), -1) * sp.Pow(alg.T(W2) * W2 * W1 * alg.T(W1), -1,
                                                          evaluate=False))
    # unshaped symbols conform with anything (the behaviour of unshaped algebras)
    A = alg.matrix("A")
    assert alg.shape_of(W2 * A * W1) == (No, Ni)


def test_shape_declarations_are_validated(alg):
    alg.matrix("S", symmetric=True, shape=(3, 3))
    with pytest.raises(LazyrichError, match="not square"):
        alg.matrix("T", symmetric=True, shape=(2, 3))
    with pytest.raises(LazyrichError, match="one shape per name"):
        alg.matrix("S", symmetric=True, shape=(2, 2))
    for bad in [(1,), ("a b", 2), (-1, 2), (True, 2), (1.5, 2)]:
        with pytest.raises(LazyrichError):
            alg.matrix("U", shape=bad)
    n, k = sp.symbols("n k", integer=True, positive=True)
    V = alg.matrix("V", shape=(n + k, n))
    assert alg.shape(alg.T(V)) == (n, n + k)


def test_diagonal_symbols_commute_and_inverses_cancel(alg):
    U = alg.matrix("U", shape=("N_o", "N_m"))
    G, H, X = alg.diagonal("G H X", size="N_m")
    assert alg.is_diagonal(G) and alg.is_diagonal(X ** -1) and not alg.is_diagonal(U)
    assert alg.T(G) == G
    norm = normalizer(alg, [(alg.T(U) * U, 1)], name="UᵀU = I")
    assert norm(U * H * G * X * X ** -1 - U * G * H) == 0
    assert norm(alg.T(U) * U * G * alg.T(U) * U * H - H * G) == 0
    # a non-diagonal factor between two diagonal runs keeps them apart
    assert norm(G * alg.T(U) * U * H) == norm(H * G)
    assert norm(G * alg.T(U) * H) != norm(H * alg.T(U) * G)
    assert norm.__name__ == "UᵀU = I"


def test_diagonal_groups_read_each_run_per_mode(alg):
    U, V = alg.matrix("U", shape=("N_o", "N_m")), alg.matrix("V", shape=("N_i", "N_m"))
    G, H = alg.diagonal("G H", size="N_m")
    g, h, lam = sp.symbols("g h lam")
    expr = sp.expand(U * G * H - lam * U * G + 2 * V * G + 1 - H * H)
    groups = {grp.word: grp for grp in diagonal_groups(expr, alg, {G: g, H: h})}
    assert sp.expand(groups[(U,)].coefficient - (g * h - lam * g)) == 0
    assert groups[(U,)].position == 1 and not groups[(U,)].several
    assert sp.expand(groups[(V,)].coefficient - 2 * g) == 0
    assert sp.expand(groups[()].coefficient - (1 - h ** 2)) == 0
    several = diagonal_groups(G * alg.T(U) * U * H, alg, {G: g, H: h})
    assert len(several) == 1 and several[0].several and several[0].coefficient is None
    with pytest.raises(LazyrichError, match="scalar_of"):
        diagonal_groups(U * G, alg, {H: h})


def test_ncmatrix_evaluates_numpy_style_formulas_symbolically(alg):
    U = alg.matrix("U", shape=("N_o", "N_m"))
    S, = alg.diagonal("S", size="N_m")
    B = alg.matrix("B", shape=("N_h", "N_m"))
    u, s, b = NCMatrix(U, alg), NCMatrix(S, alg), NCMatrix(B, alg)

    def formula(u, s, b, eye, inv):      # written for numpy arrays
        return u @ (s @ s - eye(s.shape[0])) @ inv(4 * s) @ b.T / 2 - u @ b.T

    out = formula(u, s, b, lambda n: NCMatrix(1, alg, (n, n)), lambda m: m.inv())
    assert out.shape == (alg.dim("N_o"), alg.dim("N_h"))
    assert sp.expand(out.expr - (U * (S * S - 1) * S ** -1 * alg.T(B) / 8 - U * alg.T(B))) == 0
    assert (-u).expr == -U and (2 * u).expr == 2 * U and (u.T).shape == (alg.dim("N_m"),
                                                                          alg.dim("N_o"))
    with pytest.raises(LazyrichError, match="non-conformable"):
        u @ u
    with pytest.raises(LazyrichError, match="non-square"):
        u.inv()
    with pytest.raises(LazyrichError, match="only for scalars"):
        u * u
    assert nc_inverse(3 * S) == S ** -1 / 3 and nc_inverse(sp.Integer(2)) == sp.Rational(1, 2)


def test_shaped_sampler_draws_declared_shapes_and_constraints(alg):
    W1 = alg.matrix("W1", shape=("N_h", "N_i"))
    u = alg.matrix("u", shape=("n", 1))
    L, J = alg.diagonal("L J", size="p")
    lam = sp.Symbol("lam", positive=True)
    sampler = shaped_sampler(alg, [W1, u, L, J], sizes={"n": 5}, scalars=[lam],
                             constraints=lambda m, v: {J: m[L] * 2, lam: sp.Integer(7)},
                             size_range=(2, 4))
    mats, vals = sampler(random.Random(3))
    assert mats[u].shape == (5, 1) and 2 <= mats[W1].rows <= 4
    assert mats[L].is_diagonal() and all(mats[L][i, i] != 0 for i in range(mats[L].rows))
    assert mats[J] == 2 * mats[L] and vals[lam] == 7
    with pytest.raises(LazyrichError, match="no shape"):
        shaped_sampler(alg, [alg.matrix("free")])


def test_shapes_let_a_correct_step_with_a_column_and_a_1x1_factor_pass(alg):
    """A 1×1 factor s and an n×1 column u: u s uᵀu = u uᵀu s holds (s and uᵀu are 1×1, so they
    commute). Read as 2×2 matrices it is false; with shapes the refutation draws s 1×1 and u
    n×1 and finds nothing (the step stays inconclusive: 1×1 commutation is not a rule here)."""
    u = alg.matrix("u", shape=("n", 1))
    s = alg.matrix("s", shape=(1, 1))
    lhs, rhs = u * s * alg.T(u) * u, u * alg.T(u) * u * s
    d = Derivation("1×1 factors")
    step = nc_step(d, lhs, rhs, "s and uᵀu are 1×1", alg=alg, matrix_sampler="shapes")
    assert step.verdict == "inconclusive"
    two = lambda rng: ({u: random_rational_matrix(rng, 2, 2), s: random_rational_matrix(rng, 2, 2)},
                       {})
    with pytest.raises(LazyrichError, match="does not fit|already"):
        refute_with_matrices([lhs - rhs], two, alg=alg)          # 2×2 points do not fit shapes
    # the commutation as a rule proves it
    d2 = Derivation("1×1 factors, with the rule")
    rule = rewriter([(s * alg.T(u) * u, alg.T(u) * u * s)])
    assert nc_step(d2, lhs, rhs, "rule", alg=alg, moves=(rule,)).verdict == "proved"
    # and a genuinely wrong step of the same shapes is refuted at shaped points
    d3 = Derivation("wrong")
    bad = nc_step(d3, lhs, 2 * rhs, "wrong", alg=alg, matrix_sampler="shapes",
                  moves=(rule,))
    assert bad.verdict == "refuted"


def test_a_relation_not_defined_for_every_size_is_refuted(alg):
    W1 = alg.matrix("W1", shape=("N_h", "N_i"))
    W2 = alg.matrix("W2", shape=("N_o", "N_h"))
    d = Derivation("shapes")
    step = nc_step(d, W1 * W2, W1 * W2, "W1W2 only exists when N_i = N_o", alg=alg)
    assert step.verdict == "refuted" and "not defined for every size" in step.detail
    assert "N_i" in step.counterexample["shapes"]
    assert shape_refutation(d, W2 * W1, W2 * W1, "fine", alg) is None
    ode = nc_ode_step(d, W1 * W2, {W1: W1}, lambda X: X, alg=alg)
    assert ode.verdict == "refuted"
    with pytest.raises(LazyrichError, match="'shapes'"):
        nc_step(d, W2 * W1, W2 * W1, "x", alg=NCAlgebra(), matrix_sampler="shapes")


def test_block_identity():
    assert block_identity(2) == block_matrix([[1, 0], [0, 1]])
    with pytest.raises(LazyrichError):
        block_identity(0)
