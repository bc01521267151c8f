"""Representations and kernels of a two-layer linear network: eqs (4), (5) and App. E.7.

* eq (4): RSM_I = Xᵀ W1ᵀW1 X and RSM_O = Yᵀ (W2W2ᵀ)⁺ Y;
* eq (5) / (140): NTK = I_{N_o} ⊗ Xᵀ W1ᵀW1 X + W2W2ᵀ ⊗ XᵀX, indexed by (output i, sample p), i outer;
* E.7: kernel distance S(K1, K2) = 1 − ⟨K1, K2⟩_F / (‖K1‖_F ‖K2‖_F).

Private module; the public names are re-exported by ``numerics``.
"""

from __future__ import annotations

import numpy as np

from .._errors import InvalidArgument, OutOfRangeError
from ._validate import as_array, as_scalar, boundary, check_size, layer_shapes

__all__ = ["representations", "ntk", "kernel_distance"]


def _weights(W1, W2):
    W1 = as_array("W1", W1, ndim=2)
    W2 = as_array("W2", W2, ndim=2)
    return W1, W2, layer_shapes(W1, W2)


def _data(name: str, M, rows: int, rows_name: str) -> np.ndarray:
    M = as_array(name, M, ndim=2)
    if M.shape[0] != rows:
        raise InvalidArgument(
            f"{name} must have {rows_name} = {rows} rows (one column per sample); got shape "
            f"{M.shape}. Transpose it if samples are rows."
        )
    return M


def _finite(out: np.ndarray, what: str, inputs: dict) -> np.ndarray:
    """Return ``out`` if finite, else raise OutOfRangeError naming the inputs' sizes."""
    if not np.all(np.isfinite(out)):
        sizes = ", ".join(f"max |{k}| = {float(np.max(np.abs(v), initial=0.0)):.3g}"
                          for k, v in inputs.items())
        raise OutOfRangeError(f"{what} overflows float64 ({sizes}). Rescale the inputs (the "
                              f"result scales with their squares).")
    return out


@boundary
def representations(W1, W2, X, Y, *, rcond=None):
    """Representational similarity matrices of eq (4).

    RSM_I = (W1 X)ᵀ (W1 X) = Xᵀ W1ᵀW1 X and RSM_O = Yᵀ (W2W2ᵀ)⁺ Y.  The pseudo-inverse is applied
    through the SVD W2 = U diag(σ) V_hᵀ: since (W2W2ᵀ)⁺ = U diag(σ⁻²) Uᵀ on the kept modes,
    RSM_O = ZᵀZ with Z = diag(σ⁻¹) Uᵀ Y; this is (W2⁺Y)ᵀ(W2⁺Y), never forms W2W2ᵀ (which would
    square the condition number) and is symmetric positive semi-definite by construction.

    Arguments:
        W1: (N_h, N_i).  W2: (N_o, N_h).
        X: inputs (N_i, P).  Y: targets (N_o, P).
        rcond: singular values of W2 below rcond·σ_max count as zero.  Default
            max(N_o, N_h)·eps_float64 — the same cut as ``numpy.linalg.matrix_rank``: a singular
            value that small is indistinguishable from rounding in the entries of W2, and
            inverting it would inject noise of size 1/(rcond·σ_max)² into RSM_O.

    Returns:
        (rsm_in, rsm_out): two (P, P) arrays.

    Raises:
        InvalidArgument: non-finite entries, shapes that do not compose, X and Y with different
            numbers of samples, rcond not in [0, 1).
        OutOfRangeError: an RSM overflows float64.  ResourceLimitError: P² > MAX_ELEMENTS.
    """
    W1, W2, (n_i, n_h, n_o) = _weights(W1, W2)
    X = _data("X", X, n_i, "N_i")
    Y = _data("Y", Y, n_o, "N_o")
    if X.shape[1] != Y.shape[1]:
        raise InvalidArgument(
            f"X and Y must have the same number of samples P (columns); got X {X.shape}, "
            f"Y {Y.shape}."
        )
    if rcond is None:
        rcond = max(n_o, n_h) * np.finfo(np.float64).eps
    else:
        rcond = as_scalar("rcond", rcond)
        if not 0.0 <= rcond < 1.0:
            raise InvalidArgument(f"rcond must be in [0, 1); got {rcond!r}.")
    check_size(f"RSM_I and RSM_O ({X.shape[1]} × {X.shape[1]} samples)", X.shape[1] ** 2,
               "Use fewer samples.")
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        H = W1 @ X
        rsm_in = _finite(H.T @ H, "RSM_I = Xᵀ W1ᵀW1 X", {"W1": W1, "X": X})
        U, sig, _ = _finite_svd(W2)
        keep = sig > rcond * (sig[0] if sig.size else 0.0)
        Z = (U[:, keep].T @ Y) / sig[keep, None]
        rsm_out = _finite(Z.T @ Z, "RSM_O = Yᵀ (W2W2ᵀ)⁺ Y", {"W2": W2, "Y": Y})
    return rsm_in, rsm_out


def _finite_svd(W2: np.ndarray):
    try:
        return np.linalg.svd(W2, full_matrices=False)
    except np.linalg.LinAlgError:
        raise OutOfRangeError(f"the SVD of W2 did not converge (max |W2| = "
                              f"{float(np.max(np.abs(W2))):.3g}); rescale W2.") from None


@boundary
def ntk(W1, W2, X):
    """Finite-width neural tangent kernel of eq (5) / (140).

    NTK = I_{N_o} ⊗ Xᵀ W1ᵀW1 X + W2W2ᵀ ⊗ XᵀX, the Gram matrix J Jᵀ of the Jacobian of
    (W1, W2) ↦ vec(W2 W1 X), rows and columns indexed by (output i, sample p) with i outer
    (flat index i·P + p, i.e. row-major vec of the N_o × P output).

    Arguments:
        W1: (N_h, N_i).  W2: (N_o, N_h).  X: inputs (N_i, P).

    Returns:
        (N_o·P, N_o·P) symmetric positive semi-definite array.

    Raises:
        InvalidArgument: non-finite entries or shapes that do not compose.
        OutOfRangeError: the NTK overflows float64.
        ResourceLimitError: (N_o·P)² > MAX_ELEMENTS.
    """
    W1, W2, (n_i, _, n_o) = _weights(W1, W2)
    X = _data("X", X, n_i, "N_i")
    check_size(f"the NTK ((N_o·P)² with N_o = {n_o}, P = {X.shape[1]})", (n_o * X.shape[1]) ** 2,
               "Use fewer samples or outputs.")
    with np.errstate(over="ignore", invalid="ignore"):
        H = W1 @ X
        K = np.kron(np.eye(n_o), H.T @ H) + np.kron(W2 @ W2.T, X.T @ X)
    return _finite(K, "the NTK", {"W1": W1, "W2": W2, "X": X})


@boundary
def kernel_distance(K1, K2):
    """Kernel distance of App. E.7: S(K1, K2) = 1 − ⟨K1, K2⟩_F / (‖K1‖_F ‖K2‖_F).

    0 for kernels that are positive multiples of each other; for PSD kernels it lies in [0, 1].

    Arguments:
        K1, K2: arrays of shape (..., n, m); the leading (batch) axes broadcast against each
            other, the last two are the kernel's.

    Returns:
        A float for 2-D inputs, otherwise an array of the broadcast batch shape.

    Raises:
        InvalidArgument: non-finite entries, fewer than 2 dimensions, kernel shapes that
            differ or are empty, batch axes that do not broadcast, or a kernel that is
            identically zero (the distance is undefined).
    """
    K1 = as_array("K1", K1)
    K2 = as_array("K2", K2)
    if K1.ndim < 2 or K2.ndim < 2:
        raise InvalidArgument(
            f"K1 and K2 must be at least 2-D (..., n, m); got shapes {K1.shape} and {K2.shape}."
        )
    if K1.shape[-2:] != K2.shape[-2:]:
        raise InvalidArgument(
            f"K1 and K2 must have the same kernel shape (last two axes); got {K1.shape[-2:]} "
            f"and {K2.shape[-2:]}."
        )
    if 0 in K1.shape[-2:]:
        raise InvalidArgument(f"K1 and K2 are empty kernels (shape {K1.shape[-2:]}); the kernel "
                              f"distance needs at least one entry.")
    try:
        batch = np.broadcast_shapes(K1.shape[:-2], K2.shape[:-2])
    except ValueError:
        raise InvalidArgument(f"the batch axes of K1 {K1.shape[:-2]} and K2 {K2.shape[:-2]} do "
                              f"not broadcast together; give them numpy-broadcastable shapes."
                              ) from None
    check_size("the broadcast batch of kernels", int(np.prod(batch, dtype=object)) *
               K1.shape[-2] * K1.shape[-1], "Use fewer kernels per call.")
    def unit(name, K):
        # Divide by the largest entry, then by the norm: no overflow/underflow in ‖K‖_F².
        m = np.max(np.abs(K), axis=(-2, -1))
        if np.any(m == 0):
            raise InvalidArgument(
                f"{name} is identically zero ({int(np.sum(m == 0))} kernel(s) with "
                f"‖{name}‖_F = 0); the kernel distance is undefined. Pass non-zero kernels."
            )
        K = K / m[..., None, None]
        return K / np.sqrt(np.sum(K * K, axis=(-2, -1)))[..., None, None]

    out = 1.0 - np.sum(unit("K1", K1) * unit("K2", K2), axis=(-2, -1))
    if np.ndim(out) == 0:
        return float(out)
    return out
