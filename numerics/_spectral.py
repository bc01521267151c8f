"""Lemma 4.2 (eqs 8–9) = Lemma B.3: the matrix F of eq 6 and its eigendecomposition.

F = [[−λ/2 I_Ni, Σyxᵀ], [Σyx, λ/2 I_No]] is symmetric with eigenvalues ±S_λ (S_λ = sqrt(s̃² + λ²/4),
one pair per singular value of Σyx) and |N_o − N_i| copies of λ_⊥ = sgn(N_o − N_i)·λ/2, and
F = P Λ Pᵀ with P orthogonal.

Rank-deficient tasks: a zero singular value s̃_α = 0 gives S_λ,α = |λ|/2 and H_α = sgn(λ)
(G_α = 1/√2), so one of G ± HG vanishes and the pair of columns of P becomes [0; ũ_α], [ṽ_α; 0]
(λ > 0) or [ṽ_α; 0], [0; −ũ_α] (λ < 0).  At λ = 0 both eigenvalues of the pair are 0.  The
singular vectors of a zero singular value are only defined up to a rotation of the null spaces,
so B, C of eqs 10–11 (and whether B is invertible) depend on that arbitrary choice there; QQᵀ(t)
does not.

Private module; the lead decides the export.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._errors import InvalidArgument
from ._validate import as_array, as_scalar, boundary, check_size


def _task(sigma_yx) -> np.ndarray:
    S = as_array("sigma_yx", sigma_yx, ndim=2)
    if 0 in S.shape:
        raise InvalidArgument(f"sigma_yx has shape {S.shape}: a task needs at least one "
                              f"input and one output (Σyx is N_o × N_i).")
    check_size("F", (S.shape[0] + S.shape[1]) ** 2, "use a smaller task")
    return S

__all__ = ["TaskEigensystem", "f_matrix", "task_eigensystem"]


@boundary
def f_matrix(sigma_yx, lam) -> np.ndarray:
    """The matrix F of eq 6 (Lemma 4.1 / B.1).

    Arguments:
        sigma_yx: (N_o, N_i) input–output correlation Σyx.
        lam: the balance λ (float).

    Returns:
        F: (N_i + N_o, N_i + N_o) symmetric float64 array
        [[−λ/2 I_Ni, Σyxᵀ], [Σyx, λ/2 I_No]].

    Raises:
        InvalidArgument: sigma_yx not a finite 2-D array, or lam not a finite scalar.
    """
    S = _task(sigma_yx)
    lam = as_scalar("lam", lam)
    n_o, n_i = S.shape
    F = np.zeros((n_i + n_o, n_i + n_o))
    F[:n_i, :n_i] = -0.5 * lam * np.eye(n_i)
    F[n_i:, n_i:] = 0.5 * lam * np.eye(n_o)
    F[:n_i, n_i:] = S.T
    F[n_i:, :n_i] = S
    return F


@dataclass(frozen=True, eq=False)
class TaskEigensystem:
    """Lemma 4.2 quantities for one task Σyx = Ũ S̃ Ṽᵀ and one λ (arrays are read-only).

    Attributes (N_m = min(N_i, N_o), N = N_i + N_o, n_perp = |N_o − N_i|):
        lam: λ.
        U_tilde: (N_o, N_m) left singular vectors Ũ.
        s_tilde: (N_m,) singular values S̃ (descending, >= 0; zeros allowed).
        V_tilde: (N_i, N_m) right singular vectors Ṽ.
        U_perp: (N_o, n_perp) completion of Ũ if N_o > N_i, else zeros.
        V_perp: (N_i, n_perp) completion of Ṽ if N_i > N_o, else zeros.
        S_lambda: (N_m,) S_λ = sqrt(s̃² + λ²/4).
        H: (N_m,) H = (λ/2)/(S_λ + s̃) (= 2(S_λ − s̃)/λ = sgn λ·sqrt((S_λ−s̃)/(S_λ+s̃)); 0 at λ=0).
        G: (N_m,) G = 1/sqrt(1 + H²).
        lambda_perp: λ_⊥ = sgn(N_o − N_i)·λ/2 (scalar; 0.0 for square shapes).
        n_perp: |N_o − N_i|, the multiplicity of λ_⊥.
        P: (N, N) orthogonal eigenvector matrix of eq 8.
        eigenvalues: (N,) diagonal of Λ = [S_λ, −S_λ, λ_⊥·1_{n_perp}], so F = P diag(Λ) Pᵀ.
    """

    lam: float
    U_tilde: np.ndarray
    s_tilde: np.ndarray
    V_tilde: np.ndarray
    U_perp: np.ndarray
    V_perp: np.ndarray
    S_lambda: np.ndarray
    H: np.ndarray
    G: np.ndarray
    lambda_perp: float
    n_perp: int
    P: np.ndarray
    eigenvalues: np.ndarray

    @property
    def GmHG(self) -> np.ndarray:
        """(N_m,) diagonal of G − HG."""
        return self.G * (1.0 - self.H)

    @property
    def GpHG(self) -> np.ndarray:
        """(N_m,) diagonal of G + HG."""
        return self.G * (1.0 + self.H)


def _readonly(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a, dtype=np.float64)
    a.setflags(write=False)
    return a


@boundary
def task_eigensystem(sigma_yx, lam) -> TaskEigensystem:
    """Eigendecomposition of F (Lemma 4.2, eqs 8–9) from the SVD of Σyx.

    Arguments:
        sigma_yx: (N_o, N_i) input–output correlation Σyx (finite).
        lam: the balance λ (finite float).

    Returns:
        TaskEigensystem with P orthogonal and F = P diag(eigenvalues) Pᵀ (to rounding).
        H is computed as (λ/2)/(S_λ + s̃), which has no cancellation (unlike 2(S_λ − s̃)/λ)
        and is exactly 0 at λ = 0 (also when s̃ = 0).

    Raises:
        InvalidArgument: non-finite or non-2-D sigma_yx, non-finite lam.
    """
    S = _task(sigma_yx)
    lam = as_scalar("lam", lam)
    n_o, n_i = S.shape
    n_m = min(n_i, n_o)
    U, s, Vt = np.linalg.svd(S, full_matrices=True)
    V = Vt.T
    U_t, V_t = U[:, :n_m], V[:, :n_m]
    n_perp = abs(n_o - n_i)
    if n_o > n_i:
        U_perp, V_perp = U[:, n_m:], np.zeros((n_i, n_perp))
    elif n_i > n_o:
        U_perp, V_perp = np.zeros((n_o, n_perp)), V[:, n_m:]
    else:
        U_perp, V_perp = np.zeros((n_o, 0)), np.zeros((n_i, 0))
    half = 0.5 * lam
    S_lam = np.hypot(s, half)
    den = S_lam + s
    H = np.divide(half, den, out=np.zeros_like(s), where=den > 0)
    G = 1.0 / np.sqrt(1.0 + H * H)
    lam_perp = float(np.sign(n_o - n_i)) * half if n_perp else 0.0
    r2 = np.sqrt(0.5)
    P = np.block([
        [r2 * V_t * (G - H * G), r2 * V_t * (G + H * G), V_perp],
        [r2 * U_t * (G + H * G), -r2 * U_t * (G - H * G), U_perp],
    ])
    eig = np.concatenate([S_lam, -S_lam, np.full(n_perp, lam_perp)])
    return TaskEigensystem(
        lam=lam, U_tilde=_readonly(U_t), s_tilde=_readonly(s), V_tilde=_readonly(V_t),
        U_perp=_readonly(U_perp), V_perp=_readonly(V_perp), S_lambda=_readonly(S_lam),
        H=_readonly(H), G=_readonly(G), lambda_perp=lam_perp + 0.0, n_perp=n_perp,
        P=_readonly(P), eigenvalues=_readonly(eig))
