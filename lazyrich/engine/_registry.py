"""Finding claims: the built-in ones, entry points (group ``lazyrich.claims``) and user files.

A claims module is any Python module that constructs :class:`~lazyrich.Claim` objects at import
time. Built-in claims live in the sub-packages of ``proofs`` named after papers
(``proofs/domine2025/``). Installed packages add theirs with an entry point::

    [project.entry-points."lazyrich.claims"]
    mypaper = "mypackage.claims"        # a module, imported for its Claim objects

and a single file can be added on the command line with ``lazyrich check --claims path.py``.
"""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import io
import os
import signal
import threading
import tokenize
import importlib
import importlib.util
import pkgutil
import sys
from importlib.metadata import entry_points
from pathlib import Path

from .._errors import InvalidArgument

from .._model import Claim

from ..proofs import PAPERS as BUILTIN_PAPERS
ENTRY_POINT_GROUP = "lazyrich.claims"


def _claims_in(module) -> list[Claim]:
    found = [v for v in vars(module).values() if isinstance(v, Claim)]
    for c in found:
        if not c.module:
            c.module = module.__name__
    return found


def _builtin_modules() -> list[str]:
    names = []
    for paper in BUILTIN_PAPERS:
        pkg = importlib.import_module(f"lazyrich.proofs.{paper}")
        for info in pkgutil.iter_modules(pkg.__path__):
            if not info.name.startswith("_"):
                names.append(f"lazyrich.proofs.{paper}.{info.name}")
    return sorted(names)


def read_source(path: str | Path) -> str:
    """The text of a Python source file, decoded as Python does (PEP 263 coding declaration,
    UTF-8 byte-order mark), with a clear error for a file that is not Python text."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidArgument(f"--claims {str(path)!r}: cannot read it ({exc.strerror}).") \
            from None
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError) as exc:
        raise InvalidArgument(f"--claims {str(path)!r}: not a Python source file this Python "
                              f"can decode ({exc}). Save it as UTF-8 or declare its encoding "
                              f"(# -*- coding: latin-1 -*-).") from None


def load_file(path: str | Path, text: str | None = None):
    """Import a claims file by path (or from its ``text``, as a remote worker does).

    The file's folder is put on ``sys.path`` so that it can import helper modules beside it."""
    path = Path(path)
    if text is None:
        if not path.is_file():
            raise InvalidArgument(f"--claims {str(path)!r}: no such file. Pass the path of a "
                                  f"Python file that defines Claim objects.")
        text = read_source(path)
    name = "lazyrich_user_claims_" + "".join(ch if ch.isalnum() else "_" for ch in str(path))
    loaded = sys.modules.get(name)
    if loaded is not None and getattr(loaded, "__lazyrich_text__", None) == text:
        return loaded
    folder = str(path.resolve().parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    module = type(sys)(name)
    module.__file__ = str(path)
    module.__lazyrich_text__ = text
    sys.modules[name] = module
    before = set(sys.modules)
    try:
        with _import_deadline(path):
            exec(compile(text, str(path), "exec"), module.__dict__)
    except _ImportTimeout:
        del sys.modules[name]
        raise InvalidArgument(f"--claims {str(path)!r}: importing it did not finish within "
                              f"{_import_timeout():g} s (does it wait for input, a lock or the "
                              f"network at import time?). Do that work inside a check, or set "
                              f"LAZYRICH_IMPORT_TIMEOUT.") from None
    except (Exception, SystemExit, KeyboardInterrupt) as exc:
        del sys.modules[name]
        line = ""
        tb = exc.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == str(path):
                line = f", line {tb.tb_lineno}"
            tb = tb.tb_next
        raise InvalidArgument(f"--claims {str(path)!r}: importing it failed{line}: "
                              f"{type(exc).__name__}: {exc}. Fix the file.") from exc
    # modules the file imported while loading, however it imported them (for the cache key)
    module.__lazyrich_imports__ = tuple(sorted(set(sys.modules) - before - {name}))
    return module


class _ImportTimeout(BaseException):
    pass


def _import_timeout() -> float:
    try:
        value = float(os.environ.get("LAZYRICH_IMPORT_TIMEOUT", "120"))
    except ValueError:
        value = 120.0
    return value if value > 0 and value == value else 120.0


@contextlib.contextmanager
def _import_deadline(path):
    """Stop a claims file whose import blocks (main thread only, where signals can)."""
    if threading.current_thread() is not threading.main_thread() or \
            not hasattr(signal, "setitimer"):
        yield
        return

    def _raise(signum, frame):
        raise _ImportTimeout()

    old = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, _import_timeout())
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


class Registry(dict):
    """Claims by id (a ``dict``), plus ``foreign_fingerprint``: a hash of the code of every
    claims module that is not built in (user files, entry points), with what they import."""

    foreign_fingerprint: str = ""


def discover(user_files: list[tuple[str, str | None]] = (), *, entry_points_too: bool = True
             ) -> Registry:
    """All claims by id: built-in, from entry points and from ``user_files`` ((path, text))."""
    from ._cache import module_fingerprint

    modules = [importlib.import_module(m) for m in _builtin_modules()]
    foreign = []
    if entry_points_too:
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            foreign.append(ep.load())
    for path, text in user_files:
        module = load_file(path, text)
        if not _claims_in(module):
            raise InvalidArgument(f"--claims {path!r} defines no Claim object; a claims file "
                                  f"must create lazyrich.Claim(...) instances at module level.")
        foreign.append(module)
    claims: dict[str, Claim] = {}
    for module in modules + foreign:
        for c in _claims_in(module):
            other = claims.get(c.id)
            if other is not None and other is not c:
                raise InvalidArgument(
                    f"claim id {c.id!r} is defined twice (in {other.module} and {c.module}); "
                    f"ids must be unique. Rename one of them.")
            claims[c.id] = c
    for c in claims.values():
        missing = [d for d in c.depends_on if d not in claims]
        if missing:
            raise InvalidArgument(f"claim {c.id} depends on unknown claim(s) {missing}; "
                                  f"fix depends_on (known ids: `lazyrich list`).")
        _validate_erratum(c)
    registry = Registry(sorted(claims.items()))
    h = hashlib.sha256()
    for module in foreign:
        h.update(module_fingerprint(module).encode())
    registry.foreign_fingerprint = h.hexdigest() if foreign else ""
    return registry


def _validate_erratum(c: Claim) -> None:
    if c.expected != "refuted":
        return
    names = {ch.name for ch in c.checks}
    own = c.erratum_checks()
    if not own:
        raise InvalidArgument(f"claim {c.id} is an erratum (expected='refuted') with "
                              f"{len(c.checks)} checks: name the one(s) whose counterexample "
                              f"refutes it with refuted_by=(...) so that it stays an erratum "
                              f"only while that counterexample holds.")
    unknown = [n for n in own if n not in names]
    if unknown:
        raise InvalidArgument(f"claim {c.id}: refuted_by names unknown check(s) {unknown}; "
                              f"its checks are {sorted(names)}.")


def select(claims: dict[str, Claim], patterns: list[str]) -> list[Claim]:
    """Claims whose id matches any pattern: a glob (``domine2025.thm5.*``), an exact id, an id
    prefix ending at a dot (``domine2025`` selects every claim of that paper) or an id without
    its paper (``thm5.1``, ``thm*``)."""
    if not patterns:
        return list(claims.values())
    chosen = {}
    for pat in patterns:
        hits = [c for cid, c in claims.items()
                if fnmatch.fnmatchcase(cid, pat) or cid.startswith(pat + ".")
                or cid.endswith("." + pat) or fnmatch.fnmatchcase(cid, "*." + pat)]
        if not hits:
            starts = sorted(cid for cid in claims if cid.startswith(pat))
            hint = (f" {len(starts)} ids start with it: use {pat + '*'!r} for all of them."
                    if starts else f" `lazyrich list` shows the {len(claims)} claim ids "
                                   f"(globs like 'domine2025.thm*' work).")
            raise InvalidArgument(f"no claim matches pattern {pat!r} (an id, a glob, or a "
                                  f"prefix ending at a dot).{hint}")
        for c in hits:
            chosen[c.id] = c
    return [chosen[k] for k in sorted(chosen)]
