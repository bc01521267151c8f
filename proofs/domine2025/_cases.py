"""Shared test instances for the numeric claims of Dominé et al. (2025).

Each instance is drawn with a fixed seed, inside the claim's assumptions (whitened task, λ-balanced
weights, N_h = min(N_i, N_o)), so results are reproducible and cacheable.
"""

from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp

from lazyrich import numerics

#: (N_i, N_h, N_o): square, funnel, inverted funnel, and two more unequal shapes.
SHAPES = {
    "square": (3, 3, 3),
    "funnel": (5, 3, 3),
    "inverted-funnel": (3, 3, 5),
    "funnel-4x2": (4, 2, 2),
    "inverted-2x6": (2, 2, 6),
}
#: Both signs of λ, zero, small and large.
LAMBDAS = (-3.0, -0.8, 0.0, 0.5, 2.0, 6.0)


def task(n_in: int, n_out: int, seed: int) -> np.ndarray:
    """A Σyx (N_o × N_i) with well-separated singular values in [0.5, 2.5]."""
    rng = np.random.default_rng(seed)
    m = min(n_in, n_out)
    U, _ = np.linalg.qr(rng.standard_normal((n_out, n_out)))
    V, _ = np.linalg.qr(rng.standard_normal((n_in, n_in)))
    s = np.linspace(2.5, 0.5, m)
    return U[:, :m] @ np.diag(s) @ V[:, :m].T


def b_matrix(W1: np.ndarray, W2: np.ndarray, sigma_yx: np.ndarray, lam: float) -> np.ndarray:
    """B of eq (10): W2ᵀŨ(G + HG) + W1Ṽ(G − HG)."""
    es = numerics.task_eigensystem(sigma_yx, lam)
    return (W2.T @ es.U_tilde) * es.GpHG + (W1 @ es.V_tilde) * es.GmHG


def instance(shape: str, lam: float, seed: int = 0, scale: float = 0.5):
    """(W1, W2, Σyx) for one shape and λ: generic (not task-aligned) λ-balanced weights.

    "Generic" means B of eq (10) is well conditioned (σ_min/σ_max > 0.05): at λ = 0 about half
    of random inits have an exactly singular B (a mode anti-aligned with the task, which stays
    at the saddle), which Theorems 4.3/C.3 exclude. Such draws are skipped deterministically.
    """
    n_i, n_h, n_o = SHAPES[shape]
    sigma_yx = task(n_i, n_o, 1000 + seed)
    for attempt in range(100):
        W1, W2 = numerics.lambda_balanced_init(lam, n_i, n_h, n_o, scale=scale,
                                               rng=seed * 100 + attempt)
        sv = np.linalg.svd(b_matrix(W1, W2, sigma_yx, lam), compute_uv=False)
        if sv[-1] > 0.05 * sv[0]:
            return W1, W2, sigma_yx
    raise RuntimeError(f"no generic init found for {shape}, λ = {lam}")


def rel_err(value, reference) -> float:
    """max |value − reference| / max |reference| (entrywise), computed in the reference's
    precision (mpmath object arrays stay in mpmath until the final ratio)."""
    value = np.asarray(value)
    reference = np.asarray(reference)
    diff = np.abs(value.astype(object) - reference) if reference.dtype == object else \
        np.abs(value - reference)
    scale = np.max(np.abs(reference))
    return float(np.max(diff) / scale) if float(scale) > 0 else float(np.max(diff))


def qqt_from_weights(W1: np.ndarray, W2: np.ndarray) -> np.ndarray:
    """QQᵀ = [[W1ᵀW1, W1ᵀW2ᵀ], [W2W1, W2W2ᵀ]] for weights stacked over a leading axis or not."""
    Q = np.concatenate([np.swapaxes(W1, -1, -2), W2], axis=-2)
    return Q @ np.swapaxes(Q, -1, -2)


def frob2(M):
    """Squared Frobenius norm of a SymPy Matrix (exact), an mpmath object array or a float array."""
    if isinstance(M, sp.MatrixBase):
        return sum(e**2 for e in M)
    M = np.asarray(M)
    if M.dtype == object:
        return mpmath.fsum(x * x for x in M.ravel())
    return float(np.sum(M * M))
