"""Simulation references: gradient flow (ODE integration) and full-batch gradient descent.

These make no assumption on the initialisation (balanced or not) and, for gradient descent, none
on the data (Σxx need not be I).  They are the "truth" that the closed forms are checked against.

Gradient flow, with Σxx = I unless given:

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

from .._errors import (IntegrationError, InvalidArgument, OutOfRangeError,
                       ResourceLimitError)
from ._validate import (_RESCALE, as_array, as_scalar, as_times, boundary, check_sigma_yx,
                        check_size, check_weight_range, layer_shapes)

__all__ = ["Trajectory", "IntegrationError", "gradient_flow", "gradient_descent",
           "MAX_RHS_EVALS", "MAX_GD_STEPS", "MAX_FLOPS"]

_EPS = np.finfo(np.float64).eps

#: gradient_flow stops with IntegrationError after this many evaluations of the right-hand side
#: (DOP853 takes 12 per step).  Explicit steps are limited to about 1/(rate) where the rate is
#: ~ max(S_λ, ‖W‖²)/τ, so a time span of t/τ needs about t·rate/τ steps: t = 1e6 on an O(1) task
#: would need millions and t = 1e300 forever.  The closed forms (qqt, aligned_trajectory) have no
#: such limit.  The built-in claims use at most ~1.1e4 evaluations per call; 2e5 take ~8 s.
#: For wide layers the budget is in arithmetic instead: at most MAX_FLOPS in all.
MAX_RHS_EVALS = 200_000
#: gradient_descent refuses more steps than this (about a minute of small matrix products).
MAX_GD_STEPS = 10_000_000
#: gradient_flow and gradient_descent refuse runs whose matrix products alone would exceed
#: this many floating-point operations (a few minutes on one core).
MAX_FLOPS = 5e12
#: When the weights grow by more than this factor between t = 0 and a requested time, a mode
#: started far below the others may be decided by the integrator's error instead of the initial
#: condition (the saddle-to-saddle regime of a small initialisation): gradient_flow then integrates
#: again with a 100× different tolerance and raises IntegrationError where the two disagree.
GROWTH_CHECK = 1e6


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


@boundary
def gradient_flow(W1, W2, sigma_yx, t, tau=1.0, rtol=1e-12, sigma_xx=None) -> Trajectory:
    """Integrate gradient flow numerically from arbitrary initial weights.

    Solves τ dW1/dt = W2ᵀ(Σyx − W2W1Σxx), τ dW2/dt = (Σyx − W2W1Σxx)W1ᵀ with scipy's DOP853
    (explicit Runge–Kutta of order 8) from t = 0, with the requested relative tolerance ``rtol``
    and absolute tolerance 1e-2·rtol·max|initial weights| (so a small initialisation is resolved
    relatively, and capped at the scale sqrt(‖Σyx‖ + ‖W2ᵀW2 − W1W1ᵀ‖) at which the weights settle,
    so a large initialisation that shrinks is resolved too).  Output times are hit exactly (``t_eval``; no interpolation error beyond the
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
            range, sigma_xx not symmetric positive semi-definite.
        OutOfRangeError: weights or Σyx so large that the gradient overflows float64.
        IntegrationError: the solver did not reach the last time, produced non-finite values,
            needed more than MAX_RHS_EVALS gradient evaluations (e.g. t = 1e300), or (weights
            growing by more than GROWTH_CHECK) gave a result that depends on its tolerance.
        ResourceLimitError: the trajectory would exceed MAX_ELEMENTS entries.
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
        with np.errstate(over="ignore", invalid="ignore"):
            ev = np.linalg.eigvalsh(sxx) if np.all(np.isfinite(sxx * sxx)) else None
        if ev is None or not np.all(np.isfinite(ev)):
            raise OutOfRangeError(f"sigma_xx is too large for float64 (max |entry| = "
                                  f"{float(np.max(np.abs(sxx))):.3g}). Rescale the inputs.")
        if ev[0] < -1e-12 * max(float(ev[-1]), 0.0) or (ev[-1] <= 0 and ev[0] < 0):
            raise InvalidArgument(
                f"sigma_xx must be positive semi-definite (a covariance XXᵀ/P); its smallest "
                f"eigenvalue is {float(ev[0]):.3g}. Check how it was computed (the flow "
                f"diverges along a negative direction)."
            )
    check_weight_range(W1, W2)
    n1 = n_h * n_i
    n_state = n1 + n_o * n_h
    flat_t = np.atleast_1d(times)
    check_size(f"the trajectory ({flat_t.size} times × {n_state} weights)",
               flat_t.size * n_state, "Ask for fewer times, or smaller layers.")

    def rhs(_t, y):
        w1 = y[:n1].reshape(n_h, n_i)
        w2 = y[n1:].reshape(n_o, n_h)
        prod = w2 @ w1
        G = syx - (prod if sxx is None else prod @ sxx)
        return np.concatenate([(w2.T @ G).ravel(), (G @ w1.T).ravel()]) / tau

    grid, inverse = np.unique(flat_t, return_inverse=True)
    y0 = np.concatenate([W1.ravel(), W2.ravel()])
    with np.errstate(over="ignore", invalid="ignore"):
        g0 = rhs(0.0, y0)
    if not np.all(np.isfinite(g0)):
        raise OutOfRangeError(
            f"W1, W2 and sigma_yx are too large for float64: the initial gradient overflows "
            f"(max |W| = {float(np.max(np.abs(y0))):.3g}, max |Σyx| = "
            f"{float(np.max(np.abs(syx))):.3g}, τ = {tau:.3g}). {_RESCALE}."
        )
    t_end = float(grid[-1]) if grid.size else 0.0
    if t_end == 0.0:
        states = np.repeat(y0[:, None], grid.size, axis=1)
    else:
        ymax = float(np.max(np.abs(y0)))
        # The weights settle at the scale y* = sqrt(‖Σyx‖ + ‖W2ᵀW2 − W1W1ᵀ‖) (conserved balance);
        # an absolute tolerance tied to a larger initial scale would swamp them.
        with np.errstate(over="ignore"):
            D = W2.T @ W2 - W1 @ W1.T
            ystar = float(np.sqrt(np.linalg.norm(syx) + np.linalg.norm(D)))
        yref = min(ymax, ystar) if 0.0 < ystar < np.inf else ymax
        atol = 1e-2 * rtol * (yref if yref > 0 else 1.0)
        flops = 2.0 * n_h * (3 * n_o * n_i + (n_o * n_i if sxx is not None else 0)) + \
            (2.0 * n_o * n_i * n_i if sxx is not None else 0.0)
        max_evals = int(min(MAX_RHS_EVALS, MAX_FLOPS / max(flops, 1.0)))
        if max_evals < 13:
            raise ResourceLimitError(
                f"gradient_flow on (N_i, N_h, N_o) = {(n_i, n_h, n_o)} costs {flops:.2g} "
                f"floating-point operations per gradient evaluation; one DOP853 step (12 "
                f"evaluations) is beyond the {MAX_FLOPS:.0e} allowed (MAX_FLOPS). Use smaller "
                f"layers, or the closed forms (qqt(...)) for λ-balanced weights.")
        states = _integrate(rhs, t_end, y0, grid, rtol, atol, tau, max_evals)
        growth = float(np.max(np.abs(states))) / ymax if ymax > 0 else 0.0
        if growth > GROWTH_CHECK:
            _sensitivity_check(rhs, t_end, y0, grid, rtol, atol, tau, states, growth, max_evals)
    states = states[:, inverse]  # back to the caller's order (T columns)
    W1t = states[:n1].T.reshape(-1, n_h, n_i)
    W2t = states[n1:].T.reshape(-1, n_o, n_h)
    if times.ndim == 0:
        return Trajectory(times.copy(), W1t[0], W2t[0])
    return Trajectory(flat_t.copy(), W1t, W2t)


class _TooManyEvaluations(Exception):
    pass


def _integrate(rhs, t_end, y0, grid, rtol, atol, tau, max_evals) -> np.ndarray:
    """DOP853 from 0 to t_end, states at ``grid`` (n_state, T); IntegrationError on failure."""
    seen = {"n": 0, "t": 0.0, "ymax": float(np.max(np.abs(y0)))}

    def counted(t, y):
        seen["n"] += 1
        if seen["n"] > max_evals:
            raise _TooManyEvaluations
        seen["t"] = t
        seen["ymax"] = float(np.max(np.abs(y)))
        return rhs(t, y)

    try:
        with np.errstate(over="ignore", invalid="ignore"):
            sol = solve_ivp(counted, (0.0, t_end), y0, method="DOP853", t_eval=grid, rtol=rtol,
                            atol=atol)
    except _TooManyEvaluations:
        raise IntegrationError(
            f"gradient_flow stopped at t = {seen['t']:.6g} of {t_end:.6g} after "
            f"{max_evals:,} evaluations of the gradient (MAX_RHS_EVALS, or MAX_FLOPS for wide "
            f"layers): explicit steps are "
            f"limited to ~1/rate, so t/τ = {t_end / tau:.3g} needs more. Use the closed forms "
            f"(qqt(...), aligned_trajectory(...)) for long times, a shorter time span, or a "
            f"larger rtol."
        ) from None
    except MemoryError:
        raise ResourceLimitError(
            f"gradient_flow ran out of memory storing {grid.size} times of {y0.size} weights. "
            f"Ask for fewer times."
        ) from None
    if sol.status != 0 or sol.y.shape[1] != grid.size or not np.all(np.isfinite(sol.y)):
        big = not np.isfinite(seen["ymax"]) or seen["ymax"] > 1e100
        why = ("the weights blew up (max |W| = {:.3g}): the flow diverges, or the weights or Σyx "
               "are too large".format(seen["ymax"]) if big else
               f"the flow is too stiff for the requested tolerance (time runs in units of "
               f"τ = {tau:.3g}; rates ~1/τ need steps ~τ)")
        raise IntegrationError(
            f"gradient_flow: DOP853 stopped at t = {seen['t']:.6g} of {t_end:.6g} ({sol.message}); "
            f"{why}. Try a larger rtol, a shorter time span, or smaller weights/Σyx."
        )
    return sol.y


def _sensitivity_check(rhs, t_end, y0, grid, rtol, atol, tau, states, growth,
                       max_evals) -> None:
    """Integrate again at a 100× different tolerance; raise where the result's error, estimated
    from the two runs (the error of a DOP853 run scales like its tolerance), exceeds
    max(1e-6, 1e4·rtol) relative: then the result is decided by the integrator's error and
    rounding, not by the initial weights."""
    rtol2 = 100 * rtol if 100 * rtol < 1e-3 else rtol / 100
    other = _integrate(rhs, t_end, y0, grid, rtol2, atol * rtol2 / rtol, tau, max_evals)
    scale = np.maximum(np.linalg.norm(states, axis=0), np.finfo(float).tiny)
    rel = np.linalg.norm(states - other, axis=0) / scale
    est = rel * min(1.0, rtol / rtol2)          # the error of the rtol run
    allowed = max(1e-6, 1e4 * rtol)
    bad = ~(est <= allowed)
    if np.any(bad):
        k = int(np.flatnonzero(bad)[0])
        raise IntegrationError(
            f"gradient_flow cannot resolve this run at t = {grid[k]:.6g}: the weights grow by "
            f"{growth:.2g}× from t = 0 (a mode started far below the others) and the result "
            f"changes by {rel[k]:.2g} (relative) between rtol = {rtol:.0e} and {rtol2:.0e} "
            f"(estimated error {est[k]:.2g}, allowed {allowed:.0e}): float64 rounding of the larger modes decides when "
            f"the small one escapes. Use qqt(...) for λ-balanced weights, the mpmath reference "
            f"numerics.mp.gradient_flow(...), or a larger initialisation."
        )


@boundary
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
        OutOfRangeError: data or weights whose covariances or Gram matrices overflow float64.
        ResourceLimitError: steps > MAX_GD_STEPS, or a recorded trajectory beyond MAX_ELEMENTS
            entries.
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
    if steps > MAX_GD_STEPS:
        raise ResourceLimitError(
            f"steps = {steps:,} is more than the {MAX_GD_STEPS:,} gradient-descent steps allowed "
            f"(MAX_GD_STEPS, about a minute of work). Use gradient_flow(...) or the closed forms "
            f"(qqt(...)) for long times, or a larger lr."
        )
    p_ = X.shape[1]
    flops = steps * (2.0 * n_h * 3 * n_o * n_i + 2.0 * n_o * n_i * n_i) + \
        (steps // record_every + 2) * 2.0 * p_ * n_h * (n_i + n_o)
    if flops > MAX_FLOPS:
        raise ResourceLimitError(
            f"gradient_descent with steps = {steps:,} on (N_i, N_h, N_o) = {(n_i, n_h, n_o)} and "
            f"P = {p_} would take ~{flops:.2g} floating-point operations, more than the "
            f"{MAX_FLOPS:.0e} allowed (MAX_FLOPS). Use fewer steps or record less often.")
    T = steps // record_every + 1 + (steps % record_every != 0)
    check_size(f"the recorded trajectory ({T:,} records × {n_h * (n_i + n_o)} weights)",
               T * n_h * (n_i + n_o), "Record less often (a larger record_every).")
    check_weight_range(W1, W2)

    p = X.shape[1]
    with np.errstate(over="ignore", invalid="ignore"):
        sxx = X @ X.T / p
        syx = Y @ X.T / p
    for name, M in (("X", sxx), ("Y", syx)):
        if not np.all(np.isfinite(M)):
            raise OutOfRangeError(
                f"{name} is too large for float64: its covariance overflows (max |X| = "
                f"{float(np.max(np.abs(X))):.3g}, max |Y| = {float(np.max(np.abs(Y))):.3g}). "
                f"Rescale the data.")
    rec = list(range(0, steps + 1, record_every))
    if rec[-1] != steps:
        rec.append(steps)
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
