"""Authenticated cache entries: where the cache lives, the key that signs it, and entries that
are used only when their signature is ours.

Everything lazyrich caches (claim results and mutation analyses, the papers' figure data, and
what the reports draw from it: drawings, graph layouts, MathML) lives in one cache directory:
``--cache-dir``, else ``$LAZYRICH_CACHE_DIR``, else the user cache directory
(``$XDG_CACHE_HOME/lazyrich`` or ``~/.cache/lazyrich``). Every entry carries an HMAC-SHA256
computed with a secret key kept *outside* that directory (``$LAZYRICH_CACHE_KEY_FILE``, else
``$XDG_CONFIG_HOME/lazyrich/cache.key`` or ``~/.config/lazyrich/cache.key``, created with mode
0600 on first use), so an entry that was edited, forged or copied from another user's cache is
never used: a drawing is inserted into a page as markup, and a claim's record decides a verdict.

What this does not protect against: someone who can read the key file (your own account, or
root) can forge entries; so can anyone who can edit the installed lazyrich code itself.

:func:`load_entry` and :func:`store_entry` keep JSON values under ``<cache>/<kind>/<name>.json``
for a content ``key`` (a hash over whatever the value was computed from); the claims cache
(:mod:`lazyrich.engine._cache`) builds its own entries from :func:`secret`, :func:`mac` and
:func:`write_atomic`. This module imports nothing of lazyrich: every layer may use it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
from pathlib import Path

__all__ = ["cache_dir", "key_file", "secret", "mac", "authentic", "write_atomic",
           "load_entry", "store_entry"]

_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+-]{0,120}")


def _user_dir(env: str, fallback: str) -> Path:
    base = os.environ.get(env)
    return Path(base) if base else Path.home() / fallback


def cache_dir(path: str | os.PathLike | None = None) -> Path:
    """The cache directory: ``path``, else ``$LAZYRICH_CACHE_DIR``, else the user cache dir."""
    return _cache_root(path)


def _cache_root(path) -> Path:
    if path:
        return Path(path)
    env = os.environ.get("LAZYRICH_CACHE_DIR")
    if env:
        return Path(env)
    return _user_dir("XDG_CACHE_HOME", ".cache") / "lazyrich"


def key_file() -> Path:
    """Where the MAC key lives: ``$LAZYRICH_CACHE_KEY_FILE``, else the user config dir."""
    env = os.environ.get("LAZYRICH_CACHE_KEY_FILE")
    if env:
        return Path(env)
    return _user_dir("XDG_CONFIG_HOME", ".config") / "lazyrich" / "cache.key"


def secret() -> bytes:
    """The MAC key, created (mode 0600) on first use. Raises OSError if it cannot be had."""
    path = key_file()
    try:
        data = path.read_bytes()
        if len(data) >= 32:
            return data
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".key-")
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, secrets.token_hex(32).encode())
        os.close(fd)
        try:
            os.link(tmp, path)          # atomic "create if absent": concurrent runs agree
        except FileExistsError:
            pass
    finally:
        try:
            os.unlink(tmp)
        except OSError:
            pass
    data = path.read_bytes()
    if len(data) < 32:
        raise OSError(f"cache key file {path} is too short; delete it to have a new one made")
    return data


def mac(key: bytes, payload: dict) -> str:
    """HMAC-SHA256 of a JSON-ready ``payload`` (its canonical JSON text) under ``key``."""
    return hmac.new(key, json.dumps(payload, sort_keys=True).encode(),
                    hashlib.sha256).hexdigest()


def authentic(entry, key: bytes) -> bool:
    """Whether a parsed entry is ``{"payload": {...}, "mac": ...}`` with our MAC."""
    return isinstance(entry, dict) and isinstance(entry.get("payload"), dict) and \
        hmac.compare_digest(str(entry.get("mac", "")), mac(key, entry["payload"]))


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename: a
    reader sees the old file or the new one, never half of one. Raises OSError."""
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


def read_authentic(path: Path, key: bytes) -> dict | None:
    """The payload of the signed entry at ``path``, or None when it cannot be read or its MAC
    does not match (such an entry is then removed: it is never trusted, and recomputing will
    replace it)."""
    try:
        entry = json.loads(path.read_text())
        ok = authentic(entry, key)
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError):
        ok = False
    if not ok:
        try:
            path.unlink()
        except OSError:
            pass
        return None
    return entry["payload"]


def _entry(root: Path, kind: str, name: str) -> Path:
    for part in (kind, name):
        if not _SAFE_NAME.fullmatch(part) or ".." in part:
            raise ValueError(f"unsafe cache entry name {part!r}")
    return root / kind / f"{name}.json"


def load_entry(kind: str, name: str, key: str, cache_dir=None):
    """The value stored as ``kind/name`` for this content ``key``, if authentic; else None. A
    forged or unreadable entry is removed; an entry for another key is left for
    :func:`store_entry` to replace. Never raises for a bad entry or an unreadable cache."""
    try:
        path = _entry(_cache_root(cache_dir), kind, name)
    except (ValueError, RuntimeError):      # an unsafe name; no home directory
        return None
    if not path.is_file():
        return None
    try:
        payload = read_authentic(path, secret())
    except (OSError, RuntimeError):         # no key to be had: the cache is off
        return None
    if payload is None or payload.get("key") != key:
        return None
    return payload.get("value")


def store_entry(kind: str, name: str, key: str, value, cache_dir=None) -> bool:
    """Store a JSON-ready ``value`` as ``kind/name`` for ``key``, atomically and signed;
    False when the cache cannot be written (a cache is an optimisation, never an error)."""
    try:
        path = _entry(_cache_root(cache_dir), kind, name)
        key_bytes = secret()
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"key": key, "value": value}
        write_atomic(path, json.dumps({"payload": payload, "mac": mac(key_bytes, payload)},
                                      sort_keys=True))
        return True
    except (OSError, ValueError, TypeError, RuntimeError):
        return False
