"""The bad-input table of the command line (docs/bad-input.md): every bad invocation exits 2 with
ONE line on stderr (``lazyrich: error: …``) and no traceback; a corrupted cache entry is
detected, reported in one warning line and recomputed (exit 0, correct verdict), never trusted.

Most cases call ``lazyrich.engine.cli.main`` in-process (an uncaught exception would fail the test, so
"no traceback" is checked too); two cases run the installed ``lazyrich`` script in a subprocess to
check the behaviour end to end.  The numerics half of the table is tests/test_bad_input.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lazyrich.engine.cli import main

DEMO = textwrap.dedent('''
    import math
    from lazyrich import Claim, Source

    good = Claim(id="badinput.eq1", title="exp(1) = e", source=Source("badinput", "eq (1)"),
                 statement="e^1 = e", formulas={"f": math.exp})

    @good.check("numeric", tolerance=1e-15, precision="float64", justification="one rounding")
    def value(f):
        return abs(f.f(1.0) - math.e)
    ''')


@pytest.fixture
def demo(tmp_path) -> str:
    p = tmp_path / "demo_claims.py"
    p.write_text(DEMO)
    return str(p)


def _one_error_line(capsys, *words) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err, err
    lines = err.splitlines()
    assert len(lines) == 1 and err.endswith("\n"), err
    assert lines[0].startswith("lazyrich: error: "), err
    for w in words:
        assert w in lines[0], (w, lines[0])
    return lines[0]


def _run(tmp_path, *args) -> int:
    """``lazyrich check`` on the demo file, one process, a private cache, no progress line."""
    return main(["check", *args, "-j1", "-q", "--cache-dir", str(tmp_path / "cache")])


# ---------------------------------------------------------------------------------------------
# selections: unknown ids, patterns matching nothing, empty and broken claims files
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("pattern", ["domine2025.thm99.9", "badinput.eq9", "badinput.zz*",
                                     "nosuchpaper", "thm99.*"])
@pytest.mark.parametrize("command", ["list", "check"])
def test_a_pattern_matching_nothing_is_one_line_exit_2(demo, tmp_path, capsys, command,
                                                       pattern):
    args = [command, pattern, "--claims", demo]
    code = main(args) if command == "list" else _run(tmp_path, pattern, "--claims", demo)
    assert code == 2
    _one_error_line(capsys, "no claim matches pattern", repr(pattern), "lazyrich list")


def test_an_empty_claims_file_is_rejected(tmp_path, capsys):
    empty = tmp_path / "empty.py"
    empty.write_text("")
    assert _run(tmp_path, "empty", "--claims", str(empty)) == 2
    _one_error_line(capsys, "defines no Claim")


def test_a_claims_file_without_claims_is_rejected(tmp_path, capsys):
    empty = tmp_path / "empty.py"
    empty.write_text("x = 1\n")
    assert main(["list", "--claims", str(empty)]) == 2


@pytest.mark.parametrize("text,words", [
    ("import math\nx = 1 / 0\n", ["importing it failed, line 2", "ZeroDivisionError"]),
    ("def broken(:\n", ["importing it failed", "SyntaxError", "line 1"]),
    ("import no_such_module_xyz\n", ["importing it failed, line 1", "ModuleNotFoundError"]),
    ("from lazyrich import Claim, Source\n"
     "c = Claim(id='nodots', title='', source=Source('p', 'r'), statement='')\n",
     ["importing it failed, line 2", "ValueError"]),
])
def test_a_claims_file_that_raises_is_one_line_exit_2(tmp_path, capsys, text, words):
    bad = tmp_path / "bad_claims.py"
    bad.write_text(text)
    assert _run(tmp_path, "--claims", str(bad)) == 2
    _one_error_line(capsys, repr(str(bad)), *words, "Fix the file")


def test_a_missing_claims_file_is_one_line_exit_2(tmp_path, capsys):
    assert main(["list", "--claims", str(tmp_path / "missing.py")]) == 2
    _one_error_line(capsys, "no such file")


def test_a_claims_file_that_exits_is_one_line_exit_2(tmp_path, capsys):
    bad = tmp_path / "exits.py"
    bad.write_text("raise SystemExit(3)\n")
    try:
        code = main(["list", "--claims", str(bad)])
    except SystemExit as exc:
        code = exc.code
    assert code == 2


# ---------------------------------------------------------------------------------------------
# run options
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("jobs", ["0", "-3"])
def test_jobs_below_one_is_one_line_exit_2(demo, tmp_path, capsys, jobs):
    assert main(["check", "badinput", "--claims", demo, "--jobs", jobs, "-q",
                 "--cache-dir", str(tmp_path / "c")]) == 2
    _one_error_line(capsys, "--jobs must be >= 1", jobs)


def test_a_malformed_scheduler_address_is_one_line_exit_2(demo, tmp_path, capsys):
    code = main(["check", "badinput", "--claims", demo, "-q", "--cache-dir",
                 str(tmp_path / "c"), "--scheduler", "notanaddress"])
    assert code == 2
    _one_error_line(capsys, "--scheduler")


# ---------------------------------------------------------------------------------------------
# outputs that cannot be written
# ---------------------------------------------------------------------------------------------
def _under_a_file(tmp_path) -> Path:
    f = tmp_path / "a_regular_file"
    f.write_text("not a directory")
    return f


@pytest.mark.parametrize("option", ["--json", "--junit"])
@pytest.mark.parametrize("where", ["under_a_file", "proc"])
def test_unwritable_check_outputs_are_one_line_exit_2(demo, tmp_path, capsys, option, where):
    path = (str(_under_a_file(tmp_path) / "out.xml") if where == "under_a_file"
            else "/proc/lazyrich-no-such-dir/out.xml")
    assert _run(tmp_path, "badinput", "--claims", demo, option, path) == 2
    _one_error_line(capsys, option, repr(path), "cannot write", "writable path")


@pytest.mark.parametrize("where", ["under_a_file", "proc"])
def test_unwritable_report_dir_is_one_line_exit_2(demo, tmp_path, capsys, where):
    path = (str(_under_a_file(tmp_path) / "report") if where == "under_a_file"
            else "/proc/lazyrich-no-such-dir/report")
    code = main(["report", "badinput", "--claims", demo, "-j1", "-q", "--cache-dir",
                 str(tmp_path / "cache"), "--out", path])
    assert code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    assert err.startswith("lazyrich: error: --out") and repr(path) in err, err


@pytest.mark.parametrize("content,words", [
    (None, "cannot read it"), ("{not json", "not JSON"),
    ('{"claims": []}', "'schema' is a required property"),
    ("[1, 2]", "is not of type 'object'"), ('{"a": NaN}', "NaN is not JSON"),
])
def test_report_from_a_missing_or_bad_results_file_is_one_line_exit_2(tmp_path, capsys,
                                                                      content, words):
    src = tmp_path / "results.json"
    if content is not None:
        src.write_text(content)
    assert main(["report", "--from", str(src), "--out", str(tmp_path / "rep")]) == 2
    _one_error_line(capsys, "--from", words)


def test_report_unknown_format_is_one_line_exit_2(tmp_path, capsys):
    assert main(["report", "--from", str(tmp_path / "x.json"), "--format", "html,docx"]) == 2
    _one_error_line(capsys, "--format", "docx")


def test_an_unwritable_cache_dir_warns_and_still_decides(demo, tmp_path, capsys):
    cache = _under_a_file(tmp_path) / "cache"
    out = tmp_path / "r.json"
    assert main(["check", "badinput", "--claims", demo, "-j1", "-q", "--cache-dir", str(cache),
                 "--json", str(out)]) == 0
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("\n") == 1, err
    assert "could not write the cache" in err
    assert json.loads(out.read_text())["claims"][0]["verdict"] == "verified"


def test_json_to_a_symlink_writes_through(demo, tmp_path):
    target = tmp_path / "real.json"
    target.write_text("")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    assert _run(tmp_path, "badinput", "--claims", demo, "--json", str(link)) == 0
    assert link.is_symlink() and json.loads(target.read_text())["claims"]


# ---------------------------------------------------------------------------------------------
# a corrupted cache entry: detected, reported, recomputed, never trusted
# ---------------------------------------------------------------------------------------------
def _tampered(text: str) -> str:
    entry = json.loads(text)
    entry["payload"]["record"]["verdict"] = "refuted"       # checksum left as it was
    entry["payload"]["record"]["checks"][0]["verdict"] = "refuted"
    return json.dumps(entry)


def _forged(text: str) -> str:
    """Flip the verdict and recompute the integrity field as a plain SHA-256 of the payload,
    as anyone could: only the key kept outside the cache directory can make a valid MAC."""
    import hashlib
    entry = json.loads(text)
    entry["payload"]["record"]["verdict"] = "refuted"
    entry["payload"]["record"]["checks"][0]["verdict"] = "refuted"
    entry["mac"] = hashlib.sha256(json.dumps(entry["payload"], sort_keys=True).encode()).hexdigest()
    return json.dumps(entry)


CORRUPTIONS = {
    "forged-checksum": _forged,
    "garbage": lambda text: "\x00\xffnot json at all",
    "truncated": lambda text: text[: len(text) // 2],
    "empty": lambda text: "",
    "checksum-mismatch": _tampered,
    "not-an-object": lambda text: "[1, 2, 3]",
}


@pytest.mark.parametrize("kind", sorted(CORRUPTIONS))
def test_a_corrupted_cache_entry_is_detected_and_rebuilt(demo, tmp_path, capsys, kind):
    out = tmp_path / "r.json"
    args = ["badinput", "--claims", demo, "--json", str(out)]
    assert _run(tmp_path, *args) == 0
    from lazyrich.engine._cache import entry_path
    entry = entry_path(tmp_path / "cache", "badinput.eq1")
    assert entry.exists()
    capsys.readouterr()
    entry.write_text(CORRUPTIONS[kind](entry.read_text()))

    assert _run(tmp_path, *args) == 0
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    assert "corrupted" in err and str(entry) in err and "recomputing badinput.eq1" in err
    rec = json.loads(out.read_text())["claims"][0]
    assert rec["cached"] is False and rec["verdict"] == "verified", rec

    # rebuilt: the next run is served from the cache again, silently
    assert _run(tmp_path, *args) == 0
    assert capsys.readouterr().err == ""
    rec = json.loads(out.read_text())["claims"][0]
    assert rec["cached"] is True and rec["verdict"] == "verified"


# ---------------------------------------------------------------------------------------------
# end to end: the installed script
# ---------------------------------------------------------------------------------------------
def _script() -> list[str]:
    exe = Path(sys.executable).with_name("lazyrich")
    return [str(exe)] if exe.exists() else [sys.executable, "-c",
                                            "import sys; from lazyrich.engine.cli import main; "
                                            "sys.exit(main())"]


@pytest.mark.parametrize("case", ["unknown-id", "json-under-a-file"])
def test_the_script_prints_one_line_and_exits_2(demo, tmp_path, case):
    args = ["check", "badinput.eq1", "--claims", demo, "-j1", "-q", "--cache-dir",
            str(tmp_path / "cache")]
    if case == "unknown-id":
        args[1] = "badinput.eq404"
    else:
        args += ["--json", str(_under_a_file(tmp_path) / "r.json")]
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    proc = subprocess.run(_script() + args, capture_output=True, text=True, env=env,
                          timeout=300)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.splitlines()) == 1, proc.stderr
    assert proc.stderr.startswith("lazyrich: error: ")


# ---------------------------------------------------------------------------------------------
# the table of docs/bad-input.md: each row a bad invocation, its exit code and message words
# ({demo} is a claims file with one claim 'badinput.eq1', {tmp} a private folder, {afile} a
# regular file); tests/make_bad_input_doc.py renders it with the messages this checkout prints
# ---------------------------------------------------------------------------------------------
CLI_CASES = [
    ("an unknown claim id", ["check", "badinput.eq9", "--claims", "{demo}"], 2,
     ["no claim matches pattern 'badinput.eq9'"]),
    ("an id prefix that does not end at a dot", ["list", "domine2025.thm"], 2,
     ["'domine2025.thm*'"]),
    ("a claims file that does not exist", ["list", "--claims", "{tmp}/missing.py"], 2,
     ["no such file"]),
    ("a claims file that raises at import", ["list", "--claims", "{tmp}/raises.py"], 2,
     ["importing it failed, line 2", "ZeroDivisionError"]),
    ("a claims file that calls sys.exit", ["list", "--claims", "{tmp}/exits.py"], 2,
     ["SystemExit"]),
    ("a claims file without claims", ["list", "--claims", "{tmp}/noclaims.py"], 2,
     ["defines no Claim object"]),
    ("a claim with an id that is a path", ["list", "--claims", "{tmp}/pathid.py"], 2,
     ["must look like"]),
    ("no workers", ["check", "badinput", "--claims", "{demo}", "--jobs", "0"], 2,
     ["--jobs must be >= 1"]),
    ("a malformed scheduler address",
     ["check", "badinput", "--claims", "{demo}", "--scheduler", "notanaddress"], 2,
     ["--scheduler 'notanaddress'"]),
    ("--json under a regular file", ["check", "badinput", "--claims", "{demo}", "--json",
                                     "{afile}/r.json"], 2, ["--json", "cannot write"]),
    ("--json in /proc", ["check", "badinput", "--claims", "{demo}", "--json",
                         "/proc/lazyrich-x/r.json"], 2, ["--json", "cannot write"]),
    ("an empty --json", ["check", "badinput", "--claims", "{demo}", "--json", ""], 2,
     ["an empty path"]),
    ("--json pointing at the claims file", ["check", "badinput", "--claims", "{demo}",
                                            "--json", "{demo}"], 2,
     ["would destroy it"]),
    ("report --out under a regular file", ["report", "badinput", "--claims", "{demo}", "--out",
                                           "{afile}/rep"], 2, ["--out", "cannot write"]),
    ("report --out ''", ["report", "badinput", "--claims", "{demo}", "--out", ""], 2,
     ["an empty path"]),
    ("report --from a missing file", ["report", "--from", "{tmp}/nope.json"], 2,
     ["cannot read it"]),
    ("report --from a JSON list", ["report", "--from", "{tmp}/list.json"], 2,
     ["is not of type 'object'"]),
    ("report --from a document of another schema", ["report", "--from", "{tmp}/v1.json"], 2,
     ["'lazyrich.results/2' was expected"]),
    ("an unknown report format", ["report", "--from", "{tmp}/nope.json", "--format", "docx"], 2,
     ["--format 'docx'"]),
    ("export without an output", ["export", "badinput", "--claims", "{demo}"], 2,
     ["give --latex FILE and/or --badges DIR"]),
    ("mutate with no workers", ["mutate", "badinput", "--claims", "{demo}", "--jobs", "0"], 2,
     ["--jobs must be >= 1"]),
    ("a sweep grid of 10^8 cells",
     ["sweep", "tu2024.phase-diagram", "--grid=0:9999:1,0:9999:1", "--out", "{tmp}/sw"], 2,
     ["cells"]),
    ("a sweep at an unreachable scheduler",
     ["sweep", "tu2024.phase-diagram", "--scheduler", "notanaddress", "--out", "{tmp}/sw"], 2,
     ["--scheduler 'notanaddress'"]),
]

_CLI_FILES = {
    "raises.py": "import math\nx = 1/0\n",
    "exits.py": "import sys; sys.exit(3)\n",
    "noclaims.py": "x = 1\n",
    "pathid.py": "from lazyrich import Claim, Source\n"
                 "c = Claim(id='/etc/passwd.x', title='', source=Source('p', 'x'), "
                 "statement='')\n",
    "list.json": "[1, 2]\n",
    "v1.json": '{"schema": "lazyrich.results/1", "claims": [], "summary": {}, '
               '"environment": {}}\n',
}


def cli_case_setup(tmp: Path) -> dict:
    """Make the files the table refers to in ``tmp``; returns the placeholders."""
    (tmp / "demo_claims.py").write_text(DEMO)
    (tmp / "afile").write_text("a regular file\n")
    for name, text in _CLI_FILES.items():
        (tmp / name).write_text(text)
    return {"{demo}": str(tmp / "demo_claims.py"), "{tmp}": str(tmp),
            "{afile}": str(tmp / "afile")}


def cli_case_run(argv, places: dict, cache: Path):
    """Run one row in-process: (exit code, stderr)."""
    import contextlib
    import io

    args = []
    for a in argv:
        for k, v in places.items():
            a = a.replace(k, v)
        args.append(a)
    if args[0] in ("check", "report", "export"):
        args += ["-q", "--cache-dir", str(cache)] + ([] if "--jobs" in args else ["-j1"])
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        code = main(args)
    return code, err.getvalue()


@pytest.mark.parametrize("label,argv,code,words", CLI_CASES, ids=[c[0] for c in CLI_CASES])
def test_the_documented_table(tmp_path, label, argv, code, words):
    places = cli_case_setup(tmp_path)
    got, err = cli_case_run(argv, places, tmp_path / "cache")
    assert got == code, (label, got, err)
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("lazyrich: error: "), err
    for w in words:
        assert w in lines[0], (w, lines[0])
