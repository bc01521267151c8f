"""The HTML site: index, one page per claim, dependency graph, errata and figures.

Self-contained and offline: CSS and the few lines of filtering JavaScript are inline, math is
MathML, plots and graphs are inline SVG; no page references anything outside the report
directory (no CDN, no font, no request).
"""

from __future__ import annotations

import math
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from ._figures import check_plot, to_svg
from ._graph import VERDICT_COLORS, graph_svg, neighbourhood
from ._math import mathml
from ._model import VERDICTS, ReportModel, fmt_sci, percent

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("lazyrich.reports", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"]),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.filters["sci"] = fmt_sci


def _errbar(ch: dict) -> Markup:
    """A small log-scale bar: the measured error against the tolerance (a vertical line)."""
    try:
        e, t = float(ch["max_error"]), float(ch["tolerance"])
    except (TypeError, ValueError):
        return Markup("")
    if not (math.isfinite(e) and math.isfinite(t)) or t <= 0:
        return Markup("")
    lo = math.floor(math.log10(min(max(e, 1e-300), t))) - 1
    hi = math.ceil(math.log10(max(e, t))) + 1
    width = 160.0

    def x(v):
        return width * (math.log10(max(v, 10.0 ** lo)) - lo) / (hi - lo)

    color = VERDICT_COLORS["verified"] if e <= t else VERDICT_COLORS["refuted"]
    return Markup(
        f'<svg class="errbar" width="{width:.0f}" height="14" viewBox="0 0 {width:.0f} 14" '
        f'role="img"><title>error {e:.2e} vs tolerance {t:.2e} (log scale 1e{lo}…1e{hi})'
        f'</title><rect x="0" y="3" width="{width:.0f}" height="8" fill="#eee"/>'
        f'<rect x="0" y="3" width="{max(x(e), 1):.1f}" height="8" fill="{color}"/>'
        f'<line x1="{x(t):.1f}" y1="0" x2="{x(t):.1f}" y2="14" stroke="#000" '
        f'stroke-width="2"/></svg>')


def _linker(model: ReportModel, from_claims_dir: bool):
    def link(cid: str) -> Markup:
        c = model.by_id.get(cid)
        if c is None:
            return Markup(f"<code>{escape(cid)}</code> <span class=\"small\">(not in these "
                          f"results)</span>")
        href = f"{c['slug']}.html" if from_claims_dir else f"claims/{c['slug']}.html"
        return Markup(f'<a href="{escape(href)}"><code>{escape(cid)}</code></a>')

    return link


def _common(model: ReportModel, page: str, root: str) -> dict:
    return {"m": model, "page": page, "root": root, "verdicts": VERDICTS, "pct": percent,
            "math": mathml, "errbar": _errbar,
            "env": model.results.get("environment") or {},
            "claim_link": _linker(model, root == "../")}


def write_html(model: ReportModel, dest: Path, figures: list[dict], *,
               figures_enabled: bool = True) -> Path:
    """Write the site into ``dest`` (an empty directory) and return ``dest/index.html``.

    Arguments:
        model: the report model.
        dest: the directory to fill.
        figures: dicts with ``id``, ``anchor``, ``title``, ``caption``, ``claims``, ``svg``
            (markup or None), ``error``, ``seconds``, ``cached``.
        figures_enabled: False when figures were switched off (the figures page says so).
    """
    (dest / "claims").mkdir(parents=True, exist_ok=True)
    multi = len(model.papers) > 1
    nodes = model.claims
    index = dest / "index.html"
    index.write_text(_ENV.get_template("index.html.j2").render(
        **_common(model, "index", "")), encoding="utf-8")
    graph = Markup(graph_svg(nodes, href=lambda cid: f"claims/{model.by_id[cid]['slug']}.html",
                             strip_paper=not multi))
    (dest / "graph.html").write_text(_ENV.get_template("graph.html.j2").render(
        graph=graph, **_common(model, "graph", "")), encoding="utf-8")
    (dest / "errata.html").write_text(_ENV.get_template("errata.html.j2").render(
        **_common(model, "errata", "")), encoding="utf-8")
    (dest / "figures.html").write_text(_ENV.get_template("figures.html.j2").render(
        figs=figures, figures_enabled=figures_enabled, **_common(model, "figures", "")),
        encoding="utf-8")
    claim_tpl = _ENV.get_template("claim.html.j2")
    for c in model.claims:
        plots = []
        for ch in c["checks"]:
            fig = check_plot(ch["data"])
            plots.append(Markup(to_svg(fig)) if fig is not None else None)
        figs = [f for f in figures if c["id"] in f["claims"]]
        sub = Markup(graph_svg(neighbourhood(c["id"], model.by_id),
                               href=lambda cid: f"{model.by_id[cid]['slug']}.html",
                               highlight=c["id"], strip_paper=not multi))
        (dest / "claims" / f"{c['slug']}.html").write_text(claim_tpl.render(
            c=c, plots=plots, figs=figs, subgraph=sub, **_common(model, "claim", "../")),
            encoding="utf-8")
    return index
