"""mpmath counterpart of :func:`numerics._self_consistent.self_consistent` (eq (1) of Tu et al.).

Same bridge as the float64 version (λ = 2c balanced weights from A0, Theorem 4.3 with
Σyx = target, τ = 1, the W2W1 block), but through the mpmath referees
:func:`numerics.mp.weights_from_network` and :func:`numerics.mp.qqt` (Theorem 4.3 evaluated
literally, with guard digits for the e^{±S_λ t} products).  The weights are formed with 20 guard
digits so that the result is good to about ``dps`` digits.  Slow (pure Python): small d, modest c·t.

Private module; the lead decides the export (``numerics.mp.self_consistent``).
"""

from __future__ import annotations

import mpmath
import numpy as np

from ..._errors import InvalidArgument
from .._validate import as_times, boundary
from ._flow import weights_from_network
from ._limits import MAX_DPS, check_dim, check_dps, to_mpf
from ._qqt import qqt

__all__ = ["self_consistent"]


def _square(name: str, value) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=object)
    except (TypeError, ValueError) as exc:
        raise InvalidArgument(f"{name} must be a rectangular d × d array ({exc}).") from None
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or arr.shape[0] == 0:
        raise InvalidArgument(f"{name} must be a non-empty square matrix; got shape "
                              f"{arr.shape}. Pass a d × d array.")
    check_dim(name, arr.shape)
    return arr


@boundary
def self_consistent(A0, target, c, t, dps=50) -> np.ndarray:
    """Eq (1) solved exactly at ``dps`` digits (see the float64 ``numerics.self_consistent``).

    Arguments:
        A0: (d, d) initial matrix (floats, strings or mpf).
        target: (d, d) target; ∇C(A) = A − target.
        c: c = σ²w >= 0 (float, string or mpf).
        t: time(s) >= 0, scalar or 1-D array of floats.
        dps: decimal digits wanted (int >= 15).

    Returns:
        numpy object array of mpf: (d, d) for scalar t, (T, d, d) for 1-D t.

    Raises:
        InvalidArgument: non-square or mismatched shapes, non-finite, complex or bool entries,
            c < 0, t < 0, dps < 15.
        ResourceLimitError: dps > MAX_DPS − 20, d > MAX_DIM, or (from numerics.mp.qqt) a
            working precision beyond MAX_WORK_DPS (c·t too large).
    """
    dps = check_dps(dps)
    if dps + 20 > MAX_DPS:
        dps = check_dps(dps + 20) - 20      # the weights are formed with 20 guard digits
    A0 = _square("A0", A0)
    target = _square("target", target)
    if target.shape != A0.shape:
        raise InvalidArgument(f"target has shape {target.shape} but A0 has shape {A0.shape}; "
                              f"they must match.")
    with mpmath.workdps(int(dps) + 20):
        cm = to_mpf("c", c)
        if cm < 0:
            raise InvalidArgument(f"c must be >= 0 (c = σ²w); got c = {c!r}. Pass |c| (eq (1) "
                                  f"only depends on c²).")
        times = as_times("t", t)
        W1, W2 = weights_from_network(A0, 2 * cm, dps=int(dps) + 20)
    X = qqt(W1, W2, target, times, 1.0, dps=int(dps))
    d = A0.shape[0]
    return X[..., d:, :d]
