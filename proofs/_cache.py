"""Result cache keyed by a content hash of the code a claim runs and of the library versions.

One JSON file per claim under the cache directory (default ``.lazyrich-cache`` in the current
directory, or ``$LAZYRICH_CACHE_DIR``). Each file stores its key and a SHA-256 of its payload; a
file that does not parse or whose checksum does not match is reported and rebuilt, never trusted.
Results with verdict ``error`` are never cached.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from functools import lru_cache
from pathlib import Path

from ._claim import Claim

DEFAULT_DIR = ".lazyrich-cache"


def cache_dir(path: str | os.PathLike | None = None) -> Path:
    return Path(path or os.environ.get("LAZYRICH_CACHE_DIR") or DEFAULT_DIR)


def _hash_tree(h, root: Path) -> None:
    for p in sorted(root.rglob("*.py")):
        h.update(str(p.relative_to(root)).encode())
        h.update(p.read_bytes())


@lru_cache(maxsize=None)
def _library_fingerprint() -> str:
    """Hash of numerics/, derive/, the claim model, and the versions of the libraries used."""
    import mpmath
    import numpy
    import scipy
    import sympy

    import derive
    import numerics

    h = hashlib.sha256()
    h.update(sys.version.encode())
    for mod in (numpy, scipy, sympy, mpmath):
        h.update(f"{mod.__name__}={mod.__version__};".encode())
    for pkg in (numerics, derive):
        _hash_tree(h, Path(pkg.__file__).parent)
    h.update((Path(__file__).parent / "_claim.py").read_bytes())
    return h.hexdigest()


def _module_fingerprint(module) -> str:
    """Hash of a claim module's code: a user file's text, or a package module together with
    its package's private helper modules (``_*.py``, which claim modules share)."""
    h = hashlib.sha256()
    text = getattr(module, "__lazyrich_text__", None)
    path = Path(getattr(module, "__file__", None) or "")
    if text is not None:
        h.update(text.encode())
        return h.hexdigest()
    if path.is_file():
        h.update(path.read_bytes())
    if path.name and (path.parent / "__init__.py").exists():
        for p in sorted(path.parent.glob("_*.py")):
            h.update(p.name.encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def claim_key(claim: Claim) -> str:
    """Content hash deciding whether a cached result of ``claim`` is still valid."""
    h = hashlib.sha256()
    h.update(claim.id.encode())
    h.update(_library_fingerprint().encode())
    h.update(_module_fingerprint(sys.modules.get(claim.module)).encode())
    return h.hexdigest()


def _checksum(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _entry_path(root: Path, claim_id: str) -> Path:
    return root / f"{claim_id}.json"


def load(root: Path, claim: Claim, key: str, warn=print) -> dict | None:
    """The cached record of ``claim`` if present, intact and computed from the same ``key``."""
    path = _entry_path(root, claim.id)
    if not path.exists():
        return None
    try:
        entry = json.loads(path.read_text())
        ok = entry["sha256"] == _checksum(entry["payload"])
    except (ValueError, KeyError, TypeError, OSError):
        ok = False
    if not ok:
        warn(f"lazyrich: cache entry {path} is corrupted; recomputing {claim.id}")
        try:
            path.unlink()
        except OSError:
            pass
        return None
    if entry["payload"].get("key") != key:
        return None
    return entry["payload"]["record"]


def store(root: Path, claim: Claim, key: str, record: dict) -> None:
    """Store ``record`` atomically (write a temporary file, then rename)."""
    if record.get("verdict") == "error":
        return
    root.mkdir(parents=True, exist_ok=True)
    payload = {"key": key, "record": record}
    text = json.dumps({"payload": payload, "sha256": _checksum(payload)}, sort_keys=True)
    fd, tmp = tempfile.mkstemp(dir=root, prefix=".tmp-", suffix=".json")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, _entry_path(root, claim.id))
