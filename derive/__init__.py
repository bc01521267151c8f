"""SymPy derivations: derivations as lists of checked steps, and reusable moves.

* :class:`Derivation` (``given`` / ``step`` / ``evidence``), :class:`Step`,
  :func:`reduce_to_zero`, :func:`find_counterexample`, :func:`chain`: the step-by-step format.
* Noncommutative block-matrix algebra (``NCAlgebra``, ``block_matrix``, ``block_mul``, ...),
  with exact matrix-valued refutation (``nc_step``, ``refute_with_matrices``).
* ODE checks (``ode_step``, ``nc_ode_step``, ``nc_derivative``, ...): does a candidate solve it?
* Gaussian moments (``GaussianEnsemble``, ``wick_moment``, ``hermite_expectation``).
"""

from ._blocks import (NCAlgebra, block_expand, block_matrix, block_mul, block_transpose,
                      evaluate, evaluate_blocks, nc_block_steps, nc_expand, nc_factors, nc_step,
                      nc_terms, random_rational_matrix, rational_orthogonal,
                      refute_with_matrices, rewriter, riccati_rhs, scalar_sampler,
                      substitute_product)
from ._derivation import (DEFAULT_MOVES, Derivation, Step, chain, find_counterexample,
                          reduce_to_zero)
from ._gaussian import GaussianEnsemble, gaussian_moment, hermite_expectation, wick_moment
from ._ode import (initial_residual, nc_derivative, nc_ode_residual, nc_ode_step, ode_residual,
                   ode_step)

__all__ = [
    "DEFAULT_MOVES", "Derivation", "Step", "chain", "find_counterexample", "reduce_to_zero",
    "NCAlgebra", "block_expand", "block_matrix", "block_mul", "block_transpose", "evaluate",
    "evaluate_blocks", "nc_block_steps", "nc_expand", "nc_factors", "nc_step", "nc_terms",
    "riccati_rhs",
    "random_rational_matrix", "rational_orthogonal", "refute_with_matrices", "rewriter",
    "scalar_sampler", "substitute_product",
    "GaussianEnsemble", "gaussian_moment", "hermite_expectation", "wick_moment",
    "initial_residual", "nc_derivative", "nc_ode_residual", "nc_ode_step", "ode_residual",
    "ode_step",
]
