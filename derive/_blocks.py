"""Noncommutative block-matrix algebra for derivations with symbolic matrices.

Matrices whose sizes are left open (W1, W2, Σyx, Q(0), ...) are SymPy *noncommutative* symbols;
real scalars (λ, τ, ½) are ordinary commutative symbols or numbers, and a scalar inside a
matrix expression means that multiple of the identity (``λ`` in ``W1*W1ᵀ + λ`` is λI). SymPy then
keeps the order of matrix factors in products and ``sympy.expand`` distributes correctly.

What this module adds on top of SymPy:

* :class:`NCAlgebra` creates matrix symbols together with their transposes and transposes
  expressions (``T(A*B) = T(B)*T(A)``, scalars unchanged, ``T(A**-1) = T(A)**-1``).
* :func:`nc_terms`, :func:`substitute_product` and :func:`rewriter`: rewrite a relation such as
  W2ᵀW2 → W1W1ᵀ + λI (or a commutation relation E·F → F·E) wherever its left side occurs as a
  run of consecutive factors inside a product, repeated until nothing matches.
* :func:`block_matrix`, :func:`block_mul`, :func:`block_transpose`, :func:`block_expand`:
  block matrices whose blocks are noncommutative expressions (``sympy.ImmutableMatrix`` as the
  container, products computed here so the order of blocks is kept).
* :func:`evaluate`, :func:`evaluate_blocks`: turn such an expression into a concrete numpy,
  mpmath or explicit SymPy matrix once values are given for its symbols (so a formula written
  once symbolically is also evaluated in float64 and at 50 digits).
* :func:`scalar_sampler`: random exact points for :class:`derive.Derivation`'s refutation
  search that give a matrix and its transpose the same value (1×1 matrices) and can impose
  relations (e.g. λ = W2ᵀW2 − W1W1ᵀ).
* :func:`nc_step`: a derivation step whose refutation search also tries exact random *matrix*
  points (:func:`refute_with_matrices`), which catch wrong orders of factors that 1×1 points,
  being commutative, cannot; :func:`random_rational_matrix` and :func:`rational_orthogonal`
  build such points (rational orthogonal matrices by the Cayley transform, e.g. for exactly
  λ-balanced W1 = cO1, W2 = dO2 with λ = d² − c²).
* **Shapes** (optional): ``alg.matrix("W1", shape=("N_h", "N_i"))`` gives a symbol a shape whose
  sides are integers or size symbols; :meth:`NCAlgebra.shape_of` infers the shape of an
  expression and refuses non-conformable products and sums, so a derivation over shaped symbols
  is checked to make sense for *every* size; :func:`shaped_sampler` draws exact random matrices
  of the declared shapes (each size symbol one random size), and :func:`refute_with_matrices`
  checks the points it is given against the shapes.
* **Diagonal symbols**: ``alg.diagonal("G H S", size="N_m")`` are diagonal matrices of one size:
  they commute with each other (not with other matrices). :func:`normalizer` is a move that
  expands, applies rewrite rules and sorts every run of consecutive diagonal factors to a fixed
  point; :func:`diagonal_groups` splits an expression into words of non-diagonal factors with
  the diagonal runs between them, which reduces a block identity to scalar identities per
  diagonal entry (per mode).
* :class:`NCMatrix`: an array-like view of a noncommutative expression (``@``, ``.T``, ``+``,
  ``-``, scalar ``*`` and ``/``, ``.shape``), so formulas written for numpy arrays evaluate
  unchanged to symbolic expressions of unspecified size.
"""

from __future__ import annotations

import random
from typing import Callable, Iterable, Mapping, NamedTuple, Sequence

import numpy as np
import sympy as sp

from lazyrich._errors import InvalidArgument

__all__ = ["NCAlgebra", "nc_expand", "nc_terms", "nc_factors", "substitute_product",
           "rewriter", "normalizer", "diagonal_groups", "block_matrix", "block_identity", "block_mul",
           "block_transpose", "block_expand", "evaluate", "evaluate_blocks", "scalar_sampler",
           "shaped_sampler", "random_rational_matrix", "rational_orthogonal",
           "refute_with_matrices", "nc_step", "shape_refutation", "NCMatrix", "nc_inverse"]


# --------------------------------------------------------------------------------------------
# symbols and transposes


class NCAlgebra:
    """A set of matrix symbols and their transposes (and, optionally, their shapes).

    Example::

        alg = NCAlgebra()
        W1, W2, S = alg.matrices("W1 W2 S")      # also creates W1^T, W2^T, S^T
        F = alg.matrix("F", symmetric=True)      # F^T is F
        alg.T(W2 * W1 + lam)                     # -> W1^T*W2^T + lam
        U = alg.matrix("U", shape=("N_o", "N_m"))        # U^T has shape (N_m, N_o)
        G, H = alg.diagonal("G H", size="N_m")           # diagonal: G*H = H*G

    Scalars (commutative symbols and numbers) are treated as real: ``T(c) = c``; inside a matrix
    expression a scalar is that multiple of the identity of whatever size the context gives it.
    """

    def __init__(self):
        self._transpose: dict[sp.Symbol, sp.Symbol] = {}
        self._shape: dict[sp.Symbol, tuple] = {}
        self._diagonal: set = set()

    @staticmethod
    def dim(value) -> sp.Expr:
        """A size: a non-negative int, a string (a non-negative integer size symbol of that
        name) or a SymPy expression in size symbols (e.g. ``n + k``)."""
        if isinstance(value, str):
            if not value or any(c.isspace() for c in value):
                raise InvalidArgument(f"size name {value!r} must be a non-empty string without "
                                      f"spaces, e.g. 'N_i'")
            return sp.Symbol(value, integer=True, nonnegative=True)
        if isinstance(value, bool):
            raise InvalidArgument(f"size {value!r} must be an int, a name or a SymPy expression")
        if isinstance(value, int):
            if value < 0:
                raise InvalidArgument(f"size {value} must be >= 0")
            return sp.Integer(value)
        if isinstance(value, sp.Expr) and value.is_commutative:
            return value
        raise InvalidArgument(f"size {value!r} must be an int, a name or a SymPy expression")

    def matrix(self, name: str, *, symmetric: bool = False, shape=None,
               diagonal: bool = False) -> sp.Symbol:
        """A noncommutative matrix symbol ``name``; its transpose is ``name^T`` (or itself).

        Arguments:
            name: the symbol's name (no whitespace, must not end in ``^T``).
            symmetric: if True, the symbol is its own transpose.
            shape: optional ``(rows, cols)``, each an int, a size name (``"N_i"``) or a SymPy
                expression in size symbols. The transpose gets ``(cols, rows)``. Without a shape
                the symbol conforms with anything (the behaviour of unshaped algebras).
            diagonal: a diagonal matrix (implies symmetric; square): diagonal symbols commute
                with each other (see :func:`normalizer`), not with other matrices.

        Returns:
            the noncommutative ``sympy.Symbol``.

        Raises:
            InvalidArgument: empty or ill-formed name, a name already used with another
                symmetry or shape, a bad shape, or a non-square symmetric matrix.
        """
        if not isinstance(name, str) or not name or any(c.isspace() for c in name) \
                or name.endswith("^T"):
            raise InvalidArgument(f"name={name!r} must be a non-empty string without spaces "
                                  f"that does not end in '^T' (the transpose suffix)")
        symmetric = symmetric or diagonal
        if shape is not None:
            if not isinstance(shape, (tuple, list)) or len(shape) != 2:
                raise InvalidArgument(f"shape={shape!r} must be a pair (rows, cols)")
            shape = (self.dim(shape[0]), self.dim(shape[1]))
            if symmetric and sp.expand(shape[0] - shape[1]) != 0:
                raise InvalidArgument(f"matrix {name!r} is symmetric/diagonal but its shape "
                                      f"{shape} is not square")
        sym = sp.Symbol(name, commutative=False)
        tr = sym if symmetric else sp.Symbol(name + "^T", commutative=False)
        known = self._transpose.get(sym)
        if known is not None and known != tr:
            raise InvalidArgument(f"matrix {name!r} already exists with symmetric="
                                  f"{known == sym}; use one symmetry per name")
        if known is not None and self._shape.get(sym) != shape:
            raise InvalidArgument(f"matrix {name!r} already exists with shape "
                                  f"{self._shape.get(sym)}; use one shape per name")
        if known is not None and (sym in self._diagonal) != diagonal:
            raise InvalidArgument(f"matrix {name!r} already exists with diagonal="
                                  f"{sym in self._diagonal}")
        self._transpose[sym] = tr
        self._transpose[tr] = sym
        if shape is not None:
            self._shape[sym] = shape
            self._shape[tr] = (shape[1], shape[0])
        if diagonal:
            self._diagonal.add(sym)
        return sym

    def matrices(self, names: str, *, symmetric: bool = False, shape=None,
                 diagonal: bool = False) -> tuple[sp.Symbol, ...]:
        """Several matrix symbols from a space-separated string (see :meth:`matrix`; they all
        get the same ``shape``)."""
        if not isinstance(names, str) or not names.split():
            raise InvalidArgument(f"names={names!r} must be a space-separated string of names, "
                                  f"e.g. 'W1 W2 S'")
        return tuple(self.matrix(n, symmetric=symmetric, shape=shape, diagonal=diagonal)
                     for n in names.split())

    def diagonal(self, names: str, *, size=None) -> tuple[sp.Symbol, ...]:
        """Diagonal matrix symbols (square, of side ``size`` if given) that commute with each
        other: ``alg.diagonal("G H S", size="N_m")``."""
        shape = None if size is None else (size, size)
        return self.matrices(names, shape=shape, diagonal=True)

    @property
    def transposes(self) -> Mapping[sp.Symbol, sp.Symbol]:
        """Symbol → its transpose, both directions (read-only copy)."""
        return dict(self._transpose)

    def is_symmetric(self, sym: sp.Symbol) -> bool:
        """True if ``sym`` was declared symmetric."""
        return self._transpose.get(sym) == sym

    def is_diagonal(self, factor) -> bool:
        """True for a diagonal symbol or an integer power of one (``G``, ``S**-1``)."""
        if isinstance(factor, sp.Pow) and factor.exp.is_integer:
            factor = factor.base
        return factor in self._diagonal

    def shape(self, sym: sp.Symbol):
        """The declared ``(rows, cols)`` of a matrix symbol, or None."""
        return self._shape.get(sym)

    @property
    def sizes(self) -> set:
        """The size symbols used in the declared shapes."""
        out = set()
        for r, c in self._shape.values():
            out |= r.free_symbols | c.free_symbols
        return out

    def shape_of(self, expr):
        """The shape ``(rows, cols)`` of a noncommutative expression.

        A scalar (a multiple of the identity) has no shape of its own: the result is None.
        A side that cannot be told (an unshaped symbol) is None inside the pair.

        Raises:
            InvalidArgument: a product whose inner sizes differ, a sum of differently shaped
                terms, a scalar added to a non-square matrix, or a power of a non-square one
                (sizes are compared as expressions: ``N_i`` and ``N_o`` are different sizes).
        """
        if isinstance(expr, NCMatrix):
            return expr.shape
        expr = sp.sympify(expr)
        if expr.is_commutative:
            return None
        if isinstance(expr, sp.Symbol):
            return self._shape.get(expr, (None, None))
        if isinstance(expr, sp.Mul):
            _, nc = expr.args_cnc()
            out = None
            for f in nc:
                sh = self.shape_of(f)
                if sh is None:
                    continue
                if out is not None and not _same_dim(out[1], sh[0]):
                    raise InvalidArgument(f"non-conformable product in {expr}: {out[1]} "
                                          f"columns times {sh[0]} rows (at factor {f})")
                out = sh if out is None else (out[0], sh[1] if sh[1] is not None else None)
            return out
        if isinstance(expr, sp.Add):
            out, scalar = None, False
            for a in expr.args:
                sh = self.shape_of(a)
                if sh is None:
                    scalar = True
                    continue
                if out is not None and not (_same_dim(out[0], sh[0]) and
                                            _same_dim(out[1], sh[1])):
                    raise InvalidArgument(f"sum of differently shaped terms in {expr}: "
                                          f"{out} and {sh} (term {a})")
                out = sh if out is None else (_pick(out[0], sh[0]), _pick(out[1], sh[1]))
            if scalar and out is not None and not _same_dim(out[0], out[1]):
                raise InvalidArgument(f"a scalar (a multiple of I) added to a non-square "
                                      f"{out} term in {expr}")
            return out
        if isinstance(expr, sp.Pow) and expr.exp.is_integer:
            sh = self.shape_of(expr.base)
            if sh is not None and expr.exp != 1 and not _same_dim(sh[0], sh[1]):
                raise InvalidArgument(f"power {expr} of a non-square {sh} matrix")
            if expr.exp < 0 and isinstance(expr.base, sp.Mul):
                # sympy.expand rewrites (AB)⁻¹ as B⁻¹A⁻¹: sound only for square factors
                for f in expr.base.args_cnc()[1]:
                    fs = self.shape_of(f)
                    if fs is not None and not _same_dim(fs[0], fs[1]):
                        raise InvalidArgument(f"{expr}: the inverse of a product with the "
                                              f"non-square factor {f} {fs} (expansion would "
                                              f"split it into factor inverses)")
            return sh
        raise InvalidArgument(f"cannot tell the shape of {expr!r}: only sums, products and "
                              f"integer powers of matrix symbols are supported")

    def check_shapes(self, lhs, rhs=None):
        """Shape-check a relation: both sides (or the entries of two block matrices) must be
        conformable and have the same shape. Returns the shapes found.

        Raises:
            InvalidArgument: as :meth:`shape_of`, or the two sides differ in shape.
        """
        if isinstance(lhs, sp.MatrixBase):
            right = rhs if rhs is not None else [None] * len(lhs)
            return [self.check_shapes(a, b) for a, b in zip(lhs, right)]
        a = self.shape_of(lhs)
        if rhs is None:
            return a
        b = self.shape_of(rhs)
        if a is not None and b is not None and not (_same_dim(a[0], b[0]) and
                                                    _same_dim(a[1], b[1])):
            raise InvalidArgument(f"the two sides have different shapes: {a} and {b}")
        for sh in (a, b):
            if sh is not None and (a is None or b is None) and sp.sympify(
                    lhs if a is None else rhs) != 0 and not _same_dim(sh[0], sh[1]):
                raise InvalidArgument(f"a scalar (multiple of I) equated to a non-square "
                                      f"{sh} side")
        return a if a is not None else b

    def T(self, expr):
        """The transpose of a noncommutative expression (or of a block matrix).

        Sums transpose termwise, products reverse their matrix factors, ``A**n`` becomes
        ``T(A)**n`` (n any integer, so ``T(M**-1) = T(M)**-1``), scalars are unchanged.

        Raises:
            InvalidArgument: a noncommutative symbol that this algebra did not create, or a
                construct other than sums, products and integer powers.
        """
        if isinstance(expr, sp.MatrixBase):
            return block_transpose(expr, self)
        expr = sp.sympify(expr)
        if expr.is_commutative:
            return expr
        if isinstance(expr, sp.Symbol):
            try:
                return self._transpose[expr]
            except KeyError:
                raise InvalidArgument(f"matrix symbol {expr} is unknown to this NCAlgebra; "
                                      f"create it with alg.matrix({str(expr)!r})") from None
        if isinstance(expr, sp.Add):
            return sp.Add(*(self.T(a) for a in expr.args))
        if isinstance(expr, sp.Mul):
            c, nc = expr.args_cnc()
            return sp.Mul(*c, *(self.T(a) for a in reversed(nc)))
        if isinstance(expr, sp.Pow) and expr.exp.is_integer:
            return sp.Pow(self.T(expr.base), expr.exp)
        raise InvalidArgument(f"cannot transpose {expr!r}: only sums, products and integer "
                              f"powers of matrix symbols are supported")

    def with_transposes(self, rules: Mapping) -> dict:
        """Extend derivative (or substitution) rules ``{A: expr}`` by ``{Aᵀ: T(expr)}`` for every
        non-symmetric ``A`` whose transpose has no rule yet; returns a new dict."""
        out = dict(rules)
        for sym, value in rules.items():
            tr = self._transpose.get(sym)
            if tr is not None and tr != sym and tr not in out:
                out[tr] = self.T(value)
        return out


def _same_dim(a, b) -> bool:
    """Two sizes agree (an unknown side, None, agrees with anything)."""
    if a is None or b is None:
        return True
    return sp.expand(a - b) == 0


def _pick(a, b):
    return a if a is not None else b


# --------------------------------------------------------------------------------------------
# expanding and rewriting products


def nc_expand(expr):
    """``sympy.expand`` for noncommutative expressions (order of factors kept), entrywise on
    matrices. Sums under an inverse, ``(I + A)**-1``, are left as they are."""
    if isinstance(expr, sp.MatrixBase):
        return block_expand(expr)
    return sp.expand(sp.sympify(expr))


nc_expand.__name__ = "nc_expand"


def nc_factors(term) -> tuple[sp.Expr, list]:
    """Split one product into (scalar coefficient, list of matrix factors in order), with positive
    integer powers of matrix factors unrolled (``A**2`` → ``[A, A]``)."""
    term = sp.sympify(term)
    if term.is_commutative:
        return term, []
    if isinstance(term, sp.Mul):
        c, nc = term.args_cnc()
    else:
        c, nc = [], [term]
    factors = []
    for f in nc:
        if isinstance(f, sp.Pow) and f.exp.is_integer and f.exp > 0:
            factors.extend([f.base] * int(f.exp))
        else:
            factors.append(f)
    return sp.Mul(*c), factors


def nc_terms(expr) -> list[tuple[sp.Expr, list]]:
    """The expanded sum as a list of (scalar coefficient, ordered matrix factors), one per term
    (see :func:`nc_factors`)."""
    expr = sp.expand(sp.sympify(expr))
    terms = expr.args if isinstance(expr, sp.Add) else (expr,)
    return [nc_factors(t) for t in terms]


def _pattern_factors(pattern) -> list:
    if isinstance(pattern, (list, tuple)):
        factors = []
        for p in pattern:
            factors.extend(_pattern_factors(p))
        return factors
    coeff, factors = nc_factors(pattern)
    if coeff != 1 or not factors:
        raise InvalidArgument(f"pattern={pattern!r} must be a product of matrix factors with "
                              f"coefficient 1 (e.g. W2T*W2)")
    return factors


def _rewrite_once(expr, rules) -> tuple[sp.Expr, bool]:
    changed = False
    out = []
    for coeff, factors in nc_terms(expr):
        for pat, rep in rules:
            n = len(pat)
            hit = next((i for i in range(len(factors) - n + 1) if factors[i:i + n] == pat), None)
            if hit is not None:
                out.append(coeff * sp.Mul(*factors[:hit]) * rep * sp.Mul(*factors[hit + n:]))
                changed = True
                break
        else:
            out.append(coeff * sp.Mul(*factors))
    return sp.expand(sp.Add(*out)), changed


def substitute_product(expr, pattern, replacement, *, max_rounds: int = 100):
    """Replace every run of consecutive factors equal to ``pattern`` by ``replacement``.

    The expression is expanded first; each term is scanned for the pattern as a consecutive
    sub-product (powers unrolled, so ``W2ᵀW2W2ᵀW2`` contains it twice) and the substitution is
    repeated until no term contains it. Example: with pattern ``W2T*W2`` and replacement
    ``W1*W1T + lam``, ``W1T*W2T*W2*W1`` becomes ``W1T*W1*W1T*W1 + lam*W1T*W1``.

    Arguments:
        expr: a noncommutative SymPy expression, or a matrix of them (entrywise).
        pattern: a product of matrix factors (coefficient 1), or a sequence of factors.
        replacement: what the pattern equals (any expression).
        max_rounds: give up after this many rounds (the rule does not terminate).

    Returns:
        the expanded expression with no occurrence of the pattern left.

    Raises:
        InvalidArgument: bad pattern, or the rewriting does not terminate within max_rounds.
    """
    return rewriter([(pattern, replacement)], max_rounds=max_rounds)(expr)


def rewriter(rules: Iterable[tuple[object, object]], *, name: str = "rewrite",
             max_rounds: int = 100) -> Callable:
    """A move for :meth:`derive.Derivation.step` that applies product rewrite rules to a fixed
    point.

    Arguments:
        rules: pairs (pattern, replacement) as in :func:`substitute_product`; in each term the
            first rule that matches (earliest position) is applied, then the whole expression is
            re-expanded and scanned again. Rules must terminate, e.g. commutations that move F
            to the left of E (``(E*F, F*E)``) together with cancellations (``(F*Finv, 1)``).
        name: the move's ``__name__`` (shown in the derivation's detail).
        max_rounds: give up after this many rounds.

    Returns:
        a callable ``expr -> expr`` (entrywise on matrices).

    Raises:
        InvalidArgument: bad pattern (now) or no fixed point within max_rounds (when called).
    """
    compiled = [(_pattern_factors(p), sp.sympify(r)) for p, r in rules]
    if not compiled:
        raise InvalidArgument("rules=[] is empty; give at least one (pattern, replacement)")
    if not isinstance(max_rounds, int) or max_rounds < 1:
        raise InvalidArgument(f"max_rounds={max_rounds!r} must be a positive int")

    def move(expr):
        if isinstance(expr, sp.MatrixBase):
            return expr.applyfunc(move)
        expr = sp.expand(sp.sympify(expr))
        for _ in range(max_rounds):
            expr, changed = _rewrite_once(expr, compiled)
            if not changed:
                return expr
        raise InvalidArgument(f"rewrite rules {[(str(p), str(r)) for p, r in rules]} did not "
                              f"reach a fixed point in max_rounds={max_rounds}; make them "
                              f"terminating (each rewrite must shorten or sort the product)")

    move.__name__ = name
    return move


def _diag_key(factor):
    if isinstance(factor, sp.Pow):
        return (str(factor.base), int(factor.exp))
    return (str(factor), 1)


def _sort_diagonal_runs(expr, alg: NCAlgebra):
    """Sort every run of consecutive diagonal factors (they commute); adjacent powers of one
    symbol then combine (``S*S**-1`` → 1)."""
    out = []
    for coeff, factors in nc_terms(expr):
        res, run = [], []
        for f in factors:
            if alg.is_diagonal(f):
                run.append(f)
            else:
                res.extend(sorted(run, key=_diag_key))
                run = []
                res.append(f)
        res.extend(sorted(run, key=_diag_key))
        out.append(coeff * sp.Mul(*res))
    return sp.expand(sp.Add(*out))


def normalizer(alg: NCAlgebra, rules: Iterable[tuple[object, object]] = (), *,
               name: str = "normalise", max_rounds: int = 200) -> Callable:
    """A move that expands, applies the rewrite ``rules`` (as :func:`rewriter`) and sorts every
    run of consecutive diagonal factors (:meth:`NCAlgebra.diagonal`: they commute, so a run may
    be put in any order; adjacent powers of one symbol combine, ``X*X**-1`` → 1), repeated to a
    fixed point.

    Combining ``X*X**-1`` to 1 presumes the diagonal matrix invertible wherever its inverse is
    written; the caller says so (e.g. S_λ > 0, or λ_⊥ ≠ 0).

    Returns:
        a callable ``expr -> expr`` (entrywise on matrices).

    Raises:
        InvalidArgument: bad rules (now), or no fixed point within max_rounds (when called).
    """
    compiled = [(_pattern_factors(p), sp.sympify(r)) for p, r in rules]
    if not isinstance(max_rounds, int) or max_rounds < 1:
        raise InvalidArgument(f"max_rounds={max_rounds!r} must be a positive int")

    def move(expr):
        if isinstance(expr, sp.MatrixBase):
            return expr.applyfunc(move)
        expr = sp.expand(sp.sympify(expr))
        for _ in range(max_rounds):
            new = expr
            if compiled:
                new, _ = _rewrite_once(new, compiled)
            new = _sort_diagonal_runs(new, alg)
            if new == expr:
                return new
            expr = new
        raise InvalidArgument(f"{name}: no fixed point in max_rounds={max_rounds}; make the "
                              f"rewrite rules terminating")

    move.__name__ = name
    return move


class DiagonalGroup(NamedTuple):
    """The terms of an expression with one word of non-diagonal factors (see
    :func:`diagonal_groups`)."""

    word: tuple            # the non-diagonal factors, in order
    position: int | None   # where the diagonal run sits (0: before word[0], ...); None: no run
    coefficient: object    # Σ c·(the run read per diagonal entry); None when `several`
    several: bool          # the terms have diagonal runs at more than one position
    expr: object           # the group as a noncommutative expression


def diagonal_groups(expr, alg: NCAlgebra, scalar_of: Mapping) -> list[DiagonalGroup]:
    """Split ``expr`` into groups of terms sharing one word of non-diagonal factors.

    A term is c · D₀ w₁ D₁ w₂ … w_k D_k with the w's non-diagonal factors and the D's (possibly
    empty) runs of diagonal factors. When within a group only one run position carries
    diagonal factors, the group equals w₁…(diag(coefficient))…w_k, where the coefficient is
    Σ c·Π(run) with each diagonal symbol read as its entry ``scalar_of[symbol]`` (a commutative
    symbol: one diagonal entry, i.e. one mode). Because diagonal matrices multiply entrywise,
    the group vanishes when that coefficient vanishes for every entry: a block identity reduces
    to scalar identities per mode.

    Arguments:
        expr: an expanded noncommutative expression (run :func:`normalizer` first).
        alg: the algebra (which symbols are diagonal).
        scalar_of: diagonal symbol → the commutative symbol for one of its entries.

    Returns:
        a list of :class:`DiagonalGroup`.

    Raises:
        InvalidArgument: a diagonal symbol missing from ``scalar_of``.
    """
    groups: dict = {}
    for coeff, factors in nc_terms(expr):
        words, runs = [], [[]]
        for f in factors:
            if alg.is_diagonal(f):
                runs[-1].append(f)
            else:
                words.append(f)
                runs.append([])
        groups.setdefault(tuple(words), []).append((coeff, runs))

    def entry(f):
        base, exp = (f.base, f.exp) if isinstance(f, sp.Pow) else (f, 1)
        if base not in scalar_of:
            raise InvalidArgument(f"diagonal symbol {base} has no entry in scalar_of")
        return sp.sympify(scalar_of[base]) ** exp

    out = []
    for word, terms in groups.items():
        positions = {i for _, runs in terms for i, r in enumerate(runs) if r}
        raw = sp.Add(*(c * sp.Mul(*[x for i, r in enumerate(runs)
                                    for x in (r + ([word[i]] if i < len(word) else []))])
                       for c, runs in terms))
        if len(positions) > 1:
            out.append(DiagonalGroup(word, None, None, True, raw))
            continue
        pos = positions.pop() if positions else None
        coeff = sp.Add(*(c * (sp.Mul(*[entry(f) for f in runs[pos]]) if pos is not None else 1)
                         for c, runs in terms))
        out.append(DiagonalGroup(word, pos, coeff, False, raw))
    return out


# --------------------------------------------------------------------------------------------
# block matrices


def block_matrix(rows: Sequence[Sequence]) -> sp.ImmutableMatrix:
    """A block matrix from a list of rows of blocks (noncommutative expressions; a scalar block
    c stands for cI, 0 for a zero block).

    Raises:
        InvalidArgument: empty or ragged rows.
    """
    rows = [list(r) for r in rows]
    if not rows or not rows[0] or any(len(r) != len(rows[0]) for r in rows):
        raise InvalidArgument(f"rows must be a non-empty rectangular list of lists of blocks; "
                              f"got row lengths {[len(r) for r in rows]}")
    return sp.ImmutableMatrix([[sp.sympify(b) for b in r] for r in rows])


def block_identity(n: int) -> sp.ImmutableMatrix:
    """The n×n block identity: 1 (an identity block of whatever size) on the diagonal, 0 off."""
    if not isinstance(n, int) or n < 1:
        raise InvalidArgument(f"n={n!r} must be a positive int (blocks per side)")
    return sp.ImmutableMatrix(n, n, lambda i, j: 1 if i == j else 0)


def block_mul(*mats) -> sp.ImmutableMatrix:
    """The product of block matrices, keeping the order of the blocks: (AB)_ij = Σ_k A_ik B_kj,
    expanded. Accepts two or more factors (folded from the left).

    Raises:
        InvalidArgument: fewer than two factors, or non-conforming block grids.
    """
    if len(mats) < 2:
        raise InvalidArgument(f"block_mul needs at least two block matrices; got {len(mats)}")
    out = mats[0]
    for B in mats[1:]:
        A = out
        if A.shape[1] != B.shape[0]:
            raise InvalidArgument(f"block grids do not conform: {A.shape} times {B.shape}")
        out = sp.ImmutableMatrix(A.shape[0], B.shape[1],
                                 lambda i, j: sp.expand(sp.Add(*(A[i, k] * B[k, j]
                                                                 for k in range(A.shape[1])))))
    return out


def block_transpose(A, alg: NCAlgebra) -> sp.ImmutableMatrix:
    """The transpose of a block matrix: blocks swap places and each block is transposed."""
    return sp.ImmutableMatrix(A.shape[1], A.shape[0], lambda i, j: alg.T(A[j, i]))


def block_expand(A) -> sp.ImmutableMatrix:
    """Every block expanded (order of factors kept)."""
    return sp.ImmutableMatrix(A.shape[0], A.shape[1], lambda i, j: sp.expand(A[i, j]))


# --------------------------------------------------------------------------------------------
# an array-like view: formulas written for numpy arrays, evaluated symbolically


def nc_inverse(expr):
    """The inverse of a noncommutative expression: 1/c for a scalar, ``A**-1`` for a symbol or
    power, ``c⁻¹·A⁻¹`` for a scalar multiple of one matrix factor; anything else (sums,
    products of several matrices) is kept as ``(...)**-1``. Note that ``sympy.expand`` splits
    ``(AB)**-1`` into ``B**-1*A**-1``, which is sound only for square invertible factors;
    :meth:`NCAlgebra.shape_of` refuses it when a factor's shape is not square."""
    expr = sp.sympify(expr)
    if expr.is_commutative:
        if expr == 0:
            raise InvalidArgument("cannot invert the zero scalar")
        return 1 / expr
    if isinstance(expr, sp.Symbol) or (isinstance(expr, sp.Pow) and expr.exp.is_integer):
        return expr ** -1
    if isinstance(expr, sp.Mul):
        c, nc = expr.args_cnc()
        if len(nc) == 1:
            return sp.Mul(*c) ** -1 * nc_inverse(nc[0])
        return sp.Mul(*c) ** -1 * sp.Pow(sp.Mul(*nc), -1, evaluate=False)
    return sp.Pow(expr, -1)


class NCMatrix:
    """A noncommutative expression that behaves like a 2-D array: ``A @ B`` (ordered product),
    ``A.T``, ``A + B``, ``A - B``, ``-A``, ``c * A``, ``A / c`` for scalars c, ``A.shape``.

    A formula written once for numpy (or SymPy) matrices then evaluates to a symbolic expression
    of unspecified size: ``NCMatrix(U, alg) @ NCMatrix(G, alg)`` is ``U*G``. Shapes come from
    the algebra's declared shapes (or ``shape=`` for a multiple of the identity, e.g. ``eye``);
    a product of non-conformable shapes raises.

    Attributes:
        expr: the SymPy expression.
        alg: the :class:`NCAlgebra` (transposes, shapes).
    """

    __array_priority__ = 1000

    def __init__(self, expr, alg: NCAlgebra, shape=None):
        if isinstance(expr, NCMatrix):
            expr = expr.expr
        self.expr = sp.sympify(expr)
        self.alg = alg
        if shape is not None:
            shape = tuple(None if x is None else alg.dim(x) for x in shape)
        else:
            shape = alg.shape_of(self.expr)
        self._shape = shape

    @property
    def shape(self):
        if self._shape is None:
            raise InvalidArgument(f"{self.expr} is a multiple of the identity of unspecified "
                                  f"size: give it a shape (NCMatrix(expr, alg, shape=...))")
        return self._shape

    @property
    def T(self) -> "NCMatrix":
        shape = None if self._shape is None else (self._shape[1], self._shape[0])
        return NCMatrix(self.alg.T(self.expr), self.alg, (shape))

    def _other(self, other) -> "NCMatrix":
        if isinstance(other, NCMatrix):
            return other
        other = sp.sympify(other)
        if not other.is_commutative:
            return NCMatrix(other, self.alg)
        return NCMatrix(other, self.alg, None)

    def _same(self, other: "NCMatrix"):
        a, b = self._shape, other._shape
        if a is not None and b is not None and not (_same_dim(a[0], b[0]) and
                                                    _same_dim(a[1], b[1])):
            raise InvalidArgument(f"cannot add matrices of shapes {a} and {b}")
        return a if a is not None else b

    def __matmul__(self, other):
        other = self._other(other)
        a, b = self._shape, other._shape
        if a is not None and b is not None and not _same_dim(a[1], b[0]):
            raise InvalidArgument(f"non-conformable product: {a} @ {b} ({self.expr} @ "
                                  f"{other.expr})")
        shape = b if a is None else a if b is None else (a[0], b[1])
        return NCMatrix(self.expr * other.expr, self.alg, (shape))

    def __rmatmul__(self, other):
        return self._other(other).__matmul__(self)

    def __add__(self, other):
        other = self._other(other)
        return NCMatrix(self.expr + other.expr, self.alg, (self._same(other)))

    __radd__ = __add__

    def __sub__(self, other):
        other = self._other(other)
        return NCMatrix(self.expr - other.expr, self.alg, (self._same(other)))

    def __rsub__(self, other):
        return self._other(other).__sub__(self)

    def __neg__(self):
        return NCMatrix(-self.expr, self.alg, (self._shape))

    def _scalar(self, c):
        if isinstance(c, NCMatrix) or not sp.sympify(c).is_commutative:
            raise InvalidArgument("use @ for the product of two matrices; * is only for "
                                  "scalars")
        return sp.sympify(c)

    def __mul__(self, c):
        return NCMatrix(self.expr * self._scalar(c), self.alg, (self._shape))

    __rmul__ = __mul__

    def __truediv__(self, c):
        return NCMatrix(self.expr / self._scalar(c), self.alg, (self._shape))

    def inv(self) -> "NCMatrix":
        """The inverse (see :func:`nc_inverse`); the matrix must be square."""
        if self._shape is not None and not _same_dim(*self._shape):
            raise InvalidArgument(f"cannot invert a non-square {self._shape} matrix")
        return NCMatrix(nc_inverse(self.expr), self.alg, (self._shape))

    def __repr__(self):
        return f"NCMatrix({self.expr}, shape={self._shape})"


# --------------------------------------------------------------------------------------------
# numeric evaluation of noncommutative expressions


class _Backend:
    def __init__(self, kind: str):
        self.kind = kind

    def mul(self, a, b):
        if self.kind == "numpy":
            return a @ b
        return a * b

    def inv(self, a):
        if self.kind == "numpy":
            return np.linalg.inv(a)
        if self.kind == "mpmath":
            import mpmath
            return mpmath.inverse(a)
        return a.inv()

    def eye(self, n):
        if self.kind == "numpy":
            return np.eye(n)
        if self.kind == "mpmath":
            import mpmath
            return mpmath.eye(n)
        return sp.eye(n)

    def rows(self, a):
        return a.shape[0] if self.kind != "mpmath" else a.rows

    def scalar(self, c):
        if self.kind == "numpy":
            return float(c)
        if self.kind == "mpmath":
            import mpmath
            if c.is_Rational:
                return mpmath.mpf(int(c.p)) / int(c.q)
            return mpmath.mpf(str(sp.N(c, mpmath.mp.dps + 10)))
        return c


def _backend_of(values: Mapping) -> _Backend:
    import mpmath
    kinds = set()
    for v in values.values():
        if isinstance(v, mpmath.matrix):
            kinds.add("mpmath")
        elif isinstance(v, sp.MatrixBase):
            kinds.add("sympy")
        elif isinstance(v, np.ndarray):
            kinds.add("numpy")
    if len(kinds) != 1:
        raise InvalidArgument(f"values must all be numpy arrays, all mpmath matrices or all SymPy "
                              f"matrices; got kinds {sorted(kinds) or 'none'}")
    return _Backend(kinds.pop())


def evaluate(expr, values: Mapping, *, alg: NCAlgebra | None = None, size: int | None = None,
             scalars: Mapping | None = None):
    """Evaluate a noncommutative expression with concrete matrices.

    Arguments:
        expr: sums, products and integer powers (``**-1`` is the inverse) of matrix symbols and
            scalars; a scalar term of a sum is that multiple of the identity.
        values: matrix symbol → value; all numpy 2-D arrays (float64), all ``mpmath.matrix``
            (at the current mpmath precision) or all SymPy matrices. Transposes of given
            symbols are filled in from ``alg`` when it is passed.
        alg: the :class:`NCAlgebra` that created the symbols (for transposes).
        size: the side of the identity when the whole expression is a scalar.
        scalars: commutative symbol → number (e.g. ``{lam: 0.5}``).

    Returns:
        the value, of the same kind as ``values``.

    Raises:
        InvalidArgument: a symbol without a value, mixed kinds, a scalar expression without
            ``size``, or an unsupported construct.
    """
    if not isinstance(values, Mapping) or not values:
        raise InvalidArgument("values must be a non-empty mapping {matrix symbol: matrix}")
    be = _backend_of(values)
    vals = dict(values)
    if alg is not None:
        for sym, v in values.items():
            tr = alg.transposes.get(sym)
            if tr is not None and tr not in vals:
                vals[tr] = v.T
    subs = {sp.sympify(k): sp.sympify(v) for k, v in (scalars or {}).items()}
    return _eval(sp.sympify(expr), vals, subs, be, size)


def _scalar_value(expr, subs, be):
    c = expr.subs(subs) if subs else expr
    if c.free_symbols:
        raise InvalidArgument(f"scalar {expr} has symbols {sorted(map(str, c.free_symbols))} "
                              f"without a value; pass them in scalars={{...}}")
    return be.scalar(c) if be.kind != "sympy" else c


def _eval(expr, vals, subs, be, size):
    if expr.is_commutative:
        if size is None:
            raise InvalidArgument(f"the scalar {expr} stands for a multiple of the identity; "
                                  f"pass size= (its side)")
        return be.eye(size) * _scalar_value(expr, subs, be)
    if isinstance(expr, sp.Symbol):
        if expr not in vals:
            raise InvalidArgument(f"matrix symbol {expr} has no value; add it to values=")
        return vals[expr]
    if isinstance(expr, sp.Add):
        mats = [a for a in expr.args if not a.is_commutative]
        parts = [_eval(a, vals, subs, be, size) for a in mats]
        n = be.rows(parts[0])
        total = parts[0]
        for p in parts[1:]:
            total = total + p
        for a in expr.args:
            if a.is_commutative:
                total = total + be.eye(n) * _scalar_value(a, subs, be)
        return total
    if isinstance(expr, sp.Mul):
        c, nc = expr.args_cnc()
        out = _eval(nc[0], vals, subs, be, size)
        for f in nc[1:]:
            out = be.mul(out, _eval(f, vals, subs, be, size))
        coeff = sp.Mul(*c)
        return out if coeff == 1 else out * _scalar_value(coeff, subs, be)
    if isinstance(expr, sp.Pow) and expr.exp.is_integer and expr.exp != 0:
        base = _eval(expr.base, vals, subs, be, size)
        if expr.exp < 0:
            base = be.inv(base)
        out = base
        for _ in range(abs(int(expr.exp)) - 1):
            out = be.mul(out, base)
        return out
    raise InvalidArgument(f"cannot evaluate {expr!r}: only sums, products and integer powers")


def evaluate_blocks(blocks, values: Mapping, sizes: Sequence[int], *,
                    alg: NCAlgebra | None = None, scalars: Mapping | None = None):
    """Assemble a square block matrix (diagonal block sizes ``sizes``) from its blocks.

    Arguments:
        blocks: a block matrix (:func:`block_matrix`) or a list of rows of blocks; a scalar
            block on the diagonal is that multiple of the identity, a zero block is zeros.
        values, alg, scalars: as in :func:`evaluate`.
        sizes: the sides of the diagonal blocks, e.g. (N_i, N_o).

    Returns:
        the assembled matrix (numpy array, mpmath matrix or SymPy matrix).

    Raises:
        InvalidArgument: the block grid does not match ``sizes``, or a non-zero scalar block
            off the diagonal (cI is only square).
    """
    if not isinstance(blocks, sp.MatrixBase):
        blocks = block_matrix(blocks)
    sizes = [int(s) for s in sizes]
    k = len(sizes)
    if blocks.shape != (k, k):
        raise InvalidArgument(f"blocks is a {blocks.shape} grid but sizes={sizes} asks for "
                              f"({k}, {k})")
    be = _backend_of(values)
    rows = []
    for i in range(k):
        row = []
        for j in range(k):
            b = sp.sympify(blocks[i, j])
            if b == 0:
                row.append(None)
            elif b.is_commutative and i != j:
                raise InvalidArgument(f"block ({i}, {j}) = {b} is a scalar off the diagonal; "
                                      f"a multiple of I must be square")
            else:
                row.append(evaluate(b, values, alg=alg, size=sizes[i], scalars=scalars))
        rows.append(row)
    n = sum(sizes)
    offs = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
    if be.kind == "numpy":
        out = np.zeros((n, n))
    elif be.kind == "mpmath":
        import mpmath
        out = mpmath.zeros(n, n)
    else:
        out = sp.zeros(n, n)
    for i in range(k):
        for j in range(k):
            blk = rows[i][j]
            if blk is None:
                continue
            for a in range(sizes[i]):
                for b in range(sizes[j]):
                    out[offs[i] + a, offs[j] + b] = blk[a, b]
    return out


# --------------------------------------------------------------------------------------------
# sampling for refutations


def scalar_sampler(alg: NCAlgebra, symbols: Iterable[sp.Symbol],
                   constraints: Callable[[dict], Mapping] | None = None) -> Callable:
    """A sampler for :class:`derive.Derivation` (``sampler=``): exact random points that read
    every matrix as a 1×1 matrix, so a matrix and its transpose get the same value.

    Arguments:
        alg: the algebra of the matrix symbols (for their transposes).
        symbols: every symbol that can appear in a residual (matrix or scalar).
        constraints: optional ``point -> {symbol: value}`` applied last (a constrained matrix's
            transpose gets the same value), to impose relations the free draw would break
            (e.g. ``{lam: p[W2]**2 - p[W1]**2}`` for λ-balance).

    Returns:
        ``sampler(rng: random.Random) -> {symbol: Rational}``.

    A residual that is non-zero at such a point is non-zero for 1×1 matrices, hence as a matrix
    identity; a residual that vanishes there is not thereby proved (1×1 matrices commute).
    """
    symbols = list(symbols)
    trans = alg.transposes

    def sampler(rng: random.Random) -> dict:
        point = {}
        for s in symbols:
            if s in point:
                continue
            value = sp.Rational(rng.randint(1, 97), rng.randint(1, 13))
            if not (s.is_positive or s.is_nonnegative) and rng.random() < 0.5:
                value = -value
            point[s] = value
            if s in trans:
                point[trans[s]] = value
        if constraints is not None:
            for k, v in constraints(point).items():
                point[k] = sp.nsimplify(v)
                if k in trans:
                    point[trans[k]] = point[k]
        return point

    return sampler


def _bind_sizes(alg: NCAlgebra, mats: Mapping) -> dict:
    """Size symbol → int from the shapes of the given matrices; raises on a mismatch."""
    sizes: dict = {}
    pending = []
    for sym, value in mats.items():
        declared = alg.shape(sym)
        if declared is None:
            continue
        got = (value.rows, value.cols) if hasattr(value, "rows") else tuple(value.shape)
        for want, have in zip(declared, got):
            if isinstance(want, sp.Symbol):
                if sizes.setdefault(want, int(have)) != int(have):
                    raise InvalidArgument(f"the point gives {sym} shape {got}, but size {want} "
                                          f"is already {sizes[want]}")
            else:
                pending.append((sym, want, have, got))
    for sym, want, have, got in pending:
        value = want.subs(sizes)
        if value.free_symbols or int(value) != int(have):
            raise InvalidArgument(f"the point gives {sym} shape {got}, which does not fit its "
                                  f"declared shape {alg.shape(sym)} with sizes {sizes}")
    return sizes


def shaped_sampler(alg: NCAlgebra, symbols: Iterable[sp.Symbol] | None = None, *,
                   sizes: Mapping | None = None, scalars: Iterable[sp.Symbol] = (),
                   constraints: Callable[[dict, dict], Mapping] | None = None,
                   size_range: tuple[int, int] = (2, 4)) -> Callable:
    """A ``matrix_sampler`` for :func:`nc_step` / :func:`refute_with_matrices` that draws exact
    random matrices of the declared shapes.

    Arguments:
        alg: the algebra (every drawn symbol must have a shape).
        symbols: the matrix symbols to draw (default: every shaped symbol of ``alg``, one of
            each transpose pair; transposes are filled in when evaluating).
        sizes: size symbol (or its name) → int, for sizes that must take a given value; the
            others are drawn from ``size_range`` (inclusive) at each point.
        scalars: commutative symbols to draw (exact rationals; positive ones stay positive).
        constraints: ``(matrices, scalars) -> {symbol: value}`` applied last, to impose
            relations the free draw breaks (e.g. J = (Y² − 1)/(2L) for diagonal Y, L).
        size_range: the range of the drawn sizes.

    Returns:
        ``sampler(rng) -> (matrices, scalars)``; diagonal symbols get diagonal matrices with
        non-zero entries, symmetric ones symmetric matrices.

    Raises:
        InvalidArgument: a symbol without a shape, or a size that comes out negative.
    """
    fixed = {(alg.dim(k) if isinstance(k, str) else k): int(v) for k, v in (sizes or {}).items()}
    trans = alg.transposes
    if symbols is None:
        symbols = []
        for s in alg._shape:
            if s not in symbols and trans.get(s) not in symbols and not str(s).endswith("^T"):
                symbols.append(s)
    symbols = list(symbols)
    for s in symbols:
        if alg.shape(s) is None:
            raise InvalidArgument(f"matrix {s} has no shape: declare one or give a sampler")
    free = sorted(alg.sizes - set(fixed), key=str)
    scalars = list(scalars)
    lo, hi = size_range

    def sampler(rng: random.Random):
        dims = dict(fixed)
        for n in free:
            dims[n] = rng.randint(lo, hi)
        mats = {}
        for s in symbols:
            r, c = (int(x.subs(dims)) for x in alg.shape(s))
            if r < 0 or c < 0:
                raise InvalidArgument(f"sizes {dims} give {s} a negative shape ({r}, {c})")
            if alg.is_diagonal(s):
                mats[s] = sp.ImmutableMatrix(sp.diag(*[
                    sp.Rational(rng.choice([-1, 1]) * rng.randint(1, 9), rng.randint(1, 4))
                    for _ in range(r)])) if r else sp.ImmutableMatrix(sp.zeros(0, 0))
            else:
                mats[s] = random_rational_matrix(rng, r, c, symmetric=alg.is_symmetric(s))
        vals = {}
        for x in scalars:
            v = sp.Rational(rng.randint(1, 97), rng.randint(1, 13))
            vals[x] = v if (x.is_positive or x.is_nonnegative or rng.random() < 0.5) else -v
        if constraints is not None:
            for k, v in constraints(mats, vals).items():
                (vals if sp.sympify(k).is_commutative else mats)[k] = v
        return mats, vals

    return sampler


def random_rational_matrix(rng: random.Random, rows: int, cols: int, *, symmetric: bool = False,
                           low: int = -9, high: int = 9) -> sp.ImmutableMatrix:
    """An exact random matrix with integer entries in [low, high] (symmetric if asked)."""
    if symmetric and rows != cols:
        raise InvalidArgument(f"a symmetric matrix must be square; got {rows}×{cols}")
    M = sp.Matrix(rows, cols, lambda i, j: rng.randint(low, high))
    return sp.ImmutableMatrix((M + M.T) / 2 if symmetric else M)


def rational_orthogonal(rng: random.Random, n: int) -> sp.ImmutableMatrix:
    """An exact orthogonal n×n matrix with rational entries: the Cayley transform
    (I − A)(I + A)⁻¹ of a random skew-symmetric integer matrix A."""
    A = sp.Matrix(n, n, lambda i, j: 0)
    for i in range(n):
        for j in range(i + 1, n):
            A[i, j] = sp.Rational(rng.randint(-5, 5), rng.randint(1, 4))
            A[j, i] = -A[i, j]
    I = sp.eye(n)
    return sp.ImmutableMatrix((I - A) * (I + A).inv())


def refute_with_matrices(residual, sampler: Callable[[random.Random], tuple[dict, dict]] | None,
                         *, alg: NCAlgebra, size: int = 2, samples: int = 3, seed: int = 0):
    """Look for an exact matrix point where a noncommutative residual is non-zero.

    Arguments:
        residual: a noncommutative expression (or matrix of them) that should be 0.
        sampler: ``rng -> (matrices, scalars)``: exact SymPy matrices for the matrix symbols
            (transposes are filled in from ``alg``) and exact numbers for the scalar symbols,
            respecting whatever relations the residual may use. Matrices of shaped symbols must
            fit the declared shapes (one value per size symbol). None: :func:`shaped_sampler`
            over every shaped symbol of ``alg`` (no relations imposed).
        alg: the algebra of the symbols.
        size: the side of the identity for an entry that is a pure scalar and whose size the
            shapes cannot tell (unshaped algebras: the matrices should be size×size).
        samples: points tried.
        seed: seed of ``random.Random``.

    Returns:
        ``(point, max |entry|)`` with the point as strings, or None when the residual vanished
        at every point tried (evidence, not proof).

    Raises:
        InvalidArgument: a point that does not fit the declared shapes.
    """
    rng = random.Random(seed)
    if sampler is None:
        sampler = shaped_sampler(alg)
    if isinstance(residual, sp.MatrixBase):
        entries = list(residual)
    elif isinstance(residual, (list, tuple)):
        entries = list(residual)
    else:
        entries = [residual]
    for _ in range(samples):
        mats, scalars = sampler(rng)
        sizes = _bind_sizes(alg, mats)
        for e in entries:
            e = sp.sympify(e)
            if e == 0:
                continue
            n = size
            sh = alg.shape_of(e) if alg._shape else None
            if sh is not None and sh[0] is not None:
                n = int(sh[0].subs(sizes)) if not sh[0].subs(sizes).free_symbols else size
            try:
                value = evaluate(e, mats, alg=alg, size=n, scalars=scalars)
            except (ZeroDivisionError, ValueError):   # a singular draw: try the next point
                continue
            big = max((abs(v) for v in value), default=0)
            if big != 0:
                point = {str(k): str(v.tolist()) for k, v in mats.items()}
                point.update({str(k): str(v) for k, v in scalars.items()})
                return point, big
    return None


def nc_step(derivation, lhs, rhs, why: str, *, moves: Sequence[Callable] = (nc_expand,),
            matrix_sampler: Callable | None = None, alg: NCAlgebra | None = None,
            size: int = 2, shown: tuple | None = None):
    """:meth:`derive.Derivation.step` for noncommutative sides, with a stronger refutation.

    When ``alg`` declares shapes, both sides are first shape-checked (every product conformable,
    both sides of one shape, for symbolic sizes): the step then holds for every size. The step is
    checked as usual (reduce ``lhs − rhs`` with ``moves``; 1×1 points for the refutation
    search). If it is left ``inconclusive`` and a ``matrix_sampler`` is given, the reduced
    residual is also evaluated at exact random matrix points (:func:`refute_with_matrices`); a
    non-zero value turns the step ``refuted`` with that point as its counterexample.

    Arguments:
        matrix_sampler: ``rng -> (matrices, scalars)`` (see :func:`refute_with_matrices`), or
            ``"shapes"``: :func:`shaped_sampler` over the residual's symbols. That one imposes
            no relation, so use it only when the moves use none beyond what it draws (diagonal
            symbols commute, inverses are inverses); otherwise give a sampler that respects
            them (e.g. orthogonality), or its counterexamples would be spurious.
        shown: (lhs, rhs) to display in the report instead of the (often large) sides.

    Returns:
        the recorded :class:`derive.Step`.

    Raises:
        InvalidArgument: ``matrix_sampler`` given without ``alg``; non-conformable shapes.
    """
    from ._derivation import reduce_to_zero

    if matrix_sampler is not None and alg is None:
        raise InvalidArgument("nc_step: matrix_sampler needs alg= (the NCAlgebra of the symbols)")
    if alg is not None and alg._shape:
        bad = shape_refutation(derivation, lhs, rhs, why, alg, shown)
        if bad is not None:
            return bad
    residual = (sp.Matrix(lhs) - sp.Matrix(rhs)) if isinstance(lhs, sp.MatrixBase) \
        else sp.sympify(lhs) - sp.sympify(rhs)
    if shown is None:
        step = derivation.step(lhs, rhs, why, moves=moves)
    else:
        step = derivation.step(shown[0], shown[1], why, moves=moves, residual=residual)
    if isinstance(matrix_sampler, str):
        if matrix_sampler != "shapes" or alg is None or not alg._shape:
            raise InvalidArgument(f"matrix_sampler={matrix_sampler!r}: the only name is "
                                  f"'shapes' (random matrices of the declared shapes), which "
                                  f"needs alg= with shaped symbols")
        free = set().union(*(sp.sympify(e).free_symbols for e in _as_entries(residual)))
        matrix_sampler = shaped_sampler(
            alg, sorted({s if not str(s).endswith("^T") else alg.transposes[s]
                         for s in free if not s.is_commutative}, key=str),
            scalars=sorted((s for s in free if s.is_commutative), key=str))
    if step.verdict != "inconclusive" or matrix_sampler is None:
        return step
    reduced = [e for e in reduce_to_zero(residual, moves) if e != 0]
    found = refute_with_matrices(reduced, matrix_sampler, alg=alg, size=size)
    if found is not None:
        point, big = found
        step.verdict = "refuted"
        step.counterexample = {"point": point, "residual_max_abs": str(big)}
        shapes = "shaped" if alg._shape else f"{size}×{size}"
        step.detail = (f"residual ≠ 0 as a matrix identity: max |entry| = {big} at exact "
                       f"{shapes} matrices {point} (1×1 points could not tell)")
    return step


def shape_refutation(derivation, lhs, rhs, why: str, alg: NCAlgebra, shown=None):
    """Shape-check a relation stated for every size; if it is not even defined for every size
    (a non-conformable product or sum, or sides of different shapes), record the step as
    ``refuted`` (the relation is false as stated: at sizes where the shapes differ it has no
    meaning) and return it; otherwise return None."""
    from ._derivation import Step

    try:
        alg.check_shapes(lhs, rhs)
    except InvalidArgument as exc:
        shown = shown or (lhs, rhs)
        step = Step(shown[0], shown[1], why, verdict="refuted")
        step.residual = "not defined for every size"
        step.counterexample = {"shapes": str(exc)}
        step.detail = (f"not defined for every size (sizes are symbols, so sizes that differ "
                       f"as symbols may differ): {exc}")
        derivation.steps.append(step)
        return step
    return None


def _as_entries(x) -> list:
    if isinstance(x, sp.MatrixBase):
        return list(x)
    return [x]


def riccati_rhs(F, QQ):
    """F·QQᵀ + QQᵀ·F − (QQᵀ)² for 2×2 block matrices: the right-hand side of Lemma B.1."""
    return block_mul(F, QQ) + block_mul(QQ, F) - block_mul(QQ, QQ)


def nc_block_steps(derivation, lhs, rhs, why: str, **kwargs) -> list:
    """:func:`nc_step` for every block of two equally shaped block matrices.

    ``why`` is a format string; ``{i}`` and ``{j}`` become the 1-based block position. The
    keyword arguments go to :func:`nc_step`. Returns the recorded steps, row by row.
    """
    rows, cols = lhs.shape
    return [nc_step(derivation, lhs[i, j], rhs[i, j], why.format(i=i + 1, j=j + 1), **kwargs)
            for i in range(rows) for j in range(cols)]
