"""Verification reports from a results document: an offline HTML site, a LaTeX document and a
PDF, with the papers' figures drawn from the data their caller computed (the engine, which
caches it: ``render(..., figures=...)``). Reports never decide verdicts, never compute
mathematics and import nothing of lazyrich but its model (claims, verdicts, papers, errors, the
authenticated cache); a results document is untrusted input and cannot make a page run code or
load anything, nor TeX read a file or run a command.

``render(results, out_dir, formats=("html",), *, figures=True, cache_dir=None, progress=None)``
is the entry point; ``render_report(results, out_dir)`` (HTML only) is kept for existing callers.
"""

from ._render import FORMATS, render, render_report

__all__ = ["render", "render_report", "FORMATS"]
