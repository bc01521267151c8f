"""Packaging: one `lazyrich` namespace that nothing in the current folder can shadow; the wheel
installs only lazyrich* packages; the sdist carries the docs, examples and tests its tests use.
"""

import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_import_is_not_shadowed_by_folders_named_like_ours(tmp_path):
    for name in ("reports", "proofs", "numerics", "derive", "engine"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("raise ImportError('shadowed!')\n")
    code = ("import lazyrich, lazyrich.reports, lazyrich.proofs, lazyrich.numerics, "
            "lazyrich.derive, lazyrich.engine; "
            "print(lazyrich.__version__, lazyrich.reports.__file__)")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stderr
    assert str(tmp_path) not in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "lazyrich", "--version"], cwd=tmp_path,
                          capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.startswith("lazyrich "), proc.stderr


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run([sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir",
                           str(out), str(ROOT)], capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.fail(proc.stdout[-3000:] + proc.stderr[-3000:])
    return out


@pytest.mark.slow
def test_the_wheel_installs_only_lazyrich_packages(built):
    wheel = next(built.glob("*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names}
    assert all(t == "lazyrich" or t.startswith("lazyrich-") for t in tops), tops
    for must in ("lazyrich/engine/cli.py", "lazyrich/numerics/_qqt.py", "lazyrich/derive/"
                 "_derivation.py", "lazyrich/proofs/domine2025/aligned.py",
                 "lazyrich/reports/templates/base.html.j2",
                 "lazyrich/engine/results.schema.json"):
        assert must in names, must


@pytest.mark.slow
def test_the_sdist_carries_docs_examples_and_tests(built):
    sdist = next(built.glob("*.tar.gz"))
    names = {n.split("/", 1)[1] for n in tarfile.open(sdist).getnames() if "/" in n}
    for must in ("docs/extend-a-theorem.md", "examples/extend_a_theorem.py",
                 "tests/test_extend_tutorial.py", "README.md", "pyproject.toml",
                 "reports/templates/base.html.j2", "lazyrich/engine/results.schema.json"):
        assert must in names, must
    assert not any("__pycache__" in n for n in names)
