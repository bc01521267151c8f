"""Result cache: an optimisation that must never answer differently from a fresh run.

A cached record is used only when its key matches, and the key is a SHA-256 over

* the claim's id;
* every Python file of the project (``derive``, ``numerics``, ``proofs``, ``reports``, the
  engine) and the versions of Python, numpy, scipy, sympy and mpmath;
* the code of every claims module that is not built in (``--claims`` files, entry points),
  together with every *local* module they import, transitively (found by reading their
  ``import`` statements and by watching what a claims file imports while it loads). Local means
  outside the standard library and site-packages: a helper file beside a claims file, or a
  package installed in editable mode. An installed (non-editable) distribution is covered by
  its name and version.

And an entry records the SHA-256 of every local module loaded when its claim finished running
(so a module imported by name at run time, ``importlib.import_module("helper")``, counts too);
it is used only while all of them are unchanged.

Built-in claims' keys include the user code too, so a claims file that alters a built-in claim
in memory can only ever write entries that a run with the same claims file reads back.

Entries are JSON files under the cache directory (``$LAZYRICH_CACHE_DIR``, else the user cache
directory: ``$XDG_CACHE_HOME/lazyrich`` or ``~/.cache/lazyrich``), one per claim, named by a
hash of the claim id. Each entry carries an HMAC-SHA256 (:mod:`lazyrich._store`, shared with
the figure data and the reports' drawings) computed with a secret key that lives
*outside* the cache directory (``$LAZYRICH_CACHE_KEY_FILE``, else
``$XDG_CONFIG_HOME/lazyrich/cache.key`` or ``~/.config/lazyrich/cache.key``, created with mode
0600 on first use). An entry that does not parse, or whose MAC does not match (edited, forged,
copied from another user's cache, truncated), is reported, removed and recomputed. Records
with verdict ``error`` are never cached.

What this does not protect against: someone who can read your key file (your own account, or
root) can forge entries; so can anyone who can edit the installed lazyrich code itself.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import json
import sys
import sysconfig
from functools import lru_cache
from pathlib import Path

from .. import _store
from .._model import Claim, validate_id

ENTRY_VERSION = 2


#: Where the cache and its key live, and the key itself: :mod:`lazyrich._store` (shared with the
#: figure data and with what the reports draw).
cache_dir, key_file, _secret, _mac = _store.cache_dir, _store.key_file, _store.secret, _store.mac


# --------------------------------------------------------------------------------------------
# What the key covers
# --------------------------------------------------------------------------------------------

def _library_roots() -> list[Path]:
    roots = set()
    for name in ("stdlib", "platstdlib", "purelib", "platlib"):
        p = sysconfig.get_paths().get(name)
        if p:
            roots.add(Path(p).resolve())
    for p in sys.path:
        if "site-packages" in p or "dist-packages" in p:
            roots.add(Path(p).resolve())
    return sorted(roots)


@lru_cache(maxsize=None)
def _project_roots() -> list[Path]:
    """The folders of the project's code: the package root and its mapped sub-packages
    (found without importing them)."""
    roots = set()
    for name in ("lazyrich", "lazyrich.derive", "lazyrich.numerics", "lazyrich.proofs",
                 "lazyrich.reports"):
        spec = importlib.util.find_spec(name)
        for loc in (spec.submodule_search_locations or []) if spec else []:
            roots.add(Path(loc).resolve())
    return sorted(roots)


def _within(path: Path, roots) -> bool:
    return any(path == r or r in path.parents for r in roots)


@lru_cache(maxsize=None)
def code_fingerprint() -> str:
    """Hash of every Python file of the project and of the library versions (computed once
    per process: it describes the code this process runs)."""
    import mpmath
    import numpy
    import scipy
    import sympy

    h = hashlib.sha256()
    h.update(f"entry-v{ENTRY_VERSION};{sys.version}".encode())
    for mod in (numpy, scipy, sympy, mpmath):
        h.update(f"{mod.__name__}={mod.__version__};".encode())
    for root in _project_roots():
        for p in sorted(root.rglob("*.py")):
            h.update(str(p.relative_to(root.parent)).encode())
            h.update(b"\0")
            h.update(p.read_bytes())
    return h.hexdigest()


def _imported_names(tree: ast.AST, package: str | None) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                names += [".".join(parts[:i]) for i in range(1, len(parts) + 1)]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                if not package:
                    continue
                pkg = package.split(".")
                if node.level > 1:
                    pkg = pkg[:-(node.level - 1)]
                base = ".".join(pkg + ([base] if base else []))
            if base:
                parts = base.split(".")
                names += [".".join(parts[:i]) for i in range(1, len(parts) + 1)]
                names += [f"{base}.{a.name}" for a in node.names if a.name != "*"]
    return names


def _module_file(name: str) -> Path | None:
    mod = sys.modules.get(name)
    origin = getattr(mod, "__file__", None) if mod is not None else None
    if origin is None:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError, AttributeError):
            return None
        origin = spec.origin if spec is not None and spec.has_location else None
    if not origin or not origin.endswith(".py"):
        return None
    p = Path(origin)
    return p.resolve() if p.is_file() else None


def _distribution_of(name: str) -> str:
    try:
        from importlib.metadata import packages_distributions, version
        dists = packages_distributions().get(name.split(".")[0], [])
        return ";".join(f"{d}={version(d)}" for d in sorted(dists))
    except Exception:  # noqa: BLE001 - metadata is best effort; the name still counts
        return ""


def local_closure(text: str, filename: str, package: str | None = None,
                  extra_modules: tuple[str, ...] = ()) -> list[tuple[str, bytes]]:
    """The local code a module runs: its own text plus every local module it imports,
    transitively, as sorted ``(label, bytes)`` pairs. Installed third-party modules are
    represented by their distribution's name and version."""
    libs, ours = _library_roots(), _project_roots()
    out: dict[str, bytes] = {f"<{filename}>": text.encode()}
    queue = [(text, filename, package)]
    queue_names = list(extra_modules)
    seen_files: set[Path] = set()
    while queue or queue_names:
        if queue:
            src, fname, pkg = queue.pop()
            try:
                tree = ast.parse(src, fname)
            except (SyntaxError, ValueError):
                continue
            names = _imported_names(tree, pkg)
        else:
            names = [queue_names.pop()]
        for name in names:
            path = _module_file(name)
            if path is None:
                continue
            if _within(path, ours):
                continue          # the project's own code is in code_fingerprint()
            if _within(path, libs):
                dist = _distribution_of(name)
                if dist:
                    out[f"dist:{dist}"] = b""
                continue
            if path in seen_files or len(seen_files) > 5000:
                continue
            seen_files.add(path)
            data = path.read_bytes()
            out[str(path)] = data
            is_pkg = path.name == "__init__.py"
            queue.append((data.decode("utf-8", "replace"), str(path),
                          name if is_pkg else name.rpartition(".")[0] or None))
    return sorted(out.items())


def module_fingerprint(module) -> str:
    """Hash of the local code a (non built-in) claims module runs, transitively."""
    h = hashlib.sha256()
    text = getattr(module, "__lazyrich_text__", None)
    path = getattr(module, "__file__", None) or getattr(module, "__name__", "?")
    if text is None:
        try:
            text = Path(path).read_text()
        except (OSError, UnicodeDecodeError):
            text = ""
    pkg = getattr(module, "__package__", None) or None
    extra = tuple(getattr(module, "__lazyrich_imports__", ()))
    for label, data in local_closure(text, str(path), pkg, extra):
        h.update(label.encode())
        h.update(b"\0")
        h.update(hashlib.sha256(data).digest())
    return h.hexdigest()


def local_dependencies() -> dict[str, str]:
    """SHA-256 of every local module loaded in this process right now (outside the standard
    library, site-packages and the project): what a claim may have imported while it ran,
    however it imported it (``importlib.import_module("helper")`` included). Stored with a
    cache entry and re-checked when it is read."""
    libs, ours = _library_roots(), _project_roots()
    out = {}
    for mod in list(sys.modules.values()):
        f = getattr(mod, "__file__", None)
        if not f or not f.endswith(".py") or getattr(mod, "__lazyrich_text__", None) is not None:
            continue
        p = Path(f)
        try:
            p = p.resolve()
            if _within(p, ours) or _within(p, libs) or not p.is_file():
                continue
            out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
        except OSError:
            continue
    return out


def _dependencies_unchanged(deps) -> bool:
    if not isinstance(deps, dict):
        return False
    for path, digest in deps.items():
        try:
            if hashlib.sha256(Path(path).read_bytes()).hexdigest() != digest:
                return False
        except OSError:
            return False
    return True


def is_builtin(claim: Claim) -> bool:
    from ..proofs import PAPERS

    parts = claim.module.split(".")
    return parts[:2] == ["lazyrich", "proofs"] and len(parts) > 2 and parts[2] in PAPERS


def claim_key(claim: Claim, foreign: str = "") -> str:
    """Content hash deciding whether a cached result of ``claim`` is still valid: the claim id,
    the project's code and library versions, ``foreign`` (the fingerprint of every non-built-in
    claims module loaded in this run) and, for a non-built-in claim, its own module's code."""
    h = hashlib.sha256()
    h.update(claim.id.encode())
    h.update(b"\0")
    h.update(code_fingerprint().encode())
    h.update(foreign.encode())
    if not is_builtin(claim):
        h.update(module_fingerprint(sys.modules.get(claim.module)).encode())
    return h.hexdigest()


# --------------------------------------------------------------------------------------------
# Entries
# --------------------------------------------------------------------------------------------

KINDS = ("claims", "mutations")


def entry_path(root: Path, claim_id: str, kind: str = "claims") -> Path:
    """Where the ``kind`` entry of a claim lives: a name made of the (validated) id and a hash
    of it, inside ``root/kind``."""
    validate_id(claim_id)
    if kind not in KINDS:
        raise ValueError(f"cache kind {kind!r} is not one of {KINDS}")
    digest = hashlib.sha256(claim_id.encode()).hexdigest()[:16]
    return root / kind / f"{claim_id[:80]}-{digest}.json"


def load(root: Path, claim: Claim, key: str, warn=print, kind: str = "claims") -> dict | None:
    """The cached record of ``claim`` if present, authentic and computed from the same ``key``."""
    path = entry_path(root, claim.id, kind)
    if not path.is_file():
        return None
    try:
        secret = _secret()
    except OSError as exc:
        warn(f"lazyrich: cache disabled, its key is unavailable ({exc})")
        return None
    payload = _store.read_authentic(path, secret)
    if payload is None:
        warn(f"lazyrich: cache entry {path} is corrupted or was not written by this user's "
             f"lazyrich; recomputing {claim.id}")
        return None
    if payload.get("key") != key or not isinstance(payload.get("record"), dict) \
            or payload["record"].get("id") != claim.id \
            or not _dependencies_unchanged(payload.get("dependencies", {})):
        return None
    return payload["record"]


_SWEPT: set[Path] = set()
#: Temporary files older than this are leftovers of a killed run (or a full disk), not a write
#: in progress.
STALE_TMP_SECONDS = 3600.0


def _sweep_stale_tmp(folder: Path) -> None:
    """Remove temporary files a killed run left behind (once per folder and process)."""
    if folder in _SWEPT:
        return
    _SWEPT.add(folder)
    import time

    now = time.time()
    try:
        for p in folder.glob(".tmp-*"):
            try:
                if now - p.stat().st_mtime > STALE_TMP_SECONDS:
                    p.unlink()
            except OSError:
                pass
    except OSError:
        pass


def store(root: Path, claim: Claim, key: str, record: dict, kind: str = "claims",
          dependencies: dict | None = None) -> None:
    """Store ``record`` atomically (write a temporary file, then rename). ``dependencies``
    (path → SHA-256, see :func:`local_dependencies`) must still match when it is read."""
    if record.get("verdict") == "error":
        return
    secret = _secret()
    path = entry_path(root, claim.id, kind)
    path.parent.mkdir(parents=True, exist_ok=True)
    _sweep_stale_tmp(path.parent)
    payload = {"key": key, "record": record, "dependencies": dependencies or {}}
    _store.write_atomic(path, json.dumps({"payload": payload, "mac": _mac(secret, payload)},
                                         sort_keys=True))
