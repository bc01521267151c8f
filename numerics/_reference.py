"""Simulation references: gradient flow (ODE integration) and full-batch gradient descent.

These make no assumption on the initialisation (balanced or not) and, for gradient descent, none
on the data (Σxx need not be I).  They are the "truth" that the closed forms are checked against.

Gradient flow (spec §1), with Σxx = I unless given:

    τ dW1/dt = W2ᵀ (Σyx − W2 W1 Σxx),     τ dW2/dt = (Σyx − W2 W1 Σxx) W1ᵀ.

Private module; the public names are re-exported by ``numerics``.  New names defined here:
:class:`Trajectory` and :class:`IntegrationError` (a ``LazyrichError`` raised when the ODE solver
fails; it lives here).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
from scipy.integrate import solve_ivp

from .._errors import IntegrationError, InvalidArgument
from ._validate import as_array, as_scalar, as_times, check_sigma_yx, layer_shapes

__all__ = ["Trajectory", "IntegrationError", "gradient_flow", "gradient_descent"]

_EPS = np.finfo(np.float64).eps


@dataclass(frozen=True)
class Trajectory:
    """Weights along a training run.

    Attributes:
        t: times, shape (T,) (or a 0-d array for a single scalar time), in units where τ is the
            time constant (for gradient descent t = step · lr, i.e. τ = 1).
        W1: (T, N_h, N_i) — or (N_h, N_i) for a scalar time.
        W2: (T, N_o, N_h) — or (N_o, N_h) for a scalar time.
        loss: optional, shape (T,) (or 0-d): L = 1/(2P) Σ‖W2W1x − y‖² (gradient descent only).
    """

    t: np.ndarray
    W1: np.ndarray
    W2: np.ndarray
    loss: np.ndarray | None = None

    def product(self) -> np.ndarray:
        """The network function W2 W1: (T, N_o, N_i) (or (N_o, N_i) for a scalar time)."""
        return self.W2 @ self.W1

    def balance(self) -> np.ndarray:
        """The balanced computation W2ᵀW2 − W1W1ᵀ: (T, N_h, N_h) (or (N_h, N_h))."""
        return np.swapaxes(self.W2, -1, -2) @ self.W2 - self.W1 @ np.swapaxes(self.W1, -1, -2)

    def qqt(self) -> np.ndarray:
        """QQᵀ with Q = [W1ᵀ; W2] (eq 3): (T, N_i+N_o, N_i+N_o) (or 2-D for a scalar time).

        Blocks: [[W1ᵀW1, W1ᵀW2ᵀ], [W2W1, W2W2ᵀ]], the layout of ``numerics.qqt``.
        """
        Q = np.concatenate([np.swapaxes(self.W1, -1, -2), self.W2], axis=-2)
        return Q @ np.swapaxes(Q, -1, -2)


def _weights(W1, W2):
    W1 = as_array("W1", W1, ndim=2)
    W2 = as_array("W2", W2, ndim=2)
    return W1, W2, layer_shapes(W1, W2)


def _count(name: str, value, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InvalidArgument(f"{name} must be an integer >= {minimum}; got {value!r} "
                              f"({type(value).__name__}). Pass an int.")
    if value < minimum:
        raise InvalidArgument(f"{name} must be >= {minimum}; got {value}.")
    return int(value)


def gradient_flow(W1, W2, sigma_yx, t, tau=1.0, rtol=1e-12, sigma_xx=None) -> Trajectory:
    """Integrate gradient flow numerically from arbitrary initial weights.

    Solves τ dW1/dt = W2ᵀ(Σyx − W2W1Σxx), τ dW2/dt = (Σyx − W2W1Σxx)W1ᵀ with scipy's DOP853
    (explicit Runge–Kutta of order 8) from t = 0, with the requested relative tolerance ``rtol``
    and absolute tolerance 1e-2·rtol·max|initial weights| (so a small initialisation is resolved
    relatively).  Output times are hit exactly (``t_eval``; no interpolation error beyond the
    tolerance).  Times may be given in any order and may repeat: they are sorted for the
    integration and the results are returned in the order given.

    Arguments:
        W1: initial (N_h, N_i).  W2: initial (N_o, N_h).
        sigma_yx: Σyx, (N_o, N_i).
        t: a non-negative scalar or 1-D array of times (T,).
        tau: time constant τ > 0.
        rtol: relative tolerance, in [100·eps, 1) (DOP853's floor is 100·eps ≈ 2.2e-14).
        sigma_xx: Σxx, symmetric (N_i, N_i); default the identity (whitened inputs, A1).

    Returns:
        Trajectory(t, W1, W2): W1 of shape (T, N_h, N_i), W2 (T, N_o, N_h) for 1-D t; (N_h, N_i)
        and (N_o, N_h) for scalar t.

    Raises:
        InvalidArgument: non-finite or mis-shaped arguments, negative times, τ ≤ 0, rtol out of
            range, non-symmetric sigma_xx.
        IntegrationError: the solver did not reach the last time or produced non-finite values.
    """
    W1, W2, (n_i, n_h, n_o) = _weights(W1, W2)
    syx = check_sigma_yx(sigma_yx, n_i, n_o)
    times = as_times("t", t)
    tau = as_scalar("tau", tau, positive=True)
    rtol = as_scalar("rtol", rtol, positive=True)
    if not 100 * _EPS <= rtol < 1:
        raise InvalidArgument(
            f"rtol must be in [100·eps, 1) = [{100 * _EPS:.3g}, 1) (DOP853 cannot go below "
            f"100·eps); got {rtol!r}."
        )
    if sigma_xx is None:
        sxx = None
    else:
        sxx = as_array("sigma_xx", sigma_xx, ndim=2)
        if sxx.shape != (n_i, n_i):
            raise InvalidArgument(
                f"sigma_xx must be Σxx of shape (N_i, N_i) = {(n_i, n_i)}; got {sxx.shape}."
            )
        asym = float(np.max(np.abs(sxx - sxx.T)))
        if asym > 1e-12 * (1.0 + float(np.max(np.abs(sxx)))):
            raise InvalidArgument(
                f"sigma_xx must be symmetric (a covariance XXᵀ/P); max |Σxx − Σxxᵀ| = "
                f"{asym:.3g}. Symmetrise it: (Σxx + Σxxᵀ)/2."
            )

    n1 = n_h * n_i

    def rhs(_t, y):
        w1 = y[:n1].reshape(n_h, n_i)
        w2 = y[n1:].reshape(n_o, n_h)
        prod = w2 @ w1
        G = syx - (prod if sxx is None else prod @ sxx)
        return np.concatenate([(w2.T @ G).ravel(), (G @ w1.T).ravel()]) / tau

    flat_t = np.atleast_1d(times)
    grid, inverse = np.unique(flat_t, return_inverse=True)
    y0 = np.concatenate([W1.ravel(), W2.ravel()])
    t_end = float(grid[-1]) if grid.size else 0.0
    if t_end == 0.0:
        states = np.repeat(y0[:, None], grid.size, axis=1)
    else:
        ymax = float(np.max(np.abs(y0)))
        atol = 1e-2 * rtol * (ymax if ymax > 0 else 1.0)
        with np.errstate(over="ignore", invalid="ignore"):
            sol = solve_ivp(rhs, (0.0, t_end), y0, method="DOP853", t_eval=grid, rtol=rtol,
                            atol=atol)
        if sol.status != 0 or sol.y.shape[1] != grid.size or not np.all(np.isfinite(sol.y)):
            raise IntegrationError(
                f"gradient_flow: DOP853 failed to integrate to t = {t_end:.6g} (status "
                f"{sol.status}: {sol.message}). Try a larger rtol, a shorter time span, or "
                f"smaller weights/Σyx."
            )
        states = sol.y
    states = states[:, inverse]  # back to the caller's order (T columns)
    W1t = states[:n1].T.reshape(-1, n_h, n_i)
    W2t = states[n1:].T.reshape(-1, n_o, n_h)
    if times.ndim == 0:
        return Trajectory(times.copy(), W1t[0], W2t[0])
    return Trajectory(flat_t.copy(), W1t, W2t)


def gradient_descent(W1, W2, X, Y, lr, steps, record_every=1) -> Trajectory:
    """Full-batch gradient descent on L = 1/(2P) Σ_n ‖W2W1x_n − y_n‖².

    Update (simultaneous, with Σxx = XXᵀ/P, Σyx = YXᵀ/P, G = Σyx − W2W1Σxx):
    W1 ← W1 + lr·W2ᵀG,  W2 ← W2 + lr·G W1ᵀ.  This is the Euler discretisation of gradient flow
    with τ = 1 and step lr, so ``Trajectory.t = step · lr`` compares directly with the closed
    forms at τ = 1.  The inputs need not be whitened.  The steps 0, record_every,
    2·record_every, … are recorded, and the final step ``steps`` is always recorded too.

    Arguments:
        W1: initial (N_h, N_i).  W2: initial (N_o, N_h).
        X: inputs (N_i, P).  Y: targets (N_o, P).
        lr: learning rate > 0.
        steps: number of steps, an int >= 0.
        record_every: an int >= 1.

    Returns:
        Trajectory(t, W1, W2, loss): t (T,), W1 (T, N_h, N_i), W2 (T, N_o, N_h), loss (T,).

    Raises:
        InvalidArgument: non-finite or mis-shaped arguments, lr ≤ 0, non-integer or negative
            steps, record_every < 1, or a run that diverges (non-finite weights: lr too large).
    """
    W1, W2, (n_i, n_h, n_o) = _weights(W1, W2)
    X = as_array("X", X, ndim=2)
    Y = as_array("Y", Y, ndim=2)
    if X.shape[0] != n_i:
        raise InvalidArgument(f"X must be (N_i, P) with N_i = {n_i}; got {X.shape}. Transpose "
                              f"it if samples are rows.")
    if Y.shape[0] != n_o:
        raise InvalidArgument(f"Y must be (N_o, P) with N_o = {n_o}; got {Y.shape}. Transpose "
                              f"it if samples are rows.")
    if X.shape[1] != Y.shape[1] or X.shape[1] == 0:
        raise InvalidArgument(f"X and Y must have the same number P >= 1 of samples (columns); "
                              f"got X {X.shape}, Y {Y.shape}.")
    lr = as_scalar("lr", lr, positive=True)
    steps = _count("steps", steps, 0)
    record_every = _count("record_every", record_every, 1)

    p = X.shape[1]
    sxx = X @ X.T / p
    syx = Y @ X.T / p
    rec = list(range(0, steps + 1, record_every))
    if rec[-1] != steps:
        rec.append(steps)
    T = len(rec)
    out1 = np.empty((T, n_h, n_i))
    out2 = np.empty((T, n_o, n_h))
    loss = np.empty(T)
    w1, w2 = W1.copy(), W2.copy()
    j = 0
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(steps + 1):
            if k == rec[j]:
                if not (np.all(np.isfinite(w1)) and np.all(np.isfinite(w2))):
                    raise InvalidArgument(
                        f"gradient descent diverged (non-finite weights by step {k}) with "
                        f"lr = {lr!r}; reduce lr (stability needs lr below ~2/curvature)."
                    )
                out1[j], out2[j] = w1, w2
                r = w2 @ (w1 @ X) - Y
                loss[j] = 0.5 * float(np.sum(r * r)) / p
                j += 1
            if k == steps:
                break
            G = syx - w2 @ w1 @ sxx
            w1, w2 = w1 + lr * (w2.T @ G), w2 + lr * (G @ w1.T)
    if not np.all(np.isfinite(loss)):
        raise InvalidArgument(f"gradient descent diverged (non-finite loss) with lr = {lr!r}; "
                              f"reduce lr.")
    t = np.asarray(rec, dtype=np.float64) * lr
    return Trajectory(t, out1, out2, loss)
