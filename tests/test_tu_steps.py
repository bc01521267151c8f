"""The per-step kernels of the Tu et al. (2024) phase-diagram sweep (numerics._tu_tasks).

* sc_euler_step (eq (1) through one eigh of AAᵀ) against sc_euler_step_svd (through an SVD of
  A): the same step to rounding, also where A is rank deficient and c is 0 or tiny (there the
  eigenvalues of AAᵀ alone would give √(σ² + c²) only to √ε‖A‖);
* gram_gd_step (both updates) against gradient descent on explicit weights.
"""

import numpy as np
import pytest

from lazyrich.numerics import _tu_tasks as tt


def _rel(a, b):
    return float(np.abs(a - b).max() / np.abs(b).max())


@pytest.mark.parametrize("d, rank, c", [(12, 12, 0.7), (30, 30, 1e-3), (30, 3, 0.0),
                                        (30, 3, 1e-9), (25, 25, 50.0), (40, 0, 0.2)])
def test_sc_step_eigh_matches_svd(d, rank, c):
    """Tolerance 1e-12: both are backward stable; measured ≲ 3e-15.  A mutant that takes
    √(μ + c²) from the eigenvalues μ of AAᵀ is off by ~2e-9 on the rank-deficient cases."""
    rng = np.random.default_rng(d + rank)
    A = (rng.standard_normal((d, rank)) @ rng.standard_normal((rank, d)) if rank
         else np.zeros((d, d))) * 2.0
    Y = rng.standard_normal((d, d))
    got = tt.sc_euler_step(A, Y, c, 0.01)
    ref = tt.sc_euler_step_svd(A, Y, c, 0.01)
    assert _rel(got, ref) < 1e-12


def test_sc_step_is_eq1_euler():
    """One step is A − η·(√(AAᵀ+c²) G + G √(AᵀA+c²)) with the square roots by eigh of each."""
    from lazyrich.numerics._self_consistent import self_consistent_rhs
    rng = np.random.default_rng(5)
    A, Y = rng.standard_normal((15, 15)), rng.standard_normal((15, 15))
    for c in (0.0, 0.3, 4.0):
        want = A + 0.02 * self_consistent_rhs(A, Y, c)
        assert _rel(tt.sc_euler_step(A, Y, c, 0.02), want) < 1e-12


@pytest.mark.parametrize("update", ["simultaneous", "sequential"])
def test_gram_gd_step_matches_weights(update):
    rng = np.random.default_rng(7)
    d, w, lr = 6, 9, 0.05
    W1, W2 = tt.iid_weights(d, w, 0.3, rng=rng)
    Y = rng.standard_normal((d, d))
    A, K1, K2 = W2 @ W1, W1.T @ W1, W2 @ W2.T
    for _ in range(5):
        G = W2 @ W1 - Y
        if update == "simultaneous":
            W1, W2 = W1 - lr * W2.T @ G, W2 - lr * G @ W1.T
        else:
            W1 = W1 - lr * W2.T @ G
            W2 = W2 - lr * G @ W1.T
        A, K1, K2 = tt.gram_gd_step(A, K1, K2, Y, lr, update)
    for got, want in ((A, W2 @ W1), (K1, W1.T @ W1), (K2, W2 @ W2.T)):
        assert _rel(got, want) < 1e-12
