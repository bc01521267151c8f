"""Argument checking shared by the public numerics.

Private module: the helpers here turn user input into float64 arrays and raise the errors of
``lazyrich._errors`` with messages that name the argument, the measured value and the fix.
"""

from __future__ import annotations

import numpy as np

from .._errors import ArchitectureError, InvalidArgument, NotBalancedError, NotWhitenedError

#: Relative tolerance on ‖W2ᵀW2 − W1W1ᵀ − λI‖ / (‖W2ᵀW2‖ + ‖W1W1ᵀ‖ + |λ|·√Nh) for A2.
BALANCE_RTOL = 1e-8
#: Absolute tolerance on ‖XXᵀ/P − I‖_max for A1.
WHITENED_ATOL = 1e-8


def as_array(name: str, value, *, ndim: int | tuple[int, ...] | None = None) -> np.ndarray:
    """Return ``value`` as a finite float64 array, or raise InvalidArgument naming ``name``."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidArgument(
            f"{name} must be a real number or array of real numbers; got {type(value).__name__} "
            f"({exc}). Pass a float or a numpy array of floats."
        ) from None
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            raise InvalidArgument(
                f"{name} must be {want}; got an array of shape {arr.shape}. Reshape it."
            )
    if not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise InvalidArgument(
            f"{name} contains {bad} NaN/inf value(s); every entry must be finite. "
            f"Check how {name} was computed."
        )
    return arr


def as_scalar(name: str, value, *, positive: bool = False) -> float:
    """Return ``value`` as a finite float; with ``positive=True`` also require ``value > 0``."""
    arr = as_array(name, value, ndim=0)
    out = float(arr)
    if positive and not out > 0:
        raise InvalidArgument(f"{name} must be > 0; got {out!r}. Pass a positive number.")
    return out


def as_times(name: str, value) -> np.ndarray:
    """Return times as a finite, non-negative float64 array of 0 or 1 dimensions."""
    arr = as_array(name, value, ndim=(0, 1))
    if np.any(arr < 0):
        raise InvalidArgument(
            f"{name} must be >= 0 (the closed forms run forward from the initialisation at "
            f"t = 0); got min {name} = {float(arr.min())!r}. Pass non-negative times."
        )
    return arr


def layer_shapes(W1: np.ndarray, W2: np.ndarray) -> tuple[int, int, int]:
    """Return (N_i, N_h, N_o) for W1 (N_h×N_i) and W2 (N_o×N_h), checking they compose."""
    if W1.ndim != 2 or W2.ndim != 2:
        raise InvalidArgument(
            f"W1 and W2 must be 2-D matrices; got W1.shape = {W1.shape}, W2.shape = {W2.shape}."
        )
    n_h, n_i = W1.shape
    n_o, n_h2 = W2.shape
    if n_h != n_h2:
        raise InvalidArgument(
            f"W1 is {W1.shape} (N_h×N_i) and W2 is {W2.shape} (N_o×N_h): their hidden sizes "
            f"differ ({n_h} vs {n_h2}). W2 @ W1 must be defined."
        )
    if min(n_i, n_h, n_o) == 0:
        raise InvalidArgument(f"every layer needs at least one unit; got (N_i, N_h, N_o) = "
                              f"{(n_i, n_h, n_o)}.")
    return n_i, n_h, n_o


def balance_matrix(W1: np.ndarray, W2: np.ndarray) -> np.ndarray:
    """The 'balanced computation' W2ᵀW2 − W1W1ᵀ (N_h × N_h)."""
    return W2.T @ W2 - W1 @ W1.T


def read_lambda(W1: np.ndarray, W2: np.ndarray, *, rtol: float = BALANCE_RTOL) -> float:
    """Read λ off λ-balanced weights (Definition A.1), or raise NotBalancedError.

    λ is the mean of the diagonal of W2ᵀW2 − W1W1ᵀ; the weights are accepted when the
    Frobenius deviation from λI is at most ``rtol`` times the scale of the two Gram matrices.
    """
    M = balance_matrix(W1, W2)
    n_h = M.shape[0]
    lam = float(np.trace(M) / n_h)
    dev = float(np.linalg.norm(M - lam * np.eye(n_h)))
    scale = float(np.linalg.norm(W2.T @ W2) + np.linalg.norm(W1 @ W1.T)) + 1.0
    if dev > rtol * scale:
        raise NotBalancedError(
            f"W1, W2 are not λ-balanced (assumption A2): ‖W2ᵀW2 − W1W1ᵀ − λI‖_F = {dev:.3g} "
            f"(λ = {lam:.6g} from the diagonal; allowed {rtol:.1g} × {scale:.3g}). Build them "
            f"with lambda_balanced_init(...) or weights_from_network(...), or use "
            f"gradient_flow(...) for arbitrary weights."
        )
    return lam


def check_architecture(n_i: int, n_h: int, n_o: int, lam: float, *, atol: float = 1e-12,
                       require_a3: bool = False) -> None:
    """Check the hidden size and the sign of λ against spec §12.

    Raises ArchitectureError if N_h is outside [min(N_i, N_o), max(N_i, N_o)] (below it the
    network cannot represent the task's rank and λ-balance forces a rank deficit; above it only
    λ = 0 works), if N_h > min(N_i, N_o) with a forbidden sign of λ, or (``require_a3``) if
    N_h ≠ min(N_i, N_o).
    """
    n_m = min(n_i, n_o)
    if require_a3 and n_h != n_m:
        raise ArchitectureError(
            f"N_h = {n_h} but this formula assumes A3, N_h = min(N_i, N_o) = {n_m} (shapes "
            f"N_i = {n_i}, N_o = {n_o}). Use a hidden layer of width {n_m}, or integrate the "
            f"weights with gradient_flow(...)."
        )
    if n_h < n_m or n_h > max(n_i, n_o):
        raise ArchitectureError(
            f"N_h = {n_h} is outside [min(N_i, N_o), max(N_i, N_o)] = [{n_m}, {max(n_i, n_o)}] "
            f"for N_i = {n_i}, N_o = {n_o}; λ-balanced weights need N_h in that range "
            f"(spec §12). Choose N_h in it."
        )
    if n_h > n_m:
        if n_o < n_h and lam > atol:
            raise ArchitectureError(
                f"λ = {lam:.6g} > 0 is impossible for N_h = {n_h} > N_o = {n_o}: W2ᵀW2 has a "
                f"null space, so W2ᵀW2 − W1W1ᵀ = λI needs λ ≤ 0 (spec §12). Use λ ≤ 0 or "
                f"N_h = {n_m}."
            )
        if n_i < n_h and lam < -atol:
            raise ArchitectureError(
                f"λ = {lam:.6g} < 0 is impossible for N_h = {n_h} > N_i = {n_i}: W1W1ᵀ has a "
                f"null space, so W2ᵀW2 − W1W1ᵀ = λI needs λ ≥ 0 (spec §12). Use λ ≥ 0 or "
                f"N_h = {n_m}."
            )


def check_whitened(X: np.ndarray, *, atol: float = WHITENED_ATOL) -> None:
    """Raise NotWhitenedError unless Σxx = XXᵀ/P equals I (assumption A1)."""
    n_i, p = X.shape
    sxx = X @ X.T / p
    dev = float(np.max(np.abs(sxx - np.eye(n_i)))) if n_i else 0.0
    if dev > atol:
        raise NotWhitenedError(
            f"X is not whitened (assumption A1): max |XXᵀ/P − I| = {dev:.3g} > {atol:.1g} "
            f"(P = {p} samples). Whiten it first (e.g. X ← Σxx^(-1/2) X), or use "
            f"random_regression_task(...), which returns whitened inputs."
        )


def check_sigma_yx(sigma_yx, n_i: int, n_o: int, name: str = "sigma_yx") -> np.ndarray:
    """Return Σyx as a finite (N_o × N_i) array, checking it matches the weights' shapes."""
    arr = as_array(name, sigma_yx, ndim=2)
    if arr.shape != (n_o, n_i):
        raise InvalidArgument(
            f"{name} has shape {arr.shape} but the weights need (N_o, N_i) = {(n_o, n_i)} "
            f"(Σyx = YXᵀ/P maps inputs to outputs). Transpose it or check the layer shapes."
        )
    return arr
