"""``render``: a results document → an HTML site, a LaTeX document and/or a PDF, written
atomically (everything is rendered into a temporary directory next to the target, which is then
moved into place: an interrupted or failed render never leaves a half report over a good one).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Mapping

from markupsafe import Markup

from lazyrich import _store
from lazyrich._errors import LazyrichError
from lazyrich._figures import Figure
from lazyrich._progress import Heartbeat

from ._html import write_html
from ._latex import compile_pdf, require_tex, write_latex
from ._model import build, paper_details

FORMATS = ("html", "latex", "pdf")
MARKER = ".lazyrich-report"
_BUILD_JUNK = (".aux", ".log", ".fls", ".fdb_latexmk", ".out", ".toc", ".texmf-var")


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


def _say(progress):
    """The progress callback: ``progress`` itself, a line on stderr (the default), or nothing
    (``progress=False``)."""
    if progress is False:
        return None
    if callable(progress):
        return progress

    def to_stderr(message: str) -> None:
        print(f"lazyrich: report: {message}", file=sys.stderr, flush=True)

    return to_stderr


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _unpack(item) -> tuple[Figure, dict | None, str]:
    """``(figure, data, error)`` of one computed figure handed to :func:`render`."""
    fig = item.get("figure") if isinstance(item, Mapping) else None
    if not isinstance(fig, Figure):
        got = type(item).__name__ if fig is None else f"'figure': {type(fig).__name__}"
        raise LazyrichError(f"figures: each computed figure is a mapping with 'figure' (a "
                            f"lazyrich.Figure) and 'data' (a dict) or 'error' (a string); "
                            f"got {got}.")
    error = item.get("error") or ""
    data = item.get("data")
    if not error and not isinstance(data, dict):
        error = f"TypeError: figure data must be a dict; got {type(data).__name__}"
    return fig, data, str(error)[:2000]


def _collect_figures(figures, papers: list[str], claim_ids: set, cache_dir, *,
                     formats: tuple, say) -> list[dict]:
    """The papers' figures as the pages show them: the computed figures that ``figures``
    supplies (see :func:`render`), drawn here; a figure that was not computed, or that cannot
    be drawn, is reported in its entry (``error``) rather than failing the report."""
    from ._figures import draw

    computed = figures(list(papers), say) if callable(figures) else figures
    try:
        computed = list(computed)
    except TypeError:
        raise LazyrichError(f"figures={_short(figures)}: pass the computed figures (a list), a "
                            f"callable figures(papers, progress) returning them, or False; "
                            f"see lazyrich.reports.render.") from None
    entries = []
    for item in computed:
        fig, data, error = _unpack(item)
        entry = {"id": fig.id, "anchor": fig.id.replace(".", "-"), "paper": fig.paper,
                 "recomputes": fig.recomputes, "title": fig.title, "caption": fig.caption,
                 "claims": [c for c in fig.claims if c in claim_ids], "svg": None,
                 "pdf": None, "error": error, "seconds": item.get("seconds"),
                 "cached": item.get("cached") is True}
        if not error:
            try:
                with Heartbeat(say, f"drawing {fig.id}", quiet_start=True):
                    drawn = draw(fig.id, data, fig.draw, formats=formats, cache_dir=cache_dir)
                if "svg" in drawn:
                    entry["svg"] = Markup(drawn["svg"])
                entry["pdf"] = drawn.get("pdf")
            except Exception as exc:  # noqa: BLE001 - a figure never decides a verdict
                entry["error"] = f"{type(exc).__name__}: {exc}"[:2000]
        entries.append(entry)
    return entries


def _check_plots(model, cache_dir, formats: tuple) -> dict:
    """``{(claim id, check index): {"svg": ..., "pdf": ...}}`` for checks with plottable
    data (drawn once, cached by their data)."""
    from ._figures import check_plot_data, draw

    out = {}
    for c in model.claims:
        for i, ch in enumerate(c["checks"]):
            pd = check_plot_data(ch["data"])
            if pd is None:
                continue
            try:
                out[(c["id"], i)] = draw("check-plot", pd, None, formats=formats,
                                         cache_dir=cache_dir, size=(5.2, 2.9))
            except Exception:  # noqa: BLE001 - a plot that cannot be drawn is left out
                continue
    return out


def render(results: dict, out_dir: str | os.PathLike, formats=("html",), *,
           figures=True, cache_dir: str | os.PathLike | None = None,
           progress=None) -> dict[str, Path]:
    """Render a results document as a report in ``out_dir``.

    Arguments:
        results: a results document (``lazyrich check --json``; schema in
            ``lazyrich.engine._results``). Untrusted input: it cannot make the HTML run code or
            load anything, nor the PDF read files or run commands.
        out_dir: the report directory. It is created, or replaced when it holds a previous
            report (it must then contain the ``.lazyrich-report`` marker that every report
            has); any other non-empty directory is refused.
        formats: any of ``"html"`` (``index.html`` and the site), ``"latex"``
            (``latex/report.tex`` with its plots as PDF files) and ``"pdf"``
            (``report.pdf``, compiled with LuaLaTeX, or pdflatex where LuaLaTeX cannot run);
            a sequence or a comma-separated string.
        figures: the papers' figures (closed forms overlaid on simulations) to draw. The
            reports never compute them; their caller does: a callable
            ``figures(papers, progress)`` returning the computed figures of the papers in
            ``results`` (what ``lazyrich report`` passes:
            ``lazyrich.engine.for_report(cache_dir)``, which computes and caches
            them, so an unchanged report recomputes nothing), or those computed figures
            themselves: each a mapping ``{"figure": lazyrich.Figure, "data": dict}`` (its data
            in the plot data format, or whatever its ``draw`` reads; optional ``"cached"``,
            ``"seconds"``) or ``{"figure": ..., "error": "why it was not computed"}``.
            ``False``: no figures. ``True`` (the default; kept for existing callers) supplies
            none: the figures page says they were not rendered.
        cache_dir: the cache directory (default ``$LAZYRICH_CACHE_DIR``, else the user cache
            directory), shared with the claims cache.
        progress: ``progress(message)`` is called for every step that may take a while (and
            every few seconds during a long one); default: a line on stderr; ``False``: quiet.

    Returns:
        ``{format: path}``: ``index.html``, ``latex/report.tex`` and/or ``report.pdf`` inside
        ``out_dir``.

    Raises:
        LazyrichError: malformed ``results``; an unknown format; ``pdf`` without a TeX toolchain
            (checked before anything is written); a TeX error (naming the claim); an
            ``out_dir`` that cannot be written or that is not a report directory.
    """
    fmts = _formats(formats)
    say = _say(progress)
    model = build(results)
    tex_cmd = require_tex() if "pdf" in fmts else None
    out = Path(out_dir).resolve()
    _check_target(out)
    drawing = tuple(f for f, want in (("svg", "html" in fmts),
                                      ("pdf", "latex" in fmts or "pdf" in fmts)) if want)
    supplied = figures is not True and figures is not False and figures is not None
    figs = _collect_figures(figures, model.papers, set(model.by_id), cache_dir,
                            formats=drawing, say=say) if supplied else []
    model.paper_info = paper_details(model.papers)  # computing figures may register papers
    if say:
        say(f"drawing the checks' plots and writing {', '.join(fmts)}")
    plots = _check_plots(model, cache_dir, drawing)
    math_key = _load_math(cache_dir) if "html" in fmts else None
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
            write_html(model, tmp, figs, figures_enabled=supplied,
                       plots={k: v["svg"] for k, v in plots.items() if "svg" in v},
                       cache_dir=cache_dir, progress=say)
            paths["html"] = out / "index.html"
        if "latex" in fmts or "pdf" in fmts:
            tex = write_latex(model, tmp / "latex", figs,
                              plots={k: v["pdf"] for k, v in plots.items() if "pdf" in v},
                              engine=tex_cmd.engine if tex_cmd else None)
            if "pdf" in fmts:
                pdf = compile_pdf(tex, tex_cmd, progress=say)
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
    if math_key is not None:
        _save_math(cache_dir, math_key)
    if say:
        say("done: " + ", ".join(str(p) for p in paths.values()))
    return paths


def _load_math(cache_dir) -> str | None:
    """Preload the MathML of a previous report (an authenticated cache entry)."""
    from . import _mathml

    try:
        key = _mathml.code_version()
        _mathml.preload(_store.load_entry("mathml", "mathml", key, cache_dir) or {})
    except Exception:  # noqa: BLE001 - the cache is an optimisation
        return None
    _mathml.reset_used()
    return key


def _save_math(cache_dir, key: str) -> None:
    from . import _mathml

    _store.store_entry("mathml", "mathml", key, _mathml.used_entries(), cache_dir)


def render_report(results: dict, out_dir: str | os.PathLike) -> Path:
    """The HTML report of ``results`` in ``out_dir``; returns ``out_dir/index.html``.

    A thin wrapper of ``render(results, out_dir, ("html",))`` kept for existing callers.

    Raises:
        LazyrichError: as :func:`render`.
    """
    return render(results, out_dir, ("html",))["html"]
