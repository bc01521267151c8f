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
* :class:`IndexCalculus` (symbolic, SymPy, **symbolic dimensions**): matrices and vectors whose
  sizes are SymPy symbols (N_i, N_h, …), written as index sums (Einstein notation with explicit
  dummy indices). Expectations over Gaussian matrices with i.i.d. N(0, v) entries use Isserlis'
  theorem entry by entry, E[G_ab G_cd] = v δ_ac δ_bd; Kronecker deltas are then summed out,
  a dummy index that no longer appears contributes its dimension, and declared Gram relations
  (ŨᵀŨ = I, XXᵀ = P·I, RᵀR = I) contract pairs of factors. What remains is put in a canonical
  form (dummy indices renamed to the lexicographically least labelling, by exhaustive search),
  so two index sums that are equal up to renaming dummies become the same SymPy symbol
  (:meth:`IndexCalculus.to_sympy`). Results therefore hold for every value of the dimensions,
  which is what a fixed-size expansion cannot show. :meth:`IndexCalculus.explicit` expands an
  index sum at concrete sizes into explicit entries, the independent route that referees it.

Public API: :class:`GaussianEnsemble`, :func:`gaussian_moment`, :func:`wick_moment`,
:func:`hermite_expectation`, :class:`IndexCalculus`, :class:`Index`, :class:`IndexExpr`,
:class:`IndexMatrix`.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Callable, Sequence

import mpmath
import numpy as np
import sympy as sp

from lazyrich._errors import InvalidArgument

__all__ = ["GaussianEnsemble", "gaussian_moment", "wick_moment", "hermite_expectation",
           "IndexCalculus", "Index", "IndexExpr", "IndexMatrix"]


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


# --------------------------------------------------------------------------------------------
# Index calculus with symbolic dimensions
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Index:
    """An index running over 1..``dim`` (``dim`` a SymPy symbol or integer). Indices that a
    user creates are *free* (they stay in the result, e.g. the entry (a, b) of a matrix); the
    calculus creates *dummy* indices (summed over) with names starting with ``_``."""

    name: str
    dim: object

    def __repr__(self) -> str:
        return self.name


@dataclass(frozen=True)
class _Term:
    """coeff · Σ_{dummies} Π factors · Π δ(x, y). A factor is (tensor name, indices)."""

    coeff: object
    factors: tuple
    deltas: tuple
    dummies: frozenset


def _rename(term: _Term, mapping: dict) -> _Term:
    def r(i):
        return mapping.get(i, i)
    return _Term(term.coeff, tuple((n, tuple(r(i) for i in idx)) for n, idx in term.factors),
                 tuple((r(x), r(y)) for x, y in term.deltas),
                 frozenset(r(i) for i in term.dummies))


class IndexExpr:
    """A finite sum of index terms (see :class:`IndexCalculus`). Supports ``+``, ``-`` and
    ``*`` (with another IndexExpr or with a SymPy scalar)."""

    def __init__(self, calc: "IndexCalculus", terms):
        self.calc = calc
        self.terms = list(terms)

    def _lift(self, other) -> "IndexExpr":
        if isinstance(other, IndexExpr):
            return other
        return IndexExpr(self.calc, [_Term(sp.sympify(other), (), (), frozenset())])

    def __add__(self, other):
        return IndexExpr(self.calc, self.terms + self._lift(other).terms)

    __radd__ = __add__

    def __neg__(self):
        return IndexExpr(self.calc, [_Term(-t.coeff, t.factors, t.deltas, t.dummies)
                                     for t in self.terms])

    def __sub__(self, other):
        return self + (-self._lift(other))

    def __rsub__(self, other):
        return self._lift(other) + (-self)

    def __mul__(self, other):
        if not isinstance(other, IndexExpr):
            c = sp.sympify(other)
            return IndexExpr(self.calc, [_Term(t.coeff * c, t.factors, t.deltas, t.dummies)
                                         for t in self.terms])
        out = []
        for a in self.terms:
            for b in other.terms:
                b = self.calc._refresh(b)
                out.append(_Term(a.coeff * b.coeff, a.factors + b.factors, a.deltas + b.deltas,
                                 a.dummies | b.dummies))
        return IndexExpr(self.calc, out)

    __rmul__ = __mul__

    def __truediv__(self, other):
        return self * (1 / sp.sympify(other))

    def summed(self, *indices: Index) -> "IndexExpr":
        """Σ over ``indices`` (which become dummies) of this expression."""
        return IndexExpr(self.calc, [_Term(t.coeff, t.factors, t.deltas,
                                           t.dummies | frozenset(indices)) for t in self.terms])

    def __repr__(self) -> str:
        return f"IndexExpr({self.calc.to_sympy(self)})"


class IndexMatrix:
    """A matrix of shape (rows, cols) (SymPy dimensions) given by its (i, j) entry as an
    :class:`IndexExpr`. Supports ``+``, ``-``, scalar ``*``, ``@`` (matrix product, a new dummy
    index for the inner dimension) and ``.T``."""

    def __init__(self, calc: "IndexCalculus", rows, cols, at: Callable):
        self.calc, self.rows, self.cols, self._at = calc, rows, cols, at

    def at(self, i: Index, j: Index) -> IndexExpr:
        """The (i, j) entry."""
        return self._at(i, j)

    def _same_shape(self, other):
        if (sp.sympify(self.rows), sp.sympify(self.cols)) != \
                (sp.sympify(other.rows), sp.sympify(other.cols)):
            raise InvalidArgument(f"shapes differ: ({self.rows}, {self.cols}) and "
                                  f"({other.rows}, {other.cols}).")

    def __add__(self, other):
        self._same_shape(other)
        return IndexMatrix(self.calc, self.rows, self.cols,
                           lambda i, j: self.at(i, j) + other.at(i, j))

    def __sub__(self, other):
        self._same_shape(other)
        return IndexMatrix(self.calc, self.rows, self.cols,
                           lambda i, j: self.at(i, j) - other.at(i, j))

    def __neg__(self):
        return IndexMatrix(self.calc, self.rows, self.cols, lambda i, j: -self.at(i, j))

    def __mul__(self, c):
        if isinstance(c, (IndexMatrix, IndexExpr)):
            raise InvalidArgument("use @ for the matrix product; * is for scalars.")
        return IndexMatrix(self.calc, self.rows, self.cols, lambda i, j: self.at(i, j) * c)

    __rmul__ = __mul__

    def __truediv__(self, c):
        return self * (1 / sp.sympify(c))

    def __matmul__(self, other):
        if sp.sympify(self.cols) != sp.sympify(other.rows):
            raise InvalidArgument(f"inner dimensions differ: {self.cols} and {other.rows}.")

        def at(i, j):
            h = self.calc._dummy(self.cols)
            return (self.at(i, h) * other.at(h, j)).summed(h)
        return IndexMatrix(self.calc, self.rows, other.cols, at)

    @property
    def T(self):
        return IndexMatrix(self.calc, self.cols, self.rows, lambda i, j: self.at(j, i))


class IndexCalculus:
    """Index sums over matrices and vectors of symbolic size, with exact Gaussian expectations.

    Example (E‖E2 E1‖² = σ⁴ N_i N_h N_o for independent Gaussian E1, E2 of any sizes)::

        c = IndexCalculus()
        Ni, Nh, No = c.dims("N_i N_h N_o")
        E1 = c.gaussian("E1", Nh, Ni, sigma**2)
        E2 = c.gaussian("E2", No, Nh, sigma**2)
        c.to_sympy(c.expectation(c.frob2(E2 @ E1)))      # -> sigma**4*N_h*N_i*N_o

    Tensors are named; each name is one matrix (or vector). ``gram`` relations declare that
    Σ_k A_{k a} A_{k b} = value·δ_ab (position 0 summed: orthonormal columns, value 1) or
    Σ_k A_{a k} A_{b k} = value·δ_ab (position 1: e.g. whitened data XXᵀ = P·I).
    """

    def __init__(self):
        self._variance: dict[str, object] = {}
        self._shape: dict[str, tuple] = {}
        self._gram: dict[tuple[str, int], object] = {}
        self._count = itertools.count()

    # -- building -----------------------------------------------------------------------
    @staticmethod
    def dims(names: str):
        """Dimension symbols (positive integers), e.g. ``dims("N_i N_o")``."""
        out = sp.symbols(names, positive=True, integer=True)
        return out

    def index(self, name: str, dim) -> Index:
        """A free index named ``name`` over 1..dim."""
        if not isinstance(name, str) or not name or name.startswith("_"):
            raise InvalidArgument(f"a free index needs a name not starting with '_'; got "
                                  f"{name!r}.")
        return Index(name, sp.sympify(dim))

    def _dummy(self, dim) -> Index:
        return Index(f"_{next(self._count)}", sp.sympify(dim))

    def _refresh(self, term: _Term) -> _Term:
        return _rename(term, {i: self._dummy(i.dim) for i in term.dummies})

    def _register(self, name, shape, variance=None):
        if not isinstance(name, str) or not name:
            raise InvalidArgument(f"a tensor needs a non-empty name; got {name!r}.")
        if name in self._shape:
            raise InvalidArgument(f"tensor {name!r} already exists in this calculus.")
        self._shape[name] = tuple(sp.sympify(d) for d in shape)
        if variance is not None:
            self._variance[name] = sp.sympify(variance)

    def matrix(self, name: str, rows, cols, *, gram: dict | None = None) -> IndexMatrix:
        """A fixed (non-random) matrix. ``gram={0: 1}`` declares AᵀA = I (orthonormal
        columns), ``{1: P}`` declares AAᵀ = P·I, ``{0: 1, 1: 1}`` an orthogonal matrix."""
        self._register(name, (rows, cols))
        for pos, value in (gram or {}).items():
            if pos not in (0, 1):
                raise InvalidArgument(f"gram positions are 0 (rows summed) or 1 (columns "
                                      f"summed); got {pos!r}.")
            self._gram[(name, pos)] = sp.sympify(value)
        return self._leaf(name, rows, cols)

    def gaussian(self, name: str, rows, cols, variance) -> IndexMatrix:
        """A matrix of i.i.d. N(0, variance) entries, independent of every other tensor."""
        self._register(name, (rows, cols), variance)
        return self._leaf(name, rows, cols)

    def _leaf(self, name, rows, cols):
        return IndexMatrix(self, rows, cols, lambda i, j: IndexExpr(
            self, [_Term(sp.Integer(1), ((name, (i, j)),), (), frozenset())]))

    def vector(self, name: str, dim):
        """A vector; returns a function ``v(i) -> IndexExpr`` (the entry v_i)."""
        self._register(name, (dim,))
        return lambda i: IndexExpr(self, [_Term(sp.Integer(1), ((name, (i,)),), (),
                                                frozenset())])

    def diag(self, vector_name: str, dim) -> IndexMatrix:
        """diag(v) for a vector registered with :meth:`vector`."""
        if self._shape.get(vector_name) != (sp.sympify(dim),):
            raise InvalidArgument(f"{vector_name!r} is not a vector of dimension {dim}.")
        return IndexMatrix(self, dim, dim, lambda i, j: IndexExpr(
            self, [_Term(sp.Integer(1), ((vector_name, (i,)),), ((i, j),), frozenset())]))

    def eye(self, dim) -> IndexMatrix:
        """The identity of size dim."""
        return IndexMatrix(self, dim, dim, lambda i, j: IndexExpr(
            self, [_Term(sp.Integer(1), (), ((i, j),), frozenset())]))

    def delta(self, i: Index, j: Index) -> IndexExpr:
        """The Kronecker delta δ_ij (as an index expression)."""
        return IndexExpr(self, [_Term(sp.Integer(1), (), ((i, j),), frozenset())])

    def scalar(self, value) -> IndexExpr:
        return IndexExpr(self, [_Term(sp.sympify(value), (), (), frozenset())])

    # -- scalar functions of matrices ---------------------------------------------------
    def frob2(self, A: IndexMatrix) -> IndexExpr:
        """‖A‖_F² = Σ_ij A_ij²."""
        return self.inner(A, A)

    def inner(self, A: IndexMatrix, B: IndexMatrix) -> IndexExpr:
        """⟨A, B⟩_F = Σ_ij A_ij B_ij = tr(AᵀB)."""
        A._same_shape(B)
        i, j = self._dummy(A.rows), self._dummy(A.cols)
        return (A.at(i, j) * B.at(i, j)).summed(i, j)

    def trace(self, A: IndexMatrix) -> IndexExpr:
        if sp.sympify(A.rows) != sp.sympify(A.cols):
            raise InvalidArgument(f"trace of a non-square matrix ({A.rows}, {A.cols}).")
        i = self._dummy(A.rows)
        return A.at(i, i).summed(i)

    def dot(self, u: Callable, v: Callable, dim) -> IndexExpr:
        """Σ_i u_i v_i for vector-valued callables ``u(i)``, ``v(i)``."""
        i = self._dummy(dim)
        return (u(i) * v(i)).summed(i)

    # -- expectation and normal form ----------------------------------------------------
    def expectation(self, expr: IndexExpr) -> IndexExpr:
        """E over every Gaussian tensor (Isserlis/Wick, entry by entry), in normal form."""
        out = []
        for term in expr.terms:
            groups: dict[str, list] = {}
            rest = []
            for f in term.factors:
                (groups.setdefault(f[0], []) if f[0] in self._variance else rest).append(f)
            if any(len(g) % 2 for g in groups.values()):
                continue
            per_group = [[(name, m) for m in _matchings(g)] for name, g in groups.items()]
            for choice in itertools.product(*per_group):
                coeff, deltas = term.coeff, list(term.deltas)
                for name, matching in choice:
                    for f1, f2 in matching:
                        coeff = coeff * self._variance[name]
                        deltas.extend(zip(f1[1], f2[1]))
                out.append(_Term(coeff, tuple(rest), tuple(deltas), term.dummies))
        return self.normal(IndexExpr(self, out))

    def normal(self, expr: IndexExpr) -> IndexExpr:
        """Sum the deltas out, apply the Gram relations, drop unused dummies (× dimension),
        rename dummies canonically and collect equal terms."""
        collected: dict[tuple, list] = {}
        for term in expr.terms:
            term = self._reduce(term)
            key, canon = self._canonical(term)
            if key in collected:
                collected[key][1] = collected[key][1] + canon.coeff
            else:
                collected[key] = [canon, canon.coeff]
        out = []
        for key in sorted(collected):
            canon, coeff = collected[key]
            coeff = sp.expand(coeff)
            if coeff != 0:
                out.append(_Term(coeff, canon.factors, canon.deltas, canon.dummies))
        return IndexExpr(self, out)

    def _reduce(self, term: _Term) -> _Term:
        coeff, factors = term.coeff, list(term.factors)
        deltas, dummies = list(term.deltas), set(term.dummies)
        changed = True
        while changed:
            changed = False
            for k, (x, y) in enumerate(deltas):
                if x == y:
                    del deltas[k]
                    changed = True
                    break
                if y in dummies or x in dummies:
                    old, new = (y, x) if y in dummies else (x, y)
                    del deltas[k]
                    dummies.discard(old)
                    factors = [(n, tuple(new if i == old else i for i in idx))
                               for n, idx in factors]
                    deltas = [(new if a == old else a, new if b == old else b)
                              for a, b in deltas]
                    changed = True
                    break
            if changed:
                continue
            for p, q in itertools.combinations(range(len(factors)), 2):
                (n1, i1), (n2, i2) = factors[p], factors[q]
                if n1 != n2 or len(i1) != 2:
                    continue
                for pos in (0, 1):
                    value = self._gram.get((n1, pos))
                    k = i1[pos]
                    if value is None or k != i2[pos] or k not in dummies:
                        continue
                    uses = sum(1 for _, idx in factors for i in idx if i == k) + \
                        sum(1 for pair in deltas for i in pair if i == k)
                    if uses != 2:
                        continue
                    coeff = coeff * value
                    deltas.append((i1[1 - pos], i2[1 - pos]))
                    dummies.discard(k)
                    factors = [f for r, f in enumerate(factors) if r not in (p, q)]
                    changed = True
                    break
                if changed:
                    break
        # free deltas: δ² = δ, unordered; δ_xy f(y) = δ_xy f(x) (the later name replaced by
        # the earlier in every factor), repeated until no factor changes
        seen, free_deltas = set(), []
        for x, y in deltas:
            pair = tuple(sorted((x, y), key=lambda i: i.name))
            if pair not in seen:
                seen.add(pair)
                free_deltas.append(pair)
        changed = True
        while changed:
            changed = False
            for x, y in free_deltas:
                new = [(n, tuple(x if i == y else i for i in idx)) for n, idx in factors]
                if new != factors:
                    factors, changed = new, True
        used = set(i for _, idx in factors for i in idx) | set(i for p in free_deltas
                                                                for i in p)
        for i in list(dummies):
            if i not in used:
                coeff = coeff * i.dim
                dummies.discard(i)
        return _Term(coeff, tuple(factors), tuple(free_deltas), frozenset(dummies))

    def _components(self, term: _Term) -> list:
        """Connected parts of a term: factors/deltas linked by shared dummy indices."""
        elems = [("f", f) for f in term.factors] + [("d", d) for d in term.deltas]
        parent = list(range(len(elems)))

        def find(a):
            while parent[a] != a:
                parent[a] = parent[parent[a]]
                a = parent[a]
            return a
        owner: dict = {}
        for k, (kind, e) in enumerate(elems):
            idx = e[1] if kind == "f" else e
            for i in idx:
                if i in term.dummies:
                    if i in owner:
                        parent[find(k)] = find(owner[i])
                    else:
                        owner[i] = k
        comps: dict[int, list] = {}
        for k in range(len(elems)):
            comps.setdefault(find(k), []).append(elems[k])
        return list(comps.values())

    @staticmethod
    def _label(dim, k) -> str:
        return f"{str(dim).replace('_', '')}{k}"

    def _component_key(self, comp, dummies):
        """The least string of a component over all relabellings of its dummies (by dim)."""
        mine = sorted({i for kind, e in comp for i in (e[1] if kind == "f" else e)
                       if i in dummies}, key=lambda i: (str(i.dim), i.name))
        by_dim: dict[str, list] = {}
        for i in mine:
            by_dim.setdefault(str(i.dim), []).append(i)
        groups = list(by_dim.values())
        best, best_map = None, None
        for perms in itertools.product(*(itertools.permutations(g) for g in groups)):
            mapping = {}
            for g, perm in zip(groups, perms):
                for k, i in enumerate(perm):
                    mapping[i] = self._label(i.dim, k)

            def lab(i):
                return mapping.get(i, i.name)
            parts = []
            for kind, e in comp:
                if kind == "f":
                    parts.append(f"{e[0]}[{','.join(lab(i) for i in e[1])}]")
                else:
                    a, b = sorted((lab(e[0]), lab(e[1])))
                    parts.append(f"δ[{a},{b}]")
            key = " ".join(sorted(parts))
            if best is None or key < best:
                best, best_map = key, dict(mapping)
        return best, best_map

    def _canonical(self, term: _Term):
        comps = self._components(term)
        keyed = []
        for comp in comps:
            key, mapping = self._component_key(comp, term.dummies)
            keyed.append((key, comp, mapping))
        keyed.sort(key=lambda x: x[0])
        rename = {}
        for n, (key, comp, mapping) in enumerate(keyed):
            for i, label in mapping.items():
                rename[i] = Index(f"_c{n}.{label}", i.dim)
        canon = _rename(term, rename)
        return tuple(k for k, _, _ in keyed), canon

    def to_sympy(self, expr: IndexExpr):
        """The normal form as a SymPy expression: coefficient × one symbol per connected
        index sum (its canonical string, e.g. ``⟨W1[Nh0,Ni0] W1[Nh0,Ni0]⟩`` for ‖W1‖²)."""
        expr = self.normal(expr)
        total = sp.Integer(0)
        for term in expr.terms:
            value = term.coeff
            for comp in self._components(term):
                key, _ = self._component_key(comp, term.dummies)
                value = value * sp.Symbol(f"⟨{key}⟩", real=True)
            total += value
        return sp.expand(total)

    # -- the independent route: explicit entries at concrete sizes ----------------------
    def explicit(self, expr: IndexExpr, dims: dict, tensors: dict, free: dict | None = None):
        """Expand ``expr`` at concrete sizes: ``dims`` maps dimension symbols to ints,
        ``tensors`` maps each tensor name to an explicit SymPy Matrix (or a list for a vector),
        ``free`` maps free indices to 0-based values. Returns the SymPy sum of entries."""
        free = free or {}
        total = sp.Integer(0)
        for term in expr.terms:
            dummies = sorted(term.dummies, key=lambda i: i.name)
            ranges = [range(int(sp.sympify(i.dim).subs(dims))) for i in dummies]
            for values in itertools.product(*ranges):
                env = dict(free)
                env.update(zip(dummies, values))
                if any(env[x] != env[y] for x, y in term.deltas):
                    continue
                val = term.coeff
                for name, idx in term.factors:
                    T = tensors[name]
                    val = val * (T[env[idx[0]]] if len(idx) == 1 else
                                 T[env[idx[0]], env[idx[1]]])
                total += val
        return sp.sympify(total).subs(dims)
