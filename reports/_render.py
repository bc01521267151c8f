"""``render``: a results document → an HTML site, a LaTeX document and/or a PDF, written
atomically (everything is rendered into a temporary directory next to the target, which is then
moved into place: an interrupted or failed render never leaves a half report over a good one).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Iterable

from markupsafe import Markup

from lazyrich.numerics import LazyrichError

from . import _figures_data
from ._figures import draw_figure, to_svg
from ._html import write_html
from ._latex import compile_pdf, require_tex, write_latex
from ._model import build

FORMATS = ("html", "latex", "pdf")
MARKER = ".lazyrich-report"
_BUILD_JUNK = (".aux", ".log", ".fls", ".fdb_latexmk", ".out", ".toc")


def _formats(formats) -> tuple[str, ...]:
    if isinstance(formats, str):
        formats = formats.split(",")
    try:
        items = [str(f).strip().lower() for f in formats]
    except TypeError:
        raise LazyrichError(f"formats={formats!r}: pass a sequence of format names from "
                            f"{FORMATS}, e.g. ('html', 'pdf').") from None
    items = [f for f in items if f]
    unknown = [f for f in items if f not in FORMATS]
    if unknown or not items:
        raise LazyrichError(f"formats={formats!r}: "
                            + (f"unknown format(s) {', '.join(map(repr, unknown))}"
                               if unknown else "no format given")
                            + f"; choose from {', '.join(FORMATS)} (e.g. 'html,pdf').")
    return tuple(dict.fromkeys(items))


def _old_report(out: Path) -> bool:
    """A report written before the marker existed (a single index.html of ours)."""
    index = out / "index.html"
    try:
        return index.is_file() and "<title>lazyrich verification report</title>" in \
            index.read_text(encoding="utf-8", errors="replace")[:2000]
    except OSError:
        return False


def _check_target(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise LazyrichError(f"--out {str(out)!r} is a file, not a directory. Choose a "
                            f"directory for the report.")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists() \
            and not _old_report(out):
        raise LazyrichError(f"--out {str(out)!r} exists and is not a lazyrich report (no "
                            f"{MARKER} file): refusing to replace it. Choose a new or empty "
                            f"directory, or a previous report's directory.")


def _collect_figures(papers: Iterable[str], claim_ids: set, cache_dir, *, want_svg: bool,
                     want_figure_objects: bool) -> list[dict]:
    """Figure data for the papers in the results, drawn; a figure that fails is reported in
    its entry (``error``) rather than failing the report."""
    entries = []
    for fig_id, spec in _figures_data.FIGURES.items():
        if spec.paper not in papers:
            continue
        entry = {"id": fig_id, "anchor": fig_id.replace(".", "-"), "title": spec.title,
                 "caption": spec.caption,
                 "claims": [c for c in spec.claims if c in claim_ids], "svg": None,
                 "figure": None, "error": "", "seconds": None, "cached": False}
        start = time.perf_counter()
        try:
            data, entry["cached"] = _figures_data.load_figure_cached(fig_id, cache_dir=cache_dir)
            entry["seconds"] = time.perf_counter() - start
            fig = draw_figure(fig_id, data)
            if fig is None:
                entry["error"] = f"no renderer is registered for {fig_id!r}"
            else:
                if want_svg:  # the same drawing serves both outputs
                    entry["svg"] = Markup(to_svg(fig, close=not want_figure_objects))
                if want_figure_objects:
                    entry["figure"] = fig
        except Exception as exc:  # noqa: BLE001 - a figure never decides a verdict
            entry["error"] = f"{type(exc).__name__}: {exc}"
        entries.append(entry)
    return entries


def render(results: dict, out_dir: str | os.PathLike, formats=("html",), *,
           figures: bool = True, cache_dir: str | os.PathLike | None = None) -> dict[str, Path]:
    """Render a results document as a report in ``out_dir``.

    Arguments:
        results: a results document (``lazyrich check --json``; schema in proofs/_results.py).
        out_dir: the report directory. It is created, or replaced when it holds a previous
            report (it must then contain the ``.lazyrich-report`` marker that every report
            has); any other non-empty directory is refused.
        formats: any of ``"html"`` (``index.html`` and the site), ``"latex"``
            (``latex/report.tex`` with its plots as PDF files) and ``"pdf"``
            (``report.pdf``, compiled with latexmk/pdflatex); a sequence or a comma-separated
            string.
        figures: compute and draw the papers' figures (closed forms overlaid on simulations),
            for the papers that appear in ``results``; cached on disk (see ``cache_dir``).
        cache_dir: the cache for figure data (default ``$LAZYRICH_CACHE_DIR`` or
            ``./.lazyrich-cache``).

    Returns:
        ``{format: path}``: ``index.html``, ``latex/report.tex`` and/or ``report.pdf`` inside
        ``out_dir``.

    Raises:
        LazyrichError: malformed ``results``; an unknown format; ``pdf`` without a TeX toolchain
            (checked before anything is written); a TeX error (naming the claim); an
            ``out_dir`` that cannot be written or that is not a report directory.
    """
    fmts = _formats(formats)
    model = build(results)
    tex_cmd = require_tex() if "pdf" in fmts else None
    out = Path(out_dir).resolve()
    _check_target(out)
    figs = _collect_figures(model.papers, set(model.by_id), cache_dir, want_svg="html" in fmts,
                            want_figure_objects="latex" in fmts or "pdf" in fmts) \
        if figures else []
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-tmp-", dir=out.parent))
        umask = os.umask(0)
        os.umask(umask)
        tmp.chmod(0o777 & ~umask)  # mkdtemp makes it private; a report is meant to be read
    except OSError as exc:
        raise LazyrichError(f"--out {str(out)!r}: cannot write the report there "
                            f"({exc.strerror}). Choose a writable directory.") from None
    paths: dict[str, Path] = {}
    try:
        if "html" in fmts:
            write_html(model, tmp, figs, figures_enabled=figures)
            paths["html"] = out / "index.html"
        if "latex" in fmts or "pdf" in fmts:
            tex = write_latex(model, tmp / "latex", figs)
            if "pdf" in fmts:
                pdf = compile_pdf(tex, tex_cmd)
                os.replace(pdf, tmp / "report.pdf")
                paths["pdf"] = out / "report.pdf"
            if "latex" in fmts:
                for p in (tmp / "latex").iterdir():
                    if p.suffix in _BUILD_JUNK:
                        p.unlink()
                paths["latex"] = out / "latex" / "report.tex"
            else:
                shutil.rmtree(tmp / "latex")
        (tmp / MARKER).write_text("lazyrich report directory: `lazyrich report` replaces it "
                                  "as a whole.\n")
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}-old-", dir=out.parent))
            os.replace(out, old / "previous")
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise LazyrichError(f"--out {str(out)!r}: cannot write the report there "
                            f"({exc.strerror}). Choose a writable directory.") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return paths


def render_report(results: dict, out_dir: str | os.PathLike) -> Path:
    """The HTML report of ``results`` in ``out_dir``; returns ``out_dir/index.html``.

    A thin wrapper of ``render(results, out_dir, ("html",))`` kept for existing callers.

    Raises:
        LazyrichError: as :func:`render`.
    """
    return render(results, out_dir, ("html",))["html"]
