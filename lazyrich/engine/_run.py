"""Running claims, with a result cache: on a local pool of worker processes (the default, see
``_pool``), on an existing Dask cluster (``scheduler``), or in this process (``in_process``,
for debugging: no isolation from checks that exit or hang).

A check that raises, a claim that exceeds its timeout or a worker that dies becomes that claim's
``error``; the run goes on. For a Dask cluster the unit of work is a claim *id* plus the text of
the user's claim files, so a remote worker (where lazyrich is installed) rebuilds the same
registry and runs the same code.
"""

from __future__ import annotations

import math
import os
import signal
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from typing import Callable

from .._errors import InvalidArgument

from . import _cache, _timings
from .._model import CheckAborted, Claim
from ._registry import discover
from ._results import document

_REGISTRIES: dict[tuple, dict[str, Claim]] = {}


def _registry(user_files: tuple):
    if user_files not in _REGISTRIES:
        _REGISTRIES[user_files] = discover(list(user_files))
    return _REGISTRIES[user_files]


def _jsonable(x):
    """Convert numpy scalars/arrays (and nested containers) to plain JSON types."""
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, float):
        return x if math.isfinite(x) else str(x)
    if x is None or isinstance(x, (str, int, bool)):
        return x
    if hasattr(x, "tolist"):
        return _jsonable(x.tolist())
    try:
        return _jsonable(float(x))
    except (TypeError, ValueError):
        return str(x)


def _error_record(claim: Claim, message: str, tb: str | None, seconds: float) -> dict:
    """The record of a claim whose run failed as a whole (a timeout, a dead worker)."""
    from .._model import ClaimResult, _blank_record

    check = _blank_record("(run)", "numeric", None, "", "")
    check.update(detail=message, traceback=tb, seconds=seconds)
    return ClaimResult(claim, [check], seconds).as_dict()


class _Timeout(CheckAborted):
    """Raised by the interval timer; a BaseException so that a check cannot swallow it."""


def run_one(claim: Claim) -> dict:
    """Run a claim here and return its JSON-ready record (never raises).

    In the main thread the claim's ``timeout`` is enforced with an interval timer; elsewhere (a
    Dask worker thread) the engine enforces it from the outside.
    """
    start = time.perf_counter()
    use_alarm = (threading.current_thread() is threading.main_thread()
                 and hasattr(signal, "setitimer") and claim.timeout)
    old = None
    if use_alarm:
        def _raise(signum, frame):
            raise _Timeout()
        old = signal.signal(signal.SIGALRM, _raise)
        signal.setitimer(signal.ITIMER_REAL, claim.timeout)
    try:
        record = claim.run().as_dict()
        record["_dependencies"] = _cache.local_dependencies()
    except _Timeout:
        record = _error_record(claim, f"timed out after {claim.timeout:g} s", None,
                               time.perf_counter() - start)
    except Exception as exc:
        record = _error_record(claim, f"{type(exc).__name__}: {exc}", traceback.format_exc(),
                               time.perf_counter() - start)
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)
    return _jsonable(record)


def _mutation_summary(root, claim: Claim | None, key: str | None, opts) -> dict | None:
    """The latest ``lazyrich mutate`` measurement of this claim, if it was made on exactly
    the code that produced this result (same cache key); None otherwise."""
    from ._mutate import summary_of

    if claim is None or key is None:
        return None
    try:
        rec = _cache.load(root, claim, key, warn=opts.warn, kind="mutations")
    except (OSError, ValueError):
        return None
    return summary_of(rec)


def run_remote(claim_id: str, user_files: tuple) -> dict:
    """Worker entry point: rebuild the registry (with the user's files) and run one claim."""
    return run_one(_registry(user_files)[claim_id])


@dataclass
class RunOptions:
    """How to run.

    ``jobs``: worker processes of the local pool (default: the CPU count; capped at it and at
    the number of claims to run). ``scheduler``: the address of an existing Dask cluster to use
    instead. ``in_process``: run in this process (debugging; a check that exits or hangs takes
    the run with it). ``use_cache=False`` recomputes and overwrites the cache. ``on_result``
    receives each record as it finishes; ``on_running`` about once a second the (id, seconds)
    of the claims still running."""

    jobs: int | None = None
    scheduler: str | None = None
    use_cache: bool = True
    cache_dir: str | None = None
    strict: bool = False
    user_files: tuple = ()
    in_process: bool = False
    on_result: Callable[[dict, int, int], None] | None = None
    on_running: Callable[[list[tuple[str, float]]], None] | None = None
    warn: Callable[[str], None] = field(default=lambda msg: print(msg, file=sys.stderr))


def run_claims(claims: list[Claim], options: RunOptions | None = None) -> dict:
    """Run ``claims`` and return the results document (schema ``lazyrich.results/2``: the
    JSON Schema ``results.schema.json`` shipped with the package, described in README.md)."""
    opts = options or RunOptions()
    root = _cache.cache_dir(opts.cache_dir)
    records: list[dict] = []
    pending: list[tuple[Claim, str]] = []
    total = len(claims)

    keys: dict[str, str] = {}
    by_id = {c.id: c for c in claims}

    def done(record: dict, cached: bool) -> None:
        record["cached"] = cached
        record["mutation"] = _mutation_summary(root, by_id.get(record["id"]),
                                               keys.get(record["id"]), opts)
        records.append(record)
        if opts.on_result:
            opts.on_result(record, len(records), total)

    foreign = _registry(opts.user_files).foreign_fingerprint
    for claim in claims:
        key = keys[claim.id] = _cache.claim_key(claim, foreign)
        record = _cache.load(root, claim, key, warn=opts.warn) if opts.use_cache else None
        if record is not None:
            done(record, True)
        else:
            pending.append((claim, key))

    timings = _timings.load(root)

    def finish(claim: Claim, key: str, record: dict) -> None:
        deps = record.pop("_dependencies", None)
        try:
            _cache.store(root, claim, key, record, dependencies=deps)
        except OSError as exc:
            opts.warn(f"lazyrich: could not write the cache in {root}: {exc}")
        timings[claim.id] = float(record.get("seconds") or 0.0)
        done(record, False)

    jobs = max(1, min(opts.jobs or os.cpu_count() or 1, os.cpu_count() or 1))
    try:
        if not pending:
            pass
        elif opts.scheduler:
            _run_dask(pending, opts, jobs, finish)
        elif opts.in_process:
            for claim, key in pending:
                finish(claim, key, run_one(claim))
        else:
            from ._pool import run_pool

            # longest first (by the last measured time; unknown ones first of all)
            order = sorted(range(len(pending)),
                           key=lambda i: -timings.get(pending[i][0].id, math.inf))
            run_pool([c for c, _ in pending], jobs,
                     lambda i, rec: finish(pending[i][0], pending[i][1], rec),
                     user_files=opts.user_files, order=order, on_running=opts.on_running,
                     error_record=lambda claim, msg, secs: _jsonable(
                         _error_record(claim, msg, None, secs)))
    finally:
        _timings.save(root, timings)
    return document(records, strict=opts.strict)


#: Seconds an existing Dask cluster may have no worker at all before the claims still waiting
#: on it are given up (as errors) instead of waiting silently.
NO_WORKER_PATIENCE = 120.0


def _run_dask(pending, opts: RunOptions, jobs: int, finish) -> None:
    """Run on the existing Dask cluster at ``opts.scheduler`` (lazyrich installed on its
    workers). A claim past its timeout is reported ``error`` and abandoned (Dask cannot stop a
    running task; its worker finishes it in the background)."""
    from distributed import Client, as_completed

    try:
        client = Client(opts.scheduler, timeout="30s")
    except (OSError, ValueError, TypeError) as exc:
        raise InvalidArgument(
            f"--scheduler {opts.scheduler!r}: cannot connect to a Dask scheduler there "
            f"({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}). "
            f"Pass its address, e.g. tcp://127.0.0.1:8786.") from None
    try:
        n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        by_future = {}
        for claim, key in pending:
            fut = client.submit(run_remote, claim.id, opts.user_files, pure=False,
                                key=f"lazyrich-{claim.id}-{key[:12]}-{time.time_ns()}")
            by_future[fut] = (claim, key, time.monotonic())
        remaining = set(by_future)
        ac = as_completed(list(by_future))
        no_workers_since = None
        last_tick = time.monotonic()
        while remaining:
            batch = ac.next_batch(block=False) if ac.count() else []
            for fut in batch:
                if fut not in remaining:
                    continue
                remaining.discard(fut)
                claim, key, _ = by_future[fut]
                try:
                    record = fut.result()
                except Exception as exc:  # noqa: BLE001 - the worker's failure is this claim's
                    record = _jsonable(_error_record(
                        claim, f"worker failed: {type(exc).__name__}: {exc}",
                        traceback.format_exc(), 0.0))
                finish(claim, key, record)
            now = time.monotonic()
            for fut in list(remaining):
                claim, key, started = by_future[fut]
                # A claim's clock starts when it could start; queueing behind others is allowed
                # for (its timeout × number of claims / workers), a generous bound.
                limit = claim.timeout * max(1.0, len(by_future) / n_workers)
                if now - started > limit:
                    remaining.discard(fut)
                    fut.cancel()
                    finish(claim, key, _jsonable(_error_record(
                        claim, f"timed out after {limit:g} s on the cluster", None, limit)))
            if now - last_tick >= 1.0 and remaining:
                last_tick = now
                try:
                    workers = client.scheduler_info().get("workers", {})
                except Exception:  # noqa: BLE001 - a lost scheduler counts as no worker
                    workers = {}
                if workers:
                    no_workers_since = None
                    n_workers = len(workers)
                elif no_workers_since is None:
                    no_workers_since = now
                    opts.warn(f"lazyrich: the Dask cluster at {opts.scheduler} has no worker; "
                              f"waiting up to {NO_WORKER_PATIENCE:g} s for one")
                elif now - no_workers_since > NO_WORKER_PATIENCE:
                    for fut in list(remaining):
                        claim, key, _ = by_future[fut]
                        remaining.discard(fut)
                        fut.cancel()
                        finish(claim, key, _jsonable(_error_record(
                            claim, f"the Dask cluster at {opts.scheduler} had no worker for "
                                   f"{NO_WORKER_PATIENCE:g} s", None, 0.0)))
                if opts.on_running:
                    opts.on_running([(f"{len(remaining)} claim(s) on the cluster",
                                      now - min(by_future[f][2] for f in remaining))])
            if remaining and not batch:
                time.sleep(0.05)
    finally:
        client.close()
