"""The bad-input table: every public entry point rejects bad input with a LazyrichError (a
ValueError) whose message names the argument and the measured value, never a NaN, a dropped
imaginary part or a wrong number; input that would exhaust memory, time or precision is refused
with ResourceLimitError before the work starts (or, for integrators, at a stated budget)."""

import fractions
import warnings

import mpmath
import numpy as np
import pytest

from lazyrich import numerics
from lazyrich._errors import OutOfRangeError, ResourceLimitError
from lazyrich.numerics import (ArchitectureError, IntegrationError, InvalidArgument, LazyrichError,
                               NotBalancedError, NotWhitenedError)
from lazyrich.numerics import generic as g

RNG = np.random.default_rng(0)
W1, W2 = numerics.lambda_balanced_init(0.5, 3, 3, 4, rng=1)
S = RNG.standard_normal((4, 3))
X, Y = numerics.random_regression_task(3, 4, 20, rng=2)
UNBALANCED = (W1 + 0.1, W2)
NAN_W1 = np.where(np.eye(*W1.shape) > 0, np.nan, W1)
CPLX = S + 1j * S
A0 = np.array([[0.3, 0.1], [0.0, 0.2]])
_R = np.random.default_rng(5)
TINY_UNBALANCED = (1e-5 * _R.standard_normal((3, 3)), 1e-5 * _R.standard_normal((3, 3)))
TINY_TASK = 1e-10 * _R.standard_normal((3, 3))
W0_1, W0_2 = numerics.lambda_balanced_init(0.0, 3, 3, 4, rng=1)      # λ = 0

CASES = [
    # (call, error type, words the message must contain)
    (lambda: numerics.qqt(*UNBALANCED, S, 1.0), NotBalancedError, ["λ-balanced", "lambda_balanced_init"]),
    (lambda: numerics.qqt(W1, W2, S.T, 1.0), InvalidArgument, ["sigma_yx", "(4, 3)"]),
    (lambda: numerics.qqt(W1, W2, S, -1.0), InvalidArgument, ["t", ">= 0"]),
    (lambda: numerics.qqt(W1, W2, S, [0.0, np.inf]), InvalidArgument, ["t", "NaN/inf"]),
    (lambda: numerics.qqt(NAN_W1, W2, S, 1.0), InvalidArgument, ["W1", "NaN/inf"]),
    (lambda: numerics.qqt(W1, W2, S, 1.0, tau=0.0), InvalidArgument, ["tau"]),
    (lambda: numerics.qqt(W1, W2[:, :1], S, 1.0), InvalidArgument, ["hidden"]),
    (lambda: numerics.mp.qqt(*UNBALANCED, S, 1.0), NotBalancedError, ["balanced"]),
    (lambda: numerics.aligned_trajectory(1.0, 0.1, np.nan, 1.0), InvalidArgument, ["lam"]),
    (lambda: numerics.aligned_trajectory(1.0, 0.1, 0.5, -2.0), InvalidArgument, ["t"]),
    (lambda: numerics.aligned_trajectory(1.0, 0.1, 0.5, 1.0, tau=-1), InvalidArgument, ["tau"]),
    (lambda: numerics.transition_function(np.inf, 0.1, 0.5, 1.0), InvalidArgument, ["s_target"]),
    (lambda: numerics.mp.aligned_trajectory(1.0, np.nan, 0.5, 1.0), InvalidArgument, ["s0"]),
    (lambda: numerics.lambda_balanced_init(0.5, 3, 1, 4), ArchitectureError, ["N_h", "[3, 4]"]),
    (lambda: numerics.lambda_balanced_init(0.5, 3, 5, 4), ArchitectureError, ["N_h"]),
    (lambda: numerics.lambda_balanced_init(0.5, 5, 4, 3), ArchitectureError, ["λ", "≤ 0"]),
    (lambda: numerics.lambda_balanced_init(-0.5, 3, 4, 5), ArchitectureError, ["λ", "≥ 0"]),
    (lambda: numerics.lambda_balanced_init(np.nan, 3, 3, 3), InvalidArgument, ["lam"]),
    (lambda: numerics.weights_from_network(S, 0.5, R=np.ones((3, 3))), InvalidArgument, ["R"]),
    (lambda: numerics.weights_from_network(S * np.nan, 0.5), InvalidArgument, ["A"]),
    (lambda: numerics.lambda_of(*UNBALANCED), NotBalancedError, ["λ-balanced"]),
    (lambda: numerics.task_covariances(2 * X, Y), NotWhitenedError, ["whiten"]),
    (lambda: numerics.task_covariances(X, Y[:, :5]), InvalidArgument, ["Y"]),
    (lambda: numerics.gradient_flow(W1, W2, S, -0.5), InvalidArgument, ["t"]),
    (lambda: numerics.gradient_flow(W1, W2, S[:2], 1.0), InvalidArgument, ["sigma_yx"]),
    (lambda: numerics.gradient_descent(W1, W2, X, Y, lr=0.0, steps=3), InvalidArgument, ["lr"]),
    (lambda: numerics.gradient_descent(W1, W2, X, Y, lr=0.1, steps=-1), InvalidArgument, ["steps"]),
    (lambda: numerics.gradient_descent(W1, W2, X[:2], Y, lr=0.1, steps=1), InvalidArgument, ["X"]),
    (lambda: numerics.ntk(W1, W2, X[:2]), InvalidArgument, ["X"]),
    (lambda: numerics.kernel_distance(np.zeros((2, 2)), np.eye(2)), InvalidArgument, ["K1"]),
    (lambda: numerics.random_regression_task(5, 2, 3), InvalidArgument, ["n_samples"]),
    # ---- issue 13 §7: complex input is refused, its imaginary part never dropped -------------
    (lambda: numerics.qqt(W1, W2, CPLX, 1.0), InvalidArgument, ["sigma_yx", "complex", ".real"]),
    (lambda: numerics.qqt(W1, W2, S + 0j, 1.0), InvalidArgument, ["sigma_yx", "complex"]),
    (lambda: numerics.qqt(W1 + 1j, W2, S, 1.0), InvalidArgument, ["W1", "complex"]),
    (lambda: numerics.qqt(W1, W2, S, np.array([1 + 1j])), InvalidArgument, ["t", "complex"]),
    (lambda: numerics.qqt_b5(W1, W2, CPLX, 1.0), InvalidArgument, ["sigma_yx", "complex"]),
    (lambda: numerics.QQT(W1, W2, CPLX), InvalidArgument, ["sigma_yx", "complex"]),
    (lambda: numerics.f_matrix(CPLX, 0.5), InvalidArgument, ["sigma_yx", "complex"]),
    (lambda: numerics.lambda_balanced_init(0.5, 3, 3, 4, aligned_to=CPLX), InvalidArgument,
     ["aligned_to", "complex"]),
    (lambda: numerics.weights_from_network(CPLX, 0.5), InvalidArgument, ["A", "complex"]),
    (lambda: numerics.weights_from_network(S, 0.5, R=np.eye(3) + 0j), InvalidArgument,
     ["R", "complex"]),
    (lambda: numerics.lambda_of(W1 + 1j, W2), InvalidArgument, ["W1", "complex"]),
    (lambda: numerics.split_singular_values(np.array([1 + 1j]), 0.5), InvalidArgument,
     ["s", "complex"]),
    (lambda: numerics.task_aligned_init(S, 0.1 + 1j, 0.5), InvalidArgument, ["s0", "complex"]),
    (lambda: numerics.task_aligned_init(S, np.full(3, 0.1 + 1j), 0.5), InvalidArgument,
     ["s0", "complex"]),
    (lambda: numerics.task_aligned_init(CPLX, 0.1, 0.5), InvalidArgument, ["sigma_yx", "complex"]),
    (lambda: numerics.task_modes(CPLX, S), InvalidArgument, ["product", "complex"]),
    (lambda: numerics.representations(W1, W2, X + 1j, Y), InvalidArgument, ["X", "complex"]),
    (lambda: numerics.ntk(W1 + 1j, W2, X), InvalidArgument, ["W1", "complex"]),
    (lambda: numerics.kernel_distance(np.eye(2) + 1j, np.eye(2)), InvalidArgument,
     ["K1", "complex"]),
    (lambda: numerics.gradient_flow(W1, W2, CPLX, 1.0), InvalidArgument, ["sigma_yx", "complex"]),
    (lambda: numerics.gradient_flow(W1, W2, S, 1.0, sigma_xx=np.eye(3) + 0j), InvalidArgument,
     ["sigma_xx", "complex"]),
    (lambda: numerics.gradient_descent(W1, W2, X + 1j, Y, lr=0.1, steps=3), InvalidArgument,
     ["X", "complex"]),
    (lambda: numerics.self_consistent(A0 + 1j, A0, 0.5, 1.0), InvalidArgument, ["A0", "complex"]),
    (lambda: numerics.task_covariances(X + 1j, Y), InvalidArgument, ["X", "complex"]),
    (lambda: numerics.aligned_trajectory(1.0, 0.1 + 1j, 0.5, 1.0), InvalidArgument,
     ["s0", "complex"]),
    (lambda: numerics.mp.qqt(W1, W2, CPLX, 1.0), InvalidArgument, ["sigma_yx[0, 0]", "complex"]),
    (lambda: numerics.mp.aligned_trajectory(1.0, mpmath.mpc(0.1, 1), 0.5, 1.0), InvalidArgument,
     ["s0", "complex"]),
    (lambda: numerics.mp.weights_from_network(S, 0.5j), InvalidArgument, ["lam", "complex"]),
    (lambda: numerics.mp.self_consistent(A0, A0, mpmath.mpc(0, 1), 1.0), InvalidArgument,
     ["c", "complex"]),
    # ---- other things that are not real numbers ----------------------------------------------
    (lambda: numerics.qqt(W1, W2, S, True), InvalidArgument, ["t", "bool"]),
    (lambda: numerics.qqt(np.eye(3, dtype=bool), W2, S, 1.0), InvalidArgument, ["W1", "bool"]),
    (lambda: numerics.qqt(W1, W2, S, "1"), InvalidArgument, ["t", "string"]),
    (lambda: numerics.qqt(W1.astype(str), W2, S, 1.0), InvalidArgument, ["W1", "strings"]),
    (lambda: numerics.qqt(np.zeros((3, 3), dtype="datetime64[s]"), W2, S, 1.0), InvalidArgument,
     ["W1", "dates"]),
    (lambda: numerics.qqt(np.array([[None] * 3] * 3), W2, S, 1.0), InvalidArgument,
     ["W1[0, 0]", "None"]),
    (lambda: numerics.qqt(W1, W2, [[1.0, 2.0], [3.0]], 1.0), InvalidArgument,
     ["sigma_yx", "rectangular"]),
    (lambda: numerics.qqt(W1, W2, S, 10**400), OutOfRangeError, ["t", "float64 range"]),
    (lambda: numerics.qqt(W1, W2, S, None), InvalidArgument, ["t", "None"]),
    (lambda: numerics.lambda_balanced_init(True, 3, 3, 3), InvalidArgument, ["lam", "bool"]),
    (lambda: numerics.lambda_balanced_init(0.5, 3, 3, 3, rng=-1), InvalidArgument,
     ["rng", "non-negative"]),
    (lambda: numerics.split_singular_values("x", 0.5), InvalidArgument, ["s", "string"]),
    (lambda: numerics.task_aligned_init(S, None, 0.5), InvalidArgument, ["s0", "None"]),
    (lambda: numerics.task_modes("abc", S), InvalidArgument, ["product", "string"]),
    (lambda: numerics.task_covariances(X, Y, whitened="no"), InvalidArgument, ["whitened"]),
    (lambda: numerics.mp.qqt(np.eye(3, dtype=bool), W2, S, 1.0), InvalidArgument,
     ["W1[0, 0]", "True"]),
    (lambda: numerics.mp.aligned_trajectory(True, 0.1, 0.5, 1.0), InvalidArgument,
     ["s_target", "True"]),
    (lambda: numerics.mp.to_mpf_array("x", [None]), InvalidArgument, ["x", "None"]),
    # ---- NaN, sign and shape errors the tables above did not cover ---------------------------
    (lambda: numerics.split_singular_values(np.nan, 0.5), InvalidArgument, ["s", "NaN"]),
    (lambda: numerics.split_singular_values(-1.0, 0.5), InvalidArgument, ["s", ">= 0"]),
    (lambda: numerics.split_singular_values(1.0, np.nan), InvalidArgument, ["lam", "NaN"]),
    (lambda: numerics.split_singular_values(1.0, [0.5, 1.0]), InvalidArgument, ["lam", "0-D"]),
    (lambda: numerics.task_aligned_init(S, np.nan, 0.5), InvalidArgument, ["s0", "NaN"]),
    (lambda: numerics.task_modes(S * np.nan, S), InvalidArgument, ["product", "NaN"]),
    (lambda: numerics.task_modes(np.zeros((0, 3)), np.zeros((0, 3))), InvalidArgument,
     ["sigma_yx", "at least one"]),
    (lambda: numerics.kernel_distance(np.zeros((0, 0)), np.zeros((0, 0))), InvalidArgument,
     ["empty"]),
    (lambda: numerics.kernel_distance(np.ones((3, 2, 2)), np.ones((4, 2, 2))), InvalidArgument,
     ["K1", "broadcast"]),
    (lambda: numerics.gradient_flow(W1, W2, S, 10.0, sigma_xx=-np.eye(3)), InvalidArgument,
     ["sigma_xx", "positive semi-definite", "-1"]),
    # ---- weights that are not λ-balanced at their own scale (tiny ones included) -------------
    (lambda: numerics.qqt(*TINY_UNBALANCED, TINY_TASK, 1e10), NotBalancedError,
     ["λ-balanced", "gradient_flow"]),
    (lambda: numerics.lambda_of(*TINY_UNBALANCED), NotBalancedError, ["λ-balanced"]),
    (lambda: numerics.mp.qqt(W0_1 * 1e10, W0_2 * 1e10, S, 1.0), NotBalancedError,
     ["λ-balanced", "settles"]),
    # ---- finite input whose answer float64 cannot hold ---------------------------------------
    (lambda: numerics.lambda_balanced_init(0.5, 3, 3, 3, scale=1e8, rng=0), OutOfRangeError,
     ["lam = 0.5", "scale = 1e+08", "read back", "lam=0"]),
    (lambda: numerics.lambda_balanced_init(1e-12, 3, 3, 3, rng=0), OutOfRangeError,
     ["lam = 1e-12", "read back"]),
    (lambda: numerics.lambda_balanced_init(0.5, 3, 3, 3, scale=1e200, rng=0), OutOfRangeError,
     ["scale = 1e+200", "overflow"]),
    (lambda: numerics.lambda_balanced_init(1e308, 3, 3, 3, rng=0), OutOfRangeError,
     ["lam = 1e+308", "MAX_GRAM"]),
    (lambda: numerics.weights_from_network(S * 1e20, 0.5), OutOfRangeError,
     ["lam = 0.5", "A (max |entry|", "read back"]),
    (lambda: numerics.weights_from_network(S * 1e308, 0.5), OutOfRangeError, ["A", "float64"]),
    (lambda: numerics.task_aligned_init(S, 1e20, 0.5), OutOfRangeError, ["lam = 0.5", "s0"]),
    (lambda: numerics.qqt(W1 * 1e154, W2 * 1e154, S, 1.0), OutOfRangeError,
     ["W1, W2", "MAX_GRAM", "Rescale"]),
    (lambda: numerics.lambda_of(W1 * 1e200, W2 * 1e200), OutOfRangeError, ["W1, W2", "MAX_GRAM"]),
    (lambda: numerics.mp.qqt(W1 * 1e154, W2 * 1e154, S, 1.0), ResourceLimitError,
     ["MAX_WORK_DPS", "numerics.qqt"]),
    (lambda: numerics.gradient_flow(W1 * 1e154, W2 * 1e154, S, 1.0), OutOfRangeError,
     ["W1, W2", "Rescale"]),
    (lambda: numerics.gradient_descent(W1, W2, X * 1e200, Y, lr=0.1, steps=3), OutOfRangeError,
     ["X", "overflows"]),
    (lambda: numerics.task_modes(S * 1e308, S), OutOfRangeError, ["product", "overflows"]),
    (lambda: numerics.representations(W1 * 1e200, W2, X, Y), OutOfRangeError,
     ["RSM_I", "max |W1| ="]),
    (lambda: numerics.ntk(W1 * 1e200, W2, X), OutOfRangeError, ["NTK", "max |W1| ="]),
    (lambda: numerics.task_covariances(X * 1e200, Y, whitened=False), OutOfRangeError,
     ["X, Y", "overflows"]),
    (lambda: numerics.random_regression_task(1, 1, rng=0, noise=1e308), OutOfRangeError,
     ["noise = 1e+308", "overflow"]),
    # ---- sizes, steps and digits that would exhaust memory or time ---------------------------
    (lambda: numerics.lambda_balanced_init(0.0, 10**6, 10**6, 10**6), ResourceLimitError,
     ["MAX_ELEMENTS", "smaller layers"]),
    (lambda: numerics.lambda_balanced_init(0.0, 10**30, 10**30, 10**30), ResourceLimitError,
     ["MAX_ELEMENTS"]),
    (lambda: numerics.random_regression_task(10**5, 10**5, 10**5), ResourceLimitError,
     ["MAX_ELEMENTS"]),
    (lambda: numerics.ntk(np.zeros((3, 3)), np.zeros((1000, 3)), np.zeros((3, 10000))),
     ResourceLimitError, ["NTK", "MAX_ELEMENTS"]),
    (lambda: numerics.gradient_flow(W1, W2, S, np.zeros(2 * 10**6)), ResourceLimitError,
     ["trajectory", "fewer times"]),
    (lambda: numerics.gradient_descent(W1, W2, X, Y, lr=1e-3, steps=10**12), ResourceLimitError,
     ["steps", "MAX_GD_STEPS"]),
    (lambda: numerics.gradient_descent(W1, W2, X, Y, lr=1e-3, steps=10**7), ResourceLimitError,
     ["record_every", "MAX_ELEMENTS"]),
    (lambda: numerics.gradient_flow(W1, W2, S, 1e300, tau=1e-300), IntegrationError,
     ["τ = 1e-300"]),
    (lambda: numerics.mp.qqt(W1, W2, S, 1.0, dps=10**6), ResourceLimitError, ["dps", "MAX_DPS"]),
    (lambda: numerics.mp.gradient_flow(W1, W2, S, 1.0, dps=10**6), ResourceLimitError,
     ["dps", "MAX_DPS"]),
    (lambda: numerics.mp.weights_from_network(S, 0.5, dps=10**6), ResourceLimitError,
     ["MAX_DPS"]),
    (lambda: numerics.mp.aligned_trajectory(1.0, 0.1, 0.5, 1.0, dps=10**6), ResourceLimitError,
     ["MAX_DPS"]),
    (lambda: numerics.mp.transition_function(1.0, 0.1, 0.5, 1.0, dps=10**6), ResourceLimitError,
     ["MAX_DPS"]),
    (lambda: numerics.mp.ode_trajectory(1.0, 0.1, 0.5, 1.0, dps=10**6), ResourceLimitError,
     ["MAX_DPS"]),
    (lambda: numerics.mp.self_consistent(A0, A0, 0.5, 1.0, dps=10**6), ResourceLimitError,
     ["MAX_DPS"]),
    (lambda: numerics.mp.qqt(W1, W2, S, 1e300), ResourceLimitError,
     ["t = 1e+300", "MAX_WORK_DPS", "numerics.qqt"]),
    (lambda: numerics.mp.qqt(W1, W2, S, 1.0, tau=1e-300), ResourceLimitError, ["MAX_WORK_DPS"]),
    (lambda: numerics.mp.self_consistent(A0, A0, 0.5, 1e300), ResourceLimitError,
     ["MAX_WORK_DPS"]),
    (lambda: numerics.mp.weights_from_network(np.ones((200, 200)), 0.5), ResourceLimitError,
     ["A", "MAX_DIM"]),
    (lambda: numerics.mp.aligned_trajectory(np.ones(10**6), 0.1, 0.5, 1.0), ResourceLimitError,
     ["MAX_POINTS"]),
    (lambda: numerics.mp.aligned_trajectory(1.0, -0.1, 0.0, 1e6), ResourceLimitError,
     ["did not settle", "aligned_trajectory"]),
    (lambda: numerics.mp.aligned_trajectory(mpmath.mpf("1e100000"), 0.1, 0.5, 1.0),
     InvalidArgument, ["s_target", "MAX_EXP10"]),
    # ---- generic: no NaN, inf or complex from a real argument --------------------------------
    (lambda: g.log(-1.0), InvalidArgument, ["log", "-1.0", "x > 0"]),
    (lambda: g.log(0.0), InvalidArgument, ["log", "x > 0"]),
    (lambda: g.log(mpmath.mpf(-1)), InvalidArgument, ["log", "x > 0", "mpc"]),
    (lambda: g.sqrt(np.array([4.0, -1.0])), InvalidArgument, ["sqrt", "-1.0", "x >= 0"]),
    (lambda: g.arctanh(2.0), InvalidArgument, ["arctanh", "-1 < x < 1"]),
    (lambda: g.exp(1000.0), OutOfRangeError, ["exp", "1000", "mpmath"]),
    (lambda: g.exp("1"), InvalidArgument, ["string"]),
    (lambda: g.exp(None), InvalidArgument, ["None"]),
    (lambda: g.sign(np.nan), InvalidArgument, ["NaN"]),
    (lambda: g.exp(True), InvalidArgument, ["bool"]),
]


@pytest.mark.parametrize("call,error,words", CASES, ids=[str(i) for i in range(len(CASES))])
def test_bad_input_raises_a_clear_error(call, error, words):
    with pytest.raises(error) as info, warnings.catch_warnings():
        warnings.simplefilter("error")      # no ComplexWarning, no overflow RuntimeWarning
        call()
    assert isinstance(info.value, LazyrichError) and isinstance(info.value, ValueError)
    message = str(info.value)
    assert "\n" not in message.strip(), "error messages are one line"
    for w in words:
        assert w in message, (w, message)


# Integrators stop at a budget instead of running for ever; the budgets are lowered here so that
# the test is fast (the default budgets are reached in ~2 s (float64) and ~1 min (mpmath)).
BUDGETS = [
    ("lazyrich.numerics._reference", "MAX_RHS_EVALS", 2000,
     lambda: numerics.gradient_flow(W1, W2, S, 1e300), ["t = ", "MAX_RHS_EVALS", "qqt("]),
    ("lazyrich.numerics.mp._qqt", "MAX_ODE_WORK", 2000,
     lambda: numerics.mp.gradient_flow(W1[:1, :1], W2[:1, :1], S[:1, :1], 1e300),
     ["MAX_ODE_WORK", "qqt("]),
    ("lazyrich.numerics.mp._aligned", "MAX_ODE_WORK", 2000,
     lambda: numerics.mp.ode_trajectory(1.0, 0.1, 0.5, 1e300), ["MAX_ODE_WORK",
                                                                "aligned_trajectory"]),
    ("lazyrich.numerics.mp._aligned", "MAX_ODE_WORK", 3000,
     lambda: numerics.mp.ode_trajectory(1.0, 0.1, 0.5, np.full(100, 5.0)), ["MAX_ODE_WORK",
                                                                          "fewer points"]),
]


@pytest.mark.parametrize("module,name,value,call,words", BUDGETS,
                         ids=[f"{b[0].rsplit('.', 1)[1]}.{b[1]}-{i}" for i, b in enumerate(BUDGETS)])
def test_integrators_stop_at_their_budget(monkeypatch, module, name, value, call, words):
    import importlib

    monkeypatch.setattr(importlib.import_module(module), name, value)
    with pytest.raises(IntegrationError) as info:
        call()
    message = str(info.value)
    assert "\n" not in message.strip()
    for w in words:
        assert w in message, (w, message)


def test_non_numeric_objects_that_are_real_numbers_are_still_accepted():
    """Exact rationals, mpf and integer arrays are real numbers: taken, not refused."""
    third = np.array([[fractions.Fraction(1, 3)]], dtype=object)
    W = numerics.weights_from_network(third, 0.0)
    np.testing.assert_allclose(W[1] @ W[0], [[1 / 3]], rtol=1e-15)
    mp_W1 = np.vectorize(mpmath.mpf, otypes=[object])(W1)
    np.testing.assert_array_equal(numerics.qqt(mp_W1, W2, S, 1.0), numerics.qqt(W1, W2, S, 1.0))
    assert numerics.qqt(W1, W2, S, 1).shape == (7, 7)
