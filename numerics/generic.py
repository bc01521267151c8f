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
numpy object array of them) gives mpmath, anything else numpy.
"""

from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp

__all__ = ["backend", "exp", "expm1", "log", "log1p", "sqrt", "sinh", "cosh", "tanh",
           "arcsinh", "arctanh", "absolute", "sign"]


def backend(x) -> str:
    """``"sympy"``, ``"mpmath"`` or ``"numpy"``: the library that evaluates ``x``."""
    if isinstance(x, (sp.Basic, sp.MatrixBase)):
        return "sympy"
    if isinstance(x, (mpmath.mpf, mpmath.mpc, mpmath.matrix)):
        return "mpmath"
    if isinstance(x, np.ndarray) and x.dtype == object and x.size and \
            isinstance(x.flat[0], (mpmath.mpf, mpmath.mpc)):
        return "mpmath"
    return "numpy"


def _dispatch(name: str, sym, mp, npf):
    def f(x):
        b = backend(x)
        if b == "sympy":
            return sym(x)
        if b == "mpmath":
            if isinstance(x, np.ndarray):
                return np.vectorize(mp, otypes=[object])(x)
            return mp(x)
        return npf(x)
    f.__name__ = name
    f.__doc__ = f"{name}(x) for SymPy, mpmath or numpy/float ``x`` (see the module docstring)."
    return f


exp = _dispatch("exp", sp.exp, mpmath.exp, np.exp)
expm1 = _dispatch("expm1", lambda x: sp.exp(x) - 1, mpmath.expm1, np.expm1)
log = _dispatch("log", sp.log, mpmath.log, np.log)
log1p = _dispatch("log1p", lambda x: sp.log(1 + x), mpmath.log1p, np.log1p)
sqrt = _dispatch("sqrt", sp.sqrt, mpmath.sqrt, np.sqrt)
sinh = _dispatch("sinh", sp.sinh, mpmath.sinh, np.sinh)
cosh = _dispatch("cosh", sp.cosh, mpmath.cosh, np.cosh)
tanh = _dispatch("tanh", sp.tanh, mpmath.tanh, np.tanh)
arcsinh = _dispatch("arcsinh", sp.asinh, mpmath.asinh, np.arcsinh)
arctanh = _dispatch("arctanh", sp.atanh, mpmath.atanh, np.arctanh)
absolute = _dispatch("absolute", sp.Abs, abs, np.abs)
sign = _dispatch("sign", sp.sign, mpmath.sign, np.sign)
