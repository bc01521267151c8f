"""Mutation analysis: how well does each claim fail?

For every formula under test, :func:`mutants` derives wrong variants automatically, and
:func:`mutate_claim` runs the claim's checks on each (only the checks that read that formula,
fastest first, stopping at the first that refutes). A mutant is

* ``killed`` when a check refutes it (or errors: the run fails, so the wrong formula does not
  pass), ``survived`` when every check still passes, ``equivalent`` when it survives and the claim
  explains why the variant is not wrong at all (``Claim.equivalent_mutants``), and
  ``not-applicable`` when the variation never applied (e.g. a transpose of a non-square input).

The variants:

* the output scaled by (1 + δ), and negated;
* each argument halved, negated and shifted by 0.1; a matrix argument transposed (when square);
  two matrix arguments of the same shape swapped;
* with a ``tau`` argument: τ ignored (τ → 1), and time multiplied by τ instead of divided
  (t → t·τ²).

The **detection threshold** of a formula is the smallest δ ∈ {1e-1, …, 1e-12} whose output
perturbation (1 + δ) is refuted (found by bisection over the exponent); a claim's threshold is
the largest over its formulas (its weakest formula).
"""

from __future__ import annotations

import fractions
import inspect
import numbers
import signal
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

from .._model import CheckAborted, Claim

#: The exponents k of δ = 10^-k tried for the detection threshold.
THRESHOLD_EXPONENTS = tuple(range(1, 13))


class _MutantTimeout(CheckAborted):
    pass


# --------------------------------------------------------------------------------------------
# Operations on values of any backend (float, numpy, SymPy, mpmath), applied leaf by leaf
# --------------------------------------------------------------------------------------------

def _kind(x) -> str | None:
    """The backend of a numeric leaf, or None when it is not one we can vary."""
    if isinstance(x, bool):
        return "bool"
    mod = type(x).__module__ or ""
    if mod.startswith("numpy"):
        import numpy as np
        if isinstance(x, np.ndarray):
            if x.dtype == bool:
                return "bool-array"
            if x.dtype.kind in "fc" or x.dtype == object:
                return "array"
            if x.dtype.kind in "iu":
                return "int-array"
            return None
        if isinstance(x, np.bool_):
            return "bool"
        if isinstance(x, np.integer):
            return "int"
        if isinstance(x, (np.floating, np.complexfloating)):
            return "float"
        return None
    if mod.startswith("sympy"):
        import sympy as sp
        if isinstance(x, sp.MatrixBase):
            return "sympy-matrix"
        if isinstance(x, sp.Integer):
            return "int"
        if isinstance(x, sp.Expr):
            return "sympy"
        return None
    if mod.startswith("mpmath"):
        import mpmath
        if isinstance(x, mpmath.matrix):
            return "mp-matrix"
        if isinstance(x, (mpmath.mpf, mpmath.mpc)):
            return "mp"
        return None
    if isinstance(x, numbers.Integral):
        return "int"
    if isinstance(x, numbers.Number):
        return "float"
    return None


def _exact(value: str, like):
    """The number ``value`` (a decimal string) in the backend of ``like``."""
    k = _kind(like)
    if k in ("sympy", "sympy-matrix"):
        import sympy as sp
        return sp.Rational(value)
    if k in ("mp", "mp-matrix"):
        import mpmath
        return mpmath.mpf(value)
    if k == "array" and getattr(like, "dtype", None) is not None and like.dtype == object:
        import mpmath
        return mpmath.mpf(value)
    return float(value)


def _leafwise(x, op: Callable[[Any], Any], counter: list) -> Any:
    """Apply ``op`` to every numeric leaf of ``x`` (tuples, lists and dict values are
    traversed); leaves ``op`` declines (returns NotImplemented) are left as they are."""
    if isinstance(x, tuple) and not hasattr(x, "_fields"):
        return tuple(_leafwise(v, op, counter) for v in x)
    if isinstance(x, tuple):                                   # a namedtuple
        return type(x)(*(_leafwise(v, op, counter) for v in x))
    if isinstance(x, list):
        return [_leafwise(v, op, counter) for v in x]
    if isinstance(x, dict):
        return {k: _leafwise(v, op, counter) for k, v in x.items()}
    out = op(x)
    if out is NotImplemented:
        return x
    counter[0] += 1
    return out


def _negate(x):
    k = _kind(x)
    if k == "bool":
        return not x
    if k == "bool-array":
        return ~x
    if k in (None, "int", "int-array"):
        return NotImplemented if k is None else -x
    return -x


def _shift(amount: str):
    def op(x):
        k = _kind(x)
        if k in (None, "bool", "bool-array", "int", "int-array"):
            return NotImplemented
        c = _exact(amount, x)
        if k == "sympy-matrix":
            return x.applyfunc(lambda e: e + c)
        if k == "mp-matrix":
            import mpmath
            return x + mpmath.matrix([[c] * x.cols for _ in range(x.rows)])
        return x + c
    return op


def _transpose(x):
    k = _kind(x)
    if k in ("array", "int-array") and x.ndim >= 2 and x.shape[-1] == x.shape[-2]:
        import numpy as np
        t = np.swapaxes(x, -1, -2)
        return NotImplemented if np.array_equal(t, x) else t
    if k in ("sympy-matrix", "mp-matrix") and x.rows == x.cols and x.rows > 1:
        return x.T
    return NotImplemented


def _shape(x):
    k = _kind(x)
    if k in ("array", "int-array"):
        return ("np", x.shape)
    if k in ("sympy-matrix", "mp-matrix"):
        return (k, (x.rows, x.cols))
    return None


# --------------------------------------------------------------------------------------------
# Mutants
# --------------------------------------------------------------------------------------------

@dataclass
class Mutant:
    """A wrong variant of one formula: ``wrap(original) -> wrong`` (see :func:`mutants`)."""

    formula: str
    name: str
    family: str
    make: Callable[[Callable, list], Callable]

    def wrap(self, original: Callable) -> tuple[Callable, list]:
        """The wrong formula, and a counter of how often the variation actually applied."""
        counter = [0]
        return self.make(original, counter), counter


def _signature(fn) -> inspect.Signature | None:
    try:
        return inspect.signature(fn)
    except (TypeError, ValueError):
        return None


def _output_mutant(formula: str, name: str, family: str, op) -> Mutant:
    def make(original, counter):
        def wrong(*args, **kwargs):
            return _leafwise(original(*args, **kwargs), op, counter)
        return wrong
    return Mutant(formula, f"{formula}: {name}", family, make)


def output_scaled(formula: str, delta: str) -> Mutant:
    """The output multiplied by (1 + δ), δ a decimal string such as ``"1e-6"``."""
    import fractions
    exact = fractions.Fraction(delta) + 1
    return _output_mutant(formula, f"output × (1 + {delta})", "output-scale",
                          _scale_fraction(exact))


def _scale_fraction(frac):
    def op(x):
        k = _kind(x)
        if k in (None, "bool", "bool-array", "int", "int-array"):
            return NotImplemented
        if k in ("sympy", "sympy-matrix"):
            import sympy as sp
            return x * sp.Rational(frac.numerator, frac.denominator)
        if k in ("mp", "mp-matrix") or (k == "array" and x.dtype == object):
            import mpmath
            return x * (mpmath.mpf(frac.numerator) / frac.denominator)
        return x * (frac.numerator / frac.denominator)
    return op


def _argument_mutant(formula: str, sig: inspect.Signature, name: str, family: str,
                     change: Callable[[dict, list], None]) -> Mutant:
    """A mutant that rewrites the bound arguments with ``change(arguments, counter)``."""
    def make(original, counter):
        def wrong(*args, **kwargs):
            try:
                bound = sig.bind(*args, **kwargs)
            except TypeError:
                return original(*args, **kwargs)
            bound.apply_defaults()
            arguments = dict(bound.arguments)
            change(arguments, counter)
            bound.arguments.update(arguments)
            return original(*bound.args, **bound.kwargs)
        return wrong
    return Mutant(formula, f"{formula}: {name}", family, make)


def _leaf_change(param: str, op):
    def change(arguments, counter):
        if param in arguments and arguments[param] is not None:
            arguments[param] = _leafwise(arguments[param], op, counter)
    return change


def mutants(formula: str, fn: Callable) -> list[Mutant]:
    """The automatically derived wrong variants of formula ``formula`` (a callable ``fn``),
    except the output-scale family used for the detection threshold."""
    out = [_output_mutant(formula, "output negated", "output-negate", _negate),
           output_scaled(formula, "1e-2")]
    sig = _signature(fn)
    if sig is None:
        return out
    params = [p for p in sig.parameters.values()
              if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    names = [p.name for p in params]
    for p in names:
        out.append(_argument_mutant(formula, sig, f"{p} → {p}/2", "arg-half",
                                    _leaf_change(p, _scale_fraction(fractions.Fraction(1, 2)))))
        out.append(_argument_mutant(formula, sig, f"{p} → −{p}", "arg-negate",
                                    _leaf_change(p, _negate)))
        out.append(_argument_mutant(formula, sig, f"{p} → {p} + 0.1", "arg-shift",
                                    _leaf_change(p, _shift("0.1"))))
        out.append(_argument_mutant(formula, sig, f"{p} → {p}ᵀ", "arg-transpose",
                                    _leaf_change(p, _transpose)))
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            def change(arguments, counter, a=a, b=b):
                if a in arguments and b in arguments:
                    sa, sb = _shape(arguments[a]), _shape(arguments[b])
                    if sa is not None and sa == sb:
                        arguments[a], arguments[b] = arguments[b], arguments[a]
                        counter[0] += 1
            out.append(_argument_mutant(formula, sig, f"{a} ↔ {b}", "arg-swap", change))
    if "tau" in names:
        def drop(arguments, counter):
            if arguments.get("tau") is not None:
                one = _exact("1", arguments["tau"]) if _kind(arguments["tau"]) else 1.0
                if arguments["tau"] != one:
                    counter[0] += 1
                arguments["tau"] = one
        out.append(_argument_mutant(formula, sig, "τ ignored (tau → 1)", "drop-tau", drop))
        if "t" in names:
            def times(arguments, counter):
                tau = arguments.get("tau")
                if tau is None or arguments.get("t") is None or _kind(tau) is None:
                    return
                arguments["t"] = _leafwise(arguments["t"],
                                           lambda x: NotImplemented if _kind(x) is None
                                           else x * tau * tau, counter)
            out.append(_argument_mutant(formula, sig, "t·τ instead of t/τ (t → t·τ²)",
                                        "time-times-tau", times))
    return out


# --------------------------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------------------------

class _Deadline:
    """Interrupt the running check after ``seconds`` (main thread only; else no limit)."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.active = threading.current_thread() is threading.main_thread() and \
            hasattr(signal, "setitimer")

    def __enter__(self):
        if self.active:
            def _raise(signum, frame):
                raise _MutantTimeout()
            self.old = signal.signal(signal.SIGALRM, _raise)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
        return self

    def __exit__(self, *exc):
        if self.active:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.old)
        return False


@dataclass
class MutantResult:
    name: str
    formula: str
    family: str
    status: str                 # killed | survived | equivalent | not-applicable
    how: str = ""               # the check that killed it and how (refuted / error / timeout)
    seconds: float = 0.0
    reason: str = ""            # for `equivalent`: the claim's explanation

    def as_dict(self) -> dict:
        return {"name": self.name, "formula": self.formula, "family": self.family,
                "status": self.status, "how": self.how, "seconds": round(self.seconds, 3),
                "reason": self.reason}


@dataclass
class _Runner:
    claim: Claim
    order: dict[str, list[str]]       # formula -> names of the checks that read it, fastest first
    budget: dict[str, float]          # formula -> seconds allowed per mutant run
    runs: int = 0

    def kill(self, formula: str, wrong: Callable) -> tuple[bool, str]:
        """Run the checks reading ``formula`` on ``wrong``; (killed?, how)."""
        self.runs += 1
        checks = self.order[formula]
        try:
            with _Deadline(self.budget[formula]):
                result = self.claim.run(only=checks, stop_on_refute=True, **{formula: wrong})
        except _MutantTimeout:
            return True, f"timeout after {self.budget[formula]:.0f} s"
        for c in result.checks:
            if c["verdict"] in ("refuted", "error"):
                what = "refuted" if c["verdict"] == "refuted" else \
                    f"error ({(c['detail'] or '').splitlines()[0][:80] if c['detail'] else ''})"
                return True, f"{c['name']}: {what}"
        return False, ""


def _threshold(runner: _Runner, formula: str) -> dict:
    """Smallest δ = 10^-k whose output × (1 + δ) is killed, by bisection over k."""
    exps = THRESHOLD_EXPONENTS
    killed_at: dict[int, bool] = {}
    applied = [0]

    def killed(k: int) -> bool:
        if k not in killed_at:
            wrong, counter = output_scaled(formula, f"1e-{k}").wrap(
                runner.claim.formulas[formula])
            killed_at[k] = runner.kill(formula, wrong)[0]
            applied[0] += counter[0]
        return killed_at[k]

    if not killed(exps[0]):
        if not applied[0]:
            return {"delta": None, "text": "n/a (the output is not a number)",
                    "tried": sorted(killed_at), "applies": False}
        return {"delta": None, "text": f"> 1e-{exps[0]}", "tried": sorted(killed_at)}
    lo, hi = 0, len(exps) - 1          # exps[lo] killed; find the last killed exponent
    if killed(exps[hi]):
        lo = hi
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if killed(exps[mid]):
            lo = mid
        else:
            hi = mid
    k = exps[lo]
    return {"delta": 10.0 ** -k, "text": f"1e-{k}", "tried": sorted(killed_at)}


#: A mutant declared equivalent must give the formula's output to this relative accuracy on
#: every call the checks make (rounding differences, e.g. of a transposed Gram matrix, are
#: ~1e-16); a larger gap means the label is wrong and the mutant counts as survived.
EQUIVALENCE_RTOL = 1e-9


def _gap(a, b) -> float | None:
    """Largest relative difference between two outputs of any backend (None: not comparable,
    e.g. an object without numbers)."""
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        if len(a) != len(b):
            return float("inf")
        gaps = [g for g in (_gap(x, y) for x, y in zip(a, b)) if g is not None]
        return max(gaps, default=None)
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return float("inf")
        gaps = [g for g in (_gap(a[k], b[k]) for k in a) if g is not None]
        return max(gaps, default=None)
    ka, kb = _kind(a), _kind(b)
    if ka is None or kb is None:
        return None
    try:
        if ka in ("sympy", "sympy-matrix") or kb in ("sympy", "sympy-matrix"):
            return _sympy_gap(a, b)
        import numpy as np
        x = np.asarray(a, dtype=complex) if ka not in ("mp", "mp-matrix") else \
            np.array(a.tolist() if hasattr(a, "tolist") else a, dtype=complex)
        y = np.asarray(b, dtype=complex) if kb not in ("mp", "mp-matrix") else \
            np.array(b.tolist() if hasattr(b, "tolist") else b, dtype=complex)
        if x.shape != y.shape:
            return float("inf")
        if x.size == 0:
            return 0.0
        scale = max(float(np.max(np.abs(x))), float(np.max(np.abs(y))), 1e-300)
        diff = np.abs(x - y)
        if not np.all(np.isfinite(diff)):
            same = np.array_equal(np.isnan(x), np.isnan(y)) and \
                np.array_equal(x[np.isinf(x)], y[np.isinf(y)])
            return 0.0 if same else float("inf")
        return float(np.max(diff)) / scale
    except (TypeError, ValueError, OverflowError):
        return None


def _sympy_gap(a, b) -> float | None:
    """Relative difference of two SymPy values at a few exact random points of their free
    symbols (positive symbols get positive values)."""
    import random

    import sympy as sp

    ea = list(a) if isinstance(a, sp.MatrixBase) else [sp.sympify(a)]
    eb = list(b) if isinstance(b, sp.MatrixBase) else [sp.sympify(b)]
    if len(ea) != len(eb):
        return float("inf")
    free = sorted(set().union(*(e.free_symbols for e in ea + eb)), key=str)
    if any(not getattr(x, "is_commutative", True) for x in free):
        return None               # noncommutative symbols: no scalar point to compare at
    rng = random.Random(7)
    worst = 0.0
    for _ in range(3):
        point = {}
        for x in free:
            v = sp.Rational(rng.randint(1, 97), rng.randint(1, 13))
            point[x] = v if (x.is_positive or x.is_nonnegative or rng.random() < 0.5) else -v
        for u, w in zip(ea, eb):
            try:
                du, dw = complex(sp.N(u.subs(point), 30)), complex(sp.N(w.subs(point), 30))
            except (TypeError, ValueError, ZeroDivisionError):
                continue
            scale = max(abs(du), abs(dw), 1e-300)
            worst = max(worst, abs(du - dw) / scale)
    return worst


def _output_gap(runner: "_Runner", fname: str, fn: Callable, m: Mutant) -> float | None:
    """Run the checks once more with a formula that computes both the original and the
    declared-equivalent mutant at every call and returns the mutant's output; the largest
    relative gap between the two (None when nothing comparable was seen)."""
    wrong, _ = m.wrap(fn)
    gaps: list[float] = []

    def both(*args, **kwargs):
        mine = wrong(*args, **kwargs)
        try:
            g = _gap(fn(*args, **kwargs), mine)
        except Exception:  # noqa: BLE001 - a comparison that cannot be made says nothing
            g = None
        if g is not None:
            gaps.append(g)
        return mine

    try:
        with _Deadline(runner.budget[fname]):
            runner.claim.run(only=runner.order[fname], **{fname: both})
    except _MutantTimeout:
        pass
    return max(gaps) if gaps else None


def mutate_claim(claim: Claim, *, threshold: bool = True,
                 progress: Callable[[str], None] | None = None) -> dict:
    """Run every mutant of every formula of ``claim``; returns the claim's mutation record."""
    start = time.perf_counter()
    record = {"id": claim.id, "status": "ok", "mutants": [], "thresholds": {},
              "threshold": None, "killed": 0, "total": 0, "survived": 0, "equivalent": 0,
              "not_applicable": 0, "runs": 0, "seconds": 0.0, "detail": ""}
    if claim.expected == "refuted":
        record.update(status="skipped", detail="an erratum: the printed formula is already "
                                               "wrong; its corrected claim is mutated instead")
        return record
    if not claim.formulas:
        record.update(status="skipped", detail="the claim has no formulas under test")
        return record
    base = claim.run()
    if base.verdict not in ("proved", "verified"):
        record.update(status="skipped", detail=f"the claim itself is {base.verdict}, so its "
                                               f"mutants cannot be judged")
        return record
    seconds = {c["name"]: c["seconds"] for c in base.checks}
    order, budget = {}, {}
    for name in claim.formulas:
        readers = [c["name"] for c in base.checks if name in c["formulas_read"]]
        readers.sort(key=lambda n: seconds[n])
        order[name] = readers
        budget[name] = max(20.0, 6.0 * sum(seconds[n] for n in readers))
    runner = _Runner(claim, order, budget)
    results: list[MutantResult] = []
    for fname, fn in claim.formulas.items():
        if not order[fname]:
            results.append(MutantResult(f"{fname}: (any)", fname, "unread", "survived",
                                        "no check reads this formula"))
            continue
        for m in mutants(fname, fn):
            t0 = time.perf_counter()
            wrong, counter = m.wrap(fn)
            killed, how = runner.kill(fname, wrong)
            if not killed and counter[0] == 0 and m.family == "drop-tau":
                status = "survived"
                how = "τ = 1 in every call: no check exercises τ"
            elif not killed and counter[0] == 0:
                status = "not-applicable"
                how = "the variation never applied to the values the checks pass"
            elif killed:
                status = "killed"
            elif m.name in claim.equivalent_mutants:
                gap = _output_gap(runner, fname, fn, m)
                if gap is not None and gap > EQUIVALENCE_RTOL:
                    status = "survived"
                    how = (f"declared equivalent, but its output differs from the formula's "
                           f"by {gap:.2g} (relative) on the values the checks pass")
                else:
                    status, how = "equivalent", ""
            else:
                status = "survived"
            results.append(MutantResult(m.name, fname, m.family, status, how,
                                        time.perf_counter() - t0,
                                        claim.equivalent_mutants.get(m.name, "")))
            if progress:
                progress(f"{claim.id}: {m.name}: {status}")
        if threshold:
            record["thresholds"][fname] = _threshold(runner, fname)
    record["mutants"] = [r.as_dict() for r in results]
    counted = [r for r in results if r.status != "not-applicable"]
    record["total"] = len(counted)
    record["killed"] = sum(r.status == "killed" for r in results)
    record["survived"] = sum(r.status == "survived" for r in results)
    record["equivalent"] = sum(r.status == "equivalent" for r in results)
    record["not_applicable"] = sum(r.status == "not-applicable" for r in results)
    deltas = [t["delta"] for t in record["thresholds"].values() if t.get("applies", True)]
    if deltas:
        record["threshold"] = None if any(d is None for d in deltas) else max(deltas)
    unknown = sorted(set(claim.equivalent_mutants) - {r.name for r in results})
    if unknown:
        record["detail"] = f"equivalent_mutants names no such mutant: {unknown}"
    record["runs"] = runner.runs
    record["seconds"] = time.perf_counter() - start
    return record


def threshold_text(record: dict) -> str:
    if record.get("status") != "ok" or not record.get("thresholds"):
        return "-"
    if not any(t.get("applies", True) for t in record["thresholds"].values()):
        return "n/a"
    if record["threshold"] is None:
        return f"> 1e-{THRESHOLD_EXPONENTS[0]}"
    return f"{record['threshold']:.0e}"


# --------------------------------------------------------------------------------------------
# Many claims: a process pool, the cache, a document
# --------------------------------------------------------------------------------------------

MUTATIONS_SCHEMA = "lazyrich.mutations/1"


#: Seconds one claim's whole mutation analysis may take before its worker is stopped.
MUTATION_TIMEOUT = 3600.0


def _mutate_guarded(claim: Claim, threshold: bool) -> dict:
    try:
        return mutate_claim(claim, threshold=threshold)
    except Exception as exc:  # noqa: BLE001 - one claim's failure is its own record
        return _failed_record(claim, exc)


def _mutate_with_threshold(claim: Claim) -> dict:
    return _mutate_guarded(claim, True)


def _mutate_without_threshold(claim: Claim) -> dict:
    return _mutate_guarded(claim, False)


def _failed_record(claim: Claim, exc) -> dict:
    return {"id": claim.id, "status": "error", "mutants": [], "thresholds": {},
            "threshold": None, "killed": 0, "total": 0, "survived": 0, "equivalent": 0,
            "not_applicable": 0, "runs": 0, "seconds": 0.0,
            "detail": f"{type(exc).__name__}: {exc}"}


def judge_record(claim: Claim, record: dict) -> dict:
    """Add ``ok`` and ``problems`` to a mutation record: unexplained survivors, and a detection
    threshold above the claim's ``detection_target``."""
    problems = []
    if record["status"] == "ok":
        surv = [m["name"] for m in record["mutants"] if m["status"] == "survived"]
        if surv:
            problems.append(f"{len(surv)} mutant(s) survived: {'; '.join(surv)}")
        target = claim.detection_target
        if any(t.get("applies", True) for t in record["thresholds"].values()):
            if record["threshold"] is None or record["threshold"] > target * (1 + 1e-9):
                problems.append(f"detection threshold {threshold_text(record)} is above the "
                                f"claim's target {target:.0e}")
        if record.get("detail"):
            problems.append(record["detail"])
    record["target"] = claim.detection_target
    record["problems"] = problems
    record["ok"] = not problems
    return record


def run_mutations(claims: list[Claim], *, jobs: int = 1, user_files: tuple = (),
                  use_cache: bool = True, cache_dir=None, threshold: bool = True,
                  on_result: Callable[[dict, int, int], None] | None = None,
                  warn: Callable[[str], None] = print) -> dict:
    """Mutation records of ``claims`` (cached by the claims' keys), as a document."""
    from . import _cache
    from ._run import _registry

    root = _cache.cache_dir(cache_dir)
    foreign = _registry(user_files).foreign_fingerprint
    records, pending = [], []
    total = len(claims)

    def done(claim, key, record, cached):
        judge_record(claim, record)
        record["cached"] = cached
        if not cached and record["status"] != "error":
            try:
                _cache.store(root, claim, key + ("" if threshold else "-nothreshold"), record,
                             kind="mutations")
            except OSError as exc:
                warn(f"lazyrich: could not write the cache in {root}: {exc}")
        records.append(record)
        if on_result:
            on_result(record, len(records), total)

    for claim in claims:
        key = _cache.claim_key(claim, foreign)
        rec = _cache.load(root, claim, key + ("" if threshold else "-nothreshold"), warn=warn,
                          kind="mutations") if use_cache else None
        if rec is not None:
            done(claim, key, rec, True)
        else:
            pending.append((claim, key))

    if pending:
        from ._pool import run_pool

        work = _mutate_with_threshold if threshold else _mutate_without_threshold
        run_pool([c for c, _ in pending], max(1, jobs),
                 lambda i, rec: done(pending[i][0], pending[i][1], rec, False),
                 user_files=user_files, work=work,
                 timeout_of=lambda c: MUTATION_TIMEOUT,
                 error_record=lambda claim, msg, secs: _failed_record(claim, RuntimeError(msg)))
    records.sort(key=lambda r: r["id"])
    judged = [r for r in records if r["status"] == "ok"]
    summary = {
        "claims": len(records),
        "mutated": len(judged),
        "skipped": [r["id"] for r in records if r["status"] == "skipped"],
        "errors": [r["id"] for r in records if r["status"] == "error"],
        "killed": sum(r["killed"] for r in judged),
        "total": sum(r["total"] for r in judged),
        "survived": sum(r["survived"] for r in judged),
        "equivalent": sum(r["equivalent"] for r in judged),
        "not_ok": [r["id"] for r in records if not r.get("ok", True) or r["status"] == "error"],
    }
    summary["exit_code"] = 0 if not summary["not_ok"] else 1
    return {"schema": MUTATIONS_SCHEMA, "claims": records, "summary": summary}


def summary_of(record: dict | None) -> dict | None:
    """The part of a mutation record that the results document carries for a claim."""
    if not record or record.get("status") != "ok":
        return None
    return {"killed": record["killed"], "total": record["total"],
            "survived": [m["name"] for m in record["mutants"] if m["status"] == "survived"],
            "equivalent": {m["name"]: m["reason"] for m in record["mutants"]
                           if m["status"] == "equivalent"},
            "threshold": record["threshold"], "threshold_text": threshold_text(record),
            "thresholds": {k: v["text"] for k, v in record["thresholds"].items()},
            "target": record.get("target")}
