"""The worked extension examples/saxe2014: a separate package that installs with pip, whose
claims lazyrich finds through the entry-point group `lazyrich.claims` and runs from the command
line, and whose own tests (each claim refuted by wrong formulas) pass against the installed copy.

It is installed into a private folder put on PYTHONPATH of subprocesses only: the rest of the
suite never sees its claims."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "saxe2014"
CLAIM_IDS = {"saxe2014.modes", "saxe2014.sigmoid", "saxe2014.learning-time"}


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The example installed with pip (no dependencies: lazyrich is the one under test) into a
    private target folder; the source is copied first so that the build leaves nothing in the
    tree. Returns (target, the copied source folder)."""
    base = tmp_path_factory.mktemp("saxe2014")
    source, target = base / "src", base / "site"
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns(
        "build", "*.egg-info", "__pycache__", ".pytest_cache"))
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                           "--disable-pip-version-check", "--target", str(target), str(source)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return target, source


def _run(args, target, cwd, cache):
    env = {**os.environ, "PYTHONPATH": str(target), "LAZYRICH_CACHE_DIR": str(cache),
           "OPENBLAS_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


def test_the_package_installs_its_entry_point(installed):
    target, _ = installed
    assert (target / "lazyrich_saxe2014" / "claims.py").is_file()
    [dist] = target.glob("lazyrich_example_saxe2014-*.dist-info")
    text = (dist / "entry_points.txt").read_text()
    assert "[lazyrich.claims]" in text and "saxe2014 = lazyrich_saxe2014.claims" in text


def test_list_and_check_find_the_claims_through_the_entry_point(installed, tmp_path):
    target, _ = installed
    listed = _run(["-m", "lazyrich", "list", "saxe2014"], target, tmp_path, tmp_path / "cache")
    assert listed.returncode == 0, listed.stderr
    for cid in CLAIM_IDS:
        assert cid in listed.stdout

    out = tmp_path / "results.json"
    checked = _run(["-m", "lazyrich", "check", "saxe2014", "-j", "1", "--no-cache", "--quiet",
                    "--json", str(out)], target, tmp_path, tmp_path / "cache")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    doc = json.loads(out.read_text())
    got = {c["id"]: c for c in doc["claims"]}
    assert set(got) == CLAIM_IDS
    for cid, claim in got.items():
        assert claim["verdict"] == "proved", (cid, claim["checks"])
        assert claim["statement_verdict"]["verdict"] == "proved", cid
        assert claim["implementation_verdict"]["verdict"] == "verified", cid
        assert claim["outcome"] == "passed", cid
        symbolic = [c for c in claim["checks"] if c["kind"] == "symbolic"]
        assert symbolic and all(c["scope"] and c["scope"]["complete"] for c in symbolic), cid
        assert any(c["kind"] != "symbolic" for c in claim["checks"]), cid
    assert got["saxe2014.sigmoid"]["depends_on"] == ["saxe2014.modes", "domine2025.thm5.1"]


def test_the_claims_are_not_seen_without_the_package(tmp_path):
    """Installed into a private folder only: this interpreter's own claims know nothing of it."""
    from lazyrich import discover

    assert not any(cid.startswith("saxe2014.") for cid in discover()), \
        "the saxe2014 example is installed in this environment (pip uninstall " \
        "lazyrich-example-saxe2014): the rest of the suite must not see its claims"


def test_the_packages_own_wrong_formula_tests_pass(installed, tmp_path):
    """The package's tests (each claim proved; each refuted by three wrong formulas), run as
    its author's CI would: pytest in the package folder, against the installed copy."""
    target, source = installed
    proc = _run(["-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], target, source,
                tmp_path / "cache")
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert " passed" in proc.stdout and "failed" not in proc.stdout
