"""QQᵀ(t) in closed form: Theorem B.5 (eq 77, the stable form), generalised to singular B.

Notation.  Q = [W1ᵀ; W2] is (N × N_h), N = N_i + N_o, and F = P Λ Pᵀ (Lemma 4.2,
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
e^{(λ_⊥ − S_λ,j)t} and e^{(2λ_⊥ − S_λ,i − S_λ,j)t} of the implementation note of the paper

When B is singular the missing directions take their pivots from the perp or the −S_λ rows and
the formula stays exact: the mode sits at (or decays to) the saddle.  B is singular e.g. in
reversal learning at λ = 0 (the paper D.2); for any square network at λ = 0 with
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

Evaluation.  :class:`QQT` does everything that does not depend on t once (validation, the
eigensystem, the graded factorisation, the saddle alternatives); ``QQT(...).at(t)`` then costs a
few dense products per time, batched over cache-sized chunks of times, and can return one block
of QQᵀ alone (``block="W2W1"``, ...).  :func:`qqt` is ``QQT(...).at(t)``.  The order of the
operations is described at "evaluation at the requested times" below.

Private module; the lead decides the export.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._errors import InvalidArgument, OutOfRangeError, SingularError
from ._spectral import TaskEigensystem, task_eigensystem
from ._validate import (as_array, as_scalar, as_times, boundary, check_architecture,
                        check_sigma_yx, check_size, layer_shapes, read_lambda)

__all__ = ["QQT", "qqt", "qqt_b5", "SADDLE_RTOL", "BLOCKS"]

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
    lam = read_lambda(W1, W2, sigma_yx=S)
    check_architecture(n_i, n_h, n_o, lam, require_a3=True)
    es = task_eigensystem(S, lam)
    return W1, W2, es, times, tau


def _rescaled(times: np.ndarray, tau: float) -> np.ndarray:
    """t/τ as a 1-D array, or OutOfRangeError when it overflows."""
    with np.errstate(over="ignore"):
        s = np.atleast_1d(times) / tau
    if not np.all(np.isfinite(s)):
        bad = float(np.max(np.atleast_1d(times)))
        raise OutOfRangeError(f"t/τ overflows float64 (t up to {bad:.3g}, τ = {tau:.3g}): "
                              f"use a smaller t or a larger τ (only t/τ matters).")
    return s


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
    fast = _graded_distinct(M_s, lam_s, rank_tol)
    if fast is not None:
        T, L, psv = fast
        return _Graded(lam=lam_s, P=P_s, order=order, T=T, prow=np.arange(n_h), L=L,
                       ehat=np.maximum(lam_s[:n_h], 0.0), pivot_sv=psv)
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


def _graded_distinct(M_s: np.ndarray, lam_s: np.ndarray, rank_tol: float):
    """The graded form in the common case, or None: when the N_h largest eigenvalues are
    distinct (also from the next one) and every row among the first N_h has a pivot clearly
    above rounding, each group is one row that contributes one pivot, and going through them
    in order is Gram–Schmidt of those rows: T is the Q of a QR decomposition of M_s[:N_h]ᵀ
    (then L[:N_h] = Rᵀ is lower triangular), computed at once instead of N_h SVDs."""
    N, n_h = M_s.shape
    top = lam_s[:n_h]
    if np.any(top[:-1] <= top[1:]) or (N > n_h and lam_s[n_h] >= top[-1]):
        return None
    Q, R = np.linalg.qr(M_s[:n_h].T)
    psv = np.abs(np.diagonal(R))
    if not np.all(psv > max(rank_tol, _SMALL_PIVOT * float(np.linalg.norm(M_s)))):
        return None
    L = M_s @ Q
    L[:n_h] = np.tril(L[:n_h])  # rounding-level above the diagonal, by construction
    return Q, L, psv


# --------------------------------------------------------------------------------------------
# evaluation at the requested times
#
# Everything that does not depend on t is computed once (:class:`_Plan`); per time the work is
# a handful of dense products.  In the eigenbasis order [+S_λ modes, −S_λ modes, perp] P has
# the structure of eq 8,
#
#     P = [[Ṽ a, Ṽ b, V_⊥], [Ũ b, −Ũ a, U_⊥]],   a = (G − HG)/√2,  b = (G + HG)/√2,
#
# so P X = [Ṽ_f (a X₊ + b X₋; X_⊥); Ũ_f (b X₊ − a X₋; X_⊥)] costs (N_i² + N_o²) N_h instead of
# N² N_h (Ṽ_f = [Ṽ, V_⊥] when N_i > N_o, else Ṽ; likewise Ũ_f), and each half is needed only
# for the blocks of QQᵀ that it enters.  With Ã = diag(d) Ã_s diag(d) (unit-diagonal Ã_s =
# C Cᵀ, Cholesky) and W_side = (P X)_side (C⁻¹ diag(1/d))ᵀ the blocks are W_i W_iᵀ, W_o W_iᵀ and
# W_o W_oᵀ; the diagonal blocks are symmetrised and W_i W_oᵀ is the transpose of W_o W_iᵀ, so
# the result is exactly symmetric.
#
# Two ways to form Ã and X = diag(e^{min(Λ,0)s}) Ŷ' (the same numbers up to rounding):
# * graded (any s): Ŷ'_ij = L_ij e^{(Λ_i⁺ − ê_j)s} with every exponent ≤ 0 (module docstring);
# * separable (while max|Λ| s is moderate): on the support of L the exponent is Λ_i⁺s − ê_j s,
#   and the factors e^{−ê s} cancel between Ã and X, leaving Ã ∝ I + Lᵀ diag(w) L with
#   w = ½(e^{2Λs} − 1)/Λ and X ∝ diag(e^{Λs}) L: no exponential of an N × N_h array, and Lᵀ w L
#   for a whole chunk of times is one large product.  Used only where nothing can overflow.
#
# Times are processed in chunks small enough for the temporaries to stay in cache.  Every
# batched matmul gets operands whose matrices have unit inner stride (numpy runs a batched
# matmul with a transposed-view operand without BLAS, ~15× slower).
# --------------------------------------------------------------------------------------------

#: Blocks of QQᵀ that :meth:`QQT.at` can return alone: name → (row side, column side).
BLOCKS = {"W1TW1": ("i", "i"), "W2W1": ("o", "i"), "W1TW2T": ("i", "o"), "W2W2T": ("o", "o")}
#: Separable evaluation while 2 max|Λ| s + 2 ln(max|L|) + ln(N (1 + s)) stays below this.
_SEPARABLE_LOG = 600.0
#: Exponents below this are raised to it: a factor e^{-250} ≈ 3e-109 stands for anything smaller.
#: Each such entry of Ŷ' is then off by less than 3e-109 times an entry of L, far below the
#: rounding of the pivot entries that dominate its column (pivots below 1e-6 ‖PᵀQ(0)‖ trigger the
#: saddle check anyway), so the result does not change; but nothing underflows to a denormal, on
#: which exp and every later product run ~50-100× slower. (Ã's diagonal term e^{-2ês} is not
#: floored: it is compared with ‖L‖², which can itself be far below e^{-250}.)
_EXP_FLOOR = -250.0
#: Entries of the unit-diagonal Ã_s below this are set to 0 (a change ~1e-44 below its rounding),
#: so that products of small entries in the Cholesky factorisation and the triangular inverse
#: never reach the denormal range (where they are ~100× slower).
_FLUSH = 1e-60
#: Times per chunk: the per-chunk N_h × N temporaries hold about _CHUNK_ELEMENTS float64 (~2 MB,
#: the size of L2 here), but at least _CHUNK_MIN times (so that the ~40 numpy calls per chunk
#: amortise) and at most _CHUNK_MAX (a chunk takes the separable form only if its last time
#: allows it: with 48 times per chunk the stiff n = 20 benchmark went 3.6 → 4.8 ms).  Measured
#: (one thread; ms for 1000 / 200 times at n = 50 / 100): 24 times per chunk 144–151 / 161–164,
#: 48 times 140 / 196, 12 times 161 / 148: the best count falls as N_h × N grows.
_CHUNK_ELEMENTS = 1 << 18
_CHUNK_MIN = 8
_CHUNK_MAX = 40


def _chunk_size(pl: "_Plan") -> int:
    return min(_CHUNK_MAX, max(_CHUNK_MIN, _CHUNK_ELEMENTS // (pl.L.size or 1)))
#: Up to this N = N_i + N_o the whole QQᵀ is formed at once (_evaluate_whole).
_WHOLE_MAX = 64


@dataclass(frozen=True, eq=False)
class _Plan:
    """Time-independent data of one graded factorisation, rows in the eigen order of es."""

    n_i: int
    n_o: int
    lam: np.ndarray       # (N,) eigenvalues Λ
    lam_neg: np.ndarray   # (N,) min(Λ, 0)
    abs_lam: np.ndarray   # (N,) |Λ|
    L: np.ndarray         # (N, N_h) graded echelon form, eigen-order rows
    LT: np.ndarray        # (N_h, N) its transpose, C-contiguous
    expoT: np.ndarray     # (N_h, N) min(Λ_i⁺ − ê_j, 0), transposed
    expo_min: float       # its smallest entry
    ehat: np.ndarray      # (N_h,)
    PT: dict              # "i" / "o" → (N, n_side): the transposed rows of P of that side;
                          # "all" → Pᵀ
    sep_slope: float      # 2 max|Λ|
    sep_offset: float     # 2 ln max|L| + ln N


def _plan(gr: _Graded, es: TaskEigensystem, n_i: int, n_o: int) -> _Plan:
    inv = np.empty_like(gr.order)
    inv[gr.order] = np.arange(gr.order.size)
    L = np.ascontiguousarray(gr.L[inv])
    lam = gr.lam[inv]
    N, n_h = L.shape
    expo = np.minimum(np.maximum(lam, 0.0)[:, None] - gr.ehat[None, :], 0.0)
    Lmax = float(np.max(np.abs(L), initial=0.0))
    return _Plan(
        n_i=n_i, n_o=n_o, lam=lam, lam_neg=np.minimum(lam, 0.0), abs_lam=np.abs(lam), L=L,
        LT=np.ascontiguousarray(L.T), expoT=np.ascontiguousarray(expo.T),
        expo_min=float(np.min(expo, initial=0.0)), ehat=gr.ehat,
        PT={"i": np.ascontiguousarray(es.P[:n_i].T), "o": np.ascontiguousarray(es.P[n_i:].T),
            "all": np.ascontiguousarray(es.P.T)},
        sep_slope=2.0 * float(np.max(np.abs(lam), initial=0.0)),
        sep_offset=2.0 * np.log(Lmax) + np.log(N) if Lmax > 0 else -np.inf)


def _w(lam: np.ndarray, s: np.ndarray) -> np.ndarray:
    """½ (e^{2Λs} − 1)/Λ (s at Λ = 0): array (T, N) for Λ (N,) and s (T,)."""
    x = np.multiply.outer(s, 2.0 * lam)
    nz = lam != 0
    lam_s = np.where(nz, lam, 1.0)
    return np.where(nz, np.expm1(x) / (2.0 * lam_s), s[:, None])


def _exp_neg(x: np.ndarray) -> np.ndarray:
    """e^x for x <= 0, in place, with x raised to at least _EXP_FLOOR (see there)."""
    np.maximum(x, _EXP_FLOOR, out=x)
    return np.exp(x, out=x)


def _inv_lower(C: np.ndarray) -> np.ndarray:
    """Inverses of a batch (T, n, n) of lower-triangular matrices.

    By the block formula [[A, 0], [B, D]]⁻¹ = [[A⁻¹, 0], [−D⁻¹ B A⁻¹, D⁻¹]], recursively, so the
    work is in batched matmuls (np.linalg.inv/solve would do a full LU of each triangular matrix:
    3–5× slower here; scipy's batched solve_triangular loops in Python); blocks of size ≤ 12 by
    forward substitution, one row for the whole batch at a time.  A batch of one or two goes to
    LAPACK's trtri directly (fewer calls).
    """
    T, n = C.shape[0], C.shape[-1]
    if T <= 2:
        from scipy.linalg.lapack import dtrtri as _dtrtri

        out = np.empty_like(C)
        for k in range(T):
            out[k], info = _dtrtri(C[k], lower=1)
            if info != 0:
                raise np.linalg.LinAlgError("singular triangular factor")
        return out
    if n <= 12:
        out = np.zeros_like(C)
        dinv = 1.0 / C[:, np.arange(n), np.arange(n)]
        out[:, 0, 0] = dinv[:, 0]
        for i in range(1, n):
            out[:, i, i] = dinv[:, i]
            row = np.matmul(C[:, i:i + 1, :i], out[:, :i, :i])[:, 0, :]
            np.multiply(row, -dinv[:, i, None], out=out[:, i, :i])
        return out
    h = n // 2
    Ai = _inv_lower(C[:, :h, :h])
    Di = _inv_lower(C[:, h:, h:])
    out = np.zeros_like(C)
    out[:, :h, :h] = Ai
    out[:, h:, h:] = Di
    out[:, h:, :h] = -(Di @ (C[:, h:, :h] @ Ai))
    return out


def _chunk_factors(pl: _Plan, s: np.ndarray, want: tuple[str, ...]):
    """For times s (c,): {side: W_sideᵀ (c, N_h, n_side)} with QQᵀ blocks W_r W_cᵀ, or, when
    some Ã is not numerically positive definite (a mode within rounding of the saddle), the
    whole chunk's QQᵀ (c, N, N) solved by LU."""
    c, n_h = s.size, pl.L.shape[1]
    idx = np.arange(n_h)
    smax = float(s.max())
    if pl.sep_slope * smax + pl.sep_offset + np.log1p(smax) <= _SEPARABLE_LOG:
        YgT = pl.LT * _w(pl.lam, s)[:, None, :]                             # (c, N_h, N)
        A = (YgT.reshape(c * n_h, -1) @ pl.L).reshape(c, n_h, n_h)
        A[:, idx, idx] += 1.0
        XT = pl.LT * np.exp(np.multiply.outer(s, pl.lam))[:, None, :]      # (e^{Λs} L)ᵀ
    else:
        YpT = np.multiply.outer(s, pl.expoT)                                # (c, N_h, N)
        if smax * pl.expo_min < _EXP_FLOOR:
            np.maximum(YpT, _EXP_FLOOR, out=YpT)
        np.exp(YpT, out=YpT)
        YpT *= pl.LT                                                        # Ŷ'ᵀ
        YgT = YpT * (0.5 * _g(pl.abs_lam[None, :], s[:, None]))[:, None, :]
        A = YgT @ np.swapaxes(YpT, 1, 2)                                    # (c, N_h, N_h)
        # the diagonal term e^{-2ês} is never floored: with tiny weights the rest of Ã can be
        # far below e^{_EXP_FLOOR} (it scales like ‖W‖²/‖Σyx‖), and a floored diagonal would
        # then dominate it; exp of an exponent ≤ 0 underflows to 0, which is harmless here
        A[:, idx, idx] += np.exp(np.multiply.outer(s, -2.0 * pl.ehat))
        XT = YpT
        XT *= _exp_neg(np.multiply.outer(s, pl.lam_neg))[:, None, :]        # (e^{min(Λ,0)s} Ŷ')ᵀ
    d = np.sqrt(A[:, idx, idx])
    d = np.where(d > 0, d, 1.0)
    A /= d[:, :, None]
    A /= d[:, None, :]
    A[np.abs(A) < _FLUSH] = 0.0        # keeps the Cholesky and the inverse free of denormals
    XT2 = XT.reshape(c * n_h, -1)
    ZT = {k: (XT2 @ pl.PT[k]).reshape(c, n_h, -1) for k in want}            # ((P X)_side)ᵀ
    try:
        C = np.linalg.cholesky(A)
        CiD = _inv_lower(C)
    except np.linalg.LinAlgError:
        ZsT = (XT2 @ np.hstack([pl.PT["i"], pl.PT["o"]])).reshape(c, n_h, -1) / d[:, :, None]
        return np.ascontiguousarray(np.swapaxes(ZsT, 1, 2)) @ np.linalg.solve(A, ZsT)
    CiD /= d[:, None, :]
    return {k: CiD @ v for k, v in ZT.items()}


def _evaluate(pl: _Plan, s: np.ndarray, block: str | None = None) -> np.ndarray:
    """QQᵀ (or one block of it) at scaled times s = t/τ (1-D): array (T, rows, cols)."""
    n_i, n_o = pl.n_i, pl.n_o
    size = {"i": n_i, "o": n_o}
    sl = {"i": slice(0, n_i), "o": slice(n_i, n_i + n_o)}
    if n_i + n_o <= _WHOLE_MAX:
        # small networks: the whole QQᵀ in fewer, larger batched calls (the per-matrix overhead
        # of numpy's batched calls, not arithmetic, is the cost here); a block is sliced from it
        X = _evaluate_whole(pl, s)
        if block is None:
            return X
        r, c_ = BLOCKS[block]
        return np.ascontiguousarray(X[:, sl[r], sl[c_]])
    pairs = [("i", "i"), ("o", "i"), ("o", "o")] if block is None else [BLOCKS[block]]
    want = tuple(sorted({k for p in pairs for k in p}))
    if block is None:
        out = np.empty((s.size, n_i + n_o, n_i + n_o))
    else:
        r, c_ = BLOCKS[block]
        out = np.empty((s.size, size[r], size[c_]))
    with np.errstate(under="ignore"):
        chunk = _chunk_size(pl)
        for c0 in range(0, s.size, chunk):
            c1 = min(c0 + chunk, s.size)
            WT = _chunk_factors(pl, s[c0:c1], want)
            o = out[c0:c1]
            if isinstance(WT, np.ndarray):          # LU fallback: the whole QQᵀ of the chunk
                X = 0.5 * (WT + np.swapaxes(WT, 1, 2))
                o[...] = X if block is None else X[:, sl[pairs[0][0]], sl[pairs[0][1]]]
                continue
            W = {k: np.ascontiguousarray(np.swapaxes(v, 1, 2)) for k, v in WT.items()}
            for r, c_ in pairs:
                dst = o if block is not None else o[:, sl[r], sl[c_]]
                if block == "W1TW2T":       # as the whole matrix has it: (W_o W_iᵀ)ᵀ
                    dst[...] = np.swapaxes(W["o"] @ WT["i"], 1, 2)
                    continue
                X = W[r] @ WT[c_]
                if r == c_:
                    np.add(X, np.swapaxes(X, 1, 2), out=dst)
                    dst *= 0.5
                else:
                    dst[...] = X
                    if block is None:
                        o[:, sl[c_], sl[r]] = np.swapaxes(X, 1, 2)
    return out


def _evaluate_whole(pl: _Plan, s: np.ndarray) -> np.ndarray:
    """The whole QQᵀ = W Wᵀ at scaled times s, W = P X (C⁻¹ D⁻¹)ᵀ in one piece: array (T, N, N),
    symmetrised."""
    N = pl.n_i + pl.n_o
    out = np.empty((s.size, N, N))
    with np.errstate(under="ignore"):
        chunk = _chunk_size(pl)
        for c0 in range(0, s.size, chunk):
            c1 = min(c0 + chunk, s.size)
            WT = _chunk_factors(pl, s[c0:c1], ("all",))
            X = WT if isinstance(WT, np.ndarray) else (
                np.ascontiguousarray(np.swapaxes(WT["all"], 1, 2)) @ WT["all"])
            o = out[c0:c1]
            np.add(X, np.swapaxes(X, 1, 2), out=o)
            o *= 0.5
    return out


def _evaluate_one(pl: _Plan, s: float, block: str | None):
    """QQᵀ (or one block) at one scaled time s, with 2-D products and LAPACK called directly
    (the batched path's per-call overheads dominate at one time); None when Ã is not
    numerically positive definite (then the batched path's LU fallback decides)."""
    from scipy.linalg.lapack import dpotrf, dtrtrs

    n_i, n_h = pl.n_i, pl.L.shape[1]
    idx = np.arange(n_h)
    with np.errstate(under="ignore"):
        if pl.sep_slope * s + pl.sep_offset + np.log1p(s) <= _SEPARABLE_LOG:
            w = _w(pl.lam, np.array([s]))[0]
            A = (pl.LT * w) @ pl.L
            A[idx, idx] += 1.0
            XT = pl.LT * np.exp(s * pl.lam)
        else:
            YpT = s * pl.expoT
            if s * pl.expo_min < _EXP_FLOOR:
                np.maximum(YpT, _EXP_FLOOR, out=YpT)
            np.exp(YpT, out=YpT)
            YpT *= pl.LT
            A = (YpT * (0.5 * _g(pl.abs_lam, np.array(s)))) @ YpT.T
            A[idx, idx] += np.exp(-2.0 * s * pl.ehat)      # never floored (see above)
            XT = YpT
            XT *= _exp_neg(s * pl.lam_neg)
        d = np.sqrt(A[idx, idx])
        d[d <= 0] = 1.0
        A /= d[:, None]
        A /= d
        A[np.abs(A) < _FLUSH] = 0.0
        C, info = dpotrf(A, lower=1, clean=1)
        if info != 0:
            return None
        XT /= d[:, None]
        sides = ("i", "o") if block is None else tuple(sorted(set(BLOCKS[block])))
        WT = {}
        for k in sides:
            WT[k], info = dtrtrs(C, XT @ pl.PT[k], lower=1)
            if info != 0:
                return None
    # (numpy runs Wᵀ @ W on a transposed view through a slow syrk path: contiguous copies)
    W = {k: np.ascontiguousarray(v.T) for k, v in WT.items()}
    if block is not None:
        r, c = BLOCKS[block]
        if block == "W1TW2T":
            return np.ascontiguousarray((W["o"] @ WT["i"]).T)
        X = W[r] @ WT[c]
        if r == c:
            X += X.T
            X *= 0.5
        return X
    n_o = pl.n_o
    out = np.empty((n_i + n_o, n_i + n_o))
    for (r, c), (rs, cs) in (((("i", "i")), (slice(0, n_i), slice(0, n_i))),
                             ((("o", "i")), (slice(n_i, None), slice(0, n_i))),
                             ((("o", "o")), (slice(n_i, None), slice(n_i, None)))):
        X = W[r] @ WT[c]
        if r == c:
            np.add(X, X.T, out=out[rs, cs])
            out[rs, cs] *= 0.5
        else:
            out[rs, cs] = X
            out[cs, rs] = X.T
    return out


class QQT:
    """QQᵀ(t) of gradient flow from one λ-balanced initialisation, set up once and evaluated at
    any times (Theorem B.5 generalised, the stable graded form of the module docstring).

    The set-up (validation, the eigensystem of F, the graded factorisation of PᵀQ(0), and for a
    mode near the saddle the alternatives of the rounding check) is done once in the
    constructor; :meth:`at` then costs a few dense products per time.  :func:`qqt` is
    ``QQT(W1, W2, sigma_yx, tau).at(t)``.

    Arguments:
        W1, W2, sigma_yx, tau: as for :func:`qqt`.

    Attributes:
        n_i, n_h, n_o: layer sizes.  tau: τ.  lam: the balance λ read from the weights.

    Raises:
        InvalidArgument, NotBalancedError, ArchitectureError: as for :func:`qqt`.
    """

    def __init__(self, W1, W2, sigma_yx, tau=1.0):
        W1 = as_array("W1", W1, ndim=2)
        W2 = as_array("W2", W2, ndim=2)
        n_i, n_h, n_o = layer_shapes(W1, W2)
        S = check_sigma_yx(sigma_yx, n_i, n_o)
        tau = as_scalar("tau", tau, positive=True)
        lam = read_lambda(W1, W2, sigma_yx=S)
        check_architecture(n_i, n_h, n_o, lam, require_a3=True)
        self._setup(W1, W2, task_eigensystem(S, lam), tau)

    def _setup(self, W1, W2, es: TaskEigensystem, tau: float) -> None:
        self.n_h, self.n_i = W1.shape
        self.n_o = W2.shape[0]
        self.tau, self.lam = tau, es.lam
        M = es.P.T @ np.vstack([W1.T, W2])
        gr = _graded(M, es.eigenvalues, es.P)
        self._plan = _plan(gr, es, self.n_i, self.n_o)
        self._alts: list[_Plan] = []
        self._smin = 0.0
        # ‖M‖₂ ≤ ‖M‖_F: the 2-norm (an SVD) is needed only when a pivot is below 1e-6 ‖M‖_F
        smin = float(np.min(gr.pivot_sv, initial=np.inf))
        if smin < _SMALL_PIVOT * float(np.linalg.norm(M)):
            normM = float(np.linalg.norm(M, 2))
        else:
            normM = 0.0
        if normM > 0 and smin < _SMALL_PIVOT * normM:
            self._smin = float(np.min(gr.pivot_sv)) / normM
            self._alts = [_plan(g, es, self.n_i, self.n_o)
                          for g in _saddle_alternatives(M, es, gr, normM)]

    def at(self, t, block: str | None = None) -> np.ndarray:
        """QQᵀ at time(s) t, or only one block of it.

        Arguments:
            t: time >= 0, scalar or 1-D array of length T.
            block: None (the whole QQᵀ), or "W2W1" (N_o × N_i), "W1TW1" (N_i × N_i),
                "W2W2T" (N_o × N_o), "W1TW2T" (N_i × N_o): the same numbers as the
                corresponding block of the whole matrix, computed without the other blocks.

        Returns:
            float64 array (rows, cols) for scalar t, (T, rows, cols) for 1-D t.  The value at a
            given t does not depend on the other times asked for, except in rounding (≲ 1e-15
            relative: the form and the batched kernels used depend on the chunk of times).

        Raises:
            InvalidArgument: t negative, not finite or not 0-/1-D; an unknown block.
            SingularError: as for :func:`qqt`.
        """
        times = as_times("t", t)
        if block is not None and (not isinstance(block, str) or block not in BLOCKS):
            raise InvalidArgument(f"block must be None or one of {sorted(BLOCKS)}; got "
                                  f"{block!r}.")
        s = _rescaled(times, self.tau)
        n = self.n_i + self.n_o
        check_size("QQᵀ", s.size * n * n, "ask for fewer times at once, or for one block")
        if times.ndim == 0 and not self._alts:
            X = _evaluate_one(self._plan, float(s[0]), block)
            if X is not None:
                return X
        if not self._alts:
            X = _evaluate(self._plan, s, block)
        else:
            X = _evaluate(self._plan, s)
            _saddle_check(self, X, s)
            if block is not None:
                r, c = BLOCKS[block]
                sl = {"i": slice(0, self.n_i), "o": slice(self.n_i, self.n_i + self.n_o)}
                X = np.ascontiguousarray(X[:, sl[r], sl[c]])
        return X[0] if times.ndim == 0 else X

    at = boundary(at)
    __call__ = at


@boundary
def qqt(W1, W2, sigma_yx, t, tau=1.0) -> np.ndarray:
    """QQᵀ(t) of gradient flow from λ-balanced (W1, W2), in closed form (Theorem B.5, generalised).

    QQᵀ = [[W1ᵀW1, W1ᵀW2ᵀ], [W2W1, W2W2ᵀ]] at time t under τ dW1/dt = W2ᵀ(Σyx − W2W1),
    τ dW2/dt = (Σyx − W2W1)W1ᵀ (whitened inputs), evaluated with the stable graded form described
    in the module docstring: batched over t, no overflow for any t ≥ 0, valid for every λ
    (including λ = 0 with N_i ≠ N_o, where F has a zero eigenvalue) and for singular B.
    ``QQT(W1, W2, sigma_yx, tau).at(t)``; construct :class:`QQT` once to evaluate the same
    initialisation repeatedly, or to ask for one block only.

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
    q = QQT.__new__(QQT)
    q._setup(W1, W2, es, tau)
    return q.at(times)


def _saddle_alternatives(M, es: TaskEigensystem, gr: _Graded, normM) -> list[_Graded]:
    """Two factorisations float64 cannot tell apart from M's: M plus a random perturbation of
    relative size 1e-15, and (if some pivot is at rounding level, ≤ _NOISE_PIVOT ‖M‖, e.g. the
    entries of an exactly singular B) M with those pivots set to exactly zero (the mode then
    stays at the saddle for ever; re-factored with a rank tolerance, so the truncated
    components are dropped consistently)."""
    rng = np.random.default_rng(20250214)
    dM = rng.standard_normal(M.shape)
    alts = [_graded(M + dM * (_PERTURB * np.linalg.norm(M) / np.linalg.norm(dM)),
                    es.eigenvalues, es.P)]
    if np.any((gr.pivot_sv > 0) & (gr.pivot_sv <= _NOISE_PIVOT * normM)):
        alts.append(_graded(M, es.eigenvalues, es.P, rank_tol=_NOISE_PIVOT * normM))
    return alts


def _saddle_check(q: "QQT", X, s) -> None:
    """Raise SingularError where QQᵀ(t) depends on rounding-level details of a saddle mode.

    The alternatives of :func:`_saddle_alternatives` (inputs float64 cannot tell apart from
    PᵀQ(0)) are evaluated at the same times; where either differs from X by more than
    SADDLE_RTOL (relative, Frobenius), raise.
    """
    den = np.maximum(np.linalg.norm(X, axis=(1, 2)), np.finfo(float).tiny)
    rel = np.zeros(s.size)
    for pa in q._alts:
        Xa = _evaluate(pa, s)
        rel = np.maximum(rel, np.linalg.norm(Xa - X, axis=(1, 2)) / den)
    bad = ~(rel <= SADDLE_RTOL)
    if np.any(bad):
        i = int(np.flatnonzero(bad)[np.argmin(s[bad])])  # smallest failing t
        tau = q.tau
        raise SingularError(
            f"t = {s[i] * tau:.6g}: the initialisation has a mode at or within rounding of the "
            f"saddle (B of eq 10 is singular or nearly so; smallest pivot singular value of "
            f"PᵀQ(0) = {q._smin:.2g} relative to ‖PᵀQ(0)‖), i.e. a mode anti-aligned with the "
            f"task; at λ = 0 it stays at the saddle in exact arithmetic (e.g. square networks "
            f"with det(W2W1)·det(Σyx) < 0). By this time QQᵀ changes by {rel[i]:.2g} (relative; "
            f"allowed {SADDLE_RTOL:.0e}) between inputs float64 cannot tell apart (a 1e-15 "
            f"perturbation, or the mode's rounding-level growth component set to 0): whether and "
            f"when it leaves the saddle is decided by digits below float64 resolution. Restrict "
            f"t to below {s[i] * tau:.6g}, or use the mpmath reference numerics.mp qqt(...) "
            f"with exact weights, or integrate with gradient_flow(...)."
        )


# --------------------------------------------------------------------------------------------
# Theorem B.5 as printed (eq 77), for checking the paper's formula
# --------------------------------------------------------------------------------------------
@boundary
def qqt_b5(W1, W2, sigma_yx, t, tau=1.0) -> np.ndarray:
    """Theorem B.5 (eq 77) as printed, batched over t with merged exponentials.

    QQᵀ = Z̃ Ã⁻¹ Z̃ᵀ with Z̃, Ã of the paper; e^{λ_⊥t}·e^{−S_λ t} and e^{−S_λ t}e^{2λ_⊥t}e^{−S_λ t}
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
    s = _rescaled(times, tau)
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
