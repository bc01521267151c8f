"""Gaussian moment algebra: exact expectations of polynomials in Gaussian variables.

Two independent routes to the same numbers, so each can referee the other:

* :class:`GaussianEnsemble` (symbolic, SymPy): zero-mean, mutually independent Gaussian scalars
  with symbolic variances. The expectation of a polynomial in them is taken monomial by
  monomial with E[x^k] = (k − 1)!! v^{k/2} for even k and 0 for odd k (Isserlis' theorem for a
  single variable); independence factorises a monomial's moment over its variables. Symbols that
  are not registered are treated as constants.
* :func:`wick_moment`: Isserlis/Wick for *correlated* zero-mean Gaussians, E[x_{i1}…x_{ik}] =
  Σ over perfect matchings of Π cov[i, j] (used to cross-check the independent case and for
  correlated moments).
* :func:`hermite_expectation` (numeric, float64 or mpmath at any precision): tensor-product
  Gauss–Hermite quadrature with 3 nodes per variable, which is *exact* for polynomials of degree
  ≤ 5 in each variable; it shares no code with the symbolic route.

Public API: :class:`GaussianEnsemble`, :func:`gaussian_moment`, :func:`wick_moment`,
:func:`hermite_expectation`.
"""

from __future__ import annotations

import itertools
import math
from typing import Callable, Sequence

import mpmath
import numpy as np
import sympy as sp

from lazyrich.numerics import InvalidArgument

__all__ = ["GaussianEnsemble", "gaussian_moment", "wick_moment", "hermite_expectation"]


def gaussian_moment(k: int, variance):
    """E[x^k] for x ~ N(0, variance): 0 for odd k, (k − 1)!!·variance^{k/2} for even k.

    Arguments:
        k: a non-negative integer.
        variance: the variance (a SymPy expression or a number).

    Returns:
        The moment (SymPy expression when ``variance`` is one).

    Raises:
        InvalidArgument: k not a non-negative integer.
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 0:
        raise InvalidArgument(f"k must be a non-negative integer (the power of x); got {k!r}.")
    if k % 2:
        return sp.Integer(0)
    return sp.factorial2(k - 1) * sp.sympify(variance) ** (k // 2)


class GaussianEnsemble:
    """A set of independent zero-mean Gaussian scalars with (symbolic) variances.

    Usage::

        g = GaussianEnsemble()
        E = g.matrix("e", 2, 3, sigma**2)       # a 2×3 SymPy Matrix of fresh symbols
        g.expectation((E * E.T)[0, 0])          # -> 3*sigma**2
    """

    def __init__(self):
        self._variance: dict[sp.Symbol, sp.Expr] = {}

    @property
    def variables(self) -> tuple[sp.Symbol, ...]:
        """The registered Gaussian symbols, in registration order."""
        return tuple(self._variance)

    def scalar(self, name: str, variance) -> sp.Symbol:
        """Register one Gaussian scalar.

        Arguments:
            name: the symbol's name (must be new in this ensemble).
            variance: its variance (SymPy expression or number; must not be negative).

        Returns:
            The SymPy symbol (real).

        Raises:
            InvalidArgument: name empty or already registered, negative numeric variance.
        """
        if not isinstance(name, str) or not name:
            raise InvalidArgument(f"name must be a non-empty string; got {name!r}.")
        sym = sp.Symbol(name, real=True)
        if sym in self._variance:
            raise InvalidArgument(f"name {name!r} is already a Gaussian of this ensemble; "
                                  f"use a new name for an independent variable.")
        v = sp.sympify(variance)
        if v.is_negative:
            raise InvalidArgument(f"variance of {name!r} must be >= 0; got {variance!r}.")
        self._variance[sym] = v
        return sym

    def matrix(self, name: str, rows: int, cols: int, variance) -> sp.Matrix:
        """Register a rows×cols matrix of i.i.d. N(0, variance) scalars named ``name_i_j``.

        Raises:
            InvalidArgument: rows or cols not a positive integer (and as :meth:`scalar`).
        """
        for arg, val in (("rows", rows), ("cols", cols)):
            if isinstance(val, bool) or not isinstance(val, (int, np.integer)) or val < 1:
                raise InvalidArgument(f"{arg} must be a positive integer; got {val!r}.")
        return sp.Matrix(rows, cols,
                         lambda i, j: self.scalar(f"{name}_{i}_{j}", variance))

    def variance_of(self, sym: sp.Symbol):
        """The registered variance of ``sym`` (InvalidArgument if it is not registered)."""
        if sym not in self._variance:
            raise InvalidArgument(f"{sym!r} is not a Gaussian of this ensemble; register it "
                                  f"with scalar() or matrix().")
        return self._variance[sym]

    def expectation(self, expr):
        """E[expr] for a polynomial in the registered Gaussians (other symbols are constants).

        Arguments:
            expr: a SymPy expression, or a SymPy Matrix (taken entrywise).

        Returns:
            The exact expectation (same type as ``expr``).

        Raises:
            InvalidArgument: ``expr`` is not polynomial in the registered variables.
        """
        if isinstance(expr, sp.MatrixBase):
            return expr.applyfunc(self.expectation)
        expr = sp.expand(sp.sympify(expr))
        gens = [s for s in self._variance if expr.has(s)]
        if not gens:
            return expr
        try:
            poly = sp.Poly(expr, *gens)
        except sp.PolynomialError as exc:
            raise InvalidArgument(f"expectation needs a polynomial in the Gaussian variables; "
                                  f"got {expr} ({exc}).") from exc
        total = sp.Integer(0)
        for powers, coeff in poly.terms():
            term = coeff
            for sym, k in zip(gens, powers):
                if k % 2:
                    term = 0
                    break
                if k:
                    term = term * gaussian_moment(int(k), self._variance[sym])
            if term != 0:
                total += term
        return sp.expand(total)

    def covariance(self, a, b):
        """Cov[a, b] = E[ab] − E[a]E[b] (entrywise for matrices of equal shape)."""
        if isinstance(a, sp.MatrixBase) or isinstance(b, sp.MatrixBase):
            a, b = sp.Matrix(a), sp.Matrix(b)
            if a.shape != b.shape:
                raise InvalidArgument(f"a and b must have the same shape; got {a.shape} and "
                                      f"{b.shape}.")
            return sp.Matrix(a.rows, a.cols, lambda i, j: self.covariance(a[i, j], b[i, j]))
        return sp.expand(self.expectation(a * b) - self.expectation(a) * self.expectation(b))

    def variance(self, expr):
        """Var[expr] = E[expr²] − E[expr]² (entrywise for a Matrix)."""
        return self.covariance(expr, expr)


def _matchings(items: list):
    """All perfect matchings of ``items`` (a list of even length), as lists of pairs."""
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for k in range(len(rest)):
        pair = (first, rest[k])
        for m in _matchings(rest[:k] + rest[k + 1:]):
            yield [pair] + m


def wick_moment(cov, indices: Sequence[int]):
    """Isserlis/Wick: E[x_{i1} x_{i2} … x_{ik}] for x ~ N(0, cov).

    Arguments:
        cov: a square covariance matrix (SymPy Matrix or nested lists/array of numbers or
            expressions); only the entries named by ``indices`` are read.
        indices: the variable indices (repeats allowed), length k.

    Returns:
        Σ over perfect matchings of Π cov[i, j]; 0 for odd k. ((k − 1)!! terms.)

    Raises:
        InvalidArgument: cov not square, an index out of range, k > 12 (too many matchings).
    """
    C = sp.Matrix(cov)
    if C.rows != C.cols:
        raise InvalidArgument(f"cov must be square; got shape {C.shape}.")
    idx = [int(i) for i in indices]
    if any(i < 0 or i >= C.rows for i in idx):
        raise InvalidArgument(f"indices must lie in [0, {C.rows}); got {list(indices)}.")
    if len(idx) > 12:
        raise InvalidArgument(f"at most 12 factors (10395 matchings); got {len(idx)}. Use "
                              f"GaussianEnsemble.expectation for independent variables.")
    if len(idx) % 2:
        return sp.Integer(0)
    total = sp.Integer(0)
    for m in _matchings(list(range(len(idx)))):
        total += sp.Mul(*(C[idx[a], idx[b]] for a, b in m))
    return sp.expand(total)


def hermite_expectation(func: Callable, variances: Sequence, *, dps: int | None = None):
    """E[func(x)] for independent x_i ~ N(0, variances[i]) by 3-node Gauss–Hermite quadrature.

    Exact (up to rounding) when ``func`` is a polynomial of degree ≤ 5 in each variable: the
    nodes 0, ±sqrt(3v) with weights 2/3, 1/6, 1/6 reproduce E[x^k] for k ≤ 5.

    Arguments:
        func: float64 mode (``dps`` None): called once with an array of shape (3^d, d) of nodes,
            returns an array of shape (3^d,) or (3^d, ...). mpmath mode (``dps`` given): called
            once per node with a list of d ``mpf`` values, returns an ``mpf`` (or a
            numpy object array of them).
        variances: d non-negative variances.
        dps: None for float64, else the mpmath working precision in digits (>= 15).

    Returns:
        The expectation (float64 scalar/array, or mpf / object array at ``dps`` digits).

    Raises:
        InvalidArgument: negative or non-finite variances, d > 12 (3^d nodes too many),
            dps < 15.
    """
    v = [float(x) for x in variances] if dps is None else list(variances)
    d = len(v)
    if d == 0 or d > 12:
        raise InvalidArgument(f"variances must have 1..12 entries (3^d quadrature nodes); got "
                              f"{d}.")
    if any(not math.isfinite(float(x)) or float(x) < 0 for x in v):
        raise InvalidArgument(f"variances must be finite and >= 0; got {list(variances)}.")
    if dps is None:
        base = np.array([-math.sqrt(3.0), 0.0, math.sqrt(3.0)])
        wts = np.array([1 / 6, 2 / 3, 1 / 6])
        grid = np.array(list(itertools.product(range(3), repeat=d)))
        nodes = base[grid] * np.sqrt(np.array(v))[None, :]
        weights = np.prod(wts[grid], axis=1)
        vals = np.asarray(func(nodes), dtype=float)
        return np.tensordot(weights, vals, axes=(0, 0))
    if isinstance(dps, bool) or not isinstance(dps, int) or dps < 15:
        raise InvalidArgument(f"dps must be an int >= 15; got {dps!r}.")
    with mpmath.workdps(dps):
        r3 = mpmath.sqrt(3)
        base = [-r3, mpmath.mpf(0), r3]
        wts = [mpmath.mpf(1) / 6, mpmath.mpf(2) / 3, mpmath.mpf(1) / 6]
        sd = [mpmath.sqrt(mpmath.mpf(x)) for x in v]
        total = None
        for combo in itertools.product(range(3), repeat=d):
            w = mpmath.fprod(wts[c] for c in combo)
            val = func([base[c] * s for c, s in zip(combo, sd)])
            total = w * val if total is None else total + w * val
        return total
