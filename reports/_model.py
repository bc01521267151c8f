"""The view of a results document that both outputs render: validated claims, honest counts,
who-uses-whom, and the error-vs-tolerance status of each check. Nothing is recomputed."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from lazyrich.numerics import LazyrichError

VERDICTS = ("proved", "verified", "inconclusive", "refuted", "error")
OUTCOMES = ("passed", "erratum", "inconclusive", "failed", "unexpected-pass", "error")
_SEVERITY = {"proved": 0, "verified": 1, "inconclusive": 2, "error": 3, "refuted": 4}
_FIX = "Pass a document written by `lazyrich check --json FILE` (schema lazyrich.results/1)."


def percent(n: int, total: int) -> str:
    """``n/total`` as a percentage that never rounds a partial count to 0% or 100%.

    199 of 200 is "99.5%", never "100%"; 1 of 10000 is "0.01%", never "0%". Exact 0 and exact
    ``total`` are "0%" and "100%"; total 0 gives "–".
    """
    if total <= 0:
        return "–"
    if n == 0:
        return "0%"
    if n == total:
        return "100%"
    p = 100.0 * n / total
    for digits in range(0, 8):
        s = f"{p:.{digits}f}"
        if 0.0 < float(s) < 100.0:
            return s + "%"
    return f"{p:.10g}%"


def slug(cid: str) -> str:
    """A file name for a claim id (ids are already safe; anything odd becomes '_')."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", cid)


def _num(x):
    if x is None:
        return None
    if isinstance(x, str):
        try:
            return float(x)
        except ValueError:
            return None
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def compare(max_error, tolerance) -> str:
    """"≤", ">" or "" (not comparable) for a check's error against its tolerance."""
    e, t = _num(max_error), _num(tolerance)
    if e is None or t is None:
        return ""
    if math.isnan(e):
        return ">"
    return "≤" if e <= t else ">"


def fmt_sci(x) -> str:
    """A number in short scientific notation ('–' for None; 'inf'/'nan' kept)."""
    v = _num(x)
    if v is None:
        return "–" if x is None else str(x)
    if math.isnan(v) or math.isinf(v):
        return str(v)
    if v == 0:
        return "0"
    return f"{v:.2e}"


@dataclass
class ReportModel:
    """Everything the templates need, derived from one results document."""

    results: dict
    claims: list[dict]
    by_id: dict[str, dict]
    papers: list[str]
    counts: dict = field(default_factory=dict)


def _req(obj, key, where, kind=None):
    if not isinstance(obj, dict) or key not in obj:
        raise LazyrichError(f"results{where}: missing {key!r}. {_FIX}")
    value = obj[key]
    if kind is not None and not isinstance(value, kind):
        raise LazyrichError(f"results{where}[{key!r}] = {value!r:.80}: expected "
                            f"{getattr(kind, '__name__', kind)}. {_FIX}")
    return value


def build(results) -> ReportModel:
    """Validate ``results`` and build the report model.

    Arguments:
        results: a results document (``lazyrich.results/1``), as a dict.

    Returns:
        ReportModel with the claims sorted by id, each extended with ``slug``, ``used_by``,
        ``worst`` (its weakest check) and, per check, ``cmp`` (≤, > or '') and ``steps``.

    Raises:
        LazyrichError: ``results`` is not such a document (names the first bad field).
    """
    if not isinstance(results, dict):
        raise LazyrichError(f"results must be a dict (a parsed results JSON); got "
                            f"{type(results).__name__}. {_FIX}")
    raw = _req(results, "claims", "", list)
    claims: list[dict] = []
    seen: set[str] = set()
    for i, c in enumerate(raw):
        where = f"['claims'][{i}]"
        cid = _req(c, "id", where, str)
        where = f"['claims'][{i}] ({cid})"
        if cid in seen:
            raise LazyrichError(f"results{where}: duplicate claim id {cid!r}. {_FIX}")
        seen.add(cid)
        verdict = _req(c, "verdict", where, str)
        if verdict not in VERDICTS:
            raise LazyrichError(f"results{where}['verdict'] = {verdict!r}: not one of "
                                f"{VERDICTS}. {_FIX}")
        source = _req(c, "source", where, dict)
        _req(source, "paper", where + "['source']", str)
        checks = []
        for j, ch in enumerate(_req(c, "checks", where, list)):
            w = f"{where}['checks'][{j}]"
            cv = _req(ch, "verdict", w, str)
            if cv not in VERDICTS:
                raise LazyrichError(f"results{w}['verdict'] = {cv!r}: not one of {VERDICTS}. "
                                    f"{_FIX}")
            data = ch.get("data") if isinstance(ch.get("data"), dict) else None
            steps = data.get("steps") if data else None
            checks.append({
                "name": str(ch.get("name", f"check {j + 1}")), "kind": ch.get("kind", ""),
                "verdict": cv, "max_error": ch.get("max_error"),
                "tolerance": ch.get("tolerance"), "precision": ch.get("precision") or "",
                "justification": ch.get("justification") or "", "detail": ch.get("detail") or "",
                "counterexample": ch.get("counterexample"), "data": data,
                "traceback": ch.get("traceback"), "seconds": _num(ch.get("seconds")) or 0.0,
                "cmp": compare(ch.get("max_error"), ch.get("tolerance")),
                "steps": steps if isinstance(steps, list) else [],
                "derivation": (data or {}).get("derivation", ""),
            })
        claim = {
            "id": cid, "slug": slug(cid), "title": str(c.get("title", "")),
            "source": {"paper": source["paper"], "ref": str(source.get("ref", "")),
                       "section": str(source.get("section", "") or "")},
            "statement": c.get("statement") or "", "assumptions": list(c.get("assumptions") or []),
            "depends_on": [str(d) for d in (c.get("depends_on") or [])],
            "notes": c.get("notes") or "", "verdict": verdict, "expected": c.get("expected"),
            "outcome": c.get("outcome") or ("passed" if verdict in ("proved", "verified")
                                            else verdict),
            "corrected": c.get("corrected"), "corrected_by": c.get("corrected_by"),
            "cached": bool(c.get("cached")), "seconds": _num(c.get("seconds")) or 0.0,
            "checks": checks, "used_by": [],
        }
        claim["worst"] = max(checks, key=lambda ch: _SEVERITY[ch["verdict"]]) if checks else None
        claims.append(claim)
    claims.sort(key=lambda c: c["id"])
    by_id = {c["id"]: c for c in claims}
    for c in claims:
        for d in c["depends_on"]:
            if d in by_id:
                by_id[d]["used_by"].append(c["id"])
    papers = sorted({c["source"]["paper"] for c in claims})
    total = len(claims)
    by_verdict = {v: sum(c["verdict"] == v for c in claims) for v in VERDICTS}
    outcomes = list(OUTCOMES) + sorted({c["outcome"] for c in claims} - set(OUTCOMES))
    by_outcome = {o: sum(c["outcome"] == o for c in claims) for o in outcomes}
    by_paper = {}
    for p in papers:
        mine = [c for c in claims if c["source"]["paper"] == p]
        by_paper[p] = {"total": len(mine),
                       "verdicts": {v: sum(c["verdict"] == v for c in mine) for v in VERDICTS},
                       "errata": sum(c["outcome"] == "erratum" for c in mine)}
    bad = {"failed", "unexpected-pass", "error"}
    summary = results.get("summary") if isinstance(results.get("summary"), dict) else {}
    if summary.get("strict"):
        bad.add("inconclusive")
    counts = {"total": total, "by_verdict": by_verdict, "by_outcome": by_outcome,
              "by_paper": by_paper,
              "errata": [c for c in claims if c["outcome"] == "erratum"],
              "unexpected": [c for c in claims if c["outcome"] == "unexpected-pass"],
              "failures": [c for c in claims if c["outcome"] in bad],
              "seconds": sum(c["seconds"] for c in claims),
              "cached": sum(c["cached"] for c in claims)}
    return ReportModel(results=results, claims=claims, by_id=by_id, papers=papers,
                       counts=counts)
