"""The engine: finding claims, running them (in this process or on a process pool / Dask
cluster), the result cache, the results document, mutation analysis, sweeps, the command line
and the pytest plugin. It imports everything below it (model, numerics, derive, proofs); nothing
below imports it.
"""

from ._mutate import mutate_claim, run_mutations
from ._registry import ENTRY_POINT_GROUP, Registry, discover, load_file, select
from ._results import OUTCOMES, SCHEMA, outcome, record_outcome, summarize
from ._run import RunOptions, run_claims, run_one

__all__ = [
    "ENTRY_POINT_GROUP", "OUTCOMES", "SCHEMA", "Registry", "RunOptions", "discover",
    "load_file", "mutate_claim", "outcome", "record_outcome", "run_claims", "run_mutations",
    "run_one", "select", "summarize",
]
