"""λ-balanced weights: Algorithm 1 (E.1), Theorem 5.2 / C.2 (eq 18 / 141) and reading λ back.

Conventions: W1 is (N_h × N_i), W2 is (N_o × N_h), the network function is W2 W1 and the
λ-balance (Definition A.1) is W2ᵀW2 − W1W1ᵀ = λ I_{N_h}.

The two per-mode factors of Theorem 5.2 are

    s1 = sqrt(S_λ − λ/2),   s2 = sqrt(S_λ + λ/2),   S_λ = sqrt(s² + λ²/4),

so that s1·s2 = s and s2² − s1² = λ.  One of S_λ ∓ λ/2 suffers cancellation when |λ| ≫ s;
:func:`split_singular_values` evaluates the large one directly and the small one as s / (large),
which is exact algebra (s1 s2 = s) and keeps full relative accuracy for every (s, λ).

Private module; the public names are re-exported by ``numerics``.  Shared helper added here for
other modules: :func:`split_singular_values`.
"""

from __future__ import annotations

import numbers

import numpy as np

from .._errors import ArchitectureError, InvalidArgument, OutOfRangeError
from ._validate import (MAX_GRAM, as_array, as_scalar, boundary, check_architecture, check_size,
                        check_weight_range, layer_shapes, read_lambda)

__all__ = [
    "lambda_balanced_init",
    "weights_from_network",
    "lambda_of",
    "split_singular_values",
    "task_aligned_init",
    "task_modes",
    "LAMBDA_RTOL",
]

#: The weights built for a requested λ ≠ 0 must give it back (λ = tr(W2ᵀW2 − W1W1ᵀ)/N_h, as
#: read by lambda_of and the closed forms) to this relative accuracy; otherwise λ is below the
#: rounding of W2ᵀW2 − W1W1ᵀ (≈ 1e-16 ‖W‖²) and OutOfRangeError is raised.  E.g. at scale 1e8
#: (‖W‖² ≈ 1e16) a requested λ = 0.5 would read back as ≈ 2.4.
LAMBDA_RTOL = 1e-6


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------
def _as_rng(rng) -> np.random.Generator:
    """None, an int seed, or a Generator → a numpy Generator (raises InvalidArgument otherwise)."""
    if rng is None or isinstance(rng, (numbers.Integral, np.random.SeedSequence)):
        if isinstance(rng, bool):
            raise InvalidArgument(f"rng must be None, an int seed or a numpy Generator; got "
                                  f"{rng!r}. Pass e.g. rng=0.")
        if isinstance(rng, numbers.Integral) and rng < 0:
            raise InvalidArgument(f"rng must be a non-negative int seed; got {rng}. Pass e.g. "
                                  f"rng={-int(rng)}.")
        return np.random.default_rng(rng)
    if isinstance(rng, np.random.Generator):
        return rng
    raise InvalidArgument(
        f"rng must be None, an int seed or a numpy.random.Generator; got "
        f"{type(rng).__name__}. Pass e.g. rng=0 or rng=np.random.default_rng(0)."
    )


def _as_size(name: str, value) -> int:
    """A positive integer layer size, or InvalidArgument naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InvalidArgument(f"{name} must be a positive integer; got {value!r} "
                              f"({type(value).__name__}). Pass an int >= 1.")
    if value < 1:
        raise InvalidArgument(f"{name} must be >= 1; got {value}. Every layer needs a unit.")
    return int(value)


def _haar_orthogonal(n: int, rng: np.random.Generator) -> np.ndarray:
    """A Haar-distributed n×n orthogonal matrix (QR of a Gaussian with the sign fix)."""
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    d = np.sign(np.diag(r))
    d[d == 0] = 1.0
    return q * d


def _svd(name: str, M: np.ndarray, *, full_matrices: bool):
    """numpy's SVD, with LAPACK's rare non-convergence turned into a clear error."""
    try:
        return np.linalg.svd(M, full_matrices=full_matrices)
    except np.linalg.LinAlgError:
        nz = np.abs(M[M != 0])
        raise OutOfRangeError(
            f"the SVD of {name} did not converge (entries from {float(nz.min(initial=0)):.3g} "
            f"to {float(nz.max(initial=0)):.3g} in absolute value); rescale {name} to entries "
            f"of order 1, or check it for values at the edge of the float64 range."
        ) from None


@boundary
def split_singular_values(s, lam: float) -> tuple[np.ndarray, np.ndarray]:
    """Per-mode factors (s1, s2) of Theorem 5.2, without cancellation.

    Arguments:
        s: array of non-negative singular values s_α (any shape).
        lam: λ (float).

    Returns:
        (s1, s2), arrays of the shape of ``s`` with s1 = sqrt(S_λ − λ/2), s2 = sqrt(S_λ + λ/2),
        S_λ = sqrt(s² + λ²/4); hence s1·s2 = s and s2² − s1² = λ.  The factor that is large for
        the sign of λ is computed directly, the other as s / (large factor), so both have
        relative error of a few ulps for all s ≥ 0 and λ (including |λ| ≫ s and s = 0).

    Raises:
        InvalidArgument: s or lam not finite real numbers, s < 0, lam not a scalar.
        OutOfRangeError: sqrt(s² + λ²/4) + |λ|/2 overflows float64.
    """
    s = as_array("s", s)
    lam = as_scalar("lam", lam)
    if np.any(s < 0):
        raise InvalidArgument(f"s must be singular values (>= 0); got min s = "
                              f"{float(s.min())!r}. Pass |s| (a sign belongs to the singular "
                              f"vectors).")
    half = 0.5 * abs(lam)
    with np.errstate(over="ignore"):
        big = np.sqrt(np.hypot(s, half) + half)  # sqrt(S_λ + |λ|/2): no cancellation
    if not np.all(np.isfinite(big)):
        raise OutOfRangeError(
            f"s (max {float(np.max(s, initial=0.0)):.3g}) and lam = {lam:.3g} are too large "
            f"for float64: S_λ + |λ|/2 = sqrt(s² + λ²/4) + |λ|/2 overflows. Rescale them "
            f"(the factors scale like their square roots)."
        )
    with np.errstate(invalid="ignore", divide="ignore"):
        small = np.where(big > 0, s / np.where(big > 0, big, 1.0), 0.0)
    if lam >= 0:
        return small, big
    return big, small


def _certify(W1: np.ndarray, W2: np.ndarray, lam: float, source: str) -> None:
    """Refuse weights that float64 cannot deliver as asked (OutOfRangeError).

    ``source`` names the inputs that set the size of the weights (e.g. "scale = 1e8").  Checks:
    every entry finite, ‖W1‖_F² + ‖W2‖_F² ≤ MAX_GRAM, and (λ ≠ 0) λ read back as
    tr(W2ᵀW2 − W1W1ᵀ)/N_h within LAMBDA_RTOL of the requested λ.
    """
    if not (np.all(np.isfinite(W1)) and np.all(np.isfinite(W2))):
        raise OutOfRangeError(
            f"{source} with lam = {lam:.6g} gives weights beyond the float64 range (an entry "
            f"overflowed). Use smaller values: weights need ‖W1‖_F² + ‖W2‖_F² <= {MAX_GRAM:.0e}."
        )
    try:
        check_weight_range(W1, W2)
    except OutOfRangeError as exc:
        raise OutOfRangeError(f"{source} with lam = {lam:.6g}: {exc}") from None
    if lam != 0.0 and W1.shape[0]:
        got = read_lambda(W1, W2, rtol=np.inf)
        if not abs(got - lam) <= LAMBDA_RTOL * abs(lam):
            g2 = float(np.sum(W1 * W1) + np.sum(W2 * W2))
            raise OutOfRangeError(
                f"lam = {lam:.6g} is below the float64 resolution of W2ᵀW2 − W1W1ᵀ for "
                f"{source} (‖W1‖_F² + ‖W2‖_F² = {g2:.3g}, rounding ≈ {2.2e-16 * g2:.2g}): the "
                f"weights would read back λ = {got:.6g} (allowed relative error "
                f"{LAMBDA_RTOL:.0e}). Use lam=0, a larger |lam| (>= ~{g2 * 2.2e-16 / LAMBDA_RTOL:.1g}) "
                f"or smaller weights."
            )


def _check_weights(W1, W2) -> tuple[np.ndarray, np.ndarray, tuple[int, int, int]]:
    W1 = as_array("W1", W1, ndim=2)
    W2 = as_array("W2", W2, ndim=2)
    return W1, W2, layer_shapes(W1, W2)


# --------------------------------------------------------------------------------------------
# Algorithm 1
# --------------------------------------------------------------------------------------------
@boundary
def lambda_balanced_init(lam, n_in, n_hidden, n_out, *, scale=1.0, rng=None, aligned_to=None):
    """λ-balanced random initialisation (Algorithm 1, App. E.1).

    Steps: draw A ~ N(0, scale²)^{N_h×N_i}, B ~ N(0, scale²)^{N_o×N_h}; take the SVD B A = U S Vᵀ
    (full U, V); draw a Haar-random orthogonal R (N_h×N_h); set W1 = R S1 Vᵀ, W2 = U S2 Rᵀ with
    S1 = sqrt(S_λ − λ/2), S2 = sqrt(S_λ + λ/2) (see :func:`split_singular_values`), zero-padded to
    N_h×N_i and N_o×N_h.  Then W2 W1 = U S Vᵀ = B A and W2ᵀW2 − W1W1ᵀ = λ I.

    Wider hidden layers (N_m = min(N_i, N_o) < N_h ≤ max(N_i, N_o)).  The N_h − N_m extra hidden
    directions k = N_m, …, N_h − 1 must still satisfy (W2ᵀW2 − W1W1ᵀ)_kk = λ:
      * funnel (N_i > N_o, λ ≤ 0): W1 gets the rows sqrt(|λ|)·v_kᵀ (v_k the unused right
        singular vectors), W2 zero columns;
      * inverted funnel (N_o > N_i, λ ≥ 0): W2 gets the columns sqrt(λ)·u_k, W1 zero rows.
    These directions do not change W2 W1.  For N_h > max(N_i, N_o) only λ = 0 is possible; the
    directions beyond max(N_i, N_o) are then zero rows of W1 and zero columns of W2 (dead units).

    Arguments:
        lam: λ (float).
        n_in, n_hidden, n_out: N_i, N_h, N_o (positive ints).
        scale: σ > 0, the standard deviation of the entries of A and B (sets the size of S).
        rng: None, an int seed, or a numpy Generator.
        aligned_to: optional Σyx (N_o × N_i); if given, its singular vectors (full SVD) replace
            U and V (task-aligned initialisation, Theorem 5.1); S still comes from B A.

    Returns:
        (W1, W2): float64 arrays of shapes (N_h, N_i) and (N_o, N_h).

    Raises:
        InvalidArgument: non-integer sizes, non-finite λ, scale ≤ 0, bad rng, bad aligned_to.
        ArchitectureError: N_h outside [min(N_i, N_o), max(N_i, N_o)] (except N_h > max with
            λ = 0), or a sign of λ that the architecture forbids.
        OutOfRangeError: weights beyond float64 (‖W1‖_F² + ‖W2‖_F² > MAX_GRAM, e.g. scale ≳
            1e150), or λ ≠ 0 below the rounding of W2ᵀW2 − W1W1ᵀ at this scale (it would read
            back off by more than LAMBDA_RTOL relative, e.g. λ = 0.5 at scale = 1e8).
        ResourceLimitError: an array beyond MAX_ELEMENTS entries (layers of ~5 800 units).
    """
    lam = as_scalar("lam", lam)
    n_i = _as_size("n_in", n_in)
    n_h = _as_size("n_hidden", n_hidden)
    n_o = _as_size("n_out", n_out)
    scale = as_scalar("scale", scale, positive=True)
    gen = _as_rng(rng)
    n_m, n_max = min(n_i, n_o), max(n_i, n_o)
    if n_h > n_max:
        if lam != 0.0:
            raise ArchitectureError(
                f"N_h = {n_h} > max(N_i, N_o) = {n_max} (N_i = {n_i}, N_o = {n_o}) admits only "
                f"λ = 0 (both W1W1ᵀ and W2ᵀW2 have a null space); got λ = {lam:.6g}. "
                f"Use lam=0 or N_h <= {n_max}."
            )
    else:
        check_architecture(n_i, n_h, n_o, lam, atol=0.0)

    check_size(f"the weights for (N_i, N_h, N_o) = {(n_i, n_h, n_o)}",
               max(n_h * n_i, n_o * n_h, n_h * n_h, n_o * n_i, n_o * n_o, n_i * n_i),
               "Use smaller layers.")
    if aligned_to is not None:
        syx = as_array("aligned_to", aligned_to, ndim=2)
        if syx.shape != (n_o, n_i):
            raise InvalidArgument(
                f"aligned_to must be Σyx of shape (N_o, N_i) = {(n_o, n_i)}; got {syx.shape}. "
                f"Pass Σyx = YXᵀ/P (outputs × inputs)."
            )
    A = scale * gen.standard_normal((n_h, n_i))
    B = scale * gen.standard_normal((n_o, n_h))
    R = _haar_orthogonal(n_h, gen)
    # Only the first N_m singular values of B A can be non-zero.
    with np.errstate(over="ignore", invalid="ignore"):
        BA = B @ A
    if not np.all(np.isfinite(BA)):
        raise OutOfRangeError(
            f"scale = {scale:.3g} is too large for float64: the network function B A has entries "
            f"~ scale² = {scale * scale:.3g}, which overflow. Use scale <= ~1e150 (weights need "
            f"‖W1‖_F² + ‖W2‖_F² <= {MAX_GRAM:.0e})."
        )
    U, s, Vt = _svd("B A", BA, full_matrices=True)
    if aligned_to is not None:
        U, _, Vt = _svd("aligned_to", syx, full_matrices=True)
    s = s[:n_m]
    s1, s2 = split_singular_values(s, lam)

    S1 = np.zeros((n_h, n_i))  # hidden × input
    S2 = np.zeros((n_o, n_h))  # output × hidden
    idx = np.arange(n_m)
    S1[idx, idx] = s1
    S2[idx, idx] = s2
    k = np.arange(n_m, min(n_h, n_max))  # extra directions with a non-zero factor
    if k.size:
        if n_i > n_o:  # funnel: λ ≤ 0, W1 rows of length sqrt(|λ|)
            S1[k, k] = np.sqrt(-lam) if lam < 0 else 0.0
        else:  # inverted funnel: λ ≥ 0, W2 columns of length sqrt(λ)
            S2[k, k] = np.sqrt(lam) if lam > 0 else 0.0
    W1 = R @ S1 @ Vt
    W2 = U @ S2 @ R.T
    _certify(W1, W2, lam, f"scale = {scale:.3g}")
    return W1, W2


# --------------------------------------------------------------------------------------------
# Theorem 5.2
# --------------------------------------------------------------------------------------------
@boundary
def weights_from_network(A, lam, R=None):
    """λ-balanced weights with a given network function (Theorem 5.2 / C.2, eq 18 / 141).

    With the compact SVD A = U S Vᵀ (U: N_o×N_m, V: N_i×N_m, N_m = min(N_i, N_o) = N_h):
    W1 = R S1 Vᵀ, W2 = U S2 Rᵀ, S1 = sqrt(S_λ − λ/2), S2 = sqrt(S_λ + λ/2), S_λ = sqrt(S² + λ²/4)
    (computed without cancellation, :func:`split_singular_values`).  Then W2 W1 = A,
    W2ᵀW2 − W1W1ᵀ = λ I, W1ᵀW1 = V(S_λ − λ/2)Vᵀ and W2W2ᵀ = U(S_λ + λ/2)Uᵀ.  A rank-deficient A is
    allowed for every λ: a zero singular value gives the pair (sqrt(|λ|), 0) or (0, sqrt(λ))
    (and (0, 0) when λ = 0), which still satisfies both identities.

    Arguments:
        A: the network function W2 W1, shape (N_o, N_i).
        lam: λ (float).
        R: optional orthogonal (N_h × N_h) matrix, N_h = min(N_i, N_o); default the identity.

    Returns:
        (W1, W2): arrays of shapes (N_h, N_i) and (N_o, N_h).

    Raises:
        InvalidArgument: A not a finite 2-D array, λ not finite, R of the wrong shape or not
            orthogonal (‖RᵀR − I‖_F > 1e-10).
        OutOfRangeError: weights beyond float64 (‖W1‖_F² + ‖W2‖_F² > MAX_GRAM), or λ ≠ 0 below
            the rounding of W2ᵀW2 − W1W1ᵀ (|λ| ≲ 1e-10 ‖A‖; it would read back off by more
            than LAMBDA_RTOL relative).
        ResourceLimitError: an array beyond MAX_ELEMENTS entries.
    """
    A = as_array("A", A, ndim=2)
    lam = as_scalar("lam", lam)
    n_o, n_i = A.shape
    if min(n_o, n_i) == 0:
        raise InvalidArgument(f"A must have at least one row and column; got shape {A.shape}.")
    n_h = min(n_o, n_i)
    if R is None:
        R = np.eye(n_h)
    else:
        R = as_array("R", R, ndim=2)
        if R.shape != (n_h, n_h):
            raise InvalidArgument(
                f"R must be orthogonal of shape (N_h, N_h) = {(n_h, n_h)} with N_h = "
                f"min(N_i, N_o) for A of shape {A.shape}; got {R.shape}."
            )
        dev = float(np.linalg.norm(R.T @ R - np.eye(n_h)))
        if dev > 1e-10:
            raise InvalidArgument(
                f"R must be orthogonal: ‖RᵀR − I‖_F = {dev:.3g} > 1e-10. Orthogonalise it "
                f"(e.g. the Q factor of a QR decomposition) or omit it for R = I."
            )
    check_size(f"the weights for A of shape {A.shape}", max(n_o, n_i) * n_h, "Use a smaller A.")
    U, s, Vt = _svd("A", A, full_matrices=False)
    s1, s2 = _split_for("A", s, lam)
    W1 = R @ (s1[:, None] * Vt)
    W2 = (U * s2) @ R.T
    _certify(W1, W2, lam, f"A (max |entry| = {float(np.max(np.abs(A))):.3g})")
    return W1, W2


def _split_for(name: str, s: np.ndarray, lam: float):
    """split_singular_values for the singular values of ``name``, overflow named after it."""
    if not np.all(np.isfinite(s)):
        raise OutOfRangeError(f"{name} is too large for float64: its singular values overflow. "
                              f"Rescale {name} (weights need ‖W1‖_F² + ‖W2‖_F² <= "
                              f"{MAX_GRAM:.0e}).")
    try:
        return split_singular_values(s, lam)
    except OutOfRangeError:
        raise OutOfRangeError(
            f"{name} (largest singular value {float(np.max(s, initial=0.0)):.3g}) with lam = "
            f"{lam:.3g} is too large for float64: sqrt(s² + λ²/4) overflows. Rescale them "
            f"(weights need ‖W1‖_F² + ‖W2‖_F² <= {MAX_GRAM:.0e})."
        ) from None


@boundary
def lambda_of(W1, W2) -> float:
    """λ of λ-balanced weights: the common diagonal value of W2ᵀW2 − W1W1ᵀ (Definition A.1).

    Arguments:
        W1: (N_h, N_i) array.  W2: (N_o, N_h) array.

    Returns:
        λ as a float.

    Raises:
        InvalidArgument: non-finite entries or shapes that do not compose.
        NotBalancedError: W2ᵀW2 − W1W1ᵀ is not a multiple of I (relative tolerance 1e-8).
    """
    W1, W2, _ = _check_weights(W1, W2)
    return read_lambda(W1, W2)


def _task_basis(sigma_yx):
    syx = as_array("sigma_yx", sigma_yx, ndim=2)
    if min(syx.shape) == 0:
        raise InvalidArgument(f"sigma_yx must have at least one row and one column (N_o, N_i "
                              f">= 1); got shape {syx.shape}.")
    check_size(f"the task basis of sigma_yx of shape {syx.shape}", max(syx.shape) ** 2,
               "Use a smaller task.")
    U, s, Vt = _svd("sigma_yx", syx, full_matrices=False)
    return syx, U, s, Vt.T


@boundary
def task_aligned_init(sigma_yx, s0, lam, *, R=None):
    """Task-aligned λ-balanced weights (the initialisation of Theorem 5.1): W1 = R S1 Ṽᵀ and
    W2 = Ũ S2 Rᵀ with Σyx = Ũ S̃ Ṽᵀ (compact SVD), so that W2W1(0) = Ũ diag(s0) Ṽᵀ and
    W2ᵀW2 − W1W1ᵀ = λI exactly.

    Arguments:
        sigma_yx: the task Σyx, shape (N_o, N_i).
        s0: the initial singular value of each task mode, a scalar or N_m = min(N_i, N_o)
            values, any sign (a negative one is a mode that starts reversed).
        lam: λ.
        R: optional orthogonal N_m × N_m matrix (default I).

    Returns:
        (W1, W2), shapes (N_m, N_i) and (N_o, N_m). Read the modes back with
        :func:`task_modes`.

    Raises:
        InvalidArgument: non-finite or non-real input, s0 of the wrong length, R not
            orthogonal, an empty sigma_yx.
        OutOfRangeError: weights beyond float64, or λ ≠ 0 below the rounding of
            W2ᵀW2 − W1W1ᵀ (as for :func:`weights_from_network`).
    """
    _, U, _, V = _task_basis(sigma_yx)
    lam = as_scalar("lam", lam)
    n_m = U.shape[1]
    s0 = as_array("s0", s0, ndim=(0, 1))
    if s0.ndim == 0:
        s0 = np.broadcast_to(s0, (n_m,))
    if s0.shape != (n_m,):
        raise InvalidArgument(f"s0 must be a scalar or {n_m} values (one per task mode, "
                              f"N_m = min(N_i, N_o)); got {s0.shape[0]} values.")
    s1, s2 = _split_for("s0", np.abs(s0), lam)
    s2 = np.where(s0 < 0, -s2, s2)
    W1, W2 = weights_from_network(np.eye(n_m), 0.0, R=R)   # validates R; W1 = R, W2 = Rᵀ
    R = W1
    W1, W2 = R @ (s1[:, None] * V.T), (U * s2) @ R.T
    _certify(W1, W2, lam, f"s0 (max |s0| = {float(np.max(np.abs(s0))):.3g})")
    return W1, W2


@boundary
def task_modes(product, sigma_yx):
    """The task modes of a network function: s_α = (ŨᵀAṼ)_αα for Σyx = ŨS̃Ṽᵀ (compact SVD,
    the same basis as :func:`task_aligned_init`), and how far A is from task-aligned.

    Arguments:
        product: A = W2W1, shape (N_o, N_i) or a trajectory of shape (T, N_o, N_i) (e.g.
            ``gradient_flow(...).product()``).
        sigma_yx: the task Σyx, shape (N_o, N_i).

    Returns:
        (s, leakage): s of shape (N_m,) or (T, N_m); leakage the largest entry, over all
        times, of A − Ũ diag(s) Ṽᵀ (0 for an exactly task-aligned A).

    Raises:
        InvalidArgument: non-finite or non-real input, shapes that do not match, an empty
            sigma_yx.  OutOfRangeError: the projection overflows float64.
    """
    syx, U, _, V = _task_basis(sigma_yx)
    A = as_array("product", product)
    if A.shape[-2:] != syx.shape or A.ndim not in (2, 3):
        raise InvalidArgument(f"product must have shape {syx.shape} or (T, {syx.shape[0]}, "
                              f"{syx.shape[1]}) like sigma_yx; got {A.shape}.")
    with np.errstate(over="ignore", invalid="ignore"):
        M = np.einsum("oa,...oi,ib->...ab", U, A, V)
        s = np.einsum("...aa->...a", M)
        aligned = np.einsum("oa,...a,ia->...oi", U, s, V)
        leakage = float(np.max(np.abs(A - aligned))) if A.size else 0.0
    if not (np.all(np.isfinite(s)) and np.isfinite(leakage)):
        raise OutOfRangeError(
            f"product is too large for float64 (max |entry| = {float(np.max(np.abs(A))):.3g}): "
            f"its projection on the task modes overflows. Rescale product."
        )
    return s, leakage
