"""mpmath reference for Theorem 5.2 / C.2 (eq 18 / 141): λ-balanced weights from W2W1.

The float64 version is ``numerics._weights.weights_from_network``; this one evaluates the same
formula at ``dps`` decimal digits (SVD by ``mpmath.svd_r``), returning numpy object arrays of
``mpf``.  Singular vectors are only defined up to sign (and rotation inside repeated singular
values), so compare gauge-invariant quantities (W2W1, W1ᵀW1, W2W2ᵀ, W2ᵀW2 − W1W1ᵀ) with float64,
or pass the same R and compare after fixing signs.

Private module; the lead decides the export from ``numerics.mp``.
"""

from __future__ import annotations

import mpmath
import numpy as np

from ..._errors import InvalidArgument
from .._validate import boundary
from ._limits import check_dim, check_dps, to_mpf

__all__ = ["weights_from_network"]


def _to_mp_matrix(name: str, value) -> mpmath.matrix:
    try:
        arr = np.asarray(value, dtype=object)
    except (TypeError, ValueError) as exc:
        raise InvalidArgument(f"{name} must be a rectangular 2-D array of numbers ({exc}).") \
            from None
    if arr.ndim != 2 or min(arr.shape) == 0:
        raise InvalidArgument(f"{name} must be a non-empty 2-D array; got shape {arr.shape}.")
    check_dim(name, arr.shape)
    out = mpmath.matrix(arr.shape[0], arr.shape[1])
    for i in range(arr.shape[0]):
        for j in range(arr.shape[1]):
            out[i, j] = to_mpf(f"{name}[{i}, {j}]", arr[i, j])
    return out


def _to_object(M: mpmath.matrix) -> np.ndarray:
    out = np.empty((M.rows, M.cols), dtype=object)
    for i in range(M.rows):
        for j in range(M.cols):
            out[i, j] = M[i, j]
    return out


@boundary
def weights_from_network(A, lam, R=None, dps=50):
    """Theorem 5.2 at ``dps`` digits: W1 = R S1 Vᵀ, W2 = U S2 Rᵀ from the compact SVD A = U S Vᵀ.

    S1 = sqrt(S_λ − λ/2), S2 = sqrt(S_λ + λ/2), S_λ = sqrt(S² + λ²/4), N_h = min(N_i, N_o); the
    large factor sqrt(S_λ + |λ|/2) is computed directly and the other as s / (large factor).

    Arguments:
        A: (N_o, N_i) array of floats, strings or mpf.
        lam: λ (float, string or mpf; converted at ``dps`` digits).
        R: optional orthogonal (N_h, N_h) matrix (floats or mpf); default the identity.
        dps: working precision in decimal digits (int >= 15).

    Returns:
        (W1, W2): numpy object arrays of mpf, shapes (N_h, N_i) and (N_o, N_h).

    Raises:
        InvalidArgument: bad shapes, non-finite, complex or bool entries, dps < 15, R not
            orthogonal (to 10^(−dps/2)).
        ResourceLimitError: dps > MAX_DPS, or a matrix beyond MAX_DIM rows/columns.
    """
    dps = check_dps(dps)
    with mpmath.workdps(int(dps)):
        Am = _to_mp_matrix("A", A)
        lam_m = to_mpf("lam", lam)
        n_o, n_i = Am.rows, Am.cols
        n_h = min(n_o, n_i)
        if R is None:
            Rm = mpmath.eye(n_h)
        else:
            Rm = _to_mp_matrix("R", R)
            if (Rm.rows, Rm.cols) != (n_h, n_h):
                raise InvalidArgument(f"R must be (N_h, N_h) = {(n_h, n_h)} for A of shape "
                                      f"{(n_o, n_i)}; got {(Rm.rows, Rm.cols)}.")
            dev = mpmath.mnorm(Rm.T * Rm - mpmath.eye(n_h), "F")
            if dev > mpmath.mpf(10) ** (-(int(dps) // 2)):
                raise InvalidArgument(f"R must be orthogonal: ‖RᵀR − I‖_F = "
                                      f"{mpmath.nstr(dev, 3)}. Orthogonalise it or omit it.")
        U, S, Vt = mpmath.svd_r(Am, full_matrices=False, compute_uv=True)
        half = abs(lam_m) / 2
        s1 = []
        s2 = []
        for a in range(n_h):
            s = S[a]
            big = mpmath.sqrt(mpmath.sqrt(s * s + half * half) + half)
            small = s / big if big != 0 else mpmath.mpf(0)
            if lam_m >= 0:
                s1.append(small)
                s2.append(big)
            else:
                s1.append(big)
                s2.append(small)
        D1 = mpmath.diag(s1)
        D2 = mpmath.diag(s2)
        W1 = Rm * D1 * Vt
        W2 = U * D2 * Rm.T
        return _to_object(W1), _to_object(W2)
