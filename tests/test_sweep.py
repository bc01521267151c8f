"""The sweep engine (proofs/_sweep.py): a real `dask scheduler` + two `dask worker` processes
on loopback, the per-cell cache (resume, nothing computed twice, corruption), the outputs and
the CLI's bad-input handling."""

import csv
import dataclasses
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lazyrich.engine import _sweep

ROOT = Path(__file__).resolve().parents[1]
TINY = dict(d=8, k=2, grid="-2:-1:1,1:2:1", seeds=1, max_steps=30, update="simultaneous",
            lr_c=50.0)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(procs):
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=5)


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory):
    """`dask scheduler` and two `dask worker` processes on 127.0.0.1; killed in teardown."""
    port = _free_port()
    addr = f"tcp://127.0.0.1:{port}"
    logs = tmp_path_factory.mktemp("dask-logs")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = []
    try:
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1", "--port",
             str(port), "--no-dashboard"], cwd=ROOT, env=env,
            stdout=open(logs / "scheduler.log", "w"), stderr=subprocess.STDOUT))
        for i in range(2):
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "dask", "worker", addr, "--nworkers", "1",
                 "--nthreads", "1", "--no-dashboard", "--local-directory",
                 str(logs / f"w{i}")], cwd=ROOT, env=env,
                stdout=open(logs / f"worker{i}.log", "w"), stderr=subprocess.STDOUT))
        from distributed import Client

        deadline = time.monotonic() + 60
        while True:
            try:
                with Client(addr, timeout="5s") as client:
                    client.wait_for_workers(2, timeout=60)
                break
            except (OSError, TimeoutError):
                if time.monotonic() > deadline or procs[0].poll() is not None:
                    raise
                time.sleep(0.5)
        yield addr
    finally:
        _stop(procs[::-1])


def _cells():
    return _sweep.phase_cells(**TINY)


@pytest.mark.slow
def test_sweep_on_a_real_dask_cluster_and_resume(dask_cluster, tmp_path):
    cells = _cells()
    assert len(cells) == 4
    opts = _sweep.SweepRun("tu2024.phase-diagram", scheduler=dask_cluster,
                           cache_dir=str(tmp_path), progress=False)
    rows = _sweep.run_grid(cells, opts)
    assert [r["error"] for r in rows] == [""] * 4
    ref = [_sweep.run_cell("tu2024.phase-diagram", c) for c in cells]
    for r, e in zip(rows, ref):          # workers compute exactly what this process computes
        assert r["min_test"] == e["min_test"] and r["log_max_dist"] == e["log_max_dist"]
    files = list((tmp_path / "sweeps" / "tu2024.phase-diagram").glob("*.json"))
    assert len(files) == 4
    # everything cached: a dead scheduler address is never contacted
    dead = dataclasses.replace(opts, scheduler="tcp://127.0.0.1:9")
    again = _sweep.run_grid(cells, dead)
    assert [r["min_test"] for r in again] == [r["min_test"] for r in rows]


def test_cache_resumes_and_never_recomputes(tmp_path, monkeypatch):
    calls = []
    orig = _sweep.SWEEPS["tu2024.phase-diagram"]

    def counting(**p):
        calls.append(p)
        return orig.cell(**p)

    monkeypatch.setitem(_sweep.SWEEPS, "tu2024.phase-diagram",
                        dataclasses.replace(orig, cell=counting))
    cells = _cells()
    opts = _sweep.SweepRun("tu2024.phase-diagram", jobs=1, cache_dir=str(tmp_path),
                           progress=False)
    first = _sweep.run_grid(cells[:2], opts)          # an "interrupted" sweep: 2 of 4 done
    assert len(calls) == 2
    full = _sweep.run_grid(cells, opts)               # resumes: only the 2 missing cells
    assert len(calls) == 4
    assert [r["min_test"] for r in full[:2]] == [r["min_test"] for r in first]
    _sweep.run_grid(cells, opts)
    assert len(calls) == 4                            # nothing computed twice
    # a corrupted cache file is reported and recomputed
    root = tmp_path / "sweeps" / "tu2024.phase-diagram"
    victim = root / f"{_sweep.cell_key('tu2024.phase-diagram', cells[0])}.json"
    doc = json.loads(victim.read_text())
    doc["result"]["min_test"] = 0.0
    victim.write_text(json.dumps(doc))
    warnings = []
    opts.warn = warnings.append
    rows = _sweep.run_grid(cells, opts)
    assert len(calls) == 5 and warnings and "corrupted" in warnings[0]
    assert rows[0]["min_test"] == full[0]["min_test"]
    # a different code fingerprint or parameter gives a different key
    assert _sweep.cell_key("tu2024.phase-diagram", {**cells[0], "seed": 1}) != \
        _sweep.cell_key("tu2024.phase-diagram", cells[0])


def test_cli_writes_table_and_figures(tmp_path, capsys):
    out = tmp_path / "out"
    code = _sweep.main(["tu2024.phase-diagram", "--d", "8", "--k", "2",
                        f"--grid={TINY['grid']}", "--steps", "30", "-j", "1", "--cache-dir",
                        str(tmp_path / "c"), "--out", str(out), "-q"])
    assert code == 0
    with open(out / "cells.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 4 and {"gamma_sigma2", "gamma_w", "min_test", "stable_rank_at_min",
                               "iter_at_min", "log_max_dist", "region"} <= set(rows[0])
    assert (out / "phase_diagram.png").stat().st_size > 1000
    assert (out / "phase_diagram.svg").read_text().lstrip().startswith("<?xml")
    assert "active" in capsys.readouterr().out


def test_progress_bar_reaches_the_total(tmp_path):
    import io

    buf = io.StringIO()
    bar = _sweep.Progress(3, True, buf)
    for _ in range(3):
        bar.update()
    assert "3/3 cells" in buf.getvalue().splitlines()[-1]


@pytest.mark.parametrize("argv,needle", [
    (["--grid", "1:0:0.5,1:2:1"], "START <= STOP"),
    (["--grid", "a:b:c,1:2:1"], "not 'START:STOP:STEP'"),
    (["--grid=-1:0:0,1:2:1"], "STEP > 0"),
    (["--grid", "0:1:0.5"], "two comma-separated"),
    (["--d", "8", "--k", "9"], "--k 9 must be <= --d 8"),
    (["--jobs", "0"], "--jobs must be >= 1"),
])
def test_cli_bad_input_exits_2(argv, needle, tmp_path, capsys):
    code = _sweep.main(["tu2024.phase-diagram", *argv, "--cache-dir", str(tmp_path), "-q",
                        "--out", str(tmp_path / "o")])
    assert code == 2
    assert needle in capsys.readouterr().err


@pytest.mark.parametrize("argv,words", [
    (["--grid=0:99999:1,0:9:1"], "values on the γσ² axis"),
    (["--grid=0:500:1,0:500:1"], "cells"),
    (["--d", "1000000"], "--d must be between"),
    (["--seeds", "0"], "--seeds must be between"),
    (["--scheduler", "notanaddress"], "--scheduler 'notanaddress': cannot connect"),
    (["--out", "/proc/lazyrich-no-such-dir/out"], "--out"),
])
def test_bad_sweep_input_is_one_line_before_any_cell(tmp_path, capsys, argv, words):
    import time as _time

    t0 = _time.monotonic()
    base = ["tu2024.phase-diagram", "--d", "8", "--k", "2", "--grid=-1:-1:1,1.5:1.5:1",
            "--cache-dir", str(tmp_path / "c"), "-q", "--out", str(tmp_path / "o")]
    code = _sweep.main(base + [a if not a.startswith("0:") else a for a in argv])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err, err
    assert err.count("\n") == 1 and words in err, err
    assert _time.monotonic() - t0 < 60
    assert not (tmp_path / "c").exists()          # nothing was computed


def test_figure_draws_only_the_lines_inside_its_grid():
    """A line of Figure 2 outside the grid is named in the title, not drawn (with a legend
    entry for a line nobody can see); the paper's own grid at d = 200 has w = k below it."""
    from lazyrich.engine._sweep import region_lines

    shown, hidden = region_lines((-2.4, -0.6), (1.55, 3.0), 200, 5)      # the paper's grid
    assert [s[3] for s in shown] == ["σ²w = d (active/lazy)", "σ⁴w = 1 (infinite noise)"]
    assert hidden == ["w = k (γw = 0.30)"]
    shown, hidden = region_lines((-3.2, 0.2), (0.05, 2.95), 200, 5)      # the default grid
    assert len(shown) == 3 and hidden == []
    shown, hidden = region_lines((-3.2, -2.5), (0.05, 1.0), 200, 5)      # lines off to the right
    assert [s[3] for s in shown] == ["w = k (underparameterized below)"]
    assert hidden == ["σ²w = d (active/lazy)", "σ⁴w = 1 (infinite noise)"]
