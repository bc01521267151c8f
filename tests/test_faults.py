"""Every check ends as a verdict or ``error``, in every mode; the run always writes its outputs
and exits 0 only when the results say so (hostile or careless checks and claims files)."""

import json
import math
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from lazyrich import Claim, Evidence, Source
from lazyrich.engine.cli import main

HEADER = textwrap.dedent('''
    import os, sys, time, threading
    from lazyrich import Claim, Source, Evidence

    ok = Claim(id="fault.ok", title="fine", source=Source("fault", "eq (0)"), statement="")

    @ok.check("numeric", tolerance=1e-12)
    def fine(f):
        return 0.0
    ''')

FAULTS = {
    "sys-exit-0": "sys.exit(0)",
    "os-exit-0": "os._exit(0)",
    "keyboard-interrupt": "raise KeyboardInterrupt",
    "swallows-timeout": "while True:\n        try:\n            time.sleep(10)\n"
                        "        except BaseException:\n            pass",
    "leaves-thread": "threading.Thread(target=time.sleep, args=(3600,)).start()\n    return 0.0",
}


#: What the claim's detail says for each fault (docs/bad-input.md shows this table).
FAULT_DETAIL = {
    "sys-exit-0": "SystemExit",
    "os-exit-0": "exited (the worker process running this claim exited before returning a "
                 "result; it is replaced)",
    "keyboard-interrupt": "KeyboardInterrupt",
    "swallows-timeout": "timed out (its worker process is stopped)",
    "leaves-thread": " (nothing: a thread left running is not an error of the check; the run "
                     "and the lazyrich script still end)",
}


def _claims_file(tmp_path, body: str) -> str:
    text = HEADER + textwrap.dedent('''
        bad = Claim(id="fault.bad", title="hostile", source=Source("fault", "eq (1)"),
                    statement="", timeout=2)

        @bad.check("numeric", tolerance=1e-12)
        def hostile(f):
            {body}
        ''').replace("{body}", body)
    p = tmp_path / "fault_claims.py"
    p.write_text(text)
    return str(p)


@pytest.mark.parametrize("fault", sorted(FAULTS))
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_hostile_check_is_an_error_and_the_run_writes_its_outputs(tmp_path, fault, jobs,
                                                                    capsys):
    claims = _claims_file(tmp_path, FAULTS[fault])
    out, junit = tmp_path / "r.json", tmp_path / "j.xml"
    t0 = time.monotonic()
    rc = main(["check", "fault", "--claims", claims, "-j", jobs, "-q", "--no-cache",
               "--cache-dir", str(tmp_path / "c"), "--json", str(out), "--junit", str(junit)])
    took = time.monotonic() - t0
    doc = json.loads(out.read_text())
    verdicts = {c["id"]: c["verdict"] for c in doc["claims"]}
    if fault == "leaves-thread":          # a thread left behind is not a failure of the check
        assert rc == 0 and verdicts == {"fault.ok": "verified", "fault.bad": "verified"}
    else:
        assert rc == 1, capsys.readouterr()
        assert verdicts == {"fault.ok": "verified", "fault.bad": "error"}
        assert doc["summary"]["exit_code"] == 1 and doc["summary"]["failures"] == ["fault.bad"]
        assert junit.read_text().count("<testcase") == 2
    assert took < 30, took       # timeout 2 s + the kill grace, never a hang
    detail = next(c for c in doc["claims"] if c["id"] == "fault.bad")["checks"][0]["detail"]
    assert FAULT_DETAIL[fault].split(" (")[0] in detail, detail


def test_the_script_does_not_wait_for_a_thread_a_claims_file_leaves(tmp_path):
    claims = tmp_path / "threads.py"
    claims.write_text(HEADER + "threading.Thread(target=time.sleep, args=(3600,)).start()\n")
    exe = Path(sys.executable).with_name("lazyrich")
    proc = subprocess.run([str(exe), "check", "fault", "--claims", str(claims), "-q", "-j1",
                           "--cache-dir", str(tmp_path / "c")], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr


def test_a_claims_file_that_blocks_at_import_is_stopped(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LAZYRICH_IMPORT_TIMEOUT", "1.5")
    claims = tmp_path / "blocks.py"
    claims.write_text(HEADER + "time.sleep(3600)\n")
    t0 = time.monotonic()
    assert main(["list", "--claims", str(claims)]) == 2
    assert time.monotonic() - t0 < 20
    err = capsys.readouterr().err
    assert "did not finish within 1.5 s" in err and err.count("\n") == 1


@pytest.mark.parametrize("value,ok", [
    (-5.0, False), (-math.inf, False), ("0.0", False), (1e-9 + 5j, False), (math.nan, False),
    (True, False), ([0.0], False), (None, False), (0, True), (0.0, True), (math.inf, True),
])
def test_a_measured_error_must_be_a_real_non_negative_number(value, ok):
    c = Claim(id="fault.err1", title="", source=Source("fault", "x"), statement="")
    c.check("numeric", tolerance=1e-6)(lambda f: value)
    rec = c.run().checks[0]
    if ok:
        assert rec["verdict"] in ("verified", "refuted"), rec
        assert rec["verdict"] == ("refuted" if value == math.inf else "verified")
    else:
        assert rec["verdict"] == "error", rec
        assert rec["detail"], rec


def test_a_verdict_that_contradicts_its_own_error_is_refused():
    c = Claim(id="fault.err2", title="", source=Source("fault", "x"), statement="")
    c.check("numeric", tolerance=1e-6)(lambda f: Evidence(verdict="verified", max_error=1e9))
    rec = c.run().checks[0]
    assert rec["verdict"] == "error" and "contradicts" in rec["detail"]


@pytest.mark.parametrize("field,value,match", [
    ("timeout", 0, "timeout"), ("timeout", -1, "timeout"), ("timeout", math.nan, "timeout"),
    ("id", "bad\x00id.x", "must look like"), ("id", "zz.a/b", "must look like"),
    ("id", "/abs/path.x", "must look like"), ("source", None, "source must be a Source"),
    ("statement", None, "statement must be a string"),
])
def test_bad_claim_fields_are_rejected_when_the_claim_is_made(field, value, match):
    kw = dict(id="fault.x1", title="", source=Source("fault", "x"), statement="")
    kw[field] = value
    with pytest.raises(ValueError, match=match):
        Claim(**kw)


def test_bad_claim_fields_in_a_claims_file_are_one_line_exit_2(tmp_path, capsys):
    p = tmp_path / "badfields.py"
    p.write_text(HEADER + "x = Claim(id='fault.z', title='', source=None, statement='')\n")
    assert main(["check", "--claims", str(p), "-q"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("lazyrich: error:") and "source must be a Source" in err
    assert err.count("\n") == 1


@pytest.mark.parametrize("encoding", ["latin-1-declared", "utf-8-bom"])
def test_claims_files_in_any_valid_python_encoding_load(tmp_path, encoding, capsys):
    body = HEADER + "note = 'σ²w = café'\n"
    p = tmp_path / "enc.py"
    if encoding == "latin-1-declared":
        p.write_bytes(("# -*- coding: latin-1 -*-\n" + body.replace("σ²w = ", "")).encode(
            "latin-1"))
    else:
        p.write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
    assert main(["check", "fault", "--claims", str(p), "-q", "-j1", "--cache-dir",
                 str(tmp_path / "c")]) == 0, capsys.readouterr().err


def test_jobs_is_capped_at_the_cpu_count(tmp_path, capsys):
    p = tmp_path / "ok.py"
    p.write_text(HEADER)
    t0 = time.monotonic()
    assert main(["check", "fault", "--claims", str(p), "-q", "-j", "1000000", "--no-cache",
                 "--cache-dir", str(tmp_path / "c")]) == 0
    assert time.monotonic() - t0 < 30
