"""The claim engine: verdict logic, errors, timeouts, cache, CLI exit codes, JSON/JUnit, plugin."""

import json
import os
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET

import pytest

from lazyrich import Claim, Evidence, Source, combine_verdicts, outcome, run_one
from lazyrich.engine.cli import main

DEMO = textwrap.dedent('''
    import math, time
    from lazyrich import Claim, Source, Evidence

    good = Claim(id="demo.eq1", title="exp(1) = e", source=Source("demo", "eq (1)"),
                 statement="e^1 = e", formulas={"f": math.exp})

    @good.check("numeric", tolerance=1e-15, precision="float64", justification="one rounding")
    def value(f):
        return abs(f.f(1.0) - math.e)

    erratum = Claim(id="demo.eq2", title="exp(1) = 3", source=Source("demo", "eq (2)"),
                    statement="e^1 = 3", expected="refuted", corrected="e^1 = e",
                    corrected_by="demo.eq1", depends_on=("demo.eq1",))

    @erratum.check("numeric", tolerance=1e-15)
    def value2(f):
        return Evidence(max_error=abs(math.e - 3), detail="e is not 3", counterexample={"x": 1})
    ''')


def _write(tmp_path, extra=""):
    p = tmp_path / "demo_claims.py"
    p.write_text(DEMO + textwrap.dedent(extra))
    return str(p)


def test_combine_verdicts_weakest_and_refuted_dominates():
    assert combine_verdicts(["proved", "verified"]) == "verified"
    assert combine_verdicts(["proved", "proved"]) == "proved"
    assert combine_verdicts(["verified", "inconclusive"]) == "inconclusive"
    assert combine_verdicts(["error", "refuted", "proved"]) == "refuted"
    assert combine_verdicts(["error", "verified"]) == "error"


@pytest.mark.parametrize("verdict,expected,result", [
    ("proved", None, "passed"), ("verified", None, "passed"), ("refuted", None, "failed"),
    ("inconclusive", None, "inconclusive"), ("error", None, "error"),
    ("refuted", "refuted", "erratum"), ("verified", "refuted", "unexpected-pass"),
    ("proved", "refuted", "unexpected-pass"), ("error", "refuted", "error"),
    ("proved", "verified", "passed"), ("inconclusive", "inconclusive", "passed"),
])
def test_outcome_table(verdict, expected, result):
    assert outcome(verdict, expected) == result


def _claim(func, **kw):
    c = Claim(id="t.x1", title="t", source=Source("t", "x"), statement="", **kw)
    c.check("numeric", tolerance=1e-12)(func)
    return c


def test_tolerance_decides_and_crash_is_error():
    assert _claim(lambda f: 1e-13).run().verdict == "verified"
    assert _claim(lambda f: 1e-11).run().verdict == "refuted"
    assert _claim(lambda f: float("nan")).run().verdict == "error"

    def boom(f):
        raise RuntimeError("kaboom")
    rec = run_one(_claim(boom))
    assert rec["verdict"] == "error"
    assert "kaboom" in rec["checks"][0]["detail"] and "RuntimeError" in rec["checks"][0]["traceback"]


def test_numeric_check_cannot_claim_proved():
    rec = run_one(_claim(lambda f: Evidence(verdict="proved")))
    assert rec["verdict"] == "error"
    assert "only a symbolic check" in rec["checks"][0]["detail"]


def test_timeout_is_an_error_not_a_hang():
    import time
    c = _claim(lambda f: time.sleep(5) or 0.0, timeout=0.3)
    t0 = time.perf_counter()
    rec = run_one(c)
    assert time.perf_counter() - t0 < 3
    assert rec["verdict"] == "error" and "timed out" in rec["checks"][0]["detail"]


def test_formula_override_is_checked_by_name():
    c = _claim(lambda f: abs(f.g(2.0) - 4.0), formulas={"g": lambda x: x * x})
    assert c.run().verdict == "verified"
    assert c.run(g=lambda x: x * x + 1e-6).verdict == "refuted"
    with pytest.raises(ValueError, match="no formula"):
        c.run(h=abs)


def test_bad_claim_id_rejected():
    with pytest.raises(ValueError, match="must look like"):
        Claim(id="nodots", title="", source=Source("p", "r"), statement="")


def test_check_cli_json_junit_and_cache(tmp_path, capsys):
    claims = _write(tmp_path)
    cache = str(tmp_path / "cache")
    out_json, out_xml = tmp_path / "r.json", tmp_path / "j.xml"
    args = ["check", "demo", "--claims", claims, "--cache-dir", cache, "-j", "1", "-q"]
    assert main(args + ["--json", str(out_json), "--junit", str(out_xml)]) == 0
    doc = json.loads(out_json.read_text())
    assert doc["schema"] == "lazyrich.results/2"
    by_id = {c["id"]: c for c in doc["claims"]}
    assert by_id["demo.eq1"]["verdict"] == "verified" and by_id["demo.eq1"]["outcome"] == "passed"
    assert by_id["demo.eq2"]["outcome"] == "erratum"
    assert doc["summary"]["errata"] == ["demo.eq2"] and doc["summary"]["failures"] == []
    for key in ("id", "title", "source", "verdict", "expected", "checks", "seconds"):
        assert key in by_id["demo.eq1"]
    for key in ("kind", "verdict", "max_error", "tolerance", "detail"):
        assert key in by_id["demo.eq1"]["checks"][0]
    suite = ET.parse(out_xml).getroot()
    assert suite.get("tests") == "2" and suite.get("failures") == "0"
    out = capsys.readouterr().out
    assert "errata" in out and "OK" in out
    # second run: served from the cache
    assert main(args + ["--json", str(out_json)]) == 0
    assert all(c["cached"] for c in json.loads(out_json.read_text())["claims"])
    # a corrupted cache file is detected and rebuilt, never trusted
    from lazyrich.engine._cache import entry_path
    entry_path(tmp_path / "cache", "demo.eq1").write_text('{"payload": {"key": "x", "record": {}}')
    assert main(args + ["--json", str(out_json)]) == 0
    assert "corrupted" in capsys.readouterr().err
    rec = {c["id"]: c for c in json.loads(out_json.read_text())["claims"]}["demo.eq1"]
    assert rec["cached"] is False and rec["verdict"] == "verified"


def test_exit_codes_for_failures_unexpected_pass_and_strict(tmp_path, capsys):
    cache = str(tmp_path / "cache")
    failing = _write(tmp_path, '''
        bad = Claim(id="demo.eq3", title="wrong", source=Source("demo", "eq (3)"), statement="")
        @bad.check("numeric", tolerance=1e-12)
        def c(f):
            return 1.0
        ''')
    assert main(["check", "demo", "--claims", failing, "--cache-dir", cache, "-j1", "-q"]) == 1
    assert "FAILED" in capsys.readouterr().out
    passing_erratum = _write(tmp_path, '''
        xp = Claim(id="demo.eq4", title="erratum fixed", source=Source("demo", "eq (4)"),
                   statement="", expected="refuted")
        @xp.check("numeric", tolerance=1e-12)
        def c(f):
            return 0.0
        ''')
    assert main(["check", "demo", "--claims", passing_erratum, "--cache-dir", cache, "-j1",
                 "-q"]) == 1
    inconclusive = _write(tmp_path, '''
        inc = Claim(id="demo.eq5", title="unsure", source=Source("demo", "eq (5)"), statement="")
        @inc.check("symbolic")
        def c(f):
            return Evidence(verdict="inconclusive", detail="simplify gave up")
        ''')
    base = ["check", "demo", "--claims", inconclusive, "--cache-dir", cache, "-j1", "-q"]
    assert main(base) == 0
    assert main(base + ["--strict"]) == 1


def test_cli_bad_input_is_one_line_exit_2(tmp_path, capsys):
    claims = _write(tmp_path)
    assert main(["check", "no.such.claim", "--claims", claims]) == 2
    err = capsys.readouterr().err
    assert err.startswith("lazyrich: error: no claim matches") and err.count("\n") == 1
    assert main(["check", "--claims", str(tmp_path / "missing.py")]) == 2
    broken = tmp_path / "broken.py"
    broken.write_text("import math\nx = 1/0\n")
    assert main(["list", "--claims", str(broken)]) == 2
    assert "line 2" in capsys.readouterr().err
    assert main(["check", "demo", "--claims", claims, "--jobs", "0"]) == 2
    assert main(["check", "demo", "--claims", claims, "-q", "-j1", "--cache-dir",
                 str(tmp_path / "c"), "--json", "/proc/nope/r.json"]) == 2


def test_duplicate_ids_and_unknown_dependency_rejected(tmp_path, capsys):
    dup = _write(tmp_path, '''
        again = Claim(id="demo.eq1", title="dup", source=Source("demo", "x"), statement="")
        ''')
    assert main(["list", "--claims", dup]) == 2
    assert "defined twice" in capsys.readouterr().err
    p = tmp_path / "dep.py"
    p.write_text("from lazyrich import Claim, Source\n"
                 "c = Claim(id='dep.x1', title='', source=Source('d', 'x'), statement='',"
                 " depends_on=('dep.nothere',))\n")
    assert main(["list", "--claims", str(p)]) == 2
    assert "unknown claim" in capsys.readouterr().err


def test_report_writes_html_atomically(tmp_path):
    claims = _write(tmp_path)
    out = tmp_path / "rep"
    rc = main(["report", "demo", "--claims", claims, "--cache-dir", str(tmp_path / "c"),
               "-j1", "-q", "--out", str(out)])
    assert rc == 0
    html = (out / "index.html").read_text()
    assert "demo.eq1" in html and "demo.eq2" in html and "erratum" in html
    # --from a results file, rendered over the previous report
    res = tmp_path / "r.json"
    main(["check", "demo", "--claims", claims, "--cache-dir", str(tmp_path / "c"), "-q",
          "--json", str(res)])
    assert main(["report", "--from", str(res), "--out", str(out)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".rep")) == []
    assert main(["report", "--from", str(tmp_path / "nope.json"), "--out", str(out)]) == 2


@pytest.mark.slow
def test_dask_local_cluster_and_existing_scheduler(tmp_path):
    """The parallel path: a local cluster (jobs=2), then an existing scheduler by address."""
    from distributed import LocalCluster

    claims = _write(tmp_path)
    res = tmp_path / "r.json"
    assert main(["check", "demo", "--claims", claims, "--no-cache", "-j", "2", "-q",
                 "--cache-dir", str(tmp_path / "c"), "--json", str(res)]) == 0
    assert {c["id"]: c["verdict"] for c in json.loads(res.read_text())["claims"]} == {
        "demo.eq1": "verified", "demo.eq2": "refuted"}
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        assert main(["check", "demo", "--claims", claims, "--no-cache", "-q",
                     "--scheduler", cluster.scheduler_address,
                     "--cache-dir", str(tmp_path / "c"), "--json", str(res)]) == 0
    assert json.loads(res.read_text())["summary"]["ok"]


def test_pytest_plugin_runs_claims_as_items(tmp_path):
    claims = _write(tmp_path)
    env = {**os.environ, "LAZYRICH_CACHE_DIR": str(tmp_path / "c")}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--lazyrich-select",
         "demo", "--lazyrich-claims", claims, str(tmp_path)],
        cwd=tmp_path, capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 passed" in proc.stdout
    failing = _write(tmp_path, '''
        bad = Claim(id="demo.eq3", title="wrong", source=Source("demo", "eq (3)"), statement="")
        @bad.check("numeric", tolerance=1e-12)
        def c(f):
            return 1.0
        ''')
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--lazyrich-select",
         "demo", "--lazyrich-claims", failing, str(tmp_path)],
        cwd=tmp_path, capture_output=True, text=True, env=env)
    assert proc.returncode == 1 and "1 failed, 2 passed" in proc.stdout, proc.stdout


def test_entry_point_claims_are_discovered(tmp_path, monkeypatch):
    """Installed packages contribute claims through the `lazyrich.claims` entry-point group."""
    import types

    import lazyrich.engine._registry as registry

    module = types.ModuleType("fake_plugin_claims")
    exec(compile(DEMO, "fake_plugin_claims.py", "exec"), module.__dict__)

    class FakeEntryPoint:
        name = "demo"

        def load(self):
            return module

    def fake_entry_points(group):
        assert group == registry.ENTRY_POINT_GROUP
        return [FakeEntryPoint()]

    monkeypatch.setattr(registry, "entry_points", fake_entry_points)
    claims = registry.discover()
    assert {"demo.eq1", "demo.eq2"} <= set(claims)
    assert registry.discover(entry_points_too=False).keys().isdisjoint({"demo.eq1"})


def test_pytest_plugin_collects_the_standard_way(tmp_path):
    """--collect-only lists and counts the claims, and an id pytest prints can be passed back;
    a claim whose check calls os._exit fails its item without ending the session."""
    claims = _write(tmp_path, '''
        import os
        dies = Claim(id="demo.eq9", title="exits", source=Source("demo", "eq (9)"), statement="")
        @dies.check("numeric", tolerance=1e-12)
        def c(f):
            os._exit(0)
        ''')
    env = {**os.environ, "LAZYRICH_CACHE_DIR": str(tmp_path / "c")}
    base = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--lazyrich-select",
            "demo", "--lazyrich-claims", claims]
    proc = subprocess.run(base + ["--collect-only", "-q"], cwd=tmp_path, capture_output=True,
                          text=True, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    ids = [ln for ln in proc.stdout.splitlines() if "::demo." in ln]
    assert len(ids) == 3 and "3 tests collected" in proc.stdout, proc.stdout
    eq1 = next(i for i in ids if i.endswith("::demo.eq1"))
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "--lazyrich-claims", claims, "--lazyrich", eq1],
                          cwd=tmp_path, capture_output=True, text=True, env=env)
    assert proc.returncode == 0 and "1 passed" in proc.stdout, proc.stdout + proc.stderr
    proc = subprocess.run(base + ["-q"], cwd=tmp_path, capture_output=True, text=True, env=env)
    assert proc.returncode == 1 and "1 failed, 2 passed" in proc.stdout, proc.stdout
    assert "exited" in proc.stdout
