"""Per-mode eigen-structure of F (Lemma 4.2, eqs 8–9) for derivations, and evaluation backends
for the matrix closed forms of Theorem 4.3 / B.5.

Three parts:

* **Moves** for :class:`derive.Derivation` steps: :func:`clear_radicands` (factor every radicand
  so that SymPy pulls perfect powers of positive factors out of the root) and
  :func:`numerator` (reduce a rational residual to its expanded numerator).
* **The mode parametrisation.**  One mode of F is the 2×2 block [[−λ/2, s̃], [s̃, λ/2]].  With
  p = √(S_λ − λ/2) > 0 and q = √(S_λ + λ/2) > 0 (S_λ > |λ|/2 because s̃ > 0) one has
  s̃ = pq, λ = q² − p², S_λ = (p² + q²)/2, and (p, q) ∈ (0, ∞)² ↦ (s̃, λ) is onto
  (0, ∞) × ℝ.  So an identity in (s̃, λ) holds for all s̃ > 0, λ ∈ ℝ iff it holds for all
  positive p, q.  :func:`mode_cases` splits λ > 0 (q = p + d), λ < 0 (p = q + d) and λ = 0
  (p = q) with positive symbols, so that sgn(λ) and every square root have a decided branch.
  (p, q are the singular values S1, S2 of Theorem 5.2.)
* **Backends.**  The closed forms of eqs 10–15 and B.5 are written once against a small
  namespace (:class:`TaskBasis`: Ũ, Ṽ, Ũ⊥, Ṽ⊥, G, H, S_λ, λ_⊥ as matrices, plus ``eye`` and
  ``inv``) using only ``@``, ``.T``, ``+``, ``−`` and ``/ 2``; they then evaluate unchanged on
  SymPy matrices (exact), float64 numpy arrays, and numpy object arrays of mpmath numbers
  (:func:`float_basis`, :func:`mp_basis`, :func:`evaluate_qqt`).

The printed Lemma 4.2 formulas (:func:`s_lambda`, :func:`h_printed`, :func:`g_printed`,
:func:`p_mode`, :func:`lambda_perp`, ...) live here because both the Lemma 4.2 claims and the
Theorem 4.3 derivation use them.
"""

from __future__ import annotations

import functools
import math
import numbers
from dataclasses import dataclass
from typing import Callable

import mpmath
import numpy as np
import sympy as sp

__all__ = [
    "clear_radicands", "numerator", "ModeCase", "mode_cases", "s_lambda", "h_printed",
    "h_difference", "h_thesis", "g_printed", "p_mode", "mode_eigenvalues", "lambda_perp",
    "symbol_matrix", "assemble_p", "TaskBasis", "sympy_basis", "float_basis", "mp_basis",
    "evaluate_qqt", "nc_basis", "nc_mode_step",
]


# --------------------------------------------------------------------------------------------
# moves
# --------------------------------------------------------------------------------------------
def _is_radical(expr) -> bool:
    """A power with a non-integer rational exponent (√x, x^{-1/2}, x^{1/4}, ...)."""
    return bool(expr.is_Pow and expr.exp.is_Rational and not expr.exp.is_Integer)


@functools.lru_cache(maxsize=8192)
def _cleared(radical: sp.Pow) -> sp.Expr:
    return sp.Pow(sp.factor(sp.together(radical.base)), radical.exp)


def clear_radicands(expr):
    """Rewrite every radicand (base of a non-integer rational power) over a common denominator
    and factored, innermost radicals first, so that SymPy extracts perfect squares of positive
    factors (√(d²/(2p+d)²) → d/(2p+d) for positive d, p).  Exact: radicands are only rewritten
    into equal forms.  Matrices are handled entrywise; results are memoised per radical."""
    if isinstance(expr, sp.MatrixBase):
        return expr.applyfunc(clear_radicands)
    expr = sp.sympify(expr)
    done: set = set()
    for _ in range(32):  # nesting depth bound
        rads = [r for r in expr.atoms(sp.Pow) if _is_radical(r) and r not in done]
        ready = [r for r in rads
                 if not any(_is_radical(a) and a not in done for a in r.base.atoms(sp.Pow))]
        if not ready:
            break
        repl = {r: _cleared(r) for r in ready}
        done.update(ready)
        for v in repl.values():
            done.update(a for a in v.atoms(sp.Pow) if _is_radical(a))
        expr = expr.xreplace(repl)
    return expr


def numerator(expr):
    """The expanded numerator of ``expr`` over a common denominator: a residual is 0 wherever
    it is defined iff this is 0."""
    return sp.expand(sp.numer(sp.together(sp.sympify(expr))))


# --------------------------------------------------------------------------------------------
# the mode parametrisation (s̃, λ) = (pq, q² − p²)
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ModeCase:
    """One sign case of λ for a single mode.

    Attributes:
        label: "λ > 0", "λ < 0" or "λ = 0".
        sign: sgn λ (1, −1, 0).
        p, q: √(S_λ − λ/2) and √(S_λ + λ/2) written in positive symbols.
        s: s̃ = pq.
        lam: λ = (q − p)(q + p) (factored so that its sign is decided).
        S: S_λ = (p² + q²)/2 (what √(s̃² + λ²/4) reduces to).
        H: (q − p)/(q + p) (what eq 9's H reduces to).
    """

    label: str
    sign: int
    p: sp.Expr
    q: sp.Expr

    @property
    def s(self) -> sp.Expr:
        return self.p * self.q

    @property
    def lam(self) -> sp.Expr:
        return (self.q - self.p) * (self.q + self.p)

    @property
    def S(self) -> sp.Expr:
        return (self.p ** 2 + self.q ** 2) / 2

    @property
    def H(self) -> sp.Expr:
        return (self.q - self.p) / (self.q + self.p)

    @property
    def symbols(self) -> set:
        return (self.p.free_symbols | self.q.free_symbols)


#: positive symbols of the parametrisation
A_SYM, D_SYM = sp.symbols("a d", positive=True)


def mode_cases(include_zero: bool = True) -> list[ModeCase]:
    """The sign cases of λ for one mode, in positive symbols a, d.

    Arguments:
        include_zero: also return the λ = 0 case (p = q = a).

    Returns:
        [λ > 0: (p, q) = (a, a + d); λ < 0: (p, q) = (a + d, a); λ = 0: (p, q) = (a, a)].
    """
    cases = [ModeCase("λ > 0", 1, A_SYM, A_SYM + D_SYM),
             ModeCase("λ < 0", -1, A_SYM + D_SYM, A_SYM)]
    if include_zero:
        cases.append(ModeCase("λ = 0", 0, A_SYM, A_SYM))
    return cases


# --------------------------------------------------------------------------------------------
# the printed Lemma 4.2 formulas (SymPy; lambdify them for numbers)
# --------------------------------------------------------------------------------------------
def s_lambda(s, lam):
    """Eq 9: S_λ = √(s̃² + λ²/4)."""
    return sp.sqrt(s ** 2 + lam ** 2 / 4)


def h_printed(s, lam):
    """Eq 9 as printed: H = sgn(λ) √((S_λ − s̃)/(S_λ + s̃))."""
    S = s_lambda(s, lam)
    return sp.sign(lam) * sp.sqrt((S - s) / (S + s))


def h_difference(s, lam):
    """Equivalent form of H: 2(S_λ − s̃)/λ (λ ≠ 0)."""
    return 2 * (s_lambda(s, lam) - s) / lam


def h_thesis(s, lam):
    """Equivalent form of H (thesis/code matrix "X"): (√(λ² + 4s̃²) − 2s̃)/λ (λ ≠ 0)."""
    return (sp.sqrt(lam ** 2 + 4 * s ** 2) - 2 * s) / lam


def g_printed(H):
    """Eq 9: G = 1/√(1 + H²)."""
    return 1 / sp.sqrt(1 + H ** 2)


def p_mode(G, H):
    """Eq 8 restricted to one mode: the coefficients of (ṽ, ũ) in the two columns of P,
    (1/√2)[[G − HG, G + HG], [G + HG, −(G − HG)]] (rows: ṽ-part, ũ-part)."""
    r = 1 / sp.sqrt(2)
    return sp.Matrix([[r * (G - H * G), r * (G + H * G)],
                      [r * (G + H * G), -r * (G - H * G)]])


def mode_eigenvalues(S):
    """Eq 8: the eigenvalues of one mode, in the order of P's columns: (S_λ, −S_λ)."""
    return (S, -S)


def lambda_perp(lam, n_in, n_out):
    """Eq 9: λ_⊥ = sgn(N_o − N_i) λ/2, the eigenvalue of the |N_o − N_i| extra directions."""
    return sp.sign(n_out - n_in) * lam / 2


# --------------------------------------------------------------------------------------------
# symbolic matrices
# --------------------------------------------------------------------------------------------
def symbol_matrix(name: str, rows: int, cols: int, **assumptions) -> sp.Matrix:
    """A rows × cols matrix of fresh symbols name_ij (real unless told otherwise)."""
    assumptions.setdefault("real", True)
    return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"{name}_{i}{j}", **assumptions))


def assemble_p(V, U, Vp, Up, coeffs) -> sp.Matrix:
    """P of eq 8 from its blocks: [[Ṽ c11, Ṽ c12, Ṽ⊥], [Ũ c21, Ũ c22, Ũ⊥]] where ``coeffs`` is a
    2×2 nested sequence of N_m × N_m (diagonal) matrices (c11 = (G − HG)/√2, ...)."""
    (c11, c12), (c21, c22) = coeffs
    top = sp.Matrix.hstack(V * c11, V * c12, Vp)
    bottom = sp.Matrix.hstack(U * c21, U * c22, Up)
    return sp.Matrix.vstack(top, bottom)


# --------------------------------------------------------------------------------------------
# backends: the task quantities as matrices, with eye/inv
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class TaskBasis:
    """The quantities eqs 10–15 and B.5 are written in, in one backend.

    Attributes:
        U, V: Ũ (N_o × N_m), Ṽ (N_i × N_m).
        Up, Vp: Ũ⊥ (N_o × n_⊥), Ṽ⊥ (N_i × n_⊥) (one of them zero).
        G, H, S: diagonal N_m × N_m matrices of G, H, S_λ.
        lam_perp: diagonal n_⊥ × n_⊥ matrix λ_⊥ I.
        eye: n ↦ identity of size n.
        inv: matrix inverse (any size, including 0 × 0).
        exp_diag: diagonal matrix X, time t ↦ e^{X t} (diagonal).
        s: the singular values s̃ (sequence of N_m numbers), or None.
    """

    U: object
    V: object
    Up: object
    Vp: object
    G: object
    H: object
    S: object
    lam_perp: object
    eye: Callable
    inv: Callable
    exp_diag: Callable
    s: object = None


def _sympy_inv(X):
    if X.shape == (0, 0):
        return X
    return X.adjugate() / X.det()


def sympy_basis(U, V, Up, Vp, G, H, S, lam_perp) -> TaskBasis:
    """A :class:`TaskBasis` of SymPy matrices (G, H, S, lam_perp: sequences of diagonal
    entries or matrices)."""
    def as_diag(x):
        return x if isinstance(x, sp.MatrixBase) else sp.diag(*x) if len(x) else sp.zeros(0, 0)
    return TaskBasis(U=U, V=V, Up=Up, Vp=Vp, G=as_diag(G), H=as_diag(H), S=as_diag(S),
                     lam_perp=as_diag(lam_perp), eye=sp.eye, inv=_sympy_inv,
                     exp_diag=lambda X, t: sp.diag(*[sp.exp(X[i, i] * t)
                                                     for i in range(X.shape[0])])
                     if X.shape[0] else sp.zeros(0, 0))


def float_basis(sigma_yx, lam) -> TaskBasis:
    """float64 :class:`TaskBasis` of Lemma 4.2 (eqs 8–9), built here as :func:`mp_basis` builds
    the mpmath one: SVD of Σyx by numpy, S_λ = sqrt(s̃² + λ²/4), H = (λ/2)/(S_λ + s̃) (equal to
    eq 9's H by Lemma 4.2's identities, without its cancellation; 0 where S_λ + s̃ = 0),
    G = 1/sqrt(1 + H²), completions Ũ⊥, Ṽ⊥ from the full SVD. The derivations evaluate the
    printed formulas on it without the numerics, whose implementations they are checked against.

    Arguments:
        sigma_yx: (N_o, N_i) Σyx; lam: λ (float).

    Returns:
        TaskBasis of float64 arrays.

    Raises:
        InvalidArgument: sigma_yx not a finite, non-empty 2-D array; λ not a finite real.
    """
    from lazyrich._errors import InvalidArgument

    S_np = _check_matrix("sigma_yx", sigma_yx)
    if 0 in S_np.shape:
        raise InvalidArgument(f"sigma_yx has shape {S_np.shape}: a task needs at least one "
                              f"input and one output (Σyx is N_o × N_i).")
    if isinstance(lam, bool) or not isinstance(lam, numbers.Real) or not math.isfinite(lam):
        raise InvalidArgument(f"lam must be a finite real; got {lam!r}.")
    n_o, n_i = S_np.shape
    n_m, n_p = min(n_i, n_o), abs(n_o - n_i)
    U, s, Vt = np.linalg.svd(S_np, full_matrices=True)
    V = Vt.T
    half = 0.5 * float(lam)
    S = np.hypot(s, half)
    den = S + s
    H = np.divide(half, den, out=np.zeros_like(s), where=den > 0)
    G = 1.0 / np.sqrt(1.0 + H * H)
    if n_o > n_i:
        Up, Vp = U[:, n_m:], np.zeros((n_i, n_p))
    elif n_i > n_o:
        Up, Vp = np.zeros((n_o, n_p)), V[:, n_m:]
    else:
        Up, Vp = np.zeros((n_o, 0)), np.zeros((n_i, 0))
    lam_perp = (half if n_o > n_i else -half) if n_p else 0.0

    def inv(X):
        return X if X.size == 0 else np.linalg.inv(X)

    return TaskBasis(U=U[:, :n_m], V=V[:, :n_m], Up=Up, Vp=Vp, G=np.diag(G), H=np.diag(H),
                     S=np.diag(S), lam_perp=lam_perp * np.eye(n_p), eye=np.eye, inv=inv,
                     exp_diag=lambda X, t: np.diag(np.exp(np.diag(X) * t)), s=s)


def _mp_array(M: mpmath.matrix) -> np.ndarray:
    out = np.empty((M.rows, M.cols), dtype=object)
    for i in range(M.rows):
        for j in range(M.cols):
            out[i, j] = M[i, j]
    return out


def _mp_diag(values) -> np.ndarray:
    n = len(values)
    out = np.full((n, n), mpmath.mpf(0), dtype=object)
    for i, v in enumerate(values):
        out[i, i] = v
    return out


def _mp_eye(n: int) -> np.ndarray:
    return _mp_diag([mpmath.mpf(1)] * n)


def _mp_inv(X: np.ndarray) -> np.ndarray:
    if X.size == 0:
        return X
    return _mp_array(mpmath.inverse(mpmath.matrix(X.tolist())))


def _check_matrix(name: str, value) -> np.ndarray:
    from lazyrich._errors import InvalidArgument

    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim != 2 or not np.all(np.isfinite(arr)):
        raise InvalidArgument(f"{name} must be a finite 2-D float array; got shape "
                              f"{arr.shape} (finite: {bool(np.all(np.isfinite(arr)))}). "
                              f"Pass a finite matrix.")
    return arr


def mp_basis(sigma_yx, lam) -> TaskBasis:
    """mpmath :class:`TaskBasis` (numpy object arrays of mpf) at the current mpmath precision:
    SVD of Σyx by mpmath.svd_r, H = (λ/2)/(S_λ + s̃), completions from the full SVD.

    Arguments:
        sigma_yx: (N_o, N_i) Σyx (floats, taken exactly); lam: λ (float or mpf).

    Returns:
        TaskBasis of object arrays.

    Raises:
        InvalidArgument: sigma_yx not a finite 2-D array.
    """
    S_np = _check_matrix("sigma_yx", sigma_yx)
    n_o, n_i = S_np.shape
    n_m, n_p = min(n_i, n_o), abs(n_o - n_i)
    lam = mpmath.mpf(lam)
    U, s, Vr = mpmath.svd_r(mpmath.matrix(S_np.tolist()), full_matrices=True, compute_uv=True)
    U, V = _mp_array(U), _mp_array(Vr.T)
    s = [s[a] for a in range(n_m)]
    half = lam / 2
    S = [mpmath.sqrt(x ** 2 + half ** 2) for x in s]
    H = [half / (S[a] + s[a]) if S[a] + s[a] != 0 else mpmath.mpf(0) for a in range(n_m)]
    G = [1 / mpmath.sqrt(1 + h ** 2) for h in H]
    zero = np.full((0, 0), mpmath.mpf(0), dtype=object)
    if n_o > n_i:
        Up, Vp = U[:, n_m:], np.full((n_i, n_p), mpmath.mpf(0), dtype=object)
    elif n_i > n_o:
        Up, Vp = np.full((n_o, n_p), mpmath.mpf(0), dtype=object), V[:, n_m:]
    else:
        Up = np.empty((n_o, 0), dtype=object)
        Vp = np.empty((n_i, 0), dtype=object)
    lp = (half if n_o > n_i else -half) if n_p else mpmath.mpf(0)
    return TaskBasis(U=U[:, :n_m], V=V[:, :n_m], Up=Up, Vp=Vp, G=_mp_diag(G), H=_mp_diag(H),
                     S=_mp_diag(S), lam_perp=_mp_diag([lp] * n_p) if n_p else zero,
                     eye=_mp_eye, inv=_mp_inv,
                     exp_diag=lambda X, t: _mp_diag([mpmath.exp(X[i, i] * t)
                                                     for i in range(X.shape[0])]),
                     s=np.array(s, dtype=object))


def evaluate_qqt(formulas, W1, W2, sigma_yx, t, *, form: str = "4.3", precision: str = "float64",
                 dps: int = 50) -> np.ndarray:
    """QQᵀ(t) from the closed-form formulas, evaluated literally in one backend.

    ``formulas`` supplies B, C, D (eqs 10–12, signature ``(k, W1, W2)``) and either Z, A
    (eqs 14–15, ``(k, B, C, D, ep, em, el)``; form "4.3": QQᵀ = Z A⁻¹ Zᵀ, eq 13) or Zt, At
    (Theorem B.5, ``(k, B, C, D, em, el)``; form "B.5": QQᵀ = Z̃ Ã⁻¹ Z̃ᵀ), where ep = e^{S_λ t},
    em = e^{−S_λ t}, el = e^{λ_⊥ t} (diagonal).  λ is read off the weights (mean diagonal of
    W2ᵀW2 − W1W1ᵀ, in the backend's precision).  λ_⊥ = 0 (λ = 0 with N_i ≠ N_o) is outside the
    literal formulas (0/0, read as a limit) and is refused, as is 0 < |2λ_⊥t| < 1e-4 in float64
    (the quotient (e^{2λ_⊥t} − 1)/(2λ_⊥) would cancel).

    Arguments:
        formulas: namespace with attributes B, C, D and Z, A (or Zt, At).
        W1: (N_h, N_i) weights; W2: (N_o, N_h) weights (λ-balanced, N_h = min(N_i, N_o)).
        sigma_yx: (N_o, N_i) Σyx.
        t: time >= 0 (τ = 1), a float.
        form: "4.3" or "B.5".
        precision: "float64" or "mp" (mpmath, ``dps`` digits plus guard digits for e^{±2S_λt}).
        dps: digits for precision "mp" (int >= 15).

    Returns:
        (N_i + N_o, N_i + N_o) float64 array, or object array of mpf for "mp".

    Raises:
        InvalidArgument: bad form/precision/dps/t, non-finite or mis-shaped matrices, or
            λ_⊥ (numerically) 0 with N_i ≠ N_o.
    """
    from lazyrich._errors import InvalidArgument

    if form not in ("4.3", "B.5"):
        raise InvalidArgument(f"form must be '4.3' or 'B.5'; got {form!r}.")
    if precision not in ("float64", "mp"):
        raise InvalidArgument(f"precision must be 'float64' or 'mp'; got {precision!r}.")
    if isinstance(dps, bool) or not isinstance(dps, numbers.Integral) or dps < 15:
        raise InvalidArgument(f"dps must be an int >= 15; got {dps!r}. Pass e.g. dps=50.")
    if isinstance(t, bool) or not isinstance(t, numbers.Real) or not (t >= 0 and math.isfinite(t)):
        raise InvalidArgument(f"t must be a finite real >= 0; got {t!r}.")
    W1 = _check_matrix("W1", W1)
    W2 = _check_matrix("W2", W2)
    S_np = _check_matrix("sigma_yx", sigma_yx)
    if S_np.shape != (W2.shape[0], W1.shape[1]) or W1.shape[0] != W2.shape[1]:
        raise InvalidArgument(f"shapes do not chain: W1 {W1.shape}, W2 {W2.shape}, sigma_yx "
                              f"{S_np.shape} (need N_h × N_i, N_o × N_h, N_o × N_i).")
    n_i, n_o = W1.shape[1], W2.shape[0]

    def run(k, W1b, W2b, tt):
        if n_i != n_o:
            x = abs(2 * k.lam_perp[0, 0] * tt)
            if k.lam_perp[0, 0] == 0 or (precision == "float64" and 0 < x < 1e-4):
                raise InvalidArgument(
                    f"λ = 0 with N_i ≠ N_o (λ_⊥ = {float(k.lam_perp[0, 0]):.3g} read off the "
                    f"weights): the literal eq 15 / B.5 perp term (e^{{2λ_⊥t}} − 1)/(2λ_⊥) is "
                    f"0/0 (read as its limit t) or cancels in float64; use numerics.mp.qqt, "
                    f"numerics.qqt, or precision='mp' with λ ≠ 0.")
        B, C, D = (formulas.B(k, W1b, W2b), formulas.C(k, W1b, W2b), formulas.D(k, W1b, W2b))
        em = k.exp_diag(-k.S, tt)
        el = k.exp_diag(k.lam_perp, tt)
        if form == "4.3":
            Z1, Z2 = formulas.Z(k, B, C, D, k.exp_diag(k.S, tt), em, el)
            Am = formulas.A(k, B, C, D, k.exp_diag(k.S, tt), em, el)
        else:
            Z1, Z2 = formulas.Zt(k, B, C, D, em, el)
            Am = formulas.At(k, B, C, D, em, el)
        Z = np.concatenate([np.asarray(Z1), np.asarray(Z2)], axis=0)
        return Z @ k.inv(np.asarray(Am)) @ Z.T

    lam = float(np.mean(np.diag(W2.T @ W2 - W1 @ W1.T)))
    if precision == "float64":
        return run(float_basis(S_np, lam), W1, W2, float(t))
    smax = math.sqrt(float(np.sum(S_np ** 2)) + lam ** 2 / 4)
    guard = int(math.ceil(2 * smax * t / math.log(10))) + 15
    with mpmath.workdps(dps + guard):
        W1m = np.array([[mpmath.mpf(x) for x in row] for row in W1], dtype=object)
        W2m = np.array([[mpmath.mpf(x) for x in row] for row in W2], dtype=object)
        lam_mp = sum(np.diag(W2m.T @ W2m - W1m @ W1m.T)) / W1.shape[0]
        X = run(mp_basis(S_np, lam_mp), W1m, W2m, mpmath.mpf(t))
        return np.vectorize(lambda x: +x, otypes=[object])(X)


# --------------------------------------------------------------------------------------------
# matrices of unspecified size: the closed forms on noncommutative symbols, and block identities
# reduced to one scalar identity per mode
# --------------------------------------------------------------------------------------------
def nc_basis(alg, U, V, Up, Vp, G, H, S, lam_perp) -> TaskBasis:
    """A :class:`TaskBasis` of noncommutative symbols (sizes left open): the printed formulas
    written for numpy arrays (``@``, ``.T``, ``eye``, ``inv``) then evaluate to
    :class:`lazyrich.derive.NCMatrix` expressions valid for every size.

    Arguments:
        alg: the :class:`lazyrich.derive.NCAlgebra` of the symbols (G, H, S, lam_perp diagonal).
        U, V, Up, Vp, G, H, S, lam_perp: the matrix symbols (or NCMatrix) for Ũ, Ṽ, Ũ⊥, Ṽ⊥,
            G, H, S_λ, λ_⊥.

    Returns:
        a TaskBasis whose ``eye(n)`` is the identity of side n and ``inv`` the inverse
        (:func:`lazyrich.derive.nc_inverse`); ``exp_diag`` is not available (pass e^{S_λt/τ}
        etc. as symbols).
    """
    from ._blocks import NCMatrix

    def wrap(x):
        return x if isinstance(x, NCMatrix) else NCMatrix(x, alg)

    def no_exp(*_):
        from lazyrich._errors import InvalidArgument
        raise InvalidArgument("nc_basis has no exp_diag: pass the exponentials as symbols")

    return TaskBasis(U=wrap(U), V=wrap(V), Up=wrap(Up), Vp=wrap(Vp), G=wrap(G), H=wrap(H),
                     S=wrap(S), lam_perp=wrap(lam_perp),
                     eye=lambda n: NCMatrix(1, alg, (n, n)), inv=lambda X: wrap(X).inv(),
                     exp_diag=no_exp)


def nc_mode_step(derivation, lhs, rhs, why: str, *, alg, normalize: Callable,
                 scalar_of: dict, cases, moves=(clear_radicands, sp.expand, sp.cancel),
                 isometries=(), shown: tuple | None = None):
    """A derivation step ``lhs = rhs`` between (block) matrices of noncommutative symbols, proved
    by reducing it to one scalar identity per mode.

    Each entry of ``lhs − rhs`` is shape-checked (when ``alg`` has shapes), brought to normal
    form by ``normalize`` (e.g. :func:`lazyrich.derive.normalizer` with ŨᵀŨ → I), and split by
    :func:`lazyrich.derive.diagonal_groups` into words of non-diagonal factors with one run of
    diagonal matrices, read per diagonal entry through ``scalar_of``. Each such coefficient
    must reduce to exactly 0 with ``moves`` in every case of ``cases`` (a list of
    ``(label, substitution)``, e.g. the sign cases of λ with S_λ, H, G of the printed formulas
    substituted): since diagonal matrices multiply entrywise, the block identity then holds for
    any number of modes.

    The step is ``proved`` when every coefficient reduces to 0; ``refuted`` when a coefficient
    is non-zero at an exact random point and its word is empty or one matrix with orthonormal
    columns or rows (listed in ``isometries``; the word times a non-zero diagonal is then
    non-zero); ``inconclusive`` otherwise.

    Returns:
        the recorded :class:`derive.Step`.
    """
    import time

    from ._blocks import diagonal_groups
    from ._derivation import Step, find_counterexample, reduce_to_zero

    start = time.perf_counter()
    if alg._shape:
        from ._blocks import shape_refutation
        bad = shape_refutation(derivation, lhs, rhs, why, alg, shown)
        if bad is not None:
            return bad
    residual = (sp.Matrix(lhs) - sp.Matrix(rhs)) if isinstance(lhs, sp.MatrixBase) \
        else sp.Matrix([sp.sympify(lhs) - sp.sympify(rhs)])
    shown = shown or (sp.Symbol("L"), sp.Symbol("R"))
    step = Step(shown[0], shown[1], why)
    bad, unresolved, groups = [], [], 0
    for entry in residual:
        entry = normalize(sp.sympify(entry))
        if entry == 0:
            continue
        for g in diagonal_groups(entry, alg, scalar_of):
            groups += 1
            if g.several:
                unresolved.append(g)
                continue
            for label, subs in cases:
                r = reduce_to_zero([g.coefficient.xreplace(subs)], moves)[0]
                if r != 0:
                    bad.append((g, label, r))
    if not bad and not unresolved:
        step.verdict, step.residual = "proved", "0"
        step.detail = (f"residual reduced to exactly 0: {groups} block coefficient(s), each 0 "
                       f"per mode in every case ({', '.join(lbl for lbl, _ in cases)})")
    else:
        iso = set(isometries) | {alg.transposes.get(w) for w in isometries}
        for g, label, r in bad:
            if len(g.word) > 1 or any(w not in iso for w in g.word):
                continue
            cx = find_counterexample([r])
            if cx is not None:
                word = "·".join(map(str, g.word))
                step.verdict = "refuted"
                step.residual = sp.latex(r) if len(str(r)) < 400 else str(r)[:400] + "…"
                step.counterexample = {"case": label, "word": word or "I", "point": cx[0],
                                       "coefficient": str(cx[1])}
                why_nonzero = (f"{word} has orthonormal columns (or rows), so the block is "
                               f"non-zero") if word else "so the block is non-zero"
                step.detail = (f"{label}: the block has the term {word + '·' if word else ''}"
                               f"diag(c) with c = {cx[1]} ≠ 0 at {cx[0]} (50 digits); "
                               f"{why_nonzero}")
                break
        else:
            first = bad[0][2] if bad else unresolved[0].expr
            step.residual = str(first)[:400]
            step.detail = ("SymPy did not reduce every per-mode coefficient to 0 "
                           f"({len(bad)} left, {len(unresolved)} group(s) with diagonal runs "
                           f"at several positions), and no counterexample was found")
    step.seconds = time.perf_counter() - start
    derivation.steps.append(step)
    return step
