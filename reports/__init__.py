"""Verification reports from a results document: an offline HTML site, a LaTeX document and a
PDF, with the papers' figures reproduced from the closed forms (reports never decide verdicts).

``render(results, out_dir, formats=("html",), *, figures=True)`` is the entry point;
``render_report(results, out_dir)`` (HTML only) is kept for existing callers.
"""

from ._render import FORMATS, render, render_report

__all__ = ["render", "render_report", "FORMATS"]
