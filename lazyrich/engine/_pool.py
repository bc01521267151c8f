"""The local runner: every claim runs in a worker process that can be stopped.

A pool of ``jobs`` worker processes (forked from this one on Linux, so they start in
milliseconds with everything already imported; forkserver elsewhere) takes claims one at a
time, longest first. Each worker limits its BLAS to one thread. The parent watches them:

* a claim that runs past its ``timeout`` gets its worker killed (a check that swallows the
  in-worker alarm, or sits in a C call, cannot hang the run) and becomes ``error``;
* a worker that dies (``os._exit``, a crash of the interpreter, the OOM killer) makes the claim
  it was running ``error``, saying so, and is replaced;
* ``sys.exit``/``KeyboardInterrupt`` raised by a check are that check's ``error`` already.

Whatever happens in a check, the run goes on and every claim ends as a verdict or ``error``.
"""

from __future__ import annotations

import collections
import multiprocessing
import os
import signal
import sys
import time
from multiprocessing.connection import wait
from typing import Callable

from .._model import Claim

#: Seconds a worker gets beyond a claim's own timeout before it is killed (the in-worker alarm
#: fires first and reports a clean timeout; the kill is for checks that block the alarm).
KILL_GRACE = 5.0


def start_method() -> str:
    methods = multiprocessing.get_all_start_methods()
    if sys.platform.startswith("linux") and "fork" in methods:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def limit_blas_threads() -> None:
    """One BLAS/OpenMP thread in this process (workers share the cores among themselves)."""
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"):
        os.environ[var] = "1"
    try:
        from threadpoolctl import threadpool_limits
        threadpool_limits(1)
    except Exception:  # noqa: BLE001 - best effort: the env vars cover fresh imports
        pass


class _Tasks:
    """The claims a pool runs. Forked workers use the claim objects they inherit; workers
    started afresh rebuild the registry from the user's files and look claims up by id."""

    def __init__(self, claims: list[Claim], user_files: tuple):
        self.claims = claims
        self.ids = [c.id for c in claims]
        self.user_files = user_files

    def __getstate__(self):
        return {"claims": None, "ids": self.ids, "user_files": self.user_files}

    def claim(self, index: int) -> Claim:
        if self.claims is not None:
            return self.claims[index]
        from ._run import _registry
        return _registry(self.user_files)[self.ids[index]]


def _worker_main(conn, tasks: _Tasks, work) -> None:
    if work is None:
        from ._run import run_one as work

    signal.signal(signal.SIGINT, signal.SIG_IGN)      # the parent handles Ctrl-C
    limit_blas_threads()
    try:
        while True:
            try:
                index = conn.recv()
            except (EOFError, OSError):
                break
            if index is None:
                break
            conn.send(work(tasks.claim(index)))
    finally:
        # never wait for threads a check may have left behind
        os._exit(0)


class _Worker:
    def __init__(self, ctx, tasks: _Tasks, work=None):
        parent, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, tasks, work), daemon=True,
                                name="lazyrich-worker")
        self.proc.start()
        child.close()
        self.conn = parent
        self.index: int | None = None
        self.started = 0.0

    def give(self, index: int) -> None:
        self.index, self.started = index, time.monotonic()
        self.conn.send(index)

    def stop(self, kill: bool = False) -> None:
        try:
            if not kill:
                self.conn.send(None)
        except (OSError, ValueError):
            pass
        if kill and self.proc.is_alive():
            self.proc.kill()
        self.proc.join(0.5 if not kill else 5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(5)
        self.conn.close()


def run_pool(claims: list[Claim], jobs: int, finish: Callable[[int, dict], None], *,
             user_files: tuple = (), error_record: Callable[[Claim, str, float], dict],
             order: list[int] | None = None,
             on_running: Callable[[list[tuple[str, float]]], None] | None = None,
             tick: float = 1.0, work: Callable[[Claim], dict] | None = None,
             timeout_of: Callable[[Claim], float] | None = None) -> None:
    """Run ``claims`` on a pool of ``jobs`` workers; ``finish(index, record)`` receives each
    result (in the parent, as it arrives). ``order`` is the order to start them in (default:
    as given). ``on_running`` is called about every ``tick`` seconds with (id, seconds) of the
    claims running. ``work(claim)`` is what a worker does with a claim (default: run it;
    a module-level function, so that it also reaches workers that are not forked), within
    ``timeout_of(claim)`` seconds (default: the claim's own timeout)."""
    ctx = multiprocessing.get_context(start_method())
    tasks = _Tasks(claims, user_files)
    limit_of = timeout_of or (lambda c: c.timeout)
    queue = collections.deque(order if order is not None else range(len(claims)))
    workers = [_Worker(ctx, tasks, work) for _ in range(max(1, min(jobs, len(queue))))]
    last_tick = time.monotonic()
    try:
        while True:
            for w in workers:
                if w.index is None and queue:
                    try:
                        w.give(queue.popleft())
                    except (OSError, ValueError):
                        queue.appendleft(w.index)
                        w.index = None
            busy = [w for w in workers if w.index is not None]
            if not busy:
                break
            ready = wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout=0.2)
            now = time.monotonic()
            for w in list(busy):
                if w.conn not in ready and w.proc.sentinel not in ready:
                    continue
                index = w.index
                try:
                    record = w.conn.recv() if w.conn.poll() else None
                except (EOFError, OSError):
                    record = None
                if record is None:
                    code = w.proc.exitcode if not w.proc.is_alive() else None
                    if code is None:
                        w.proc.join(1.0)
                        code = w.proc.exitcode
                    record = error_record(
                        claims[index],
                        f"the worker process running this claim exited (exit code {code}) "
                        f"before returning a result: a check called os._exit, crashed the "
                        f"interpreter or was killed (e.g. out of memory)", now - w.started)
                    workers[workers.index(w)] = _replace(w, ctx, tasks, work)
                else:
                    w.index = None
                finish(index, record)
            for w in list(workers):
                if w.index is None:
                    continue
                claim = claims[w.index]
                limit = limit_of(claim)
                if now - w.started > limit + KILL_GRACE:
                    index = w.index
                    workers[workers.index(w)] = _replace(w, ctx, tasks, work)
                    finish(index, error_record(
                        claim, f"timed out after {limit:g} s (its worker process was "
                               f"stopped)", now - w.started))
            if on_running and now - last_tick >= tick:
                last_tick = now
                on_running([(claims[w.index].id, now - w.started) for w in workers
                            if w.index is not None])
    finally:
        for w in workers:
            w.stop(kill=w.index is not None)


def _replace(worker: _Worker, ctx, tasks: _Tasks, work) -> _Worker:
    worker.stop(kill=True)
    return _Worker(ctx, tasks, work)
