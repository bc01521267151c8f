"""The claims of the papers and the engine that checks them.

Public API for writing claims (the built-in ones use exactly this)::

    from proofs import Claim, Source, Evidence

    my = Claim(id="mypaper.eq3", title="...", source=Source("mypaper", "eq (3)", "§2"),
               statement=r"...", formulas={"f": my_formula})

    @my.check("numeric", tolerance=1e-12, precision="float64 vs mpmath 50 digits",
              justification="well-conditioned; float64 rounding only")
    def against_reference(f):
        return max_abs_difference(f.f(...), reference(...))   # or Evidence(...)

and for running them: :func:`discover`, :func:`select`, :func:`run_claims`.
"""

__version__ = "0.1.0"

from ._claim import (IMPLEMENTATION_VERDICTS, STATEMENT_VERDICTS, VERDICTS, Check, CheckAborted,
                     Claim, ClaimResult, Evidence, Scope, Source, combine_verdicts, judge)
from ._engine import RunOptions, run_claims, run_one
from ._registry import ENTRY_POINT_GROUP, discover, load_file, select
from ._results import OUTCOMES, SCHEMA, outcome, record_outcome, summarize

__all__ = [
    "IMPLEMENTATION_VERDICTS", "STATEMENT_VERDICTS", "CheckAborted", "Scope", "judge",
    "record_outcome", "VERDICTS", "OUTCOMES", "SCHEMA", "ENTRY_POINT_GROUP", "Check", "Claim", "ClaimResult",
    "Evidence", "Source", "RunOptions", "combine_verdicts", "discover", "load_file", "outcome",
    "run_claims", "run_one", "select", "summarize",
]
