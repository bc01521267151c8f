"""High-precision (mpmath) counterparts of the closed forms: the referee for the float64 code.

Each function takes float64 (or mpf) inputs, works at ``dps`` significant digits (50 by
default), raises the working precision by guard digits where the formula needs them (large
exponents, cancellation), and returns mpmath numbers (numpy object arrays of ``mpf`` for array
results). These are written independently of the float64 paths (literal printed forms evaluated
at high precision), so agreement between the two measures float64 rounding, not shared mistakes.
"""

from ._aligned import aligned_trajectory, ode_trajectory, to_mpf_array, transition_function
from ._flow import weights_from_network
from ._qqt import gradient_flow, qqt
from ._self_consistent import self_consistent

__all__ = ["aligned_trajectory", "transition_function", "ode_trajectory", "to_mpf_array",
           "qqt", "gradient_flow", "weights_from_network", "self_consistent"]
