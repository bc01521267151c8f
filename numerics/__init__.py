"""Fast float64 numerics for two-layer linear networks, and (in :mod:`lazyrich.numerics.mp`) their
mpmath references.

Conventions (Dominé et al. 2025): W1 is N_h × N_i, W2 is N_o × N_h, the network computes W2 W1 x,
Σyx = YXᵀ/P is N_o × N_i, inputs are whitened (Σxx = I), τ is the time constant (τ = 1/η) and
λ-balance means W2ᵀW2 − W1W1ᵀ = λI. Every function validates its input and raises a
:class:`LazyrichError` (a ``ValueError``) naming the argument, the measured value and the fix.
"""

from ._aligned import aligned_trajectory, exponential_limit, sigmoid_limit, transition_function
from .._errors import (ArchitectureError, IntegrationError, InvalidArgument, LazyrichError,
                      NotBalancedError, NotWhitenedError, OutOfRangeError, ResourceLimitError,
                      SingularError)
from ._qqt import QQT, qqt, qqt_b5
from ._reference import Trajectory, gradient_descent, gradient_flow
from ._self_consistent import self_consistent
from ._representations import kernel_distance, ntk, representations
from ._spectral import TaskEigensystem, f_matrix, task_eigensystem
from ._tasks import random_regression_task, semantic_hierarchy, task_covariances
from ._weights import (lambda_balanced_init, lambda_of, split_singular_values, task_aligned_init,
                       task_modes, weights_from_network)
from . import generic  # noqa: E402  (exp, sqrt, log, ... for SymPy, mpmath and numpy alike)
from . import mp  # noqa: E402  (the mpmath references: numerics.mp.qqt, ...)

__all__ = [
    "aligned_trajectory", "transition_function", "sigmoid_limit", "exponential_limit",
    "QQT", "qqt", "qqt_b5", "f_matrix", "task_eigensystem", "TaskEigensystem",
    "lambda_balanced_init", "weights_from_network", "lambda_of", "split_singular_values",
    "task_aligned_init", "task_modes", "generic",
    "representations", "ntk", "kernel_distance",
    "gradient_flow", "gradient_descent", "Trajectory", "self_consistent",
    "random_regression_task", "semantic_hierarchy", "task_covariances",
    "LazyrichError", "InvalidArgument", "NotBalancedError", "NotWhitenedError",
    "ArchitectureError", "SingularError", "IntegrationError", "OutOfRangeError",
    "ResourceLimitError", "mp",
]
