"""Argument checking shared by the public numerics.

Private module: the helpers here turn user input into float64 arrays and raise the errors of
``lazyrich._errors`` with one-line messages that name the argument, the measured value and the
fix.  Bad input is never coerced: complex numbers (their imaginary part would be dropped),
booleans, strings, dates, ``None`` and integers beyond the float64 range are refused, as are
NaN and ±inf.

Limits (module constants, documented here so that a hostile input costs a clear error, not an
exhausted machine): :data:`MAX_ELEMENTS` entries in any one array that lazyrich allocates, and
:data:`MAX_GRAM` for ‖W1‖_F² + ‖W2‖_F² (beyond it W2ᵀW2 and QQᵀ leave the float64 range).
"""

from __future__ import annotations

import functools
import numbers

import mpmath
import numpy as np

from .._errors import (ArchitectureError, InvalidArgument, LazyrichError, NotBalancedError,
                       NotWhitenedError, OutOfRangeError, ResourceLimitError, SingularError)

#: Relative tolerance on ‖W2ᵀW2 − W1W1ᵀ − λI‖_F / (‖W2ᵀW2‖_F + ‖W1W1ᵀ‖_F) for A2.  The test is
#: scale-free: weights and Σyx scaled together (cW, c²Σyx, t/c²) give the same verdict.
BALANCE_RTOL = 1e-8
#: Absolute tolerance on ‖XXᵀ/P − I‖_max for A1.
WHITENED_ATOL = 1e-8
#: The most entries (float64, 8 bytes each) of one array that lazyrich allocates: 2²⁵ = 33.5
#: million (256 MiB).  A larger result or intermediate is refused with ResourceLimitError
#: before anything is allocated (a square layer of about 5 800 units, a time grid of about 700 000
#: times for a 7 × 7 QQᵀ).
MAX_ELEMENTS = 2 ** 25
#: The largest ‖W1‖_F² + ‖W2‖_F² accepted where weights enter the closed forms: every entry of
#: QQᵀ(0), W2ᵀW2 and W1W1ᵀ is at most this, 1e8 below the float64 maximum (~1.8e308), which
#: leaves room for the products of the closed forms.  Larger weights raise OutOfRangeError.
MAX_GRAM = 1e300

_RESCALE = ("Rescale: gradient flow from (W1/c, W2/c) on Σyx/c² at time c²t is the flow from "
            "(W1, W2) on Σyx at time t, divided by c (QQᵀ by c²)")


def boundary(func):
    """Decorator for a public function: the errors of numpy, scipy and Python that can still
    escape after validation (an allocation the machine cannot serve, an overflow in Python
    integer-to-float conversion, a LAPACK failure) become LazyrichErrors with one-line messages
    that say what to do.  LazyrichErrors and every other exception pass unchanged; valid
    results are not touched."""
    where = func.__name__

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except LazyrichError:
            raise
        except MemoryError as exc:
            detail = _show(str(exc), 100) if str(exc) else "no detail"
            raise ResourceLimitError(
                f"{where}: out of memory ({detail}). The arguments ask for more memory than "
                f"this machine has free: use smaller layers, fewer samples or fewer times."
            ) from exc
        except OverflowError as exc:
            raise OutOfRangeError(
                f"{where}: a value left the float64 range ({_show(str(exc), 100)}). Rescale the "
                f"arguments towards entries of order 1."
            ) from exc
        except np.linalg.LinAlgError as exc:
            if "singular" in str(exc).lower():
                raise SingularError(
                    f"{where}: a matrix the computation inverts is singular "
                    f"({_show(str(exc), 100)}). Check the arguments for repeated or zero "
                    f"directions."
                ) from exc
            raise OutOfRangeError(
                f"{where}: a linear-algebra routine did not converge ({_show(str(exc), 100)}), "
                f"typically for entries near the edges of the float64 range. Rescale the "
                f"arguments towards entries of order 1."
            ) from exc

    return wrapper


def _show(value, limit: int = 60) -> str:
    """A short repr for messages (one line, at most ``limit`` characters)."""
    text = " ".join(repr(value).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _is_complex_scalar(x) -> bool:
    if isinstance(x, (complex, np.complexfloating, mpmath.mpc)):
        return True
    if isinstance(x, numbers.Complex) and not isinstance(x, numbers.Real):
        return True
    return False


def _finite_number(x) -> bool:
    """Whether ``x`` (a number of any library) is finite, as far as mpmath can tell."""
    try:
        return bool(mpmath.isfinite(mpmath.mpmathify(x)))
    except (TypeError, ValueError, OverflowError, AttributeError):
        return False


def _object_to_float(name: str, raw: np.ndarray) -> np.ndarray:
    """An object array (Python numbers, mpf, Fraction, SymPy numbers...) → float64."""
    for idx, x in zip(np.ndindex(raw.shape), raw.flat):
        where = f"{name}{list(idx)}" if raw.ndim else name
        if x is None:
            raise InvalidArgument(f"{where} is None; every entry of {name} must be a real "
                                  f"number. Fill in the missing value.")
        if isinstance(x, (bool, np.bool_)):
            raise InvalidArgument(f"{where} is a bool ({x!r}), not a number. Pass "
                                  f"{float(x)!r} if that is what you mean.")
        if isinstance(x, (str, bytes)):
            raise InvalidArgument(f"{where} is a string ({_show(x)}), not a number. Convert "
                                  f"{name} to floats first.")
        if _is_complex_scalar(x):
            raise InvalidArgument(f"{where} = {_show(x)} is complex; the formulas are real and "
                                  f"an imaginary part is never dropped silently. Pass the real "
                                  f"part if the imaginary part is rounding noise.")
        try:
            with np.errstate(over="ignore"):
                v = float(x)
        except OverflowError:
            raise OutOfRangeError(f"{where} = {_show(x)} is beyond the float64 range "
                                  f"(|x| < 1.8e308). Rescale {name}.") from None
        except (TypeError, ValueError) as exc:
            raise InvalidArgument(f"{where} = {_show(x)} ({type(x).__name__}) is not a real "
                                  f"number ({_show(str(exc), 80)}). Pass floats.") from None
        if not np.isfinite(v) and _finite_number(x):
            raise OutOfRangeError(f"{where} = {_show(x)} is beyond the float64 range "
                                  f"(|x| < 1.8e308). Rescale {name}.")
    try:
        with np.errstate(over="ignore"):
            return np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError, OverflowError) as exc:  # pragma: no cover - caught above
        raise InvalidArgument(f"{name} must be real numbers; {_show(str(exc), 80)}.") from None


def as_array(name: str, value, *, ndim: int | tuple[int, ...] | None = None) -> np.ndarray:
    """Return ``value`` as a finite float64 array, or raise InvalidArgument naming ``name``.

    Accepted: Python and numpy reals and integers, arrays of them, and object arrays of real
    numbers (mpf, Fraction, SymPy numbers).  Refused with a one-line message: complex values
    (even with a zero imaginary part), bools, strings, dates, ``None``, ragged nesting, NaN,
    ±inf, and values beyond the float64 range (OutOfRangeError).  A float64 array is returned
    as is (no copy).
    """
    if isinstance(value, np.ndarray) and value.dtype == np.float64:
        arr = value
    elif type(value) is float or type(value) is int and abs(value) < 2 ** 1000:
        arr = np.asarray(value, dtype=np.float64)
    else:
        if isinstance(value, (bool, np.bool_)):
            raise InvalidArgument(f"{name} must be a real number, not a bool ({value!r}). Pass "
                                  f"a float, e.g. {name}={float(value)!r}.")
        if isinstance(value, (str, bytes)):
            raise InvalidArgument(f"{name} must be a real number, not a string "
                                  f"({_show(value)}). Convert it first, e.g. float(...).")
        try:
            raw = np.asarray(value)
        except (TypeError, ValueError, OverflowError) as exc:
            raise InvalidArgument(
                f"{name} must be a real number or an array of real numbers; got "
                f"{type(value).__name__} ({_show(str(exc), 100)}). Pass a float or a "
                f"rectangular numpy array of floats."
            ) from None
        kind = raw.dtype.kind
        if kind == "c":
            imag = float(np.max(np.abs(raw.imag), initial=0.0))
            raise InvalidArgument(
                f"{name} is complex (dtype {raw.dtype}, largest |imaginary part| = "
                f"{imag:.3g}); the formulas are real and an imaginary part is never dropped "
                f"silently. Pass {name}.real if the imaginary part is rounding noise."
            )
        if kind == "b":
            raise InvalidArgument(f"{name} is a boolean array (dtype bool), not numbers. Pass "
                                  f"{name}.astype(float) if that is what you mean.")
        if kind in "USa":
            raise InvalidArgument(f"{name} holds strings (dtype {raw.dtype}), not numbers. "
                                  f"Convert it first, e.g. np.asarray({name}, dtype=float).")
        if kind in "mM":
            raise InvalidArgument(f"{name} holds dates or durations (dtype {raw.dtype}), not "
                                  f"real numbers. Pass floats (e.g. durations in seconds).")
        if kind == "O":
            arr = _object_to_float(name, raw)
        elif kind in "iuf":
            with np.errstate(over="ignore"):
                arr = raw.astype(np.float64, copy=False)
            if kind == "f" and raw.dtype.itemsize > 8:
                lost = np.isfinite(raw) & ~np.isfinite(arr)
                if np.any(lost):
                    raise OutOfRangeError(
                        f"{name} has {int(np.count_nonzero(lost))} value(s) beyond the float64 "
                        f"range (|x| < 1.8e308; e.g. {_show(raw[lost].flat[0])}). Rescale "
                        f"{name}.")
        else:
            raise InvalidArgument(f"{name} must be real numbers; got an array of dtype "
                                  f"{raw.dtype}. Pass floats.")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            raise InvalidArgument(
                f"{name} must be {want}; got an array of shape {arr.shape}. Reshape it."
            )
    # One reduction in the common case: a finite sum proves every entry finite.
    with np.errstate(over="ignore", invalid="ignore"):
        total = arr.sum()
    if arr.size and np.isfinite(total):
        return arr
    finite = np.isfinite(arr)
    if not finite.all():
        bad = int(arr.size - np.count_nonzero(finite))
        first = np.unravel_index(int(np.argmin(finite.ravel())), arr.shape) if arr.ndim else ()
        where = f"{name}{list(int(i) for i in first)}" if arr.ndim else name
        raise InvalidArgument(
            f"{name} contains {bad} NaN/inf value(s) (first: {where} = {arr[first]!r}); every "
            f"entry must be finite. Check how {name} was computed."
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


def check_size(what: str, count: int, fix: str) -> None:
    """Raise ResourceLimitError if an array of ``count`` entries exceeds :data:`MAX_ELEMENTS`.

    ``count`` is computed with Python integers by the caller (no overflow); ``what`` names the
    array and ``fix`` says how to stay within the limit.
    """
    count = int(count)
    if count > MAX_ELEMENTS:
        raise ResourceLimitError(
            f"{what} would have {count:,} entries ({count * 8 / 2**30:.3g} GiB), more than "
            f"the {MAX_ELEMENTS:,} (256 MiB) allowed for one array (MAX_ELEMENTS). {fix}"
        )


def check_weight_range(W1: np.ndarray, W2: np.ndarray) -> None:
    """Raise OutOfRangeError if ‖W1‖_F² + ‖W2‖_F² exceeds :data:`MAX_GRAM` (computed without
    overflow), i.e. if W2ᵀW2, W1W1ᵀ or QQᵀ would leave the float64 range."""
    c = max(float(np.max(np.abs(W1), initial=0.0)), float(np.max(np.abs(W2), initial=0.0)))
    if c == 0.0:
        return
    e = int(np.frexp(c)[1])
    q2 = float(np.sum(np.square(np.ldexp(W1, -e)))) + float(np.sum(np.square(np.ldexp(W2, -e))))
    log10_gram = np.log10(q2) + 2 * e * np.log10(2.0)
    if log10_gram > np.log10(MAX_GRAM):
        raise OutOfRangeError(
            f"W1, W2 are too large for float64: ‖W1‖_F² + ‖W2‖_F² = 10^{log10_gram:.1f} "
            f"(max |entry| = {c:.3g}) exceeds MAX_GRAM = {MAX_GRAM:.0e}, so W2ᵀW2, W1W1ᵀ and "
            f"QQᵀ leave the float64 range. {_RESCALE}."
        )


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


def read_lambda(W1: np.ndarray, W2: np.ndarray, *, rtol: float = BALANCE_RTOL,
                sigma_yx: np.ndarray | None = None) -> float:
    """Read λ off λ-balanced weights (Definition A.1), or raise NotBalancedError.

    λ is the mean of the diagonal of W2ᵀW2 − W1W1ᵀ; the weights are accepted when the
    Frobenius deviation from λI is at most ``rtol`` times ‖W2ᵀW2‖_F + ‖W1W1ᵀ‖_F (a relative,
    scale-free test: tiny unbalanced weights are refused like large ones).  With ``sigma_yx``
    (the task the weights will be trained on) the deviation must also be at most ``rtol`` times
    the scale 2‖Σyx‖_F + |λ|√N_h at which gradient flow settles (when that is > 0): large weights
    shrink to that scale, and an imbalance that is rounding at the initial scale (≈ 1e-16 ‖W‖²)
    is then no longer small — the λ-balanced closed forms would answer for other weights.
    The Gram matrices are formed from the weights divided by a power of two (exact), so nothing
    overflows or underflows and λ is the same number as computed directly; weights with
    ‖W1‖_F² + ‖W2‖_F² > MAX_GRAM raise OutOfRangeError.  ``rtol=np.inf`` only reads λ.
    """
    check_weight_range(W1, W2)
    c = max(float(np.max(np.abs(W1), initial=0.0)), float(np.max(np.abs(W2), initial=0.0)))
    if c == 0.0:
        return 0.0
    e = int(np.frexp(c)[1])
    f = float(np.ldexp(1.0, 2 * e))
    w1, w2 = np.ldexp(W1, -e), np.ldexp(W2, -e)
    g2, g1 = w2.T @ w2, w1 @ w1.T
    M = g2 - g1
    n_h = M.shape[0]
    lam_s = float(np.trace(M) / n_h)
    dev = float(np.linalg.norm(M - lam_s * np.eye(n_h)))
    scale = float(np.linalg.norm(g2) + np.linalg.norm(g1))
    lam = float(np.ldexp(lam_s, 2 * e))
    what = "‖W2ᵀW2‖_F + ‖W1W1ᵀ‖_F"
    if sigma_yx is not None:
        big = float(np.max(np.abs(sigma_yx), initial=0.0))
        norm_s = float(np.linalg.norm(sigma_yx / big)) * big if big > 0 else 0.0  # no overflow
        settle = (2.0 * norm_s + abs(lam) * np.sqrt(n_h)) / f
        if 0.0 < settle < scale:
            scale, what = settle, "the scale 2‖Σyx‖_F + |λ|√N_h where the flow settles"
    if rtol != np.inf and not dev <= rtol * scale:
        hint = ""
        if what.startswith("the scale"):
            hint = (f" The weights (‖W‖² ≈ {(float(np.linalg.norm(g2)) + float(np.linalg.norm(g1))) * f:.3g}) "
                    f"shrink to the task's scale, where their imbalance (float64 rounding alone "
                    f"is ≈ 1e-16 ‖W‖²) no longer vanishes: use a smaller initialisation.")
        raise NotBalancedError(
            f"W1, W2 are not λ-balanced (assumption A2): ‖W2ᵀW2 − W1W1ᵀ − λI‖_F = "
            f"{dev * f:.3g} (λ = {lam:.6g} from the diagonal; allowed {rtol:.1g} × {what} = "
            f"{rtol * scale * f:.3g}). Build them with lambda_balanced_init(...) or "
            f"weights_from_network(...), or use gradient_flow(...) for arbitrary weights.{hint}"
        )
    return lam


def check_architecture(n_i: int, n_h: int, n_o: int, lam: float, *, atol: float = 1e-12,
                       require_a3: bool = False) -> None:
    """Check the hidden size and the sign of λ against the paper

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
            f". Choose N_h in it."
        )
    if n_h > n_m:
        if n_o < n_h and lam > atol:
            raise ArchitectureError(
                f"λ = {lam:.6g} > 0 is impossible for N_h = {n_h} > N_o = {n_o}: W2ᵀW2 has a "
                f"null space, so W2ᵀW2 − W1W1ᵀ = λI needs λ ≤ 0. Use λ ≤ 0 or "
                f"N_h = {n_m}."
            )
        if n_i < n_h and lam < -atol:
            raise ArchitectureError(
                f"λ = {lam:.6g} < 0 is impossible for N_h = {n_h} > N_i = {n_i}: W1W1ᵀ has a "
                f"null space, so W2ᵀW2 − W1W1ᵀ = λI needs λ ≥ 0. Use λ ≥ 0 or "
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
