"""The published JSON Schema of the results document: what `check --json` writes follows it, and
what `report --from` reads is validated against it and made honest (verdicts, outcomes and
summary recomputed from the check records; nothing a file says about itself is trusted)."""

import copy
import json

import jsonschema
import pytest

from lazyrich import LazyrichError
from lazyrich.engine._results import SCHEMA, schema, validate
from lazyrich.engine.cli import main

from demo_results import demo_results  # noqa: E402


@pytest.fixture(scope="module")
def real_doc(tmp_path_factory):
    return demo_results(tmp_path_factory.mktemp("schema"))


def test_what_check_writes_follows_the_published_schema(real_doc):
    assert real_doc["schema"] == SCHEMA
    jsonschema.Draft202012Validator.check_schema(schema())
    jsonschema.validate(real_doc, schema())
    by_id = {c["id"]: c for c in real_doc["claims"]}
    assert by_id["demo.eq1"]["verdict"] == "proved"
    assert by_id["demo.eq1"]["statement_verdict"]["verdict"] == "proved"
    assert by_id["demo.eq2"]["outcome"] == "erratum"


def test_the_built_in_claims_results_follow_the_schema():
    from lazyrich.engine import discover
    from lazyrich.engine._results import document
    from lazyrich.engine._run import run_one

    claims = discover(entry_points_too=False)
    recs = []
    for cid in ("domine2025.thmA.2", "domine2025.eq17", "tu2024.eq1.lazy"):
        rec = run_one(claims[cid])
        rec.pop("_dependencies", None)
        rec["cached"] = False
        rec["mutation"] = None
        recs.append(rec)
    jsonschema.validate(json.loads(json.dumps(document(recs))), schema())


def _lie(doc, how):
    doc = copy.deepcopy(doc)
    c = next(c for c in doc["claims"] if c["id"] == "demo.eq1")
    if how == "verdict":
        c["checks"][0]["verdict"] = "refuted"           # the claim still says proved
    elif how == "exit-code":
        c["checks"][0]["verdict"] = "refuted"
        doc["summary"]["exit_code"] = 0
        doc["summary"]["ok"] = True
        doc["summary"]["failures"] = []
    elif how == "erratum-without-its-counterexample":
        e = next(c for c in doc["claims"] if c["id"] == "demo.eq2")
        e["checks"][0]["verdict"] = "verified"
        e["outcome"] = "erratum"
    return doc


@pytest.mark.parametrize("how", ["verdict", "exit-code", "erratum-without-its-counterexample"])
def test_report_from_recomputes_verdicts_outcomes_and_exit_code(real_doc, tmp_path, how):
    doc = _lie(real_doc, how)
    src = tmp_path / "lie.json"
    src.write_text(json.dumps(doc))
    honest = validate(json.loads(src.read_text()))
    assert honest["summary"]["exit_code"] == 1
    code = main(["report", "--from", str(src), "--out", str(tmp_path / "rep"),
                 "--no-figures"])
    assert code == 1


HOSTILE = {
    "top-level-list": lambda d: [d],
    "missing-field": lambda d: {k: v for k, v in d.items() if k != "summary"},
    "wrong-schema": lambda d: {**d, "schema": "lazyrich.results/999"},
    "statement-not-a-string": lambda d: _set(d, ["claims", 0, "statement"], {"$": 1}),
    "step-not-a-dict": lambda d: _set(d, ["claims", 0, "checks", 0], "boom"),
    "id-is-a-path": lambda d: _set(d, ["claims", 0, "id"], "../../etc/passwd.x"),
    "id-with-nul": lambda d: _set(d, ["claims", 0, "id"], "demo.a\x00b"),
    "unknown-verdict": lambda d: _set(d, ["claims", 0, "checks", 0, "verdict"], "maybe"),
    "error-as-number-string": lambda d: _set(d, ["claims", 0, "checks", 0, "max_error"], "0.0"),
    "duplicate-ids": lambda d: {**d, "claims": d["claims"] + d["claims"][:1]},
}


def _set(doc, path, value):
    doc = copy.deepcopy(doc)
    node = doc
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value
    return doc


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_results_documents_are_one_clear_error(real_doc, case):
    with pytest.raises(LazyrichError) as err:
        validate(HOSTILE[case](real_doc))
    msg = str(err.value)
    assert "\n" not in msg and len(msg) < 600, msg
