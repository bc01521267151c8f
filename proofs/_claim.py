"""Claims, checks and evidence: the data model every claim module uses.

A :class:`Claim` is one result of a paper (a theorem, lemma or equation). It carries its source,
its LaTeX statement, its assumptions, the claims it depends on and one or more checks. A check is a
function registered with :meth:`Claim.check`; it receives the claim's *formulas* (a namespace of the
callables under test, which a test can override with a deliberately wrong formula) and returns
:class:`Evidence`, or just the measured maximum error as a float.

Verdicts (:data:`VERDICTS`):

* ``proved``: an exact argument (SymPy reduced the residual to exactly 0).
* ``verified``: numeric or simulation agreement within a stated tolerance, at stated precision.
* ``refuted``: a counterexample far outside rounding, kept as evidence.
* ``inconclusive``: neither; the detail says what was tried.
* ``error``: the check itself failed to run (exception or timeout).
"""

from __future__ import annotations

import math
import time
import traceback
import types
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

VERDICTS = ("proved", "verified", "inconclusive", "refuted", "error")
CHECK_KINDS = ("symbolic", "numeric", "simulation")

# A claim's verdict is its weakest check's; ``refuted`` dominates everything.
_SEVERITY = {"proved": 0, "verified": 1, "inconclusive": 2, "error": 3, "refuted": 4}


def combine_verdicts(verdicts: Iterable[str]) -> str:
    """The verdict of a claim from those of its checks: the weakest one, ``refuted`` first."""
    verdicts = list(verdicts)
    if not verdicts:
        return "inconclusive"
    return max(verdicts, key=_SEVERITY.__getitem__)


@dataclass(frozen=True)
class Source:
    """Where a claim is printed: ``paper`` (short key such as ``domine2025``), ``ref`` (theorem
    or equation as printed, e.g. ``"Theorem 5.1, eq (16)"``) and ``section``."""

    paper: str
    ref: str
    section: str = ""

    def as_dict(self) -> dict:
        return {"paper": self.paper, "ref": self.ref, "section": self.section}


@dataclass
class Evidence:
    """What one check measured.

    Arguments:
        max_error: the largest discrepancy found (absolute or relative, the check's ``detail``
            says which). When ``verdict`` is None the engine compares it to the tolerance:
            ``max_error <= tolerance`` gives ``verified``, otherwise ``refuted``.
        verdict: an explicit verdict (symbolic checks return ``proved``/``refuted``/
            ``inconclusive`` here).
        detail: one or two sentences for the report: what was compared, where, at what precision.
        counterexample: for a refutation, the point where it fails (JSON-serialisable).
        data: small JSON-serialisable data for figures (e.g. curves).
    """

    max_error: float | None = None
    verdict: str | None = None
    detail: str = ""
    counterexample: dict | None = None
    data: dict | None = None


@dataclass
class Check:
    """One way of checking a claim (see :meth:`Claim.check`)."""

    name: str
    kind: str
    func: Callable[[types.SimpleNamespace], Any]
    tolerance: float | None
    precision: str
    justification: str

    def run(self, formulas: types.SimpleNamespace) -> dict:
        """Run the check; never raises. Returns the JSON-ready record of the check."""
        record = {
            "name": self.name,
            "kind": self.kind,
            "verdict": "error",
            "max_error": None,
            "tolerance": self.tolerance,
            "precision": self.precision,
            "justification": self.justification,
            "detail": "",
            "counterexample": None,
            "data": None,
            "traceback": None,
            "seconds": 0.0,
        }
        start = time.perf_counter()
        try:
            out = self.func(formulas)
            ev = out if isinstance(out, Evidence) else Evidence(max_error=float(out))
            record.update(_judge(ev, self))
        except Exception as exc:  # a crashing check is that check's `error`, never the run's
            record["detail"] = f"{type(exc).__name__}: {exc}"
            record["traceback"] = traceback.format_exc()
        record["seconds"] = time.perf_counter() - start
        return record


def _judge(ev: Evidence, check: Check) -> dict:
    err = None if ev.max_error is None else float(ev.max_error)
    verdict = ev.verdict
    if verdict is None:
        if err is None:
            raise ValueError(f"check {check.name!r} returned neither a verdict nor a max_error")
        if check.tolerance is None:
            raise ValueError(f"check {check.name!r} returned a max_error but declares no tolerance")
        if math.isnan(err):
            verdict, why = "refuted", "the measured error is NaN"
        else:
            verdict = "verified" if err <= check.tolerance else "refuted"
    if verdict not in VERDICTS:
        raise ValueError(f"check {check.name!r} returned unknown verdict {verdict!r}; "
                         f"use one of {VERDICTS}")
    if verdict == "proved" and check.kind != "symbolic":
        raise ValueError(f"check {check.name!r} is {check.kind!r}: only a symbolic check can "
                         f"return 'proved' (numeric agreement is 'verified')")
    if err is not None and (math.isnan(err) or math.isinf(err)):
        err_json = str(err)
    else:
        err_json = err
    return {"verdict": verdict, "max_error": err_json, "detail": ev.detail,
            "counterexample": ev.counterexample, "data": ev.data}


@dataclass
class Claim:
    """One result of a paper, with the checks that decide it.

    Arguments:
        id: stable id ``<paper>.<kind><number>[.<part>]``, e.g. ``domine2025.thm5.1``.
        title: one line.
        source: where it is printed.
        statement: the claim in LaTeX, as printed (or as reconstructed, then say so in ``notes``).
        assumptions: human-readable assumptions (``"A1: Σxx = I"``).
        depends_on: ids of claims this one builds on.
        formulas: the callables under test, by name. Checks receive them as a namespace; a test
            (or a user) replaces one with a wrong formula through ``claim.run(name=wrong)``.
        expected: the verdict the claim is expected to get. ``None`` means "proved or verified".
            A documented erratum of the paper sets ``expected="refuted"`` and gives ``corrected``.
        corrected: for an erratum, the corrected statement (LaTeX) and, in ``corrected_by``, the
            id of the claim that proves it.
        timeout: seconds after which the engine gives up on the claim (verdict ``error``).
        notes: provenance and caveats (e.g. "printed form not recoverable; reconstructed").
    """

    id: str
    title: str
    source: Source
    statement: str
    assumptions: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()
    formulas: Mapping[str, Callable] = field(default_factory=dict)
    expected: str | None = None
    corrected: str | None = None
    corrected_by: str | None = None
    timeout: float = 600.0
    notes: str = ""
    checks: list[Check] = field(default_factory=list)
    module: str = ""

    def __post_init__(self):
        _validate_id(self.id)
        if self.expected is not None and self.expected not in VERDICTS:
            raise ValueError(f"Claim {self.id}: expected={self.expected!r} is not one of "
                             f"{VERDICTS}")
        self.assumptions = tuple(self.assumptions)
        self.depends_on = tuple(self.depends_on)
        self.formulas = dict(self.formulas)

    def check(self, kind: str = "numeric", *, tolerance: float | None = None,
              precision: str = "", justification: str = "", name: str | None = None):
        """Decorator registering a check function ``f(formulas) -> Evidence | float``.

        ``tolerance`` is required when the check returns a max error; ``justification`` says
        why that tolerance (precision used, conditioning); both are printed in the report.
        """
        if kind not in CHECK_KINDS:
            raise ValueError(f"check kind must be one of {CHECK_KINDS}; got {kind!r}")

        def register(func):
            self.checks.append(Check(name=name or func.__name__, kind=kind, func=func,
                                     tolerance=tolerance, precision=precision,
                                     justification=justification))
            if not self.module:
                self.module = func.__module__
            return func

        return register

    def run(self, **overrides: Callable) -> "ClaimResult":
        """Run every check in this process. Keyword arguments replace formulas by name."""
        unknown = set(overrides) - set(self.formulas)
        if unknown:
            raise ValueError(f"Claim {self.id} has no formula(s) {sorted(unknown)}; "
                             f"its formulas are {sorted(self.formulas)}")
        ns = types.SimpleNamespace(**{**self.formulas, **overrides})
        start = time.perf_counter()
        checks = [c.run(ns) for c in self.checks]
        if not checks:
            checks = [{"name": "(none)", "kind": "numeric", "verdict": "inconclusive",
                       "max_error": None, "tolerance": None, "precision": "",
                       "justification": "", "detail": "this claim has no checks yet",
                       "counterexample": None, "data": None, "traceback": None,
                       "seconds": 0.0}]
        return ClaimResult(self, checks, time.perf_counter() - start)


@dataclass
class ClaimResult:
    """The outcome of running one claim: its checks' records and the combined verdict."""

    claim: Claim
    checks: list[dict]
    seconds: float

    @property
    def verdict(self) -> str:
        return combine_verdicts(c["verdict"] for c in self.checks)

    def as_dict(self) -> dict:
        c = self.claim
        return {
            "id": c.id,
            "title": c.title,
            "source": c.source.as_dict(),
            "statement": c.statement,
            "assumptions": list(c.assumptions),
            "depends_on": list(c.depends_on),
            "notes": c.notes,
            "verdict": self.verdict,
            "expected": c.expected,
            "corrected": c.corrected,
            "corrected_by": c.corrected_by,
            "checks": self.checks,
            "seconds": self.seconds,
        }


def _validate_id(cid: str) -> None:
    parts = cid.split(".")
    if len(parts) < 2 or not all(parts) or any(ch.isspace() for ch in cid):
        raise ValueError(f"claim id {cid!r} must look like '<paper>.<kind><number>[.<part>]', "
                         f"e.g. 'domine2025.thm5.1'")
