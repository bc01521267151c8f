"""pytest plugin: every claim becomes a test item, so an existing ``pytest`` CI runs them.

Opt in with ``pytest --lazyrich`` (every claim: built in, from entry points, and from
``--lazyrich-claims PATH`` files), ``--lazyrich-select PATTERN`` (repeatable: only matching
claims) or ``--lazyrich-claims PATH`` alone (only that file's claims). ``--lazyrich-strict``
fails inconclusive claims. Add ``-m lazyrich`` to run the claims without the rest of a test
suite.

Claims are collected the standard way: each claims module is a collector (its file path) and
each claim an item under it, so ``--collect-only`` lists and counts them, ``-k`` selects them,
and an item id printed by pytest (``.../aligned.py::domine2025.thm5.1``) can be passed back to
pytest. A claim passes when it gets the verdict it expects (a documented erratum passes when it
is refuted by its own counterexample, and fails if it suddenly verifies), exactly like
``lazyrich check``. Each claim runs in a forked worker process with its timeout enforced, so a
check that exits or hangs cannot take the test session with it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest


def pytest_addoption(parser):
    group = parser.getgroup("lazyrich", "lazyrich claims as tests")
    group.addoption("--lazyrich", action="store_true", help="run every lazyrich claim as a test")
    group.addoption("--lazyrich-select", action="append", default=[], metavar="PATTERN",
                    help="run the claims matching PATTERN (id, glob or prefix)")
    group.addoption("--lazyrich-claims", action="append", default=[], metavar="PATH",
                    help="also load claims from this Python file")
    group.addoption("--lazyrich-strict", action="store_true",
                    help="inconclusive claims fail")


def _enabled(config) -> bool:
    return bool(config.getoption("lazyrich") or config.getoption("lazyrich_select")
                or config.getoption("lazyrich_claims"))


def _only_user_files(config) -> bool:
    """``--lazyrich-claims FILE`` alone: that file's claims, not every built-in one."""
    return not (config.getoption("lazyrich") or config.getoption("lazyrich_select"))


class ClaimFailure(Exception):
    pass


def _registry(config):
    """The claims of this session (built in, entry points, --lazyrich-claims), computed once."""
    reg = getattr(config, "_lazyrich_registry", None)
    if reg is None:
        from ._registry import discover, read_source

        files = [(str(Path(p).resolve()), read_source(p))
                 for p in config.getoption("lazyrich_claims")]
        config._lazyrich_files = tuple(files)
        reg = config._lazyrich_registry = discover(files)
    return reg


def _module_files(config) -> dict[Path, list]:
    """Claims grouped by the file of the module that defines them."""
    groups: dict[Path, list] = {}
    user = {Path(p).resolve() for p in config.getoption("lazyrich_claims")}
    for claim in _registry(config).values():
        mod = sys.modules.get(claim.module)
        f = getattr(mod, "__file__", None)
        if f and (not _only_user_files(config) or Path(f).resolve() in user):
            groups.setdefault(Path(f).resolve(), []).append(claim)
    return groups


def pytest_configure(config):
    config.addinivalue_line("markers", "lazyrich: a lazyrich claim run as a test")
    if not _enabled(config):
        return
    from ._registry import select

    try:
        groups = _module_files(config)
        patterns = list(config.getoption("lazyrich_select") or [])
        if patterns:
            select(_registry(config), patterns)       # a pattern matching nothing: say so
    except Exception as exc:  # noqa: BLE001 - a broken claims file is a usage error
        raise pytest.UsageError(f"lazyrich: {exc}") from None
    config._lazyrich_groups = groups
    # The claims modules become collection arguments, unless the user already named some of
    # them (e.g. passing back an item id ``path::claim-id``).
    named = {Path(str(a).split("::")[0]).resolve() for a in config.args}
    if not any(path in named or any(p in path.parents for p in named if p.is_dir())
               for path in groups):
        config.args.extend(str(path) for path in sorted(groups))


def pytest_collect_file(file_path, parent):
    """A claims module met while collecting a directory (the python plugin only looks at
    test_*.py files there; it hands named files and test_*.py to the hook below)."""
    groups = getattr(parent.config, "_lazyrich_groups", None)
    if not groups or file_path.resolve() not in groups:
        return None
    if parent.session.isinitpath(file_path) or any(
            file_path.match(pat) for pat in parent.config.getini("python_files")):
        return None
    return pytest_pycollect_makemodule(file_path, parent)


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makemodule(module_path, parent):
    """A claims module is collected as its claims (never as a module of test functions)."""
    groups = getattr(parent.config, "_lazyrich_groups", None)
    if not groups or module_path.resolve() not in groups:
        return None
    try:
        nodeid = module_path.resolve().relative_to(parent.config.rootpath.resolve()).as_posix()
    except ValueError:
        nodeid = module_path.resolve().as_posix()   # outside the rootdir: an absolute id
    return ClaimsModule.from_parent(parent, path=module_path, nodeid=nodeid)


class ClaimsModule(pytest.File):
    """A claims module; its children are its claims (selected by --lazyrich-select)."""

    def collect(self):
        from ._registry import select

        claims = self.config._lazyrich_groups[self.path.resolve()]
        patterns = list(self.config.getoption("lazyrich_select") or [])
        if patterns:
            wanted = {c.id for c in select(_registry(self.config), patterns)}
            claims = [c for c in claims if c.id in wanted]
        strict = self.config.getoption("lazyrich_strict")
        for claim in claims:
            yield ClaimItem.from_parent(self, name=claim.id, claim=claim, strict=strict)


class ClaimItem(pytest.Item):
    def __init__(self, *, claim, strict, **kwargs):
        super().__init__(**kwargs)
        self.claim = claim
        self.strict = strict
        self.add_marker(pytest.mark.lazyrich)

    def runtest(self):
        from ._pool import run_pool
        from ._results import record_outcome
        from ._run import _error_record, _jsonable

        got = []
        run_pool([self.claim], 1, lambda i, rec: got.append(rec),
                 user_files=getattr(self.config, "_lazyrich_files", ()),
                 error_record=lambda claim, msg, secs: _jsonable(
                     _error_record(claim, msg, None, secs)))
        record = got[0]
        record.pop("_dependencies", None)
        result = record_outcome(record)
        lines = [f"{c['name']} [{c['kind']}]: {c['verdict']} (max_error={c['max_error']}, "
                 f"tolerance={c['tolerance']}) {c['detail']}" for c in record["checks"]]
        head = (f"{result}: {record['verdict']} (statement "
                f"{record['statement_verdict']['verdict']}, implementation "
                f"{record['implementation_verdict']['verdict']})")
        self.add_report_section("call", "lazyrich", head + "\n" + "\n".join(lines))
        if result in ("failed", "unexpected-pass", "error") or (
                result == "inconclusive" and self.strict):
            tbs = "\n".join(c["traceback"] or "" for c in record["checks"])
            raise ClaimFailure(f"{self.claim.id}: {result} (verdict {record['verdict']}, "
                               f"expected {record['expected'] or 'proved/verified'})\n"
                               + "\n".join(lines) + ("\n" + tbs if tbs.strip() else ""))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ClaimFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, None, f"claim {self.claim.id}"
