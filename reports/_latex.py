"""The LaTeX document (same content as the HTML site) and its compilation to PDF.

Statements and derivation steps are typeset from their LaTeX strings; text is escaped for
pdflatex (:func:`reports._math.latex_text`). Compilation uses ``latexmk`` (or, without it,
``pdflatex`` run twice); without a TeX toolchain :func:`require_tex` raises a
:class:`LazyrichError` that says what to install — no stub PDF is ever written.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import jinja2

from lazyrich.numerics import LazyrichError

from ._figures import check_plot, to_pdf
from ._math import latex_math, latex_text
from ._model import VERDICTS, ReportModel, fmt_sci, percent

TEX_PACKAGES = ("latexmk", "texlive-latex-base", "texlive-latex-recommended",
                "texlive-fonts-recommended")
_TEX_TIMEOUT_S = 600

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("lazyrich.reports", "templates"),
    block_start_string="((*", block_end_string="*))",
    variable_start_string="(((", variable_end_string=")))",
    comment_start_string="((=", comment_end_string="=))",
    autoescape=False, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    keep_trailing_newline=True,
)


def tex_toolchain() -> list[str] | None:
    """The command that compiles ``report.tex`` here, or None without a TeX toolchain."""
    if shutil.which("latexmk") and shutil.which("pdflatex"):
        return ["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error",
                "-file-line-error", "report.tex"]
    if shutil.which("pdflatex"):
        return ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-file-line-error",
                "report.tex"]
    return None


def require_tex() -> list[str]:
    """The compile command; raises when no TeX toolchain is installed.

    Raises:
        LazyrichError: neither ``latexmk`` + ``pdflatex`` nor ``pdflatex`` is on PATH.
    """
    cmd = tex_toolchain()
    if cmd is None:
        raise LazyrichError(
            "format 'pdf' needs a TeX toolchain (pdflatex, ideally with latexmk), and none is "
            "on PATH. Install it (Debian/Ubuntu: apt-get install --no-install-recommends "
            + " ".join(TEX_PACKAGES) + "), or ask for --format html,latex and compile "
            "report.tex yourself.")
    return cmd


def write_latex(model: ReportModel, dest: Path, figures: list[dict]) -> Path:
    """Write ``report.tex`` and its plots (PDF files) into ``dest``; return the .tex path.

    Arguments:
        model: the report model.
        dest: an empty directory.
        figures: dicts with ``id``, ``title``, ``caption``, ``figure`` (a matplotlib figure or
            None) and ``error``.
    """
    dest.mkdir(parents=True, exist_ok=True)
    figs = []
    for f in figures:
        entry = {"title": f["title"], "caption": f["caption"], "error": f.get("error") or "",
                 "pdf": None}
        if f.get("figure") is not None:
            name = f"figures/{re.sub(r'[^A-Za-z0-9-]', '-', f['id'])}.pdf"
            (dest / "figures").mkdir(exist_ok=True)
            to_pdf(f["figure"], dest / name)
            entry["pdf"] = name
        figs.append(entry)
    claims = []
    for c in model.claims:
        checks = []
        for i, ch in enumerate(c["checks"]):
            fig = check_plot(ch["data"])
            name = None
            if fig is not None:
                (dest / "plots").mkdir(exist_ok=True)
                name = f"plots/{re.sub(r'[^A-Za-z0-9-]', '-', c['slug'])}-{i + 1}.pdf"
                to_pdf(fig, dest / name)
            checks.append({**ch, "plot_pdf": name})
        claims.append({**c, "checks": checks})
    env = model.results.get("environment") or {}
    envline = ", ".join(f"{k} {v}" for k, v in env.items() if k != "lazyrich")
    tpl = _ENV.get_template("report.tex.j2")
    text = tpl.render(m=model, claims=claims, figs=figs, verdicts=VERDICTS, pct=percent,
                      sci=fmt_sci,
                      tex=latex_text, texmath=latex_math, env=env, envline=envline,
                      tojson=lambda o: json.dumps(o, sort_keys=True))
    path = dest / "report.tex"
    path.write_text(text, encoding="utf-8")
    return path


def compile_pdf(tex_path: Path, cmd: list[str]) -> Path:
    """Compile ``tex_path`` (in its directory) and return the PDF's path.

    Raises:
        LazyrichError: the compilation failed; the message quotes the TeX error and names the
            claim whose text caused it.
    """
    workdir = tex_path.parent
    runs = 1 if cmd[0] == "latexmk" else 2
    for _ in range(runs):
        try:
            proc = subprocess.run(cmd, cwd=workdir, stdin=subprocess.DEVNULL,
                                  capture_output=True, text=True, timeout=_TEX_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise LazyrichError(f"{cmd[0]} did not finish within {_TEX_TIMEOUT_S} s on "
                                f"{tex_path}.") from None
        if proc.returncode != 0:
            raise LazyrichError(_explain_failure(tex_path, proc.stdout + proc.stderr))
    pdf = workdir / "report.pdf"
    if not pdf.is_file():
        raise LazyrichError(f"{cmd[0]} reported success but wrote no {pdf}.")
    return pdf


def _explain_failure(tex_path: Path, output: str) -> str:
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
        msg = m.group(1) if m else output.strip().splitlines()[-1:] or "unknown error"
    return (f"pdflatex failed{where}: {msg}. The claim's LaTeX (statement, corrected form or "
            f"a derivation step) does not typeset; fix it, or render --format html.")
