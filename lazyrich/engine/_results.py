"""The results document (the one interface between checking and reporting).

Schema (JSON), version 2 (``lazyrich.results/2``)::

    {
      "schema": "lazyrich.results/2",
      "claims": [
        {"id", "title", "source": {"paper", "ref", "section"}, "statement", "scope",
         "assumptions", "depends_on", "notes", "formulas",
         "verdict",                                  # proved | verified | inconclusive | refuted | error
         "statement_verdict": {"verdict", "why"},    # proved | inconclusive | refuted
         "implementation_verdict": {"verdict", "why"},  # verified | inconclusive | untested | refuted | n/a
         "expected", "refuted_by", "outcome", "corrected", "corrected_by",
         "checks": [{"name", "kind", "verdict", "max_error", "tolerance", "precision",
                     "justification", "detail", "counterexample", "data", "traceback",
                     "seconds", "scope": {"covers", "complete", "missing"} | null,
                     "formulas_read": [names]}],
         "seconds", "cached"}
      ],
      "summary": {"claims", "by_verdict": {...}, "by_statement": {...},
                  "by_implementation": {...}, "by_outcome": {...}, "by_paper": {...},
                  "errata": [ids], "restricted_scope": [ids], "failures": [ids], "strict",
                  "ok", "exit_code"},
      "environment": {"python", "numpy", "scipy", "sympy", "mpmath", "lazyrich"}
    }

A claim's ``verdict`` is ``proved`` only when its statement is proved over the scope the paper
states and its implementation is verified; ``restricted_scope`` lists the claims whose
derivations are exact but cover less than the stated scope.

A symbolic check's ``data`` holds its derivation: ``{"derivation": title, "steps": [{"lhs",
"rhs", "relation" (= < ≤ > ≥ ≠ → ~), "display" (LaTeX to show instead of the checked form, or
null), "name", "uses" (the steps or premises it uses), "justification", "verdict", "residual",
"detail", "counterexample", "seconds", "premise"}]}``. ``data`` is otherwise free-form; its
plot format is documented in ``lazyrich/_figures.py``.

``outcome`` says how the verdict relates to what the claim expected:

* ``passed``: expected nothing special, got ``proved`` or ``verified``.
* ``erratum``: a documented erratum (expected ``refuted``), and refuted as expected.
* ``inconclusive``: neither proved nor refuted; fails the run only under ``--strict``.
* ``failed``: refuted (or any verdict other than the expected one).
* ``unexpected-pass``: a documented erratum that no longer refutes (like a strict xfail).
* ``error``: a check crashed or timed out.
"""

from __future__ import annotations

import platform
from collections import Counter

from .._model import IMPLEMENTATION_VERDICTS, STATEMENT_VERDICTS, VERDICTS

OUTCOMES = ("passed", "erratum", "inconclusive", "failed", "unexpected-pass", "error")
SCHEMA = "lazyrich.results/2"


def outcome(verdict: str, expected: str | None, erratum_refuted: bool | None = None) -> str:
    """How a claim's verdict compares to the verdict it declared it expects.

    For an erratum (``expected == "refuted"``), ``erratum_refuted`` says whether the checks
    named in its ``refuted_by`` refuted it: only its own counterexample makes it an erratum."""
    if verdict == "error":
        return "error"
    if expected is None:
        if verdict in ("proved", "verified"):
            return "passed"
        return "inconclusive" if verdict == "inconclusive" else "failed"
    if expected == "refuted":
        own = verdict == "refuted" if erratum_refuted is None else erratum_refuted
        return "erratum" if verdict == "refuted" and own else "unexpected-pass"
    if verdict == expected or (expected == "verified" and verdict == "proved"):
        return "passed"
    if verdict == "inconclusive":
        return "inconclusive"
    return "failed"


def record_outcome(record: dict) -> str:
    """:func:`outcome` of a claim record (reads its ``refuted_by`` checks for an erratum)."""
    named = record.get("refuted_by") or []
    by_name = {c.get("name"): c.get("verdict") for c in record.get("checks") or []}
    own = all(by_name.get(n) == "refuted" for n in named) if named else None
    return outcome(record["verdict"], record.get("expected"), own)


def summarize(claims: list[dict], *, strict: bool = False) -> dict:
    """Counts per verdict, outcome and paper, and the exit code a CI run should use."""
    by_verdict = {v: 0 for v in VERDICTS}
    by_verdict.update(Counter(c["verdict"] for c in claims))
    by_statement = {v: 0 for v in STATEMENT_VERDICTS}
    by_statement.update(Counter(c["statement_verdict"]["verdict"] for c in claims))
    by_implementation = {v: 0 for v in IMPLEMENTATION_VERDICTS}
    by_implementation.update(Counter(c["implementation_verdict"]["verdict"] for c in claims))
    by_outcome = {o: 0 for o in OUTCOMES}
    by_outcome.update(Counter(c["outcome"] for c in claims))
    by_paper: dict[str, dict[str, int]] = {}
    for c in claims:
        counts = by_paper.setdefault(c["source"]["paper"], {v: 0 for v in VERDICTS})
        counts[c["verdict"]] += 1
    bad = {"failed", "unexpected-pass", "error"} | ({"inconclusive"} if strict else set())
    failures = [c["id"] for c in claims if c["outcome"] in bad]
    ok = not failures
    return {
        "claims": len(claims),
        "by_verdict": by_verdict,
        "by_statement": by_statement,
        "by_implementation": by_implementation,
        "by_outcome": by_outcome,
        "by_paper": by_paper,
        "errata": [c["id"] for c in claims if c["outcome"] == "erratum"],
        "restricted_scope": [c["id"] for c in claims if any(
            (ch.get("scope") or {}).get("complete") is False and ch["verdict"] == "proved"
            for ch in c["checks"])],
        "failures": failures,
        "strict": strict,
        "ok": ok,
        "exit_code": 0 if ok else 1,
    }


def _environment() -> dict:
    """Versions of what produced the results (they are also part of the cache key)."""
    import mpmath
    import numpy
    import scipy
    import sympy

    from .. import __version__

    return {"python": platform.python_version(), "numpy": numpy.__version__,
            "scipy": scipy.__version__, "sympy": sympy.__version__,
            "mpmath": mpmath.__version__, "lazyrich": __version__}


def document(claims: list[dict], *, strict: bool = False,
             environment: dict | None = None) -> dict:
    """Assemble the results document from per-claim records (adds outcomes and summary)."""
    claims = sorted(claims, key=lambda c: c["id"])
    for c in claims:
        c["outcome"] = record_outcome(c)
    return {"schema": SCHEMA, "claims": claims, "summary": summarize(claims, strict=strict),
            "environment": environment if environment is not None else _environment()}


def schema() -> dict:
    """The published JSON Schema of the results document (``results.schema.json``)."""
    import json
    from importlib.resources import files

    return json.loads(files(__package__).joinpath("results.schema.json").read_text())


def validate(doc, *, what: str = "results") -> dict:
    """Check a results document read from outside (``report --from``) and make it honest.

    Raises :class:`LazyrichError` (one line: where and what) unless ``doc`` follows the schema.
    Then every claim's verdicts are recomputed from its checks, its outcome from its verdict,
    and the summary (counts, failures, exit code) from the claims: nothing a file says about
    itself is trusted beyond its check records."""
    import jsonschema

    from .._errors import LazyrichError
    from .._model import judge

    validator = jsonschema.Draft202012Validator(schema())
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    if errors:
        err = errors[0]
        where = "".join(f"[{p!r}]" if isinstance(p, str) else f"[{p}]"
                        for p in err.absolute_path) or "(top level)"
        msg = err.message if len(err.message) < 200 else err.message[:200] + "…"
        raise LazyrichError(f"{what}{where}: {msg}. Pass a document written by `lazyrich check "
                            f"--json FILE` (schema {SCHEMA}).")
    seen = set()
    for c in doc["claims"]:
        if c["id"] in seen:
            raise LazyrichError(f"{what}: claim id {c['id']!r} appears twice.")
        seen.add(c["id"])
        verdict, statement, implementation = judge(c["checks"], c.get("formulas") or [])
        c["verdict"] = verdict
        c["statement_verdict"] = statement
        c["implementation_verdict"] = implementation
        for key, default in (("scope", ""), ("assumptions", []), ("depends_on", []),
                             ("notes", ""), ("formulas", []), ("refuted_by", []),
                             ("corrected", None), ("corrected_by", None), ("seconds", 0.0),
                             ("cached", False), ("mutation", None)):
            c.setdefault(key, default)
        for ch in c["checks"]:
            for key, default in (("precision", ""), ("justification", ""),
                                 ("counterexample", None), ("data", None), ("traceback", None),
                                 ("seconds", 0.0), ("scope", None), ("formulas_read", [])):
                ch.setdefault(key, default)
    return document(doc["claims"], strict=bool(doc["summary"].get("strict", False)),
                    environment=doc.get("environment"))
