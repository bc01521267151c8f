"""The LaTeX document (the same content as the HTML site) and its compilation to PDF.

Everything from the results document reaches TeX only through :mod:`reports._tex` (math rebuilt
from an allow-list of macros, text with every special character escaped): no control sequence
of the input is ever executed. The PDF is typeset by LuaLaTeX with ``unicode-math`` (so ``≠``
is one glyph, and copies as ``≠``), or by pdflatex with the Unicode characters spelled as
commands where LuaLaTeX's font support is not installed. TeX runs with ``openin_any=p`` and
``openout_any=p`` (no file outside the build directory is read or written), without shell
escape or sockets, with a time limit and, where the platform allows, a memory limit.
Without a TeX toolchain :func:`require_tex` raises a :class:`LazyrichError` that says what to
install — no stub PDF is ever written.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import jinja2

from lazyrich._errors import LazyrichError

from . import _display, _tex, _text
from ._model import IMPLEMENTATION_VERDICTS, STATEMENT_VERDICTS, VERDICTS, ReportModel, \
    fmt_sci, percent

TEX_PACKAGES = ("texlive-latex-base", "texlive-latex-recommended", "texlive-luatex",
                "texlive-fonts-recommended")
TEX_TIMEOUT_S = 300         # per TeX run
TEX_MEMORY_BYTES = 4 << 30  # address space of a TeX run
_LUA_FILES = ("fontspec.sty", "unicode-math.sty", "luaotfload.sty", "latinmodern-math.otf",
              "lmroman10-regular.otf")

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("lazyrich.reports", "templates"),
    block_start_string="((*", block_end_string="*))",
    variable_start_string="(((", variable_end_string=")))",
    comment_start_string="((=", comment_end_string="=))",
    autoescape=False, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class Toolchain:
    """How the PDF is compiled: ``engine`` (``lualatex`` or ``pdflatex``) and its path."""

    engine: str
    executable: str

    def __iter__(self):  # ``cmd[0]``-style access for older callers
        return iter((self.engine, self.executable))

    def __getitem__(self, i):
        return (self.engine, self.executable)[i]


def _kpse_has(names) -> bool:
    kpse = shutil.which("kpsewhich")
    if kpse is None:
        return False
    try:
        proc = subprocess.run([kpse, *names], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return len([ln for ln in proc.stdout.splitlines() if ln.strip()]) == len(names)


def tex_toolchain() -> Toolchain | None:
    """The engine that compiles ``report.tex`` here (LuaLaTeX with fontspec and unicode-math
    preferred, else pdflatex), or None without a TeX toolchain."""
    lua = shutil.which("lualatex")
    if lua and _kpse_has(_LUA_FILES):
        return Toolchain("lualatex", lua)
    pdf = shutil.which("pdflatex")
    if pdf:
        return Toolchain("pdflatex", pdf)
    return None


def require_tex() -> Toolchain:
    """The toolchain; raises when no TeX toolchain is installed.

    Raises:
        LazyrichError: neither LuaLaTeX (with fontspec, unicode-math) nor pdflatex is usable.
    """
    tc = tex_toolchain()
    if tc is None:
        raise LazyrichError(
            "format 'pdf' needs a TeX toolchain (LuaLaTeX with fontspec and unicode-math, or "
            "pdflatex), and none is on PATH. Install it (Debian/Ubuntu: apt-get install "
            "--no-install-recommends " + " ".join(TEX_PACKAGES) + "), or ask for "
            "--format html,latex and compile report.tex yourself.")
    return tc


# ------------------------------------------------------------------------------ content

class _Tex:
    """The helpers the template uses, for one engine."""

    def __init__(self, unicode_ok: bool):
        self.u = unicode_ok

    def text(self, s) -> str:
        return _text.tex(s, unicode_ok=self.u)

    def raw(self, s) -> str:
        return _tex.tex_text(s, unicode_ok=self.u)

    def ident(self, s) -> str:
        """An id or name in typewriter type, breakable after '.', '-' and '_'."""
        t = _tex.tex_text(s, unicode_ok=self.u)
        t = re.sub(r"(\.|-|\\_)", r"\1\\allowbreak{}", t)
        return r"\texttt{" + t + "}"

    @staticmethod
    def comment(s) -> str:
        """An id for a ``%`` comment line (only safe characters)."""
        return re.sub(r"[^A-Za-z0-9._+-]", "?", str(s))[:200]

    def math(self, s) -> str:
        return _tex.tex_math(s, unicode_ok=self.u)

    def huge(self, latex) -> bool:
        return _display.is_huge(latex)

    def linear(self, latex) -> str:
        """A formula too long to typeset, as text that wraps (see :mod:`reports._display`)."""
        return _text.tex_runs(_display.linear_runs(latex), unicode_ok=self.u)

    def lines(self, latex, width: int = 80) -> list[str]:
        return [self.math(line) for line in _display.lines(latex, width)]

    def num(self, x) -> str:
        return r"\mbox{" + _tex.tex_text(fmt_sci(x), unicode_ok=self.u) + "}"

    def point(self, value) -> str:
        if not isinstance(value, dict):
            return r"\texttt{" + self.raw(json.dumps(value, default=str)[:1000]) + "}"
        rows = []
        for k, v in list(value.items())[:40]:
            if isinstance(v, dict):
                cell = self.point(v)
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                cell = self.num(v)
            else:
                s = v if isinstance(v, str) else json.dumps(v, default=str)
                cell = self.value(s[:1500])
            rows.append(self.text(str(k)[:200]) + " & " + cell + r"\\")
        return (r"{\small\begin{tabular}{@{}l>{\raggedright\arraybackslash}p{0.7\linewidth}@{}}"
                + "\n".join(rows) + r"\end{tabular}}")

    def value(self, s: str) -> str:
        t = s.strip()
        try:
            return self.num(float(t))
        except ValueError:
            pass
        if re.match(r"^[\s\w.+\-*/^()=,\\{}\[\]|<>']+$", t) and \
                re.search(r"[*^/()\\+=]|\d\s*-|-\s*\d", t) and len(t) < 600:
            tex = re.sub(r"\*\*", "^", t).replace("*", r" \cdot ")
            tex = re.sub(r"\^(\(?[-\w.]+\)?)", lambda m: "^{" + m.group(1) + "}", tex)
            tex = re.sub(r"sqrt\(", r"\\sqrt(", tex)
            return r"\ensuremath{" + self.math(tex) + "}"
        return self.text(t)


def _label(cid: str) -> str:
    return "claim-" + hashlib.sha256(cid.encode("utf-8", "replace")).hexdigest()[:16]


def write_latex(model: ReportModel, dest: Path, figures: list[dict], *,
                plots: dict | None = None, engine: str | None = None) -> Path:
    """Write ``report.tex`` and its plots (PDF files) into ``dest``; return the .tex path.

    Arguments:
        model: the report model.
        dest: an empty directory.
        figures: dicts with ``id``, ``paper``, ``recomputes``, ``title``, ``caption``, ``pdf``
            (bytes or None) and ``error``.
        plots: ``{(claim id, check index): PDF bytes}`` of the checks' plots.
        engine: ``"lualatex"`` (default where installed) or ``"pdflatex"``: which preamble
            and which spelling of Unicode the document uses.
    """
    from ._html import figure_heading

    plots = plots or {}
    if engine is None:
        tc = tex_toolchain()
        engine = tc.engine if tc else "lualatex"
    t = _Tex(unicode_ok=engine == "lualatex")
    dest.mkdir(parents=True, exist_ok=True)
    figs = []
    for f in figures:
        entry = {"heading": figure_heading(model, f), "caption": f["caption"],
                 "error": f.get("error") or "", "pdf": None, "claims": f.get("claims", [])}
        if f.get("pdf"):
            name = f"figures/{re.sub(r'[^A-Za-z0-9-]', '-', f['id'])}.pdf"
            (dest / "figures").mkdir(exist_ok=True)
            (dest / name).write_bytes(f["pdf"])
            entry["pdf"] = name
        figs.append(entry)
    claims = []
    for n, c in enumerate(model.claims):
        checks = []
        for i, ch in enumerate(c["checks"]):
            name = None
            pdf = plots.get((c["id"], i))
            if pdf:
                (dest / "plots").mkdir(exist_ok=True)
                name = f"plots/p{n + 1}-{i + 1}.pdf"
                (dest / name).write_bytes(pdf)
            from ._figures import check_values
            checks.append({**ch, "plot_pdf": name,
                           "recorded": check_values(ch["data"]) if name is None else []})
        claims.append({**c, "checks": checks, "label": _label(c["id"]),
                       "figs": [f for f in figs if c["id"] in f["claims"]]})
    env = model.results.get("environment") if isinstance(model.results.get("environment"),
                                                         dict) else {}
    envline = ", ".join(f"{str(k)[:40]} {str(v)[:80]}" for k, v in env.items()
                        if k != "lazyrich")
    tpl = _ENV.get_template("report.tex.j2")
    text = tpl.render(m=model, claims=claims, figs=figs, verdicts=VERDICTS,
                      statement_verdicts=STATEMENT_VERDICTS,
                      implementation_verdicts=IMPLEMENTATION_VERDICTS, pct=percent, t=t,
                      step_view=_display.step_view, label=_label, engine=engine, env=env,
                      envline=envline, by_id=model.by_id)
    path = dest / "report.tex"
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------------------ compiling

def _limits():  # pragma: no cover - runs in the child
    try:
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (TEX_MEMORY_BYTES, TEX_MEMORY_BYTES))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ImportError, ValueError, OSError):
        pass


def tex_environment(workdir: Path) -> dict:
    """The environment TeX runs in: paranoid file access, no shell escape."""
    env = dict(os.environ)
    env.update(openin_any="p", openout_any="p", shell_escape="f", shell_escape_commands="",
               TEXMFOUTPUT=str(workdir))
    return env


def compile_pdf(tex_path: Path, toolchain, *, progress=None) -> Path:
    """Compile ``tex_path`` (in its directory, twice, for references) and return the PDF.

    Raises:
        LazyrichError: the compilation failed or ran out of time; the message quotes the TeX
            error and names the claim whose text caused it.
    """
    if not isinstance(toolchain, Toolchain):  # an old-style command list
        toolchain = require_tex()
    workdir = tex_path.parent
    cmd = [toolchain.executable, "--no-shell-escape", "-interaction=nonstopmode",
           "-halt-on-error", "-file-line-error"]
    if toolchain.engine == "lualatex":
        cmd.append("--nosocket")
    cmd.append(tex_path.name)
    env = tex_environment(workdir)
    for run in (1, 2):
        start = time.monotonic()
        if progress:
            progress(f"typesetting the PDF with {toolchain.engine} (pass {run} of 2) …")
        try:
            proc = subprocess.Popen(cmd, cwd=workdir, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    text=True, env=env, preexec_fn=_limits
                                    if os.name == "posix" else None)
        except OSError as exc:
            raise LazyrichError(f"cannot run {toolchain.engine}: {exc}") from None
        output = ""
        while True:
            try:
                output, _ = proc.communicate(timeout=4.0)
                break
            except subprocess.TimeoutExpired:
                elapsed = time.monotonic() - start
                if elapsed > TEX_TIMEOUT_S:
                    proc.kill()
                    proc.communicate()
                    raise LazyrichError(f"{toolchain.engine} did not finish within "
                                        f"{TEX_TIMEOUT_S} s on {tex_path}.") from None
                if progress:
                    progress(f"typesetting the PDF (pass {run} of 2) … {elapsed:.0f} s")
        if proc.returncode != 0:
            raise LazyrichError(_explain_failure(tex_path, output or "", toolchain.engine))
    pdf = workdir / "report.pdf"
    if not pdf.is_file():
        raise LazyrichError(f"{toolchain.engine} reported success but wrote no {pdf}.")
    return pdf


def _explain_failure(tex_path: Path, output: str, engine: str = "TeX") -> str:
    log = tex_path.with_suffix(".log")
    text = log.read_text(errors="replace") if log.is_file() else output
    m = re.search(r"^(?:\./)?report\.tex:(\d+): (.*)$", text, re.M) or \
        re.search(r"^! (.*)$", text, re.M)
    where = ""
    if m and m.re.groups == 2:
        line_no, msg = int(m.group(1)), m.group(2)
        lines = tex_path.read_text(encoding="utf-8").splitlines()
        for k in range(min(line_no, len(lines)) - 1, -1, -1):
            if lines[k].startswith("% lazyrich-claim: "):
                where = f" while typesetting claim {lines[k][18:].strip()!r}"
                break
        where += f" (report.tex line {line_no})"
    else:
        msg = m.group(1) if m else (output.strip().splitlines()[-1:] or ["unknown error"])[0]
    return (f"{engine} failed{where}: {msg}. Render --format html, or report the claim's "
            f"LaTeX if it is the cause.")


def percent_tex(n, total) -> str:
    return percent(n, total).replace("%", r"\%")


def finite(x) -> bool:
    try:
        return math.isfinite(float(x))
    except (TypeError, ValueError):
        return False
