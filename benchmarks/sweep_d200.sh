#!/usr/bin/env bash
# Tu, Aranguri & Jacot (2024), Figure 2 at the paper's size d = 200: timings of
#   1. one cell's step (GD on the Gram state, and the eq (1) Euler step), one BLAS thread;
#   2. the default grid  (γσ² ∈ −3:0:0.25, γw ∈ 0.25:2.75:0.25; 143 cells, simultaneous GD);
#   3. the paper's grid  (γσ² ∈ linspace(−2.2, −0.8, 30), γw ∈ linspace(1.75, 2.8, 30), as in
#      its main.ipynb; 900 cells, sequential GD as in the notebooks).
# Every cell is computed afresh (--no-cache, a private cache directory); one worker process per
# core, one BLAS thread each.  Prints the wall time, cells per second and core-seconds per cell.
#
# Usage:   bash benchmarks/sweep_d200.sh                  # 16 workers (JOBS=16)
#          JOBS=32 bash benchmarks/sweep_d200.sh          # a bigger machine
#          SCHEDULER=tcp://host:8786 bash benchmarks/sweep_d200.sh   # an existing Dask cluster
#          GRIDS="default" bash benchmarks/sweep_d200.sh  # only one of the grids
#          D=64 GRIDS=default JOBS=2 bash benchmarks/sweep_d200.sh   # a quick smoke run
# Environment: PYTHON (default: .venv/bin/python of this checkout, else python3), OUT (default:
# a new temporary directory; the tables and figures are left there).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
PY="${PYTHON:-}"
if [[ -z "$PY" ]]; then
    if [[ -x "$ROOT/.venv/bin/python" ]]; then PY="$ROOT/.venv/bin/python"; else PY=python3; fi
fi
JOBS="${JOBS:-16}"
D="${D:-200}"
GRIDS="${GRIDS:-default paper}"
OUT="${OUT:-$(mktemp -d -t lazyrich-sweep-d${D}-XXXXXX)}"
SCHEDULER="${SCHEDULER:-}"
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1

echo "== machine: $(getconf _NPROCESSORS_ONLN) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); python: $PY"
"$PY" -c 'import numpy, scipy, dask, distributed; print("   numpy", numpy.__version__, "scipy", scipy.__version__, "dask", dask.__version__, "distributed", distributed.__version__)'
echo "== output: $OUT"

echo "== 1. one step at d = $D (one BLAS thread; best of 5)"
"$PY" - "$D" <<'EOF'
import sys, time
import numpy as np
from lazyrich.numerics import _tu_tasks as tt
d = int(sys.argv[1])
A, K1, K2 = tt.iid_gram_init(d, 4 * d, 1.0 / d, rng=0)
_, _, Y = tt.low_rank_denoising(d, 5, rng=1)
def best(fn):
    out = []
    for _ in range(5):
        t0 = time.perf_counter(); fn(); out.append(time.perf_counter() - t0)
    return min(out) * 1e3
gd = best(lambda: tt.gram_gd_step(A, K1, K2, Y, 1e-3))
sc = best(lambda: tt.sc_euler_step(A, Y, 4.0, 1e-3))
svd = best(lambda: tt.sc_euler_step_svd(A, Y, 4.0, 1e-3))
print(f"   GD step (Gram state) {gd:.2f} ms; eq (1) step {sc:.2f} ms (eigh; by SVD {svd:.2f} ms); "
      f"a cell runs up to 750 steps of both: <= {750 * (gd + sc) / 1e3:.1f} s")
EOF

run_grid () {  # name, then extra arguments of lazyrich sweep
    local name="$1"; shift
    local args=(-m lazyrich.engine.cli sweep tu2024.phase-diagram --d "$D" --k 5 --no-cache
                --cache-dir "$OUT/cache-$name" --out "$OUT/$name" --quiet "$@")
    if [[ -n "$SCHEDULER" ]]; then args+=(--scheduler "$SCHEDULER"); else args+=(--jobs "$JOBS"); fi
    echo "== $name grid: $PY ${args[*]}"
    local t0 t1
    t0=$(date +%s.%N)
    "$PY" "${args[@]}" | tail -n 3
    t1=$(date +%s.%N)
    "$PY" - "$OUT/$name/cells.csv" "$t0" "$t1" "$JOBS" "$name" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
wall = float(sys.argv[3]) - float(sys.argv[2])
jobs, name = int(sys.argv[4]), sys.argv[5]
sec = [float(r["seconds"]) for r in rows if r.get("seconds")]
steps = [int(float(r["steps_run"])) for r in rows if r.get("steps_run")]
failed = sum(1 for r in rows if r.get("error"))
print(f"   {name}: {len(rows)} cells ({failed} failed) in {wall:.1f} s wall with {jobs} workers; "
      f"cell seconds: sum {sum(sec):.0f}, mean {sum(sec) / len(sec):.2f}, max {max(sec):.2f}; "
      f"steps: mean {sum(steps) / len(steps):.0f}, max {max(steps)}; "
      f"{len(rows) / wall:.2f} cells/s; parallel efficiency {sum(sec) / (wall * jobs):.0%}")
print(f"TIMING {name} d={int(float(rows[0]['d']))} cells={len(rows)} jobs={jobs} wall_s={wall:.1f} "
      f"cell_s_sum={sum(sec):.1f} cell_s_max={max(sec):.2f}")
EOF
}

for g in $GRIDS; do
    case "$g" in
        default) run_grid default ;;
        paper)   run_grid paper --update sequential \
                     --grid=-2.2:-0.8:0.04827586206896552,1.75:2.8:0.03620689655172414 ;;
        *) echo "unknown grid $g (default, paper)" >&2; exit 2 ;;
    esac
done
echo "== done; tables and figures in $OUT"
