"""Parameter sweeps on Dask: ``lazyrich sweep tu2024.phase-diagram --d 32 --grid ...``.

A sweep is a grid of independent cells (a pure function of its parameters).  Cells run as Dask
tasks, on a local cluster by default (``--jobs N`` worker processes; ``--jobs 1`` runs in this
process) or on an existing cluster (``--scheduler tcp://host:8786``; lazyrich must be installed
on its workers).  Every finished cell is written at once to an on-disk cache
(``<cache dir>/sweeps/<sweep>/<key>.json``, key = SHA-256 of the cell's parameters and of the
code that computes it: ``numerics/``, this module and the numpy/scipy versions), so an
interrupted sweep resumes where it stopped and nothing is computed twice.  A corrupted cache
file is detected (checksum) and recomputed.  A progress bar goes to stderr.

Outputs in ``--out`` (default ``./lazyrich-sweep/<sweep>-d<d>``): ``cells.csv`` (tidy: one row
per cell and seed), ``cells.parquet`` when pyarrow is installed, and the four-panel heat map
``phase_diagram.png`` / ``.svg``; a per-region summary is printed.

The CLI hook (``add_sweep_parser`` / ``run_sweep``) is wired into ``lazyrich.engine.cli``.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import logging
import math
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from .._errors import LazyrichError

SCHEMA = "lazyrich.sweep-cell/1"


# ============================================================================================
# sweep definitions
# ============================================================================================
@dataclass(frozen=True)
class Sweep:
    """A named sweep: how to build its cells and which function computes one."""

    name: str
    help: str
    cell: Callable[..., dict]
    fields: tuple[str, ...]


def _phase_cell(**params) -> dict:
    from lazyrich.numerics._tu_tasks import phase_cell

    return phase_cell(**params)


def _phase_fields() -> tuple[str, ...]:
    from lazyrich.numerics._tu_tasks import PHASE_FIELDS

    return PHASE_FIELDS


SWEEPS = {
    "tu2024.phase-diagram": Sweep(
        "tu2024.phase-diagram",
        "Figure 2 of Tu et al. 2024: GD from i.i.d. init vs eq (1) over a (γσ², γw) grid",
        _phase_cell, _phase_fields()),
}

DEFAULT_GRID = "-3:0:0.25,0.25:2.75:0.25"


def parse_grid(text: str) -> tuple[np.ndarray, np.ndarray]:
    """``"GS_START:GS_STOP:GS_STEP,GW_START:GW_STOP:GW_STEP"`` (stops inclusive) → the γσ² and
    γw values.  A single value ``"X"`` is allowed for either axis."""
    parts = [p.strip() for p in str(text).split(",")]
    if len(parts) != 2:
        raise LazyrichError(f"--grid {text!r}: expected two comma-separated axes "
                            f"'GS_START:GS_STOP:STEP,GW_START:GW_STOP:STEP' (γσ², then γw), "
                            f"e.g. {DEFAULT_GRID!r}.")
    axes = []
    for name, part in zip(("γσ²", "γw"), parts):
        try:
            nums = [float(x) for x in part.split(":")]
        except ValueError:
            raise LazyrichError(f"--grid {text!r}: the {name} axis {part!r} is not "
                                f"'START:STOP:STEP' with numbers.") from None
        if len(nums) == 1:
            nums = [nums[0], nums[0], 1.0]
        if len(nums) != 3 or not all(math.isfinite(x) for x in nums) or nums[2] <= 0 \
                or nums[1] < nums[0]:
            raise LazyrichError(f"--grid {text!r}: the {name} axis {part!r} must be "
                                f"START:STOP:STEP with START <= STOP and STEP > 0.")
        n = int(math.floor((nums[1] - nums[0]) / nums[2] + 1e-9)) + 1
        if n > 10_000:
            raise LazyrichError(f"--grid {text!r}: {n} values on the {name} axis; use a "
                                f"larger step.")
        axes.append(np.round(nums[0] + nums[2] * np.arange(n), 10))
    return axes[0], axes[1]


#: At most this many cells in one sweep (the paper's 30 × 30 grid is 900): a typo in --grid
#: must not allocate millions of cells or run for days.
MAX_CELLS = 100_000


def phase_cells(d: int, k: int, grid: str, seeds: int, max_steps: int, update: str,
                lr_c: float) -> list[dict]:
    """The cells (parameter dicts) of a tu2024.phase-diagram sweep."""
    gs_values, gw_values = parse_grid(grid)
    n = len(gs_values) * len(gw_values) * seeds
    if n > MAX_CELLS:
        raise LazyrichError(f"--grid {grid!r} with --seeds {seeds} makes {n:,} cells "
                            f"({len(gs_values)} × {len(gw_values)} × {seeds}); at most "
                            f"{MAX_CELLS:,}: use larger steps or fewer seeds.")
    return [dict(d=d, k=k, gamma_sigma2=float(gs), gamma_w=float(gw), seed=seed,
                 max_steps=max_steps, update=update, lr_c=lr_c)
            for seed in range(seeds) for gw in gw_values for gs in gs_values]


# ============================================================================================
# the cache
# ============================================================================================
def code_fingerprint() -> str:
    """Hash of the code a cell may run: every file of the project and the library versions
    (the same fingerprint claims are cached by)."""
    from ._cache import code_fingerprint as project_fingerprint

    return project_fingerprint()


def cell_key(sweep: str, params: dict) -> str:
    """Content hash of a cell: sweep name, parameters (canonical JSON) and code."""
    h = hashlib.sha256()
    h.update(sweep.encode())
    h.update(json.dumps(params, sort_keys=True).encode())
    h.update(code_fingerprint().encode())
    return h.hexdigest()


def _checksum(payload) -> str:
    """An HMAC of the result with the cache's secret key (kept outside the cache directory):
    an edited or forged cell is recomputed, never plotted."""
    from ._cache import _mac, _secret

    return _mac(_secret(), payload)


def _cache_root(cache_dir: str | None, sweep: str) -> Path:
    from ._cache import cache_dir as default_cache_dir

    return default_cache_dir(cache_dir) / "sweeps" / sweep


def load_cell(root: Path, key: str, warn=None) -> dict | None:
    """The cached result for ``key``, or None (missing, or corrupted: then it is reported)."""
    p = root / f"{key}.json"
    if not p.exists():
        return None
    try:
        doc = json.loads(p.read_text())
        if doc.get("schema") != SCHEMA or doc.get("key") != key or \
                not hmac.compare_digest(str(doc.get("checksum")), _checksum(doc["result"])):
            raise ValueError("checksum or key mismatch")
        return doc["result"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        if warn:
            warn(f"lazyrich sweep: cache file {p} is corrupted ({exc}); recomputing the cell")
        return None


def store_cell(root: Path, key: str, params: dict, result: dict) -> None:
    """Write a cell's result atomically (temporary file + rename)."""
    root.mkdir(parents=True, exist_ok=True)
    doc = {"schema": SCHEMA, "key": key, "params": params, "result": result,
           "checksum": _checksum(result)}
    tmp = root / f".{key}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(doc, sort_keys=True))
    os.replace(tmp, root / f"{key}.json")


# ============================================================================================
# running
# ============================================================================================
def _jsonable(x):
    if isinstance(x, dict):
        return {k: _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, (np.floating, float)):
        v = float(x)
        return v if math.isfinite(v) else str(v)
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, np.bool_):
        return bool(x)
    return x


#: Environment that pins BLAS/OpenMP to one thread; set for every local worker process before
#: it imports numpy (Dask's nanny applies it at spawn).  One cell is a sequence of d × d
#: products and decompositions: at d = 200 two BLAS threads per worker on a busy machine make a
#: step ~4× slower, and the workers already use every core.
ONE_THREAD_ENV = {"OMP_NUM_THREADS": 1, "MKL_NUM_THREADS": 1, "OPENBLAS_NUM_THREADS": 1}


def _one_blas_thread():
    """A context that limits the BLAS of this process to one thread: threadpoolctl when it is
    installed (in-process runs, workers started without a nanny), else nothing (local Dask
    workers get ONE_THREAD_ENV at spawn anyway)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        import contextlib
        return contextlib.nullcontext()
    return threadpool_limits(limits=1)


def run_cell(sweep: str, params: dict) -> dict:
    """Worker entry point: compute one cell; never raises (an exception becomes ``error``)."""
    start = time.perf_counter()
    try:
        with _one_blas_thread():
            out = SWEEPS[sweep].cell(**params)
        out = _jsonable(out)
        out["error"] = ""
    except Exception as exc:  # one bad cell must not stop the sweep
        out = {"error": f"{type(exc).__name__}: {exc}"}
    out["seconds"] = time.perf_counter() - start
    return out


class Progress:
    """A one-line progress bar on stderr (redrawn in place on a terminal)."""

    def __init__(self, total: int, enabled: bool = True, stream=None):
        self.total, self.enabled = total, enabled
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.start = time.monotonic()
        self.done = self.cached = self.failed = 0
        self._last_pct = -1

    def update(self, *, cached: bool = False, failed: bool = False) -> None:
        self.done += 1
        self.cached += cached
        self.failed += failed
        if not self.enabled:
            return
        pct = int(100 * self.done / max(self.total, 1))
        if not self.tty and pct // 10 == self._last_pct // 10 and self.done != self.total:
            return
        self._last_pct = pct
        width = 30
        fill = int(width * self.done / max(self.total, 1))
        el = time.monotonic() - self.start
        fresh = self.done - self.cached
        eta = el / fresh * (self.total - self.done) if fresh else 0.0
        line = (f"[{'#' * fill}{'.' * (width - fill)}] {self.done}/{self.total} cells "
                f"({self.cached} cached, {self.failed} failed) {el:5.1f}s"
                + (f", ETA {eta:.0f}s" if self.done < self.total and fresh else ""))
        if self.tty:
            self.stream.write("\r\033[K" + line + ("\n" if self.done == self.total else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


@dataclass
class SweepRun:
    """Options of :func:`run_grid`."""

    sweep: str
    jobs: int = 1
    scheduler: str | None = None
    cache_dir: str | None = None
    use_cache: bool = True
    progress: bool = True
    warn: Callable[[str], None] = field(default=lambda m: print(m, file=sys.stderr))


def run_grid(cells: list[dict], opts: SweepRun) -> list[dict]:
    """Compute every cell (cached ones are read back); return [{**params, **result}] in order.

    Finished cells are cached as they arrive, so an interruption (Ctrl-C, a lost cluster) loses
    only the cells in flight.
    """
    if opts.sweep not in SWEEPS:
        raise LazyrichError(f"unknown sweep {opts.sweep!r}; known: {sorted(SWEEPS)}")
    root = _cache_root(opts.cache_dir, opts.sweep)
    keys = [cell_key(opts.sweep, p) for p in cells]
    results: dict[int, dict] = {}
    bar = Progress(len(cells), opts.progress)
    pending = []
    for i, (p, key) in enumerate(zip(cells, keys)):
        hit = load_cell(root, key, opts.warn) if opts.use_cache else None
        if hit is not None:
            results[i] = hit
            bar.update(cached=True)
        else:
            pending.append(i)

    def finish(i: int, result: dict) -> None:
        results[i] = result
        if not result.get("error"):
            try:
                store_cell(root, keys[i], cells[i], result)
            except OSError as exc:
                opts.warn(f"lazyrich sweep: cannot write the cache in {root}: {exc}")
        bar.update(failed=bool(result.get("error")))

    if pending and (opts.scheduler or opts.jobs > 1):
        _run_dask(pending, cells, keys, opts, finish)
    else:
        for i in pending:
            finish(i, run_cell(opts.sweep, cells[i]))
    return [{**cells[i], **results[i]} for i in range(len(cells))]


def _run_dask(pending, cells, keys, opts: SweepRun, finish) -> None:
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if opts.scheduler:
        try:
            client = Client(opts.scheduler, timeout="30s")
        except (OSError, ValueError, TypeError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise LazyrichError(f"--scheduler {opts.scheduler!r}: cannot connect ({first}). "
                                f"Pass the address of a running `dask scheduler`, e.g. "
                                f"tcp://127.0.0.1:8786, or omit --scheduler.") from None
    else:
        import dask

        env = {**dask.config.get("distributed.nanny.pre-spawn-environ", {}), **ONE_THREAD_ENV}
        with dask.config.set({"distributed.nanny.pre-spawn-environ": env}):
            cluster = LocalCluster(n_workers=min(opts.jobs, len(pending)), threads_per_worker=1,
                                   processes=True, dashboard_address=None,
                                   silence_logs=logging.ERROR)
        client = Client(cluster)
    try:
        futures = {}
        for i in pending:
            fut = client.submit(run_cell, opts.sweep, cells[i], pure=False,
                                key=f"sweep-{keys[i][:16]}-{time.time_ns()}")
            futures[fut] = i
        for fut in as_completed(list(futures)):
            i = futures[fut]
            try:
                result = fut.result()
            except Exception as exc:  # a worker died or the task was lost
                result = {"error": f"worker failed: {type(exc).__name__}: {exc}",
                          "seconds": 0.0}
            finish(i, result)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# ============================================================================================
# outputs
# ============================================================================================
def write_table(rows: list[dict], out: Path) -> list[Path]:
    """cells.csv (and cells.parquet if pyarrow is available)."""
    out.mkdir(parents=True, exist_ok=True)
    cols = list(dict.fromkeys(k for r in rows for k in r))
    paths = [out / "cells.csv"]
    with open(paths[0], "w", newline="") as fh:
        wr = csv.DictWriter(fh, fieldnames=cols)
        wr.writeheader()
        for r in rows:
            wr.writerow({k: r.get(k, "") for k in cols})
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        return paths
    table = pa.table({k: [None if r.get(k) in ("", None) else r.get(k) for r in rows]
                      for k in cols})
    pq.write_table(table, out / "cells.parquet")
    paths.append(out / "cells.parquet")
    return paths


PANELS = (("min_test", "min test error"), ("stable_rank_at_min", "stable rank at the minimum"),
          ("iter_at_min", "iterations to the minimum"),
          ("log_max_dist", "log max ‖A_GD − A_SC‖²/d²"))


def _num(v) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return float("nan")


def grid_means(rows: list[dict], field_name: str):
    """(γσ² values, γw values, matrix of the seed-mean of ``field_name``) from tidy rows."""
    gs = sorted({float(r["gamma_sigma2"]) for r in rows})
    gw = sorted({float(r["gamma_w"]) for r in rows})
    acc = np.zeros((len(gw), len(gs)))
    cnt = np.zeros((len(gw), len(gs)))
    for r in rows:
        v = _num(r.get(field_name))
        if math.isfinite(v):
            i, j = gw.index(float(r["gamma_w"])), gs.index(float(r["gamma_sigma2"]))
            acc[i, j] += v
            cnt[i, j] += 1
    with np.errstate(invalid="ignore"):
        return np.array(gs), np.array(gw), np.where(cnt > 0, acc / np.maximum(cnt, 1), np.nan)


def region_lines(xlim, ylim, d: int, k: int):
    """The lines of Figure 2 that cross the window xlim × ylim (γσ², γw) as (xs, ys, colour,
    label), and the labels of those that do not (named in the title instead of drawn)."""
    y = np.linspace(ylim[0], ylim[1], 50)
    shown, hidden = [], []
    for xs, color, label in ((1 - y, "black", "σ²w = d (active/lazy)"),
                             (-y / 2, "red", "σ⁴w = 1 (infinite noise)")):
        if np.any((xs >= xlim[0]) & (xs <= xlim[1])):
            shown.append((xs, y, color, label))
        else:
            hidden.append(label)
    y_k = math.log(k) / math.log(d)
    if ylim[0] <= y_k <= ylim[1]:
        shown.append((np.array(xlim), np.array([y_k, y_k]), "orange",
                      "w = k (underparameterized below)"))
    else:
        hidden.append(f"w = k (γw = {y_k:.2f})")
    return shown, hidden


def write_figures(rows: list[dict], out: Path, d: int, k: int) -> list[Path]:
    """Four heat maps (Figure 2's panels) with the black, red and orange lines."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    fig, axes = plt.subplots(2, 2, figsize=(11, 9.4), layout="constrained")
    off_grid = []
    for ax, (name, title) in zip(axes.ravel(), PANELS):
        gs, gw, Z = grid_means(rows, name)
        mesh = ax.pcolormesh(gs, gw, np.ma.masked_invalid(Z), shading="nearest",
                             cmap="viridis")
        fig.colorbar(mesh, ax=ax)
        xlim = (gs.min() - 0.2, gs.max() + 0.2)
        ylim = (gw.min() - 0.2, gw.max() + 0.2)
        shown, hidden = region_lines(xlim, ylim, d, k)
        for xs, ys, color, label in shown:
            ax.plot(xs, ys, color=color, lw=2, label=label)
        off_grid += [h for h in hidden if h not in off_grid]
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
        ax.set_xlabel("γσ²  (σ² = d^γσ²)")
        ax.set_ylabel("γw  (w = d^γw)")
        ax.set_title(title)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    if handles:   # below the panels, where it hides no cell
        fig.legend(handles, labels, loc="outside lower center", ncols=len(handles), fontsize=9,
                   frameon=False)
    note = f"; outside this grid: {', '.join(off_grid)}" if off_grid else ""
    fig.suptitle(f"Tu et al. 2024, Figure 2 re-run: d = {d}, k = {k}{note}")
    paths = [out / "phase_diagram.png", out / "phase_diagram.svg"]
    for p in paths:
        fig.savefig(p, dpi=110)
    plt.close(fig)
    return paths


def summarize(rows: list[dict]) -> str:
    """Medians per region (the numbers quoted in reports)."""
    from lazyrich.numerics._tu_tasks import region

    lines = [f"{'region':<20} {'cells':>5} {'min test':>9} {'lazy pred':>9} {'srank@min':>9} "
             f"{'iters':>6} {'log dist':>9}"]
    good = [r for r in rows if not r.get("error")]
    for reg in ("active", "lazy", "infinite-noise", "underparameterized"):
        sel = [r for r in good if region(float(r["gamma_sigma2"]), float(r["gamma_w"]),
                                         int(r["w"]), int(r["k"])) == reg]
        if not sel:
            continue

        def med(key):
            return float(np.nanmedian([_num(r[key]) for r in sel]))

        lines.append(f"{reg:<20} {len(sel):>5} {med('min_test'):>9.3f} {med('lazy_exact'):>9.3f} "
                     f"{med('stable_rank_at_min'):>9.2f} {med('iter_at_min'):>6.0f} "
                     f"{med('log_max_dist'):>9.2f}")
    if good:
        lines.append(f"stable rank of A*: {np.median([_num(r['stable_rank_target']) for r in good]):.2f}")
    return "\n".join(lines)


# ============================================================================================
# CLI
# ============================================================================================
def add_sweep_parser(subparsers) -> None:
    """Register ``lazyrich sweep`` on an argparse sub-parser collection."""
    p = subparsers.add_parser("sweep", help="run a parameter sweep (Dask) and write a table "
                                            "and figures")
    p.add_argument("name", choices=sorted(SWEEPS), help="which sweep")
    p.add_argument("--d", type=int, default=32, help="matrix size d (default 32; paper: 200)")
    p.add_argument("--k", type=int, default=5, help="rank of A* (default 5)")
    p.add_argument("--grid", default=DEFAULT_GRID, metavar="GS0:GS1:STEP,GW0:GW1:STEP",
                   help=f"γσ² and γw axes, stops inclusive (default {DEFAULT_GRID}); write "
                        f"--grid=-3:0:0.5,... when the first value is negative")
    p.add_argument("--seeds", type=int, default=1, help="seeds per grid point (default 1)")
    p.add_argument("--steps", type=int, default=750, help="max GD steps (default 750)")
    p.add_argument("--update", choices=("simultaneous", "sequential"), default="simultaneous",
                   help="GD update (the notebooks use sequential; default simultaneous)")
    p.add_argument("--lr-c", type=float, default=50.0, help="learning-rate constant (50)")
    p.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                   help="local Dask worker processes (default and maximum: the CPU count; "
                        "1 = in process)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="existing Dask scheduler address")
    p.add_argument("--cache-dir", metavar="DIR", help="cache directory (default "
                                                      "$LAZYRICH_CACHE_DIR, else "
                                                      "~/.cache/lazyrich)")
    p.add_argument("--no-cache", action="store_true", help="recompute every cell")
    p.add_argument("--out", metavar="DIR", help="output directory (default "
                                                "./lazyrich-sweep/<name>-d<d>)")
    p.add_argument("--no-figures", action="store_true", help="write the table only")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")


def run_sweep(args) -> int:
    """Run ``lazyrich sweep``; returns the exit code (0 ok, 1 some cells failed, 2 bad input,
    130 interrupted)."""
    try:
        for name, low, high in (("--d", 2, 5000), ("--k", 1, 5000), ("--seeds", 1, 1000),
                                ("--steps", 1, 10**6)):
            v = getattr(args, name[2:].replace("-", "_"))
            if not low <= v <= high:
                raise LazyrichError(f"{name} must be between {low} and {high:,}; got {v}.")
        if args.k > args.d:
            raise LazyrichError(f"--k {args.k} must be <= --d {args.d}.")
        if args.jobs is not None and args.jobs < 1:
            raise LazyrichError(f"--jobs must be >= 1; got {args.jobs}.")
        if not (args.lr_c > 0 and math.isfinite(args.lr_c)):
            raise LazyrichError(f"--lr-c must be a positive number; got {args.lr_c}.")
        cells = phase_cells(args.d, args.k, args.grid, args.seeds, args.steps, args.update,
                            args.lr_c)
        out = Path(args.out or f"lazyrich-sweep/{args.name}-d{args.d}")
        from .cli import _check_writable
        _check_writable(str(out), "--out", directory=True)      # before any cell is computed
        opts = SweepRun(args.name, jobs=min(args.jobs or os.cpu_count() or 1,
                                            os.cpu_count() or 1),
                        scheduler=args.scheduler, cache_dir=args.cache_dir,
                        use_cache=not args.no_cache, progress=not args.quiet)
        start = time.monotonic()
        rows = run_grid(cells, opts)
        written = write_table(rows, out)
        if not args.no_figures:
            written += write_figures(rows, out, args.d, args.k)
        print(summarize(rows))
        failed = [r for r in rows if r.get("error")]
        print(f"{len(rows)} cells in {time.monotonic() - start:.1f}s; {len(failed)} failed; "
              f"wrote {', '.join(str(p) for p in written)}")
        for r in failed[:5]:
            print(f"  failed: γσ² = {r['gamma_sigma2']}, γw = {r['gamma_w']}, seed "
                  f"{r['seed']}: {r['error']}", file=sys.stderr)
        return 1 if failed else 0
    except LazyrichError as exc:
        print(f"lazyrich: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("lazyrich: interrupted (finished cells are cached; rerun to resume)",
              file=sys.stderr)
        return 130


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry (``python -m lazyrich.engine._sweep tu2024.phase-diagram ...``) until the hook
    is wired into ``lazyrich``."""
    import argparse

    ap = argparse.ArgumentParser(prog="lazyrich")
    sub = ap.add_subparsers(dest="command", required=True)
    add_sweep_parser(sub)
    return run_sweep(ap.parse_args(["sweep", *(sys.argv[1:] if argv is None else argv)]))


if __name__ == "__main__":
    sys.exit(main())
