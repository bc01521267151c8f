"""Eq (1) of Tu, Aranguri & Jacot (2024), the self-consistent dynamics, solved exactly.

Eq (1) (time in units where η = 1, c = σ²w, ∇C(A) = A − target):

    dA/dt = −( √(AAᵀ + c²I) (A − target) + (A − target) √(AᵀA + c²I) ).

The bridge (claim ``tu2024.bridge``).  For square λ-balanced weights (W2ᵀW2 − W1W1ᵀ = λI,
N_i = N_h = N_o) Theorem 5.2 of Dominé et al. gives W2W2ᵀ = √(AAᵀ + λ²/4 I) + λ/2 I and
W1ᵀW1 = √(AᵀA + λ²/4 I) − λ/2 I, and gradient flow moves A = W2W1 by

    dA/dt = −(W2W2ᵀ G + G W1ᵀW1) = −(√(AAᵀ+λ²/4) G + G √(AᵀA+λ²/4)) − (λ/2)(G − G),

so the ±λ/2 terms cancel and the function-space flow IS eq (1) with c = |λ|/2.  Hence eq (1)
from any square A0 is solved by: factor A0 into λ-balanced weights with λ = 2c
(:func:`numerics.weights_from_network`), evaluate Theorem 4.3 in its stable form
(:func:`numerics.qqt`, Σyx = target, τ = 1) and read the W2W1 block.  Both signs of λ give the
same A(t); c = 0 is the zero-balanced (λ = 0) flow.

:func:`self_consistent_ode` integrates eq (1) directly (scipy DOP853 on A, matrix square roots by
``eigh``); it shares no code with the closed form and is its referee.

Private module; the lead decides the export (``numerics.self_consistent``).
"""

from __future__ import annotations

import numpy as np
from scipy.integrate import solve_ivp

from .._errors import IntegrationError, InvalidArgument
from ._qqt import qqt
from ._validate import as_array, as_scalar, as_times
from ._weights import weights_from_network

__all__ = ["self_consistent", "self_consistent_rhs", "self_consistent_ode", "psd_sqrt"]

#: A λ = 2c at most this times max|A0| is below what float64 weights factorising A0 can carry
#: (their W2ᵀW2 − W1W1ᵀ is rounded at ~1e-16 max|A0|); such a c is solved as c = 0.
_C_BELOW_RESOLUTION = 1e-8


def _square(name: str, value) -> np.ndarray:
    arr = as_array(name, value, ndim=2)
    if arr.shape[0] != arr.shape[1] or arr.shape[0] == 0:
        raise InvalidArgument(
            f"{name} must be a non-empty square matrix (eq (1) is solved here for square "
            f"networks, d_in = d_out); got shape {arr.shape}. Pass a d × d array.")
    return arr


def _inputs(A0, target, c, t):
    A0 = _square("A0", A0)
    target = _square("target", target)
    if target.shape != A0.shape:
        raise InvalidArgument(
            f"target has shape {target.shape} but A0 has shape {A0.shape}; they must match "
            f"(A − target is the gradient of ½‖A − target‖²).")
    c = as_scalar("c", c)
    if c < 0:
        raise InvalidArgument(f"c must be >= 0 (c = σ²w, the lazy scale); got c = {c!r}. "
                              f"Pass |c| (eq (1) only depends on c²).")
    times = as_times("t", t)
    return A0, target, c, times


def self_consistent(A0, target, c, t) -> np.ndarray:
    """Exact solution of eq (1), dA/dt = −(√(AAᵀ+c²I)(A−target) + (A−target)√(AᵀA+c²I)).

    Evaluated through the bridge to λ-balanced gradient flow (module docstring): λ = 2c
    weights from A0 (Theorem 5.2), then Theorem 4.3 in the stable graded form of
    :func:`numerics.qqt` (no overflow for any c·t), the W2W1 block read off.

    Arguments:
        A0: (d, d) initial matrix A(0).
        target: (d, d) the target (Σyx, or Y for matrix denoising); ∇C(A) = A − target.
        c: c = σ²w >= 0 (c = 0: the balanced flow, gradient flow on zero-balanced weights).
            A c so small that λ = 2c is below the rounding of weights factorising A0
            (2c <= 1e-8 max|A0|, where float64 weights cannot be λ-balanced with it) is solved
            as c = 0; the two differ by O(c) in A(t) at all practical times.
        t: time(s) >= 0 (η = 1), scalar or 1-D array.

    Returns:
        float64 (d, d) for scalar t, (T, d, d) for 1-D t.

    Raises:
        InvalidArgument: A0 or target not square/finite or of different shapes, c < 0 or not
            finite, t negative or not finite.
        SingularError: c = 0 and A0 has a mode at (or within rounding of) the saddle, whose
            escape at the requested time float64 cannot decide (see numerics.qqt).
    """
    A0, target, c, times = _inputs(A0, target, c, t)
    d = A0.shape[0]
    try:
        W1, W2 = weights_from_network(A0, 2.0 * c)
    except InvalidArgument as exc:
        # λ = 2c below the float64 resolution of W2ᵀW2 − W1W1ᵀ: weights cannot carry it, and
        # eq (1) with such a c is the c = 0 flow to within O(c) at all practical times
        if not 0.0 < 2.0 * c <= _C_BELOW_RESOLUTION * float(np.max(np.abs(A0), initial=0.0)):
            raise type(exc)(f"c = {c!r} with A0 of size max|A0| = "
                            f"{float(np.max(np.abs(A0), initial=0.0)):.3g}: eq (1) is solved "
                            f"through λ-balanced weights with λ = 2c, and {exc}") from None
        W1, W2 = weights_from_network(A0, 0.0)
    X = qqt(W1, W2, target, times, 1.0)
    return X[..., d:, :d].copy()


def psd_sqrt(M: np.ndarray) -> np.ndarray:
    """Principal square root of symmetric positive semi-definite matrices (batched), by eigh.

    Arguments:
        M: (..., n, n) symmetric PSD (tiny negative eigenvalues from rounding are clipped).

    Returns:
        (..., n, n) array R = V diag(√μ) Vᵀ with RR = M.
    """
    M = 0.5 * (M + np.swapaxes(M, -1, -2))
    mu, V = np.linalg.eigh(M)
    return (V * np.sqrt(np.clip(mu, 0.0, None))[..., None, :]) @ np.swapaxes(V, -1, -2)


def self_consistent_rhs(A, target, c) -> np.ndarray:
    """Right-hand side of eq (1): −(√(AAᵀ+c²I) G + G √(AᵀA+c²I)), G = A − target (batched).

    Arguments:
        A: (..., d_out, d_in) current matrix.  target: broadcastable to A.  c: c = σ²w >= 0.

    Returns:
        dA/dt, shape of A.
    """
    A = np.asarray(A, dtype=np.float64)
    G = A - target
    c2 = float(c) ** 2
    At = np.swapaxes(A, -1, -2)
    left = psd_sqrt(A @ At + c2 * np.eye(A.shape[-2]))
    right = psd_sqrt(At @ A + c2 * np.eye(A.shape[-1]))
    return -(left @ G + G @ right)


def self_consistent_ode(A0, target, c, t, rtol=1e-12, atol=None) -> np.ndarray:
    """Reference: eq (1) integrated directly (scipy DOP853 on the entries of A).

    Arguments:
        A0: (d, d) initial matrix.  target: (d, d).  c: >= 0.  t: times >= 0 (scalar or 1-D).
        rtol: relative tolerance of the integrator.  atol: absolute tolerance (default
            rtol × 1e-3 × (‖A0‖_F + ‖target‖_F)).

    Returns:
        (d, d) for scalar t, (T, d, d) for 1-D t.

    Raises:
        InvalidArgument: as :func:`self_consistent`.
        IntegrationError: the integrator failed.
    """
    A0, target, c, times = _inputs(A0, target, c, t)
    d = A0.shape[0]
    tv = np.atleast_1d(times)
    if atol is None:
        atol = rtol * 1e-3 * (np.linalg.norm(A0) + np.linalg.norm(target) + 1e-300)
    order = np.argsort(tv)

    def f(_, y):
        return self_consistent_rhs(y.reshape(d, d), target, c).ravel()

    T = float(tv.max()) if tv.size else 0.0
    out = np.empty((tv.size, d, d))
    if T == 0.0:
        out[:] = A0
    else:
        sol = solve_ivp(f, (0.0, T), A0.ravel(), method="DOP853", t_eval=tv[order],
                        rtol=rtol, atol=atol)
        if not sol.success:
            raise IntegrationError(f"DOP853 failed on eq (1) (c = {c:g}, T = {T:g}): "
                                   f"{sol.message}. Try a smaller T or a looser rtol.")
        out[order] = sol.y.T.reshape(-1, d, d)
    return out[0] if times.ndim == 0 else out
