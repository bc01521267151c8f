"""The view of a results document that both outputs render: validated claims, the two verdicts
of each (statement and implementation), scopes, which formulas each check read, mutation
measurements, honest counts, who-uses-whom and the papers. Nothing is recomputed.

A results document is untrusted input: every field is checked for its type, strings are
coerced, anything malformed either raises :class:`LazyrichError` naming the field (the document
structure) or is shown as missing (an optional detail). Ids become file names only through
:func:`slug`, which is injective.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field

from lazyrich import _figures as _papers
from lazyrich._errors import LazyrichError

from . import _text

VERDICTS = ("proved", "verified", "inconclusive", "refuted", "error")
STATEMENT_VERDICTS = ("proved", "inconclusive", "refuted")
IMPLEMENTATION_VERDICTS = ("verified", "inconclusive", "untested", "refuted", "n/a")
OUTCOMES = ("passed", "erratum", "inconclusive", "failed", "unexpected-pass", "error")
RELATIONS = {"=": "=", "==": "=", "<": "<", "<=": r"\le", "≤": r"\le", ">": ">", ">=": r"\ge",
             "≥": r"\ge", "!=": r"\ne", "≠": r"\ne", "->": r"\to", "→": r"\to", "~": r"\sim",
             "∼": r"\sim", "≈": r"\approx", "≡": r"\equiv"}
_SEVERITY = {"proved": 0, "verified": 1, "inconclusive": 2, "error": 3, "refuted": 4}
_FIX = "Pass a document written by `lazyrich check --json FILE` (schema lazyrich.results/2)."
MAX_CLAIMS = 20000
MAX_STEPS = 2000


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


_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,100}")


def slug(cid: str) -> str:
    """A file name for a claim id. Ids of the documented form are kept as they are; anything
    else is made safe and suffixed with a hash of the id, so two ids never share a page."""
    if _SAFE.fullmatch(cid) and ".." not in cid:
        return cid
    safe = re.sub(r"[^A-Za-z0-9._+-]", "_", cid)[:60].strip(".") or "claim"
    return f"{safe}-{hashlib.sha256(cid.encode('utf-8', 'replace')).hexdigest()[:10]}"


def _num(x):
    if x is None or isinstance(x, bool):
        return None
    if isinstance(x, str):
        try:
            return float(x)
        except ValueError:
            return None
    try:
        return float(x)
    except (TypeError, ValueError, OverflowError):
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
        return "–" if x is None else _text.plain(str(x))[:40]
    if math.isnan(v) or math.isinf(v):
        return "∞" if v == math.inf else ("−∞" if v == -math.inf else "NaN")
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
    paper_info: dict = field(default_factory=dict)


def _req(obj, key, where, kind=None):
    if not isinstance(obj, dict) or key not in obj:
        raise LazyrichError(f"results{where}: missing {key!r}. {_FIX}")
    value = obj[key]
    if kind is not None and not isinstance(value, kind):
        raise LazyrichError(f"results{where}[{key!r}] = {_short(value)}: expected "
                            f"{getattr(kind, '__name__', kind)}. {_FIX}")
    return value


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _s(value, limit: int = 100000) -> str:
    """A string field: None → '', anything else → str, cut to ``limit``."""
    if value is None:
        return ""
    s = value if isinstance(value, str) else str(value)
    return s if len(s) <= limit else s[:limit] + "…"


def _verdict_pair(c: dict, key: str, allowed) -> dict | None:
    v = c.get(key)
    if not isinstance(v, dict) or _s(v.get("verdict")) not in allowed:
        return None
    return {"verdict": _s(v.get("verdict")), "why": _s(v.get("why"), 4000)}


def _scope(value) -> dict | None:
    if not isinstance(value, dict):
        return None
    return {"covers": _s(value.get("covers"), 2000), "complete": value.get("complete") is True,
            "missing": _s(value.get("missing"), 2000)}


def _step(s, index: int) -> dict | None:
    if not isinstance(s, dict):
        return None
    relation = _s(s.get("relation") or "=", 8).strip()
    return {
        "index": index, "lhs": _s(s.get("lhs"), 200000), "rhs": _s(s.get("rhs"), 200000),
        "relation": relation if relation in RELATIONS else "=",
        "relation_tex": RELATIONS.get(relation, "="),
        "display": _s(s.get("display"), 200000),
        "name": _s(s.get("name"), 80),
        "uses": [_s(u, 80) for u in (s.get("uses") or []) if isinstance(u, (str, int))][:20]
        if isinstance(s.get("uses"), list) else [],
        "justification": _s(s.get("justification"), 4000),
        "verdict": _s(s.get("verdict")) if _s(s.get("verdict")) in
        ("proved", "inconclusive", "refuted") else "inconclusive",
        "residual": _s(s.get("residual"), 20000), "detail": _s(s.get("detail"), 4000),
        "counterexample": s.get("counterexample") if isinstance(s.get("counterexample"),
                                                                dict) else None,
        "premise": s.get("premise") is True,
    }


def _mutation(value) -> dict | None:
    if not isinstance(value, dict):
        return None
    killed, total = _num(value.get("killed")), _num(value.get("total"))
    if killed is None or total is None:
        return None
    survived = [_s(x, 300) for x in (value.get("survived") or [])
                if isinstance(x, (str, int, float))][:200] \
        if isinstance(value.get("survived"), list) else []
    equivalent = {_s(k, 300): _s(v, 1000) for k, v in value.get("equivalent").items()} \
        if isinstance(value.get("equivalent"), dict) else {}
    thresholds = {_s(k, 100): _s(v, 100) for k, v in value.get("thresholds").items()} \
        if isinstance(value.get("thresholds"), dict) else {}
    threshold = _num(value.get("threshold"))
    target = _num(value.get("target"))
    return {"killed": int(killed), "total": int(total), "survived": survived,
            "equivalent": equivalent, "threshold": threshold,
            "threshold_text": _s(value.get("threshold_text"), 24) or fmt_sci(threshold),
            "thresholds": thresholds, "target": target,
            "meets_target": threshold is not None and target is not None
            and threshold <= target * (1 + 1e-9)}


def build(results) -> ReportModel:
    """Validate ``results`` and build the report model.

    Arguments:
        results: a results document (``lazyrich.results/2``; ``/1`` documents, without the
            statement/implementation verdicts, are shown with those marked as not recorded).

    Returns:
        ReportModel with the claims sorted by id, each extended with ``slug``, ``used_by``,
        ``worst`` (its weakest check), its paper and, per check, ``cmp`` (≤, > or '') and
        ``steps``.

    Raises:
        LazyrichError: ``results`` is not such a document (names the first bad field).
    """
    if not isinstance(results, dict):
        raise LazyrichError(f"results must be a dict (a parsed results JSON); got "
                            f"{type(results).__name__}. {_FIX}")
    raw = _req(results, "claims", "", list)
    if len(raw) > MAX_CLAIMS:
        raise LazyrichError(f"results['claims'] has {len(raw)} entries; a report shows at most "
                            f"{MAX_CLAIMS}.")
    claims: list[dict] = []
    seen: set[str] = set()
    slugs: dict[str, str] = {}
    for i, c in enumerate(raw):
        where = f"['claims'][{i}]"
        if not isinstance(c, dict):
            raise LazyrichError(f"results{where} = {_short(c)}: expected a claim record "
                                f"(dict). {_FIX}")
        cid = _req(c, "id", where, str)
        if not cid or len(cid) > 200 or any(ord(ch) < 32 for ch in cid):
            raise LazyrichError(f"results{where}['id'] = {_short(cid)}: not a claim id. {_FIX}")
        where = f"['claims'][{i}] ({cid})"
        if cid in seen:
            raise LazyrichError(f"results{where}: duplicate claim id {cid!r}. {_FIX}")
        seen.add(cid)
        verdict = _req(c, "verdict", where, str)
        if verdict not in VERDICTS:
            raise LazyrichError(f"results{where}['verdict'] = {_short(verdict)}: not one of "
                                f"{VERDICTS}. {_FIX}")
        source = _req(c, "source", where, dict)
        paper = _req(source, "paper", where + "['source']", str)
        checks = []
        raw_checks = _req(c, "checks", where, list)
        for j, ch in enumerate(raw_checks):
            w = f"{where}['checks'][{j}]"
            if not isinstance(ch, dict):
                raise LazyrichError(f"results{w} = {_short(ch)}: expected a check record "
                                    f"(dict). {_FIX}")
            cv = _req(ch, "verdict", w, str)
            if cv not in VERDICTS:
                raise LazyrichError(f"results{w}['verdict'] = {_short(cv)}: not one of "
                                    f"{VERDICTS}. {_FIX}")
            data = ch.get("data") if isinstance(ch.get("data"), dict) else None
            raw_steps = data.get("steps") if data else None
            steps = []
            if isinstance(raw_steps, list):
                for k, s in enumerate(raw_steps[:MAX_STEPS]):
                    st = _step(s, k + 1)
                    if st is not None:
                        steps.append(st)
            read = ch.get("formulas_read")
            read = [_s(f, 100) for f in read if isinstance(f, str)] if isinstance(read, list) \
                else None
            kind = _s(ch.get("kind"), 40)
            checks.append({
                "name": _s(ch.get("name"), 200) or f"check {j + 1}", "kind": kind,
                "verdict": cv, "max_error": ch.get("max_error")
                if isinstance(ch.get("max_error"), (int, float, str, type(None))) else None,
                "tolerance": ch.get("tolerance")
                if isinstance(ch.get("tolerance"), (int, float, str, type(None))) else None,
                "precision": _s(ch.get("precision"), 2000),
                "justification": _s(ch.get("justification"), 4000),
                "detail": _s(ch.get("detail"), 8000),
                "counterexample": ch.get("counterexample"), "data": data,
                "traceback": _s(ch.get("traceback"), 20000) or None,
                "seconds": _num(ch.get("seconds")) or 0.0,
                "cmp": compare(ch.get("max_error"), ch.get("tolerance")),
                "steps": steps,
                "derivation": _s((data or {}).get("derivation"), 400),
                "scope": _scope(ch.get("scope")),
                "formulas_read": read,
                "statement_only": kind == "symbolic" and read is not None and not read,
            })
        formulas = [_s(f, 100) for f in (c.get("formulas") or []) if isinstance(f, str)] \
            if isinstance(c.get("formulas"), list) else []
        readers: dict[str, list[str]] = {f: [] for f in formulas}
        for ch in checks:
            for f in ch["formulas_read"] or []:
                readers.setdefault(f, []).append(ch["name"])
        s = slug(cid)
        if s.lower() in slugs:  # two ids that differ only in case share a file elsewhere
            s = f"{s}-{hashlib.sha256(cid.encode()).hexdigest()[:10]}"
        slugs[s.lower()] = cid
        statement = _verdict_pair(c, "statement_verdict", STATEMENT_VERDICTS)
        implementation = _verdict_pair(c, "implementation_verdict", IMPLEMENTATION_VERDICTS)
        claim = {
            "id": cid, "slug": s, "title": _s(c.get("title"), 1000),
            "source": {"paper": paper, "ref": _text.clean_refs(_s(source.get("ref"), 400)),
                       "section": _text.clean_refs(_s(source.get("section"), 200))},
            "statement": _s(c.get("statement"), 200000),
            "scope": _s(c.get("scope"), 2000),
            "assumptions": [_s(a, 2000) for a in c.get("assumptions")]
            if isinstance(c.get("assumptions"), list) else [],
            "depends_on": [_s(d, 200) for d in c.get("depends_on")]
            if isinstance(c.get("depends_on"), list) else [],
            "notes": _s(c.get("notes"), 20000), "verdict": verdict,
            "statement_verdict": statement, "implementation_verdict": implementation,
            "expected": _s(c.get("expected"), 40) or None,
            "refuted_by": [_s(r, 200) for r in c.get("refuted_by")]
            if isinstance(c.get("refuted_by"), list) else [],
            "outcome": _s(c.get("outcome"), 40) or ("passed" if verdict in ("proved",
                                                                          "verified")
                                                    else verdict),
            "corrected": _s(c.get("corrected"), 200000) or None,
            "corrected_by": _s(c.get("corrected_by"), 200) or None,
            "cached": c.get("cached") is True, "seconds": _num(c.get("seconds")) or 0.0,
            "checks": checks, "used_by": [], "formulas": formulas, "readers": readers,
            "unread": [f for f in formulas if not readers.get(f)],
            "mutation": _mutation(c.get("mutation")),
            "symbolic": [ch for ch in checks if ch["kind"] == "symbolic"],
        }
        claim["worst"] = max(checks, key=lambda ch: _SEVERITY[ch["verdict"]]) if checks else None
        claims.append(claim)
    claims.sort(key=lambda c: c["id"])
    by_id = {c["id"]: c for c in claims}
    for c in claims:
        for d in c["depends_on"]:
            if d in by_id and c["id"] not in by_id[d]["used_by"]:
                by_id[d]["used_by"].append(c["id"])
    papers = sorted({c["source"]["paper"] for c in claims})
    return ReportModel(results=results, claims=claims, by_id=by_id, papers=papers,
                       counts=_counts(results, claims, papers), paper_info=paper_details(papers))


def paper_details(papers) -> dict:
    """How every page names each paper: the details registered for it in this process
    (:func:`lazyrich.register_paper`; whoever runs the claims registers their papers, the
    engine the built-in ones), else just its key."""
    info = {}
    for p in papers:
        reg = _papers.paper(p)
        info[p] = {"key": p, "known": reg is not None,
                   "title": reg.title if reg else "", "authors": list(reg.authors) if reg else [],
                   "venue": reg.venue if reg else "", "year": reg.year if reg else "",
                   "arxiv": reg.arxiv if reg else "", "url": reg.url if reg else "",
                   "short": reg.short if reg else p, "citation": reg.citation if reg else p,
                   "assumptions": dict(reg.assumptions) if reg else {}}
    return info


def _counts(results: dict, claims: list[dict], papers: list[str]) -> dict:
    total = len(claims)
    by_verdict = {v: sum(c["verdict"] == v for c in claims) for v in VERDICTS}
    recorded = [c for c in claims if c["statement_verdict"] is not None]
    by_statement = {v: sum(c["statement_verdict"]["verdict"] == v for c in recorded)
                    for v in STATEMENT_VERDICTS}
    impl = [c for c in claims if c["implementation_verdict"] is not None]
    by_implementation = {v: sum(c["implementation_verdict"]["verdict"] == v for c in impl)
                         for v in IMPLEMENTATION_VERDICTS}
    with_formulas = [c for c in impl if c["implementation_verdict"]["verdict"] != "n/a"]
    outcomes = list(OUTCOMES) + sorted({c["outcome"] for c in claims} - set(OUTCOMES))
    by_outcome = {o: sum(c["outcome"] == o for c in claims) for o in outcomes}
    by_paper = {}
    for p in papers:
        mine = [c for c in claims if c["source"]["paper"] == p]
        by_paper[p] = {
            "total": len(mine),
            "verdicts": {v: sum(c["verdict"] == v for c in mine) for v in VERDICTS},
            "statements_proved": sum((c["statement_verdict"] or {}).get("verdict") == "proved"
                                     for c in mine),
            "statements_recorded": sum(c["statement_verdict"] is not None for c in mine),
            "implementations_verified": sum(
                (c["implementation_verdict"] or {}).get("verdict") == "verified" for c in mine),
            "with_formulas": sum((c["implementation_verdict"] or {}).get("verdict")
                                 not in (None, "n/a") for c in mine),
            "errata": sum(c["outcome"] == "erratum" for c in mine)}
    bad = {"failed", "unexpected-pass", "error"}
    summary = results.get("summary") if isinstance(results.get("summary"), dict) else {}
    strict = summary.get("strict") is True
    if strict:
        bad.add("inconclusive")
    restricted = [c for c in claims if any(ch["scope"] and not ch["scope"]["complete"]
                                           and ch["verdict"] == "proved"
                                           for ch in c["symbolic"])]
    measured = [c for c in claims if c["mutation"] is not None]
    mutation = {"claims": len(measured), "killed": sum(c["mutation"]["killed"] for c in measured),
                "total": sum(c["mutation"]["total"] for c in measured),
                "survivors": sum(len(c["mutation"]["survived"]) for c in measured),
                "equivalent": sum(len(c["mutation"]["equivalent"]) for c in measured),
                "below_target": sum(not c["mutation"]["meets_target"] for c in measured
                                    if c["mutation"]["threshold"] is not None
                                    and c["mutation"]["target"] is not None)}
    return {"total": total, "by_verdict": by_verdict, "by_outcome": by_outcome,
            "by_statement": by_statement, "statements_recorded": len(recorded),
            "by_implementation": by_implementation, "with_formulas": len(with_formulas),
            "implementations_recorded": len(impl),
            "by_paper": by_paper, "strict": strict,
            "errata": [c for c in claims if c["outcome"] == "erratum"],
            "unexpected": [c for c in claims if c["outcome"] == "unexpected-pass"],
            "failures": [c for c in claims if c["outcome"] in bad],
            "restricted": restricted, "mutation": mutation,
            "statement_only_checks": sum(ch["statement_only"] for c in claims
                                         for ch in c["checks"]),
            "seconds": sum(c["seconds"] for c in claims),
            "cached": sum(c["cached"] for c in claims)}
