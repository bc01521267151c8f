"""Elementary functions that work on SymPy expressions, mpmath numbers and numpy/float input
alike, so that a formula is written once and evaluated exactly, at any precision, or fast.

    from lazyrich.numerics import generic as g

    def sigmoid(s_target, s0, t, tau=1):
        e = g.exp(2 * s_target * t / tau)
        return (e - 1) / (e - 1 + s_target / s0)

    sigmoid(sp.Symbol("s", positive=True), sp.Rational(1, 10), sp.Symbol("t"))  # SymPy
    sigmoid(mpmath.mpf(2), mpmath.mpf("0.1"), 3)                                 # mpmath
    sigmoid(np.array([1.0, 2.0]), 0.1, np.linspace(0, 5, 11)[:, None])           # numpy

The backend is chosen by the argument: a SymPy object gives SymPy, an mpmath number (or a
list, tuple or numpy object array with one among its entries) gives mpmath, anything else numpy.

A real argument never gives a NaN, an infinity or a complex number silently: outside the
function's real domain (log of a negative number, sqrt(−1), arctanh(2)) the numpy and mpmath
backends raise InvalidArgument, and where the result leaves the float64 range (exp(1000))
numpy raises OutOfRangeError (mpmath has no such range).  Complex arguments (numpy complex,
mpc) are evaluated as complex functions.  Bools, strings, ``None``, NaN and ±inf are refused.
SymPy keeps its own exact semantics (log(−1) = iπ).
"""

from __future__ import annotations

import numpy as np

from .._errors import InvalidArgument, OutOfRangeError
from ._validate import _show, as_array

__all__ = ["backend", "exp", "expm1", "log", "log1p", "sqrt", "sinh", "cosh", "tanh",
           "arcsinh", "arctanh", "absolute", "sign"]


def _is_mp(v) -> bool:
    return (type(v).__module__ or "").startswith("mpmath")


def backend(x) -> str:
    """``"sympy"``, ``"mpmath"`` or ``"numpy"``: the library that evaluates ``x`` (found by
    the type's module, so that importing this module does not import SymPy)."""
    mod = type(x).__module__ or ""
    if mod.startswith("sympy"):
        return "sympy"
    if mod.startswith("mpmath"):
        return "mpmath"
    if isinstance(x, np.ndarray) and x.dtype == object and x.size and \
            any(_is_mp(v) for v in x.flat):
        return "mpmath"
    if isinstance(x, (list, tuple)):
        try:
            if any(_is_mp(v) for v in np.asarray(x, dtype=object).flat):
                return "mpmath"
        except (TypeError, ValueError):
            pass
    return "numpy"


#: The real domain of each function, for messages (None: all reals).
_DOMAIN = {"log": "x > 0", "log1p": "x > -1", "sqrt": "x >= 0", "arctanh": "-1 < x < 1"}


def _domain_error(name: str, x, y) -> Exception:
    dom = _DOMAIN.get(name)
    if dom is not None:
        return InvalidArgument(
            f"{name}(x) at x = {_show(x)} would be {_show(y)}: x is outside the real domain of "
            f"{name} ({dom}). Pass a complex x (complex(x), mpmath.mpc) if a complex result is "
            f"meant.")
    return OutOfRangeError(
        f"{name}(x) at x = {_show(x)} is {_show(y)}: beyond the float64 range (|result| < "
        f"1.8e308). Evaluate it with mpmath ({name}(mpmath.mpf(x))) or rescale.")


def _mp_one(name: str, fn, x):
    """``fn`` on one entry: mpc in, complex out; a real entry must give a finite real."""
    import mpmath

    if isinstance(x, mpmath.mpc):
        return fn(x)
    v = x if isinstance(x, mpmath.mpf) else mpmath.mpf(as_array("x", x, ndim=0).item())
    if not mpmath.isfinite(v):
        raise InvalidArgument(f"x = {v} is not finite; {name}(x) needs a finite argument.")
    y = fn(v)
    if isinstance(y, mpmath.mpc) or not mpmath.isfinite(y):
        raise _domain_error(name, v, y)
    return y


def _numpy(name: str, npf, x):
    """``npf`` on numpy/float input: complex stays complex; a real argument must give finite
    reals (no NaN, inf or overflow warning)."""
    raw = x if isinstance(x, np.ndarray) else None
    if raw is None and not isinstance(x, (str, bytes)):
        try:
            raw = np.asarray(x)
        except (TypeError, ValueError):
            raw = None
    if raw is not None and raw.dtype.kind == "c":
        arr = raw
        if not np.all(np.isfinite(arr)):
            raise InvalidArgument(f"x contains NaN/inf; {name}(x) needs finite arguments.")
    else:
        arr = as_array("x", x)
    with np.errstate(all="ignore"):
        y = npf(arr)
    bad = ~np.isfinite(y)
    if np.any(bad):
        if np.ndim(y):
            i = np.unravel_index(int(np.argmax(bad)), np.shape(y))
            xa = np.broadcast_to(arr, np.shape(y))[i]
            raise _domain_error(name, xa, np.asarray(y)[i])
        raise _domain_error(name, arr[()], y)
    return y


def _dispatch(name: str, sym: str, mp: str, npf):
    def f(x):
        b = backend(x)
        if b == "sympy":
            import sympy
            return _SYMPY[sym](sympy, x)
        if b == "mpmath":
            import mpmath
            fn = getattr(mpmath, mp) if mp != "abs" else abs
            if isinstance(x, mpmath.matrix):
                return x.apply(lambda v: _mp_one(name, fn, v))
            if isinstance(x, (list, tuple, np.ndarray)):
                arr = np.asarray(x, dtype=object)
                out = np.empty(arr.shape, dtype=object)
                for idx in np.ndindex(arr.shape):
                    out[idx] = _mp_one(name, fn, arr[idx])
                return out
            return _mp_one(name, fn, x)
        return _numpy(name, npf, x)
    f.__name__ = name
    f.__doc__ = f"{name}(x) for SymPy, mpmath or numpy/float ``x`` (see the module docstring)."
    return f


_SYMPY = {
    "exp": lambda sp, x: sp.exp(x), "expm1": lambda sp, x: sp.exp(x) - 1,
    "log": lambda sp, x: sp.log(x), "log1p": lambda sp, x: sp.log(1 + x),
    "sqrt": lambda sp, x: sp.sqrt(x), "sinh": lambda sp, x: sp.sinh(x),
    "cosh": lambda sp, x: sp.cosh(x), "tanh": lambda sp, x: sp.tanh(x),
    "asinh": lambda sp, x: sp.asinh(x), "atanh": lambda sp, x: sp.atanh(x),
    "Abs": lambda sp, x: sp.Abs(x), "sign": lambda sp, x: sp.sign(x),
}

exp = _dispatch("exp", "exp", "exp", np.exp)
expm1 = _dispatch("expm1", "expm1", "expm1", np.expm1)
log = _dispatch("log", "log", "log", np.log)
log1p = _dispatch("log1p", "log1p", "log1p", np.log1p)
sqrt = _dispatch("sqrt", "sqrt", "sqrt", np.sqrt)
sinh = _dispatch("sinh", "sinh", "sinh", np.sinh)
cosh = _dispatch("cosh", "cosh", "cosh", np.cosh)
tanh = _dispatch("tanh", "tanh", "tanh", np.tanh)
arcsinh = _dispatch("arcsinh", "asinh", "asinh", np.arcsinh)
arctanh = _dispatch("arctanh", "atanh", "atanh", np.arctanh)
absolute = _dispatch("absolute", "Abs", "abs", np.abs)
sign = _dispatch("sign", "sign", "sign", np.sign)
