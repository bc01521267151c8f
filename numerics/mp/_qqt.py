"""mpmath referees for QQᵀ(t): Theorem 4.3 evaluated literally, and gradient flow by Taylor series.

* :func:`qqt` evaluates Theorem 4.3 (eqs 10–15, the "unstable" four-quadrant form Z A⁻¹ Zᵀ) as
  printed, from an mpmath SVD of Σyx.  It shares no code with the float64 path
  (``numerics._qqt``): it does not use B⁻¹ nor any rearrangement of exponentials.  The form
  multiplies e^{+S_λt} by e^{−S_λt}, so the working precision is raised automatically: for each t,
  ``dps + ceil(2·max(S_λ)·t/τ / ln 10 + 2·log10(2 + ‖Q(0)‖²(1 + t/τ))) + 10`` digits (the condition
  number of A(t) is ≲ 1 + ‖Q(0)‖² t e^{2 max S_λ t}, since A ⪰ I), so that the result is correct to
  about ``dps`` significant digits (relative to ‖QQᵀ‖) even at t = 1e3 (≈ 3000 extra digits there).
* :func:`gradient_flow` integrates τ dW1/dt = W2ᵀ(Σyx − W2W1), τ dW2/dt = (Σyx − W2W1)W1ᵀ with
  ``mpmath.odefun`` (Taylor series method).  It is slow: meant for small shapes (N ≲ 10 weights
  per layer) and t ≲ 10.

Both return numpy object arrays of ``mpf``.  Python loops over times are unavoidable here.

Private module; the lead decides the export from ``numerics.mp``.
"""

from __future__ import annotations

import mpmath
import numpy as np

from ..._errors import IntegrationError, InvalidArgument, NotBalancedError
from .._validate import as_scalar, as_times, boundary, check_architecture, layer_shapes
from ._limits import (MAX_ODE_WORK, check_dim, check_dps, check_points, check_work_dps,
                      to_mpf)

__all__ = ["qqt", "gradient_flow"]

#: Balance tolerance (relative), as in numerics._validate.BALANCE_RTOL.
_BALANCE_RTOL = 1e-8


def _mp_matrix(name: str, value) -> mpmath.matrix:
    """Finite real 2-D input (floats, ints, strings or mpf) → mpmath.matrix at the current dps."""
    try:
        arr = np.asarray(value, dtype=object)
    except (TypeError, ValueError) as exc:
        raise InvalidArgument(f"{name} must be a rectangular 2-D array of numbers ({exc}).") \
            from None
    if arr.ndim != 2:
        raise InvalidArgument(f"{name} must be a 2-D matrix; got an array of shape {arr.shape}. "
                              f"Reshape it.")
    check_dim(name, arr.shape)
    out = mpmath.matrix(arr.shape[0], arr.shape[1])
    for i in range(arr.shape[0]):
        for j in range(arr.shape[1]):
            out[i, j] = to_mpf(f"{name}[{i}, {j}]", arr[i, j])
    return out


def _to_object(M: mpmath.matrix, dps: int) -> np.ndarray:
    out = np.empty((M.rows, M.cols), dtype=object)
    with mpmath.workdps(dps):
        for i in range(M.rows):
            for j in range(M.cols):
                out[i, j] = +M[i, j]
    return out


def _check_dps(dps) -> int:
    return check_dps(dps)


def _inputs(W1, W2, sigma_yx, t, tau, dps):
    """Validate; return (W1, W2, S) as mp matrices at the current precision, times, tau, shapes."""
    dps = _check_dps(dps)
    W1m, W2m = _mp_matrix("W1", W1), _mp_matrix("W2", W2)
    n_i, n_h, n_o = layer_shapes(np.empty((W1m.rows, W1m.cols)), np.empty((W2m.rows, W2m.cols)))
    Sm = _mp_matrix("sigma_yx", sigma_yx)
    if (Sm.rows, Sm.cols) != (n_o, n_i):
        raise InvalidArgument(
            f"sigma_yx has shape {(Sm.rows, Sm.cols)} but the weights need (N_o, N_i) = "
            f"{(n_o, n_i)} (Σyx = YXᵀ/P maps inputs to outputs). Transpose it or check the "
            f"layer shapes.")
    times = as_times("t", t)
    check_points("t", times.size)
    tau = as_scalar("tau", tau, positive=True)
    return dps, W1m, W2m, Sm, times, tau, (n_i, n_h, n_o)


def _read_lambda(W1m, W2m, Sm=None) -> mpmath.mpf:
    """λ of the weights, or NotBalancedError (the test of numerics._validate.read_lambda, at
    the working precision: relative to ‖W2ᵀW2‖ + ‖W1W1ᵀ‖ and, with Σyx, to the scale
    2‖Σyx‖_F + |λ|√N_h at which the flow settles)."""
    G2, G1 = W2m.T * W2m, W1m * W1m.T
    M = G2 - G1
    n_h = M.rows
    lam = sum(M[i, i] for i in range(n_h)) / n_h
    dev = mpmath.mnorm(M - lam * mpmath.eye(n_h), "F")
    scale = mpmath.mnorm(G2, "F") + mpmath.mnorm(G1, "F")
    what = "(‖W2ᵀW2‖_F + ‖W1W1ᵀ‖_F)"
    if Sm is not None:
        settle = 2 * mpmath.mnorm(Sm, "F") + abs(lam) * mpmath.sqrt(n_h)
        if 0 < settle < scale:
            scale, what = settle, "(2‖Σyx‖_F + |λ|√N_h, the scale where the flow settles)"
    if dev > _BALANCE_RTOL * scale:
        raise NotBalancedError(
            f"W1, W2 are not λ-balanced (assumption A2): ‖W2ᵀW2 − W1W1ᵀ − λI‖_F = "
            f"{mpmath.nstr(dev, 3)} (λ = {mpmath.nstr(lam, 6)} from the diagonal; allowed "
            f"{_BALANCE_RTOL:.0e} × {what} = {mpmath.nstr(_BALANCE_RTOL * scale, 3)}). Build them "
            f"with lambda_balanced_init(...) or use gradient_flow(...) for arbitrary weights.")
    return lam


@boundary
def qqt(W1, W2, sigma_yx, t, tau=1.0, dps=50) -> np.ndarray:
    """Theorem 4.3 (eqs 13–15) evaluated literally in mpmath: the referee for numerics._qqt.qqt.

    λ is read off the weights in mpmath (mean diagonal of W2ᵀW2 − W1W1ᵀ); the SVD of Σyx, P's
    blocks (Ũ, Ṽ, completions, S_λ, H = (λ/2)/(S_λ + s̃), G), B, C, D, Z1, Z2 and A are all
    formed at the working precision, which is raised per time by the guard digits of the module
    docstring.  (e^{2xt} − 1)/(2x) is evaluated with expm1 and read as t at x = 0 (the zero
    eigenvalue of λ = 0 with N_i ≠ N_o).

    Arguments:
        W1: (N_h, N_i) initial weights (floats, strings or mpf; taken exactly).
        W2: (N_o, N_h) initial weights, λ-balanced with W1 (A2), N_h = min(N_i, N_o) (A3).
        sigma_yx: (N_o, N_i) Σyx.
        t: time >= 0, scalar or 1-D array (floats).
        tau: time constant > 0 (float).
        dps: decimal digits wanted in the result (int >= 15).

    Returns:
        numpy object array of mpf (rounded to ``dps`` digits), shape (N, N) for scalar t or
        (T, N, N) for 1-D t, N = N_i + N_o; QQᵀ = [[W1ᵀW1, W1ᵀW2ᵀ], [W2W1, W2W2ᵀ]].

    Raises:
        InvalidArgument: bad shapes, non-finite, complex or bool entries, t < 0, tau <= 0,
            dps < 15.
        NotBalancedError: W1, W2 not λ-balanced (relative tolerance 1e-8, also relative to the
            scale where the flow settles: see numerics._validate.read_lambda).
        ArchitectureError: N_h ≠ min(N_i, N_o).
        ResourceLimitError: dps > MAX_DPS, a working precision beyond MAX_WORK_DPS (t·S_λ/τ ≳
            2·10⁴), a matrix beyond MAX_DIM rows/columns or more than MAX_POINTS times.
    """
    dps = _check_dps(dps)
    with mpmath.workdps(dps + 10):
        dps, W1m, W2m, Sm, times, tau, (n_i, n_h, n_o) = _inputs(W1, W2, sigma_yx, t, tau, dps)
        lam0 = _read_lambda(W1m, W2m, Sm)
        check_architecture(n_i, n_h, n_o, float(lam0), require_a3=True)
    with mpmath.workdps(30):
        smax = mpmath.sqrt(mpmath.mnorm(Sm, 'f') ** 2 + lam0 ** 2 / 4)
        q2 = mpmath.mnorm(W1m, 'f') ** 2 + mpmath.mnorm(W2m, 'f') ** 2
        ln10 = mpmath.log(10)
    tv = np.atleast_1d(times)

    def guard(tt: float) -> int:
        with mpmath.workdps(30):
            s = mpmath.mpf(float(tt)) / mpmath.mpf(tau)
            g = 2 * smax * s / ln10 + 2 * mpmath.log10(2 + q2 * (1 + s))
            return int(mpmath.ceil(g)) + 10 if g < 10 ** 9 else 10 ** 9

    top = dps + max((guard(float(x)) for x in tv), default=0)
    check_work_dps(top, f"Theorem 4.3 evaluated literally up to t = {float(tv.max()):.6g} "
                        f"(τ = {tau:.3g}, max S_λ = {mpmath.nstr(smax, 3)}: e^(±S_λ t/τ) cancel)",
                   "Use the float64 numerics.qqt (stable form, any t), or a smaller t.")
    with mpmath.workdps(top):
        # re-read the inputs at the top precision (they are exact binary numbers or strings)
        _, W1m, W2m, Sm, _, _, _ = _inputs(W1, W2, sigma_yx, t, tau, dps)
        lam = _read_lambda(W1m, W2m, Sm)
        n_m = min(n_i, n_o)
        U, s, Vr = mpmath.svd_r(Sm, full_matrices=True, compute_uv=True)
        V = Vr.T
        half = lam / 2
        S_lam = [mpmath.sqrt(s[a] ** 2 + half ** 2) for a in range(n_m)]
        H = [half / (S_lam[a] + s[a]) if S_lam[a] + s[a] != 0 else mpmath.mpf(0)
             for a in range(n_m)]
        G = [1 / mpmath.sqrt(1 + h ** 2) for h in H]
        gm = [G[a] * (1 - H[a]) for a in range(n_m)]
        gp = [G[a] * (1 + H[a]) for a in range(n_m)]
        n_p = abs(n_o - n_i)
        lam_perp = (half if n_o > n_i else -half) if n_p else mpmath.mpf(0)
        Ut = U[:, 0:n_m] if n_m < n_o else U
        Vt = V[:, 0:n_m] if n_m < n_i else V
        if n_o > n_i:
            Up, Vp = U[:, n_m:n_o], mpmath.zeros(n_i, n_p)
        elif n_i > n_o:
            Up, Vp = mpmath.zeros(n_o, n_p), V[:, n_m:n_i]
        else:
            Up, Vp = None, None
        Dgm, Dgp = mpmath.diag(gm), mpmath.diag(gp)
        B = W2m.T * Ut * Dgp + W1m * Vt * Dgm                       # eq 10
        C = W2m.T * Ut * Dgm - W1m * Vt * Dgp                       # eq 11
        D = (W2m.T * Up + W1m * Vp) if n_p else None                 # eq 12

        out = np.empty((tv.size, n_i + n_o, n_i + n_o), dtype=object)
        for k, tt in enumerate(tv):
            with mpmath.workdps(dps + guard(float(tt))):
                x = mpmath.mpf(float(tt)) / mpmath.mpf(tau)
                ep = mpmath.diag([mpmath.exp(S * x) for S in S_lam])
                em = mpmath.diag([mpmath.exp(-S * x) for S in S_lam])
                # (e^{±2S x} − 1)/(4S), read ±x/2 at S = 0
                kp = mpmath.diag([mpmath.expm1(2 * S * x) / (4 * S) if S != 0 else x / 2
                                  for S in S_lam])
                km = mpmath.diag([mpmath.expm1(-2 * S * x) / (4 * S) if S != 0 else -x / 2
                                  for S in S_lam])
                Z1 = Vt * Dgm * ep * B.T / 2 - Vt * Dgp * em * C.T / 2   # eq 14
                Z2 = Ut * Dgp * ep * B.T / 2 + Ut * Dgm * em * C.T / 2
                A = mpmath.eye(n_h) + B * kp * B.T - C * km * C.T       # eq 15
                if n_p:
                    el = mpmath.exp(lam_perp * x)
                    kl = mpmath.expm1(2 * lam_perp * x) / (2 * lam_perp) if lam_perp != 0 else x
                    Z1 = Z1 + Vp * D.T * el
                    Z2 = Z2 + Up * D.T * el
                    A = A + D * D.T * kl
                Z = mpmath.matrix(n_i + n_o, n_h)
                for i in range(n_i):
                    for j in range(n_h):
                        Z[i, j] = Z1[i, j]
                for i in range(n_o):
                    for j in range(n_h):
                        Z[n_i + i, j] = Z2[i, j]
                X = Z * mpmath.inverse(A) * Z.T                          # eq 13
                out[k] = _to_object(X, dps)
    return out[0] if times.ndim == 0 else out


class _TooManyEvaluations(Exception):
    pass


@boundary
def gradient_flow(W1, W2, sigma_yx, t, tau=1.0, dps=30):
    """Integrate the weight ODE with mpmath.odefun (Taylor series) at ``dps`` digits.

    τ dW1/dt = W2ᵀ(Σyx − W2W1),  τ dW2/dt = (Σyx − W2W1)W1ᵀ  (whitened inputs).  No balance or
    architecture assumption.  Slow (pure-Python Taylor series on N_h(N_i + N_o) unknowns): meant
    for small shapes and t ≲ 10; times are integrated in increasing order, reusing the series.

    Arguments:
        W1: (N_h, N_i) initial weights; W2: (N_o, N_h) initial weights (floats/strings/mpf).
        sigma_yx: (N_o, N_i) Σyx.
        t: time >= 0, scalar or 1-D array.
        tau: time constant > 0.
        dps: working precision in decimal digits (int >= 15).

    Returns:
        (W1(t), W2(t)): numpy object arrays of mpf, shapes (N_h, N_i) and (N_o, N_h) for scalar
        t, (T, N_h, N_i) and (T, N_o, N_h) for 1-D t.

    Raises:
        InvalidArgument: bad shapes, non-finite, complex or bool entries, t < 0, tau <= 0,
            dps < 15.
        ResourceLimitError: dps > MAX_DPS, a matrix beyond MAX_DIM, more than MAX_POINTS times.
        IntegrationError: more than MAX_ODE_WORK evaluations × weights (t too large).
    """
    dps = _check_dps(dps)
    with mpmath.workdps(dps):
        dps, W1m, W2m, Sm, times, tau, (n_i, n_h, n_o) = _inputs(W1, W2, sigma_yx, t, tau, dps)
        taum = mpmath.mpf(tau)
        n1 = n_h * n_i

        count = [0]
        n_state = n1 + n_o * n_h

        def rhs(_x, y):
            count[0] += 1
            if count[0] * n_state > MAX_ODE_WORK:
                raise _TooManyEvaluations(_x)
            a = mpmath.matrix(n_h, n_i)
            b = mpmath.matrix(n_o, n_h)
            for i in range(n_h):
                for j in range(n_i):
                    a[i, j] = y[i * n_i + j]
            for i in range(n_o):
                for j in range(n_h):
                    b[i, j] = y[n1 + i * n_h + j]
            E = Sm - b * a
            da = b.T * E / taum
            db = E * a.T / taum
            return ([da[i, j] for i in range(n_h) for j in range(n_i)]
                    + [db[i, j] for i in range(n_o) for j in range(n_h)])

        y0 = ([W1m[i, j] for i in range(n_h) for j in range(n_i)]
              + [W2m[i, j] for i in range(n_o) for j in range(n_h)])
        sol = mpmath.odefun(rhs, 0, y0)
        tv = np.atleast_1d(times)
        A = np.empty((tv.size, n_h, n_i), dtype=object)
        Bo = np.empty((tv.size, n_o, n_h), dtype=object)
        for k in np.argsort(tv, kind="stable"):
            try:
                y = sol(mpmath.mpf(float(tv[k])))
            except _TooManyEvaluations as exc:
                raise IntegrationError(
                    f"mp gradient_flow stopped at t = {mpmath.nstr(exc.args[0], 6)} of "
                    f"{float(tv.max()):.6g} after {count[0] - 1:,} evaluations of the gradient of "
                    f"{n_state} weights (MAX_ODE_WORK = {MAX_ODE_WORK:,} evaluations × weights, "
                    f"about a minute): the Taylor integrator's cost grows with t·rate/τ. Use "
                    f"t ≲ 10, the float64 gradient_flow(...), or qqt(...) for λ-balanced "
                    f"weights.") from None
            A[k] = np.array(y[:n1], dtype=object).reshape(n_h, n_i)
            Bo[k] = np.array(y[n1:], dtype=object).reshape(n_o, n_h)
    if times.ndim == 0:
        return A[0], Bo[0]
    return A, Bo
