"""Does a candidate solve an ODE?  Residual checks for scalar, explicit-matrix and
noncommutative candidates.

Two settings:

* **explicit** (scalars or ``sympy.Matrix`` with entries depending on a time symbol t):
  ``d/dt`` is ``sympy.diff``; :func:`ode_residual` returns ``c·x'(t) − rhs(x)``.
* **noncommutative** (a candidate built from matrix symbols of unspecified size, e.g.
  ``X*(1 + XT*K*X)**-1*XT``): time enters only through the *rules* that give the derivative of
  each building block (``{X: F*X, K: E*E}``); :func:`nc_derivative` applies the ordered product
  rule, ``d(A**n)`` for integer n and ``d(A⁻¹) = −A⁻¹ A' A⁻¹``, and :func:`nc_ode_residual`
  returns ``c·x' − rhs(x)``. Such a check proves the identity for matrices of every size,
  singular F included, because it never inverts anything the candidate does not invert.

:func:`ode_step` and :func:`nc_ode_step` record the check as one step of a
:class:`derive.Derivation` (``proved`` when the residual reduces to exactly 0).
"""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

import sympy as sp

from lazyrich._errors import InvalidArgument

from ._blocks import nc_expand
from ._derivation import Derivation, Step

__all__ = ["nc_derivative", "nc_ode_residual", "nc_ode_step", "ode_residual", "ode_step",
           "initial_residual"]


def nc_derivative(expr, rules: Mapping):
    """Time derivative of a noncommutative expression from the derivatives of its blocks.

    Arguments:
        expr: sums, products and integer powers of matrix symbols and scalars (or a matrix of
            such expressions, entrywise).
        rules: symbol → its time derivative. Matrix symbols without a rule are constant; a
            commutative symbol with a rule (e.g. a scalar s(t)) is differentiated by the chain
            rule through ``sympy.diff``. Transposes need their own rules (see
            :meth:`lazyrich.derive.NCAlgebra.with_transposes`).

    Returns:
        the derivative (not expanded).

    Raises:
        InvalidArgument: rules not a mapping, or a construct other than sums, products and
            integer powers of matrix symbols.
    """
    if not isinstance(rules, Mapping):
        raise InvalidArgument(f"rules must be a mapping {{symbol: derivative}}; got "
                              f"{type(rules).__name__}")
    rules = {sp.sympify(k): sp.sympify(v) for k, v in rules.items()}
    if isinstance(expr, sp.MatrixBase):
        return expr.applyfunc(lambda e: _d(sp.sympify(e), rules))
    return _d(sp.sympify(expr), rules)


def _d(expr, rules):
    if expr.is_commutative:
        scalars = [s for s in rules if s.is_commutative and s in expr.free_symbols]
        return sp.Add(*(sp.diff(expr, s) * rules[s] for s in scalars)) if scalars else sp.S.Zero
    if isinstance(expr, sp.Symbol):
        return rules.get(expr, sp.S.Zero)
    if isinstance(expr, sp.Add):
        return sp.Add(*(_d(a, rules) for a in expr.args))
    if isinstance(expr, sp.Mul):
        args = list(expr.args)
        terms = []
        for k, a in enumerate(args):
            da = _d(a, rules)
            if da != 0:
                terms.append(sp.Mul(*args[:k], da, *args[k + 1:]))
        return sp.Add(*terms)
    if isinstance(expr, sp.Pow) and expr.exp.is_integer and expr.exp != 0:
        n = int(expr.exp)
        base = expr.base if n > 0 else sp.Pow(expr.base, -1)
        dbase = _d(expr.base, rules)
        if n < 0:   # d(A⁻¹) = −A⁻¹ A' A⁻¹
            dbase = -base * dbase * base
        n = abs(n)
        return sp.Add(*(sp.Mul(sp.Pow(base, k), dbase, sp.Pow(base, n - 1 - k))
                        for k in range(n)))
    raise InvalidArgument(f"cannot differentiate {expr!r}: only sums, products and integer "
                          f"powers of matrix symbols are supported")


def _rhs_value(rhs, candidate):
    return rhs(candidate) if callable(rhs) else rhs


def nc_ode_residual(candidate, rules: Mapping, rhs, *, lhs_factor=1):
    """``lhs_factor · d(candidate)/dt − rhs(candidate)``, expanded (noncommutative).

    Arguments:
        candidate: the proposed solution (noncommutative expression).
        rules: derivatives of its building blocks (see :func:`nc_derivative`).
        rhs: the ODE's right-hand side, an expression or a callable ``rhs(x)`` applied to the
            candidate (e.g. ``lambda X: F*X + X*F - X*X`` for a Riccati equation).
        lhs_factor: a scalar multiplying the derivative (τ in τ dX/dt = ...).

    Returns:
        the expanded residual; exactly 0 when the candidate solves the ODE by the given rules.
    """
    return nc_expand(lhs_factor * nc_derivative(candidate, rules) - _rhs_value(rhs, candidate))


def ode_residual(candidate, t: sp.Symbol, rhs, *, lhs_factor=1):
    """``lhs_factor · d(candidate)/dt − rhs(candidate)`` for an explicit scalar or
    ``sympy.Matrix`` candidate depending on the symbol ``t`` (not simplified).

    Raises:
        InvalidArgument: ``t`` is not a SymPy symbol.
    """
    if not isinstance(t, sp.Symbol):
        raise InvalidArgument(f"t={t!r} must be a sympy.Symbol (the time variable)")
    if isinstance(candidate, sp.MatrixBase):
        return sp.Matrix(candidate).diff(t) * lhs_factor - sp.Matrix(_rhs_value(rhs, candidate))
    return lhs_factor * sp.diff(candidate, t) - _rhs_value(rhs, candidate)


def initial_residual(candidate, substitution: Mapping, value):
    """``candidate|_{t=t0} − value``: the candidate with ``substitution`` applied (e.g.
    ``{t: 0}``, or ``{E: 1, K: 0}`` for building blocks' initial values) minus the required
    initial value."""
    if not isinstance(substitution, Mapping):
        raise InvalidArgument("substitution must be a mapping, e.g. {t: 0}")
    at0 = candidate.subs(substitution) if hasattr(candidate, "subs") else candidate
    return sp.expand(at0 - value) if not isinstance(at0, sp.MatrixBase) else \
        (sp.Matrix(at0) - sp.Matrix(value))


def nc_ode_step(derivation: Derivation, candidate, rules: Mapping, rhs, *, lhs_factor=1,
                why: str = "the candidate solves the ODE",
                moves: Sequence[Callable] = (nc_expand,), alg=None) -> Step:
    """Record in ``derivation`` the step ``lhs_factor·x' = rhs(x)`` for a noncommutative
    candidate x, with x' from :func:`nc_derivative`; the residual is reduced by ``moves``
    (default: expansion only; add a :func:`lazyrich.derive.rewriter` to use relations).

    With ``alg`` (an :class:`lazyrich.derive.NCAlgebra` with shapes) the candidate, its
    derivative and the right-hand side are shape-checked first; a relation that is not defined
    for every size is recorded ``refuted`` (see :func:`lazyrich.derive.shape_refutation`).

    Returns:
        the recorded :class:`derive.Step` (its ``verdict`` says proved / refuted /
        inconclusive).
    """
    lhs = nc_expand(lhs_factor * nc_derivative(candidate, rules))
    right = nc_expand(_rhs_value(rhs, candidate))
    if alg is not None and alg._shape:
        from ._blocks import shape_refutation
        bad = shape_refutation(derivation, candidate, right, why, alg) or \
            shape_refutation(derivation, lhs, right, why, alg)
        if bad is not None:
            return bad
    return derivation.step(lhs, right, why, moves=moves)


def ode_step(derivation: Derivation, candidate, t: sp.Symbol, rhs, *, lhs_factor=1,
             why: str = "the candidate solves the ODE",
             moves: Sequence[Callable] = (sp.together, sp.expand),
             shown: tuple | None = None) -> Step:
    """Record in ``derivation`` the step ``lhs_factor·x'(t) = rhs(x)`` for an explicit scalar or
    matrix candidate; the residual (entrywise) is reduced by ``moves``.

    Arguments:
        derivation, candidate, t, rhs, lhs_factor: as in :func:`ode_residual`.
        why: the justification printed with the step.
        moves: reductions applied to each entry of the residual.
        shown: (lhs, rhs) to display in the report instead of the (often large) explicit sides;
            default ``c·dx/dt`` and ``rhs(x)`` as symbols.

    Returns:
        the recorded :class:`derive.Step`.
    """
    residual = ode_residual(candidate, t, rhs, lhs_factor=lhs_factor)
    if shown is None:
        x = sp.Function("x")(t)
        shown = (lhs_factor * sp.Derivative(x, t), sp.Function("rhs")(x))
    return derivation.step(shown[0], shown[1], why, moves=moves, residual=residual)
