"""SymPy derivations: derivations as lists of checked steps, and reusable moves.

Public API: :class:`Derivation` (``given``/``step``/``evidence``), :class:`Step`,
:func:`reduce_to_zero`, :func:`find_counterexample`, :func:`chain`.
"""

from ._derivation import (DEFAULT_MOVES, Derivation, Step, chain, find_counterexample,
                          reduce_to_zero)

__all__ = ["DEFAULT_MOVES", "Derivation", "Step", "chain", "find_counterexample",
           "reduce_to_zero"]
