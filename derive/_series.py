"""Limits, series and signs with assumptions, as checked steps of a :class:`Derivation`.

Building blocks for claims of the form "f → g as x → x0, with error O(δ^k)" and "f ≥ 0":

* :func:`at_infinity` rewrites an expression for x → ±∞ as a function of ε = 1/|x| > 0 and pulls
  the powers of ε out of square roots (``sqrt(a + b/ε²) = sqrt(a ε² + b)/ε``), so that the result
  is analytic at ε = 0 whenever the original has an expansion in 1/|x|.
* :func:`taylor_coefficients` expands a quotient N/D, analytic at a point, by differentiating N
  and D (much faster than ``sympy.series`` on expressions with nested roots and hyperbolic
  functions) and dividing the two power series.
* :func:`record_error_order` records, on a derivation, that ``exact − approx = c δ^k + O(δ^{k+1})``
  with ``c ≠ 0`` (the order is sharp) or, with ``sharp=False``, just ``O(δ^k)``.
* :func:`record_nonnegative` records a sign step: SymPy's assumptions decide the sign after an
  optional substitution that parametrises the domain rationally (e.g. ``s = ℓ(z − 1/z)/4`` with
  ``z > 1``, which turns ``sqrt(ℓ² + 4s²)`` into ``ℓ(z + 1/z)/2``).
* :func:`record_limit` records a limit computed by ``sympy.limit``. (For "y solves this ODE"
  use :func:`lazyrich.derive.ode_step`.)
* Moves for :meth:`Derivation.step`: :func:`exp_expand` (hyperbolic functions to exponentials,
  then expand), :func:`factor_radicands` (factor the argument of every square root so SymPy can
  take perfect squares out), :func:`cancel_exp` and :func:`together_expand`.

Every function raises :class:`numerics.InvalidArgument` (a ``LazyrichError``) on bad input, naming
the argument, the value and the fix.
"""

from __future__ import annotations

import random
import time
from typing import Callable, Sequence

import sympy as sp

from lazyrich._errors import InvalidArgument

from ._derivation import Derivation, Step, find_counterexample, reduce_to_zero

__all__ = ["at_infinity", "pull_out_of_roots", "taylor_coefficients", "is_zero",
           "record_error_order", "record_nonnegative", "record_limit",
           "exp_expand", "factor_radicands", "cancel_exp", "together_expand", "reduce_roots",
           "EXACT_MOVES"]


# ------------------------------------------------------------------------------------------
# moves
# ------------------------------------------------------------------------------------------

_HYPERBOLIC = [sp.sinh, sp.cosh, sp.tanh, sp.coth]


def exp_expand(expr):
    """Rewrite hyperbolic functions as exponentials (powers are left alone) and expand."""
    return sp.expand(sp.sympify(expr).rewrite(_HYPERBOLIC, sp.exp))


def cancel_exp(expr):
    """``exp_expand`` followed by ``cancel`` (a rational function of exponentials and roots)."""
    return sp.cancel(exp_expand(expr))


def together_expand(expr):
    """Put over a common denominator and expand the numerator (0 stays 0)."""
    num, _ = sp.fraction(sp.together(sp.sympify(expr)))
    return sp.expand(num)


def factor_radicands(expr):
    """Factor the argument of every square root (``sqrt(a² + 2ab + b²) → |a + b|``, which SymPy
    writes as ``a + b`` when it knows the sign), then expand."""
    expr = sp.sympify(expr)
    out = expr.replace(lambda e: e.is_Pow and e.exp == sp.S.Half,
                       lambda e: sp.sqrt(sp.factor(sp.together(e.base))))
    return sp.expand(out)


def reduce_roots(expr):
    """Exact move for rational functions of square roots: replace every square root r = √b by
    a fresh symbol (b^(k/2) by r^k), put over a common denominator, and reduce the numerator
    modulo the relations r² − b (outer roots first, so the relations are a Gröbner basis and
    the remainder is 0 exactly when the numerator vanishes identically given r² = b). Other
    function applications (exp(x), ...) are treated as independent generators."""
    expr = _normalise_radicands(sp.sympify(expr))
    bases = {p.base for p in expr.atoms(sp.Pow) if p.exp.is_Rational and p.exp.q == 2}
    if not bases:
        return together_expand(expr)
    sub: dict = {}          # radicand (inner roots already replaced) -> its symbol

    def replace_roots(e):   # bottom-up: inner roots are replaced before their parents
        return e.replace(lambda q: q.is_Pow and q.exp.is_Rational and q.exp.q == 2
                         and q.base in sub, lambda q: sub[q.base] ** (q.exp * 2))

    syms, rels = [], []
    for i, b in enumerate(sorted(bases, key=lambda b: (sp.count_ops(b), str(b)))):
        b_new = replace_roots(b)
        r = sp.Dummy(f"r{i}")
        sub[b_new] = r
        syms.append(r)
        rels.append(r**2 - b_new)
    ex = replace_roots(expr)
    funcs = sorted(ex.atoms(sp.Function), key=str)
    fsyms = [sp.Dummy(f"f{i}") for i in range(len(funcs))]
    fmap = dict(zip(funcs, fsyms))
    num, _ = sp.fraction(sp.together(ex.xreplace(fmap)))
    num = sp.expand(num)
    if num == 0:
        return sp.S.Zero
    rels = [q.xreplace(fmap) for q in rels]
    others = sorted(num.free_symbols.union(*(q.free_symbols for q in rels)) - set(syms),
                    key=str)
    _, rem = sp.reduced(num, rels, *syms[::-1], *others)   # lex, outer roots first
    back = {**{v: k for k, v in fmap.items()}, **{r: sp.sqrt(b) for b, r in sub.items()}}
    out = rem
    for _ in range(len(syms) + 1):          # nested radicands contain the symbols of inner roots
        out = out.xreplace(back)
        if not out.has(*syms):
            break
    return sp.expand(out)


def _normalise_radicands(expr):
    """Take rational content out of square roots, √(c·b) = √c·√b with c > 0 rational and b
    primitive, so that e.g. √(s² + λ²/4) and √(λ² + 4s²)/2 become the same root."""
    def rule(p):
        c, b = sp.factor_terms(p.base).as_content_primitive()
        if c == 1 or not c.is_positive:
            return p
        return sp.Pow(c, p.exp) * sp.Pow(b, p.exp)

    return expr.replace(lambda q: q.is_Pow and q.exp.is_Rational and q.exp.q == 2
                        and not q.base.is_Number, rule)


#: A default chain of exact moves for rational functions of exponentials and square roots.
EXACT_MOVES = (sp.expand, cancel_exp, reduce_roots)


# ------------------------------------------------------------------------------------------
# argument checks
# ------------------------------------------------------------------------------------------

def _symbol(name: str, value, *, positive: bool = False) -> sp.Symbol:
    if not isinstance(value, sp.Symbol):
        raise InvalidArgument(f"{name} must be a SymPy Symbol; got {value!r} of type "
                              f"{type(value).__name__}. Pass e.g. sympy.Symbol('{name}').")
    if positive and not value.is_positive:
        raise InvalidArgument(f"{name} must be a positive Symbol (the expansion variable "
                              f"ε = 1/|x| > 0); got {value!r} with is_positive = "
                              f"{value.is_positive}. Use sympy.Symbol('{value}', positive=True).")
    return value


def _order(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidArgument(f"{name} must be a non-negative int; got {value!r}. Pass e.g. "
                              f"{name}=2.")
    return value


# ------------------------------------------------------------------------------------------
# expansions
# ------------------------------------------------------------------------------------------

def pull_out_of_roots(expr, eps: sp.Symbol):
    """Rewrite every ``sqrt(b)`` whose argument has a pole in ``eps`` as ``sqrt(n)/sqrt(d)``
    with ``b = n/d`` and ``d = c·eps^k`` a monomial (valid because d > 0 and b ≥ 0 for a real
    root), so SymPy takes ``sqrt(eps^k)`` out.

    Arguments:
        expr: a SymPy expression.
        eps: a positive Symbol.

    Returns:
        The rewritten expression (equal to ``expr`` for eps > 0).

    Raises:
        InvalidArgument: ``eps`` is not a positive Symbol.
    """
    _symbol("eps", eps, positive=True)

    def rule(root):
        n, d = sp.fraction(sp.together(root.base))
        c, rest = d.as_independent(eps, as_Add=False)
        if d.has(eps) and rest.is_Pow and rest.base == eps and c.is_positive:
            return sp.sqrt(sp.expand(n)) / sp.sqrt(d)
        if d.has(eps) and rest == eps and c.is_positive:
            return sp.sqrt(sp.expand(n)) / sp.sqrt(d)
        return root

    return sp.sympify(expr).replace(
        lambda e: e.is_Pow and e.exp == sp.S.Half and e.base.has(eps), rule)


def at_infinity(expr, var: sp.Symbol, eps: sp.Symbol, sign: int = 1):
    """``expr`` with ``var = sign/eps`` (eps = 1/|var| > 0), roots normalised by
    :func:`pull_out_of_roots`: the form to expand in eps for var → sign·∞.

    Arguments:
        expr: a SymPy expression in ``var``.
        var: the Symbol going to ±∞ (declared real or positive).
        eps: a positive Symbol, the new variable 1/|var|.
        sign: +1 (var → +∞) or −1 (var → −∞).

    Returns:
        The expression in ``eps``.

    Raises:
        InvalidArgument: ``var``/``eps`` not Symbols, eps not positive, sign not ±1.
    """
    _symbol("var", var)
    _symbol("eps", eps, positive=True)
    if sign not in (1, -1):
        raise InvalidArgument(f"sign must be +1 or -1 (the direction var → sign·∞); got "
                              f"{sign!r}.")
    return pull_out_of_roots(sp.sympify(expr).subs(var, sign / eps), eps)


def is_zero(expr, moves: Sequence[Callable] = EXACT_MOVES, *, seed: int = 0):
    """Decide whether ``expr`` is identically zero.

    Returns:
        True if the moves reduce it to exactly 0, False if it is clearly non-zero at an exact
        random point (50 digits), None if neither.
    """
    reduced = reduce_to_zero(expr, moves)
    if all(e == 0 for e in reduced):
        return True
    if find_counterexample(reduced, seed=seed) is not None:
        return False
    return None


class _Taylor:
    """Taylor coefficients of f at var = 0, computed on demand (one derivative at a time)."""

    def __init__(self, f, var):
        self.var, self._g, self.coeffs = var, f, []

    def __getitem__(self, k):
        while len(self.coeffs) <= k:
            j = len(self.coeffs)
            if j:
                self._g = sp.diff(self._g, self.var)
            self.coeffs.append(sp.expand(self._g.subs(self.var, 0)) / sp.factorial(j))
        return self.coeffs[k]


def taylor_coefficients(expr, var: sp.Symbol, n: int, *, moves=EXACT_MOVES,
                        max_shift: int = 4) -> list:
    """The Taylor coefficients c_0 … c_n of ``expr`` at ``var = 0``.

    ``expr`` is put over a common denominator N/D; the Taylor coefficients of N and D are
    obtained by differentiation, leading zeros of D (a common factor var^m of N and D) are
    stripped, and the two series are divided. Valid when N and D are analytic at 0 (true for
    the rational/root/exponential expressions this is used on once :func:`at_infinity` has
    normalised the roots).

    Arguments:
        expr: a SymPy expression.
        var: the expansion variable.
        n: the highest order wanted.
        moves: how coefficients are tested for exact zero.
        max_shift: how many leading zero coefficients of D are tolerated.

    Returns:
        A list of n + 1 SymPy expressions (not simplified).

    Raises:
        InvalidArgument: bad ``var``/``n``; or the expression has a pole at 0 (N vanishes to a
            lower order than D), or D vanishes to order > max_shift.
    """
    _symbol("var", var)
    _order("n", n)
    num, den = sp.fraction(sp.together(sp.sympify(expr)))
    nt, dt = _Taylor(num, var), _Taylor(den, var)
    shift = None
    for k in range(max_shift + 1):
        if is_zero(dt[k], moves) is not True:
            shift = k
            break
    if shift is None:
        raise InvalidArgument(f"expr: its denominator vanishes to order > {max_shift} at "
                              f"{var} = 0; raise max_shift or normalise the expression first "
                              f"(e.g. with at_infinity).")
    for k in range(shift):
        if is_zero(nt[k], moves) is False:
            raise InvalidArgument(f"expr has a pole of order {shift - k} at {var} = 0; it "
                                  f"has no Taylor expansion there.")
    nc = [nt[shift + k] for k in range(n + 1)]
    dc = [dt[shift + k] for k in range(n + 1)]
    q = []
    for k in range(n + 1):
        acc = nc[k] - sum(q[j] * dc[k - j] for j in range(k))
        q.append(acc / dc[0])
    return q


# ------------------------------------------------------------------------------------------
# recorded steps
# ------------------------------------------------------------------------------------------

def _append(d: Derivation, lhs, rhs, why, verdict, detail, counterexample=None, start=None,
            residual="", relation="="):
    step = Step(lhs, rhs, why, verdict=verdict, detail=detail, counterexample=counterexample,
                residual=residual, relation=relation)
    step.seconds = time.perf_counter() - start if start is not None else 0.0
    d.steps.append(step)
    return step


def record_error_order(d: Derivation, exact, approx, var: sp.Symbol, order: int, why: str, *,
                       sharp: bool = True, coefficient=None, moves=EXACT_MOVES,
                       sampler: Callable[[random.Random], dict] | None = None,
                       variable_label: str | None = None) -> list:
    """Record ``exact − approx = c·var^order + O(var^(order+1))`` at ``var = 0``.

    One step per coefficient below ``order`` (each must reduce to exactly 0); for the
    coefficient of ``var^order``: a step equating it to ``coefficient`` if given, and with
    ``sharp`` a step showing it is not identically zero (its value at an exact point, 50
    digits). To expand at ±∞, pass expressions already rewritten with :func:`at_infinity`.

    Arguments:
        d: the derivation to record on.
        exact, approx: SymPy expressions.
        var: the expansion variable (0 is the expansion point).
        order: the claimed order k ≥ 1 of the error.
        why: the justification printed next to the steps.
        sharp: also prove the order-k coefficient is non-zero.
        coefficient: optional closed form of the order-k coefficient.
        moves: reductions used to decide each coefficient.
        sampler: exact random points respecting constraints (for refutations).
        variable_label: how var is printed (e.g. "1/|λ|").

    Returns:
        The Taylor coefficients c_0 … c_order of ``exact − approx``.

    Raises:
        InvalidArgument: bad arguments (see :func:`taylor_coefficients`).
    """
    _order("order", order)
    label = variable_label or str(var)
    start = time.perf_counter()
    coeffs = taylor_coefficients(sp.sympify(exact) - sp.sympify(approx), var, order,
                                 moves=moves)
    for k in range(order):
        d.step(sp.Symbol(f"c_{k}"), sp.S.Zero,
               f"{why}: coefficient of ({label})^{k} of the error vanishes",
               moves=moves, residual=coeffs[k], sampler=sampler)
    c = coeffs[order]
    if coefficient is not None:
        d.step(sp.Symbol(f"c_{order}"), coefficient,
               f"{why}: coefficient of ({label})^{order} of the error", moves=moves,
               residual=c - sp.sympify(coefficient), sampler=sampler)
    if sharp:
        start = time.perf_counter()
        cx = find_counterexample([c], sampler=sampler)
        if cx is not None:
            _append(d, sp.Symbol(f"c_{order}"), sp.S.Zero,
                    f"{why}: the order is sharp (coefficient of ({label})^{order} ≠ 0)",
                    "proved", f"c_{order} = {cx[1]} ≠ 0 at {cx[0]} (exact point, 50 digits)",
                    start=start, relation="≠")
        else:
            _append(d, sp.Symbol(f"c_{order}"), sp.S.Zero,
                    f"{why}: the order is sharp (coefficient of ({label})^{order} ≠ 0)",
                    "refuted", "the coefficient vanished at every exact point tried: the "
                    "error is of higher order than claimed", start=start, relation="≠")
    return coeffs


def record_nonnegative(d: Derivation, expr, why: str, *, subs: dict | None = None,
                       strict: bool = False, moves=(factor_radicands, sp.factor),
                       sampler: Callable[[random.Random], dict] | None = None) -> Step:
    """Record the sign step ``expr ≥ 0`` (``> 0`` with ``strict``).

    ``subs`` may replace symbols by a rational parametrisation of the domain (the
    justification should say why it covers it, e.g. ``s = ℓ(z − 1/z)/4`` with ``z > 1``
    covers ``s > 0``). The result is reduced by ``moves`` and its sign read from SymPy's
    assumptions: ``proved`` if they decide it, ``refuted`` if a sample point violates it,
    ``inconclusive`` otherwise.

    Arguments:
        d: the derivation; expr: a SymPy expression; why: the justification;
        subs: optional substitution; strict: prove > 0 rather than ≥ 0;
        moves: reductions applied before reading the sign; sampler: exact random points.

    Returns:
        The recorded :class:`Step`.
    """
    start = time.perf_counter()
    e = sp.sympify(expr)
    if subs:
        e = e.subs(subs)
    for move in moves:
        e = move(e)
    lhs, relation = sp.sympify(expr), (">" if strict else "≥")
    known = e.is_positive if strict else e.is_nonnegative
    if known:
        return _append(d, lhs, sp.S.Zero, why, "proved",
                       "sign decided by SymPy's assumptions" +
                       (f" after the substitution {subs}" if subs else ""), start=start,
                       relation=relation)
    rng = random.Random(0)
    free = sorted(e.free_symbols, key=str)
    from ._derivation import _sample_value
    for _ in range(8):
        point = sampler(rng) if sampler else {s: _sample_value(s, rng) for s in free}
        try:
            v = sp.N(e.subs(point), 30)
        except (TypeError, ValueError, ZeroDivisionError):
            continue
        if v.is_real and (v < 0 or (strict and v == 0)):
            return _append(d, lhs, sp.S.Zero, why, "refuted",
                           f"value {sp.N(v, 12)} at {point}",
                           counterexample={"point": {str(k): str(x) for k, x in point.items()},
                                           "value": str(sp.N(v, 12))}, start=start,
                           relation=relation)
    return _append(d, lhs, sp.S.Zero, why, "inconclusive",
                   "SymPy's assumptions did not decide the sign; no violating point found "
                   "(numeric evidence, not proof)", start=start, relation=relation)


def record_limit(d: Derivation, expr, var: sp.Symbol, point, value, why: str, *,
                 direction: str = "+", moves=EXACT_MOVES) -> Step:
    """Record ``lim_{var → point} expr = value`` computed by ``sympy.limit``.

    Returns:
        The recorded step (``inconclusive`` if SymPy returns an unevaluated Limit).
    """
    _symbol("var", var)
    start = time.perf_counter()
    got = sp.limit(expr, var, point, dir=direction)
    if isinstance(got, sp.Limit):
        return _append(d, sp.Limit(expr, var, point, dir=direction), value, why,
                       "inconclusive", "sympy.limit returned the limit unevaluated",
                       start=start)
    return d.step(sp.Limit(expr, var, point, dir=direction), value, why, moves=moves,
                  residual=got - sp.sympify(value))
