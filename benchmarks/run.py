"""lazyrich benchmarks: the closed forms against the alternatives, the mp referee, the suite.

Usage::

    .venv/bin/python benchmarks/run.py                 # everything (~10–20 min on 2 busy cores)
    .venv/bin/python benchmarks/run.py --only qqt aligned mp
    .venv/bin/python benchmarks/run.py --quick         # smaller budgets, for a smoke run
    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/run.py --only targets --authors-repo DIR

Sections (``--only`` picks some; results of the others already in the JSON file are kept):

* ``qqt``: ``numerics.qqt`` (Theorem 4.3, stable form, batched over t) against scipy's
  ``solve_ivp`` (DOP853, Radau, LSODA) on the weight ODE (``benchmarks/weight_ode.py``, exact
  Jacobian for the implicit methods) at rtol 1e-10, and against ``numerics.gradient_descent``,
  in a stiff regime (n = 20, λ = 50, 200 log-spaced times up to 1e3) and a smooth one
  (n = 50, λ = 0.5, 1000 times up to 20), square n×n×n networks.  Every run's accuracy is
  measured against the closed form, itself spot-checked against ``numerics.mp.qqt``.
* ``scaling``: the same costs as λ, t_max and n grow.
* ``aligned``: ``aligned_trajectory`` / ``transition_function`` throughput vs ``np.exp``.
* ``mp``: cost per call of the mpmath referees at 30 and 50 digits.
* ``suite``: ``lazyrich check`` on the whole default suite, cold and warm, ``-j 2``.
* ``profile``: cProfile of the slowest claims (from the cold suite run).
* ``targets``: each performance target of the issue on speed (construct-once ``numerics.QQT``
  vs the authors' loop, ``qqt`` vs the best solver, ``aligned_trajectory`` vs ``np.exp``, the
  suite, the d = 200 sweep) with its measured ratio and PASS/MISS, timed in one process with
  the contenders interleaved.  Run it with one BLAS thread (``OPENBLAS_NUM_THREADS=1``);
  ``--authors-repo DIR`` (a clone of github.com/Nico31415/LinearNetworkDynamics) enables the
  side-by-side with the authors' code, ``--with-sweep`` times the default d = 200 grid.

Results go to ``benchmarks/results.json`` (``--out``); a table is printed.  Timings are wall
clock, best of a few repeats for the fast calls, on whatever machine runs this: the JSON
records the CPU count and the load average before each section.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from lazyrich import numerics  # noqa: E402
from qqt_prototype import qqt_restructured  # noqa: E402
from weight_ode import WeightFlow, solve  # noqa: E402

RTOL = 1e-10
SOLVERS = ("DOP853", "Radau", "LSODA")


# ------------------------------------------------------------------------------------------
# small helpers
# ------------------------------------------------------------------------------------------
def best_of(fn, repeat: int = 5, min_total: float = 0.0) -> tuple[float, object]:
    """Smallest wall time of ``repeat`` calls (more if the total is below ``min_total``)."""
    times, out = [], None
    start = time.perf_counter()
    while len(times) < repeat or (time.perf_counter() - start < min_total and len(times) < 1000):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def load() -> dict:
    la = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    return {"loadavg_1m": round(la[0], 2), "cpus": os.cpu_count()}


def rel_err(X: np.ndarray, ref: np.ndarray) -> float:
    """max over t of ‖X(t) − ref(t)‖_F / ‖ref(t)‖_F."""
    num = np.linalg.norm(X - ref, axis=(-2, -1))
    den = np.linalg.norm(ref, axis=(-2, -1))
    return float(np.max(num / den))


def qqt_from_weights(W1: np.ndarray, W2: np.ndarray) -> np.ndarray:
    """QQᵀ from weight trajectories (contiguous operands: numpy 2.x runs a batched matmul with
    a transposed-view operand without BLAS, ~15× slower)."""
    Q = np.concatenate([np.swapaxes(W1, -1, -2), W2], axis=-2)
    return Q @ np.ascontiguousarray(np.swapaxes(Q, -1, -2))


def fmt_s(x) -> str:
    if x is None:
        return "-"
    if isinstance(x, str):
        return x
    if x < 1e-3:
        return f"{x * 1e6:.0f} µs"
    if x < 1:
        return f"{x * 1e3:.1f} ms"
    return f"{x:.2f} s"


def table(rows: list[tuple], head: tuple) -> str:
    rows = [tuple(str(c) for c in head)] + [tuple(str(c) for c in r) for r in rows]
    w = [max(len(r[i]) for r in rows) for i in range(len(head))]
    out = ["  ".join(c.ljust(wi) for c, wi in zip(r, w)).rstrip() for r in rows]
    out.insert(1, "  ".join("-" * wi for wi in w))
    return "\n".join(out)


# ------------------------------------------------------------------------------------------
# the qqt problem
# ------------------------------------------------------------------------------------------
def problem(n: int, lam: float, seed: int = 0):
    """Square n×n×n network: Σyx of a realisable random task with O(1) singular values
    (teacher entries N(0, 1/n)), small λ-balanced init (product singular values ~1e-2)."""
    X, Y = numerics.random_regression_task(n, n, rng=seed, scale=np.sqrt(n))
    _, S = numerics.task_covariances(X, Y)
    W1, W2 = numerics.lambda_balanced_init(lam, n, n, n, scale=0.1 / np.sqrt(n), rng=seed + 1)
    return X, Y, S, W1, W2


def closed_form(W1, W2, S, times, repeat=5):
    sec, X = best_of(lambda: numerics.qqt(W1, W2, S, times), repeat=repeat, min_total=0.5)
    return sec, X


def _solver_child(conn, S, W1, W2, times, ref, method, budget):
    flow = WeightFlow(S, W1.shape[0])
    r = solve(flow, W1, W2, times, method, rtol=RTOL, budget=budget)
    row = {"status": r["status"], "seconds": r["seconds"], "nfev": r["nfev"], "njev": r["njev"]}
    if r["status"] == "ok":
        t0 = time.perf_counter()
        Xs = qqt_from_weights(r["W1"], r["W2"])
        row["seconds_with_qqt"] = r["seconds"] + (time.perf_counter() - t0)
        row["rel_err"] = rel_err(Xs, ref)
    else:
        row["message"] = r["message"]
    conn.send(row)
    conn.close()


def run_solvers(S, W1, W2, times, ref, budget, methods=SOLVERS):
    """Each solver at rtol 1e-10: seconds (integration alone, and + forming QQᵀ), error.

    Each run is a forked child killed at 1.2·budget + 5 s: the budget check inside the RHS
    cannot interrupt a long sparse LU (Radau at n = 50)."""
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    out = {}
    for m in methods:
        row = _one_solver_run(ctx, S, W1, W2, times, ref, m, budget)
        if row["status"] == "ok" and row["seconds"] < 5.0:  # noisy machine: best of two
            again = _one_solver_run(ctx, S, W1, W2, times, ref, m, budget)
            if again["status"] == "ok" and again["seconds"] < row["seconds"]:
                row = again
        out[m] = row
    return out


def _one_solver_run(ctx, S, W1, W2, times, ref, method, budget) -> dict:
    """One solver run in a forked child, killed at 1.2·budget + 5 s."""
    recv, send = ctx.Pipe(duplex=False)
    p = ctx.Process(target=_solver_child, args=(send, S, W1, W2, times, ref, method, budget))
    t0 = time.perf_counter()
    p.start()
    send.close()
    if recv.poll(1.2 * budget + 5):
        try:
            row = recv.recv()
        except EOFError:
            row = {"status": "failed", "seconds": time.perf_counter() - t0, "nfev": 0,
                   "njev": 0, "message": "solver process died"}
    else:
        p.kill()
        row = {"status": "budget", "seconds": time.perf_counter() - t0, "nfev": 0, "njev": 0,
               "message": f"killed after {time.perf_counter() - t0:.0f} s"}
    p.join()
    return row


def best_solver(rows: dict, key="seconds_with_qqt", accurate_to=None):
    ok = {m: r for m, r in rows.items() if r["status"] == "ok"
          and (accurate_to is None or r["rel_err"] <= accurate_to)}
    if not ok:
        return None, None
    m = min(ok, key=lambda k: ok[k][key])
    return m, ok[m]


def run_gd(X, Y, W1, W2, t_end, lrs, budget, ref_fn, n_records=200):
    """numerics.gradient_descent at each lr up to t_end; error vs the closed form at the
    recorded times.  Runs whose estimated cost exceeds ``budget`` are skipped (estimate kept)."""
    rows = []
    # calibrate the cost per step
    probe = 2000
    t0 = time.perf_counter()
    numerics.gradient_descent(W1, W2, X, Y, lr=min(lrs), steps=probe, record_every=probe)
    per_step = (time.perf_counter() - t0) / probe
    for lr in lrs:
        steps = int(round(t_end / lr))
        est = per_step * steps
        row = {"lr": lr, "steps": steps, "estimated_seconds": est}
        if est > budget:
            row["status"] = "skipped (estimated > budget)"
            rows.append(row)
            continue
        t0 = time.perf_counter()
        tr = numerics.gradient_descent(W1, W2, X, Y, lr=lr, steps=steps,
                                       record_every=max(1, steps // n_records))
        row["seconds"] = time.perf_counter() - t0
        keep = tr.t > 0
        row["rel_err"] = rel_err(tr.qqt()[keep], ref_fn(tr.t[keep]))
        row["status"] = "ok"
        rows.append(row)
    # first-order method: error ∝ lr; extrapolate the lr (and the cost) for 1e-8
    ok = [r for r in rows if r["status"] == "ok" and r["rel_err"] > 0]
    extrap = None
    if ok:
        r = min(ok, key=lambda r: r["lr"])
        if len(ok) >= 2:
            r2 = max(ok, key=lambda r: r["lr"])
            slope = np.log(r2["rel_err"] / r["rel_err"]) / np.log(r2["lr"] / r["lr"])
        else:
            slope = 1.0
        lr_needed = r["lr"] * (1e-8 / r["rel_err"]) ** (1.0 / max(slope, 1e-3))
        extrap = {"observed_order": float(slope), "lr_for_1e-8": float(lr_needed),
                  "steps_for_1e-8": float(t_end / lr_needed),
                  "seconds_for_1e-8": float(per_step * t_end / lr_needed)}
    return {"seconds_per_step": per_step, "runs": rows, "extrapolated": extrap}


def mp_spot_check(W1, W2, S, times, dps=30):
    """Closed form vs numerics.mp.qqt at a few times: (max relative error, seconds)."""
    t0 = time.perf_counter()
    ref = numerics.mp.qqt(W1, W2, S, np.asarray(times, dtype=float), dps=dps)
    sec = time.perf_counter() - t0
    ref = np.array(ref.tolist(), dtype=float)
    got = numerics.qqt(W1, W2, S, np.asarray(times, dtype=float))
    return rel_err(got, ref), sec


def regime(name, n, lam, times, lrs, budget, mp_times, quick):
    X, Y, S, W1, W2 = problem(n, lam)
    cf_sec, ref = closed_form(W1, W2, S, times)
    res = {"n": n, "lam": lam, "T": len(times), "t_max": float(times[-1]), **load(),
           "closed_form": {"seconds": cf_sec}}
    proto_sec, proto = best_of(lambda: qqt_restructured(W1, W2, S, times), repeat=5,
                               min_total=0.5)
    res["restructured_prototype"] = {"seconds": proto_sec, "rel_diff_to_qqt": rel_err(proto, ref)}
    if mp_times and not quick:
        err, sec = mp_spot_check(W1, W2, S, mp_times)
        res["closed_form"]["mp_check"] = {"times": list(mp_times), "rel_err": err,
                                          "mp_seconds": sec, "dps": 30}
    res["solvers"] = run_solvers(S, W1, W2, times, ref, budget)
    m, row = best_solver(res["solvers"])
    m_acc, row_acc = best_solver(res["solvers"], accurate_to=1e-8)
    res["best_solver"] = m
    if row:
        res["speedup_vs_best"] = row["seconds_with_qqt"] / cf_sec
        res["speedup_vs_best_integration_only"] = row["seconds"] / cf_sec
        res["prototype_speedup_vs_best"] = row["seconds_with_qqt"] / proto_sec
    else:  # every solver ran out of budget: a lower bound
        res["speedup_vs_best"] = f"> {budget / cf_sec:.0f}"
    res["best_solver_reaching_1e-8"] = m_acc
    if row_acc:
        res["speedup_vs_best_reaching_1e-8"] = row_acc["seconds_with_qqt"] / cf_sec
    gd = run_gd(X, Y, W1, W2, float(times[-1]), lrs, budget,
                lambda t: numerics.qqt(W1, W2, S, t))
    res["gradient_descent"] = gd
    return res


def section_qqt(args) -> dict:
    budget = args.cap
    stiff_t = np.logspace(-2, 3, 200)
    smooth_t = np.linspace(0.02, 20.0, 1000)
    out = {}
    print("\n== qqt: stiff regime (n=20, λ=50, 200 log-spaced t ≤ 1e3) ==", flush=True)
    out["stiff"] = regime("stiff", 20, 50.0, stiff_t, lrs=(1e-2, 1e-3), budget=budget,
                          mp_times=(1.0, 10.0), quick=args.quick)
    print_regime(out["stiff"])
    print("\n== qqt: smooth regime (n=50, λ=0.5, 1000 t ≤ 20) ==", flush=True)
    out["smooth"] = regime("smooth", 50, 0.5, smooth_t, lrs=(1e-2, 1e-3), budget=budget,
                           mp_times=(20.0,), quick=args.quick)
    print_regime(out["smooth"])
    return out


def print_regime(r: dict) -> None:
    cf = r["closed_form"]
    rows = [("numerics.qqt (closed form)", fmt_s(cf["seconds"]), "-", "reference",
             f"vs mp: {cf['mp_check']['rel_err']:.1e}" if "mp_check" in cf else ""),
            ("restructured prototype (benchmarks/)", fmt_s(r["restructured_prototype"]["seconds"]),
             "-", f"{r['restructured_prototype']['rel_diff_to_qqt']:.1e}", "same formula")]
    for m, s in r["solvers"].items():
        if s["status"] == "ok":
            rows.append((f"solve_ivp {m} (rtol 1e-10)", fmt_s(s["seconds"]),
                         fmt_s(s["seconds_with_qqt"]), f"{s['rel_err']:.1e}",
                         f"nfev {s['nfev']}, njev {s['njev']}"))
        else:
            rows.append((f"solve_ivp {m} (rtol 1e-10)", f"> {s['seconds']:.0f} s"
                         if s["status"] == "budget" else s["status"], "-", "-",
                         s.get("message", "")))
    for g in r["gradient_descent"]["runs"]:
        if g["status"] == "ok":
            rows.append((f"gradient_descent lr={g['lr']:g}", fmt_s(g["seconds"]), "-",
                         f"{g['rel_err']:.1e}", f"{g['steps']} steps"))
        else:
            rows.append((f"gradient_descent lr={g['lr']:g}",
                         f"~{fmt_s(g['estimated_seconds'])} (skipped)", "-", "-",
                         f"{g['steps']} steps"))
    ex = r["gradient_descent"]["extrapolated"]
    if ex:
        rows.append(("gradient_descent for 1e-8 (extrapolated)",
                     f"~{fmt_s(ex['seconds_for_1e-8'])}", "-", "1e-8",
                     f"lr {ex['lr_for_1e-8']:.1e}, order {ex['observed_order']:.2f}"))
    print(table(rows, ("method", "time", "time incl. QQᵀ", "rel. error", "note")))
    sp = r["speedup_vs_best"]
    sp = f"{sp:.3g}×" if isinstance(sp, float) else sp
    print(f"closed form vs best solver ({r['best_solver']}): {sp} faster "
          f"(integration only: {r.get('speedup_vs_best_integration_only', float('nan')):.1f}×; "
          f"prototype: {r.get('prototype_speedup_vs_best', float('nan')):.1f}×); "
          f"load {r['loadavg_1m']} on {r['cpus']} CPUs")


# ------------------------------------------------------------------------------------------
# scaling
# ------------------------------------------------------------------------------------------
def section_scaling(args) -> dict:
    budget = args.scale_cap
    base_n, base_lam, base_t = 20, 50.0, 1e3
    points = ([("lam", v) for v in (0.5, 5.0, 50.0, 200.0)]
              + [("t_max", v) for v in (10.0, 100.0, 1e3, 1e4)]
              + [("n", v) for v in (5, 10, 20, 40)])
    if args.quick:
        points = [p for p in points if p[1] in (5.0, 50.0, 10.0, 1e3, 10, 20)]
    rows, out = [], []
    print("\n== scaling (base n=20, λ=50, t_max=1e3, 200 log-spaced times) ==", flush=True)
    for what, v in points:
        n = int(v) if what == "n" else base_n
        lam = float(v) if what == "lam" else base_lam
        tmax = float(v) if what == "t_max" else base_t
        times = np.logspace(-2, np.log10(tmax), 200)
        X, Y, S, W1, W2 = problem(n, lam)
        cf, ref = closed_form(W1, W2, S, times, repeat=3)
        proto, _ = best_of(lambda: qqt_restructured(W1, W2, S, times), repeat=3)
        sol = run_solvers(S, W1, W2, times, ref, budget)
        rec = {"vary": what, "value": v, "n": n, "lam": lam, "t_max": tmax,
               "closed_form_seconds": cf, "prototype_seconds": proto, "solvers": sol, **load()}
        out.append(rec)
        cells = []
        for m in SOLVERS:
            s = sol[m]
            cells.append(f"{fmt_s(s['seconds_with_qqt'])} ({s['rel_err']:.0e})"
                         if s["status"] == "ok" else f"> {budget:g} s" if s["status"] ==
                         "budget" else s["status"])
        rows.append((what, v, fmt_s(cf), fmt_s(proto), *cells))
        print(table(rows[-1:], ("vary", "value", "closed form", "prototype", *SOLVERS))
              .splitlines()[-1], flush=True)
    print(table(rows, ("vary", "value", "closed form", "prototype",
                       *(f"{m} incl. QQᵀ (err)" for m in SOLVERS))))
    return {"budget_seconds": budget, "points": out}


# ------------------------------------------------------------------------------------------
# aligned_trajectory throughput
# ------------------------------------------------------------------------------------------
def section_aligned(args) -> dict:
    n = 200_000 if args.quick else 1_000_000
    rng = np.random.default_rng(3)
    st = rng.uniform(0.5, 3.0, n)
    s0_pos = rng.uniform(1e-3, 1.0, n)
    s0_mix = rng.uniform(-1.0, 1.0, n)
    lam = rng.uniform(-5.0, 5.0, n)
    t = rng.uniform(0.0, 50.0, n)
    x = -rng.uniform(0.0, 50.0, n)
    out = {"elements": n, **load()}
    exp_s, _ = best_of(lambda: np.exp(x), repeat=7)
    out["np.exp"] = {"seconds": exp_s, "elements_per_s": n / exp_s}
    cases = {
        "aligned_trajectory (s0 > 0)": lambda: numerics.aligned_trajectory(st, s0_pos, lam, t),
        "aligned_trajectory (mixed-sign s0)": lambda: numerics.aligned_trajectory(st, s0_mix,
                                                                                  lam, t),
        "transition_function (s0 > 0)": lambda: numerics.transition_function(st, s0_pos, lam,
                                                                             t),
        "aligned_trajectory (λ = 0, s0 > 0)": lambda: numerics.aligned_trajectory(
            st, s0_pos, 0.0, t),
    }
    rows = [("np.exp", fmt_s(exp_s), f"{n / exp_s:.3g}", "1.0")]
    for name, fn in cases.items():
        sec, _ = best_of(fn, repeat=5)
        out[name] = {"seconds": sec, "elements_per_s": n / sec, "ratio_to_exp": sec / exp_s}
        rows.append((name, fmt_s(sec), f"{n / sec:.3g}", f"{sec / exp_s:.1f}"))
    # scalar call overhead (claims often call in small batches)
    one, _ = best_of(lambda: numerics.aligned_trajectory(1.5, 0.01, 0.5, 2.0), repeat=200)
    out["scalar_call_seconds"] = one
    rows.append(("aligned_trajectory, one scalar call", fmt_s(one), f"{1 / one:.3g}", "-"))
    print(f"\n== aligned_trajectory throughput ({n} elements) ==")
    print(table(rows, ("call", "time", "elements/s", "× np.exp")))
    return out


# ------------------------------------------------------------------------------------------
# mp referee
# ------------------------------------------------------------------------------------------
def section_mp(args) -> dict:
    W1, W2 = numerics.lambda_balanced_init(0.5, 3, 2, 2, rng=4)
    S = np.random.default_rng(5).standard_normal((2, 3))
    out = {**load(), "qqt_case": "N_i=3, N_h=2, N_o=2, λ=0.5", "rows": []}
    rows = []
    for dps in (30, 50):
        for t in (1.0, 1e3):
            sec, _ = best_of(lambda: numerics.mp.qqt(W1, W2, S, t, dps=dps), repeat=3)
            out["rows"].append({"call": "mp.qqt (3×2×2)", "t": t, "dps": dps, "seconds": sec})
            rows.append(("mp.qqt (3×2×2)", t, dps, fmt_s(sec)))
        for t in (1.0, 1e3):
            sec, _ = best_of(lambda: numerics.mp.aligned_trajectory(1.5, 0.01, 0.5, t, dps=dps),
                             repeat=20)
            out["rows"].append({"call": "mp.aligned_trajectory", "t": t, "dps": dps,
                                "seconds": sec})
            rows.append(("mp.aligned_trajectory (scalar)", t, dps, fmt_s(sec)))
        tv = np.linspace(0.0, 50.0, 100)
        sec, _ = best_of(lambda: numerics.mp.aligned_trajectory(1.5, 0.01, 0.5, tv, dps=dps),
                         repeat=3)
        out["rows"].append({"call": "mp.aligned_trajectory, 100 times", "t": "0..50",
                            "dps": dps, "seconds": sec, "per_element": sec / 100})
        rows.append(("mp.aligned_trajectory (100 t, per element)", "0..50", dps,
                     fmt_s(sec / 100)))
        sec, _ = best_of(lambda: numerics.mp.transition_function(1.5, 0.01, 0.5, tv, dps=dps),
                         repeat=3)
        out["rows"].append({"call": "mp.transition_function, 100 times", "t": "0..50",
                            "dps": dps, "seconds": sec, "per_element": sec / 100})
        rows.append(("mp.transition_function (100 t, per element)", "0..50", dps,
                     fmt_s(sec / 100)))
    import mpmath.libmp
    out["mpmath_backend"] = mpmath.libmp.BACKEND
    print(f"\n== mp referee cost per call (mpmath backend: {mpmath.libmp.BACKEND}) ==")
    print(table(rows, ("call", "t", "dps", "time")))
    return out


# ------------------------------------------------------------------------------------------
# the suite: lazyrich check cold / warm, and profiles of the slowest claims
# ------------------------------------------------------------------------------------------
def lazyrich_cmd() -> list[str]:
    exe = Path(sys.executable).with_name("lazyrich")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "lazyrich.engine.cli"]


def section_suite(args) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="lazyrich-bench-"))
    cache = tmp / "cache"
    out = {"jobs": args.jobs, **load()}
    listing = subprocess.run(lazyrich_cmd() + ["list"], capture_output=True, text=True,
                             cwd=tmp)
    out["list_exit"] = listing.returncode
    ids = [ln.split()[0] for ln in listing.stdout.splitlines()[:-1] if ln.strip()]
    out["claims_present"] = ids
    if listing.returncode != 0:
        out["error"] = listing.stderr.strip()
        print(f"\n== suite: `lazyrich list` failed: {out['error']}")
        return out
    for phase, extra in (("cold", ["--no-cache"]), ("warm", [])):
        js = tmp / f"{phase}.json"
        cmd = lazyrich_cmd() + ["check", "-j", str(args.jobs), "-q", "--cache-dir", str(cache),
                                "--json", str(js)] + extra
        t0 = time.perf_counter()
        p = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp)
        wall = time.perf_counter() - t0
        rec = {"seconds": wall, "exit": p.returncode, **load()}
        if js.exists():
            doc = json.loads(js.read_text())
            rec["by_verdict"] = doc["summary"]["by_verdict"]
            rec["failures"] = doc["summary"]["failures"]
            rec["sum_claim_seconds"] = sum(c["seconds"] for c in doc["claims"])
            if phase == "cold":
                rec["slowest"] = sorted(((c["id"], c["seconds"]) for c in doc["claims"]),
                                        key=lambda x: -x[1])[:10]
        else:
            rec["stderr"] = p.stderr[-2000:]
        out[phase] = rec
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"\n== lazyrich check, whole default suite ({len(ids)} claims), -j {args.jobs} ==")
    rows = [(ph, fmt_s(out[ph]["seconds"]), out[ph]["exit"],
             fmt_s(out[ph].get("sum_claim_seconds")), out[ph].get("by_verdict", ""))
            for ph in ("cold", "warm")]
    print(table(rows, ("run", "wall", "exit", "Σ claim seconds", "verdicts")))
    print("slowest (cold): " + ", ".join(f"{c} {s:.1f}s" for c, s in out["cold"].get(
        "slowest", [])))
    return out


_PROFILE_SNIPPET = r"""
import cProfile, pstats, io, json, sys, time
from lazyrich import discover
claims = discover(entry_points_too=False)
c = claims[sys.argv[1]]
pr = cProfile.Profile()
t0 = time.perf_counter()
pr.enable(); r = c.run(); pr.disable()
wall = time.perf_counter() - t0
st = pstats.Stats(pr)
groups = {"sympy": 0.0, "mpmath": 0.0, "numerics.mp": 0.0, "scipy": 0.0}
rows = []
for (fn, line, name), (cc, nc, tt, ct, callers) in st.stats.items():
    rows.append((ct, tt, nc, f"{fn}:{line}({name})"))
    for key in groups:
        pass
# time spent inside each library, by own (tottime) time of its functions
for (fn, line, name), (cc, nc, tt, ct, callers) in st.stats.items():
    if "/sympy/" in fn: groups["sympy"] += tt
    elif "/mpmath/" in fn: groups["mpmath"] += tt
    elif "/scipy/" in fn: groups["scipy"] += tt
# cumulative time of the numerics.mp entry points
mp_cum = 0.0
for (fn, line, name), (cc, nc, tt, ct, callers) in st.stats.items():
    if "/numerics/mp/" in fn and not any("/numerics/mp/" in k[0] for k in callers):
        mp_cum += ct
groups["numerics.mp"] = mp_cum
proj = sorted([r for r in rows if "/work/" in r[3] or "lazyrich" in r[3]
               or "/proofs/" in r[3] or "/derive/" in r[3] or "/numerics/" in r[3]],
              key=lambda r: -r[0])
own = sorted(rows, key=lambda r: -r[1])[:12]
print(json.dumps({"wall": wall, "verdict": r.verdict,
                  "checks": [(ch["name"], ch["seconds"]) for ch in r.checks],
                  "library_seconds": groups,
                  "top_cumulative_project": [(round(a, 3), round(b, 3), n, s)
                                             for a, b, n, s in proj[:15]],
                  "top_own_time": [(round(a, 3), round(b, 3), n, s) for a, b, n, s in own]}))
"""


def section_profile(args, slowest: list | None) -> dict:
    if not slowest:
        print("\n== profile: no cold suite results; run the 'suite' section first ==")
        return {}
    out = {}
    print("\n== profiles of the slowest claims (cProfile of claim.run(), fresh process) ==")
    for cid, _sec in slowest[:args.profile_top]:
        p = subprocess.run([sys.executable, "-c", _PROFILE_SNIPPET, cid], capture_output=True,
                           text=True, cwd=ROOT)
        if p.returncode != 0:
            out[cid] = {"error": p.stderr[-1500:]}
            print(f"{cid}: profiling failed: {p.stderr.strip().splitlines()[-1:]}")
            continue
        prof = json.loads(p.stdout.strip().splitlines()[-1])
        out[cid] = prof
        lib = ", ".join(f"{k} {v:.1f}s" for k, v in prof["library_seconds"].items())
        print(f"\n{cid}: {prof['wall']:.1f} s ({prof['verdict']}); checks: "
              + ", ".join(f"{n} {s:.1f}s" for n, s in prof["checks"]) + f"; in libraries: {lib}")
        for ct, tt, nc, name in prof["top_cumulative_project"][:8]:
            print(f"   cum {ct:7.2f}s  own {tt:6.2f}s  calls {nc:>7}  {short(name)}")
    return out


def short(name: str) -> str:
    for marker in ("/site-packages/", str(ROOT) + "/"):
        if marker in name:
            return name.split(marker, 1)[1]
    return name


# ------------------------------------------------------------------------------------------
# issue targets: each measured in one process (interleaved best-of timings, one BLAS thread)
# ------------------------------------------------------------------------------------------
def interleaved(fns: dict, repeat: int, min_total: float = 0.0) -> dict:
    """Smallest wall time of each callable over ``repeat`` rounds, the callables interleaved
    within each round (so that a busy machine slows them alike)."""
    best = {k: float("inf") for k in fns}
    start = time.perf_counter()
    r = 0
    while r < repeat or (time.perf_counter() - start < min_total and r < 200):
        for k, f in fns.items():
            t0 = time.perf_counter()
            f()
            best[k] = min(best[k], time.perf_counter() - t0)
        r += 1
    return best


def _target(name, what, ratio, need, detail="", unit="×") -> dict:
    ok = ratio is not None and ratio >= need
    return {"target": name, "what": what, "ratio": ratio, "need": need, "unit": unit,
            "verdict": "PASS" if ok else ("MISS" if ratio is not None else "not measured"),
            "detail": detail}


def target_construct_once(args) -> list[dict]:
    """1. numerics.QQT(...).at(t) per time point vs the authors' construct-once loop."""
    out = []
    if not args.authors_repo:
        for n in (20, 50):
            out.append(_target(f"1. per point, n = {n}", "authors' forward() / our .at(t)", None,
                               1.0 if n == 20 else 2.0, "needs --authors-repo (a clone of "
                               "github.com/Nico31415/LinearNetworkDynamics)"))
        return out
    import authors_code
    cls = authors_code.load(args.authors_repo)
    for n, need in ((20, 1.0), (50, 2.0)):
        _, _, S, W1, W2 = problem(n, 0.5)
        T, dt = 200, 0.01
        ts = dt * np.arange(T)
        q = numerics.QQT(W1, W2, S)
        theirs = authors_code.construct(cls, W1, W2, S)
        agree = rel_err(np.array([theirs.forward(dt) for _ in range(T)]), q.at(ts))

        def run_theirs():
            a = authors_code.construct(cls, W1, W2, S)
            a.t = 0
            t0 = time.perf_counter()
            for _ in range(T):
                a.forward(dt)
            return time.perf_counter() - t0

        def run_ours():
            t0 = time.perf_counter()
            for t in ts:
                q.at(t)
            return time.perf_counter() - t0

        b = {"theirs": float("inf"), "ours": float("inf")}
        for _ in range(7 if not args.quick else 3):
            b["theirs"] = min(b["theirs"], run_theirs())
            b["ours"] = min(b["ours"], run_ours())
        batched = interleaved({"b": lambda: q.at(ts)}, 5)["b"]
        out.append(_target(
            f"1. per point, n = {n}", "authors' forward() / our .at(t)", b["theirs"] / b["ours"],
            need, f"authors {b['theirs'] / T * 1e6:.0f} µs, ours {b['ours'] / T * 1e6:.0f} µs per "
            f"point (batched .at(ts): {batched / T * 1e6:.0f} µs); results agree to {agree:.1e}"))
    return out


def _solver_best(S, W1, W2, times, ref, cases, block=False, rounds=2):
    """Best (seconds incl. forming QQᵀ or only W2W1, method, rtol, error) over ``cases``."""
    best = None
    for method, rtol in cases:
        for _ in range(rounds):
            flow = WeightFlow(S, W1.shape[0])
            r = solve(flow, W1, W2, times, method, rtol=rtol)
            if r["status"] != "ok":
                continue
            t0 = time.perf_counter()
            X = r["W2"] @ r["W1"] if block else qqt_from_weights(r["W1"], r["W2"])
            sec = r["seconds"] + time.perf_counter() - t0
            n_i = W1.shape[1]
            err = rel_err(X, ref[:, n_i:, :n_i] if block else ref)
            if best is None or sec < best[0]:
                best = (sec, method, rtol, err)
    return best


def target_qqt_vs_solvers(args) -> list[dict]:
    """2. qqt against the best solver: stiff (LSODA, exact Jacobian, rtol 1e-13), smooth
    (DOP853/LSODA at rtol 1e-10, QQᵀ formed at every t), smooth with one block (W2W1)."""
    out = []
    _, _, S, W1, W2 = problem(20, 50.0)
    ts = np.logspace(-2, 3, 200)
    ours = interleaved({"q": lambda: numerics.qqt(W1, W2, S, ts)}, 20, 1.0)["q"]
    ref = numerics.qqt(W1, W2, S, ts)
    sol = _solver_best(S, W1, W2, ts, ref, [("LSODA", 1e-13)])
    ours = min(ours, interleaved({"q": lambda: numerics.qqt(W1, W2, S, ts)}, 20, 1.0)["q"])
    out.append(_target("2. stiff n=20 λ=50", "LSODA+Jacobian rtol 1e-13 / qqt", sol[0] / ours,
                       100.0, f"qqt {ours * 1e3:.2f} ms, LSODA {sol[0] * 1e3:.0f} ms (error "
                       f"{sol[3]:.1e})"))
    _, _, S, W1, W2 = problem(50, 0.5)
    ts = np.linspace(0.02, 20.0, 1000)
    ref = numerics.qqt(W1, W2, S, ts)
    cases = [("DOP853", RTOL), ("LSODA", RTOL)]
    full = lambda: numerics.qqt(W1, W2, S, ts)  # noqa: E731
    blk = lambda: numerics.QQT(W1, W2, S).at(ts, block="W2W1")  # noqa: E731
    t1 = interleaved({"full": full, "block": blk}, 3 if args.quick else 5)
    sol_f = _solver_best(S, W1, W2, ts, ref, cases)
    sol_b = _solver_best(S, W1, W2, ts, ref, cases, block=True)
    t2 = interleaved({"full": full, "block": blk}, 3 if args.quick else 5)
    of, ob = min(t1["full"], t2["full"]), min(t1["block"], t2["block"])
    out.append(_target("2. smooth n=50 λ=0.5, QQᵀ", "best solver (+QQᵀ) / qqt", sol_f[0] / of,
                       1.0, f"qqt {of * 1e3:.0f} ms, {sol_f[1]} {sol_f[0] * 1e3:.0f} ms (error "
                       f"{sol_f[3]:.1e})"))
    out.append(_target("2. smooth n=50 λ=0.5, W2W1", "best solver (+W2W1) / QQT.at(block)",
                       sol_b[0] / ob, 2.0, f"ours {ob * 1e3:.0f} ms, {sol_b[1]} "
                       f"{sol_b[0] * 1e3:.0f} ms"))
    return out


def target_aligned(args) -> list[dict]:
    """3. aligned_trajectory per element ≤ 20× np.exp on the three branches, and its accuracy
    against the 40-digit reference on a random sample."""
    import mpmath

    n = 200_000
    rng = np.random.default_rng(3)
    st = rng.uniform(0.5, 3.0, n)
    lam = rng.uniform(-5.0, 5.0, n)
    t = rng.uniform(0.0, 50.0, n)
    x = -rng.uniform(0.0, 50.0, n)
    branches = {"s0 > 0": (rng.uniform(1e-3, 1.0, n), lam), "mixed signs": (
        rng.uniform(-1.0, 1.0, n), lam), "λ = 0": (rng.uniform(1e-3, 1.0, n), 0.0)}
    fns = {"exp": lambda: np.exp(x)}
    for k, (s0, la) in branches.items():
        fns[k] = lambda s0=s0, la=la: numerics.aligned_trajectory(st, s0, la, t)
    b = interleaved(fns, 10 if args.quick else 30)
    out = []
    for k, (s0, la) in branches.items():
        idx = rng.choice(n, 60, replace=False)
        la_i = np.broadcast_to(la, (n,))[idx]
        got = numerics.aligned_trajectory(st[idx], s0[idx], la_i, t[idx])
        with mpmath.workdps(40):
            ref = np.array([float(v) for v in numerics.mp.aligned_trajectory(
                st[idx], s0[idx], la_i, t[idx], dps=40)])
        err = float(np.max(np.abs(got - ref) / np.abs(ref)))
        out.append(_target(f"3. aligned, {k}", "20 / (time ÷ np.exp time)", 20.0 * b["exp"] / b[k],
                           1.0, f"{b[k] / b['exp']:.1f}× np.exp ({b[k] / n * 1e9:.1f} ns per "
                           f"element); max rel. error vs 40 digits on 60 points {err:.1e}"))
    return out


def target_suite(args, suite: dict | None) -> list[dict]:
    """4. cold lazyrich check ≤ 30 s, warm ≤ 2 s (from the 'suite' section)."""
    if not suite or "cold" not in suite:
        return [_target("4. check cold", "30 s / wall", None, 1.0, "run the 'suite' section"),
                _target("4. check warm", "2 s / wall", None, 1.0, "run the 'suite' section")]
    cold, warm = suite["cold"]["seconds"], suite["warm"]["seconds"]
    return [_target("4. check cold", "30 s / wall", 30.0 / cold, 1.0, f"{cold:.1f} s, "
                    f"{len(suite.get('claims_present', []))} claims, -j {suite.get('jobs')}"),
            _target("4. check warm", "2 s / wall", 2.0 / warm, 1.0, f"{warm:.2f} s")]


def target_sweep(args) -> tuple[list[dict], int]:
    """5. sweep at d = 200: the eigh-based eq (1) step vs the SVD one; the default grid on
    2 workers (timed with --with-sweep, else estimated from per-step costs and the steps
    that the grid's cells run, as recorded by the last timed run)."""
    from lazyrich.numerics import _tu_tasks as tt

    d = 200
    A, K1, K2 = tt.iid_gram_init(d, 4 * d, 1.0 / d, rng=0)
    _, _, Y = tt.low_rank_denoising(d, 5, rng=1)
    b = interleaved({"gd": lambda: tt.gram_gd_step(A, K1, K2, Y, 1e-3),
                     "eigh": lambda: tt.sc_euler_step(A, Y, 4.0, 1e-3),
                     "svd": lambda: tt.sc_euler_step_svd(A, Y, 4.0, 1e-3)}, 10)
    out = [_target("5. eq (1) step d=200", "SVD step / eigh step", b["svd"] / b["eigh"], 1.0,
                   f"eigh {b['eigh'] * 1e3:.2f} ms, SVD {b['svd'] * 1e3:.2f} ms, GD step "
                   f"{b['gd'] * 1e3:.2f} ms")]
    steps = args.sweep_steps
    if args.with_sweep:
        tmp = Path(tempfile.mkdtemp(prefix="lazyrich-sweep-"))
        cmd = lazyrich_cmd() + ["sweep", "tu2024.phase-diagram", "--d", "200", "--jobs", "2",
                                "--no-cache", "--cache-dir", str(tmp / "c"), "--out",
                                str(tmp / "o"), "--quiet", "--no-figures"]
        t0 = time.perf_counter()
        p = subprocess.run(cmd, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        import csv
        rows = list(csv.DictReader(open(tmp / "o" / "cells.csv"))) if p.returncode == 0 else []
        steps = sum(int(float(r["steps_run"])) for r in rows)
        shutil.rmtree(tmp, ignore_errors=True)
        out.append(_target("5. default grid d=200, 2 workers", "240 s / wall", 240.0 / wall,
                           1.0, f"{wall:.0f} s wall, {len(rows)} cells, {steps} steps, "
                           f"load {load()['loadavg_1m']}"))
    elif steps:
        est = steps * (b["gd"] + b["eigh"]) / 2
        out.append(_target("5. default grid d=200, 2 workers", "240 s / estimate", 240.0 / est,
                           1.0, f"estimated {est:.0f} s = {steps} steps × (GD + eq (1) step) / 2 "
                           f"workers, a lower bound: two busy workers share memory bandwidth "
                           f"(measured ~1.4× one, not 2×); time it with --with-sweep"))
    return out, steps


def section_targets(args, results: dict) -> dict:
    rows = []
    rows += target_construct_once(args)
    rows += target_qqt_vs_solvers(args)
    rows += target_aligned(args)
    rows += target_suite(args, results.get("suite"))
    prev = results.get("targets", {}).get("sweep_steps")
    if not args.sweep_steps and prev:
        args.sweep_steps = prev
    sw, steps = target_sweep(args)
    rows += sw
    print(f"\n== issue targets (one BLAS thread: OPENBLAS_NUM_THREADS="
          f"{os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}; load {load()['loadavg_1m']}) ==")
    print(table([(r["target"], r["what"], "-" if r["ratio"] is None else f"{r['ratio']:.2f}",
                  f">= {r['need']:g}", r["verdict"], r["detail"]) for r in rows],
                ("target", "ratio measured", "ratio", "need", "verdict", "figures")))
    return {"rows": rows, "sweep_steps": steps, **load()}


# ------------------------------------------------------------------------------------------
def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", nargs="+", choices=("qqt", "scaling", "aligned", "mp", "suite",
                                                  "profile", "targets"))
    ap.add_argument("--authors-repo", metavar="DIR",
                    default=os.environ.get("LAZYRICH_AUTHORS_REPO"),
                    help="a clone of github.com/Nico31415/LinearNetworkDynamics (target 1: "
                         "their construct-once loop is timed side by side with numerics.QQT)")
    ap.add_argument("--with-sweep", action="store_true",
                    help="target 5: time the default d = 200 grid on 2 workers (~4 min)")
    ap.add_argument("--sweep-steps", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--quick", action="store_true", help="smaller sizes and budgets")
    ap.add_argument("--cap", type=float, default=120.0,
                    help="wall-clock budget per solver run in the two regimes (s)")
    ap.add_argument("--scale-cap", type=float, default=20.0,
                    help="budget per solver run in the scaling section (s)")
    ap.add_argument("--jobs", type=int, default=2, help="-j for lazyrich check")
    ap.add_argument("--profile-top", type=int, default=3, help="profile this many claims")
    ap.add_argument("--out", default=str(HERE / "results.json"))
    args = ap.parse_args(argv)
    if args.quick:
        args.cap = min(args.cap, 30.0)
        args.scale_cap = min(args.scale_cap, 10.0)
    sections = args.only or ["qqt", "scaling", "aligned", "mp", "suite", "profile", "targets"]
    path = Path(args.out)
    results = json.loads(path.read_text()) if path.exists() else {}
    results["environment"] = {
        "python": platform.python_version(), "numpy": np.__version__,
        "scipy": __import__("scipy").__version__, "mpmath": __import__("mpmath").__version__,
        "machine": platform.machine(), "cpus": os.cpu_count(), "quick": args.quick,
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    for sec in sections:
        if sec == "profile":
            slowest = results.get("suite", {}).get("cold", {}).get("slowest")
            results["profile"] = section_profile(args, slowest)
        elif sec == "targets":
            results["targets"] = section_targets(args, results)
        else:
            results[sec] = globals()[f"section_{sec}"](args)
        path.write_text(json.dumps(results, indent=1, default=float))
    print(f"\nresults: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
