"""Verification reports from a results document: an offline HTML site, a LaTeX document and a
PDF, with the papers' figures recomputed (by the engine, cached) and drawn. Reports never decide
verdicts and never compute mathematics; a results document is untrusted input and cannot make a
page run code or load anything, nor TeX read a file or run a command.

``render(results, out_dir, formats=("html",), *, figures=True, cache_dir=None, progress=None)``
is the entry point; ``render_report(results, out_dir)`` (HTML only) is kept for existing callers.
"""

from ._render import FORMATS, render, render_report

__all__ = ["render", "render_report", "FORMATS"]
