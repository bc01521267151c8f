"""Determinism: the same ``lazyrich check`` run twice, without the cache, writes byte-identical
results JSON once the timing fields (``seconds``, per claim and per check, and ``cached``) are
removed.  The second run uses the Dask scheduler (``-j 2``), so neither the order in which the
claims finish nor the process they run in may leak into the results.

The claims are a few fast built-in ones plus a user file whose check draws random numbers from a
fixed seed and returns numpy data (so the JSON conversion of numpy values is covered too).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

FAST_BUILTIN = ["domine2025.thm5.2", "domine2025.lemma4.2.identities", "domine2025.eq17"]

SEEDED = textwrap.dedent('''
    import numpy as np
    from lazyrich import numerics
    from lazyrich import Claim, Evidence, Source

    seeded = Claim(id="determinism.eq1", title="seeded random check",
                   source=Source("determinism", "eq (1)"), statement="s(t) \\\\to \\\\tilde s",
                   formulas={"s": numerics.aligned_trajectory})

    @seeded.check("numeric", tolerance=1e-12, precision="float64",
                  justification="convergence of a well-conditioned closed form")
    def converges(f):
        rng = np.random.default_rng(1234)
        st, s0, lam = rng.uniform(0.5, 2, 8), rng.uniform(0.01, 0.1, 8), rng.normal(size=8)
        err = np.abs(f.s(st, s0, lam, 200.0) - st) / st
        return Evidence(max_error=float(err.max()), detail="relative gap at t = 200",
                        counterexample={"s_target": st[:2], "lam": np.float64(lam[0])},
                        data={"curve": f.s(st[0], s0[0], lam[0], np.linspace(0, 5, 6))})
    ''')


def _strip_timing(x):
    if isinstance(x, dict):
        return {k: _strip_timing(v) for k, v in x.items() if k not in ("seconds", "cached")}
    if isinstance(x, list):
        return [_strip_timing(v) for v in x]
    return x


def _script() -> list[str]:
    exe = Path(sys.executable).with_name("lazyrich")
    return [str(exe)] if exe.exists() else [sys.executable, "-c",
                                            "import sys; from lazyrich.engine.cli import main; "
                                            "sys.exit(main())"]


def _check(tmp_path: Path, name: str, claims: str, jobs: str) -> bytes:
    out = tmp_path / f"{name}.json"
    proc = subprocess.run(
        _script() + ["check", *FAST_BUILTIN, "determinism", "--claims", claims, "--no-cache",
                     "--cache-dir", str(tmp_path / f"cache-{name}"), "-j", jobs, "-q",
                     "--json", str(out)],
        capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = json.loads(out.read_text())
    assert all(isinstance(c["seconds"], float) for c in doc["claims"])
    return json.dumps(_strip_timing(doc), sort_keys=True, indent=1).encode()


@pytest.mark.slow
def test_two_uncached_runs_give_byte_identical_results(tmp_path):
    claims = tmp_path / "seeded_claims.py"
    claims.write_text(SEEDED)
    first = _check(tmp_path, "first", str(claims), "1")
    second = _check(tmp_path, "second", str(claims), "2")
    ids = [c["id"] for c in json.loads(first)["claims"]]
    assert ids == sorted(FAST_BUILTIN + ["determinism.eq1"]), ids
    if first != second:  # show where, not two pages of JSON
        a, b = first.decode().splitlines(), second.decode().splitlines()
        i = next(i for i, (x, y) in enumerate(zip(a, b)) if x != y)
        pytest.fail(f"results differ at line {i}: {a[i]!r} vs {b[i]!r}")
