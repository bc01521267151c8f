"""Derivations as data: a list of steps, each a SymPy relation with its own check.

A :class:`Derivation` records premises (``given``) and steps (``step``). Each step asserts
``lhs == rhs`` and is checked on its own: the residual ``lhs − rhs`` is reduced with a chosen
sequence of structured SymPy moves (``expand``, ``together``, ``factor``, ... ; ``simplify`` only
as the last resort) and the step is

* ``proved`` when the residual reduces to exactly 0,
* ``refuted`` when it is non-zero at an exact random point inside the assumptions (evaluated at
  50 digits, far outside rounding); the point is kept as the counterexample,
* ``inconclusive`` otherwise (SymPy could not reduce it, yet no counterexample was found; the
  numeric agreement is reported as evidence, not proof).

The derivation's verdict is the weakest of its steps'; :meth:`Derivation.evidence` turns it into
the :class:`proofs.Evidence` a symbolic check returns, with every step in ``data["steps"]`` for
the report.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

import sympy as sp

Reducer = Callable[[sp.Expr], sp.Expr]

#: The default chain of moves, cheapest first; each is tried on what the previous left.
DEFAULT_MOVES: tuple[Reducer, ...] = (sp.expand, sp.cancel, sp.simplify)

_SEVERITY = {"proved": 0, "inconclusive": 1, "refuted": 2}


@dataclass
class Step:
    """One checked relation ``lhs = rhs`` with the reason it should hold."""

    lhs: object
    rhs: object
    justification: str
    verdict: str = "inconclusive"
    residual: str = ""
    detail: str = ""
    counterexample: dict | None = None
    seconds: float = 0.0
    premise: bool = False

    def as_dict(self) -> dict:
        return {
            "lhs": sp.latex(self.lhs), "rhs": sp.latex(self.rhs),
            "justification": self.justification, "verdict": self.verdict,
            "residual": self.residual, "detail": self.detail,
            "counterexample": self.counterexample, "seconds": round(self.seconds, 4),
            "premise": self.premise,
        }


def _entries(expr) -> list:
    if isinstance(expr, sp.MatrixBase):
        return list(expr)
    if isinstance(expr, (list, tuple)):
        return [e for item in expr for e in _entries(item)]
    return [expr]


def reduce_to_zero(residual, moves: Sequence[Reducer] = DEFAULT_MOVES, used: set | None = None):
    """Apply ``moves`` in turn to every entry of ``residual`` (stopping at 0); return the
    reduced entries. The names of the moves actually applied are added to ``used``."""
    out = []
    for entry in _entries(residual):
        e = sp.sympify(entry)
        for move in moves:
            if e == 0:
                break
            e = move(e)
            if used is not None:
                used.add(getattr(move, "__name__", str(move)))
        out.append(e)
    return out


def _sample_value(sym: sp.Symbol, rng: random.Random) -> sp.Rational:
    """An exact random rational inside the symbol's assumptions."""
    num = rng.randint(1, 97)
    den = rng.randint(1, 13)
    value = sp.Rational(num, den)
    if sym.is_integer:
        value = sp.Integer(rng.randint(1, 9))
    if sym.is_positive or sym.is_nonnegative:
        return value
    if sym.is_negative or sym.is_nonpositive:
        return -value
    return value if rng.random() < 0.5 else -value


def find_counterexample(residual, *, samples: int = 6, seed: int = 0, dps: int = 50,
                        sampler: Callable[[random.Random], dict] | None = None):
    """Evaluate ``residual`` at exact random points; return (point, value) where it is clearly
    non-zero (|value| > 10^(−dps/2)), else None. ``sampler(rng)`` may supply points that respect
    constraints the symbols' assumptions cannot express (e.g. |x| < 1)."""
    rng = random.Random(seed)
    entries = _entries(residual)
    free = sorted(set().union(*(sp.sympify(e).free_symbols for e in entries)), key=str)
    for _ in range(samples):
        point = sampler(rng) if sampler else {s: _sample_value(s, rng) for s in free}
        for e in entries:
            try:
                value = sp.N(sp.sympify(e).subs(point), dps)
            except (TypeError, ValueError, ZeroDivisionError):
                continue
            if value.is_number and value.is_finite and abs(value) > sp.Float(10) ** (-dps // 2):
                return ({str(k): str(v) for k, v in point.items()}, sp.N(value, 12))
    return None


@dataclass
class Derivation:
    """A named derivation: premises and checked steps, in order."""

    title: str
    steps: list[Step] = field(default_factory=list)
    sampler: Callable[[random.Random], dict] | None = None
    scope: object = None

    def given(self, lhs, rhs, why: str = "assumption") -> Step:
        """Record a premise (definition or assumption): shown, not checked."""
        step = Step(lhs, rhs, why, verdict="proved", detail="premise", premise=True)
        self.steps.append(step)
        return step

    def step(self, lhs, rhs, why: str, *, moves: Sequence[Reducer] = DEFAULT_MOVES,
             residual=None, sampler: Callable[[random.Random], dict] | None = None) -> Step:
        """Check ``lhs = rhs`` (or that ``residual`` reduces to 0) and record the step.

        Arguments:
            lhs, rhs: SymPy expressions or matrices.
            why: the justification printed next to the step.
            moves: the reductions to apply to the residual, in order.
            residual: an explicit residual to reduce instead of ``lhs − rhs`` (e.g. after a
                substitution the caller performed).
            sampler: random exact points for the refutation search (default: the symbols'
                assumptions).
        """
        start = time.perf_counter()
        if residual is None:
            residual = (sp.Matrix(lhs) - sp.Matrix(rhs)) if isinstance(lhs, sp.MatrixBase) \
                else sp.sympify(lhs) - sp.sympify(rhs)
        step = Step(lhs, rhs, why)
        used: set = set()
        reduced = reduce_to_zero(residual, moves, used)
        nonzero = [e for e in reduced if e != 0]
        if not nonzero:
            names = [getattr(m, "__name__", str(m)) for m in moves]
            step.verdict, step.residual = "proved", "0"
            step.detail = "residual reduced to exactly 0" + (
                " by " + ", ".join(n for n in names if n in used) if used else " as stated")
        else:
            step.residual = sp.latex(nonzero[0]) if len(str(nonzero[0])) < 400 else \
                str(nonzero[0])[:400] + "…"
            cx = find_counterexample(nonzero, sampler=sampler or self.sampler)
            if cx is not None:
                step.verdict = "refuted"
                step.counterexample = {"point": cx[0], "residual": str(cx[1])}
                step.detail = f"residual ≠ 0: equals {cx[1]} at {cx[0]} (50 digits)"
            else:
                step.verdict = "inconclusive"
                step.detail = ("SymPy did not reduce the residual to 0, but it vanished at the "
                               "random exact points tried (numeric evidence, not proof)")
        step.seconds = time.perf_counter() - start
        self.steps.append(step)
        return step

    @property
    def verdict(self) -> str:
        checked = [s.verdict for s in self.steps if not s.premise]
        if not checked:
            return "inconclusive"
        return max(checked, key=_SEVERITY.__getitem__)

    def evidence(self, detail: str = "", *, scope=None):
        """The :class:`proofs.Evidence` of this derivation (for a symbolic check).

        ``scope`` (or the derivation's own ``scope``) is a :class:`proofs.Scope`: how much of
        the claim's statement these steps cover. Without one the claim's statement is not
        counted as proved, whatever the steps say."""
        from .._model import Evidence

        scope = scope if scope is not None else self.scope
        bad = next((s for s in self.steps if s.verdict != "proved"), None)
        n = sum(1 for s in self.steps if not s.premise)
        summary = f"{self.title}: {n} step(s) checked, verdict {self.verdict}"
        if bad is not None:
            summary += f"; first step not proved: “{bad.justification}” ({bad.detail})"
        return Evidence(verdict=self.verdict, detail=(detail + " " if detail else "") + summary,
                        counterexample=bad.counterexample if bad is not None and
                        bad.verdict == "refuted" else None,
                        data={"derivation": self.title,
                              "steps": [s.as_dict() for s in self.steps]},
                        scope=scope)


def chain(derivations: Iterable[Derivation], title: str, *, scope=None) -> Derivation:
    """Concatenate several derivations into one (for a claim built from sub-derivations)."""
    out = Derivation(title, scope=scope)
    for d in derivations:
        out.steps.extend(d.steps)
    return out
