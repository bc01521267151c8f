"""The gradient-flow ODE on the weights, written for scipy's solvers (the benchmark's opponent).

State y = [vec(W1); vec(W2)] (row-major), whitened inputs (Σxx = I), τ = 1:

    dW1/dt = W2ᵀ G,   dW2/dt = G W1ᵀ,   G = Σyx − W2 W1.

:func:`rhs` accepts a batch of states (``vectorized=True`` in ``solve_ivp``: y of shape (n, k)),
so a finite-difference Jacobian costs one batched call.  :func:`jacobian` is the exact Jacobian
(dense, or scipy.sparse CSC for large states), so the implicit methods (Radau, LSODA in its BDF
mode) get their best case.  With row-major vec, vec(A X B) = (A ⊗ Bᵀ) vec(X):

    ∂(dW1)/∂W1 = −(W2ᵀW2 ⊗ I_i),        ∂(dW1)/∂W2 : dW2 ↦ dW2ᵀ G − W2ᵀ dW2 W1,
    ∂(dW2)/∂W1 : dW1 ↦ G dW1ᵀ − W2 dW1 W1ᵀ,   ∂(dW2)/∂W2 = −(I_o ⊗ W1W1ᵀ).
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp
from scipy.integrate import solve_ivp

__all__ = ["WeightFlow", "BudgetExceeded", "solve"]


class BudgetExceeded(RuntimeError):
    """Raised from inside the RHS when a solver run passes its wall-clock budget."""


class WeightFlow:
    """The weight ODE of a (n_o × n_h × n_i) network for a given Σyx.

    Arguments:
        sigma_yx: (n_o, n_i) input–output correlation.
        n_h: hidden width.
        deadline: optional ``time.perf_counter()`` value after which :meth:`rhs` and
            :meth:`jacobian` raise :class:`BudgetExceeded`.
    """

    def __init__(self, sigma_yx: np.ndarray, n_h: int, deadline: float | None = None):
        self.S = np.asarray(sigma_yx, dtype=np.float64)
        self.n_o, self.n_i = self.S.shape
        self.n_h = int(n_h)
        self.n1 = self.n_h * self.n_i
        self.size = self.n1 + self.n_o * self.n_h
        self.deadline = deadline
        self.nfev = 0
        self.njev = 0

    def _tick(self) -> None:
        if self.deadline is not None and time.perf_counter() > self.deadline:
            raise BudgetExceeded()

    def split(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(W1, W2) from states y of shape (n,) or (n, k): (…, n_h, n_i), (…, n_o, n_h)."""
        yk = np.moveaxis(np.atleast_2d(y.T).T, -1, 0)  # (k, n)
        W1 = yk[:, :self.n1].reshape(-1, self.n_h, self.n_i)
        W2 = yk[:, self.n1:].reshape(-1, self.n_o, self.n_h)
        return W1, W2

    def rhs(self, _t, y: np.ndarray) -> np.ndarray:
        """dy/dt for y of shape (n,) or a batch (n, k)."""
        self.nfev += 1
        self._tick()
        W1, W2 = self.split(y)
        G = self.S - W2 @ W1
        d1 = np.swapaxes(W2, 1, 2) @ G
        d2 = G @ np.swapaxes(W1, 1, 2)
        out = np.concatenate([d1.reshape(d1.shape[0], -1), d2.reshape(d2.shape[0], -1)], axis=1)
        return out[0] if y.ndim == 1 else out.T

    def jacobian(self, _t, y: np.ndarray, sparse: bool = False):
        """Exact ∂(dy/dt)/∂y at y (n,): dense (n, n) array, or CSC when ``sparse``."""
        self.njev += 1
        self._tick()
        W1, W2 = (a[0] for a in self.split(y))
        ni, nh, no = self.n_i, self.n_h, self.n_o
        G = self.S - W2 @ W1
        Ii, Io, Ih = np.eye(ni), np.eye(no), np.eye(nh)
        kron = sp.kron if sparse else np.kron
        J11 = -kron(W2.T @ W2, Ii)
        J22 = -kron(Io, W1 @ W1.T)
        # dW2 ↦ dW2ᵀ G: entry [(a, b), (o, c)] = δ_ca G_ob ;  dW2 ↦ −W2ᵀ dW2 W1 = −(W2ᵀ ⊗ W1ᵀ)
        J12 = (np.einsum("ca,ob->aboc", Ih, G).reshape(nh * ni, no * nh)
               - np.kron(W2.T, W1.T))
        # dW1 ↦ G dW1ᵀ: entry [(o, h), (h', i)] = δ_hh' G_oi ;  dW1 ↦ −W2 dW1 W1ᵀ = −(W2 ⊗ W1)
        J21 = (np.einsum("hk,oi->ohki", Ih, G).reshape(no * nh, nh * ni)
               - np.kron(W2, W1))
        if sparse:
            return sp.bmat([[J11, sp.csr_matrix(J12)], [sp.csr_matrix(J21), J22]],
                           format="csc")
        return np.block([[J11, J12], [J21, J22]])


def solve(flow: WeightFlow, W1: np.ndarray, W2: np.ndarray, times: np.ndarray, method: str,
          rtol: float = 1e-10, atol: float | None = None, use_jac: bool = True,
          budget: float | None = None) -> dict:
    """Integrate from (W1, W2) with ``solve_ivp(method)`` and return the weights at ``times``.

    Arguments:
        flow: the ODE.  W1, W2: initial weights.  times: sorted output times (> 0 at the end).
        method: "DOP853", "Radau", "LSODA", ...
        rtol: relative tolerance; atol: absolute (default 1e-2·rtol·max|y0|, as
            numerics.gradient_flow).
        use_jac: pass the exact Jacobian to the implicit methods (dense for states ≤ 2000,
            sparse CSC otherwise; LSODA only takes it dense, so none beyond 2000).
        budget: wall-clock seconds after which the run is abandoned.

    Returns:
        dict(seconds, status ("ok" | "budget" | "failed"), W1 (T, n_h, n_i), W2 (T, n_o, n_h),
        nfev, njev, message).
    """
    y0 = np.concatenate([W1.ravel(), W2.ravel()])
    if atol is None:
        atol = 1e-2 * rtol * float(np.max(np.abs(y0)))
    kw = {}
    if use_jac and method in ("Radau", "BDF", "LSODA"):
        sparse = flow.size > 2000
        if not (sparse and method == "LSODA"):
            kw["jac"] = (lambda t, y: flow.jacobian(t, y, sparse=True)) if sparse else flow.jacobian
    if method in ("Radau", "BDF"):
        kw["vectorized"] = True   # batched finite differences if no jac; harmless otherwise
    flow.nfev = flow.njev = 0
    start = time.perf_counter()
    flow.deadline = None if budget is None else start + budget
    try:
        sol = solve_ivp(flow.rhs, (0.0, float(times[-1])), y0, method=method, t_eval=times,
                        rtol=rtol, atol=atol, **kw)
    except BudgetExceeded:
        return {"seconds": time.perf_counter() - start, "status": "budget", "nfev": flow.nfev,
                "njev": flow.njev, "message": f"abandoned after {budget:g} s"}
    finally:
        flow.deadline = None
    seconds = time.perf_counter() - start
    if sol.status != 0 or sol.y.shape[1] != len(times):
        return {"seconds": seconds, "status": "failed", "nfev": flow.nfev, "njev": flow.njev,
                "message": sol.message}
    W1t, W2t = flow.split(sol.y)
    return {"seconds": seconds, "status": "ok", "W1": W1t, "W2": W2t, "nfev": flow.nfev,
            "njev": flow.njev, "message": sol.message}
