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
from lazyrich.derive import Derivation
from lazyrich.derive._series import together_expand
from lazyrich import Claim, Evidence, Source


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
    assumptions=("any W1, W2, X, Y of composable shapes",),
    formulas={"rsm_in": rsm_in_printed, "rsm_out": rsm_out_printed},
    notes="The identity with (W2⁺Y)ᵀ(W2⁺Y) is (A⁺)ᵀA⁺ = (AAᵀ)⁺; proved symbolically for "
          "full-rank W2 of shapes 2×1, 3×1 (W2W2ᵀ singular) and 1×2 with generic entries "
          "(larger generic shapes cost minutes in SymPy), and numerically (float64 and 50 "
          "digits) for rank-deficient W2 of shapes up to 4×3.",
)


@eq4.check("symbolic", precision="exact (SymPy), generic entries",
           justification="candidate pseudo-inverses verified by the four Penrose conditions "
                          "(unique), identities reduced to 0 by cancel")
def rsm_identities(f):
    d = Derivation("eq (4): RSM_O = (W2⁺Y)ᵀ(W2⁺Y), RSM_I = (W1X)ᵀ(W1X)")
    for shape in ((2, 1), (3, 1), (1, 2)):
        W2 = _generic("w", *shape)
        Y = _generic("y", shape[0], 2)
        P = _full_rank_pinv(W2)
        _record_penrose(d, W2, P, f"W2 {shape[0]}×{shape[1]}")
        G = W2 * W2.T
        Q = _full_rank_pinv(G) if shape[0] <= shape[1] else W2 * ((W2.T * W2).inv())**2 * W2.T
        # (for N_o × 1, W2W2ᵀ is a rank-1 matrix: a genuine pseudo-inverse)
        _record_penrose(d, G, Q, f"W2W2ᵀ ({shape[0]}×{shape[0]})")
        d.step(f.rsm_out(W2, Y, lambda M, Q=Q: Q), (P * Y).T * (P * Y),
               f"W2 {shape[0]}×{shape[1]}: Yᵀ(W2W2ᵀ)⁺Y = (W2⁺Y)ᵀ(W2⁺Y)", moves=(together_expand,))
    W1, X = _generic("a", 2, 3), _generic("x", 3, 2)
    d.step(f.rsm_in(W1, X), (W1 * X).T * (W1 * X), "RSM_I = (W1X)ᵀ(W1X)", moves=(sp.expand,))
    return d.evidence()


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
    for n_i, n_h, n_o, rank in ((3, 2, 4, 2), (4, 3, 2, 2), (3, 3, 3, 2), (2, 3, 3, 3)):
        W1 = rng.standard_normal((n_h, n_i))
        F1, F2 = rng.standard_normal((n_o, rank)), rng.standard_normal((rank, n_h))
        W2 = F1 @ F2
        X, Y = rng.standard_normal((n_i, 5)), rng.standard_normal((n_o, 5))
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
                    detail=f"4 shapes incl. rank-deficient W2: float64 vs numerics.representations "
                           f"and (W2⁺Y)ᵀ(W2⁺Y): {w64:.1e}; 50 digits: {w50:.1e}")


eq5 = Claim(
    id="domine2025.eq5",
    title="NTK = I ⊗ XᵀW1ᵀW1X + W2W2ᵀ ⊗ XᵀX equals JJᵀ of the Jacobian of vec(W2W1X)",
    source=Source("domine2025", "eq (5) (= eq 140)", "§3, App. C"),
    statement=r"\mathrm{NTK}=I_{N_o}\otimes X^\top W_1^\top W_1X+W_2W_2^\top\otimes X^\top X"
              r"=JJ^\top,\ J=\partial\,\mathrm{vec}(W_2W_1X)/\partial(W_1,W_2)",
    assumptions=("index (output i, sample p), i outer",),
    formulas={"ntk": ntk_printed},
)


def _jacobian_gram(W1, W2, X):
    out = list(W2 * W1 * X)                     # row-major: (i, p) with i outer
    params = list(W1) + list(W2)
    J = sp.Matrix(out).jacobian(params)
    return J * J.T


@eq5.check("symbolic", precision="exact (SymPy), generic entries",
           justification="polynomial identity in the entries, reduced to 0 by expand")
def ntk_is_jacobian_gram(f):
    d = Derivation("eq (5): NTK = JJᵀ")
    for n_i, n_h, n_o, p in ((2, 2, 2, 2), (3, 2, 1, 2)):
        W1, W2, X = _generic("a", n_h, n_i), _generic("b", n_o, n_h), _generic("x", n_i, p)
        d.step(f.ntk(W1, W2, X), _jacobian_gram(W1, W2, X),
               f"(N_i, N_h, N_o, P) = ({n_i}, {n_h}, {n_o}, {p}): the printed NTK equals JJᵀ",
               moves=(sp.expand,))
    return d.evidence()


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
