"""A cached answer never differs from a fresh one: the cache key covers every module of the
project and every local module a claims file imports, transitively."""

import json
import shutil
import textwrap

import pytest

from lazyrich.engine import _cache
from lazyrich.engine.cli import main

CLAIMS = textwrap.dedent('''
    from lazyrich import Claim, Source
    import helper_direct

    c = Claim(id="stale.eq1", title="helper value", source=Source("stale", "eq (1)"),
              statement="h = 1", formulas={"h": helper_direct.value})

    @c.check("numeric", tolerance=1e-12, precision="float64", justification="exact")
    def value_is_one(f):
        return abs(f.h() - 1.0)
    ''')


def _forget_loaded_code(monkeypatch):
    import sys

    from lazyrich.engine import _run as _engine
    for name in list(sys.modules):
        if name.startswith(("helper_", "lazyrich_user_claims_")):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(_engine, "_REGISTRIES", {})


def _run(tmp_path, claims, *extra):
    out = tmp_path / "r.json"
    rc = main(["check", "stale", "--claims", str(claims), "-j1", "-q", "--cache-dir",
               str(tmp_path / "cache"), "--json", str(out), *extra])
    rec = json.loads(out.read_text())["claims"][0]
    return rc, rec["verdict"], rec["cached"]


@pytest.mark.parametrize("edit", ["direct", "transitive", "dynamic"])
def test_editing_an_imported_helper_changes_the_verdict_without_no_cache(tmp_path, edit,
                                                                         monkeypatch):
    folder = tmp_path / "user"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    claims = folder / "claims_file.py"
    claims.write_text(CLAIMS)
    # helper_direct imports helper_deep statically and helper_dyn by name at call time
    (folder / "helper_direct.py").write_text(textwrap.dedent('''
        import importlib
        from helper_deep import ONE
        def value():
            return ONE * importlib.import_module("helper_dyn").FACTOR
        '''))
    (folder / "helper_deep.py").write_text("ONE = 1.0\n")
    (folder / "helper_dyn.py").write_text("FACTOR = 1.0\n")

    assert _run(tmp_path, claims) == (0, "verified", False)
    assert _run(tmp_path, claims) == (0, "verified", True)          # served from the cache

    target = {"direct": ("helper_direct.py", "return ONE *", "return 2 * ONE *"),
              "transitive": ("helper_deep.py", "ONE = 1.0", "ONE = 2.0"),
              "dynamic": ("helper_dyn.py", "FACTOR = 1.0", "FACTOR = 2.0")}[edit]
    path = folder / target[0]
    path.write_text(path.read_text().replace(target[1], target[2]))
    _forget_loaded_code(monkeypatch)      # as a new `lazyrich` process would
    rc, verdict, cached = _run(tmp_path, claims)
    assert (verdict, cached) == ("refuted", False), (edit, verdict, cached)
    assert rc == 1


def test_every_project_file_is_in_the_key(tmp_path, monkeypatch):
    """Editing any file of the project (here f_blocks of the Riccati claim module, which the
    tutorial's claims import) changes the fingerprint every claim's key is built on."""
    roots = _cache._project_roots()
    copies = []
    for root in roots:
        dst = tmp_path / root.name
        shutil.copytree(root, dst, ignore=shutil.ignore_patterns("__pycache__"))
        copies.append(dst)
    monkeypatch.setattr(_cache, "_project_roots", lambda: copies)
    _cache.code_fingerprint.cache_clear()
    try:
        before = _cache.code_fingerprint()
        riccati = tmp_path / "proofs" / "domine2025" / "riccati.py"
        text = riccati.read_text()
        assert "def f_blocks" in text
        riccati.write_text(text.replace("def f_blocks", "def f_blocks  ", 1))
        _cache.code_fingerprint.cache_clear()
        assert _cache.code_fingerprint() != before
    finally:
        _cache.code_fingerprint.cache_clear()


def test_a_built_in_claims_key_depends_on_the_user_code_loaded_beside_it(tmp_path):
    """A claims file could alter a built-in claim in memory; entries written in such a run are
    keyed by that file's code, so a run without it never reads them."""
    from lazyrich import discover

    plain = discover(entry_points_too=False)
    user = tmp_path / "u.py"
    user.write_text(CLAIMS.replace("import helper_direct", "").replace(
        "formulas={\"h\": helper_direct.value}", "formulas={\"h\": lambda: 1.0}"))
    mixed = discover([(str(user), None)], entry_points_too=False)
    cid = "domine2025.thm5.1"
    assert _cache.claim_key(plain[cid], plain.foreign_fingerprint) != \
        _cache.claim_key(mixed[cid], mixed.foreign_fingerprint)


def test_cache_ids_never_become_paths_outside_the_cache(tmp_path):
    with pytest.raises(ValueError, match="must look like"):
        _cache.entry_path(tmp_path, "/etc/passwd.x")
    with pytest.raises(ValueError, match="must look like"):
        _cache.entry_path(tmp_path, "zz.a/b")
    p = _cache.entry_path(tmp_path, "zz.a_b")
    assert p.parent == tmp_path / "claims"


def test_temporary_files_of_a_killed_run_are_swept(tmp_path, monkeypatch):
    import os
    import time

    from lazyrich import Claim, Source

    monkeypatch.setattr(_cache, "_SWEPT", set())
    folder = tmp_path / "claims"
    folder.mkdir()
    old, fresh = folder / ".tmp-old.json", folder / ".tmp-fresh.json"
    old.write_text("{")
    fresh.write_text("{")
    past = time.time() - 2 * _cache.STALE_TMP_SECONDS
    os.utime(old, (past, past))
    c = Claim(id="zz.sweep", title="", source=Source("zz", "x"), statement="")
    _cache.store(tmp_path, c, "k", {"id": "zz.sweep", "verdict": "verified"})
    assert not old.exists() and fresh.exists()          # a write in progress is left alone
    assert _cache.load(tmp_path, c, "k") == {"id": "zz.sweep", "verdict": "verified"}
