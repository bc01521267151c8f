"""The bad-input table: every public entry point rejects bad input with a LazyrichError (a
ValueError) whose message names the argument and the measured value, never a NaN or a wrong
number."""

import numpy as np
import pytest

from lazyrich import numerics
from lazyrich.numerics import (ArchitectureError, InvalidArgument, LazyrichError, NotBalancedError,
                      NotWhitenedError)

RNG = np.random.default_rng(0)
W1, W2 = numerics.lambda_balanced_init(0.5, 3, 3, 4, rng=1)
S = RNG.standard_normal((4, 3))
X, Y = numerics.random_regression_task(3, 4, 20, rng=2)
UNBALANCED = (W1 + 0.1, W2)
NAN_W1 = np.where(np.eye(*W1.shape) > 0, np.nan, W1)

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
]


@pytest.mark.parametrize("call,error,words", CASES, ids=[str(i) for i in range(len(CASES))])
def test_bad_input_raises_a_clear_error(call, error, words):
    with pytest.raises(error) as info:
        call()
    assert isinstance(info.value, LazyrichError) and isinstance(info.value, ValueError)
    message = str(info.value)
    assert "\n" not in message.strip(), "error messages are one line"
    for w in words:
        assert w in message, (w, message)
