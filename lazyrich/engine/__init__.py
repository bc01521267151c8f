"""The engine: finding claims, running them (in this process or on a process pool / Dask
cluster), the result cache, the results document, mutation analysis, sweeps, the command line
and the pytest plugin. It imports everything below it (model, numerics, derive, proofs); nothing
below imports it.
"""

from ._figures import for_report
from ._mutate import mutate_claim, run_mutations
from ._registry import ENTRY_POINT_GROUP, Registry, discover, load_file, select
from ._results import OUTCOMES, SCHEMA, outcome, record_outcome, summarize
from ._run import RunOptions, run_claims, run_one


def claim(claim_id: str):
    """The built-in (or entry-point) claim with this id, e.g. to reuse the formulas it tests:
    ``lazyrich.claim("domine2025.lemmaB.1").formulas["F_blocks"]``."""
    from .._errors import InvalidArgument

    claims = discover()
    if claim_id not in claims:
        near = [c for c in claims if claim_id.split(".")[-1] in c][:5]
        raise InvalidArgument(f"no claim {claim_id!r}" + (f"; did you mean {near}?" if near
                                                          else "") + " (`lazyrich list`).")
    return claims[claim_id]

__all__ = [
    "claim", "for_report", "ENTRY_POINT_GROUP", "OUTCOMES", "SCHEMA", "Registry", "RunOptions", "discover",
    "load_file", "mutate_claim", "outcome", "record_outcome", "run_claims", "run_mutations",
    "run_one", "select", "summarize",
]
