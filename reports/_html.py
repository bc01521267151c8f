"""The HTML site: index, one page per claim, dependency graph, errata, figures and papers.

Self-contained and offline: CSS and one script are inline, math is MathML (rebuilt from an
allow-list, :mod:`reports._mathml`), plots and graphs are inline SVG. Every page carries a
Content-Security-Policy that allows only the report's own script (by its hash), inline styles
and ``data:`` images, and no network load of any kind: even a hostile results document cannot
make a page run code or fetch anything.
"""

from __future__ import annotations

import base64
import hashlib
import html as _html
import json
import math
import re
from functools import lru_cache
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from . import _display, _text
from ._graph import LEGEND, VERDICT_COLORS, graph_svg, neighbourhood
from ._mathml import safe_mathml
from ._model import IMPLEMENTATION_VERDICTS, STATEMENT_VERDICTS, VERDICTS, ReportModel, \
    fmt_sci, percent

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("lazyrich.reports", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"]),
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@lru_cache(maxsize=1)
def script() -> Markup:
    """The report's one script (filters, zoom and pan), as it appears between the tags."""
    text = (Path(__file__).parent / "templates" / "report.js").read_text(encoding="utf-8")
    return Markup(text)


def csp() -> str:
    """The Content-Security-Policy of every page: our script by hash, nothing from the net."""
    digest = base64.b64encode(hashlib.sha256(str(script()).encode()).digest()).decode()
    return ("default-src 'none'; script-src 'sha256-" + digest + "'; style-src 'unsafe-inline'; "
            "img-src data:; font-src 'none'; connect-src 'none'; media-src 'none'; "
            "object-src 'none'; frame-src 'none'; base-uri 'none'; form-action 'none'")


def num(x) -> Markup:
    """A number that never breaks across lines."""
    return Markup(f'<span class="num">{escape(fmt_sci(x))}</span>')


def formula(latex) -> Markup:
    """A display formula, cut into pieces that wrap (never clipped, never shrunk). One too
    long to read even so is shown as linear text that wraps, typeset form one click away."""
    pieces = _display.chunks(latex or "")
    if not pieces:
        return Markup("")
    if _display.is_huge(latex):
        linear = _text.html_runs(_display.linear_runs(latex))
        typeset = "".join(str(safe_mathml(p, True)) for p in pieces)
        return Markup(f'<div class="linear">{linear}</div><details><summary class="small">'
                      f'show typeset ({len(latex)} characters of LaTeX; scroll sideways)'
                      f'</summary><div class="scrollbox">{typeset}</div></details>')
    inner = "".join(f'<span class="piece">{safe_mathml(p, True)}</span>' for p in pieces)
    return Markup(f'<div class="formula">{inner}</div>')


def badge_class(verdict: str) -> str:
    return {"n/a": "na"}.get(verdict, verdict)


def point(value) -> Markup:
    """A counterexample or location as a small table: values that read as LaTeX (SymPy's
    output) are typeset, the rest shown as text."""
    if not isinstance(value, dict):
        return Markup(f"<pre>{escape(json.dumps(value, indent=1, default=str)[:4000])}</pre>")
    rows = []
    for k, v in list(value.items())[:40]:
        if isinstance(v, dict):
            cell = str(point(v))
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            cell = str(num(v))
        else:
            s = v if isinstance(v, str) else json.dumps(v, default=str)
            cell = str(_value(s[:2000]))
        rows.append(f"<tr><td>{_text.html(str(k)[:200])}</td><td>{cell}</td></tr>")
    return Markup('<table class="point">' + "".join(rows) + "</table>")


_MATHY = re.compile(r"^[\s\w.+\-*/^()=,\\{}\[\]|<>']+$")


def _value(s: str) -> Markup:
    """A value from a counterexample: a number, an expression (as math) or text."""
    t = s.strip()
    try:
        return num(float(t))
    except ValueError:
        pass
    if _MATHY.match(t) and re.search(r"[*^/()\\+=]|\d\s*-|-\s*\d", t) and len(t) < 600:
        tex = re.sub(r"\*\*", "^", t).replace("*", r" \cdot ")
        tex = re.sub(r"\^(\(?[-\w.]+\)?)", lambda m: "^{" + m.group(1) + "}", tex)
        tex = re.sub(r"sqrt\(", r"\\sqrt(", tex)
        return safe_mathml(tex, False)
    return _text.html(t)


def _errbar(ch: dict) -> Markup:
    """A small log-scale bar: the measured error against the tolerance (a vertical line)."""
    try:
        e, t = float(ch["max_error"]), float(ch["tolerance"])
    except (TypeError, ValueError):
        return Markup("")
    if not (math.isfinite(e) and math.isfinite(t)) or t <= 0 or e < 0:
        return Markup("")
    lo = math.floor(math.log10(min(max(e, 1e-300), t))) - 1
    hi = math.ceil(math.log10(max(e, t, 1e-300))) + 1
    width = 160.0

    def x(v):
        return width * (math.log10(max(v, 10.0 ** lo)) - lo) / (hi - lo)

    color = VERDICT_COLORS["verified"] if e <= t else VERDICT_COLORS["refuted"]
    return Markup(
        f'<svg class="errbar" width="{width:.0f}" height="14" viewBox="0 0 {width:.0f} 14" '
        f'role="img"><title>error {e:.2e} against tolerance {t:.2e} (log scale '
        f'1e{lo} to 1e{hi})</title><rect x="0" y="3" width="{width:.0f}" height="8" '
        f'fill="#eee"/><rect x="0" y="3" width="{max(x(e), 1):.1f}" height="8" '
        f'fill="{color}"/><line x1="{x(t):.1f}" y1="0" x2="{x(t):.1f}" y2="14" '
        f'stroke="#000" stroke-width="2"/></svg>')


def legend(with_here: bool) -> Markup:
    items = [f'<span><span class="sw" style="background:{VERDICT_COLORS[v]}"></span>'
             f'{escape(label)}</span>' for v, label in LEGEND]
    items.append('<span><span class="sw dashed"></span>documented erratum (dashed border)'
                 '</span>')
    if with_here:
        items.append('<span><span class="sw thick"></span>this claim</span>')
    items.append('<span>arrow: from a claim to one that builds on it</span>')
    return Markup('<div class="legend">' + "".join(items) + "</div>")


_ASSUMPTION = re.compile(r"\b(A\d+)(?:\s*[–-]\s*(A\d+))?\b")


def _linker(model: ReportModel, root: str):
    def link(cid: str) -> Markup:
        c = model.by_id.get(cid)
        if c is None:
            return Markup(f'<code>{escape(cid)}</code> <span class="small">(not in these '
                          f'results)</span>')
        href = f"{root}claims/{c['slug']}.html"
        return Markup(f'<a href="{escape(href)}"><code>{escape(cid)}</code></a>')

    def cite(key: str) -> Markup:
        pi = model.paper_info.get(key)
        if not pi or not pi["known"]:
            return Markup(f"<cite><code>{escape(key)}</code></cite>")
        arxiv = (f', <a href="{escape(pi["url"])}" rel="noopener noreferrer">arXiv:'
                 f'{escape(pi["arxiv"])}</a>') if pi["arxiv"] else ""
        return Markup(f"{escape(', '.join(pi['authors']))}, <cite>“{escape(pi['title'])}”"
                      f"</cite>, {escape(pi['venue'])} {escape(pi['year'])}{arxiv}")

    def paper_short(key: str) -> Markup:
        pi = model.paper_info.get(key)
        if not pi or not pi["known"]:
            return Markup(f"<code>{escape(key)}</code>")
        return Markup(f'<a href="{root}papers.html#{escape(key)}">{escape(pi["short"])}</a>')

    def assumption(text: str, paper: str) -> Markup:
        defs = (model.paper_info.get(paper) or {}).get("assumptions") or {}
        if not defs:
            return _text.html(text)
        names = list(defs)

        def links_for(span):
            return ", ".join(
                f'<a href="{root}papers.html#{escape(paper)}-{escape(n)}" '
                f'title="{escape(_text.plain(defs[n]))}">{escape(n)}</a>' for n in span)

        def expand(m):
            a, b = m.group(1), m.group(2)
            if a not in defs:
                return m.group(0)
            span = [a]
            if b and b in defs and names.index(b) > names.index(a):
                span = names[names.index(a):names.index(b) + 1]
            links = ", ".join(
                f'<a href="{root}papers.html#{escape(paper)}-{escape(n)}" '
                f'title="{escape(_text.plain(defs[n]))}">{escape(n)}</a>' for n in span)
            return links
        linked = str(_text.html(text, lambda t: _ASSUMPTION.sub(expand, t)))
        # a bare "A1" (or "A1–A3") gets its definition spelled out
        bare = re.fullmatch(r"\s*(A\d+)(?:\s*[–-]\s*(A\d+))?\s*(?:\((.*)\))?\s*", text)
        if bare and bare.group(1) in defs:
            a, b = bare.group(1), bare.group(2)
            span = [a] if not b or b not in defs else names[names.index(a):names.index(b) + 1]
            if len(span) == 1:
                detail = str(_text.html(defs[a]))
            else:
                detail = "; ".join(f"{n}: {str(_text.html(defs[n]))}" for n in span)
            extra = f" ({_text.html(bare.group(3))})" if bare.group(3) else ""
            return Markup(f"{links_for(span)} — {detail}{extra}")
        return Markup(linked)

    return link, cite, paper_short, assumption


def _short_why(c: dict, which: str) -> str:
    v = c["statement_verdict"] if which == "statement" else c["implementation_verdict"]
    if not v:
        return ""
    why = _text.plain(v["why"])
    return why if len(why) <= 90 else why[:87] + "…"


def _common(model: ReportModel, page: str, root: str) -> dict:
    link, cite, paper_short, assumption = _linker(model, root)
    return {"m": model, "page": page, "root": root, "verdicts": VERDICTS,
            "statement_verdicts": STATEMENT_VERDICTS,
            "implementation_verdicts": IMPLEMENTATION_VERDICTS, "pct": percent,
            "math": safe_mathml, "formula": formula, "prose": _text.html,
            "plain": _text.plain, "num": num, "errbar": _errbar, "point": point,
            "legend": legend, "step_view": _display.step_view, "huge": _display.is_huge, "badge_class": badge_class,
            "short_why": _short_why,
            "env": {str(k)[:40]: str(v)[:80] for k, v in
                    (model.results.get("environment") or {}).items()}
            if isinstance(model.results.get("environment"), dict) else {},
            "claim_link": link, "cite": cite, "paper_short": paper_short,
            "assumption": assumption, "csp": csp(), "script": script()}


def figure_heading(model: ReportModel, f: dict) -> str:
    pi = model.paper_info.get(f["paper"]) or {}
    who = pi.get("short") if pi.get("known") else f["paper"]
    return f"{f['recomputes']} of {who}, recomputed: {f['title']}"


def write_html(model: ReportModel, dest: Path, figures: list[dict], *,
               figures_enabled: bool = True, plots: dict | None = None, cache_dir=None,
               progress=None) -> Path:
    """Write the site into ``dest`` (an empty directory) and return ``dest/index.html``.

    Arguments:
        model: the report model.
        dest: the directory to fill.
        figures: dicts with ``id``, ``anchor``, ``paper``, ``recomputes``, ``title``,
            ``caption``, ``claims``, ``svg`` (markup or None), ``error``, ``seconds``,
            ``cached``.
        figures_enabled: False when figures were switched off (the figures page says so).
        plots: ``{(claim id, check index): svg markup}`` of the checks' plots.
        cache_dir: where graph layouts are cached.
        progress: ``progress(message)`` for long steps.
    """
    plots = plots or {}
    (dest / "claims").mkdir(parents=True, exist_ok=True)
    multi = len(model.papers) > 1
    for f in figures:
        f["heading"] = figure_heading(model, f)

    def title_of(n):
        c = model.by_id.get(n["id"])
        if c is None:
            return f"{n['id']} — not in these results"
        return f"{c['id']} — {_text.plain(c['title'])} [{c['verdict']}]"

    index = dest / "index.html"
    index.write_text(_ENV.get_template("index.html.j2").render(
        **_common(model, "index", "")), encoding="utf-8")
    def paper_label(key):
        pi = model.paper_info.get(key) or {}
        return pi.get("short") if pi.get("known") else key

    graph = Markup(graph_svg(model.claims,
                             href=lambda cid: f"claims/{model.by_id[cid]['slug']}.html",
                             strip_paper=not multi, title_of=title_of, cache_dir=cache_dir,
                             paper_label=paper_label))
    (dest / "graph.html").write_text(_ENV.get_template("graph.html.j2").render(
        graph=graph, **_common(model, "graph", "")), encoding="utf-8")
    (dest / "errata.html").write_text(_ENV.get_template("errata.html.j2").render(
        **_common(model, "errata", "")), encoding="utf-8")
    (dest / "figures.html").write_text(_ENV.get_template("figures.html.j2").render(
        figs=figures, figures_enabled=figures_enabled, **_common(model, "figures", "")),
        encoding="utf-8")
    (dest / "papers.html").write_text(_ENV.get_template("papers.html.j2").render(
        **_common(model, "papers", "")), encoding="utf-8")
    claim_tpl = _ENV.get_template("claim.html.j2")
    from ._figures import check_values

    for k, c in enumerate(model.claims):
        if progress and k and k % 20 == 0:
            progress(f"claim pages: {k} of {len(model.claims)}")
        page_plots = [Markup(plots[(c["id"], i)]) if (c["id"], i) in plots else None
                      for i in range(len(c["checks"]))]
        values = [check_values(ch["data"]) if page_plots[i] is None else []
                  for i, ch in enumerate(c["checks"])]
        figs = [f for f in figures if c["id"] in f["claims"]]
        sub = Markup(graph_svg(neighbourhood(c["id"], model.by_id),
                               href=lambda cid: f"{model.by_id[cid]['slug']}.html",
                               highlight=c["id"], strip_paper=not multi, title_of=title_of,
                               cache_dir=cache_dir, paper_label=paper_label))
        (dest / "claims" / f"{c['slug']}.html").write_text(claim_tpl.render(
            c=c, plots=page_plots, values=values, figs=figs, subgraph=sub,
            **_common(model, "claim", "../")), encoding="utf-8")
    return index


def escape_attr(s: str) -> str:
    return _html.escape(s, quote=True)
