"""SymPy derivations: derivations as lists of checked steps, and reusable moves.

* :class:`Derivation` (``given`` / ``step`` / ``evidence``), :class:`Step`,
  :func:`reduce_to_zero`, :func:`find_counterexample`, :func:`chain`: the step-by-step format.
* Noncommutative block-matrix algebra (``NCAlgebra``, ``block_matrix``, ``block_mul``, ...),
  with exact matrix-valued refutation (``nc_step``, ``refute_with_matrices``).
* ODE checks (``ode_step``, ``nc_ode_step``, ``nc_derivative``, ...): does a candidate solve it?
* Gaussian moments (``GaussianEnsemble``, ``wick_moment``, ``hermite_expectation``) and
  index calculus with symbolic dimensions (``IndexCalculus``).
* Series, limits and signs (``record_limit``, ``record_error_order``, ``record_nonnegative``,
  ``taylor_coefficients``, ``at_infinity``) and moves for radicals and exponentials
  (``factor_radicands``, ``reduce_roots``, ``exp_expand``, ``cancel_exp``, ``together_expand``).

The claim model (``Evidence``, ``Scope``) a derivation produces lives in :mod:`lazyrich`.
"""

from ._blocks import (DiagonalGroup, NCAlgebra, NCMatrix, block_expand, block_identity,
                      block_matrix, block_mul, block_transpose, diagonal_groups, evaluate,
                      evaluate_blocks, nc_block_steps, nc_expand, nc_factors, nc_inverse,
                      nc_step, nc_terms, normalizer, random_rational_matrix, rational_orthogonal,
                      refute_with_matrices, rewriter, riccati_rhs, scalar_sampler,
                      shape_refutation, shaped_sampler, substitute_product)
from ._derivation import (DEFAULT_MOVES, Derivation, Step, chain, find_counterexample,
                          reduce_to_zero)
from ._gaussian import (GaussianEnsemble, IndexCalculus, gaussian_moment, hermite_expectation,
                        wick_moment)
from ._series import (at_infinity, cancel_exp, exp_expand, factor_radicands, record_error_order,
                      record_limit, record_nonnegative, reduce_roots, taylor_coefficients,
                      together_expand)
from ._ode import (initial_residual, nc_derivative, nc_ode_residual, nc_ode_step, ode_residual,
                   ode_step)

__all__ = [
    "DEFAULT_MOVES", "Derivation", "Step", "chain", "find_counterexample", "reduce_to_zero",
    "NCAlgebra", "block_expand", "block_matrix", "block_mul", "block_transpose", "evaluate",
    "evaluate_blocks", "nc_block_steps", "nc_expand", "nc_factors", "nc_step", "nc_terms",
    "riccati_rhs",
    "random_rational_matrix", "rational_orthogonal", "refute_with_matrices", "rewriter",
    "scalar_sampler", "substitute_product", "DiagonalGroup", "NCMatrix", "block_identity",
    "diagonal_groups", "nc_inverse", "normalizer", "shape_refutation", "shaped_sampler",
    "GaussianEnsemble", "IndexCalculus", "gaussian_moment", "hermite_expectation", "wick_moment",
    "at_infinity", "cancel_exp", "exp_expand", "factor_radicands", "record_error_order",
    "record_limit", "record_nonnegative", "reduce_roots", "taylor_coefficients",
    "together_expand",
    "initial_residual", "nc_derivative", "nc_ode_residual", "nc_ode_step", "ode_residual",
    "ode_step",
]
