"""Lemma 4.2 (eigensystem of F), Theorem 4.3 / B.5 (QQᵀ(t) in closed form) and their referees.

References used here, each independent of the code under test:
* numerics.mp._qqt.qqt: Theorem 4.3 evaluated literally in mpmath with automatic guard digits
  (no B⁻¹, no merged exponentials, own mpmath SVD);
* scipy solve_ivp (DOP853, rtol 1e-12, atol 1e-14) on the weight ODE (no formula at all);
* numerics.mp._qqt.gradient_flow: mpmath Taylor-series integration of the weight ODE;
* a test-local mpmath Lemma 4.1 (mpmath.expm of F), used for the mutation test.

Run with ``-s`` to see the measured errors.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from scipy.integrate import solve_ivp

from lazyrich.numerics import _qqt as qqt_module
from lazyrich._errors import (ArchitectureError, InvalidArgument, NotBalancedError,
                              SingularError)
from lazyrich.numerics._qqt import qqt, qqt_b5
from lazyrich.numerics._spectral import f_matrix, task_eigensystem
from lazyrich.numerics.mp._qqt import gradient_flow as mp_gradient_flow
from lazyrich.numerics.mp._qqt import qqt as mp_qqt

SHAPES = [(3, 3, 3), (5, 3, 3), (3, 3, 5), (4, 2, 2), (2, 2, 6)]
LAMS = [-3.0, -0.8, 0.0, 0.5, 2.0, 6.0]
TIMES = np.array([0.0, 0.3, 1.0, 2.5, 15.0, 100.0, 1000.0])


# --------------------------------------------------------------------------------------------
# helpers: Algorithm 1 (App. E.1) inline, B of eq 10, direct integration
# --------------------------------------------------------------------------------------------
def split(s, lam):
    """s1, s2 of Algorithm 1; the small one as s/large (same value, no cancellation)."""
    big = np.sqrt((np.sqrt(lam ** 2 + 4 * s ** 2) + abs(lam)) / 2)
    small = np.divide(s, big, out=np.zeros_like(s), where=big > 0)
    return (small, big) if lam >= 0 else (big, small)


def balanced_init(lam, n_i, n_h, n_o, rng, scale=0.5):
    """Algorithm 1: random A, B; BA = USVᵀ; random orthogonal R; W1 = R S1 Vᵀ, W2 = U S2 Rᵀ."""
    A = rng.standard_normal((n_h, n_i)) * scale
    B = rng.standard_normal((n_o, n_h)) * scale
    U, s, Vt = np.linalg.svd(B @ A)
    R, _ = np.linalg.qr(rng.standard_normal((n_h, n_h)))
    s1, s2 = split(s[:n_h], lam)
    S1 = np.zeros((n_h, n_i))
    S1[np.arange(n_h), np.arange(n_h)] = s1
    S2 = np.zeros((n_o, n_h))
    S2[np.arange(n_h), np.arange(n_h)] = s2
    return R @ S1 @ Vt, U @ S2 @ R.T


def b_matrix(W1, W2, es):
    return W2.T @ es.U_tilde * es.GpHG + W1 @ es.V_tilde * es.GmHG


def generic_init(lam, shape, sigma_yx, rng):
    """A λ-balanced init whose B (eq 10) is well conditioned (σ_min/σ_max > 0.05).

    Not task-aligned.  The filter matters: at λ = 0 a square network with
    det(W2W1)·det(Σyx) < 0 has an exactly singular B (see test_singular_b_det_mismatch).
    """
    es = task_eigensystem(sigma_yx, lam)
    while True:
        W1, W2 = balanced_init(lam, *shape, rng)
        sv = np.linalg.svd(b_matrix(W1, W2, es), compute_uv=False)
        if sv[-1] > 0.05 * sv[0]:
            return W1, W2


def qqt_ivp(W1, W2, sigma_yx, ts, tau=1.0):
    n_h, n_i = W1.shape
    n_o = W2.shape[0]

    def rhs(_t, y):
        a = y[:n_h * n_i].reshape(n_h, n_i)
        b = y[n_h * n_i:].reshape(n_o, n_h)
        E = sigma_yx - b @ a
        return np.concatenate([(b.T @ E).ravel(), (E @ a.T).ravel()]) / tau

    sol = solve_ivp(rhs, (0.0, ts[-1]), np.concatenate([W1.ravel(), W2.ravel()]),
                    method="DOP853", rtol=1e-12, atol=1e-14, t_eval=ts)
    out = []
    for y in sol.y.T:
        Q = np.vstack([y[:n_h * n_i].reshape(n_h, n_i).T, y[n_h * n_i:].reshape(n_o, n_h)])
        out.append(Q @ Q.T)
    return np.array(out)


def relerr(X, Xref):
    """Max-abs error relative to max-abs of the reference, per time (last two axes)."""
    X = np.asarray(X, dtype=float)
    Xref = np.asarray(Xref, dtype=float)
    return np.abs(X - Xref).max(axis=(-2, -1)) / np.abs(Xref).max(axis=(-2, -1))


def task(shape, seed):
    n_i, _, n_o = shape
    return np.random.default_rng(seed).standard_normal((n_o, n_i)) * 0.8


# --------------------------------------------------------------------------------------------
# Lemma 4.2
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", SHAPES)
def test_lemma_4_2_identities(shape):
    # Tolerance 1e-13: P comes from one LAPACK SVD (backward error ~1e-16) and every identity
    # is a product of O(1) matrices of size ≤ 8; measured max is ~2e-15.
    worst = 0.0
    for k, lam in enumerate(LAMS + [1e-12, -1e-12]):
        S = task(shape, k)
        if k == 7:  # rank-deficient task: s̃ = 0 gives S_λ = |λ|/2 and |H| = 1 (or H = 0 at λ=0)
            S = S[:, :1] @ S[:1, :]
        for lam_ in (lam, 0.0) if k == 7 else (lam,):
            es = task_eigensystem(S, lam_)
            F = f_matrix(S, lam_)
            P, L = es.P, es.eigenvalues
            n = F.shape[0]
            errs = [np.abs(F @ P - P * L).max(), np.abs(P.T @ P - np.eye(n)).max(),
                    np.abs(P @ np.diag(L) @ P.T - F).max()]
            s, Sl, H, G = es.s_tilde, es.S_lambda, es.H, es.G
            assert np.all(np.abs(H) <= 1.0)
            if lam_ == 0.0:
                assert np.all(H == 0.0) and np.all(G == 1.0)
            else:
                errs.append(np.abs(2 * H / (1 + H ** 2) - lam_ / (2 * Sl)).max())
                errs.append(np.abs(G ** 2 * (1 + H) ** 2 * Sl - (Sl + lam_ / 2)).max())
            errs.append(np.abs(G ** 2 * (1 - H ** 2) * Sl - s).max())
            worst = max(worst, *errs)
            # eigenvalue bookkeeping (Lemma 4.2)
            n_i, _, n_o = shape
            assert es.n_perp == abs(n_o - n_i)
            assert es.lambda_perp == (np.sign(n_o - n_i) * lam_ / 2 if n_o != n_i else 0.0)
    print(f"\nLemma 4.2 {shape}: max identity residual {worst:.2e}")
    assert worst < 1e-13


# --------------------------------------------------------------------------------------------
# float64 qqt vs the mpmath referee (Theorem 4.3 literally), the main accuracy check
# --------------------------------------------------------------------------------------------
def test_qqt_matches_mp_theorem_4_3():
    """30 (shape, λ) cases × 7 times from 0 to 1e3, generic λ-balanced inits.

    Tolerance 1e-10 relative to max|QQᵀ|: the graded evaluation is backward stable in PᵀQ(0)
    (rounding ~1e-15) and these inits have σ_min(B)/σ_max(B) > 0.05, so the forward error is
    ≲ 1e-15 × (small condition number); exponents λ_i t/τ carry an absolute rounding error
    ≲ |λ_i| t ε ≈ 1e-12 at t = 1e3, i.e. a relative error ≈ 1e-12 in the slowest terms.
    The referee is correct to its dps = 20 digits.  Measured max ≈ 3e-15; a wrong formula
    (see the mutation tests) is off by > 1e-3.
    """
    rng = np.random.default_rng(2025)
    table = {}
    for si, shape in enumerate(SHAPES):
        S = task(shape, 100 + si)
        for lam in LAMS:
            W1, W2 = generic_init(lam, shape, S, rng)
            with np.errstate(all="raise"):  # no overflow / invalid / division warnings
                X = qqt(W1, W2, S, TIMES)
                Xb = qqt_b5(W1, W2, S, TIMES)
            Xm = mp_qqt(W1, W2, S, TIMES, dps=20)
            e = relerr(X, Xm)
            eb = relerr(Xb, Xm)
            table[(shape, lam)] = (e, eb)
            assert X.shape == (TIMES.size, shape[0] + shape[2], shape[0] + shape[2])
            assert np.all(e <= 1e-10), (shape, lam, e)
            assert np.all(eb <= 1e-10), (shape, lam, eb)
    print("\nmax rel error vs mp Theorem 4.3 (qqt | qqt_b5), per shape and t-range:")
    ranges = {"t<=2.5": TIMES <= 2.5, "t=15": TIMES == 15, "t in {1e2,1e3}": TIMES >= 100}
    for shape in SHAPES:
        row = []
        for name, m in ranges.items():
            a = max(table[(shape, lam)][0][m].max() for lam in LAMS)
            b = max(table[(shape, lam)][1][m].max() for lam in LAMS)
            row.append(f"{name}: {a:.1e} | {b:.1e}")
        print(f"  {shape}: " + ";  ".join(row))


def test_qqt_matches_direct_integration():
    """Against scipy DOP853 on the weights (no formula).  Tolerance 1e-9: the integrator's
    global error at rtol 1e-12 over t ≤ 20 is ≲ 1e-10 (measured ≤ ~2e-11)."""
    rng = np.random.default_rng(7)
    ts = np.array([0.0, 0.3, 1.0, 2.5, 6.0, 20.0])
    worst = 0.0
    for si, (shape, lam) in enumerate(zip(SHAPES, [-3.0, -0.8, 0.5, 2.0, 0.0])):
        S = task(shape, 200 + si)
        W1, W2 = generic_init(lam, shape, S, rng)
        e = relerr(qqt(W1, W2, S, ts, tau=1.7), qqt_ivp(W1, W2, S, ts, tau=1.7))
        worst = max(worst, e.max())
    print(f"\nqqt vs solve_ivp(DOP853): max rel error {worst:.2e}")
    assert worst < 1e-9


def test_mp_qqt_matches_mp_gradient_flow():
    """Both referees at 30 digits, on exactly (to 40 digits) λ-balanced weights; they share no
    code, so agreement to 1e-25 shows the referee evaluates Theorem 4.3 correctly."""
    n_i, n_h, n_o, lam = 3, 2, 2, -0.7
    rng = np.random.default_rng(11)
    with mpmath.workdps(40):
        lam = mpmath.mpf(lam)  # (a Python float λ² would be rounded to 53 bits)
        S = mpmath.matrix((rng.standard_normal((n_o, n_i)) * 0.8).tolist())
        BA = mpmath.matrix((rng.standard_normal((n_o, n_h)) @ rng.standard_normal((n_h, n_i))
                            * 0.25).tolist())
        U, s, V = mpmath.svd_r(BA, full_matrices=True)
        K = mpmath.matrix([[0, 0.3], [-0.3, 0]])
        R = (mpmath.eye(2) - K) * mpmath.inverse(mpmath.eye(2) + K)  # Cayley: orthogonal
        S1, S2 = mpmath.zeros(n_h, n_i), mpmath.zeros(n_o, n_h)
        for a in range(n_h):
            s2 = mpmath.sqrt((mpmath.sqrt(lam ** 2 + 4 * s[a] ** 2) + lam) / 2)
            S2[a, a], S1[a, a] = s2, s[a] / s2
        W1m, W2m = R * S1 * V, U * S2 * R.T
        W1 = np.array(W1m.tolist(), dtype=object)
        W2 = np.array(W2m.tolist(), dtype=object)
        Sy = np.array(S.tolist(), dtype=object)
    ts = np.array([0.5, 2.0])
    X = mp_qqt(W1, W2, Sy, ts, dps=30)
    A, B = mp_gradient_flow(W1, W2, Sy, ts, dps=30)
    err = 0
    with mpmath.workdps(30):  # (object-array products run at the ambient precision)
        for k in range(ts.size):
            Q = np.vstack([A[k].T, B[k]])
            err = max(err, max(abs(v) for v in (Q.dot(Q.T) - X[k]).ravel()))
    print(f"\nmp qqt vs mp gradient_flow (30 digits): max abs error {mpmath.nstr(err, 3)}")
    assert err < mpmath.mpf("1e-25")


# --------------------------------------------------------------------------------------------
# zero eigenvalue (λ = 0, N_i ≠ N_o) and continuity in λ
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(4, 2, 2), (2, 2, 6)])
def test_zero_eigenvalue_exact_lambda_zero(shape):
    """W1 = [W2ᵀ, 0] (funnel) or W2 = [W1ᵀ; 0] (inverted funnel) is λ-balanced with λ = 0
    exactly in binary, so both codes take the (e^{2λ⊥t} − 1)/λ⊥ → 2t branch.  With B invertible
    the perp block (Ṽ⊥ᵀ W1ᵀW1 Ṽ⊥ or Ũ⊥ᵀ W2W2ᵀ Ũ⊥) still vanishes as t → ∞ (Thm C.3), like
    t·e^{−2 S_λ,min t}."""
    n_i, n_h, n_o = shape
    rng = np.random.default_rng(3)
    S = task(shape, 300)
    if n_i > n_o:
        W2 = rng.standard_normal((n_o, n_h)) * 0.5
        W1 = np.hstack([W2.T, np.zeros((n_h, n_i - n_h))])
    else:
        W1 = rng.standard_normal((n_h, n_i)) * 0.5
        W2 = np.vstack([W1.T, np.zeros((n_o - n_h, n_h))])
    assert np.all(W2.T @ W2 - W1 @ W1.T == 0.0)
    ts = np.array([0.0, 1.0, 10.0, 1e3, 1e4])
    with np.errstate(all="raise"):
        X = qqt(W1, W2, S, ts)
    e = relerr(X, mp_qqt(W1, W2, S, ts, dps=20))
    print(f"\nλ=0 exact, {shape}: max rel error vs mp {e.max():.1e}")
    assert e.max() < 1e-10
    es = task_eigensystem(S, 0.0)
    Pp = es.V_perp if n_i > n_o else es.U_perp
    sl = slice(0, n_i) if n_i > n_o else slice(n_i, n_i + n_o)
    perp = np.array([np.linalg.norm(Pp.T @ x[sl, sl] @ Pp) for x in X])
    assert perp[1] > 1e-3 and perp[-1] < 1e-12


@pytest.mark.parametrize("shape", [(5, 3, 3), (3, 3, 5)])
def test_lambda_continuity_at_zero(shape):
    """λ = ±1e-12 vs λ = 0 from the same A, B, R: the weights differ by O(1e-12), so QQᵀ may
    differ by O(1e-12 · t) at most; 1e-8 leaves room for t = 1e3 while a discontinuity at the
    zero eigenvalue (e.g. dropping the t/τ limit) would be O(1)."""
    S = task(shape, 400)
    ts = np.array([0.0, 1.0, 10.0, 100.0, 1000.0])
    X0 = qqt(*balanced_init(0.0, *shape, np.random.default_rng(5)), S, ts)
    for lam in (1e-12, -1e-12):
        X = qqt(*balanced_init(lam, *shape, np.random.default_rng(5)), S, ts)
        e = relerr(X, X0)
        print(f"\nλ={lam:g} vs 0, {shape}: {e.max():.1e}")
        assert e.max() < 1e-8


# --------------------------------------------------------------------------------------------
# singular B
# --------------------------------------------------------------------------------------------
def _det_mismatch_init(S, rng):
    es = task_eigensystem(S, 0.0)
    while True:
        W1, W2 = balanced_init(0.0, 3, 3, 3, rng)
        if np.linalg.det(W2 @ W1) * np.linalg.det(S) < 0:
            return W1, W2, es


def test_singular_b_det_mismatch():
    """λ = 0, square, det(W2W1)·det(Σyx) < 0: B = R S^½(UᵀŨ + VᵀṼ) has the eigenvalue −1 of
    the orthogonal ṼᵀVUᵀŨ in its null space, so B is exactly singular: one mode goes to the
    saddle.  qqt must still match both referees while that mode is at the saddle, and must raise
    SingularError once its escape is decided by rounding (t = 1e3); qqt_b5 must refuse B."""
    S = task((3, 3, 3), 500)
    W1, W2, es = _det_mismatch_init(S, np.random.default_rng(8))
    sv = np.linalg.svd(b_matrix(W1, W2, es), compute_uv=False)
    assert sv[-1] < 1e-12 * sv[0]
    ts = np.array([0.0, 1.0, 2.5, 6.0, 12.0, 20.0])
    X = qqt(W1, W2, S, ts)
    e_mp = relerr(X, mp_qqt(W1, W2, S, ts, dps=20))
    e_ivp = relerr(X, qqt_ivp(W1, W2, S, ts))
    print(f"\nsingular B: max rel error vs mp {e_mp.max():.1e}, vs solve_ivp {e_ivp.max():.1e}")
    assert e_mp.max() < 1e-10 and e_ivp.max() < 1e-9
    with pytest.raises(SingularError, match="saddle"):
        qqt(W1, W2, S, 1000.0)
    with pytest.raises(SingularError, match="B of eq 10"):
        qqt_b5(W1, W2, S, 1.0)


def test_reversal_learning_eq_183():
    """Spec §11 D.2 at λ = 0: aligned init with one reversed mode.  The reversed mode obeys
    eq 183, s(t) = −s0 e^{−2s̃t}/(1 + (s0/s̃)(1 − e^{−2s̃t})) → 0 (stays at the saddle), the others
    the Saxe sigmoid; both are read off the W2W1 block of qqt in the task basis."""
    rng = np.random.default_rng(9)
    S = task((3, 3, 3), 600)
    U, st, Vt = np.linalg.svd(S)
    s0 = np.array([0.05, 0.3, 0.02])
    R, _ = np.linalg.qr(rng.standard_normal((3, 3)))
    flip = np.array([1.0, -1.0, 1.0])
    W1 = R @ np.diag(np.sqrt(s0)) @ Vt
    W2 = (U * flip) @ np.diag(np.sqrt(s0)) @ R.T
    ts = np.array([0.0, 0.5, 2.0, 5.0, 8.0])
    X = qqt(W1, W2, S, ts)
    got = np.array([np.diag(U.T @ x[3:, :3] @ Vt.T) for x in X])
    e2 = np.exp(-2 * st[None, :] * ts[:, None])
    sig = st / (1 + (st / s0 - 1) * e2)  # Saxe: s̃ e^{2s̃t}/(e^{2s̃t} − 1 + s̃/s0)
    rev = -s0 * e2 / (1 + s0 / st * (1 - e2))
    want = np.where(flip > 0, sig, rev)
    err = np.abs(got - want).max()
    print(f"\nreversal (eq 183/184): max abs error {err:.1e}")
    assert err < 1e-12
    with pytest.raises(SingularError):
        qqt(W1, W2, S, 1000.0)


# --------------------------------------------------------------------------------------------
# conventions, bad inputs
# --------------------------------------------------------------------------------------------
def test_shapes_and_tau():
    rng = np.random.default_rng(1)
    S = task((5, 3, 3), 700)
    W1, W2 = generic_init(0.5, (5, 3, 3), S, rng)
    X = qqt(W1, W2, S, 2.0, tau=4.0)
    assert X.shape == (8, 8)
    np.testing.assert_allclose(X, qqt(W1, W2, S, np.array([0.5]))[0], rtol=0, atol=1e-13)
    Q = np.vstack([W1.T, W2])
    np.testing.assert_allclose(qqt(W1, W2, S, 0.0), Q @ Q.T, rtol=0, atol=1e-14)
    Xm = mp_qqt(W1, W2, S, 2.0, tau=4.0, dps=20)
    assert Xm.shape == (8, 8) and Xm.dtype == object
    assert relerr(X, Xm) < 1e-10


def test_bad_inputs():
    rng = np.random.default_rng(2)
    S = task((3, 3, 5), 800)
    W1, W2 = generic_init(1.0, (3, 3, 5), S, rng)
    for fn in (qqt, qqt_b5, mp_qqt):
        with pytest.raises(NotBalancedError, match="balanced"):
            fn(W1 * 1.1, W2, S, 1.0)
        with pytest.raises(InvalidArgument, match="sigma_yx"):
            fn(W1, W2, S.T, 1.0)
        bad = W1.copy()
        bad[0, 0] = np.nan
        with pytest.raises(InvalidArgument, match="W1"):
            fn(bad, W2, S, 1.0)
        with pytest.raises(InvalidArgument, match="t must be >= 0"):
            fn(W1, W2, S, np.array([1.0, -0.5]))
        with pytest.raises(InvalidArgument, match="tau"):
            fn(W1, W2, S, 1.0, tau=0.0)
    # N_h = 4 > min(N_i, N_o) = 3 with λ-balanced weights (λ = 1 ≥ 0 is admissible there)
    Vt = np.linalg.qr(rng.standard_normal((3, 3)))[0]
    U = np.linalg.qr(rng.standard_normal((5, 5)))[0]
    s1 = np.array([0.4, 0.3, 0.2])
    S1 = np.zeros((4, 3))
    S1[:3, :3] = np.diag(s1)
    S2 = np.zeros((5, 4))
    S2[:4, :4] = np.diag(np.sqrt(np.append(s1 ** 2, 0.0) + 1.0))
    W1w, W2w = S1 @ Vt, U @ S2
    for fn in (qqt, qqt_b5, mp_qqt):
        with pytest.raises(ArchitectureError, match="N_h"):
            fn(W1w, W2w, S, 1.0)


# --------------------------------------------------------------------------------------------
# mutation tests: the checks above can fail
# --------------------------------------------------------------------------------------------
def _lemma_4_1_mp(W1, W2, S, t, sign, dps=40):
    """Lemma 4.1 (eq 7) with mpmath.expm; sign = −1 flips the sign of λ/2 in F (mutant)."""
    with mpmath.workdps(dps):
        W1m, W2m, Sm = (mpmath.matrix(np.asarray(a).tolist()) for a in (W1, W2, S))
        n_h, n_i = W1.shape
        n_o = W2.shape[0]
        M = W2m.T * W2m - W1m * W1m.T
        lam = sum(M[i, i] for i in range(n_h)) / n_h
        n = n_i + n_o
        F = mpmath.zeros(n, n)
        for i in range(n_i):
            F[i, i] = -sign * lam / 2
        for i in range(n_o):
            F[n_i + i, n_i + i] = sign * lam / 2
        for i in range(n_o):
            for j in range(n_i):
                F[n_i + i, j] = F[j, n_i + i] = Sm[i, j]
        Q0 = mpmath.matrix(n, n_h)
        for i in range(n_i):
            for j in range(n_h):
                Q0[i, j] = W1m[j, i]
        for i in range(n_o):
            for j in range(n_h):
                Q0[n_i + i, j] = W2m[i, j]
        E = mpmath.expm(F * t)
        Fi = mpmath.inverse(F)
        mid = mpmath.eye(n_h) + Q0.T * (E * Fi * E - Fi) * Q0 / 2
        X = E * Q0 * mpmath.inverse(mid) * Q0.T * E
        return np.array([[float(X[i, j]) for j in range(n)] for i in range(n)])


def test_mutation_flipped_lambda_sign_in_F():
    """Lemma 4.1 with the correct F agrees with qqt to 1e-12; with −λ/2 ↔ +λ/2 swapped in F it
    is off by far more than the 1e-10 tolerance used above."""
    rng = np.random.default_rng(4)
    shape, lam = (3, 3, 5), 2.0
    S = task(shape, 900)
    W1, W2 = generic_init(lam, shape, S, rng)
    for t in (0.3, 1.0, 2.5):
        X = qqt(W1, W2, S, t)
        good = relerr(X, _lemma_4_1_mp(W1, W2, S, t, +1))
        bad = relerr(X, _lemma_4_1_mp(W1, W2, S, t, -1))
        print(f"\nLemma 4.1 (mp expm) t={t}: correct F {good:.1e}, mutant F {bad:.1e}")
        assert good < 1e-12
        assert bad > 1e-3


def test_mutation_float_lambda_perp_sign(monkeypatch):
    """Flipping the sign of λ_⊥ inside the float path is caught by the mp referee."""
    rng = np.random.default_rng(6)
    shape, lam = (5, 3, 3), -3.0
    S = task(shape, 1000)
    W1, W2 = generic_init(lam, shape, S, rng)
    ts = np.array([1.0, 15.0])
    ref = mp_qqt(W1, W2, S, ts, dps=20)
    assert relerr(qqt(W1, W2, S, ts), ref).max() < 1e-10
    real = qqt_module.task_eigensystem

    def mutant(sigma_yx, lam_):
        es = real(sigma_yx, lam_)
        ev = es.eigenvalues.copy()
        ev[2 * es.s_tilde.size:] *= -1
        object.__setattr__(es, "eigenvalues", ev)
        return es

    monkeypatch.setattr(qqt_module, "task_eigensystem", mutant)
    err = relerr(qqt(W1, W2, S, ts), ref).max()
    print(f"\nmutant λ_⊥ sign: rel error {err:.1e}")
    assert err > 1e-3


# --------------------------------------------------------------------------------------------
# the construct-once API (numerics.QQT) and the evaluation paths
# --------------------------------------------------------------------------------------------
def test_qqt_class_matches_function_and_blocks():
    """QQT(...).at(t) is qqt(...); each block is the same numbers as the corresponding block of
    the whole matrix (W1ᵀW2ᵀ is exactly the transpose of W2W1)."""
    from lazyrich.numerics import QQT
    rng = np.random.default_rng(12)
    for shape, lam in [((3, 3, 5), 0.5), ((5, 3, 3), -2.0), ((4, 4, 4), 0.0)]:
        S = task(shape, 1100)
        W1, W2 = generic_init(lam, shape, S, rng)
        n_i = shape[0]
        q = QQT(W1, W2, S, tau=1.3)
        X = qqt(W1, W2, S, TIMES, tau=1.3)
        np.testing.assert_array_equal(q.at(TIMES), X)
        # alone or among other times: the same to rounding (the form and the batched kernels
        # used depend on the chunk of times)
        assert relerr(q(TIMES[3]), X[3]) < 1e-14
        assert np.all(X == np.swapaxes(X, 1, 2))
        sl = {"i": slice(0, n_i), "o": slice(n_i, None)}
        for name, (r, c) in qqt_module.BLOCKS.items():
            B = q.at(TIMES, block=name)
            np.testing.assert_array_equal(B, X[:, sl[r], sl[c]])
            assert q.at(2.0, block=name).shape == B.shape[1:]
        with pytest.raises(InvalidArgument, match="block"):
            q.at(1.0, block="W1W2")
        with pytest.raises(InvalidArgument, match="t must be >= 0"):
            q.at(-1.0)


def test_qqt_many_times_all_paths_against_mp():
    """Enough times for several chunks, from t = 0 to 1e3: chunks evaluated in the separable
    form (small t) and in the graded form (large t), λ of both signs, N_i ≠ N_o; all within the
    1e-10 of test_qqt_matches_mp_theorem_4_3 of the mp referee at a subset of the times, and the
    separable and graded forms agree with each other to 1e-13 where both apply."""
    rng = np.random.default_rng(13)
    ts = np.concatenate([[0.0], np.logspace(-3, 3, 150)])
    for shape, lam in [((5, 3, 3), 1.5), ((3, 3, 5), -0.7), ((6, 6, 6), 4.0)]:
        S = task(shape, 1200)
        W1, W2 = generic_init(lam, shape, S, rng)
        with np.errstate(all="raise"):
            X = qqt(W1, W2, S, ts)
        pick = np.arange(0, ts.size, 15)
        e = relerr(X[pick], mp_qqt(W1, W2, S, ts[pick], dps=20))
        assert e.max() < 1e-10, (shape, lam, e.max())
        pl = qqt_module.QQT(W1, W2, S)._plan
        small = ts[ts < 1.0]
        graded = np.empty((small.size,) + X.shape[1:])
        old = qqt_module._SEPARABLE_LOG
        try:
            qqt_module._SEPARABLE_LOG = -np.inf          # force the graded form everywhere
            graded = qqt_module._evaluate(pl, small)
        finally:
            qqt_module._SEPARABLE_LOG = old
        sep = qqt_module._evaluate(pl, small)
        assert relerr(sep, graded).max() < 1e-13


def test_graded_fast_path_matches_general():
    """The QR shortcut of the graded factorisation (distinct eigenvalues, clear pivots) gives
    the same QQᵀ as the group-by-group SVD construction."""
    rng = np.random.default_rng(14)
    for shape, lam in [((4, 4, 4), 0.3), ((5, 3, 3), -1.0), ((3, 3, 6), 2.0)]:
        S = task(shape, 1300)
        W1, W2 = generic_init(lam, shape, S, rng)
        es = task_eigensystem(S, lam)
        M = es.P.T @ np.vstack([W1.T, W2])
        fast = qqt_module._graded(M, es.eigenvalues, es.P)
        assert np.array_equal(fast.prow, np.arange(shape[1]))     # the shortcut was taken
        real = qqt_module._graded_distinct
        try:
            qqt_module._graded_distinct = lambda *a: None
            slow = qqt_module._graded(M, es.eigenvalues, es.P)
        finally:
            qqt_module._graded_distinct = real
        np.testing.assert_allclose(np.abs(fast.pivot_sv), np.abs(slow.pivot_sv), rtol=1e-12)
        n_i, n_o = shape[0], shape[2]
        a = qqt_module._evaluate(qqt_module._plan(fast, es, n_i, n_o), TIMES)
        b = qqt_module._evaluate(qqt_module._plan(slow, es, n_i, n_o), TIMES)
        assert relerr(a, b).max() < 1e-13


def test_qqt_class_saddle_check():
    """The rounding check of a mode at the saddle runs in QQT.at as in qqt, also when only a
    block is asked for."""
    from lazyrich.numerics import QQT
    S = task((3, 3, 3), 500)
    W1, W2, _ = _det_mismatch_init(S, np.random.default_rng(8))
    q = QQT(W1, W2, S)
    ts = np.array([0.0, 1.0, 6.0])
    np.testing.assert_array_equal(q.at(ts), qqt(W1, W2, S, ts))
    for block in (None, "W2W1"):
        with pytest.raises(SingularError, match="saddle"):
            q.at(1000.0, block=block)
