"""The ``lazyrich`` command line: ``list``, ``check`` and ``report``.

Exit codes: 0 when every claim got the verdict it expects (documented errata are expected
``refuted``) and nothing errored; 1 when a claim failed, errored, or an erratum unexpectedly
passed (and, with ``--strict``, when one is inconclusive); 2 for bad usage or bad input.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import threading
import time
from pathlib import Path

from .._errors import LazyrichError

from ._run import RunOptions, run_claims
from ._registry import discover, read_source, select

_MARK = {"proved": "∎", "verified": "✓", "inconclusive": "?", "refuted": "✗", "error": "!"}


def _add_selection(p: argparse.ArgumentParser) -> None:
    p.add_argument("patterns", nargs="*", metavar="PATTERN",
                   help="claim ids, globs (domine2025.thm5.*) or prefixes (domine2025); "
                        "default: all")
    p.add_argument("--claims", action="append", default=[], metavar="PATH",
                   help="also load the claims defined in this Python file (repeatable)")


def _add_run(p: argparse.ArgumentParser) -> None:
    p.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                   help="worker processes (default and maximum: the CPU count); each claim "
                        "runs in a worker that is stopped if it passes its timeout")
    p.add_argument("--in-process", action="store_true",
                   help="run the claims in this process, one after the other (for debugging "
                        "with pdb; a check that exits or hangs then stops the run)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="use an existing Dask cluster (e.g. tcp://host:8786); lazyrich must "
                        "be installed on its workers")
    p.add_argument("--no-cache", action="store_true",
                   help="recompute every claim (the cache is then refreshed)")
    p.add_argument("--cache-dir", metavar="DIR",
                   help="cache directory (default $LAZYRICH_CACHE_DIR, else ~/.cache/lazyrich)")
    p.add_argument("--strict", action="store_true",
                   help="also fail (exit 1) when a claim is inconclusive")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress lines")


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="lazyrich",
        description="Machine-check the closed-form results of papers on learning dynamics "
                    "in two-layer linear networks.")
    from .. import __version__

    ap.add_argument("--version", action="version", version=f"lazyrich {__version__}")
    sub = ap.add_subparsers(dest="command", required=True)

    p = sub.add_parser("list", help="list the claims and where they are printed")
    _add_selection(p)

    p = sub.add_parser("check", help="run the checks and print a verdict table")
    _add_selection(p)
    _add_run(p)
    p.add_argument("--json", metavar="FILE", help="write the results document (JSON) here")
    p.add_argument("--junit", metavar="FILE", help="write JUnit XML here")

    p = sub.add_parser("report", help="run the checks (or read --from) and write an HTML report")
    _add_selection(p)
    _add_run(p)
    p.add_argument("--out", default="lazyrich-report", metavar="DIR",
                   help="output directory (default: ./lazyrich-report)")
    p.add_argument("--from", dest="from_json", metavar="RESULTS.json",
                   help="render a previous run's results instead of running the checks")
    p.add_argument("--format", default="html", metavar="FORMATS",
                   help="comma-separated formats among html, latex, pdf (default: html)")
    p.add_argument("--no-figures", action="store_true",
                   help="skip the paper figures (faster)")

    p = sub.add_parser("export", help="export verdicts and measured numbers into a paper: "
                                      "LaTeX macros (\\input them) and SVG status badges")
    _add_selection(p)
    _add_run(p)
    p.add_argument("--from", dest="from_json", metavar="RESULTS.json",
                   help="export a previous run's results instead of running the checks")
    p.add_argument("--latex", metavar="FILE", help="write the LaTeX macros here")
    p.add_argument("--badges", metavar="DIR", help="write one SVG badge per paper here")
    p.add_argument("--url", metavar="BASE",
                   help="where the HTML report is published: \\lazyrichlink{id}{text} then "
                        "links to BASE/claims/<id>.html")

    p = sub.add_parser("mutate", help="feed each claim automatically derived wrong formulas "
                                      "and report which survive and the detection threshold")
    _add_selection(p)
    p.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                   help="worker processes (default: CPU count; 1 runs in this process)")
    p.add_argument("--no-cache", action="store_true",
                   help="re-measure every claim (the cache is then refreshed)")
    p.add_argument("--cache-dir", metavar="DIR",
                   help="cache directory (default $LAZYRICH_CACHE_DIR or the user cache)")
    p.add_argument("--no-threshold", action="store_true",
                   help="skip the detection-threshold bisection (faster)")
    p.add_argument("--json", metavar="FILE", help="write the mutation document (JSON) here")
    p.add_argument("--verbose", "-v", action="store_true",
                   help="list every mutant, not only the survivors")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress lines")

    from ._sweep import add_sweep_parser

    add_sweep_parser(sub)
    return ap


def _load(args) -> tuple[list, tuple]:
    user_files = []
    for path in args.claims:
        p = Path(path)
        if not p.is_file():
            raise LazyrichError(f"--claims {path!r}: no such file. Pass the path of a Python "
                                f"file that defines Claim objects.")
        user_files.append((str(p.resolve()), read_source(p)))
    user_files = tuple(user_files)
    claims = select(discover(list(user_files)), args.patterns)
    return claims, user_files


class _Progress:
    """One line per finished claim; while claims run, which ones and for how long (a live line
    on a terminal, else a line every few seconds), so that no long step is silent."""

    EVERY = 5.0

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.tty = sys.stderr.isatty()
        self.last = 0.0

    def __call__(self, record: dict, n: int, total: int) -> None:
        if not self.enabled:
            return
        tag = "cached" if record.get("cached") else f"{record.get('seconds', 0):.1f}s"
        line = f"[{n:>{len(str(total))}}/{total}] {_MARK[record['verdict']]} " \
               f"{record['verdict']:<12} {record['id']} ({tag})"
        sys.stderr.write(("\r\033[K" if self.tty else "") + line + "\n")
        sys.stderr.flush()

    def running(self, items: list[tuple[str, float]]) -> None:
        if not self.enabled or not items:
            return
        now = time.monotonic()
        if not self.tty and now - self.last < self.EVERY:
            return
        self.last = now
        text = "running: " + ", ".join(f"{cid} ({secs:.0f} s)" for cid, secs in
                                       sorted(items, key=lambda x: -x[1]))
        if self.tty:
            width = shutil.get_terminal_size((100, 20)).columns - 1
            sys.stderr.write("\r\033[K" + text[:width])
        else:
            sys.stderr.write(text + "\n")
        sys.stderr.flush()


def _fmt_err(check: dict) -> str:
    e, tol = check["max_error"], check["tolerance"]
    if e is None:
        return "-"
    e = float(e)
    return f"{e:.1e}" + (f" ≤ {tol:.0e}" if tol is not None and e <= tol else
                         f" > {tol:.0e}" if tol is not None else "")


def _table(results: dict) -> str:
    rows = [("claim", "verdict", "statement", "implementation", "outcome",
             "worst check (error vs tolerance)", "detects", "time")]
    for c in results["claims"]:
        worst = max(c["checks"], key=lambda ch: {"proved": 0, "verified": 1, "inconclusive": 2,
                                                 "error": 3, "refuted": 4}[ch["verdict"]])
        t = "cached" if c.get("cached") else f"{c['seconds']:.1f}s"
        mut = c.get("mutation") or {}
        rows.append((c["id"], f"{_MARK[c['verdict']]} {c['verdict']}",
                     (c.get("statement_verdict") or {}).get("verdict", "?"),
                     (c.get("implementation_verdict") or {}).get("verdict", "?"),
                     c["outcome"], f"{worst['name']}: {_fmt_err(worst)}",
                     mut.get("threshold_text", "-"), t))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    s = results["summary"]
    counts = ", ".join(f"{n} {v}" for v, n in s["by_verdict"].items() if n)
    lines.append("")
    lines.append(f"{s['claims']} claims: {counts or 'none'}")
    st = s.get("by_statement", {})
    lines.append(f"statements proved over their full scope: {st.get('proved', 0)} of "
                 f"{s['claims']}" + (f"; exact only on a restricted scope: "
                                     f"{len(s['restricted_scope'])}"
                                     if s.get("restricted_scope") else ""))
    if s["errata"]:
        lines.append(f"errata (refuted as documented, not failures): {len(s['errata'])}")
        for cid in s["errata"]:
            c = next(c for c in results["claims"] if c["id"] == cid)
            fix = f" -> corrected: {c['corrected_by']}" if c.get("corrected_by") else ""
            lines.append(f"  {cid}{fix}")
    if s["failures"]:
        lines.append(f"FAILED: {len(s['failures'])}")
        for cid in s["failures"]:
            c = next(c for c in results["claims"] if c["id"] == cid)
            bad = [ch for ch in c["checks"] if ch["verdict"] not in ("proved", "verified")]
            why = bad[0]["detail"].splitlines()[0] if bad and bad[0]["detail"] else ""
            lines.append(f"  {cid}: {c['outcome']} ({c['verdict']}) {why}")
    else:
        lines.append("OK: every claim got the verdict it expects")
    return "\n".join(lines)


def _run(args, claims, user_files) -> dict:
    if args.jobs is not None and args.jobs < 1:
        raise LazyrichError(f"--jobs must be >= 1; got {args.jobs}.")
    progress = _Progress(not args.quiet)
    opts = RunOptions(jobs=args.jobs, scheduler=args.scheduler, use_cache=not args.no_cache,
                      cache_dir=args.cache_dir, strict=args.strict, user_files=user_files,
                      in_process=args.in_process, on_result=progress,
                      on_running=progress.running)
    return run_claims(claims, opts)


def _check_writable(path: str | None, what: str, *, directory: bool = False) -> None:
    """Fail before any claim runs if ``path`` (an output file, or with ``directory`` an output
    directory) cannot be written."""
    if path is None:
        return
    if not str(path).strip():
        raise LazyrichError(f"{what} {path!r}: an empty path. Give a file or directory name.")
    p = Path(path)
    parent = p.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    problem = None
    if p.exists() and p.is_dir() != directory:
        problem = "it is a file, not a directory" if directory else "it is a directory"
    elif not parent.is_dir():
        problem = f"{str(parent)!r} is not a directory"
    elif not os.access(parent, os.W_OK) and not (p.exists() and os.access(p, os.W_OK)):
        problem = "permission denied"
    elif not p.exists():
        problem = _probe(p.parent if not directory else p)
    if problem:
        raise LazyrichError(f"{what} {path!r}: cannot write ({problem}). Choose a writable "
                            f"path.")


def _probe(folder: Path) -> str | None:
    """Really try to make ``folder`` (and a file in it), then undo it: permission bits say
    nothing about /proc, read-only mounts or a full disk."""
    made = []
    try:
        missing = [folder, *folder.parents]
        missing = [d for d in missing if not d.exists()]
        for d in reversed(missing):
            d.mkdir()
            made.append(d)
        import tempfile
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".lazyrich-probe-"):
            pass
        return None
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    finally:
        for d in reversed(made):
            try:
                d.rmdir()
            except OSError:
                pass


def _write(path: str, text: str, what: str) -> None:
    """Write ``text`` atomically to a regular file (temp file + rename); write through a
    symlink to its target, and straight into a device or pipe (e.g. /dev/stdout)."""
    p = Path(path)
    try:
        if p.is_symlink():
            p = p.resolve()
        if p.exists() and not p.is_file():
            with open(p, "w") as f:
                f.write(text)
            return
        if p.parent and not p.parent.exists():
            p.parent.mkdir(parents=True)
        tmp = p.with_name(f".{p.name}.tmp")
        try:
            tmp.write_text(text)
            os.replace(tmp, p)
        except BaseException:
            try:
                tmp.unlink()
            except OSError:
                pass
            raise
    except OSError as exc:
        raise LazyrichError(f"{what} {path!r}: cannot write ({exc.strerror}). Choose a "
                            f"writable path.") from None


def _export(args) -> int:
    from .. import __version__
    from ._export import badges, latex_macros

    if not args.latex and not args.badges:
        raise LazyrichError("export: give --latex FILE and/or --badges DIR.")
    _check_writable(args.latex, "--latex")
    _check_writable(args.badges, "--badges", directory=True)
    _refuse_overwriting_sources(args, [args.latex])
    if args.from_json:
        results = _read_results(args.from_json)
    else:
        claims, user_files = _load(args)
        results = _run(args, claims, user_files)
    if args.latex:
        _write(args.latex, latex_macros(results, url=args.url, version=__version__), "--latex")
        print(f"LaTeX macros: {args.latex}")
    if args.badges:
        out = Path(args.badges)
        out.mkdir(parents=True, exist_ok=True)
        for name, svg in badges(results).items():
            _write(str(out / name), svg, "--badges")
            print(f"badge: {out / name}")
    return results["summary"]["exit_code"]


def _refuse_overwriting_sources(args, outputs) -> None:
    """An output path that is one of the inputs (a --claims file, the --from document) would
    destroy it: refuse before running anything."""
    inputs = [Path(p) for p in getattr(args, "claims", [])]
    if getattr(args, "from_json", None):
        inputs.append(Path(args.from_json))
    for out in outputs:
        if not out:
            continue
        for src in inputs:
            try:
                same = Path(out).resolve() == src.resolve()
            except OSError:
                same = False
            if same:
                raise LazyrichError(f"output {out!r} is the input {str(src)!r}: writing it "
                                    f"would destroy it. Choose another path.")


def _read_results(path: str) -> dict:
    """A results document from a file, validated against the schema and made honest
    (verdicts, outcomes and summary recomputed from the check records)."""
    from ._results import validate

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise LazyrichError(f"--from {path!r}: cannot read it ({exc.strerror}). Write one with "
                            f"`lazyrich check --json FILE`.") from None
    if len(data) > 200 * 2**20:
        raise LazyrichError(f"--from {path!r}: {len(data) / 2**20:.0f} MiB is not a results "
                            f"document lazyrich wrote (they are a few MiB).")
    try:
        doc = json.loads(data.decode("utf-8"), parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise LazyrichError(f"--from {path!r}: not JSON ({str(exc)[:120]}). Write one with "
                            f"`lazyrich check --json FILE`.") from None
    return validate(doc, what=f"--from {path!r}: results")


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON (lazyrich writes non-finite numbers as strings)")


def _mutate(args) -> int:
    from ._mutate import run_mutations, threshold_text

    if args.jobs is not None and args.jobs < 1:
        raise LazyrichError(f"--jobs must be >= 1; got {args.jobs}.")
    _check_writable(args.json, "--json")
    _refuse_overwriting_sources(args, [args.json])
    claims, user_files = _load(args)

    def progress(rec, n, total):
        if args.quiet:
            return
        tag = "cached" if rec.get("cached") else f"{rec['seconds']:.1f}s"
        if rec["status"] == "ok":
            what = (f"killed {rec['killed']}/{rec['total']}, threshold {threshold_text(rec)}"
                    f"{'' if rec['ok'] else '  << ' + str(len(rec['problems'])) + ' problem(s)'}")
        else:
            what = f"{rec['status']}: {rec['detail']}"
        print(f"[{n:>{len(str(total))}}/{total}] {rec['id']}: {what} ({tag})", file=sys.stderr,
              flush=True)

    doc = run_mutations(claims, jobs=args.jobs or os.cpu_count() or 1, user_files=user_files,
                        use_cache=not args.no_cache, cache_dir=args.cache_dir,
                        threshold=not args.no_threshold, on_result=progress,
                        warn=lambda m: print(m, file=sys.stderr))
    if args.json:
        _write(args.json, json.dumps(doc, indent=1, sort_keys=True), "--json")
    rows = [("claim", "killed/total", "survived", "equivalent", "threshold", "target")]
    for r in doc["claims"]:
        if r["status"] != "ok":
            rows.append((r["id"], r["status"], "", "", "", ""))
            continue
        rows.append((r["id"], f"{r['killed']}/{r['total']}", str(r["survived"]),
                     str(r["equivalent"]), threshold_text(r), f"{r['target']:.0e}"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    for r in doc["claims"]:
        shown = [m for m in r["mutants"] if args.verbose or m["status"] in ("survived",)]
        if shown or r.get("problems"):
            lines.append("")
            lines.append(f"{r['id']}:")
            for m in shown:
                why = m["how"] or m["reason"]
                lines.append(f"  {m['status']:<14} {m['name']}" + (f"  ({why})" if why else ""))
            for p in r.get("problems", []):
                if not p.startswith(f"{r['survived']} mutant"):
                    lines.append(f"  problem: {p}")
    s = doc["summary"]
    lines.append("")
    lines.append(f"{s['mutated']} claims mutated ({len(s['skipped'])} skipped: errata or no "
                 f"formulas): {s['killed']} of {s['total']} mutants killed, {s['survived']} "
                 f"survived, {s['equivalent']} equivalent (explained)")
    if s["errors"]:
        lines.append(f"errors: {', '.join(s['errors'])}")
    lines.append("OK: every mutant killed or explained, every threshold within its target"
                 if not s["not_ok"] else f"NOT OK: {len(s['not_ok'])} claim(s): "
                                         f"{', '.join(s['not_ok'])}")
    print("\n".join(lines))
    return s["exit_code"]


def _report_figures(args, results):
    """What ``render(figures=...)`` gets: the engine's figures of the papers in the report
    (computed, or read from the cache), or False with ``--no-figures``; the built-in papers
    are registered either way, so that every page names them."""
    from ._figures import for_report, load_builtin

    if not args.no_figures:
        return for_report(args.cache_dir)
    claims = results.get("claims") if isinstance(results, dict) else None
    papers = {c["source"].get("paper") for c in claims if isinstance(c, dict)
              and isinstance(c.get("source"), dict)} if isinstance(claims, list) else set()
    load_builtin(sorted(p for p in papers if isinstance(p, str)))
    return False


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "list":
            claims, _ = _load(args)
            for c in claims:
                exp = "  [erratum: expected refuted]" if c.expected == "refuted" else ""
                print(f"{c.id:<34} {c.source.ref:<28} {c.title}{exp}")
            print(f"{len(claims)} claims")
            return 0
        if args.command == "check":
            _check_writable(args.json, "--json")
            _check_writable(args.junit, "--junit")
            _refuse_overwriting_sources(args, [args.json, args.junit])
            claims, user_files = _load(args)
            results = _run(args, claims, user_files)
            if args.json:
                _write(args.json, json.dumps(results, indent=1, sort_keys=True), "--json")
            if args.junit:
                from ._junit import junit_xml
                _write(args.junit, junit_xml(results), "--junit")
            print(_table(results))
            return results["summary"]["exit_code"]
        if args.command == "export":
            return _export(args)
        if args.command == "mutate":
            return _mutate(args)
        if args.command == "sweep":
            from ._sweep import run_sweep

            return run_sweep(args)
        if args.command == "report":
            from lazyrich.reports import FORMATS, render
            from lazyrich.reports._latex import require_tex

            formats = [f.strip() for f in args.format.split(",") if f.strip()]
            bad = [f for f in formats if f not in FORMATS]
            if bad or not formats:
                raise LazyrichError(f"--format {args.format!r}: choose from "
                                    f"{', '.join(FORMATS)} (comma-separated).")
            if "pdf" in formats:
                require_tex()  # fail before running any check
            _check_writable(args.out, "--out", directory=True)
            _refuse_overwriting_sources(args, [args.out])
            if args.from_json:
                results = _read_results(args.from_json)
            else:
                claims, user_files = _load(args)
                results = _run(args, claims, user_files)
                print(_table(results))
            paths = render(results, args.out, formats, figures=_report_figures(args, results),
                           cache_dir=args.cache_dir,
                           progress=False if getattr(args, "quiet", False) else None)
            for fmt, path in paths.items():
                print(f"report ({fmt}): {path}")
            return results["summary"]["exit_code"]
    except LazyrichError as exc:
        print(f"lazyrich: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("lazyrich: interrupted", file=sys.stderr)
        return 130
    return 2


def entry() -> None:
    """The ``lazyrich`` console script: :func:`main`, then exit with its code even if a claims
    file or a check left a non-daemon thread running (which would otherwise keep the process
    alive after the results are written)."""
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    if any(t.is_alive() and not t.daemon for t in threading.enumerate()
           if t is not threading.main_thread()):
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    entry()
