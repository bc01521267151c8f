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

__all__ = ["backend", "exp", "expm1", "log", "log1p", "sqrt", "sinh", "cosh", "tanh",
           "arcsinh", "arctanh", "absolute", "sign"]


def backend(x) -> str:
    """``"sympy"``, ``"mpmath"`` or ``"numpy"``: the library that evaluates ``x`` (found by
    the type's module, so that importing this module does not import SymPy)."""
    mod = type(x).__module__ or ""
    if mod.startswith("sympy"):
        return "sympy"
    if mod.startswith("mpmath"):
        return "mpmath"
    if isinstance(x, np.ndarray) and x.dtype == object and x.size and \
            (type(x.flat[0]).__module__ or "").startswith("mpmath"):
        return "mpmath"
    return "numpy"


def _dispatch(name: str, sym: str, mp: str, npf):
    def f(x):
        b = backend(x)
        if b == "sympy":
            import sympy
            return _SYMPY[sym](sympy, x)
        if b == "mpmath":
            import mpmath
            fn = getattr(mpmath, mp) if mp != "abs" else abs
            if isinstance(x, np.ndarray):
                return np.vectorize(fn, otypes=[object])(x)
            return fn(x)
        return npf(x)
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
