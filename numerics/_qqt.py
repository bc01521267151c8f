"""QQᵀ(t) in closed form: Theorem B.5 (eq 77, the stable form), generalised to singular B.

Notation (spec §2–§5).  Q = [W1ᵀ; W2] is (N × N_h), N = N_i + N_o, and F = P Λ Pᵀ (Lemma 4.2,
:mod:`numerics._spectral`).  With M = PᵀQ(0) = [Bᵀ/√2; −Cᵀ/√2; Dᵀ] (eqs 10–12), E(t) = e^{Λt}
and K(t) = (e^{2Λt} − I)Λ⁻¹ (read 2t for a zero eigenvalue), Lemma 4.1 in the eigenbasis is

    QQᵀ(t) = P · Y A⁻¹ Yᵀ · Pᵀ,   Y = E M,   A = I + ½ Mᵀ K M.                      (*)

Written like this it overflows (E contains e^{S_λ t}) and cancels.  Theorem B.5 extracts the large
factor e^{S_λ t}Bᵀ from Y; that needs B⁻¹.  Here the large factor is extracted with an orthogonal
basis of the hidden space instead (a graded column echelon form of M):

* sort the rows of M by eigenvalue, largest first, and go through groups of equal eigenvalue;
  for each group take the directions of hidden space (orthonormal, by an SVD of the group's rows
  restricted to the not yet used directions) in which the group's rows are non-zero.  They get the
  pivot exponent e_j = that eigenvalue, and ê_j = max(e_j, 0).  This gives an orthogonal T
  (N_h × N_h) and L = M T whose column j vanishes in all rows with eigenvalue > e_j.
* with G = e^{ê t} Tᵀ, Y = Ŷ G and (*) becomes QQᵀ = P Ŷ Ã⁻¹ Ŷᵀ Pᵀ with

      Ŷ'_ij = L_ij e^{(Λ_i⁺ − ê_j) t},   Ŷ = diag(e^{min(Λ_i, 0) t}) Ŷ',
      Ã = diag(e^{−2 ê t}) + ½ Ŷ'ᵀ diag(g) Ŷ',   g_i = (1 − e^{−2|Λ_i| t}) / |Λ_i|  (→ 2t),

  since K_i e^{−(ê_j+ê_k)t} = g_i e^{(Λ_i⁺−ê_j)t} e^{(Λ_i⁺−ê_k)t}.  Every exponent is ≤ 0, so
  nothing overflows, and g is evaluated with expm1 (continuous as Λ_i → 0, which covers the
  zero eigenvalue λ_⊥ = 0 of λ = 0 with N_i ≠ N_o).

When B is invertible all pivots lie in the +S_λ rows, i.e. in Bᵀ/√2 (T is then the orthogonal
factor of an LQ decomposition of Bᵀ's rows taken in decreasing S_λ), and this is Theorem B.5 up
to the constant change of hidden-space basis Bᵀ ↔ Tᵀ, which cancels in Z̃ Ã⁻¹ Z̃ᵀ.  No B⁻¹ is
formed, which also makes it more accurate than the literal B.5 when B is poorly conditioned.
In the delayed-rich configuration (λ_⊥ > 0) the perp rows carry the merged factors
e^{(λ_⊥ − S_λ,j)t} and e^{(2λ_⊥ − S_λ,i − S_λ,j)t} of the implementation note of spec §5.

When B is singular the missing directions take their pivots from the perp or the −S_λ rows and
the formula stays exact: the mode sits at (or decays to) the saddle.  B is singular e.g. in
reversal learning at λ = 0 (spec §11 D.2); for any square network at λ = 0 with
det(W2W1)·det(Σyx) < 0 (then B = R S^½(UᵀŨ + VᵀṼ) and the orthogonal ṼᵀVUᵀŨ, of determinant
−1, has the eigenvalue −1); and possibly for a rank-deficient Σyx (B depends on the arbitrary
basis of the null spaces).  :func:`qqt_b5` evaluates the printed Theorem B.5 literally (needs B⁻¹).

Accuracy.  The evaluation is backward stable with respect to M (relative perturbation ~1e-15);
for generic initialisations the measured relative error is ≲ 5e-15 for t up to 1e3.  An
initialisation with a mode at or within rounding of the saddle (B singular or nearly so) is
ill-conditioned: whether and when that mode escapes depends on digits the float64 input cannot
resolve.  So when a pivot is small (< 1e-6‖M‖) :func:`qqt` also evaluates the formula for M plus
a random perturbation of relative size 1e-15 and, if some pivot is at rounding level
(≤ 1e-12‖M‖), for M with that pivot set to exactly zero, and raises SingularError for times at
which these differ from the answer by more than ``SADDLE_RTOL`` (relative, Frobenius).

Private module; the lead decides the export.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._errors import SingularError
from ._spectral import TaskEigensystem, task_eigensystem
from ._validate import (as_array, as_scalar, as_times, check_architecture, check_sigma_yx,
                        layer_shapes, read_lambda)

__all__ = ["qqt", "qqt_b5", "SADDLE_RTOL"]

#: qqt raises SingularError at times where a 1e-15 relative perturbation of PᵀQ(0), or setting its
#: rounding-level pivots to 0, changes QQᵀ(t) by more than this (relative to ‖QQᵀ(t)‖_F).  Set
#: 100× below the 1e-10 accuracy target: on 400 random λ = 0 square inits (half with singular B)
#: the answers that passed the check were within 9e-14 of the mp referee.
SADDLE_RTOL = 1e-11
#: Pivots smaller than this (relative to ‖PᵀQ(0)‖₂) trigger the perturbation check.
_SMALL_PIVOT = 1e-6
#: Relative size of the perturbation of PᵀQ(0) used by the check (≈ rounding of PᵀQ(0)).
_PERTURB = 1e-15
#: Pivots at most this (relative to ‖PᵀQ(0)‖₂) may be exactly zero in exact arithmetic.
_NOISE_PIVOT = 1e-12
#: qqt_b5 refuses B with σ_min(B) ≤ this × σ_max(B).
B_RCOND = 1e-8


# --------------------------------------------------------------------------------------------
# validation shared by qqt and qqt_b5
# --------------------------------------------------------------------------------------------
def _prepare(W1, W2, sigma_yx, t, tau):
    W1 = as_array("W1", W1, ndim=2)
    W2 = as_array("W2", W2, ndim=2)
    n_i, n_h, n_o = layer_shapes(W1, W2)
    S = check_sigma_yx(sigma_yx, n_i, n_o)
    times = as_times("t", t)
    tau = as_scalar("tau", tau, positive=True)
    lam = read_lambda(W1, W2)
    check_architecture(n_i, n_h, n_o, lam, require_a3=True)
    es = task_eigensystem(S, lam)
    return W1, W2, es, times, tau


def _g(a: np.ndarray, t: np.ndarray) -> np.ndarray:
    """(1 − e^{−2 a t}) / a for a >= 0 (2t at a = 0), broadcast over a (…, n) and t (…, 1)."""
    x = 2.0 * a * t
    pos = x > 0
    xs = np.where(pos, x, 1.0)
    phi = np.where(pos, -np.expm1(-xs) / xs, 1.0)
    return 2.0 * t * phi


# --------------------------------------------------------------------------------------------
# the graded factorisation of M = PᵀQ(0) (time independent)
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class _Graded:
    lam: np.ndarray       # (N,) eigenvalues, sorted descending
    P: np.ndarray         # (N, N) eigenvectors, columns in the same order
    order: np.ndarray     # (N,) the sorting permutation
    T: np.ndarray         # (N_h, N_h) orthogonal, L = M[order] @ T
    prow: np.ndarray      # (N_h,) first (sorted) row of each column's pivot group (N: none)
    L: np.ndarray         # (N, N_h) graded echelon form of M (sorted rows)
    ehat: np.ndarray      # (N_h,) max(pivot exponent, 0)
    pivot_sv: np.ndarray  # (N_h,) pivot singular values (0 for directions with no pivot)


def _graded(M: np.ndarray, lam: np.ndarray, P: np.ndarray, rank_tol: float = 0.0) -> _Graded:
    """Graded echelon form of M; singular values <= rank_tol of a group count as zero."""
    N, n_h = M.shape
    order = np.argsort(-lam, kind="stable")
    lam_s, M_s, P_s = lam[order], M[order], P[:, order]
    starts = np.concatenate([[0], np.flatnonzero(np.diff(lam_s) != 0) + 1, [N]])
    R = np.eye(n_h)
    cols, pexp, psv, prow = [], [], [], []
    for a, b in zip(starts[:-1], starts[1:]):
        r = R.shape[1]
        if r == 0:
            break
        _, sv, Vt = np.linalg.svd(M_s[a:b] @ R)
        k = int(np.count_nonzero(sv > rank_tol))
        if k:
            cols.append(R @ Vt[:k].T)
            pexp += [lam_s[a]] * k
            psv += list(sv[:k])
            prow += [a] * k
        R = R @ Vt[k:].T
    if R.shape[1]:  # directions in which M vanishes exactly: they stay at 0
        cols.append(R)
        pexp += [0.0] * R.shape[1]
        psv += [0.0] * R.shape[1]
        prow += [N] * R.shape[1]
    T = np.hstack(cols)
    L = M_s @ T
    L[np.arange(N)[:, None] < np.asarray(prow)[None, :]] = 0.0  # rounding-level, by construction
    return _Graded(lam=lam_s, P=P_s, order=order, T=T, prow=np.asarray(prow), L=L,
                   ehat=np.maximum(np.asarray(pexp), 0.0), pivot_sv=np.asarray(psv))


# --------------------------------------------------------------------------------------------
# evaluation at the requested times (batched over t)
#
# Order of operations, chosen for speed (same formula, same rounding-level accuracy):
# * P and diag(e^{min(Λ,0)t}) are applied to the N × N_h factor, Z = P·diag(e^{min(Λ,0)t})·Ŷ',
#   before the solve, so QQᵀ = Z Ã⁻¹ Zᵀ needs no (T, N, N) × (N, N) products;
# * Ã is scaled to unit diagonal and factored by Cholesky (it is symmetric positive definite);
# * every batched matmul gets C-contiguous operands: numpy 2.x runs a batched matmul with a
#   transposed-view operand without BLAS (~15× slower), and einsum does not call BLAS at all.
# --------------------------------------------------------------------------------------------
def _transposed(X: np.ndarray) -> np.ndarray:
    """C-contiguous copy of the batch of transposes of X (…, m, n) → (…, n, m)."""
    return np.ascontiguousarray(np.swapaxes(X, -1, -2))


def _growth_factor(gr: _Graded, s: np.ndarray) -> np.ndarray:
    """Ŷ'_ij = L_ij e^{(Λ_i⁺ − ê_j) s} (all exponents ≤ 0): array (T, N, N_h)."""
    expo = np.minimum(np.maximum(gr.lam, 0.0)[:, None] - gr.ehat[None, :], 0.0)   # (N, N_h)
    Yp = np.multiply.outer(s, expo)
    np.exp(Yp, out=Yp)
    Yp *= gr.L
    return Yp


def _scaled_gram(gr: _Graded, Yp: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ã = diag(e^{−2ês}) + ½ Ŷ'ᵀ diag(g) Ŷ', returned as (Ã/(d dᵀ), d) with d = sqrt(diag Ã)."""
    g = _g(np.abs(gr.lam)[None, :], s[:, None])                                    # (T, N)
    T, N, n_h = Yp.shape
    YgT = np.empty((T, n_h, N))                          # ½ Ŷ'ᵀ diag(g), C-contiguous
    np.multiply(np.swapaxes(Yp, 1, 2), (0.5 * g)[:, None, :], out=YgT)
    A = YgT @ Yp                                                                   # (T, N_h, N_h)
    idx = np.arange(A.shape[-1])
    A[:, idx, idx] += np.exp(-2.0 * gr.ehat[None, :] * s[:, None])
    d = np.sqrt(A[:, idx, idx])
    d = np.where(d > 0, d, 1.0)
    A /= d[:, :, None]
    A /= d[:, None, :]
    return A, d


def _outer_factor(gr: _Graded, Yp: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Z = P · diag(e^{min(Λ,0)s}) · Ŷ': array (T, N, N_h), so that QQᵀ = Z Ã⁻¹ Zᵀ."""
    Dm = np.exp(np.minimum(gr.lam, 0.0)[None, :] * s[:, None])                     # (T, N)
    return gr.P @ (Yp * Dm[:, :, None])


def _inv_lower(C: np.ndarray) -> np.ndarray:
    """Inverses of a batch (T, n, n) of lower-triangular matrices.

    By the block formula [[A, 0], [B, D]]⁻¹ = [[A⁻¹, 0], [−D⁻¹ B A⁻¹, D⁻¹]], recursively, so the
    work is in batched matmuls (np.linalg.inv/solve would do a full LU of each triangular matrix:
    3–5× slower here; scipy's batched solve_triangular loops in Python).
    """
    n = C.shape[-1]
    if n <= 8:
        return np.linalg.inv(C)
    h = n // 2
    Ai = _inv_lower(C[:, :h, :h])
    Di = _inv_lower(C[:, h:, h:])
    out = np.zeros_like(C)
    out[:, :h, :h] = Ai
    out[:, h:, h:] = Di
    out[:, h:, :h] = -(Di @ (C[:, h:, :h] @ Ai))
    return out


def _quadratic_form(Z: np.ndarray, As: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Z Ã⁻¹ Zᵀ with Ã = diag(d) As diag(d), As (T, n, n) symmetric positive definite with unit
    diagonal, d (T, n) > 0, Z (T, N, n): array (T, N, N).

    With As = C Cᵀ (Cholesky), Z Ã⁻¹ Zᵀ = Wᵀ W, Wᵀ = Z (C⁻¹ diag(1/d))ᵀ.  If some As is not
    numerically positive definite (possible only for a mode within rounding of the saddle) the
    whole batch is solved by LU instead.
    """
    try:
        C = np.linalg.cholesky(As)
    except np.linalg.LinAlgError:
        Zs = Z / d[:, None, :]
        return Zs @ np.linalg.solve(As, _transposed(Zs))
    Wt = Z @ _transposed(_inv_lower(C) / d[:, None, :])                            # (T, N, n)
    return Wt @ _transposed(Wt)


def _evaluate(gr: _Graded, s: np.ndarray) -> np.ndarray:
    """QQᵀ at scaled times s = t/τ (1-D, length T): array (T, N, N), exactly symmetric."""
    with np.errstate(under="ignore"):
        Yp = _growth_factor(gr, s)
        As, d = _scaled_gram(gr, Yp, s)
        X = _quadratic_form(_outer_factor(gr, Yp, s), As, d)
    Xs = X + np.swapaxes(X, 1, 2)
    Xs *= 0.5
    return Xs


def qqt(W1, W2, sigma_yx, t, tau=1.0) -> np.ndarray:
    """QQᵀ(t) of gradient flow from λ-balanced (W1, W2), in closed form (Theorem B.5, generalised).

    QQᵀ = [[W1ᵀW1, W1ᵀW2ᵀ], [W2W1, W2W2ᵀ]] at time t under τ dW1/dt = W2ᵀ(Σyx − W2W1),
    τ dW2/dt = (Σyx − W2W1)W1ᵀ (whitened inputs), evaluated with the stable graded form described
    in the module docstring: batched over t, no overflow for any t ≥ 0, valid for every λ
    (including λ = 0 with N_i ≠ N_o, where F has a zero eigenvalue) and for singular B.

    Arguments:
        W1: (N_h, N_i) initial first-layer weights.
        W2: (N_o, N_h) initial second-layer weights; W2ᵀW2 − W1W1ᵀ = λI (A2) and
            N_h = min(N_i, N_o) (A3).
        sigma_yx: (N_o, N_i) input–output correlation Σyx.
        t: time >= 0, scalar or 1-D array of length T.
        tau: time constant τ > 0.

    Returns:
        float64 array (N_i + N_o, N_i + N_o) for scalar t, (T, N_i + N_o, N_i + N_o) for 1-D t.
        Rows/columns: first the N_i input coordinates, then the N_o output coordinates.

    Raises:
        InvalidArgument: non-finite or mis-shaped arguments, negative t, tau <= 0.
        NotBalancedError: W1, W2 not λ-balanced.
        ArchitectureError: N_h ≠ min(N_i, N_o).
        SingularError: the initialisation has a mode at (or within rounding of) the saddle
            (B of eq 10 singular or nearly so) and, at some requested t, that mode's escape is
            decided by digits below float64 resolution (see ``SADDLE_RTOL``).
    """
    W1, W2, es, times, tau = _prepare(W1, W2, sigma_yx, t, tau)
    s = np.atleast_1d(times) / tau
    M = es.P.T @ np.vstack([W1.T, W2])
    gr = _graded(M, es.eigenvalues, es.P)
    X = _evaluate(gr, s)
    normM = float(np.linalg.norm(M, 2))
    if normM > 0 and np.min(gr.pivot_sv, initial=np.inf) < _SMALL_PIVOT * normM:
        _saddle_check(M, es, gr, X, s, normM, tau)
    return X[0] if times.ndim == 0 else X


def _saddle_check(M, es: TaskEigensystem, gr: _Graded, X, s, normM, tau) -> None:
    """Raise SingularError where QQᵀ(t) depends on rounding-level details of a saddle mode.

    Two alternatives to M that float64 cannot tell apart from it are evaluated: M plus a random
    perturbation of relative size 1e-15, and M with its rounding-level pivots (≤ _NOISE_PIVOT
    ‖M‖, e.g. the entries of an exactly singular B) set to exactly zero (the mode then stays at
    the saddle for ever).  Where either differs from X by more than SADDLE_RTOL, raise.
    """
    rng = np.random.default_rng(20250214)
    dM = rng.standard_normal(M.shape)
    alts = [_graded(M + dM * (_PERTURB * np.linalg.norm(M) / np.linalg.norm(dM)),
                    es.eigenvalues, es.P)]
    if np.any((gr.pivot_sv > 0) & (gr.pivot_sv <= _NOISE_PIVOT * normM)):
        # the same M with its rounding-level pivots treated as exact zeros (re-factored with a
        # rank tolerance, so the truncated components are dropped consistently)
        alts.append(_graded(M, es.eigenvalues, es.P, rank_tol=_NOISE_PIVOT * normM))
    den = np.maximum(np.linalg.norm(X, axis=(1, 2)), np.finfo(float).tiny)
    rel = np.zeros(s.size)
    for ga in alts:
        Xa = _evaluate(ga, s)
        rel = np.maximum(rel, np.linalg.norm(Xa - X, axis=(1, 2)) / den)
    bad = ~(rel <= SADDLE_RTOL)
    if np.any(bad):
        i = int(np.flatnonzero(bad)[np.argmin(s[bad])])  # smallest failing t
        smin = float(np.min(gr.pivot_sv)) / normM
        raise SingularError(
            f"t = {s[i] * tau:.6g}: the initialisation has a mode at or within rounding of the "
            f"saddle (B of eq 10 is singular or nearly so; smallest pivot singular value of "
            f"PᵀQ(0) = {smin:.2g} relative to ‖PᵀQ(0)‖), i.e. a mode anti-aligned with the task; "
            f"at λ = 0 it stays at the saddle in exact arithmetic (e.g. square networks with "
            f"det(W2W1)·det(Σyx) < 0). By this time QQᵀ changes by {rel[i]:.2g} (relative; "
            f"allowed {SADDLE_RTOL:.0e}) between inputs float64 cannot tell apart (a 1e-15 "
            f"perturbation, or the mode's rounding-level growth component set to 0): whether and "
            f"when it leaves the saddle is decided by digits below float64 resolution. Restrict "
            f"t to below {s[i] * tau:.6g}, or use the mpmath reference numerics.mp qqt(...) "
            f"with exact weights, or integrate with gradient_flow(...)."
        )


# --------------------------------------------------------------------------------------------
# Theorem B.5 as printed (eq 77), for checking the paper's formula
# --------------------------------------------------------------------------------------------
def qqt_b5(W1, W2, sigma_yx, t, tau=1.0) -> np.ndarray:
    """Theorem B.5 (eq 77) as printed, batched over t with merged exponentials.

    QQᵀ = Z̃ Ã⁻¹ Z̃ᵀ with Z̃, Ã of spec §5; e^{λ_⊥t}·e^{−S_λ t} and e^{−S_λ t}e^{2λ_⊥t}e^{−S_λ t}
    are evaluated as single exponentials with non-positive exponents and (e^{2xt} − 1)/x with
    expm1, so nothing overflows.  Needs B⁻¹; use :func:`qqt` when B may be singular.

    Arguments:
        W1, W2, sigma_yx, t, tau: as for :func:`qqt`.

    Returns:
        float64 array (N, N) for scalar t or (T, N, N) for 1-D t, N = N_i + N_o.

    Raises:
        InvalidArgument, NotBalancedError, ArchitectureError: as for :func:`qqt`.
        SingularError: σ_min(B)/σ_max(B) <= ``B_RCOND`` (B of eq 10 singular: the init has a mode
            anti-aligned with the task).
    """
    W1, W2, es, times, tau = _prepare(W1, W2, sigma_yx, t, tau)
    s = np.atleast_1d(times) / tau
    Vt, Ut, Vp, Up = es.V_tilde, es.U_tilde, es.V_perp, es.U_perp
    gm, gp, S, lp = es.GmHG, es.GpHG, es.S_lambda, es.lambda_perp
    B = W2.T @ Ut * gp + W1 @ Vt * gm
    C = W2.T @ Ut * gm - W1 @ Vt * gp
    D = W2.T @ Up + W1 @ Vp
    sv = np.linalg.svd(B, compute_uv=False)
    if not sv[-1] > B_RCOND * sv[0]:
        raise SingularError(
            f"B of eq 10 is singular: σ_min(B)/σ_max(B) = {sv[-1] / max(sv[0], 1e-300):.2g} "
            f"(need > {B_RCOND:.0e}). The initialisation has a mode anti-aligned with the task "
            f"(at λ = 0 that mode stays at the saddle), and Theorem B.5 needs B⁻¹. Use qqt(...) "
            f"(general stable form), gradient_flow(...), or the mpmath reference (Theorem 4.3)."
        )
    Binv = np.linalg.inv(B)
    CtBt = C.T @ Binv.T                     # Cᵀ B⁻ᵀ   (N_m, N_m)
    DtBt = D.T @ Binv.T                     # Dᵀ B⁻ᵀ   (n_perp, N_m)
    BB = Binv @ Binv.T
    BC = Binv @ C
    BD = Binv @ D
    tt = s[:, None]
    with np.errstate(under="ignore"):
        eS = np.exp(-S[None, :] * tt)                                   # (T, N_m)
        K1 = eS[:, :, None] * CtBt[None] * eS[:, None, :]               # e^{-St} CᵀB⁻ᵀ e^{-St}
        K2 = np.exp((lp - S)[None, :] * tt)[:, None, :] * DtBt[None]    # e^{λ⊥t} DᵀB⁻ᵀ e^{-St}
        Ztop = (Vt * gm)[None] - (Vt * gp)[None] @ K1 + 2.0 * Vp[None] @ K2
        Zbot = (Ut * gp)[None] + (Ut * gm)[None] @ K1 + 2.0 * Up[None] @ K2
        Z = np.concatenate([Ztop, Zbot], axis=1)                        # (T, N, N_m)
        gS = _g(S[None, :], tt)                                         # (1 − e^{-2St}) S⁻¹
        At = 4.0 * eS[:, :, None] * BB[None] * eS[:, None, :]
        idx = np.arange(S.size)
        At[:, idx, idx] += gS
        At += eS[:, :, None] * np.einsum("ik,tk,jk->tij", BC, gS, BC) * eS[:, None, :]
        if es.n_perp:
            gl = _g(np.abs(lp), tt)[:, 0]                              # (T,)
            ex = np.exp((2.0 * max(lp, 0.0) - S[:, None] - S[None, :])[None] * tt[:, :, None])
            At += 2.0 * gl[:, None, None] * ex * (BD @ BD.T)[None]
        X = Z @ np.linalg.solve(At, np.swapaxes(Z, 1, 2))
    X = 0.5 * (X + np.swapaxes(X, 1, 2))
    return X[0] if times.ndim == 0 else X
