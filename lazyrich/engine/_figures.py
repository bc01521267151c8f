"""Computing the papers' figures, and a cache for their data.

Figures are registered with :func:`lazyrich.figure` (see :mod:`lazyrich._figures`); this module
runs their ``compute`` functions and caches the data, so that a report of an unchanged project
recomputes nothing. The reports never compute: :func:`for_report` is what the engine hands to
:func:`lazyrich.reports.render` (``figures=``), and the reports draw what it returns.

**The key** of a figure's data is a SHA-256 over its id, the versions of Python, numpy, scipy,
sympy, mpmath and the code the compute function runs: the file that defines it, the numerics,
and — for a user's figure — every local module that file imports, transitively (as for the
user's claims). An edit in that code recomputes the figure; an edit elsewhere (a claim, the
report templates) does not.

**Entries** live in ``<cache>/figures/``, in the same cache directory as the claims
(``--cache-dir``, ``$LAZYRICH_CACHE_DIR``, else the user cache directory), and are
authenticated entries of :mod:`lazyrich._store` (an HMAC with the same secret key as the claims
cache, kept outside the cache directory): an edited or forged entry is recomputed, never used.
A cache that cannot be written is not an error; the figure is just computed again next time.
"""

from __future__ import annotations

import hashlib
import json
import sys
from functools import lru_cache
from pathlib import Path
from typing import Callable

from .. import _figures, _store
from .._progress import Heartbeat
from . import _cache


# ------------------------------------------------------------------------------ keys

@lru_cache(maxsize=None)
def _project_root() -> Path:
    import lazyrich

    return Path(lazyrich.__file__).resolve().parent.parent


def _is_project(path: Path) -> bool:
    root = _project_root()
    return root in path.parents and ".venv" not in path.parts


def _versions() -> str:
    import mpmath
    import numpy
    import scipy
    import sympy

    mods = [numpy, scipy, sympy, mpmath]
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
    path = _cache._module_file(fig.module)
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


# ------------------------------------------------------------------------------ figures

def load_builtin(keys) -> None:
    """Import the figures (and paper details) of the built-in papers among ``keys``
    (``lazyrich.proofs.<key>.figures``); unknown keys are skipped."""
    import importlib
    import importlib.util

    for key in keys:
        if not isinstance(key, str) or not _figures._KEY.fullmatch(key):
            continue
        name = f"lazyrich.proofs.{key}.figures"
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        if spec is not None:
            importlib.import_module(name)


def figures_for(papers, claim_ids=None) -> list[_figures.Figure]:
    """The registered figures of ``papers`` (built-in papers' figures are loaded first)."""
    papers = set(papers)
    load_builtin(sorted(papers))
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
        value = _store.load_entry("figures", fig_id, key, cache_dir)
        if isinstance(value, dict) and isinstance(value.get("data"), dict):
            return value["data"], True, float(value.get("seconds", 0.0))
    with Heartbeat(progress, f"computing {fig_id} ({fig.recomputes})") as beat:
        data = fig.compute()
    if not isinstance(data, dict):
        raise TypeError(f"figure {fig_id}: compute() returned {type(data).__name__}, "
                        f"not a dict")
    data = _json_ready(data)
    _store.store_entry("figures", fig_id, key, {"data": data, "seconds": beat.seconds},
                       cache_dir)
    return data, False, beat.seconds


def for_report(cache_dir=None, *, use_cache: bool = True):
    """The papers' figures for a report: pass the result as
    ``lazyrich.reports.render(results, out, figures=for_report(cache_dir))``.

    Returns ``figures(papers, progress=None) -> list[dict]``, which registers the built-in
    papers among ``papers`` (their details name them on every page) and returns, for each
    registered figure of those papers, ``{"figure": Figure, "data": dict, "cached": bool,
    "seconds": float}``, its data computed or read from the cache (``progress`` hears about
    every computation), or ``{"figure": Figure, "error": "Type: message"}`` when it cannot be
    computed: a figure never decides a verdict, nor stops a report."""
    def figures(papers, progress: Callable[[str], None] | None = None) -> list[dict]:
        out = []
        for fig in figures_for(papers):
            try:
                data, cached, seconds = load(fig.id, cache_dir=cache_dir, use_cache=use_cache,
                                             progress=progress)
                out.append({"figure": fig, "data": data, "cached": cached, "seconds": seconds})
            except Exception as exc:  # noqa: BLE001 - reported on the figure, not raised
                out.append({"figure": fig, "error": f"{type(exc).__name__}: {exc}"[:2000]})
        return out

    return figures
