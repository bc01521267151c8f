"""Tu, Aranguri & Jacot (2024): the matrix-denoising task, i.i.d. init, GD/GF at any width.

Setup: A* = UVᵀ with U, V ∈ R^{d×k} of i.i.d. N(0, k^{-1/2}) entries, target
Y = A* + E with E i.i.d. N(0, noise²); network A = W2W1, W1 ∈ R^{w×d}, W2 ∈ R^{d×w} with i.i.d.
N(0, σ²) entries; cost ½‖A − Y‖²_F.

Gram-state reduction (derived here; claim ``tu2024.gram``).  Gradient descent and gradient flow
on (W1, W2) only ever need A = W2W1, K1 = W1ᵀW1 and K2 = W2W2ᵀ (all d × d):

* flow:  dA/dt = −(K2 G + G K1),  dK1/dt = −(AᵀG + GᵀA),  dK2/dt = −(GAᵀ + AGᵀ),  G = A − Y;
* simultaneous GD step (W1 ← W1 − ηW2ᵀG, W2 ← W2 − ηGW1ᵀ):
  A' = A − η(K2G + GK1) + η² G AᵀG,  K1' = K1 − η(AᵀG + GᵀA) + η² Gᵀ K2 G,
  K2' = K2 − η(GAᵀ + AGᵀ) + η² G K1 Gᵀ;
* sequential GD step (the paper's code: W2 is updated with the new W1):
  B = A − ηK2G,  K1' = K1 − η(AᵀG + GᵀA) + η² GᵀK2G,  A' = B − ηGK1',
  K2' = K2 − η(GBᵀ + BGᵀ) + η² G K1' Gᵀ.

and the i.i.d. initial triple (A, K1, K2) can be sampled exactly in O(d³) for any width w ≥ d
(Bartlett decomposition: W1 = Q T with Q Haar, T upper triangular; then W2Q is i.i.d.
Gaussian and W2W2ᵀ = (W2Q)(W2Q)ᵀ + Wishart(w − d)).  So the cost of a run does not grow with w.

Private module.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
from scipy.integrate import solve_ivp

from .._errors import IntegrationError, InvalidArgument
from ._validate import as_array, as_scalar, as_times

__all__ = ["low_rank_denoising", "iid_weights", "iid_gram_init", "gram_gd_step", "gram_flow",
           "sc_euler_step", "sc_euler_step_svd", "stable_rank", "lazy_min_test_error", "lazy_test_error_formula",
           "learning_rate", "region", "phase_cell", "PHASE_FIELDS"]


def _rng(rng) -> np.random.Generator:
    if rng is None or isinstance(rng, (numbers.Integral, np.random.Generator)):
        return np.random.default_rng(rng)
    raise InvalidArgument(f"rng must be None, an int seed or a numpy Generator; got "
                          f"{type(rng).__name__}.")


def _size(name: str, value, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise InvalidArgument(f"{name} must be an int >= {minimum}; got {value!r}.")
    return int(value)


def low_rank_denoising(d, k, *, noise=1.0, rng=None):
    """The task of Fig. 1–2: A* = UVᵀ (U, V entries k^{-1/4}·N(0,1)), Y = A* + noise·N(0,1).

    Arguments:
        d: matrix size (int >= 1).  k: rank of A* (1 <= k <= d).  noise: std of E (>= 0).
        rng: None, int seed or numpy Generator.

    Returns:
        (A_star, E, Y), three (d, d) float64 arrays with Y = A_star + E.

    Raises:
        InvalidArgument: bad d, k, noise or rng.
    """
    d = _size("d", d)
    k = _size("k", k)
    if k > d:
        raise InvalidArgument(f"k must be <= d = {d} (rank of A*); got k = {k}.")
    noise = as_scalar("noise", noise)
    if noise < 0:
        raise InvalidArgument(f"noise must be >= 0; got {noise!r}.")
    g = _rng(rng)
    U = k ** -0.25 * g.standard_normal((d, k))
    V = k ** -0.25 * g.standard_normal((d, k))
    A_star = U @ V.T
    E = noise * g.standard_normal((d, d))
    return A_star, E, A_star + E


def iid_weights(d, w, sigma2, *, rng=None):
    """Explicit i.i.d. N(0, σ²) weights W1 (w × d), W2 (d × w) (for small w, and for tests)."""
    d, w = _size("d", d), _size("w", w)
    sigma2 = as_scalar("sigma2", sigma2, positive=True)
    g = _rng(rng)
    s = math.sqrt(sigma2)
    return s * g.standard_normal((w, d)), s * g.standard_normal((d, w))


def _bartlett_upper(d: int, df: int, g: np.random.Generator) -> np.ndarray:
    """Upper-triangular T with TᵀT ~ Wishart_d(df, I) (needs df >= d)."""
    T = np.triu(g.standard_normal((d, d)), 1)
    T[np.arange(d), np.arange(d)] = np.sqrt(g.chisquare(df - np.arange(d)))
    return T


def iid_gram_init(d, w, sigma2, *, rng=None):
    """(A, K1, K2) = (W2W1, W1ᵀW1, W2W2ᵀ) of i.i.d. N(0, σ²) weights of width w, sampled exactly.

    For w < 2d the weights are drawn explicitly; otherwise W1 = QT (Bartlett) so that
    A = Z T, K1 = TᵀT, K2 = ZZᵀ + LLᵀ with Z a d × d Gaussian and LLᵀ ~ Wishart_d(w − d): the
    same joint law as the explicit construction, in O(d³) operations for any w.

    Arguments:
        d: input/output size.  w: width (int >= 1).  sigma2: σ² > 0.  rng: seed or Generator.

    Returns:
        (A, K1, K2), (d, d) float64 arrays.

    Raises:
        InvalidArgument: bad d, w, sigma2 or rng.
    """
    d, w = _size("d", d), _size("w", w)
    sigma2 = as_scalar("sigma2", sigma2, positive=True)
    g = _rng(rng)
    if w < 2 * d:
        W1, W2 = iid_weights(d, w, sigma2, rng=g)
        return W2 @ W1, W1.T @ W1, W2 @ W2.T
    T = _bartlett_upper(d, w, g)
    Z = g.standard_normal((d, d))
    L = _bartlett_upper(d, w - d, g).T
    return sigma2 * (Z @ T), sigma2 * (T.T @ T), sigma2 * (Z @ Z.T + L @ L.T)


def gram_gd_step(A, K1, K2, Y, lr, update="simultaneous"):
    """One GD step on the weights, written on the Gram state (module docstring); exact.

    Arguments:
        A, K1, K2: (d, d) current W2W1, W1ᵀW1, W2W2ᵀ.  Y: (d, d) target.  lr: η.
        update: "simultaneous" (W1, W2 from the same G) or "sequential" (W2 uses the new W1,
            as in the paper's notebooks).

    Returns:
        (A, K1, K2) after the step.
    """
    G = A - Y
    if update == "simultaneous":
        AtG = A.T @ G
        K2G = K2 @ G
        GK1 = G @ K1
        A_new = A - lr * (K2G + GK1) + lr * lr * (G @ AtG)
        K1_new = K1 - lr * (AtG + AtG.T) + lr * lr * (G.T @ K2G)
        GAt = G @ A.T
        K2_new = K2 - lr * (GAt + GAt.T) + lr * lr * (GK1 @ G.T)
        return A_new, K1_new, K2_new
    if update == "sequential":
        AtG = A.T @ G
        K2G = K2 @ G
        B = A - lr * K2G
        K1_new = K1 - lr * (AtG + AtG.T) + lr * lr * (G.T @ K2G)
        GK1 = G @ K1_new
        A_new = B - lr * GK1
        GBt = G @ B.T
        K2_new = K2 - lr * (GBt + GBt.T) + lr * lr * (GK1 @ G.T)
        return A_new, K1_new, K2_new
    raise InvalidArgument(f"update must be 'simultaneous' or 'sequential'; got {update!r}.")


def gram_flow(A0, K1, K2, Y, t, rtol=1e-10):
    """Gradient flow of ½‖W2W1 − Y‖² on the Gram state (any width), integrated by DOP853.

    Arguments:
        A0, K1, K2: (d, d) initial W2W1, W1ᵀW1, W2W2ᵀ.  Y: (d, d) target.
        t: times >= 0 (scalar or 1-D).  rtol: integrator tolerance.

    Returns:
        (T, d, d) array of A(t) (or (d, d) for scalar t).

    Raises:
        InvalidArgument: bad shapes/values.  IntegrationError: the integrator failed.
    """
    A0 = as_array("A0", A0, ndim=2)
    d = A0.shape[0]
    K1 = as_array("K1", K1, ndim=2)
    K2 = as_array("K2", K2, ndim=2)
    Y = as_array("Y", Y, ndim=2)
    if not (A0.shape == K1.shape == K2.shape == Y.shape == (d, d)):
        raise InvalidArgument(f"A0, K1, K2, Y must all be (d, d); got {A0.shape}, {K1.shape}, "
                              f"{K2.shape}, {Y.shape}.")
    times = as_times("t", t)
    tv = np.atleast_1d(times)
    n = d * d

    def f(_, y):
        A, P, Q = y[:n].reshape(d, d), y[n:2 * n].reshape(d, d), y[2 * n:].reshape(d, d)
        G = A - Y
        AtG = A.T @ G
        GAt = G @ A.T
        return np.concatenate([(-(Q @ G + G @ P)).ravel(), (-(AtG + AtG.T)).ravel(),
                               (-(GAt + GAt.T)).ravel()])

    y0 = np.concatenate([A0.ravel(), K1.ravel(), K2.ravel()])
    order = np.argsort(tv)
    out = np.empty((tv.size, d, d))
    T = float(tv.max()) if tv.size else 0.0
    if T == 0.0:
        out[:] = A0
    else:
        scale = np.linalg.norm(y0) + np.linalg.norm(Y)
        sol = solve_ivp(f, (0.0, T), y0, method="DOP853", t_eval=tv[order], rtol=rtol,
                        atol=rtol * 1e-3 * scale)
        if not sol.success:
            raise IntegrationError(f"DOP853 failed on the Gram flow: {sol.message}.")
        out[order] = sol.y[:n].T.reshape(-1, d, d)
    return out[0] if times.ndim == 0 else out


def sc_euler_step(A, Y, c, lr):
    """One explicit Euler step of eq (1) (the discretisation in the paper's notebooks):
    A − η(√(AAᵀ + c²I) G + G √(AᵀA + c²I)), G = A − Y.

    Both square roots come from one symmetric eigendecomposition AAᵀ = U diag(σ²) Uᵀ (half the
    cost of an SVD of A): with B = AᵀU (columns of norm σ_k), √(AAᵀ + c²I) = U diag(r) Uᵀ,
    r = √(σ² + c²), and, since AᵀA = V diag(σ²) Vᵀ with V = B diag(1/σ),
    √(AᵀA + c²I) = cI + B diag(1/(r + c)) Bᵀ, because (r − c)/σ² = 1/(r + c) (no division by
    small singular values).  Both roots are formed as X Xᵀ (X = U diag(√r), resp.
    B diag(1/√(r + c))), which BLAS computes as a symmetric rank-k product at half the cost of a
    general one: with AAᵀ the step costs the eigendecomposition, four such half products and
    three general ones.  Agrees with :func:`sc_euler_step_svd` to rounding (tests).
    """
    G = A - Y
    _, U = np.linalg.eigh(A @ A.T)               # A @ A.T is exactly symmetric (one syrk)
    B = A.T @ U
    s = np.sqrt(np.einsum("ij,ij->j", B, B))     # σ_k = ‖Aᵀu_k‖: accurate to ε‖A‖ (μ_k is
    r = np.hypot(s, c)                           # accurate only to ε‖A‖², too coarse for
    den = r + c                                  # √(μ + c²) when σ_k and c are ≲ √ε‖A‖)
    inv = np.divide(1.0, den, out=np.zeros_like(den), where=den > 0)
    X = U * np.sqrt(r)
    Z = B * np.sqrt(inv)
    left = X @ X.T                               # √(AAᵀ + c²I)
    right = Z @ Z.T                              # √(AᵀA + c²I) − cI
    return A - lr * (left @ G + G @ right + c * G)


def sc_euler_step_svd(A, Y, c, lr):
    """:func:`sc_euler_step` through an SVD of A (the reference it is tested against)."""
    G = A - Y
    U, s, Vt = np.linalg.svd(A)
    r = np.sqrt(s * s + c * c)
    left = (U * r) @ U.T
    right = (Vt.T * r) @ Vt
    return A - lr * (left @ G + G @ right)


def stable_rank(A) -> float:
    """‖A‖_F² / ‖A‖_op² (0 for A = 0)."""
    s = np.linalg.svd(np.asarray(A, dtype=float), compute_uv=False)
    return float(np.sum(s * s) / (s[0] * s[0])) if s[0] > 0 else 0.0


def lazy_min_test_error(A0, A_star, E) -> float:
    """min_{t>=0} ‖A(t) − A*‖²/d² for the lazy flow A(t) = Y + e^{−2ct}(A0 − Y), exactly.

    A(t) − A* = (1 − s)E + s(A0 − A*) with s = e^{−2ct} ∈ (0, 1]: a quadratic in s, minimised
    in closed form (s → 0 is approached, not reached; the infimum is returned).
    """
    D = np.asarray(A0) - A_star
    d2 = float(np.asarray(A0).size)
    H = D - E
    hh = float(np.sum(H * H))
    s = 1.0 if hh == 0 else min(max(-float(np.sum(E * H)) / hh, 0.0), 1.0)
    R = E + s * H
    return float(np.sum(R * R)) / d2


def lazy_test_error_formula(a, e, i):
    """e(a + i)/(e + a + i): the lazy minimum when E ⟂ A0 − A* (a, e, i: ‖A*‖², ‖E‖², ‖A0‖²
    over d²)."""
    return e * (a + i) / (e + a + i)


def learning_rate(gamma_sigma2, gamma_w, sigma2, w, a_star_op, lr_c=50.0) -> float:
    """The notebooks' rule: 1/(lr_c σ²w) on the lazy side (γσ² + γw > 1), else 1/(lr_c‖A*‖)."""
    if gamma_sigma2 + gamma_w > 1:
        return 1.0 / (lr_c * sigma2 * w)
    return 1.0 / (lr_c * a_star_op)


def region(gamma_sigma2, gamma_w, w, k) -> str:
    """'underparameterized' (w < k), 'infinite-noise' (σ⁴w > 1, above red), 'lazy' (σ²w > d,
    above black) or 'active'."""
    if w < k:
        return "underparameterized"
    if gamma_w + 2 * gamma_sigma2 > 0:
        return "infinite-noise"
    if gamma_sigma2 + gamma_w > 1:
        return "lazy"
    return "active"


PHASE_FIELDS = ("d", "k", "gamma_sigma2", "gamma_w", "seed", "w", "sigma2", "c", "lr",
                "region", "steps_run", "min_test", "stable_rank_at_min", "iter_at_min",
                "log_max_dist", "lazy_exact", "lazy_formula", "init_norm2", "eckart_young",
                "stable_rank_target", "diverged")


def phase_cell(d, k, gamma_sigma2, gamma_w, seed=0, *, max_steps=750, lr_c=50.0,
               update="simultaneous", noise=1.0, sc_step=None) -> dict:
    """One cell of Figure 2: GD from i.i.d. init and eq (1) (Euler, same η) side by side.

    The notebooks' loop: σ² = d^γσ², w = ⌊d^γw⌋, η by :func:`learning_rate`, at most
    ``max_steps`` steps, stopping when train error < 1e-3, when test error rose 3 steps in a row,
    or when |Δ train| < 2e-4 after train error fell by > 1e-2.  GD runs on the Gram state
    (exact at any width).  Errors are normalised by d².

    Returns:
        dict with the keys of :data:`PHASE_FIELDS`: min test error, stable rank at its argmin,
        the iteration of the minimum, log max_t ‖A_GD − A_SC‖²/d², the exact lazy prediction
        (:func:`lazy_min_test_error`), the closed-form approximation, ‖A0‖²/d², the
        Eckart–Young floor ‖A* − best rank-w‖²/d², the stable rank of A*, and whether GD diverged.
        ``sc_step(A, Y, c, lr)`` replaces the Euler step of eq (1) (default :func:`sc_euler_step`).
    """
    sc_step = sc_euler_step if sc_step is None else sc_step
    d, k = _size("d", d), _size("k", k)
    max_steps = _size("max_steps", max_steps)
    gs, gw = float(gamma_sigma2), float(gamma_w)
    g = np.random.default_rng([int(seed), d, k])
    A_star, E, Y = low_rank_denoising(d, k, noise=noise, rng=g)
    sigma2 = float(d) ** gs
    w = max(int(float(d) ** gw + 1e-9), 1)
    A, K1, K2 = iid_gram_init(d, w, sigma2, rng=g)
    A0 = A.copy()
    c = sigma2 * w
    sv_star = np.linalg.svd(A_star, compute_uv=False)
    lr = learning_rate(gs, gw, sigma2, w, float(sv_star[0]), lr_c)
    d2 = float(d * d)
    A_sc = A.copy()

    def test(M):
        R = M - A_star
        return float(np.sum(R * R)) / d2

    def train(M):
        R = M - Y
        return float(np.sum(R * R)) / d2

    tests = [test(A)]
    best, best_i, best_A = tests[0], 0, A.copy()
    tr0 = tr_prev = train(A)
    max_dist = 0.0
    rising = 0
    diverged = False
    n = 0
    with np.errstate(all="ignore"):
        for n in range(1, max_steps + 1):
            A, K1, K2 = gram_gd_step(A, K1, K2, Y, lr, update)
            A_sc = sc_step(A_sc, Y, c, lr)
            if not (np.all(np.isfinite(A)) and np.all(np.isfinite(A_sc))):
                diverged = True
                break
            Dm = A - A_sc
            max_dist = max(max_dist, float(np.sum(Dm * Dm)) / d2)
            te, tr = test(A), train(A)
            if te < best:
                best, best_i, best_A = te, n, A.copy()
            rising = rising + 1 if te > tests[-1] else 0
            tests.append(te)
            if tr < 1e-3 or rising >= 3 or (abs(tr - tr_prev) < 2e-4 and tr0 - tr > 1e-2):
                break
            tr_prev = tr
    a = float(np.sum(A_star * A_star)) / d2
    e = float(np.sum(E * E)) / d2
    i = float(np.sum(A0 * A0)) / d2
    ey = float(np.sum(sv_star[w:] ** 2)) / d2 if w < d else 0.0
    s_star = float(np.sum(sv_star ** 2) / sv_star[0] ** 2)
    return {
        "d": d, "k": k, "gamma_sigma2": gs, "gamma_w": gw, "seed": int(seed), "w": w,
        "sigma2": sigma2, "c": c, "lr": lr, "region": region(gs, gw, w, k), "steps_run": n,
        "min_test": best, "stable_rank_at_min": stable_rank(best_A), "iter_at_min": best_i,
        "log_max_dist": math.log(max_dist) if max_dist > 0 else float("-inf"),
        "lazy_exact": lazy_min_test_error(A0, A_star, E),
        "lazy_formula": lazy_test_error_formula(a, e, i), "init_norm2": i,
        "eckart_young": ey, "stable_rank_target": s_star, "diverged": diverged,
    }
