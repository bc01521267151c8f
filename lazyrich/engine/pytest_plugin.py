"""pytest plugin: every claim becomes a test item, so an existing ``pytest`` CI runs them.

Opt in with ``pytest --lazyrich`` (all claims) or ``--lazyrich-select PATTERN`` (repeatable);
``--lazyrich-claims PATH`` adds a user's claims file; ``--lazyrich-strict`` fails inconclusive
claims. A claim passes when it gets the verdict it expects (a documented erratum passes when it
is refuted, and fails if it suddenly verifies), exactly like ``lazyrich check``.
"""

from __future__ import annotations

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


class ClaimFailure(Exception):
    pass


class ClaimItem(pytest.Item):
    def __init__(self, *, claim, strict, **kwargs):
        super().__init__(**kwargs)
        self.claim = claim
        self.strict = strict
        self.add_marker(pytest.mark.lazyrich)

    def runtest(self):
        from ._run import run_one
        from ._results import record_outcome

        record = run_one(self.claim)
        result = record_outcome(record)
        lines = [f"{c['name']} [{c['kind']}]: {c['verdict']} (max_error={c['max_error']}, "
                 f"tolerance={c['tolerance']}) {c['detail']}" for c in record["checks"]]
        self.add_report_section("call", "lazyrich", f"{result}: {record['verdict']}\n"
                                + "\n".join(lines))
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


def pytest_configure(config):
    config.addinivalue_line("markers", "lazyrich: a lazyrich claim run as a test")


def pytest_collection_modifyitems(session, config, items):
    patterns = list(config.getoption("lazyrich_select") or [])
    if not (config.getoption("lazyrich") or patterns):
        return
    from ._registry import discover, select

    files = [(str(Path(p).resolve()), None) for p in config.getoption("lazyrich_claims")]
    claims = select(discover(files), patterns)
    strict = config.getoption("lazyrich_strict")
    for claim in claims:
        items.append(ClaimItem.from_parent(session, name=claim.id, claim=claim, strict=strict))
