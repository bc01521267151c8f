"""The error hierarchy of lazyrich.

Every error is a ``ValueError`` (so callers that already catch ``ValueError`` keep working) and
every message names the offending argument, the value that was measured and what to do instead.
"""

from __future__ import annotations


class LazyrichError(ValueError):
    """Base class of every error lazyrich raises on bad input."""


class InvalidArgument(LazyrichError):
    """An argument has the wrong shape, type, sign, or is not finite."""


class NotBalancedError(LazyrichError):
    """Weights are not λ-balanced (assumption A2): W2ᵀW2 − W1W1ᵀ is not a multiple of I."""


class NotWhitenedError(LazyrichError):
    """Input data are not whitened (assumption A1): Σxx = XXᵀ/P is not the identity."""


class ArchitectureError(LazyrichError):
    """Impossible layer sizes, or a sign of λ that the architecture forbids."""


class SingularError(LazyrichError):
    """A matrix that the formula inverts is singular (or numerically so)."""


class IntegrationError(LazyrichError):
    """The ODE solver behind ``gradient_flow`` failed (step size underflow, non-finite state)."""


class OutOfRangeError(InvalidArgument):
    """Finite input outside the range in which float64 can give the answer: an intermediate
    result would overflow (weights near 1e154, whose W2ᵀW2 overflows), or the quantity asked for
    is below the rounding of the others (a λ smaller than the rounding of W2ᵀW2 − W1W1ᵀ)."""


class ResourceLimitError(LazyrichError):
    """The input asks for more memory, solver steps or digits of precision than lazyrich allows;
    the message names the limit and how to stay within it."""
