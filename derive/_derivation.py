"""Derivations as data: a list of steps, each a SymPy relation with its own check.

A :class:`Derivation` records premises (``given``) and steps (``step``). Each step asserts a
relation — ``lhs = rhs`` by default, or ``<``, ``≤``, ``>``, ``≥``, ``≠``, ``→`` (a limit) or
``~`` (asymptotic equivalence), see :meth:`Derivation.step` — and is checked on its own: the
residual ``lhs − rhs`` is reduced with a chosen sequence of structured SymPy moves (``expand``,
``together``, ``factor``, ... ; ``simplify`` only as the last resort) and the step is

* ``proved`` when the residual reduces to exactly 0,
* ``refuted`` when it is non-zero at an exact random point inside the assumptions (evaluated at
  50 digits, far outside rounding); the point is kept as the counterexample,
* ``inconclusive`` otherwise (SymPy could not reduce it, yet no counterexample was found; the
  numeric agreement is reported as evidence, not proof).

The derivation's verdict is the weakest of its steps'; :meth:`Derivation.evidence` turns it into
the :class:`lazyrich.Evidence` a symbolic check returns, with every step in ``data["steps"]``
for the report.

What a reader sees can differ from what was checked: ``display=`` gives the form to show (a
LaTeX string, or a ``(lhs, rhs)`` pair) while the check runs on ``lhs``/``rhs`` (or
``residual``); the report keeps the checked form one click away. Premises and steps can be
named (``name="A2"``) and a step can say which earlier ones it uses (``uses=("A2", 3)``, by
name or by step number).
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

#: The relations a step can assert, by every spelling accepted, to the symbol recorded.
RELATIONS = {"=": "=", "==": "=", "<": "<", ">": ">", "<=": "≤", "≤": "≤", ">=": "≥", "≥": "≥",
             "!=": "≠", "≠": "≠", "->": "→", "→": "→", "~": "~", "∼": "~"}
_RELATION_TEX = {"=": "=", "<": "<", ">": ">", "≤": r"\le", "≥": r"\ge", "≠": r"\ne",
                 "→": r"\to", "~": r"\sim"}


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
    relation: str = "="
    display: str | None = None
    name: str | None = None
    uses: tuple = ()

    def as_dict(self) -> dict:
        return {
            "lhs": _latex(self.lhs), "rhs": _latex(self.rhs), "relation": self.relation,
            "display": self.display, "name": self.name, "uses": [str(u) for u in self.uses],
            "justification": self.justification, "verdict": self.verdict,
            "residual": self.residual, "detail": self.detail,
            "counterexample": self.counterexample, "seconds": round(self.seconds, 4),
            "premise": self.premise,
        }


def _latex(x) -> str:
    return x if isinstance(x, str) else sp.latex(x)


def _relation(relation) -> str:
    rel = RELATIONS.get(relation) if isinstance(relation, str) else None
    if rel is None:
        raise ValueError(f"relation={relation!r}: use one of "
                         f"{', '.join(sorted(set(RELATIONS.values())))} (or its ASCII "
                         f"spelling <=, >=, !=, ->)")
    return rel


def _display(display, relation: str) -> str | None:
    """A display form as LaTeX: a string as given, a ``(lhs, rhs)`` pair joined by the
    relation, a SymPy object through ``sympy.latex``."""
    if display is None:
        return None
    if isinstance(display, str):
        return display
    if isinstance(display, tuple) and len(display) == 2:
        return f"{_latex(display[0])} {_RELATION_TEX[relation]} {_latex(display[1])}"
    return sp.latex(display)


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


def _violation(diff, strict: bool, sampler=None, *, samples: int = 8, seed: int = 0):
    """An exact point where ``diff`` is not positive (``strict``) or is negative; else None."""
    rng = random.Random(seed)
    d = sp.sympify(diff)
    free = sorted(d.free_symbols, key=str)
    for _ in range(samples):
        point = sampler(rng) if sampler else {s: _sample_value(s, rng) for s in free}
        try:
            value = sp.N(d.subs(point), 50)
        except (TypeError, ValueError, ZeroDivisionError):
            continue
        if not (value.is_number and value.is_real):
            continue
        if value < -sp.Float(10) ** -25 or (strict and abs(value) <= sp.Float(10) ** -25):
            return {str(k): str(v) for k, v in point.items()}, sp.N(value, 12)
    return None


@dataclass
class Derivation:
    """A named derivation: premises and checked steps, in order."""

    title: str
    steps: list[Step] = field(default_factory=list)
    sampler: Callable[[random.Random], dict] | None = None
    scope: object = None

    def given(self, lhs, rhs, why: str = "assumption", *, name: str | None = None,
              relation: str = "=", display=None) -> Step:
        """Record a premise (definition or assumption): shown, not checked.

        ``name`` lets later steps refer to it (``uses=("A2",)``); ``relation`` and ``display``
        as for :meth:`step`."""
        rel = _relation(relation)
        step = Step(lhs, rhs, why, verdict="proved", detail="premise", premise=True,
                    relation=rel, display=_display(display, rel), name=self._new_name(name))
        self.steps.append(step)
        return step

    def _new_name(self, name):
        if name is None:
            return None
        if not isinstance(name, str) or not name.strip() or len(name) > 60:
            raise ValueError(f"name={name!r}: give a short label such as 'A2' or 'eq 14'")
        if any(s.name == name for s in self.steps):
            raise ValueError(f"name {name!r} is already used in derivation {self.title!r}")
        return name

    def _uses(self, uses) -> tuple:
        """Earlier steps by name, by number (1-based, as the report numbers them) or as
        :class:`Step` objects, as labels."""
        if isinstance(uses, (str, int, Step)):
            uses = (uses,)
        out = []
        for u in uses:
            if isinstance(u, Step):
                if u not in self.steps:
                    raise ValueError(f"uses: that step is not in derivation {self.title!r}")
                k = self.steps.index(u)
                out.append(u.name or str(k + 1))
            elif isinstance(u, bool) or not isinstance(u, (str, int)):
                raise ValueError(f"uses: {u!r} is neither a step name nor a step number")
            elif isinstance(u, int):
                if not 1 <= u <= len(self.steps):
                    raise ValueError(f"uses: step {u} does not exist yet in derivation "
                                     f"{self.title!r} ({len(self.steps)} so far)")
                out.append(self.steps[u - 1].name or str(u))
            else:
                if not any(s.name == u for s in self.steps):
                    raise ValueError(f"uses: no earlier step or premise is named {u!r} in "
                                     f"derivation {self.title!r}")
                out.append(u)
        return tuple(out)

    def step(self, lhs, rhs, why: str, *, moves: Sequence[Reducer] = DEFAULT_MOVES,
             residual=None, sampler: Callable[[random.Random], dict] | None = None,
             relation: str = "=", display=None, name: str | None = None, uses=(),
             limit: tuple | None = None) -> Step:
        """Check ``lhs <relation> rhs`` (or that ``residual`` reduces to 0) and record the step.

        Arguments:
            lhs, rhs: SymPy expressions or matrices.
            why: the justification printed next to the step.
            moves: the reductions to apply to the residual, in order.
            residual: an explicit residual to reduce instead of ``lhs − rhs`` (e.g. after a
                substitution the caller performed). For ``<``/``≤``/``>``/``≥`` it is the
                quantity that must be positive (strict) or non-negative.
            sampler: random exact points for the refutation search (default: the symbols'
                assumptions).
            relation: ``"="`` (default), ``"<"``, ``"≤"``, ``">"``, ``"≥"``, ``"≠"`` (also
                ``<=``, ``>=``, ``!=``), ``"→"`` (``->``: ``lhs`` tends to ``rhs`` as
                ``limit`` = ``(symbol, point)``) or ``"~"`` (``lhs/rhs → 1`` as ``limit``).
                An inequality is proved when SymPy's assumptions decide the sign of the
                reduced difference, refuted by an exact point where it fails.
            display: what the report shows instead of the checked ``lhs``/``rhs``: LaTeX, or a
                ``(lhs, rhs)`` pair (expressions or LaTeX) joined by the relation.
            name: a label for later steps' ``uses`` (e.g. ``"eq 14"``).
            uses: earlier steps this one follows from, by name or number.
            limit: ``(symbol, point)`` for ``→`` and ``~``.

        Raises:
            ValueError: an unknown relation, a ``→``/``~`` step without ``limit`` or
                ``residual``, a name used twice, or ``uses`` naming a step that does not
                exist yet.
        """
        rel = _relation(relation)
        if rel in ("→", "~") and residual is None and limit is None:
            raise ValueError(f"relation {rel!r} needs limit=(symbol, point) (or the residual "
                             f"you reduced yourself)")
        if limit is not None and (not isinstance(limit, tuple) or len(limit) != 2):
            raise ValueError("limit=(symbol, point), e.g. limit=(lam, sp.oo)")
        used_steps = self._uses(uses)
        label = self._new_name(name)
        shown = _display(display, rel)
        if rel != "=":
            step = self._relation_step(lhs, rhs, why, rel, moves, residual, sampler, limit)
            step.display, step.name, step.uses = shown, label, used_steps
            self.steps.append(step)
            return step
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
        step.display, step.name, step.uses = shown, label, used_steps
        self.steps.append(step)
        return step

    def _relation_step(self, lhs, rhs, why, rel, moves, residual, sampler, limit) -> Step:
        """Check a step whose relation is not ``=`` (see :meth:`step`)."""
        start = time.perf_counter()
        step = Step(lhs, rhs, why, relation=rel)
        matrix = isinstance(lhs, sp.MatrixBase) or isinstance(rhs, sp.MatrixBase)
        if matrix and rel not in ("≠",):
            raise ValueError(f"relation {rel!r} compares scalars; state it entrywise")
        used: set = set()
        if rel in ("→", "~") and residual is None:
            var, point = limit
            try:
                expr = (sp.sympify(lhs) - sp.sympify(rhs)) if rel == "→" else \
                    sp.sympify(lhs) / sp.sympify(rhs)
                value = sp.limit(expr, var, point)
            except Exception as exc:  # noqa: BLE001 - SymPy could not take the limit
                value = None
                step.detail = f"SymPy could not take the limit ({type(exc).__name__})"
            target = 0 if rel == "→" else 1
            if value is not None:
                diff = reduce_to_zero(value - target, moves, used)[0]
                if diff == 0:
                    step.verdict, step.residual = "proved", "0"
                    step.detail = (("lhs − rhs → 0" if rel == "→" else "lhs/rhs → 1")
                                   + f" as {sp.sstr(var)} → {sp.sstr(point)} (sympy.limit)")
                elif diff.is_number and diff.is_finite is not False and diff != 0:
                    step.verdict, step.residual = "refuted", sp.latex(diff)
                    step.detail = (f"the limit is {sp.sstr(value)}, not {target}")
                    step.counterexample = {"limit": f"{var} → {point}", "value": str(value)}
                else:
                    step.residual = sp.latex(diff)
                    step.detail = "the limit did not reduce to a number"
        elif rel in ("→", "~"):
            nonzero = [e for e in reduce_to_zero(residual, moves, used) if e != 0]
            if not nonzero:
                step.verdict, step.residual = "proved", "0"
                step.detail = "the given residual reduced to exactly 0"
            else:
                step.residual = sp.latex(nonzero[0])
                step.detail = "the given residual did not reduce to 0"
        elif rel == "≠":
            diff = residual if residual is not None else (
                (sp.Matrix(lhs) - sp.Matrix(rhs)) if matrix else sp.sympify(lhs) - sp.sympify(rhs))
            reduced = reduce_to_zero(diff, moves, used)
            if all(e == 0 for e in reduced):
                step.verdict, step.residual = "refuted", "0"
                step.detail = "the two sides are identical (the difference reduces to 0)"
            elif any(sp.sympify(e).is_zero is False for e in reduced):
                step.verdict = "proved"
                step.residual = sp.latex(next(e for e in reduced if sp.sympify(e).is_zero
                                              is False))
                step.detail = "the difference is non-zero (SymPy assumptions)"
            else:
                step.residual = sp.latex(reduced[0])
                step.detail = "SymPy could not decide whether the difference vanishes"
        else:
            strict = rel in ("<", ">")
            diff = residual if residual is not None else (
                sp.sympify(rhs) - sp.sympify(lhs) if rel in ("<", "≤")
                else sp.sympify(lhs) - sp.sympify(rhs))
            d = reduce_to_zero(diff, moves, used)[0]
            decided = d.is_positive if strict else d.is_nonnegative
            step.residual = sp.latex(d)
            what = "positive" if strict else "non-negative"
            if decided:
                step.verdict = "proved"
                step.detail = f"the difference {sp.sstr(d)} is {what} (SymPy assumptions)"
            else:
                bad = _violation(d, strict, sampler or self.sampler)
                if bad is not None:
                    step.verdict = "refuted"
                    step.counterexample = {"point": bad[0], "difference": str(bad[1])}
                    step.detail = f"the difference is {bad[1]} at {bad[0]}, not {what}"
                else:
                    step.detail = (f"SymPy could not decide that {sp.sstr(d)} is {what}; it "
                                   f"is at the random exact points tried (evidence, not proof)")
        step.seconds = time.perf_counter() - start
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
