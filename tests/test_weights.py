"""Tests of the weight utilities, representations/kernels and tasks.

numerics._weights (Algorithm 1, Theorem 5.2, lambda_of), numerics._representations (eqs 4, 5,
E.7), numerics._tasks (E.2.1, E.2.2) and numerics.mp._flow (Theorem 5.2 at high precision).
References are independent: mpmath at 30 digits for the per-mode factors, the explicit Jacobian
for the NTK, numpy's pinv for eq (4), the algorithm's own random draws for Algorithm 1.
"""

from __future__ import annotations

import itertools

import mpmath
import numpy as np
import pytest

from lazyrich._errors import (ArchitectureError, InvalidArgument, NotBalancedError,
                              NotWhitenedError)
from lazyrich.numerics._representations import kernel_distance, ntk, representations
from lazyrich.numerics._tasks import random_regression_task, semantic_hierarchy, task_covariances
from lazyrich.numerics._weights import (lambda_balanced_init, lambda_of, split_singular_values,
                               weights_from_network)
from lazyrich.numerics.mp._flow import weights_from_network as mp_weights_from_network

EPS = np.finfo(float).eps


def rel_balance_error(W1, W2, lam):
    """‖W2ᵀW2 − W1W1ᵀ − λI‖_F / (‖W2ᵀW2‖_F + ‖W1W1ᵀ‖_F)."""
    G2, G1 = W2.T @ W2, W1 @ W1.T
    dev = np.linalg.norm(G2 - G1 - lam * np.eye(G1.shape[0]))
    return dev / (np.linalg.norm(G2) + np.linalg.norm(G1))


# ------------------------------------------------------------------------------------------
# Algorithm 1
# ------------------------------------------------------------------------------------------
# (N_i, N_h, N_o): square, funnel and inverted funnel at A3, N_h strictly between min and max,
# N_h = max, and N_h > max (λ = 0 only).
SHAPES = [(3, 3, 3), (6, 2, 2), (2, 2, 6), (6, 4, 3), (3, 4, 6), (6, 6, 3), (3, 6, 6),
          (3, 5, 3), (4, 7, 2)]
LAMS = [-1e3, -2.0, -1e-3, 0.0, 1e-3, 3.0, 1e3]


def admissible(n_i, n_h, n_o, lam):
    n_m, n_max = min(n_i, n_o), max(n_i, n_o)
    if n_h > n_max:
        return lam == 0
    if n_h > n_m and n_o < n_h and lam > 0:
        return False
    if n_h > n_m and n_i < n_h and lam < 0:
        return False
    return True


CASES = [(s, lam) for s, lam in itertools.product(SHAPES, LAMS) if admissible(*s, lam)]
BAD_CASES = [(s, lam) for s, lam in itertools.product(SHAPES, LAMS) if not admissible(*s, lam)]


@pytest.mark.parametrize("shape,lam", CASES)
def test_init_is_balanced(shape, lam):
    n_i, n_h, n_o = shape
    W1, W2 = lambda_balanced_init(lam, n_i, n_h, n_o, rng=7, scale=0.8)
    assert W1.shape == (n_h, n_i) and W2.shape == (n_o, n_h)
    assert W1.dtype == np.float64 and W2.dtype == np.float64
    # Rounding: a few products of O(1)-conditioned factors of size <= 7 → ~1e-15 relative.
    err = rel_balance_error(W1, W2, lam)
    assert err <= 1e-14, err
    assert lambda_of(W1, W2) == pytest.approx(lam, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("shape", SHAPES)
def test_init_product_is_BA(shape):
    """Algorithm 1 keeps the network function B A of its Gaussian draws (steps 1–5)."""
    n_i, n_h, n_o = shape
    lam = 0.0
    scale = 0.5
    W1, W2 = lambda_balanced_init(lam, n_i, n_h, n_o, rng=3, scale=scale)
    gen = np.random.default_rng(3)  # replay the documented draws: A, then B
    A = scale * gen.standard_normal((n_h, n_i))
    B = scale * gen.standard_normal((n_o, n_h))
    BA = B @ A
    assert np.linalg.norm(W2 @ W1 - BA) <= 1e-13 * np.linalg.norm(BA)


def test_init_rng_forms_and_reproducibility():
    a = lambda_balanced_init(1.0, 4, 3, 3, rng=11)
    b = lambda_balanced_init(1.0, 4, 3, 3, rng=np.random.default_rng(11))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    c = lambda_balanced_init(1.0, 4, 3, 3)  # fresh entropy
    assert c[0].shape == (3, 4)
    with pytest.raises(InvalidArgument, match="rng"):
        lambda_balanced_init(1.0, 4, 3, 3, rng="seed")


def test_init_aligned_to_task():
    n_i, n_h, n_o = 5, 3, 3
    syx = np.random.default_rng(0).standard_normal((n_o, n_i))
    U, _, Vt = np.linalg.svd(syx)
    for lam in (-2.0, 0.0, 2.0):
        W1, W2 = lambda_balanced_init(lam, n_i, n_h, n_o, rng=1, aligned_to=syx)
        M = U.T @ (W2 @ W1) @ Vt.T  # diagonal iff aligned with Σyx's singular vectors
        off = M - np.diag(np.diag(M)) if M.shape[0] == M.shape[1] else M.copy()
        off[np.arange(n_o), np.arange(n_o)] = 0
        assert np.max(np.abs(off)) <= 1e-13 * np.max(np.abs(M))
        assert np.all(np.diag(M[:, :n_o]) > 0)
        assert rel_balance_error(W1, W2, lam) <= 1e-14
    with pytest.raises(InvalidArgument, match="aligned_to"):
        lambda_balanced_init(0.0, n_i, n_h, n_o, aligned_to=syx.T)


@pytest.mark.parametrize("shape,lam", BAD_CASES)
def test_forbidden_architecture_sign(shape, lam):
    n_i, n_h, n_o = shape
    with pytest.raises(ArchitectureError, match="N_h") as info:
        lambda_balanced_init(lam, n_i, n_h, n_o, rng=0)
    assert "λ" in str(info.value)


@pytest.mark.parametrize("shape", [(3, 2, 3), (5, 1, 2), (2, 7, 5)])
def test_hidden_size_out_of_range(shape):
    with pytest.raises(ArchitectureError, match="N_h"):
        lambda_balanced_init(0.5, *shape, rng=0)


@pytest.mark.parametrize("kwargs,name", [
    (dict(lam=float("nan"), n_in=2, n_hidden=2, n_out=2), "lam"),
    (dict(lam=0.0, n_in=2.0, n_hidden=2, n_out=2), "n_in"),
    (dict(lam=0.0, n_in=2, n_hidden=0, n_out=2), "n_hidden"),
    (dict(lam=0.0, n_in=2, n_hidden=2, n_out=True), "n_out"),
    (dict(lam=0.0, n_in=2, n_hidden=2, n_out=2, scale=0.0), "scale"),
])
def test_init_bad_arguments(kwargs, name):
    with pytest.raises(InvalidArgument, match=name):
        lambda_balanced_init(**kwargs)


# ------------------------------------------------------------------------------------------
# Theorem 5.2
# ------------------------------------------------------------------------------------------
def mp_factors(s, lam, dps=30):
    """Independent reference: the printed form sqrt((∓λ + sqrt(λ² + 4s²))/2) to 30 digits.

    The printed form cancels ~2·log10(|λ|/s) digits in the small factor, so the working
    precision is raised by that much; the result is then good to ~30 significant digits.
    """
    extra = 0 if s == 0 or lam == 0 else max(0, int(2 * np.log10(abs(lam) / s)) + 5)
    with mpmath.workdps(dps + extra):
        s, lam = mpmath.mpf(s), mpmath.mpf(lam)
        root = mpmath.sqrt(lam ** 2 + 4 * s ** 2)
        return mpmath.sqrt((root - lam) / 2), mpmath.sqrt((root + lam) / 2)


@pytest.mark.parametrize("lam", [-1e3, -1.0, -1e-9, 0.0, 1e-9, 1.0, 1e3])
def test_split_factors_vs_mpmath(lam):
    s = np.array([1e-12, 1e-8, 1e-3, 0.5, 1.0, 7.0, 1e4, 0.0])
    s1, s2 = split_singular_values(s, lam)
    worst = 0.0
    for k, sk in enumerate(s):
        r1, r2 = mp_factors(sk, lam)
        for got, ref in ((s1[k], r1), (s2[k], r2)):
            if ref == 0:
                assert got == 0.0
            else:
                worst = max(worst, float(abs((mpmath.mpf(got) - ref) / ref)))
    # Cancellation-free evaluation: relative error of a handful of roundings, <= 4 ulp.
    assert worst <= 4 * EPS, worst


def random_orthogonal(n, seed):
    q, r = np.linalg.qr(np.random.default_rng(seed).standard_normal((n, n)))
    return q * np.sign(np.diag(r))


@pytest.mark.parametrize("shape", [(3, 3), (2, 5), (5, 2), (1, 4)])
@pytest.mark.parametrize("lam", [-1e3, -1.5, 0.0, 0.7, 1e3])
def test_weights_from_network_identities(shape, lam):
    n_o, n_i = shape
    A = np.random.default_rng(5).standard_normal(shape)
    n_h = min(shape)
    R = random_orthogonal(n_h, 9)
    W1, W2 = weights_from_network(A, lam, R)
    assert W1.shape == (n_h, n_i) and W2.shape == (n_o, n_h)
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    sl = np.sqrt(s ** 2 + lam ** 2 / 4)
    # Tolerances: errors are eps times the size of the largest quantity involved.  The product
    # W2W1 = U S2 S1 Vᵀ loses nothing (S2 S1 = S exactly up to rounding), ~1e-15 relative to ‖A‖.
    assert np.linalg.norm(W2 @ W1 - A) <= 1e-14 * np.linalg.norm(A)
    assert rel_balance_error(W1, W2, lam) <= 1e-14
    # Representation identities, relative to the size of each Gram matrix.  V(S_λ − λ/2)Vᵀ is
    # evaluated with the cancellation-free factors so the reference itself is accurate.
    s1, s2 = split_singular_values(s, lam)
    ref1 = Vt.T @ np.diag(s1 ** 2) @ Vt
    ref2 = U @ np.diag(s2 ** 2) @ U.T
    assert np.linalg.norm(W1.T @ W1 - ref1) <= 1e-14 * np.linalg.norm(ref1)
    assert np.linalg.norm(W2 @ W2.T - ref2) <= 1e-14 * np.linalg.norm(ref2)
    # and the printed form S_λ ∓ λ/2 where it is not cancellation-limited (relative to |λ|+s)
    scale = np.abs(lam) + s.max()
    assert np.max(np.abs(s1 ** 2 - (sl - lam / 2))) <= 1e-14 * scale
    assert np.max(np.abs(s2 ** 2 - (sl + lam / 2))) <= 1e-14 * scale


@pytest.mark.parametrize("lam", [-2.0, 0.0, 3.0])
def test_weights_from_network_rank_deficient(lam):
    u = np.array([[1.0], [2.0], [-1.0]])
    v = np.array([[0.5, -1.0, 2.0, 0.0]])
    A = u @ v  # rank 1, (3, 4): N_h = 3 with two zero singular values
    W1, W2 = weights_from_network(A, lam)
    assert np.linalg.norm(W2 @ W1 - A) <= 1e-14 * np.linalg.norm(A)
    assert rel_balance_error(W1, W2, lam) <= 1e-14
    W1, W2 = weights_from_network(np.zeros((2, 3)), lam)
    np.testing.assert_allclose(W2.T @ W2 - W1 @ W1.T, lam * np.eye(2), atol=1e-15)
    assert np.all(W2 @ W1 == 0)


def test_weights_from_network_bad_R():
    A = np.ones((2, 3))
    with pytest.raises(InvalidArgument, match=r"RᵀR − I"):
        weights_from_network(A, 1.0, R=np.array([[1.0, 0.1], [0.0, 1.0]]))
    with pytest.raises(InvalidArgument, match="R must"):
        weights_from_network(A, 1.0, R=np.eye(3))
    with pytest.raises(InvalidArgument, match="A"):
        weights_from_network([[1.0, np.nan]], 1.0)
    with pytest.raises(InvalidArgument, match="lam"):
        weights_from_network(A, np.inf)


@pytest.mark.parametrize("shape", [(3, 3), (2, 4), (4, 2)])
@pytest.mark.parametrize("lam", [-5.0, 0.0, 1e-6, 2.0])
def test_weights_from_network_vs_mp(shape, lam):
    A = np.random.default_rng(2).standard_normal(shape)
    W1, W2 = weights_from_network(A, lam)
    M1, M2 = mp_weights_from_network(A, lam, dps=40)
    f = np.vectorize(float)
    # Compare gauge-invariant blocks (singular-vector signs differ between libraries):
    for got, ref in ((W1.T @ W1, f(M1.T.dot(M1))), (W2 @ W2.T, f(M2.dot(M2.T))),
                     (W2 @ W1, f(M2.dot(M1)))):
        assert np.linalg.norm(got - ref) <= 1e-14 * np.linalg.norm(ref) + 1e-300
    # the mp weights themselves are balanced to their precision
    with mpmath.workdps(40):
        B = M2.T.dot(M2) - M1.dot(M1.T) - lam * np.eye(min(shape))
        assert max(abs(x) for x in B.ravel()) < mpmath.mpf(10) ** -35


def test_lambda_of_errors():
    W1, W2 = lambda_balanced_init(-0.5, 4, 3, 3, rng=0)
    assert lambda_of(W1, W2) == pytest.approx(-0.5, abs=1e-14)
    with pytest.raises(NotBalancedError):
        lambda_of(W1 + 0.1, W2)
    bad = W1.copy()
    bad[0, 0] = np.nan
    with pytest.raises(InvalidArgument, match="W1"):
        lambda_of(bad, W2)
    with pytest.raises(InvalidArgument, match="hidden"):
        lambda_of(W1, W2[:, :2])


# ------------------------------------------------------------------------------------------
# Representations, NTK, kernel distance
# ------------------------------------------------------------------------------------------
def explicit_jacobian(W1, W2, X):
    """J of (W1, W2) ↦ vec_rowmajor(W2 W1 X).  The map is linear in each layer separately, so
    the difference quotient with a unit step is exact up to rounding."""
    f0 = (W2 @ W1 @ X).ravel()
    cols = []
    for W, which in ((W1, 1), (W2, 2)):
        for idx in np.ndindex(W.shape):
            E = np.zeros_like(W)
            E[idx] = 1.0
            f = (W2 @ (W1 + E) @ X) if which == 1 else ((W2 + E) @ W1 @ X)
            cols.append(f.ravel() - f0)
    return np.array(cols).T


@pytest.mark.parametrize("shape", [(3, 3, 3), (5, 2, 2), (2, 4, 5), (4, 6, 3)])
def test_ntk_vs_jacobian(shape):
    n_i, n_h, n_o = shape
    g = np.random.default_rng(4)
    W1 = g.standard_normal((n_h, n_i))
    W2 = g.standard_normal((n_o, n_h))
    X = g.standard_normal((n_i, 7))
    K = ntk(W1, W2, X)
    J = explicit_jacobian(W1, W2, X)
    ref = J @ J.T
    assert K.shape == (n_o * 7, n_o * 7)
    # The difference quotients carry rounding ~eps·|W2 W1 X|; entries of JJᵀ are O(10-100).
    err = np.max(np.abs(K - ref)) / np.max(np.abs(ref))
    assert err <= 1e-13, err


@pytest.mark.parametrize("shape", [(3, 3, 3), (5, 2, 2), (2, 2, 5), (3, 4, 6)])
def test_representations_vs_pinv(shape):
    n_i, n_h, n_o = shape
    g = np.random.default_rng(8)
    W1 = g.standard_normal((n_h, n_i))
    W2 = g.standard_normal((n_o, n_h))
    X = g.standard_normal((n_i, 6))
    Y = g.standard_normal((n_o, 6))
    rin, rout = representations(W1, W2, X, Y)
    np.testing.assert_allclose(rin, X.T @ W1.T @ W1 @ X, rtol=1e-13, atol=1e-13)
    # Reference: numpy's pinv of W2W2ᵀ (rank min(N_o, N_h)); its exact zero eigenvalues are
    # ~1e-16 relative, far below pinv's cut of 1e-10 used here, and the kept ones are O(1).
    ref = Y.T @ np.linalg.pinv(W2 @ W2.T, rcond=1e-10) @ Y
    assert np.max(np.abs(rout - ref)) <= 1e-12 * np.max(np.abs(ref))
    np.testing.assert_allclose(rout, rout.T, atol=0)


def test_representations_bad_shapes():
    W1, W2 = np.ones((2, 3)), np.ones((4, 2))
    with pytest.raises(InvalidArgument, match="X"):
        representations(W1, W2, np.ones((2, 5)), np.ones((4, 5)))
    with pytest.raises(InvalidArgument, match="samples"):
        representations(W1, W2, np.ones((3, 5)), np.ones((4, 6)))
    with pytest.raises(InvalidArgument, match="X"):
        ntk(W1, W2, np.full((3, 2), np.nan))


def test_kernel_distance():
    g = np.random.default_rng(1)
    A = g.standard_normal((5, 5))
    K = A @ A.T
    assert kernel_distance(K, 3.0 * K) == pytest.approx(0.0, abs=1e-15)
    assert kernel_distance(np.diag([1.0, 0.0]), np.diag([0.0, 1.0])) == 1.0
    assert kernel_distance(np.eye(2), np.ones((2, 2))) == pytest.approx(1 - 2 / (np.sqrt(2) * 2))
    assert kernel_distance(1e200 * K, 1e-200 * K) == pytest.approx(0.0, abs=1e-15)
    batch = g.standard_normal((4, 5, 5))
    d = kernel_distance(batch, K)
    assert d.shape == (4,)
    for k in range(4):
        b = batch[k]
        ref = 1 - np.sum(b * K) / (np.linalg.norm(b) * np.linalg.norm(K))
        assert d[k] == pytest.approx(ref, abs=1e-15)
    with pytest.raises(InvalidArgument, match="K2"):
        kernel_distance(K, np.zeros((5, 5)))
    with pytest.raises(InvalidArgument, match="shape"):
        kernel_distance(K, np.eye(4))


# ------------------------------------------------------------------------------------------
# Tasks
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("n_in,n_out,p", [(4, 3, None), (6, 2, 6), (2, 7, 50)])
def test_random_regression_task(n_in, n_out, p):
    X, Y = random_regression_task(n_in, n_out, p, rng=0, scale=2.0)
    P = X.shape[1]
    assert X.shape == (n_in, P) and Y.shape == (n_out, P)
    assert np.max(np.abs(X @ X.T / P - np.eye(n_in))) <= 1e-12
    sxx, syx = task_covariances(X, Y)
    # Noise-free: realisable, Y = Σyx X exactly (to rounding).
    assert np.max(np.abs(Y - syx @ X)) <= 1e-12 * np.max(np.abs(Y))
    Xn, Yn = random_regression_task(n_in, n_out, p, rng=0, scale=0.0, noise=1.0)
    assert np.max(np.abs(Xn @ Xn.T / Xn.shape[1] - np.eye(n_in))) <= 1e-12
    assert np.linalg.norm(Yn) > 0


def test_random_regression_task_errors():
    with pytest.raises(InvalidArgument, match="n_samples"):
        random_regression_task(5, 2, 4)
    with pytest.raises(InvalidArgument, match="noise"):
        random_regression_task(2, 2, noise=-1.0)
    with pytest.raises(InvalidArgument, match="n_in"):
        random_regression_task(2.5, 2)


def test_semantic_hierarchy():
    X, Y = semantic_hierarchy()
    assert X.shape == (8, 8) and Y.shape == (8, 8)
    sxx, syx = task_covariances(X, Y)
    np.testing.assert_allclose(sxx, np.eye(8), rtol=0, atol=4 * EPS)  # sqrt(8)² rounds
    # blue fish (item 2) = (1, 1, 1, 0, -1, 0, 0, 0)
    np.testing.assert_array_equal(Y[:, 1], [1, 1, 1, 0, -1, 0, 0, 0])
    # rows orthogonal; singular values √8, √8, 2, 2, √2 ×4 (spec §11)
    G = Y @ Y.T
    np.testing.assert_array_equal(G, np.diag(np.diag(G)))
    sv = np.linalg.svd(Y, compute_uv=False)
    np.testing.assert_allclose(sv, [np.sqrt(8)] * 2 + [2] * 2 + [np.sqrt(2)] * 4, rtol=1e-14)
    np.testing.assert_allclose(syx, Y / np.sqrt(8), rtol=1e-15)


def test_task_covariances_errors():
    X = np.random.default_rng(0).standard_normal((3, 10))
    Y = np.ones((2, 10))
    with pytest.raises(NotWhitenedError, match="X"):
        task_covariances(X, Y)
    sxx, syx = task_covariances(X, Y, whitened=False)
    np.testing.assert_allclose(sxx, X @ X.T / 10)
    np.testing.assert_allclose(syx, Y @ X.T / 10)
    with pytest.raises(InvalidArgument, match="samples"):
        task_covariances(X, np.ones((2, 9)), whitened=False)
    with pytest.raises(InvalidArgument, match="Y"):
        task_covariances(X, np.full((2, 10), np.inf), whitened=False)
