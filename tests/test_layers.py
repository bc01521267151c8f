"""The layers import downward only (the design's "one namespace, layers that import downward").

Bottom to top::

    model     lazyrich._model, _errors, _figures, _store, _progress   imports nothing of ours
    numerics  lazyrich.numerics          derive  lazyrich.derive      the model at most; not each other
    proofs    lazyrich.proofs            the papers' claims            the three above
    engine    lazyrich.engine, python -m lazyrich                      everything
    reports   lazyrich.reports           reads results documents       the model at most

Every module of every folder that pyproject.toml maps into ``lazyrich`` is parsed, and every
import it makes is checked: at module level or inside a function, ``import``, ``from ... import``
(relative too; ``from lazyrich import name`` counts as an import of the module that provides
the name), an attribute reached through an imported package (``lazyrich.engine.x``), and a
module imported by name (``importlib.import_module``, ``find_spec``, ``__import__``, with a
literal name or an f-string's literal start). Then fresh interpreters import each lower layer,
and render a report, and the modules they loaded are checked: what the source hides, the run
shows.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

LAYERS = ("model", "numerics", "derive", "proofs", "engine", "reports")
#: What each layer may import (its own modules always).
ALLOWED = {
    "model": {"model"},
    "numerics": {"model"},
    "derive": {"model"},
    "proofs": {"model", "numerics", "derive"},
    "engine": set(LAYERS),
    "reports": {"model"},
}
#: Imports that break the layering on purpose, each with the reason; an entry that no longer
#: occurs fails the test, so that the list only shrinks.
EXCEPTIONS = {
    ("lazyrich", "lazyrich.engine"):
        "the public facade: `lazyrich.run_claims` and friends import the engine on first use "
        "(module __getattr__); `import lazyrich` itself loads the model only (checked below)",
}


def _mapping() -> dict[str, Path]:
    """Package name → folder, as pyproject.toml installs them."""
    conf = tomllib.loads((ROOT / "pyproject.toml").read_text())
    dirs = conf["tool"]["setuptools"]["package-dir"]
    return {pkg: ROOT / folder for pkg, folder in dirs.items()}


def _modules() -> dict[str, tuple[Path, bool]]:
    """Module name → (file, is a package), for every .py file of the mapped folders."""
    mapping = _mapping()
    out: dict[str, tuple[Path, bool]] = {}
    for pkg, folder in sorted(mapping.items(), key=lambda kv: kv[0].count(".")):
        for path in sorted(folder.rglob("*.py")):
            rel = path.relative_to(folder).with_suffix("").parts
            if any(p.startswith(".") or p == "__pycache__" for p in rel):
                continue
            is_pkg = rel[-1] == "__init__"
            name = ".".join((pkg, *rel[:-1]) if is_pkg else (pkg, *rel))
            out.setdefault(name, (path, is_pkg))
    return out


MODULES = _modules()


def layer(module: str) -> str:
    parts = module.split(".")
    if parts[0] != "lazyrich":
        raise ValueError(module)
    if len(parts) == 1 or parts[1].startswith("_") and parts[1] != "__main__":
        return "model"
    if parts[1] == "__main__":
        return "engine"
    if parts[1] in ("numerics", "derive", "proofs", "engine", "reports"):
        return parts[1]
    raise AssertionError(f"{module}: no layer assigned; add it to this test's LAYERS")


def _owner(name: str) -> str:
    """The module of ours that a dotted name lives in: its longest prefix that is a module."""
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        if ".".join(parts[:i]) in MODULES:
            return ".".join(parts[:i])
    return "lazyrich"


def _facade_names() -> dict[str, str]:
    """Names the ``lazyrich`` package provides → the module they come from (the engine's lazy
    names included)."""
    tree = ast.parse(MODULES["lazyrich"][0].read_text())
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
            for a in node.names:
                names[a.asname or a.name] = f"lazyrich.{node.module}"
        elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "_ENGINE"
                                                  for t in node.targets):
            for elt in ast.literal_eval(node.value):
                names[elt] = "lazyrich.engine"
    return names


FACADE = _facade_names()


def _literal_start(node) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        return str(node.values[0].value)
    return None


def imports_of(module: str) -> list[tuple[str, int]]:
    """``(module of ours imported, line)`` for every import ``module`` makes."""
    path, is_pkg = MODULES[module]
    tree = ast.parse(path.read_text(), str(path))
    package = module if is_pkg else module.rpartition(".")[0]
    found: list[tuple[str, int]] = []
    bound: dict[str, str] = {}       # local name → module of ours it is bound to

    def ours(name: str) -> bool:
        return name == "lazyrich" or name.startswith("lazyrich.")

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if ours(a.name):
                    found.append((_owner(a.name), node.lineno))
                    if a.asname:
                        bound[a.asname] = a.name
                    else:
                        bound[a.name.split(".")[0]] = a.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not ours(target):
                continue
            for a in node.names:
                full = f"{target}.{a.name}"
                if full in MODULES:
                    found.append((full, node.lineno))
                    bound[a.asname or a.name] = full
                elif target == "lazyrich":
                    found.append((FACADE.get(a.name, "lazyrich"), node.lineno))
                else:
                    found.append((_owner(target), node.lineno))
        elif isinstance(node, ast.Call):
            fn = node.func
            fname = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")
            if fname in ("import_module", "find_spec", "__import__") and node.args:
                start = _literal_start(node.args[0])
                if start is not None and ours(start.rstrip(".")):
                    found.append((_owner(start.rstrip(".")), node.lineno))
                elif start is None and isinstance(node.args[0], ast.Name):
                    # a name computed elsewhere: look for the literal it was built from
                    for sub in ast.walk(tree):
                        if isinstance(sub, ast.Assign) and any(
                                isinstance(t, ast.Name) and t.id == node.args[0].id
                                for t in sub.targets):
                            s = _literal_start(sub.value)
                            if s is not None and ours(s.rstrip(".")):
                                found.append((_owner(s.rstrip(".")), sub.lineno))
    for node in ast.walk(tree):      # lazyrich.engine.x reached through a bound package
        if isinstance(node, ast.Attribute):
            chain, cur = [], node
            while isinstance(cur, ast.Attribute):
                chain.append(cur.attr)
                cur = cur.value
            if isinstance(cur, ast.Name) and cur.id in bound:
                name = ".".join([bound[cur.id], *reversed(chain)])
                owner = _owner(name)
                if owner != _owner(bound[cur.id]):
                    found.append((owner, node.lineno))
    return found


def violations() -> tuple[list[str], set[tuple[str, str]]]:
    bad, excused = [], set()
    for module in sorted(MODULES):
        mine = layer(module)
        for target, line in imports_of(module):
            theirs = layer(target)
            if theirs == mine or theirs in ALLOWED[mine]:
                continue
            excuse = [(m, t) for m, t in EXCEPTIONS
                      if m == module and (target == t or target.startswith(t + "."))]
            if excuse:
                excused.update(excuse)
                continue
            path = MODULES[module][0]
            path = path.relative_to(ROOT) if ROOT in path.parents else path
            bad.append(f"{path}:{line}: {module} ({mine}) imports {target} ({theirs}); "
                       f"{mine} may import {', '.join(sorted(ALLOWED[mine])) or 'nothing'} "
                       f"of ours")
    return bad, excused


def test_every_module_has_a_layer_and_the_scan_sees_them_all():
    assert {layer(m) for m in MODULES} == set(LAYERS)
    for name in ("lazyrich._model", "lazyrich._store", "lazyrich.engine._cache",
                 "lazyrich.reports._render", "lazyrich.derive._spectral",
                 "lazyrich.numerics.mp._qqt", "lazyrich.proofs.domine2025.figures"):
        assert name in MODULES, name


def test_layers_import_downward_only():
    bad, excused = violations()
    assert bad == [], "imports against the layering:\n" + "\n".join(bad)
    stale = set(EXCEPTIONS) - excused
    assert not stale, f"exceptions that no longer occur (remove them): {sorted(stale)}"


@pytest.mark.parametrize("source,expected", [
    ("from lazyrich.engine import _figures", "lazyrich.engine._figures"),
    ("def f():\n    from lazyrich import numerics", "lazyrich.numerics"),
    ("from ..numerics import InvalidArgument", "lazyrich.numerics"),
    ("from .. import engine", "lazyrich.engine"),
    ("from lazyrich import run_claims", "lazyrich.engine"),
    ("import lazyrich\nx = lazyrich.engine.cli", "lazyrich.engine.cli"),
    ("import importlib\nimportlib.import_module('lazyrich.proofs.tu2024')",
     "lazyrich.proofs.tu2024"),
    ("import importlib\ndef f(k):\n    n = f'lazyrich.numerics.{k}'\n"
     "    importlib.import_module(n)", "lazyrich.numerics"),
])
def test_the_scan_sees_every_kind_of_import(tmp_path, monkeypatch, source, expected):
    """A violation of each kind, planted in a stand-in module of the reports, is found."""
    path = tmp_path / "planted.py"
    path.write_text(source + "\n")
    monkeypatch.setitem(MODULES, "lazyrich.reports._planted", (path, False))
    assert expected in [t for t, _ in imports_of("lazyrich.reports._planted")]
    bad, _ = violations()
    assert any("lazyrich.reports._planted (reports) imports" in b for b in bad), bad


def _loaded_after(code: str, tmp_path: Path) -> set[str]:
    """Our modules loaded by a fresh interpreter that runs ``code`` (from an empty folder)."""
    script = code + ("\nimport json, sys\nprint(json.dumps(sorted(m for m in sys.modules "
                     "if m == 'lazyrich' or m.startswith('lazyrich.'))))\n")
    proc = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return set(json.loads(proc.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("package", ["lazyrich", "lazyrich.numerics", "lazyrich.derive",
                                     "lazyrich.proofs.domine2025", "lazyrich.reports"])
def test_importing_a_layer_loads_no_layer_above_it(tmp_path, package):
    loaded = _loaded_after(f"import {package}", tmp_path)
    mine = layer(package)
    above = sorted(m for m in loaded if layer(m) not in ALLOWED[mine] | {mine})
    assert above == [], f"import {package} ({mine}) loaded {above}"


def test_rendering_a_report_loads_the_model_and_the_reports_only(tmp_path):
    from test_reports import synthetic_results

    doc = tmp_path / "results.json"
    doc.write_text(json.dumps(synthetic_results()))
    loaded = _loaded_after(
        "import json\nfrom lazyrich import reports\n"
        f"reports.render(json.load(open({str(doc)!r})), {str(tmp_path / 'r')!r}, "
        f"('html', 'latex'), figures=False, cache_dir={str(tmp_path / 'c')!r}, "
        "progress=False)", tmp_path)
    assert (tmp_path / "r" / "index.html").is_file()
    above = sorted(m for m in loaded if layer(m) not in ("model", "reports"))
    assert above == [], f"rendering a report loaded {above}"
