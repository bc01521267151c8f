"""Eqs (4)-(5): the representational similarity matrices and the finite-width NTK.

* eq (4): RSM_I = Xᵀ W1ᵀW1 X and RSM_O = Yᵀ(W2W2ᵀ)⁺Y = (W2⁺Y)ᵀ(W2⁺Y);
* eq (5) / (140): NTK = I_{N_o} ⊗ XᵀW1ᵀW1X + W2W2ᵀ ⊗ XᵀX = JJᵀ, J the Jacobian of
  vec(W2W1X) (row-major: output i outer, sample p inner) with respect to (W1, W2).
"""

from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp

from lazyrich import numerics
from lazyrich.derive import (Derivation, NCAlgebra, block_matrix, nc_expand, nc_terms,
                             rewriter)
from lazyrich.derive._series import together_expand
from lazyrich import Claim, Evidence, Scope, Source


def _is_sym(M):
    return isinstance(M, sp.MatrixBase)


def rsm_in_printed(W1, X):
    """RSM_I = Xᵀ W1ᵀW1 X (eq 4)."""
    return X.T * W1.T * W1 * X if _is_sym(W1) else X.T @ W1.T @ W1 @ X


def rsm_out_printed(W2, Y, pinv):
    """RSM_O = Yᵀ (W2W2ᵀ)⁺ Y (eq 4); ``pinv`` is the pseudo-inverse to use (NumPy, mpmath or
    a verified SymPy one)."""
    return Y.T * pinv(W2 * W2.T) * Y if _is_sym(W2) else Y.T @ pinv(W2 @ W2.T) @ Y


def ntk_printed(W1, W2, X):
    """NTK = I_{N_o} ⊗ XᵀW1ᵀW1X + W2W2ᵀ ⊗ XᵀX (eq 5), for SymPy or NumPy (object) arrays."""
    if _is_sym(W1):
        from sympy.physics.quantum import TensorProduct
        return TensorProduct(sp.eye(W2.shape[0]), X.T * W1.T * W1 * X) + \
            TensorProduct(W2 * W2.T, X.T * X)
    H = W1 @ X
    return np.kron(np.eye(W2.shape[0], dtype=W1.dtype), H.T @ H) + np.kron(W2 @ W2.T, X.T @ X)


def _generic(name, rows, cols):
    return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"{name}{i}{j}", real=True))


def _full_rank_pinv(M):
    """The Moore-Penrose inverse of a full-rank SymPy matrix (column or row full rank)."""
    if M.shape[0] >= M.shape[1]:
        return (M.T * M).inv() * M.T
    return M.T * (M * M.T).inv()


def _record_penrose(d, M, P, name):
    """The four Penrose conditions: P is THE pseudo-inverse of M (it is unique)."""
    for lhs, rhs, why in ((M * P * M, M, "MPM = M"), (P * M * P, P, "PMP = P"),
                          ((M * P).T, M * P, "(MP)ᵀ = MP"), ((P * M).T, P * M, "(PM)ᵀ = PM")):
        d.step(lhs, rhs, f"{name}: Penrose condition {why}", moves=(together_expand,))


eq4 = Claim(
    id="domine2025.eq4",
    title="RSMs: RSM_I = XᵀW1ᵀW1X, RSM_O = Yᵀ(W2W2ᵀ)⁺Y = (W2⁺Y)ᵀ(W2⁺Y)",
    source=Source("domine2025", "eq (4)", "§3"),
    statement=r"\mathrm{RSM}_I=X^\top W_1^\top W_1X,\quad \mathrm{RSM}_O=Y^\top(W_2W_2^\top)^+Y"
              r"=(W_2^+Y)^\top(W_2^+Y)",
    scope="any W1 (N_h × N_i), W2 (N_o × N_h), X (N_i × P), Y (N_o × P), any rank",
    assumptions=("any W1, W2, X, Y of composable shapes",),
    formulas={"rsm_in": rsm_in_printed, "rsm_out": rsm_out_printed},
    notes="The identity with (W2⁺Y)ᵀ(W2⁺Y) is (A⁺)ᵀA⁺ = (AAᵀ)⁺, proved for matrices of any "
          "size and rank from the four Penrose conditions (noncommutative symbols, the "
          "formulas read on SymPy matrix symbols of symbolic size); checked numerically "
          "(float64 and 50 digits) for rank-deficient W2 of shapes up to 4×3.",
    equivalent_mutants={
        "rsm_in: W1 → −W1": "RSM_I = (W1X)ᵀ(W1X) depends on W1 only through W1ᵀW1 (a step of "
                            "rsm_identities)",
        "rsm_in: X → −X": "RSM_I = XᵀMX is even in X (same step)",
        "rsm_out: W2 → −W2": "RSM_O depends on W2 only through W2W2ᵀ (same step)",
        "rsm_out: Y → −Y": "RSM_O = YᵀMY is even in Y (same step)",
    },
)


def _nc_of(expr, alg):
    """A SymPy matrix expression (MatrixSymbol, Transpose, MatMul, MatAdd, MatPow, Inverse,
    Identity, ZeroMatrix, scalar factors) as a noncommutative expression in ``alg``'s symbols
    (one per MatrixSymbol name), so that rewrite rules apply to it."""
    from sympy.matrices import expressions as me
    expr = sp.sympify(expr)
    if isinstance(expr, me.MatrixSymbol):
        sym = sp.Symbol(str(expr.name), commutative=False)
        return sym if sym in alg.transposes else alg.matrix(str(expr.name))
    if isinstance(expr, me.Transpose):
        return alg.T(_nc_of(expr.arg, alg))
    if isinstance(expr, me.MatMul):
        return sp.Mul(*(_nc_of(a, alg) for a in expr.args))
    if isinstance(expr, me.MatAdd):
        return sp.Add(*(_nc_of(a, alg) for a in expr.args))
    if isinstance(expr, me.MatPow):
        return _nc_of(expr.base, alg) ** expr.exp
    if isinstance(expr, me.Inverse):
        return _nc_of(expr.arg, alg) ** -1
    if isinstance(expr, me.Identity):
        return sp.S.One
    if isinstance(expr, me.ZeroMatrix):
        return sp.S.Zero
    if isinstance(expr, me.MatrixExpr):
        raise TypeError(f"no noncommutative form for {type(expr).__name__} ({expr})")
    return expr


@eq4.check("symbolic", precision="exact (SymPy): matrix symbols of symbolic size, "
                                  "noncommutative rewriting",
           justification="the formulas are read on SymPy MatrixSymbols of unspecified size; "
                          "the four Penrose conditions of W2⁺ (premises) as rewrite rules; "
                          "every identity reduced to exactly 0; the pseudo-inverse is unique "
                          "(Penrose 1955)")
def rsm_identities(f):
    """For W2 of any size and rank with Moore–Penrose inverse P (W2PW2 = W2, PW2P = P, W2P and
    PW2 symmetric): Q = PᵀP satisfies the four Penrose conditions for G = W2W2ᵀ, so
    (W2W2ᵀ)⁺ = PᵀP and the printed RSM_O = Yᵀ(W2W2ᵀ)⁺Y = (PY)ᵀ(PY) = (W2⁺Y)ᵀ(W2⁺Y);
    RSM_I = XᵀW1ᵀW1X = (W1X)ᵀ(W1X)."""
    d = Derivation("eq (4): RSM_O = (W2⁺Y)ᵀ(W2⁺Y) and RSM_I = (W1X)ᵀ(W1X), any size and rank")
    n_i, n_h, n_o, n_p = sp.symbols("N_i N_h N_o P", integer=True, positive=True)
    W1m, W2m = sp.MatrixSymbol("W1", n_h, n_i), sp.MatrixSymbol("W2", n_o, n_h)
    Xm, Ym = sp.MatrixSymbol("X", n_i, n_p), sp.MatrixSymbol("Y", n_o, n_p)
    Gp = sp.MatrixSymbol("G_plus", n_o, n_o)
    alg = NCAlgebra()
    W2, P = alg.matrix("W2"), alg.matrix("P")
    Gplus = alg.matrix("G_plus", symmetric=True)
    W2T, PT = alg.T(W2), alg.T(P)

    def pinv(M):
        """(c W2W2ᵀ)⁺ = G⁺/c, with G⁺ = (W2W2ᵀ)⁺ the symbol this derivation identifies."""
        terms = nc_terms(_nc_of(M, alg))
        if len(terms) != 1 or terms[0][1] != [W2, W2T] or terms[0][0] == 0:
            raise ValueError(f"the symbolic pseudo-inverse is defined here for c·W2W2ᵀ only; "
                             f"got {M}")
        return Gp * (1 / terms[0][0])

    basic = [(W2 * P * W2, W2), (P * W2 * P, P), (PT * W2T, W2 * P), (W2T * PT, P * W2)]
    d.given(sp.Symbol("W_2^+"), P, "Moore–Penrose inverse: W2PW2 = W2, PW2P = P, (W2P)ᵀ = W2P, "
            "(PW2)ᵀ = PW2 (used as rewrite rules; it exists for every W2)")
    d.step(P * W2 * W2T, alg.T(W2 * P * W2), "PW2W2ᵀ = (W2PW2)ᵀ = W2ᵀ (PW2 is symmetric), and "
           "its transpose W2W2ᵀPᵀ = W2",
           moves=(nc_expand, rewriter([(W2T * PT, P * W2)], name="W2ᵀPᵀ = (PW2)ᵀ = PW2")))
    penrose = rewriter(basic + [(P * W2 * W2T, W2T), (W2 * W2T * PT, W2)],
                       name="Penrose conditions of W2⁺ and PW2W2ᵀ = W2ᵀ")
    G, Q = W2 * W2T, PT * P
    for lhs, rhs, why in ((G * Q * G, G, "GQG = G"), (Q * G * Q, Q, "QGQ = Q"),
                          (alg.T(G * Q), G * Q, "(GQ)ᵀ = GQ"), (alg.T(Q * G), Q * G,
                                                              "(QG)ᵀ = QG")):
        d.step(lhs, rhs, f"G = W2W2ᵀ, Q = PᵀP: Penrose condition {why}",
               moves=(nc_expand, penrose))
    d.given(Gplus, Q, "the Moore–Penrose inverse is unique, so (W2W2ᵀ)⁺ = PᵀP = (W2⁺)ᵀW2⁺")
    out = _nc_of(f.rsm_out(W2m, Ym, pinv), alg).subs(Gplus, Q)
    Y = alg.matrix("Y")
    d.step(out, alg.T(P * Y) * (P * Y), "the printed RSM_O = Yᵀ(W2W2ᵀ)⁺Y equals (W2⁺Y)ᵀ(W2⁺Y)",
           moves=(nc_expand,))
    W1, X = alg.matrix("W1"), alg.matrix("X")
    d.step(_nc_of(f.rsm_in(W1m, Xm), alg), alg.T(W1 * X) * (W1 * X),
           "the printed RSM_I = XᵀW1ᵀW1X equals (W1X)ᵀ(W1X), the Gram matrix of the hidden "
           "representations", moves=(nc_expand,))
    d.step(block_matrix([[_nc_of(f.rsm_in(-W1m, Xm), alg), _nc_of(f.rsm_in(W1m, -Xm), alg),
                          _nc_of(f.rsm_out(-W2m, Ym, pinv), alg).subs(Gplus, Q),
                          _nc_of(f.rsm_out(W2m, -Ym, pinv), alg).subs(Gplus, Q)]]),
           block_matrix([[alg.T(W1 * X) * (W1 * X)] * 2 + [alg.T(P * Y) * (P * Y)] * 2]),
           "a sign flip of W1, X, W2 or Y leaves both RSMs unchanged: they are Gram matrices "
           "(W1X)ᵀ(W1X), (W2⁺Y)ᵀ(W2⁺Y), and (−W2)⁺ = −W2⁺", moves=(nc_expand,))
    return d.evidence(scope=Scope.full(
        "W1, W2, X, Y of any composable sizes (SymPy MatrixSymbols of symbolic size) and any "
        "rank of W2 (only the Penrose conditions are used)"))


def _pinv_mp(M):
    """Moore-Penrose inverse of an object array of mpf via mpmath's SVD (cut at 1e-30·σ_max)."""
    Um, Sm, Vm = mpmath.svd_r(mpmath.matrix(M.tolist()))
    n = sum(1 for i in range(len(Sm)) if Sm[i] > mpmath.mpf(10)**-30 * Sm[0])
    out = mpmath.zeros(Vm.cols, Um.rows)
    for i in range(n):
        out += (Vm[i, :].T * Um[:, i].T) / Sm[i]
    return np.array(out.tolist(), dtype=object)


@eq4.check("numeric", tolerance=1e-12,
           precision="float64 (numpy.linalg.pinv, numerics.representations) and 50 digits",
           justification="pinv via SVD is backward stable: relative error ~κ(W2)²·1e-16 ≲ 1e-13 "
                         "for the well-conditioned (κ ≤ 10) draws used; at 50 digits the "
                         "(rank-deficient) identity holds to ~1e-45, scaled by 1e30")
def rsm_numerically(f):
    rng = np.random.default_rng(4)
    w64, w50 = 0.0, 0.0
    # (N_i, N_h, N_o, rank of W2, P); in the square case every matrix is 3×3, so a transposed
    # or swapped argument is a different, wrong input
    for n_i, n_h, n_o, rank, n_p in ((3, 2, 4, 2, 5), (4, 3, 2, 2, 5), (3, 3, 3, 2, 3),
                                     (2, 3, 3, 3, 5)):
        W1 = rng.standard_normal((n_h, n_i))
        while True:              # a well-conditioned rank-r W2 (κ ≤ 10), as the tolerance assumes
            F1, F2 = rng.standard_normal((n_o, rank)), rng.standard_normal((rank, n_h))
            sv = np.linalg.svd(F1 @ F2, compute_uv=False)
            if sv[0] <= 10 * sv[rank - 1]:
                break
        W2 = F1 @ F2
        X, Y = rng.standard_normal((n_i, n_p)), rng.standard_normal((n_o, n_p))
        rin, rout = numerics.representations(W1, W2, X, Y)
        got_out = f.rsm_out(W2, Y, lambda M: np.linalg.pinv(M, rcond=1e-12))
        Z = np.linalg.pinv(W2) @ Y
        w64 = max(w64, float(np.max(np.abs(got_out - rout)) / np.max(np.abs(rout))),
                  float(np.max(np.abs(got_out - Z.T @ Z)) / np.max(np.abs(rout))),
                  float(np.max(np.abs(f.rsm_in(W1, X) - rin)) / np.max(np.abs(rin))))
        with mpmath.workdps(50):
            W2m = mpmath.matrix(F1.tolist()) * mpmath.matrix(F2.tolist())   # rank exact to 1e-50
            W2o = np.array(W2m.tolist(), dtype=object)
            Yo = np.array(mpmath.matrix(Y.tolist()).tolist(), dtype=object)
            got = f.rsm_out(W2o, Yo, _pinv_mp)
            Zm = _pinv_mp(W2o) @ Yo
            w50 = max(w50, float(np.max(np.abs(got - Zm.T @ Zm))) / float(np.max(np.abs(got))))
    return Evidence(max_error=max(w64, w50 * 1e30),
                    detail=f"4 shapes incl. rank-deficient W2 (one all 3×3): float64 vs "
                           f"numerics.representations "
                           f"and (W2⁺Y)ᵀ(W2⁺Y): {w64:.1e}; 50 digits: {w50:.1e}")


eq5 = Claim(
    id="domine2025.eq5",
    title="NTK = I ⊗ XᵀW1ᵀW1X + W2W2ᵀ ⊗ XᵀX equals JJᵀ of the Jacobian of vec(W2W1X)",
    source=Source("domine2025", "eq (5) (= eq 140)", "§3, App. C"),
    statement=r"\mathrm{NTK}=I_{N_o}\otimes X^\top W_1^\top W_1X+W_2W_2^\top\otimes X^\top X"
              r"=JJ^\top,\ J=\partial\,\mathrm{vec}(W_2W_1X)/\partial(W_1,W_2)",
    scope="any N_i, N_h, N_o and number of samples P; any W1, W2, X; row/column index "
          "(output i, sample p) with i outer",
    assumptions=("index (output i, sample p), i outer",),
    formulas={"ntk": ntk_printed},
    equivalent_mutants={
        "ntk: W1 → −W1": "the NTK depends on W1 only through W1ᵀW1: a sign flip of W1 flips "
                         "columns of J, not JJᵀ (a step of ntk_exact_at_fixed_sizes)",
        "ntk: W2 → −W2": "the NTK depends on W2 only through W2W2ᵀ (same step)",
        "ntk: X → −X": "the NTK is even in X (XᵀW1ᵀW1X and XᵀX; same step)",
    },
)


def _jacobian_gram(W1, W2, X):
    out = list(W2 * W1 * X)                     # row-major: (i, p) with i outer
    params = list(W1) + list(W2)
    J = sp.Matrix(out).jacobian(params)
    return J * J.T


def _within(expr, bounds):
    """Drop the range conditions SymPy attaches to a sum or derivative over an index: every
    Piecewise((v, cond), (0, True)) whose cond is a conjunction of the index bounds given (the
    indices are in range by assumption) becomes v."""
    allowed = set()
    for v, lo, hi in bounds:
        allowed |= {sp.Ge(v, lo), sp.Le(v, hi), sp.Le(lo, v), sp.Ge(hi, v)}

    def inside(cond):
        parts = cond.args if isinstance(cond, sp.And) else (cond,)
        return all(c in allowed for c in parts)

    def rule(pw):
        (v, cond), *rest = pw.args
        if rest == [(0, True)] or [tuple(r) for r in rest] == [(sp.S.Zero, sp.true)]:
            if inside(cond):
                return v
        return pw

    for _ in range(4):
        new = expr.replace(lambda e: isinstance(e, sp.Piecewise), rule)
        if new == expr:
            break
        expr = new
    return expr


def _split_sums(expr):
    """Fubini for finite sums: Σ_{a,b} f(a)g(b) → (Σ_a f(a))(Σ_b g(b)) whenever the summand is
    a product whose factors each depend on at most one summation index; constants come out."""
    def rule(z):
        if not isinstance(z, sp.Sum):
            return z
        body = sp.expand(z.function)
        if isinstance(body, sp.Add):
            return sp.Add(*(rule(sp.Sum(t, *z.limits)) for t in body.args))
        idx = [lim[0] for lim in z.limits]
        if any(v in (lim[1] - lim[2]).free_symbols or v in lim[1].free_symbols
               for lim in z.limits for v in idx):
            return z                      # a range that depends on another index: not a box
        groups, const = {v: [] for v in idx}, []
        for fac in sp.Mul.make_args(body):
            used = [v for v in idx if v in fac.free_symbols]
            if len(used) > 1:
                return z
            (groups[used[0]] if used else const).append(fac)
        out = sp.Mul(*const)
        for lim in z.limits:
            out *= sp.Sum(sp.Mul(*groups[lim[0]]), lim)
        return out

    return sp.sympify(expr).replace(lambda e: isinstance(e, sp.Sum), rule)


@eq5.check("symbolic", precision="exact (SymPy): entries as finite sums with symbolic ranges",
           justification="the Jacobian entries are derivatives of the symbolic-range sum "
                         "(W2W1X)_{ip} = Σ_h Σ_k W2_{ih}W1_{hk}X_{kp}; each sum is split by "
                         "Fubini and Kronecker deltas are summed; the residual reduces to 0 "
                         "for any sizes. Proves the statement; the formula under test is "
                         "read by the exact and numeric checks that follow")
def ntk_is_jacobian_gram(f):
    """(JJᵀ)_{(i,p),(i',p')} = Σ_θ ∂f_{ip}/∂θ ∂f_{i'p'}/∂θ over θ = (W1, W2), f = W2W1X:
    ∂f_{ip}/∂W1_{ab} = W2_{ia}X_{bp} gives Σ_{a,b} W2_{ia}X_{bp}W2_{i'a}X_{bp'} =
    (W2W2ᵀ)_{ii'}(XᵀX)_{pp'}; ∂f_{ip}/∂W2_{ce} = δ_{ic}(W1X)_{ep} gives δ_{ii'}(XᵀW1ᵀW1X)_{pp'}:
    the (i p, i' p') entry of I ⊗ XᵀW1ᵀW1X + W2W2ᵀ ⊗ XᵀX (i outer)."""
    d = Derivation("eq (5): NTK = JJᵀ for any sizes")
    n_i, n_h, n_o, n_p = sp.symbols("N_i N_h N_o P", integer=True, positive=True)
    i, i2, p, p2, a, b, c, e, h, k = sp.symbols("i i' p p' a b c e h k", integer=True)
    W1, W2, X = sp.IndexedBase("W1"), sp.IndexedBase("W2"), sp.IndexedBase("X")
    rng = {i: n_o, i2: n_o, p: n_p, p2: n_p, a: n_h, b: n_i, c: n_o, e: n_h}
    bounds = [(v, 0, n - 1) for v, n in rng.items()]

    def out(ii, pp):
        return sp.Sum(W2[ii, h] * W1[h, k] * X[k, pp], (h, 0, n_h - 1), (k, 0, n_i - 1))

    def hid(ee, pp):                      # (W1X)_{ep}
        return sp.Sum(W1[ee, k] * X[k, pp], (k, 0, n_i - 1))

    d.given(sp.Symbol(r"(W_2W_1X)_{ip}"), out(i, p), "the network's outputs on the P samples")
    d.given(sp.Symbol(r"(A\otimes B)_{(ip),(i'p')}"), sp.Symbol(r"A_{ii'}B_{pp'}"),
            "Kronecker product with the output index i outer")
    def in_range(z):
        z = sp.sympify(z)
        for _ in range(3):          # the derivative, then the sums it leaves
            z = _within(z.doit(), bounds)
        return z

    in_range.__name__ = "doit (indices in range)"
    _split_sums.__name__ = "Fubini"
    moves = (in_range, _split_sums, sp.expand)
    dW1 = W2[i, a] * X[b, p]
    d.step(sp.Derivative(out(i, p), W1[a, b]), dW1,
           "∂(W2W1X)_{ip}/∂W1_{ab} = W2_{ia}X_{bp} (a, b in range)", moves=moves)
    dW2 = sp.KroneckerDelta(i, c) * hid(e, p)
    d.step(sp.Derivative(out(i, p), W2[c, e]), dW2,
           "∂(W2W1X)_{ip}/∂W2_{ce} = δ_{ic}(W1X)_{ep}", moves=moves)
    part1 = sp.Sum(dW1 * dW1.subs({i: i2, p: p2}), (a, 0, n_h - 1), (b, 0, n_i - 1))
    gram2 = sp.Sum(W2[i, a] * W2[i2, a], (a, 0, n_h - 1))        # (W2W2ᵀ)_{ii'}
    gramx = sp.Sum(X[b, p] * X[b, p2], (b, 0, n_i - 1))           # (XᵀX)_{pp'}
    d.step(part1, gram2 * gramx,
           "the W1 part of (JJᵀ)_{(ip),(i'p')}: Σ_{a,b} W2_{ia}X_{bp}W2_{i'a}X_{bp'} = "
           "(W2W2ᵀ)_{ii'}(XᵀX)_{pp'} (Fubini)", moves=(_split_sums, sp.expand))
    part2 = sp.Sum(dW2 * dW2.subs({i: i2, p: p2}), (c, 0, n_o - 1), (e, 0, n_h - 1))
    gram1 = sp.Sum(hid(e, p) * hid(e, p2), (e, 0, n_h - 1))        # (XᵀW1ᵀW1X)_{pp'}

    def deltas(z):
        return _within(_split_sums(z).replace(
            lambda q: isinstance(q, sp.Sum) and q.function.has(sp.KroneckerDelta),
            lambda q: q.doit()), bounds)

    deltas.__name__ = "Fubini, then Σ_c δ_{ic}δ_{i'c} = δ_{ii'}"
    d.step(part2, sp.KroneckerDelta(i, i2) * gram1,
           "the W2 part: Σ_{c,e} δ_{ic}δ_{i'c}(W1X)_{ep}(W1X)_{ep'} = δ_{ii'}(XᵀW1ᵀW1X)_{pp'} "
           "(Fubini, then Σ_c δ_{ic}δ_{i'c} = δ_{ii'})", moves=(deltas, sp.expand))
    d.step(part1 + part2, sp.KroneckerDelta(i, i2) * gram1 + gram2 * gramx,
           "(JJᵀ)_{(ip),(i'p')} = δ_{ii'}(XᵀW1ᵀW1X)_{pp'} + (W2W2ᵀ)_{ii'}(XᵀX)_{pp'}: the "
           "(ip, i'p') entry of I ⊗ XᵀW1ᵀW1X + W2W2ᵀ ⊗ XᵀX", moves=(deltas, sp.expand))
    return d.evidence(scope=Scope.full(
        "any N_i, N_h, N_o, P (index ranges symbolic) and any W1, W2, X; every entry "
        "(i p, i' p') of the kernel"))


@eq5.check("numeric", tolerance=0.0,
           precision="exact (SymPy) at fixed sizes, generic symbolic entries",
           justification="the formula under test evaluated on matrices of independent symbols "
                         "must equal JJᵀ of the explicit Jacobian exactly (residual reduced to "
                         "0); exact agreement on instances ties the implementation to the "
                         "statement proved above, it does not prove it")
def ntk_exact_at_fixed_sizes(f):
    d = Derivation("eq (5): the printed NTK equals JJᵀ exactly at fixed sizes")
    for n_i, n_h, n_o, p in ((2, 2, 2, 2), (3, 2, 1, 2), (2, 1, 3, 1)):
        W1, W2, X = _generic("a", n_h, n_i), _generic("b", n_o, n_h), _generic("x", n_i, p)
        d.step(f.ntk(W1, W2, X), _jacobian_gram(W1, W2, X),
               f"(N_i, N_h, N_o, P) = ({n_i}, {n_h}, {n_o}, {p}): the printed NTK equals JJᵀ",
               moves=(sp.expand,))
    W1, W2, X = _generic("a", 2, 3), _generic("b", 1, 2), _generic("x", 3, 2)
    gram = _jacobian_gram(W1, W2, X)
    for args, what in (((-W1, W2, X), "W1"), ((W1, -W2, X), "W2"), ((W1, W2, -X), "X")):
        d.step(f.ntk(*args), gram, f"(N_i, N_h, N_o, P) = (3, 2, 1, 2), {what} → −{what}: the "
               f"network's Jacobian only changes sign in some columns, so JJᵀ is unchanged",
               moves=(sp.expand,))
    return _exact_evidence(d)


def _exact_evidence(d):
    """An exact instance comparison as a numeric check: error 0 when every step reduced to 0,
    +inf when one is refuted."""
    ev = d.evidence()
    err = {"proved": 0.0, "refuted": float("inf")}.get(d.verdict)
    if err is None:
        return Evidence(verdict="inconclusive", detail=ev.detail, data=ev.data)
    return Evidence(max_error=err, detail=ev.detail, counterexample=ev.counterexample,
                    data=ev.data)


def _jacobian_numeric(W1, W2, X):
    """J of vec(W2W1X) (row-major) w.r.t. (vec W1, vec W2), row-major parameter order."""
    n_h, n_i = W1.shape
    n_o, p = W2.shape[0], X.shape[1]
    # ∂(W2W1X)_{ip}/∂W1_{hk} = W2_{ih} X_{kp};  ∂/∂W2_{ih} = δ_{ii'} (W1X)_{hp}
    J1 = np.einsum("ih,kp->iphk", W2, X).reshape(n_o * p, n_h * n_i)
    J2 = np.einsum("ij,hp->ipjh", np.eye(n_o, dtype=W1.dtype), W1 @ X).reshape(n_o * p, n_o * n_h)
    return np.hstack([J1, J2])


@eq5.check("numeric", tolerance=1e-13,
           precision="float64 (vs numerics.ntk and the explicit Jacobian) and 50 digits",
           justification="sums of a few products: float64 relative error ~1e-15; the 50-digit "
                         "JJᵀ comparison is exact to ~1e-48 and scaled by 1e30")
def ntk_numerically(f):
    rng = np.random.default_rng(5)
    w64, w50 = 0.0, 0.0
    for n_i, n_h, n_o, p in ((3, 2, 4, 5), (4, 3, 2, 3), (2, 2, 2, 6)):
        W1, W2 = rng.standard_normal((n_h, n_i)), rng.standard_normal((n_o, n_h))
        X = rng.standard_normal((n_i, p))
        K = f.ntk(W1, W2, X)
        J = _jacobian_numeric(W1, W2, X)
        scale = np.max(np.abs(J @ J.T))
        w64 = max(w64, float(np.max(np.abs(K - J @ J.T)) / scale),
                  float(np.max(np.abs(K - numerics.ntk(W1, W2, X))) / scale))
        with mpmath.workdps(50):
            conv = np.vectorize(mpmath.mpf, otypes=[object])
            W1m, W2m, Xm = conv(W1), conv(W2), conv(X)
            Km = f.ntk(W1m, W2m, Xm)
            Jm = _jacobian_numeric(W1m, W2m, Xm)
            w50 = max(w50, float(np.max(np.abs(Km - Jm @ Jm.T))) / float(scale))
    return Evidence(max_error=max(w64, w50 * 1e30),
                    detail=f"3 shapes: float64 max|NTK − JJᵀ|, |NTK − numerics.ntk| relative: "
                           f"{w64:.1e}; 50 digits |NTK − JJᵀ|: {w50:.1e}")
