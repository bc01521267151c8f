"""Test instances that are λ-balanced to 50+ digits, for checks run in mpmath.

The float64 instances of ``_cases`` are balanced only to rounding (‖W2ᵀW2 − W1W1ᵀ − λI‖ ~ 1e-16),
which would cap a 50-digit comparison at 1e-16. Here the same task and network W2W1 are
re-factorised at ``dps`` digits (Theorem 5.2 with a Haar-random R orthogonal at that precision),
so identities that need exact balance hold to ~10^(−dps).
"""

from __future__ import annotations

import mpmath
import numpy as np

from lazyrich import numerics

from ._cases import instance


def mp_matrix(a) -> mpmath.matrix:
    """A numpy (float or object-of-mpf) 2-D array as an ``mpmath.matrix`` (values kept exactly)."""
    a = np.asarray(a, dtype=object)
    out = mpmath.matrix(a.shape[0], a.shape[1])
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            out[i, j] = mpmath.mpf(a[i, j])
    return out


def mp_balanced_instance(shape: str, lam: float, seed: int = 0, dps: int = 60):
    """(W1, W2, Σyx) with W2ᵀW2 − W1W1ᵀ = λI to ~10^(−dps).

    Arguments:
        shape, lam, seed: as in ``_cases.instance`` (same task Σyx and same product W2W1).
        dps: digits of the factorisation.

    Returns:
        (W1, W2, S): W1, W2 as numpy object arrays of mpf (shapes (N_h, N_i), (N_o, N_h)),
        S the float64 Σyx (exactly representable, so usable at any precision).
    """
    W1f, W2f, S = instance(shape, lam, seed)
    n_h = W1f.shape[0]
    with mpmath.workdps(dps):
        G = mpmath.matrix(np.random.default_rng(seed).standard_normal((n_h, n_h)).tolist())
        R, _ = mpmath.qr(G)
        R = np.array(R.tolist(), dtype=object)
        W1, W2 = numerics.mp.weights_from_network(W2f @ W1f, lam, R=R, dps=dps)
    return W1, W2, S


def mp_f_matrix(sigma_yx, lam) -> mpmath.matrix:
    """F of eq (6), [[−λ/2 I, Σyxᵀ], [Σyx, λ/2 I]], as an ``mpmath.matrix`` at the current
    precision (Σyx and λ taken exactly from their float64 values)."""
    S = np.asarray(sigma_yx, dtype=float)
    n_o, n_i = S.shape
    half = mpmath.mpf(lam) / 2
    F = mpmath.zeros(n_i + n_o, n_i + n_o)
    for i in range(n_o):
        for j in range(n_i):
            F[n_i + i, j] = F[j, n_i + i] = mpmath.mpf(S[i, j])
    for i in range(n_i):
        F[i, i] = -half
    for i in range(n_o):
        F[n_i + i, n_i + i] = half
    return F
