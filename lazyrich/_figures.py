"""Papers and their figures: what a report names and what it redraws.

A **paper** is registered once, by the key its claims use in ``Source(paper, ...)``::

    from lazyrich import register_paper
    register_paper("saxe2014", title="Exact solutions to the nonlinear dynamics of learning in "
                   "deep linear neural networks", authors=("Saxe", "McClelland", "Ganguli"),
                   venue="ICLR", year=2014, arxiv="1312.6120",
                   assumptions={"A1": "whitened input: Σxx = I"})

Every page of a report then names it (title, authors, venue, year, arXiv id), and an assumption
written as ``"A1"`` (or ``"A1: Σxx = I"``, ``"A1–A3"``) links to its definition.

A **figure** recomputes a figure of a paper. Register a function that returns its data (a
JSON-ready dict), with :func:`figure`::

    from lazyrich import figure

    @figure("saxe2014.fig3", recomputes="Fig. 3", title="Mode strengths over time",
            caption="Lines: closed form; markers: gradient descent.",
            claims=("saxe2014.eq12",))
    def saxe_fig3():
        t = [0.1 * k for k in range(100)]
        return {"panels": [{"title": "mode strength", "xlabel": "t", "ylabel": "u(t)",
                            "series": [{"x": t, "y": closed_form(t), "label": "eq (12)"},
                                       {"x": t, "y": simulate(t), "label": "GD",
                                        "style": "markers"}]}]}

The engine computes the data (once; it is cached by a key over the code the function runs, so
an unchanged figure is never recomputed) and the report draws it. Reports never compute.

**Plot data format.** Data in this format is drawn without any drawing code (a figure may
instead pass ``draw=``, see below)::

    {"panels": [                               # one subplot each, left to right
        {"title": str, "xlabel": str, "ylabel": str,
         "xscale": "linear" | "log" | "symlog", "yscale": ...,      # default linear
         "series": [{"x": [numbers], "y": [numbers], "label": str,
                     "style": "line" | "dashed" | "dotted" | "markers" | "line+markers",
                     "color": int (palette index) | "#rrggbb"}],
         "hlines": [{"y": number, "label": str, "style": "dashed"}],   # optional
         "vlines": [{"x": number, "label": str, "style": "dotted"}],   # optional
         "image": [[numbers]], "symmetric": bool,                       # a heat map instead
         "legend": bool}],                                             # default: if labelled
     "columns": int}                                                   # panels per row

Labels and titles are plain Unicode; ``$…$`` is typeset as mathematics. Non-finite values are
dropped from a series (and said so in the legend). A check may put the same structure in its
evidence, ``Evidence(data={"plot": {...}})``, and the claim's page draws it.

``draw=``: ``draw(data, fig)`` receives the data and an empty matplotlib ``Figure`` (created by
the report on its own canvas, never through pyplot, so it does not touch the user's backend or
settings) and adds axes to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Mapping

from ._errors import InvalidArgument

_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,60}")
_FIG_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,60}\.[A-Za-z0-9][A-Za-z0-9_.+-]{0,60}")


@dataclass(frozen=True)
class Paper:
    """A paper whose claims are checked: how every page cites it."""

    key: str
    title: str
    authors: tuple[str, ...]
    venue: str
    year: int
    arxiv: str = ""
    assumptions: Mapping[str, str] = field(default_factory=dict)

    @property
    def short(self) -> str:
        """"Dominé et al. (2025)"-style short citation."""
        first = self.authors[0] if self.authors else self.key
        lead = first if len(self.authors) == 1 else (
            f"{first} and {self.authors[1]}" if len(self.authors) == 2 else f"{first} et al.")
        return f"{lead} ({self.year})"

    @property
    def citation(self) -> str:
        """Authors, "Title", venue year, arXiv:id."""
        names = ", ".join(self.authors)
        out = f"{names}, “{self.title}”, {self.venue} {self.year}"
        return out + (f", arXiv:{self.arxiv}" if self.arxiv else "")

    @property
    def url(self) -> str:
        return f"https://arxiv.org/abs/{self.arxiv}" if self.arxiv else ""

    def as_dict(self) -> dict:
        return {"key": self.key, "title": self.title, "authors": list(self.authors),
                "venue": self.venue, "year": self.year, "arxiv": self.arxiv,
                "assumptions": dict(self.assumptions)}


@dataclass(frozen=True)
class Figure:
    """A registered paper figure (see the module docstring)."""

    id: str
    paper: str
    recomputes: str
    title: str
    caption: str
    claims: tuple[str, ...]
    compute: Callable[[], dict]
    draw: Callable | None = None

    @property
    def module(self) -> str:
        return getattr(self.compute, "__module__", "") or ""


#: Colours for series, in order (``"color": 0`` is the first); colour-blind friendly.
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
           "#17becf")

PAPERS: dict[str, Paper] = {}
FIGURES: dict[str, Figure] = {}


def register_paper(key: str, *, title: str, authors, venue: str, year: int, arxiv: str = "",
                   assumptions: Mapping[str, str] | None = None) -> Paper:
    """Register (or re-register, identically) the paper whose claims use ``key``.

    Raises:
        InvalidArgument: a malformed key or field, or the key registered with other details.
    """
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise InvalidArgument(f"paper key {key!r}: letters, digits, '_' and '-', starting with "
                              f"a letter (the key of Source(paper, ...)), e.g. 'saxe2014'.")
    if isinstance(authors, str):
        authors = (authors,)
    for name, value in (("title", title), ("venue", venue), ("arxiv", arxiv)):
        if not isinstance(value, str):
            raise InvalidArgument(f"register_paper({key!r}): {name} must be a string.")
    if isinstance(year, bool) or not isinstance(year, int):
        raise InvalidArgument(f"register_paper({key!r}): year must be an int, e.g. 2025.")
    paper = Paper(key, title, tuple(str(a) for a in authors), venue, year, arxiv,
                  dict(assumptions or {}))
    old = PAPERS.get(key)
    if old is not None and old != paper:
        raise InvalidArgument(f"paper {key!r} is already registered with other details.")
    PAPERS[key] = paper
    return paper


def figure(fig_id: str, *, recomputes: str, title: str, caption: str = "",
           claims: tuple[str, ...] = (), draw: Callable | None = None):
    """Decorator registering ``compute() -> dict`` as the data of figure ``fig_id``.

    Arguments:
        fig_id: ``<paper>.<name>``, e.g. ``"saxe2014.fig3"``; the paper is its first part.
        recomputes: which figure of the paper this recomputes (``"Fig. 3"``, ``"Fig. 2B"``);
            the report says "Fig. 3 of Saxe et al. (2014), recomputed".
        title, caption: shown above and below the plot (plain Unicode; ``$…$`` is math).
        claims: ids of the claims the figure illustrates (their pages show it).
        draw: ``draw(data, fig)`` adding axes to a matplotlib ``Figure``; without it the data
            must be in the plot data format of the module docstring.

    Raises:
        InvalidArgument: a malformed id, or an id registered twice by different functions.
    """
    if not isinstance(fig_id, str) or not _FIG_ID.fullmatch(fig_id):
        raise InvalidArgument(f"figure id {fig_id!r} must look like '<paper>.<name>', e.g. "
                              f"'saxe2014.fig3' (letters, digits, '_', '-', '.').")
    for name, value in (("recomputes", recomputes), ("title", title), ("caption", caption)):
        if not isinstance(value, str):
            raise InvalidArgument(f"figure {fig_id!r}: {name} must be a string.")
    if draw is not None and not callable(draw):
        raise InvalidArgument(f"figure {fig_id!r}: draw must be callable(data, fig).")

    def register(compute):
        if not callable(compute):
            raise InvalidArgument(f"figure {fig_id!r}: decorate a function returning a dict.")
        old = FIGURES.get(fig_id)
        if old is not None and (old.compute.__module__, old.compute.__qualname__) != \
                (compute.__module__, compute.__qualname__):
            raise InvalidArgument(f"figure id {fig_id!r} is registered twice; pick a new id.")
        FIGURES[fig_id] = Figure(fig_id, fig_id.split(".")[0], recomputes, title, caption,
                                 tuple(claims), compute, draw)
        return compute

    return register


def paper(key: str) -> Paper | None:
    """The registered paper ``key`` (built-in papers register when their figures module is
    imported, which the engine does when it computes figures for a report), or None."""
    return PAPERS.get(key)


