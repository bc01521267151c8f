"""lazyrich: a symbolic-numeric verifier for the theory of learning dynamics in two-layer
linear networks.

Writing claims (the built-in ones use exactly this)::

    from lazyrich import Claim, Evidence, Scope, Source

    my = Claim(id="mypaper.eq3", title="...", source=Source("mypaper", "eq (3)", "§2"),
               statement=r"...", scope="any n ≥ 1", formulas={"f": my_formula})

    @my.check("numeric", tolerance=1e-12, precision="float64 vs mpmath 50 digits",
              justification="well-conditioned; float64 rounding only")
    def against_reference(f):
        return max_abs_difference(f.f(...), reference(...))   # or Evidence(...)

Sub-packages: :mod:`lazyrich.numerics` (float64 closed forms, references, ``numerics.mp`` at
any precision), :mod:`lazyrich.derive` (SymPy derivations), :mod:`lazyrich.proofs` (the papers'
claims), :mod:`lazyrich.engine` (discover, run, cache, mutate, CLI), :mod:`lazyrich.reports`
(HTML, LaTeX/PDF). Running claims: :func:`discover`, :func:`select`, :func:`run_claims` (from
the engine; imported on first use, so ``import lazyrich`` stays light).
"""

from __future__ import annotations

__version__ = "0.2.0"

from ._errors import (ArchitectureError, IntegrationError, InvalidArgument, LazyrichError,
                      NotBalancedError, NotWhitenedError, OutOfRangeError, ResourceLimitError,
                      SingularError)
from ._figures import Figure, Paper, figure, register_paper
from ._model import (CHECK_KINDS, IMPLEMENTATION_VERDICTS, STATEMENT_VERDICTS, VERDICTS, Check,
                     CheckAborted, Claim, ClaimResult, Evidence, Scope, Source,
                     combine_verdicts, judge, validate_id)

_ENGINE = {"claim", "RunOptions", "run_claims", "run_one", "ENTRY_POINT_GROUP", "discover", "load_file",
           "select", "OUTCOMES", "SCHEMA", "outcome", "record_outcome", "summarize",
           "run_mutations", "mutate_claim"}


def __getattr__(name):
    if name in _ENGINE:
        from . import engine
        return getattr(engine, name)
    raise AttributeError(f"module 'lazyrich' has no attribute {name!r}")


__all__ = [
    "__version__", "Claim", "Check", "ClaimResult", "Evidence", "Scope", "Source",
    "VERDICTS", "STATEMENT_VERDICTS", "IMPLEMENTATION_VERDICTS", "CHECK_KINDS", "CheckAborted",
    "combine_verdicts", "judge", "validate_id", "Figure", "Paper", "figure", "register_paper",
    "LazyrichError", "InvalidArgument", "NotBalancedError", "NotWhitenedError",
    "ArchitectureError", "SingularError", "IntegrationError", "OutOfRangeError",
    "ResourceLimitError", *sorted(_ENGINE),
]
