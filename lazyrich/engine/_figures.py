"""Computing the papers' figures, and a cache for them and for what reports draw from them.

Figures are registered with :func:`lazyrich.figure` (see :mod:`lazyrich._figures`); this module
runs their ``compute`` functions and caches the data, so that a report of an unchanged project
redraws nothing and recomputes nothing.

**The key** of a figure's data is a SHA-256 over its id, the versions of Python, numpy, scipy,
sympy, mpmath (and matplotlib for drawings) and the code the compute function runs: the file
that defines it, the numerics, and — for a user's figure — every local module that file
imports, transitively (as for the user's claims). An edit in that code recomputes the figure;
an edit elsewhere (a claim, the report templates) does not.

**Entries** live in ``<cache>/figures/`` (data) and ``<cache>/drawings/`` (SVG and PDF drawn
from it by the reports), in the same cache directory as the claims (``--cache-dir``,
``$LAZYRICH_CACHE_DIR``, else the user cache directory), and carry an HMAC with the same secret
key as the claims cache, kept outside the cache directory: an edited or forged entry (a drawing
is inserted into a page as markup) is recomputed, never used. A cache that cannot be written is
not an error; the figure is just computed again next time.
"""

from __future__ import annotations

import hashlib
import hmac
import importlib.util
import json
import os
import re
import sys
import tempfile
import threading
import time
from functools import lru_cache
from pathlib import Path
from typing import Callable

from .. import _figures
from . import _cache

_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+-]{0,120}")
HEARTBEAT_S = 4.0


# ------------------------------------------------------------------------------ keys

def _module_path(name: str) -> Path | None:
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


@lru_cache(maxsize=None)
def _project_root() -> Path:
    import lazyrich

    return Path(lazyrich.__file__).resolve().parent.parent


def _is_project(path: Path) -> bool:
    root = _project_root()
    return root in path.parents and ".venv" not in path.parts


def _versions(with_matplotlib: bool = False) -> str:
    import mpmath
    import numpy
    import scipy
    import sympy

    mods = [numpy, scipy, sympy, mpmath]
    if with_matplotlib:
        import matplotlib
        mods.append(matplotlib)
    return sys.version + ";" + ";".join(f"{m.__name__}={m.__version__}" for m in mods)


@lru_cache(maxsize=None)
def _file_digest(path: str, mtime_ns: int, size: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _digest(path: Path) -> str:
    st = path.stat()
    return _file_digest(str(path), st.st_mtime_ns, st.st_size)


def _tree(root: Path) -> list[tuple[str, str]]:
    return [(str(p.relative_to(root.parent)), _digest(p)) for p in sorted(root.rglob("*.py"))]


def figure_code(fig: _figures.Figure) -> list[tuple[str, str]]:
    """What a figure's data depends on: for a figure of the project, its module, the
    numerics and the figure API; for a user's figure, its module and every local module it
    imports, transitively (as for the user's claims), plus the numerics."""
    from lazyrich import numerics

    parts = _tree(Path(numerics.__file__).resolve().parent)
    parts.append(("lazyrich/_figures.py", _digest(Path(_figures.__file__).resolve())))
    path = _module_path(fig.module)
    if path is not None and _is_project(path):
        parts.append((str(path.relative_to(_project_root())), _digest(path)))
    else:
        module = sys.modules.get(fig.module)
        parts.append((fig.module, _cache.module_fingerprint(module) if module is not None
                      else ""))
    return parts


def figure_key(fig: _figures.Figure) -> str:
    """The cache key of a figure's data (see the module docstring)."""
    h = hashlib.sha256()
    h.update(f"figure-data-v1;{fig.id};{_versions()}".encode())
    for label, digest in figure_code(fig):
        h.update(f"{label}\0{digest}\0".encode())
    return h.hexdigest()


# ------------------------------------------------------------------------------ entries

def _mac(secret: bytes, payload: dict) -> str:
    return hmac.new(secret, json.dumps(payload, sort_keys=True).encode(),
                    hashlib.sha256).hexdigest()


def _entry(root: Path, kind: str, name: str) -> Path:
    if not _SAFE_NAME.fullmatch(name) or ".." in name:
        raise ValueError(f"unsafe cache entry name {name!r}")
    return root / kind / f"{name}.json"


def load_entry(kind: str, name: str, key: str, cache_dir=None):
    """The value stored under ``name`` with this ``key``, if authentic; else None (a forged
    or stale entry is removed)."""
    root = _cache.cache_dir(cache_dir)
    try:
        path = _entry(root, kind, name)
    except ValueError:
        return None
    if not path.is_file():
        return None
    try:
        secret = _cache._secret()
        entry = json.loads(path.read_text())
        ok = isinstance(entry, dict) and isinstance(entry.get("payload"), dict) and \
            hmac.compare_digest(str(entry.get("mac", "")), _mac(secret, entry["payload"]))
    except (OSError, ValueError, TypeError, UnicodeDecodeError):
        ok = False
    if not ok:
        try:
            path.unlink()
        except OSError:
            pass
        return None
    payload = entry["payload"]
    if payload.get("key") != key:
        return None
    return payload.get("value")


def store_entry(kind: str, name: str, key: str, value, cache_dir=None) -> bool:
    """Store ``value`` (JSON-ready) atomically; False when the cache cannot be written."""
    root = _cache.cache_dir(cache_dir)
    try:
        path = _entry(root, kind, name)
        secret = _cache._secret()
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"key": key, "value": value}
        text = json.dumps({"payload": payload, "mac": _mac(secret, payload)}, sort_keys=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w") as f:
                f.write(text)
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        return True
    except (OSError, ValueError, TypeError):
        return False


# ------------------------------------------------------------------------------ progress

class Heartbeat:
    """Context manager calling ``say(message)`` now (unless ``quiet_start``) and then every
    ``every`` seconds until it exits, with the elapsed time: no step is silent for long."""

    def __init__(self, say: Callable[[str], None] | None, message: str,
                 every: float = HEARTBEAT_S, quiet_start: bool = False):
        self.say, self.message, self.every = say, message, every
        self.quiet_start = quiet_start
        self._stop = threading.Event()
        self._thread = None
        self.start = 0.0

    def __enter__(self):
        self.start = time.monotonic()
        if self.say is not None:
            if not self.quiet_start:
                self.say(f"{self.message} …")
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        return self

    def _run(self):
        while not self._stop.wait(self.every):
            self.say(f"{self.message} … still running ({time.monotonic() - self.start:.0f} s)")

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.start


# ------------------------------------------------------------------------------ figures

def figures_for(papers, claim_ids=None) -> list[_figures.Figure]:
    """The registered figures of ``papers`` (built-in papers' figures are loaded first)."""
    papers = set(papers)
    _figures.load_builtin(sorted(papers))
    return [f for fid, f in sorted(_figures.FIGURES.items()) if f.paper in papers]


def _json_ready(value):
    """``value`` through JSON (numbers stay numbers; non-finite floats become strings)."""
    def fix(x):
        if isinstance(x, float) and (x != x or x in (float("inf"), float("-inf"))):
            return str(x)
        if isinstance(x, dict):
            return {str(k): fix(v) for k, v in x.items()}
        if isinstance(x, (list, tuple)):
            return [fix(v) for v in x]
        return x

    return json.loads(json.dumps(fix(value), default=_default))


def _default(x):
    try:
        import numpy as np
        if isinstance(x, np.ndarray):
            return x.tolist()
        if isinstance(x, np.generic):
            return x.item()
    except ImportError:  # pragma: no cover
        pass
    raise TypeError(f"figure data must be JSON-ready; got {type(x).__name__}")


def load(fig_id: str, *, cache_dir=None, use_cache: bool = True,
         progress: Callable[[str], None] | None = None) -> tuple[dict, bool, float]:
    """The data of figure ``fig_id``: ``(data, came_from_cache, seconds_to_compute)``.

    Raises:
        KeyError: ``fig_id`` is not registered.
        Exception: whatever the figure's compute function raised.
    """
    fig = _figures.FIGURES[fig_id]
    key = figure_key(fig)
    if use_cache:
        value = load_entry("figures", fig_id, key, cache_dir)
        if isinstance(value, dict) and isinstance(value.get("data"), dict):
            return value["data"], True, float(value.get("seconds", 0.0))
    with Heartbeat(progress, f"computing {fig_id} ({fig.recomputes})") as beat:
        data = fig.compute()
    if not isinstance(data, dict):
        raise TypeError(f"figure {fig_id}: compute() returned {type(data).__name__}, "
                        f"not a dict")
    data = _json_ready(data)
    store_entry("figures", fig_id, key, {"data": data, "seconds": beat.seconds}, cache_dir)
    return data, False, beat.seconds


def drawing_key(fig_id: str, data_digest: str, code: str) -> str:
    """The key of something drawn from figure data: the data, the drawing code and the
    library versions."""
    h = hashlib.sha256()
    h.update(f"drawing-v1;{fig_id};{_versions(True)};{data_digest};{code}".encode())
    return h.hexdigest()
