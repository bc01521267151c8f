"""A restructured evaluation of numerics.qqt's stable form, to quantify a suggested speed-up.

Not used by the library: numerics/_qqt.py belongs to its owner.  This evaluates exactly the
formula of ``numerics._qqt._evaluate`` (module docstring there) from the same time-independent
graded factorisation (``numerics._qqt._graded``), with three changes of the order of operations:

1. Ã = diag(e^{−2êt}) + ½ Ŷ'ᵀ diag(g) Ŷ' as one batched matmul of contiguous operands instead
   of the three-operand ``einsum("tij,ti,tik->tjk")`` (numpy's einsum does not call BLAS for it);
2. the eigenbasis P and the diagonal e^{min(Λ,0)t} are applied to the N × N_h factor *before*
   the solve, Z = P · diag(e^{min(Λ,0)t}) Ŷ (cost T·N²·N_h), so QQᵀ = Z Ã⁻¹ Zᵀ needs no
   (T, N, N) × (N, N) products (2·T·N³) and no transposed-view operand (numpy 2.x runs
   batched matmul with a transposed view operand without BLAS, ~15× slower);
3. Ã (symmetric positive definite after the diagonal scaling) is factored by Cholesky,
   W = L⁻¹ Zᵀ, QQᵀ = Wᵀ W, which is symmetric positive semi-definite by construction (no
   symmetrisation pass over the (T, N, N) result).

It skips the saddle check (``numerics.qqt`` runs it only for a pivot < 1e-6‖M‖; the benchmark
problems have none) and input validation beyond what ``numerics._qqt._prepare`` does.
"""

from __future__ import annotations

import numpy as np
from lazyrich.numerics._qqt import _g, _graded, _prepare  # read-only use of the private helpers


def qqt_restructured(W1, W2, sigma_yx, t, tau=1.0) -> np.ndarray:
    """Same result as ``numerics.qqt`` (to rounding) for inputs without a saddle mode.

    Arguments, Returns: as ``numerics.qqt``.
    """
    W1, W2, es, times, tau = _prepare(W1, W2, sigma_yx, t, tau)
    s = np.atleast_1d(times) / tau
    M = es.P.T @ np.vstack([W1.T, W2])
    gr = _graded(M, es.eigenvalues, es.P)
    lam, L, eh = gr.lam, gr.L, gr.ehat
    n_h = L.shape[1]
    idx = np.arange(n_h)
    with np.errstate(under="ignore"):
        expo = np.minimum(np.maximum(lam, 0.0)[:, None] - eh[None, :], 0.0)      # (N, N_h)
        Yp = L[None] * np.exp(expo[None] * s[:, None, None])                      # (T, N, N_h)
        g = _g(np.abs(lam)[None, :], s[:, None])                                  # (T, N)
        YpT = np.ascontiguousarray(np.swapaxes(Yp * (0.5 * g)[:, :, None], 1, 2))
        At = YpT @ Yp                                                             # (T, N_h, N_h)
        At[:, idx, idx] += np.exp(-2.0 * eh[None, :] * s[:, None])
        d = np.sqrt(At[:, idx, idx])
        d = np.where(d > 0, d, 1.0)
        As = At / (d[:, :, None] * d[:, None, :])
        Dm = np.exp(np.minimum(lam, 0.0)[None, :] * s[:, None])                  # (T, N)
        Z = gr.P @ ((Dm[:, :, None] / d[:, None, :]) * Yp)                        # (T, N, N_h)
        C = np.linalg.cholesky(As)                                                # lower
        # (scipy's batched solve_triangular loops per matrix in Python: 30× slower here)
        Wt = np.linalg.solve(C, np.ascontiguousarray(np.swapaxes(Z, 1, 2)))     # L⁻¹ Zᵀ
        X = np.ascontiguousarray(np.swapaxes(Wt, 1, 2)) @ Wt                     # (T, N, N)
    return X[0] if times.ndim == 0 else X
