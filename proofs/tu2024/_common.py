"""Helpers shared by the tu2024 claim modules: scalar functions that work on floats, numpy
arrays, mpmath numbers and SymPy expressions alike, and random test instances."""

from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp


def gsqrt(x):
    """√x for SymPy expressions, mpmath numbers or numpy/float input."""
    if isinstance(x, sp.Basic):
        return sp.sqrt(x)
    if isinstance(x, (mpmath.mpf, mpmath.mpc)):
        return mpmath.sqrt(x)
    return np.sqrt(x)


def glog(x):
    """log x for SymPy, mpmath or numpy input."""
    if isinstance(x, sp.Basic):
        return sp.log(x)
    if isinstance(x, (mpmath.mpf, mpmath.mpc)):
        return mpmath.log(x)
    return np.log(x)


def gexp(x):
    """exp x for SymPy, mpmath or numpy input."""
    if isinstance(x, sp.Basic):
        return sp.exp(x)
    if isinstance(x, (mpmath.mpf, mpmath.mpc)):
        return mpmath.exp(x)
    return np.exp(x)


def orthogonal(n: int, rng: np.random.Generator) -> np.ndarray:
    """Haar-random n × n orthogonal matrix."""
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.where(np.diag(r) < 0, -1.0, 1.0)


def rel_fro(X, R) -> float:
    """max over leading axis of ‖X − R‖_F / ‖R‖_F (works on (d, d) and (T, d, d))."""
    X = np.asarray(X, dtype=float)
    R = np.asarray(R, dtype=float)
    if X.ndim == 2:
        X, R = X[None], R[None]
    num = np.linalg.norm(X - R, axis=(-2, -1))
    den = np.maximum(np.linalg.norm(R, axis=(-2, -1)), 1e-300)
    return float(np.max(num / den))


def nc_symbols(names: str):
    """Non-commutative SymPy symbols (matrices in a structural derivation)."""
    return sp.symbols(names, commutative=False)


def nonneg_step(der, lhs, form, why: str, *, moves=(sp.expand, sp.cancel)):
    """A derivation step ``lhs = form`` whose ``form`` is manifestly ≥ 0 under the symbols'
    assumptions: the identity is reduced to 0 as usual, and SymPy's assumption system must
    also deduce ``form ≥ 0`` (else the step is left ``inconclusive``). This is how an
    inequality ``lhs ≥ 0`` enters a derivation: as an exact identity with a non-negative form."""
    step = der.step(lhs, form, why, moves=moves)
    if step.verdict == "proved":
        if sp.sympify(form).is_nonnegative is True:
            step.detail += "; the right-hand side is ≥ 0 under the symbols' assumptions"
        else:
            step.verdict = "inconclusive"
            step.detail += "; but SymPy could not deduce that the right-hand side is ≥ 0"
    return step


def sc_vs_direct_integration(sc, A0, Y, c, t, rtol: float = 1e-12) -> float:
    """max over ``t`` of ‖sc(A0, Y, c, t) − A_ODE(t)‖_F / ‖A_ODE(t)‖_F, where A_ODE integrates
    eq (1) directly (DOP853 on the entries of A, square roots by eigh): a reference that shares
    no code with the closed form behind ``numerics.self_consistent``."""
    from lazyrich.numerics._self_consistent import self_consistent_ode
    return rel_fro(sc(A0, Y, c, t), self_consistent_ode(A0, Y, c, t, rtol=rtol))
