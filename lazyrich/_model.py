"""Claims, checks and evidence: the data model every claim module uses.

A :class:`Claim` is one result of a paper (a theorem, lemma or equation). It carries its source,
its LaTeX statement, the scope the paper states it for, its assumptions, the claims it depends on
and one or more checks. A check is a function registered with :meth:`Claim.check`; it receives
the claim's *formulas* (a namespace of the callables under test, which a test can override with a
deliberately wrong formula) and returns :class:`Evidence`, or just the measured maximum error.

A claim answers two questions, and the result keeps them apart:

* **the statement** (the mathematics): ``proved`` when its symbolic checks reduce every step to
  exactly 0 *and* each derivation covers the whole scope the paper states (a derivation at fixed
  sizes records that, see :class:`Scope`); ``refuted`` by a counterexample; otherwise
  ``inconclusive``, saying why. Numeric agreement alone never proves a statement.
* **the implementation** (the float64/mp formulas under test): ``verified`` when every formula is
  read by some check and every check that reads one agrees with its independent reference within
  its stated tolerance; ``refuted`` when one does not; ``untested`` when a formula is never read.

The claim's verdict (:data:`VERDICTS`) combines them: ``refuted`` if any check refutes,
``error`` if any check failed to run, ``proved`` when the statement is proved and the
implementation verified (or the claim has no formulas), ``verified`` when the implementation is
verified but the statement is not proved, ``inconclusive`` otherwise.
"""

from __future__ import annotations

import math
import numbers
import re
import time
import traceback
import types
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

VERDICTS = ("proved", "verified", "inconclusive", "refuted", "error")
STATEMENT_VERDICTS = ("proved", "inconclusive", "refuted")
IMPLEMENTATION_VERDICTS = ("verified", "inconclusive", "untested", "refuted", "n/a")
CHECK_KINDS = ("symbolic", "numeric", "simulation")

# The weakest verdict first when several are folded into one (``refuted`` dominates).
_SEVERITY = {"proved": 0, "verified": 1, "inconclusive": 2, "error": 3, "refuted": 4}


def combine_verdicts(verdicts: Iterable[str]) -> str:
    """The weakest of several check verdicts, ``refuted`` first (``inconclusive`` if none)."""
    verdicts = list(verdicts)
    if not verdicts:
        return "inconclusive"
    return max(verdicts, key=_SEVERITY.__getitem__)


class CheckAborted(BaseException):
    """Raised into a running check to stop it (a timeout or the user's Ctrl-C). A
    ``BaseException`` so that ``except Exception`` in a check cannot swallow it; the engine
    turns it into that claim's ``error`` (timeout) or stops the run (interrupt)."""


_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*(\.[A-Za-z0-9][A-Za-z0-9_+-]*)+")


def validate_id(cid: object) -> str:
    """A claim id: ``<paper>.<part>[.<part>...]``, letters, digits, ``_``, ``-`` and ``+``
    only (ids become file names and URLs; nothing else may reach a path)."""
    if not isinstance(cid, str) or len(cid) > 120 or not _ID.fullmatch(cid):
        raise ValueError(f"claim id {cid!r} must look like '<paper>.<kind><number>[.<part>]' "
                         f"(e.g. 'domine2025.thm5.1'): dot-separated parts of letters, digits, "
                         f"'_', '-', '+', the first starting with a letter, at most 120 "
                         f"characters")
    return cid


@dataclass(frozen=True)
class Source:
    """Where a claim is printed: ``paper`` (short key such as ``domine2025``), ``ref`` (theorem
    or equation as printed, e.g. ``"Theorem 5.1, eq (16)"``) and ``section``."""

    paper: str
    ref: str
    section: str = ""

    def __post_init__(self):
        for name in ("paper", "ref", "section"):
            if not isinstance(getattr(self, name), str):
                raise ValueError(f"Source.{name} must be a string; got "
                                 f"{type(getattr(self, name)).__name__}")

    def as_dict(self) -> dict:
        return {"paper": self.paper, "ref": self.ref, "section": self.section}


@dataclass(frozen=True)
class Scope:
    """How much of a statement a derivation covers.

    ``covers`` is the range the derivation is exact on, in words ("any N_i, N_h, N_o; any λ",
    "sizes (2,2,2) and (3,1,2)", "one mode"). ``complete`` says whether that is the whole scope
    the paper states; when it is not, ``missing`` says what is left (and how it is supported,
    e.g. "general sizes: numeric evidence only"). Build with :meth:`full` or :meth:`partial`.
    """

    covers: str
    complete: bool
    missing: str = ""

    @classmethod
    def full(cls, covers: str) -> "Scope":
        """The derivation is exact over the whole scope the statement claims."""
        return cls(covers, True, "")

    @classmethod
    def partial(cls, covers: str, missing: str) -> "Scope":
        """The derivation is exact only on ``covers``; ``missing`` is what it does not show."""
        if not missing:
            raise ValueError("Scope.partial needs `missing`: say what the derivation does not "
                             "cover")
        return cls(covers, False, missing)

    def as_dict(self) -> dict:
        return {"covers": self.covers, "complete": self.complete, "missing": self.missing}


@dataclass
class Evidence:
    """What one check measured.

    Arguments:
        max_error: the largest discrepancy found (absolute or relative, the check's ``detail``
            says which): a finite, real, non-negative number. When ``verdict`` is None the
            engine compares it to the tolerance: ``max_error <= tolerance`` gives ``verified``,
            otherwise ``refuted``. ``+inf`` means the formula failed outright (refuted); NaN,
            negative, complex or non-numeric values make the check an ``error``.
        verdict: an explicit verdict (symbolic checks return ``proved``/``refuted``/
            ``inconclusive`` here). It may not contradict ``max_error`` and the tolerance.
        detail: one or two sentences for the report: what was compared, where, at what precision.
        counterexample: for a refutation, the point where it fails (JSON-serialisable).
        data: small JSON-serialisable data for figures (e.g. curves).
        scope: for a symbolic check, how much of the statement the derivation covers.
    """

    max_error: float | None = None
    verdict: str | None = None
    detail: str = ""
    counterexample: dict | None = None
    data: dict | None = None
    scope: Scope | None = None


class _Formulas(types.SimpleNamespace):
    """The formulas under test as attributes; remembers which ones a check read."""

    def __init__(self, formulas: Mapping[str, Callable]):
        super().__init__(**formulas)
        object.__setattr__(self, "_read", set())

    def __getattribute__(self, name):
        if not name.startswith("_"):
            object.__getattribute__(self, "_read").add(name)
        return object.__getattribute__(self, name)

    def names_read(self) -> list[str]:
        read = object.__getattribute__(self, "_read")
        return sorted(n for n in read if n in object.__getattribute__(self, "__dict__"))


def _blank_record(name: str, kind: str, tolerance, precision: str, justification: str) -> dict:
    return {"name": name, "kind": kind, "verdict": "error", "max_error": None,
            "tolerance": tolerance, "precision": precision, "justification": justification,
            "detail": "", "counterexample": None, "data": None, "traceback": None,
            "seconds": 0.0, "scope": None, "formulas_read": []}


@dataclass
class Check:
    """One way of checking a claim (see :meth:`Claim.check`)."""

    name: str
    kind: str
    func: Callable[[types.SimpleNamespace], Any]
    tolerance: float | None
    precision: str
    justification: str

    def run(self, formulas: Mapping[str, Callable] | types.SimpleNamespace) -> dict:
        """Run the check on ``formulas`` (by name); never raises (but lets :class:`CheckAborted` through).
        Returns the JSON-ready record of the check."""
        record = _blank_record(self.name, self.kind, self.tolerance, self.precision,
                               self.justification)
        if isinstance(formulas, types.SimpleNamespace):
            formulas = vars(formulas)
        ns = _Formulas(formulas)
        start = time.perf_counter()
        try:
            out = self.func(ns)
            ev = out if isinstance(out, Evidence) else Evidence(max_error=out)
            record.update(_judge(ev, self))
        except CheckAborted:
            raise
        except BaseException as exc:  # noqa: BLE001 - sys.exit, KeyboardInterrupt raised by a
            # check: that check's `error`, never the end of the run
            record["detail"] = f"{type(exc).__name__}: {exc}"
            record["traceback"] = traceback.format_exc()
        record["seconds"] = time.perf_counter() - start
        record["formulas_read"] = ns.names_read()
        return record


def _as_error(value, check: Check) -> float:
    """A measured error as a float, or ValueError saying why it is not one."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        try:  # numpy/mpmath real scalars are numbers.Real or convert exactly
            import numpy as np
            if isinstance(value, np.ndarray) and value.shape == () and \
                    np.isrealobj(value):
                value = value.item()
            elif not isinstance(value, (np.floating, np.integer)):
                raise TypeError
        except TypeError:
            raise ValueError(f"check {check.name!r} returned a max_error of type "
                             f"{type(value).__name__} ({value!r:.60}); it must be a real number "
                             f"(the largest discrepancy measured)") from None
    err = float(value)
    if math.isnan(err):
        raise ValueError(f"check {check.name!r} measured an error of NaN: the check or the "
                         f"formula under test produced NaN, so nothing was compared")
    if err < 0:
        raise ValueError(f"check {check.name!r} measured a negative error ({err!r}); an error "
                         f"is a distance, |got − reference| ≥ 0")
    return err


def _judge(ev: Evidence, check: Check) -> dict:
    err = None if ev.max_error is None else _as_error(ev.max_error, check)
    verdict = ev.verdict
    if verdict is not None and verdict not in VERDICTS:
        raise ValueError(f"check {check.name!r} returned unknown verdict {verdict!r}; "
                         f"use one of {VERDICTS}")
    if verdict == "error":
        raise ValueError(f"check {check.name!r} returned verdict 'error': raise an exception "
                         f"instead, with the reason")
    if check.tolerance is not None and not (isinstance(check.tolerance, (int, float))
                                            and math.isfinite(check.tolerance)
                                            and check.tolerance >= 0):
        raise ValueError(f"check {check.name!r} declares tolerance {check.tolerance!r}; a "
                         f"tolerance is a finite number ≥ 0")
    if verdict is None:
        if err is None:
            raise ValueError(f"check {check.name!r} returned neither a verdict nor a max_error")
        if check.tolerance is None:
            raise ValueError(f"check {check.name!r} returned a max_error but declares no tolerance")
        verdict = "verified" if err <= check.tolerance else "refuted"
    elif err is not None and check.tolerance is not None:
        within = err <= check.tolerance
        if verdict in ("proved", "verified") and not within:
            raise ValueError(f"check {check.name!r} says {verdict!r} but measured "
                             f"{err:.3g} > tolerance {check.tolerance:.3g}; the verdict "
                             f"contradicts the evidence")
    if verdict == "proved" and check.kind != "symbolic":
        raise ValueError(f"check {check.name!r} is {check.kind!r}: only a symbolic check can "
                         f"return 'proved' (numeric agreement is 'verified')")
    if check.kind == "symbolic" and verdict == "verified":
        raise ValueError(f"check {check.name!r} is symbolic: it proves, refutes or is "
                         f"inconclusive ('verified' is for numeric agreement); declare it "
                         f"'numeric' if it measures an error")
    if ev.scope is not None and not isinstance(ev.scope, Scope):
        raise ValueError(f"check {check.name!r} returned scope={ev.scope!r}; use "
                         f"Scope.full(...) or Scope.partial(...)")
    return {"verdict": verdict, "max_error": "inf" if err == math.inf else err,
            "detail": str(ev.detail or ""),
            "counterexample": ev.counterexample, "data": ev.data,
            "scope": ev.scope.as_dict() if ev.scope is not None else None}


def judge(checks: list[dict], formulas: Iterable[str]) -> tuple[str, dict, dict]:
    """The claim's verdict, its statement verdict and its implementation verdict, from its
    check records (see the module docstring for the rules). Returns
    ``(verdict, {"verdict", "why"}, {"verdict", "why"})``."""
    formulas = sorted(formulas)
    symbolic = [c for c in checks if c["kind"] == "symbolic"]

    # the statement: symbolic checks only; each must be proved over the statement's scope
    if any(c["verdict"] == "refuted" for c in symbolic):
        bad = next(c for c in symbolic if c["verdict"] == "refuted")
        statement = {"verdict": "refuted", "why": f"derivation {bad['name']!r} is refuted"}
    elif not symbolic:
        statement = {"verdict": "inconclusive",
                     "why": "no derivation: the statement is supported by numeric evidence only"}
    elif any(c["verdict"] != "proved" for c in symbolic):
        bad = next(c for c in symbolic if c["verdict"] != "proved")
        statement = {"verdict": "inconclusive",
                     "why": f"derivation {bad['name']!r} is {bad['verdict']}"}
    else:
        unscoped = [c["name"] for c in symbolic if not c.get("scope")]
        partial = [c for c in symbolic if c.get("scope") and not c["scope"]["complete"]]
        if unscoped:
            statement = {"verdict": "inconclusive",
                         "why": f"derivation(s) {', '.join(map(repr, unscoped))} did not declare "
                                f"their scope, so they do not prove the statement as stated"}
        elif partial:
            statement = {"verdict": "inconclusive", "why": "; ".join(
                f"{c['name']!r} is exact only for {c['scope']['covers']} (missing: "
                f"{c['scope']['missing']})" for c in partial)}
        else:
            statement = {"verdict": "proved", "why": "; ".join(
                f"{c['name']!r}: {c['scope']['covers']}" for c in symbolic)}

    # the implementation: every formula read, every check that reads one agrees
    readers = [c for c in checks if c.get("formulas_read")]
    read = set().union(*(c["formulas_read"] for c in readers)) if readers else set()
    unread = [f for f in formulas if f not in read]
    if not formulas:
        implementation = {"verdict": "n/a", "why": "the claim has no formulas under test"}
    elif any(c["verdict"] == "refuted" for c in readers):
        bad = next(c for c in readers if c["verdict"] == "refuted")
        implementation = {"verdict": "refuted", "why": f"check {bad['name']!r} refutes "
                                                       f"{', '.join(bad['formulas_read'])}"}
    elif unread:
        implementation = {"verdict": "untested",
                          "why": f"no check reads {', '.join(unread)}"}
    elif any(c["verdict"] not in ("proved", "verified") for c in readers):
        bad = next(c for c in readers if c["verdict"] not in ("proved", "verified"))
        implementation = {"verdict": "inconclusive",
                          "why": f"check {bad['name']!r} is {bad['verdict']}"}
    else:
        implementation = {"verdict": "verified", "why": f"{', '.join(formulas)} agree with "
                                                        f"independent references"}

    verdicts = [c["verdict"] for c in checks]
    if "refuted" in verdicts:
        verdict = "refuted"
    elif "error" in verdicts:
        verdict = "error"
    elif statement["verdict"] == "proved" and implementation["verdict"] in ("verified", "n/a") \
            and all(v in ("proved", "verified") for v in verdicts):
        verdict = "proved"
    elif implementation["verdict"] in ("verified", "n/a") and checks \
            and all(v in ("proved", "verified") for v in verdicts):
        verdict = "verified"
    else:
        verdict = "inconclusive"
    return verdict, statement, implementation


@dataclass
class Claim:
    """One result of a paper, with the checks that decide it.

    Arguments:
        id: stable id ``<paper>.<kind><number>[.<part>]``, e.g. ``domine2025.thm5.1``.
        title: one line.
        source: where it is printed.
        statement: the claim in LaTeX, as printed (or as reconstructed, then say so in ``notes``).
        scope: the range the paper states the claim for, in words ("any N_i, N_o with N_h =
            min(N_i, N_o); any λ; t ≥ 0"). A derivation proves the statement only if its
            :class:`Scope` covers this.
        assumptions: human-readable assumptions (``"A1: Σxx = I"``).
        depends_on: ids of claims this one builds on.
        formulas: the callables under test, by name. Checks receive them as a namespace; a test
            (or a user) replaces one with a wrong formula through ``claim.run(name=wrong)``.
        expected: the verdict the claim is expected to get. ``None`` means "proved or verified".
            A documented erratum of the paper sets ``expected="refuted"`` and gives ``corrected``.
        refuted_by: for an erratum, the check(s) whose counterexample refutes the printed
            statement: the outcome is ``erratum`` only while *these* refute it (removing the
            counterexample makes it ``unexpected-pass``). Defaults to the only check when there
            is one.
        corrected: for an erratum, the corrected statement (LaTeX) and, in ``corrected_by``, the
            id of the claim that proves it.
        timeout: seconds after which the engine gives up on the claim (verdict ``error``).
        notes: provenance and caveats (e.g. "printed form not recoverable; reconstructed").
        equivalent_mutants: automatically derived wrong variants (``lazyrich mutate``) that are
            not wrong at all, by mutant name, with the reason (e.g. ``"trajectory: lam → −lam":
            "γ depends on λ only through λ²"``).
    """

    id: str
    title: str
    source: Source
    statement: str
    scope: str = ""
    assumptions: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()
    formulas: Mapping[str, Callable] = field(default_factory=dict)
    expected: str | None = None
    refuted_by: tuple[str, ...] = ()
    corrected: str | None = None
    corrected_by: str | None = None
    timeout: float = 600.0
    notes: str = ""
    equivalent_mutants: Mapping[str, str] = field(default_factory=dict)
    detection_target: float = 1e-6
    checks: list[Check] = field(default_factory=list)
    module: str = ""

    def __post_init__(self):
        validate_id(self.id)
        if not isinstance(self.source, Source):
            raise ValueError(f"Claim {self.id}: source must be a Source(paper, ref, section); "
                             f"got {type(self.source).__name__}")
        for name in ("title", "statement", "scope", "notes"):
            if not isinstance(getattr(self, name), str):
                raise ValueError(f"Claim {self.id}: {name} must be a string; got "
                                 f"{type(getattr(self, name)).__name__}")
        if self.expected is not None and self.expected not in VERDICTS:
            raise ValueError(f"Claim {self.id}: expected={self.expected!r} is not one of "
                             f"{VERDICTS}")
        if isinstance(self.timeout, bool) or not isinstance(self.timeout, (int, float)) \
                or not math.isfinite(self.timeout) or self.timeout <= 0:
            raise ValueError(f"Claim {self.id}: timeout={self.timeout!r}; give a positive "
                             f"number of seconds")
        self.assumptions = tuple(str(a) for a in self.assumptions)
        self.depends_on = tuple(self.depends_on)
        for d in self.depends_on:
            validate_id(d)
        self.formulas = dict(self.formulas)
        self.refuted_by = (self.refuted_by,) if isinstance(self.refuted_by, str) \
            else tuple(self.refuted_by)
        if self.refuted_by and self.expected != "refuted":
            raise ValueError(f"Claim {self.id}: refuted_by is for errata (expected='refuted')")
        self.equivalent_mutants = dict(self.equivalent_mutants)
        if isinstance(self.detection_target, bool) or not isinstance(
                self.detection_target, (int, float)) or not 0 < self.detection_target < 1:
            raise ValueError(f"Claim {self.id}: detection_target={self.detection_target!r}; "
                             f"give the relative output perturbation (0 < δ < 1) its checks "
                             f"must refute")

    def check(self, kind: str = "numeric", *, tolerance: float | None = None,
              precision: str = "", justification: str = "", name: str | None = None):
        """Decorator registering a check function ``f(formulas) -> Evidence | float``.

        ``tolerance`` is required when the check returns a max error; ``justification`` says
        why that tolerance (precision used, conditioning); both are printed in the report.
        """
        if kind not in CHECK_KINDS:
            raise ValueError(f"check kind must be one of {CHECK_KINDS}; got {kind!r}")

        def register(func):
            cname = name or func.__name__
            if any(c.name == cname for c in self.checks):
                raise ValueError(f"Claim {self.id} already has a check named {cname!r}")
            self.checks.append(Check(name=cname, kind=kind, func=func,
                                     tolerance=tolerance, precision=precision,
                                     justification=justification))
            if not self.module:
                self.module = func.__module__
            return func

        return register

    def erratum_checks(self) -> tuple[str, ...]:
        """The checks whose refutation makes this erratum (see ``refuted_by``)."""
        if self.expected != "refuted":
            return ()
        if self.refuted_by:
            return self.refuted_by
        return (self.checks[0].name,) if len(self.checks) == 1 else ()

    def run(self, *, only: Iterable[str] | None = None, stop_on_refute: bool = False,
            **overrides: Callable) -> "ClaimResult":
        """Run the checks in this process. Keyword arguments replace formulas by name.

        ``only`` restricts the run to the named checks, in that order; ``stop_on_refute`` stops
        at the first check that refutes or errors (for mutation runs, where one is enough)."""
        unknown = set(overrides) - set(self.formulas)
        if unknown:
            raise ValueError(f"Claim {self.id} has no formula(s) {sorted(unknown)}; "
                             f"its formulas are {sorted(self.formulas)}")
        formulas = {**self.formulas, **overrides}
        by_name = {c.name: c for c in self.checks}
        chosen = self.checks if only is None else [by_name[n] for n in only if n in by_name]
        start = time.perf_counter()
        checks = []
        for c in chosen:
            checks.append(c.run(formulas))
            if stop_on_refute and checks[-1]["verdict"] in ("refuted", "error"):
                break
        if not checks:
            rec = _blank_record("(none)", "numeric", None, "", "")
            rec.update(verdict="inconclusive", detail="this claim has no checks yet")
            checks = [rec]
        return ClaimResult(self, checks, time.perf_counter() - start)


@dataclass
class ClaimResult:
    """The outcome of running one claim: its checks' records and the verdicts they give."""

    claim: Claim
    checks: list[dict]
    seconds: float

    @property
    def verdict(self) -> str:
        return judge(self.checks, self.claim.formulas)[0]

    @property
    def statement(self) -> dict:
        return judge(self.checks, self.claim.formulas)[1]

    @property
    def implementation(self) -> dict:
        return judge(self.checks, self.claim.formulas)[2]

    def as_dict(self) -> dict:
        c = self.claim
        verdict, statement, implementation = judge(self.checks, c.formulas)
        return {
            "id": c.id,
            "title": c.title,
            "source": c.source.as_dict(),
            "statement": c.statement,
            "scope": c.scope,
            "assumptions": list(c.assumptions),
            "depends_on": list(c.depends_on),
            "notes": c.notes,
            "formulas": sorted(c.formulas),
            "verdict": verdict,
            "statement_verdict": statement,
            "implementation_verdict": implementation,
            "expected": c.expected,
            "refuted_by": list(c.erratum_checks()),
            "corrected": c.corrected,
            "corrected_by": c.corrected_by,
            "checks": self.checks,
            "seconds": self.seconds,
        }

    def _repr_html_(self) -> str:
        """A compact view for notebooks: the verdicts, each check's error against its
        tolerance, and the derivation steps (everything escaped: ids and text may be hostile)."""
        import html

        esc = html.escape
        verdict, statement, implementation = judge(self.checks, self.claim.formulas)
        colour = {"proved": "#1a7f37", "verified": "#2f6fb3", "inconclusive": "#9a6700",
                  "refuted": "#cf222e", "error": "#6e4ba4"}
        rows = []
        for c in self.checks:
            err = c.get("max_error")
            tol = c.get("tolerance")
            num = "" if err is None else (f"{float(err):.2e}" + (
                "" if tol is None else f" {'≤' if float(err) <= tol else '>'} {tol:.0e}"))
            reads = ", ".join(c.get("formulas_read") or []) or "—"
            scope = c.get("scope") or {}
            scope_txt = "" if not scope else (
                f"scope: {scope.get('covers', '')}" + ("" if scope.get("complete") else
                                                        f" (missing: {scope.get('missing')})"))
            rows.append(
                f"<tr><td>{esc(c['name'])}</td><td>{esc(c['kind'])}</td>"
                f"<td style='color:{colour.get(c['verdict'], '#000')}'><b>"
                f"{esc(c['verdict'])}</b></td><td>{esc(num)}</td><td>{esc(reads)}</td>"
                f"<td>{esc((c.get('detail') or '')[:400])}"
                f"{'<br><i>' + esc(scope_txt) + '</i>' if scope_txt else ''}</td></tr>")
            steps = ((c.get("data") or {}).get("steps") or []) if isinstance(
                c.get("data"), dict) else []
            if steps:
                items = "".join(
                    f"<li>{esc(str(st.get('justification', '')))}: <code>"
                    f"{esc(str(st.get('lhs', ''))[:200])} = {esc(str(st.get('rhs', ''))[:200])}"
                    f"</code> — <b>{esc(str(st.get('verdict', '')))}</b></li>"
                    for st in steps[:40] if isinstance(st, dict))
                more = f"<li>… {len(steps) - 40} more</li>" if len(steps) > 40 else ""
                rows.append(f"<tr><td colspan='6'><details><summary>derivation: "
                            f"{len(steps)} steps</summary><ol>{items}{more}</ol></details>"
                            f"</td></tr>")
        head = (f"<b>{esc(self.claim.id)}</b>: {esc(self.claim.title)}<br>"
                f"<span style='color:{colour.get(verdict, '#000')}'><b>{esc(verdict)}</b></span>"
                f" — statement <b>{esc(statement['verdict'])}</b> ({esc(statement['why'])}); "
                f"implementation <b>{esc(implementation['verdict'])}</b> "
                f"({esc(implementation['why'])}); {self.seconds:.2f} s")
        return (f"<div>{head}<table><tr><th>check</th><th>kind</th><th>verdict</th>"
                f"<th>error vs tolerance</th><th>reads</th><th>detail</th></tr>"
                f"{''.join(rows)}</table></div>")

    def __repr__(self) -> str:
        verdict, statement, implementation = judge(self.checks, self.claim.formulas)
        return (f"<ClaimResult {self.claim.id}: {verdict} (statement {statement['verdict']}, "
                f"implementation {implementation['verdict']}; {len(self.checks)} checks, "
                f"{self.seconds:.2f} s)>")
