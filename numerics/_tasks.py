"""Tasks of App. E.2 and their input–output statistics.

* :func:`task_covariances`: Σxx = XXᵀ/P and Σyx = YXᵀ/P (eq 2), with the whitening check (A1).
* :func:`random_regression_task`: E.2.1, Gaussian inputs whitened exactly.
* :func:`semantic_hierarchy`: E.2.2, eq 188, the 8-item hierarchy.

Convention: X is (N_i, P), Y is (N_o, P), one column per sample; covariances use the 1/P
normalisation of the paper

Private module; the public names are re-exported by ``numerics``.
"""

from __future__ import annotations


import numpy as np

from .._errors import InvalidArgument, OutOfRangeError
from ._validate import as_array, as_scalar, boundary, check_size, check_whitened
from ._weights import _as_rng, _as_size

__all__ = ["task_covariances", "random_regression_task", "semantic_hierarchy"]


@boundary
def task_covariances(X, Y, *, whitened=True):
    """Input and input–output covariances of a data set (eq 2).

    Arguments:
        X: inputs (N_i, P).  Y: targets (N_o, P).
        whitened: if True (default), require Σxx = I (assumption A1, max-abs tolerance 1e-8).

    Returns:
        (sigma_xx, sigma_yx): Σxx = XXᵀ/P of shape (N_i, N_i) and Σyx = YXᵀ/P of shape (N_o, N_i).

    Raises:
        InvalidArgument: non-finite or mis-shaped X, Y, different numbers of samples, or
            ``whitened`` not a bool.
        OutOfRangeError: the covariances overflow float64.
        NotWhitenedError: ``whitened`` is True and XXᵀ/P ≠ I.
        ResourceLimitError: an N × N_i covariance beyond MAX_ELEMENTS entries.
    """
    X = as_array("X", X, ndim=2)
    Y = as_array("Y", Y, ndim=2)
    if X.shape[1] != Y.shape[1] or X.shape[1] == 0:
        raise InvalidArgument(
            f"X (N_i, P) and Y (N_o, P) must have the same number P >= 1 of samples (columns); "
            f"got X {X.shape}, Y {Y.shape}. Transpose them if samples are rows."
        )
    if min(X.shape[0], Y.shape[0]) == 0:
        raise InvalidArgument(f"X and Y need at least one row; got X {X.shape}, Y {Y.shape}.")
    if not isinstance(whitened, (bool, np.bool_)):
        raise InvalidArgument(f"whitened must be True or False; got {whitened!r} "
                              f"({type(whitened).__name__}).")
    check_size(f"Σxx and Σyx for N_i = {X.shape[0]}, N_o = {Y.shape[0]}",
               max(X.shape[0], Y.shape[0]) * X.shape[0], "Use fewer features.")
    p = X.shape[1]
    with np.errstate(over="ignore", invalid="ignore"):
        sxx, syx = X @ X.T / p, Y @ X.T / p
    if not (np.all(np.isfinite(sxx)) and np.all(np.isfinite(syx))):
        raise OutOfRangeError(
            f"X, Y are too large for float64: XXᵀ/P or YXᵀ/P overflows (max |X| = "
            f"{float(np.max(np.abs(X))):.3g}, max |Y| = {float(np.max(np.abs(Y))):.3g}). Rescale "
            f"the data.")
    if whitened:
        check_whitened(X)
    return sxx, syx


@boundary
def random_regression_task(n_in, n_out, n_samples=None, *, rng=None, scale=1.0, noise=0.0):
    """Random regression task in the style of App. E.2.1, with exactly whitened inputs.

    Inputs: X0 ~ N(0, 1)^{N_i×P}, then symmetric (ZCA) whitening X = Σ̂^{-1/2} X0 with
    Σ̂ = X0X0ᵀ/P.  It is computed from the thin SVD X0 = A D Bᵀ as X = sqrt(P)·A Bᵀ (the same
    matrix, since Σ̂^{-1/2} = sqrt(P) A D⁻¹ Aᵀ), so XXᵀ/P = AᵀA = I to rounding (~1e-15).
    Targets: Y = W* X + noise·E with W* ~ N(0, scale²/(N_i N_o)) and E ~ N(0, 1/N_o) entrywise, so
    each target entry has variance (scale² + noise²)/N_o.  The paper's E.2.1 task (targets
    independent Gaussians of variance 1/N_o, uncorrelated with the inputs) is scale=0, noise=1;
    the default (scale=1, noise=0) is a realisable task with Σyx = W*.

    Arguments:
        n_in, n_out: N_i, N_o (ints >= 1).
        n_samples: P >= N_i (needed for XXᵀ/P = I to be possible); default max(10·N_i, 100).
        rng: None, an int seed, or a numpy Generator.
        scale: >= 0, size of the linear teacher W*.
        noise: >= 0, size of the additive target noise.

    Returns:
        (X, Y): arrays of shapes (N_i, P) and (N_o, P).

    Raises:
        InvalidArgument: non-integer sizes, n_samples < n_in, negative or non-finite scale/noise,
            bad rng.
        OutOfRangeError: targets that overflow float64 (scale or noise near 1e308).
        ResourceLimitError: data beyond MAX_ELEMENTS entries.
    """
    n_i = _as_size("n_in", n_in)
    n_o = _as_size("n_out", n_out)
    if n_samples is None:
        p = max(10 * n_i, 100)
    else:
        p = _as_size("n_samples", n_samples)
        if p < n_i:
            raise InvalidArgument(
                f"n_samples = {p} < n_in = {n_i}: XXᵀ/P has rank <= P < N_i and cannot be "
                f"whitened to I. Pass n_samples >= {n_i}."
            )
    scale = as_scalar("scale", scale)
    noise = as_scalar("noise", noise)
    for name, v in (("scale", scale), ("noise", noise)):
        if v < 0:
            raise InvalidArgument(f"{name} must be >= 0; got {v!r}.")
    check_size(f"the data (N_i = {n_i}, N_o = {n_o}, P = {p})", max(n_i, n_o) * p,
               "Use fewer samples or features.")
    gen = _as_rng(rng)
    X0 = gen.standard_normal((n_i, p))
    A, _, Bt = np.linalg.svd(X0, full_matrices=False)
    X = np.sqrt(p) * (A @ Bt)
    with np.errstate(over="ignore", invalid="ignore"):
        W_star = gen.standard_normal((n_o, n_i)) * (scale / np.sqrt(n_i * n_o))
        E = gen.standard_normal((n_o, p)) * (noise / np.sqrt(n_o))
        Y = W_star @ X + E
    if not np.all(np.isfinite(Y)):
        raise OutOfRangeError(
            f"scale = {scale:.3g} and noise = {noise:.3g} are too large for float64: the targets "
            f"overflow. Use values below ~1e300 (the targets have variance "
            f"(scale² + noise²)/N_o).")
    return X, Y


#: Eq 188: rows = features (living thing; then one ±1 feature per internal node),
#: columns = items (2 fish, 2 birds, 2 algae, 2 flowers).
_HIERARCHY_Y = np.array(
    [
        [1, 1, 1, 1, 1, 1, 1, 1],
        [1, 1, 1, 1, -1, -1, -1, -1],
        [1, 1, -1, -1, 0, 0, 0, 0],
        [0, 0, 0, 0, 1, 1, -1, -1],
        [1, -1, 0, 0, 0, 0, 0, 0],
        [0, 0, 1, -1, 0, 0, 0, 0],
        [0, 0, 0, 0, 1, -1, 0, 0],
        [0, 0, 0, 0, 0, 0, 1, -1],
    ],
    dtype=np.float64,
)


def semantic_hierarchy():
    """The 8-item semantic hierarchy task of App. E.2.2 (eq 188, reconstructed in).

    Items (columns) are 2 fish, 2 birds, 2 algae, 2 flowers; features (rows) are "living thing"
    followed by one ±1 feature per internal node of the binary tree (left child +1, right child
    −1, 0 outside the node).  Inputs are one-hot, scaled to be whitened under the 1/P convention:
    X = sqrt(8)·I_8, so XXᵀ/P = I and Σyx = YXᵀ/P = Y/sqrt(8).  The paper uses one-hot inputs
    X = I_8 with an input rescaling ("whitening") whose exact form could not be recovered; with X = I_8 the 1/P convention would give Σxx = I/8.  The symmetry-breaking
    perturbation of eq 189 is not applied.

    Returns:
        (X, Y): X of shape (8, 8) (= sqrt(8)·I), Y of shape (8, 8) (features × items); fresh
        arrays on each call.
    """
    return np.sqrt(8.0) * np.eye(8), _HIERARCHY_Y.copy()
