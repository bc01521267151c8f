"""Tests of the simulation references: gradient_flow (DOP853) and gradient_descent.

Independent references: a hand-rolled classical RK4 at small step, the scalar Saxe sigmoid (an
exact solution of gradient flow), Theorem A.2 (conservation of W2ᵀW2 − W1W1ᵀ for any init), the
exact one-step change of the balance under gradient descent, and the first-order convergence of
gradient descent (Euler) to gradient flow.
"""

from __future__ import annotations

import numpy as np
import pytest

from lazyrich._errors import InvalidArgument
from lazyrich.numerics._reference import IntegrationError, Trajectory, gradient_descent, gradient_flow
from lazyrich.numerics._tasks import random_regression_task, task_covariances
from lazyrich.numerics._weights import lambda_balanced_init


def rhs(W1, W2, syx, sxx, tau):
    G = syx - W2 @ W1 @ sxx
    return W2.T @ G / tau, G @ W1.T / tau


def rk4(W1, W2, syx, T, h, sxx=None, tau=1.0):
    """Classical RK4 with a fixed step h (T/h steps), written independently of solve_ivp."""
    sxx = np.eye(W1.shape[1]) if sxx is None else sxx
    n = int(round(T / h))
    h = T / n
    for _ in range(n):
        k1 = rhs(W1, W2, syx, sxx, tau)
        k2 = rhs(W1 + h / 2 * k1[0], W2 + h / 2 * k1[1], syx, sxx, tau)
        k3 = rhs(W1 + h / 2 * k2[0], W2 + h / 2 * k2[1], syx, sxx, tau)
        k4 = rhs(W1 + h * k3[0], W2 + h * k3[1], syx, sxx, tau)
        W1 = W1 + h / 6 * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0])
        W2 = W2 + h / 6 * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1])
    return W1, W2


@pytest.fixture
def unbalanced_wide():
    """A non-balanced init with N_h = 5 > max(N_i, N_o) = 3."""
    g = np.random.default_rng(5)
    W1 = g.standard_normal((5, 3))
    W2 = g.standard_normal((2, 5))
    syx = g.standard_normal((2, 3))
    return W1, W2, syx


def test_conservation_theorem_A2(unbalanced_wide):
    W1, W2, syx = unbalanced_wide
    t = np.linspace(0.0, 20.0, 41)
    tr = gradient_flow(W1, W2, syx, t)
    B = tr.balance()
    assert B.shape == (41, 5, 5)
    # Not balanced, and the product does move (the check is not vacuous):
    assert np.linalg.norm(B[0] - np.trace(B[0]) / 5 * np.eye(5)) > 1.0
    assert np.linalg.norm(tr.product()[-1] - tr.product()[0]) > 0.5
    drift = np.max(np.abs(B - B[0]))
    # Theorem A.2: exactly conserved; DOP853 at rtol 1e-12 leaves ~1e-13 (spec: 7.8e-14).
    assert drift <= 1e-11, drift


def test_vs_rk4(unbalanced_wide):
    W1, W2, syx = unbalanced_wide
    T, tau = 2.0, 1.5
    tr = gradient_flow(W1, W2, syx, T, tau=tau)
    a1, a2 = rk4(W1, W2, syx, T, 5e-4, tau=tau)
    b1, b2 = rk4(W1, W2, syx, T, 2.5e-4, tau=tau)
    # Richardson: RK4's own error at step h/2 is ≈ |y_h − y_{h/2}|/15 (measured ~3e-14 here).
    rk_err = max(np.max(np.abs(a1 - b1)), np.max(np.abs(a2 - b2))) / 15
    err = max(np.max(np.abs(tr.W1 - b1)), np.max(np.abs(tr.W2 - b2)))
    assert rk_err <= 1e-11, rk_err
    # DOP853 at rtol 1e-12 on O(1) weights: global error ~1e-12; allow 1e-11 plus RK4's own.
    assert err <= 1e-11 + rk_err, (err, rk_err)


@pytest.mark.parametrize("tau", [1.0, 0.5, 3.0])
def test_scalar_saxe_sigmoid(tau):
    """1-1-1 zero-balanced net: u = w2 w1 obeys τu' = 2u(s − u), u(t) = s e^{2st/τ}/(e^{2st/τ} − 1 + s/u0)."""
    s, u0 = 1.7, 1e-3
    w = np.sqrt(u0)
    t = np.array([0.0, 1.0, 2.5, 4.0, 8.0, 15.0])
    tr = gradient_flow([[w]], [[w]], [[s]], t, tau=tau)
    e = np.exp(2 * s * t / tau)
    exact = s * e / (e - 1 + s / u0)
    err = np.max(np.abs(tr.product()[:, 0, 0] - exact) / exact)
    # Relative error of the ODE solve at rtol 1e-12 through a 3-decade sigmoid rise: ~1e-11.
    assert err <= 1e-10, err


def test_time_order_and_shapes(unbalanced_wide):
    W1, W2, syx = unbalanced_wide
    t = np.array([3.0, 0.0, 1.0, 3.0, 0.5])
    tr = gradient_flow(W1, W2, syx, t)
    ts = gradient_flow(W1, W2, syx, np.sort(np.unique(t)))
    order = [3, 0, 2, 3, 1]  # positions of t in the sorted unique grid [0, .5, 1, 3]
    np.testing.assert_array_equal(tr.t, t)
    np.testing.assert_allclose(tr.W1, ts.W1[order], rtol=0, atol=1e-14)
    np.testing.assert_array_equal(tr.W1[1], W1)  # t = 0 is the initial condition exactly
    sc = gradient_flow(W1, W2, syx, 1.0)
    assert sc.W1.shape == W1.shape and sc.W2.shape == W2.shape and np.ndim(sc.t) == 0
    assert sc.qqt().shape == (5, 5) and sc.product().shape == (2, 3)
    np.testing.assert_allclose(sc.W1, tr.W1[2], atol=1e-10)
    z = gradient_flow(W1, W2, syx, [0.0, 0.0])
    assert z.W1.shape == (2, 5, 3)
    np.testing.assert_array_equal(z.W2[1], W2)


def test_trajectory_blocks(unbalanced_wide):
    W1, W2, syx = unbalanced_wide
    tr = gradient_flow(W1, W2, syx, [0.0, 2.0])
    Q = tr.qqt()
    assert Q.shape == (2, 5, 5)
    k = 1
    np.testing.assert_allclose(Q[k, :3, :3], tr.W1[k].T @ tr.W1[k], atol=1e-14)
    np.testing.assert_allclose(Q[k, 3:, :3], tr.W2[k] @ tr.W1[k], atol=1e-14)
    np.testing.assert_allclose(Q[k, :3, 3:], (tr.W2[k] @ tr.W1[k]).T, atol=1e-14)
    np.testing.assert_allclose(Q[k, 3:, 3:], tr.W2[k] @ tr.W2[k].T, atol=1e-14)
    assert isinstance(tr, Trajectory) and tr.loss is None


@pytest.fixture
def nonwhite_task():
    X, Y = random_regression_task(4, 3, 40, rng=1)
    X = X * np.array([[1.0], [0.7], [1.3], [0.9]])  # break whitening on purpose
    g = np.random.default_rng(5)
    W1 = 0.4 * g.standard_normal((3, 4))
    W2 = 0.4 * g.standard_normal((3, 3))
    return W1, W2, X, Y


def test_gd_converges_to_flow_first_order(nonwhite_task):
    """GD = explicit Euler for τ = 1: the error at fixed time T is ∝ lr (ratio 2 per halving).

    The flow side uses sigma_xx = XXᵀ/P, so this also checks the non-whitened flow."""
    W1, W2, X, Y = nonwhite_task
    sxx, syx = task_covariances(X, Y, whitened=False)
    T = 3.0
    gf = gradient_flow(W1, W2, syx, T, sigma_xx=sxx)
    B0 = W2.T @ W2 - W1 @ W1.T
    errs, drifts = [], []
    for lr in (0.04, 0.02, 0.01, 0.005):
        n = int(round(T / lr))
        gd = gradient_descent(W1, W2, X, Y, lr, n, record_every=n)
        assert gd.t[-1] == pytest.approx(T)
        errs.append(np.linalg.norm(gd.W1[-1] - gf.W1) + np.linalg.norm(gd.W2[-1] - gf.W2))
        drifts.append(np.linalg.norm(gd.balance()[-1] - B0))
    ratios = np.array(errs[:-1]) / np.array(errs[1:])
    # Measured 2.02, 2.01, 2.00: first order, the O(lr) term dominating.
    assert np.all((ratios > 1.9) & (ratios < 2.1)), ratios
    assert errs[-1] < 1e-3
    # Balance drift: O(lr²) per step × T/lr steps = O(lr) at fixed T (ratio 2, NOT 4).
    dr = np.array(drifts[:-1]) / np.array(drifts[1:])
    assert np.all((dr > 1.9) & (dr < 2.1)), dr


def test_gd_one_step_balance_change(nonwhite_task):
    """One GD step changes W2ᵀW2 − W1W1ᵀ by exactly lr²(W1GᵀGW1ᵀ − W2ᵀGGᵀW2) (algebra)."""
    W1, W2, X, Y = nonwhite_task
    lr = 0.1
    gd = gradient_descent(W1, W2, X, Y, lr, 1)
    P = X.shape[1]
    G = (Y @ X.T - W2 @ W1 @ X @ X.T) / P
    pred = lr ** 2 * (W1 @ G.T @ G @ W1.T - W2.T @ G @ G.T @ W2)
    got = gd.balance()[1] - gd.balance()[0]
    assert np.max(np.abs(got - pred)) <= 1e-14 * 10, np.max(np.abs(got - pred))
    assert np.max(np.abs(pred)) > 1e-4  # the O(lr²) term is really there


def test_gd_recording_and_loss(nonwhite_task):
    W1, W2, X, Y = nonwhite_task
    gd = gradient_descent(W1, W2, X, Y, 0.05, 23, record_every=5)
    np.testing.assert_allclose(gd.t, np.array([0, 5, 10, 15, 20, 23]) * 0.05)
    assert gd.W1.shape == (6, 3, 4) and gd.W2.shape == (6, 3, 3) and gd.loss.shape == (6,)
    np.testing.assert_array_equal(gd.W1[0], W1)
    P = X.shape[1]
    ref = [0.5 * np.sum((b @ a @ X - Y) ** 2) / P for a, b in zip(gd.W1, gd.W2)]
    np.testing.assert_allclose(gd.loss, ref, rtol=1e-13)
    assert np.all(np.diff(gd.loss) < 0)  # small lr: monotone decrease
    # recording every step reproduces the same states
    full = gradient_descent(W1, W2, X, Y, 0.05, 23)
    np.testing.assert_array_equal(full.W1[[0, 5, 10, 15, 20, 23]], gd.W1)
    zero = gradient_descent(W1, W2, X, Y, 0.05, 0)
    assert zero.W1.shape == (1, 3, 4) and zero.t[0] == 0.0


def test_gd_balanced_matches_flow_whitened():
    X, Y = random_regression_task(5, 3, rng=2)
    sxx, syx = task_covariances(X, Y)
    W1, W2 = lambda_balanced_init(0.5, 5, 3, 3, rng=4, scale=0.3)
    lr, n = 1e-3, 2000
    gd = gradient_descent(W1, W2, X, Y, lr, n, record_every=500)
    gf = gradient_flow(W1, W2, syx, gd.t)
    err = np.max(np.abs(gd.product() - gf.product()))
    assert err < 5e-3 * 1.0 and err > 1e-6  # O(lr) discrepancy, not zero


def test_gd_divergence_raises(nonwhite_task):
    W1, W2, X, Y = nonwhite_task
    with pytest.raises(InvalidArgument, match="lr"):
        gradient_descent(10 * W1, 10 * W2, X, Y, 50.0, 200)


@pytest.mark.parametrize("kwargs,name", [
    (dict(t=-1.0), "t"),
    (dict(t=[0.0, -0.5]), "t"),
    (dict(t=[[1.0]]), "t"),
    (dict(tau=0.0), "tau"),
    (dict(rtol=1e-16), "rtol"),
    (dict(sigma_yx=np.ones((3, 2))), "sigma_yx"),
    (dict(sigma_xx=np.ones((2, 2))), "sigma_xx"),
    (dict(sigma_xx=np.array([[1.0, 0.2, 0], [0.0, 1, 0], [0, 0, 1]])), "sigma_xx"),
    (dict(W1=np.full((5, 3), np.nan)), "W1"),
    (dict(W2=np.ones((2, 4))), "hidden"),
])
def test_flow_bad_arguments(unbalanced_wide, kwargs, name):
    W1, W2, syx = unbalanced_wide
    args = dict(W1=W1, W2=W2, sigma_yx=syx, t=1.0)
    args.update(kwargs)
    with pytest.raises(InvalidArgument, match=name):
        gradient_flow(**args)


@pytest.mark.parametrize("kwargs,name", [
    (dict(lr=0.0), "lr"),
    (dict(lr=-0.1), "lr"),
    (dict(steps=2.5), "steps"),
    (dict(steps=-1), "steps"),
    (dict(record_every=0), "record_every"),
    (dict(X=np.ones((3, 40))), "X"),
    (dict(Y=np.ones((3, 39))), "samples"),
    (dict(Y=np.full((3, 40), np.nan)), "Y"),
])
def test_gd_bad_arguments(nonwhite_task, kwargs, name):
    W1, W2, X, Y = nonwhite_task
    args = dict(W1=W1, W2=W2, X=X, Y=Y, lr=0.01, steps=3)
    args.update(kwargs)
    with pytest.raises(InvalidArgument, match=name):
        gradient_descent(**args)


def test_integration_error_is_lazyrich():
    from lazyrich._errors import LazyrichError
    assert issubclass(IntegrationError, LazyrichError)
