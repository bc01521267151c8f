"""The claim dependency graph as inline SVG, drawn with a simple layered layout.

Layers are columns, left to right: a claim sits one column right of the deepest claim it
depends on. Within a column, claims are ordered by the mean position of their neighbours
(a few barycentre sweeps), which keeps most edges short and uncrossed. Nodes are coloured by
verdict and link to the claim's page; a documented erratum has a dashed border; a dependency
that is not in the results (a partial run) is a grey dashed node.
"""

from __future__ import annotations

import html
import itertools
from typing import Callable, Iterable

VERDICT_COLORS = {"proved": "#1b7a3a", "verified": "#5cb85c", "inconclusive": "#e0a800",
                  "refuted": "#c9302c", "error": "#7a2a90", "missing": "#bbbbbb"}
_TEXT_ON = {"proved": "#fff", "verified": "#fff", "inconclusive": "#222", "refuted": "#fff",
            "error": "#fff", "missing": "#222"}

_ROW_H, _BOX_H, _GAP_X, _PAD, _CHAR_W = 30, 22, 56, 12, 6.6
_counter = itertools.count()


def _layers(nodes: list[str], deps: dict[str, list[str]]) -> dict[str, int]:
    """Longest-path layering; edges that would close a cycle are ignored."""
    layer: dict[str, int] = {}
    visiting: set[str] = set()

    def depth(n: str) -> int:
        if n in layer:
            return layer[n]
        visiting.add(n)
        d = 0
        for m in deps.get(n, ()):
            if m in visiting:  # a cycle: drawn, but not used for layering
                continue
            d = max(d, depth(m) + 1)
        visiting.discard(n)
        layer[n] = d
        return d

    for n in nodes:
        depth(n)
    return layer


def layout(nodes: list[str], deps: dict[str, list[str]]) -> dict[str, tuple[int, int]]:
    """(column, row) of every node. ``deps[n]`` lists the nodes ``n`` depends on."""
    layer = _layers(nodes, deps)
    n_cols = max(layer.values(), default=-1) + 1
    cols: list[list[str]] = [[] for _ in range(n_cols)]
    for n in nodes:  # input order (ids sorted) is the initial order in each column
        cols[layer[n]].append(n)
    users: dict[str, list[str]] = {n: [] for n in nodes}
    for n in nodes:
        for m in deps.get(n, ()):
            if m in users:
                users[m].append(n)
    pos = {n: float(i) for col in cols for i, n in enumerate(col)}

    def sweep(order: Iterable[int], neighbours: dict[str, list[str]]) -> None:
        for c in order:
            keyed = []
            for i, n in enumerate(cols[c]):
                nb = [pos[m] for m in neighbours.get(n, ()) if m in pos]
                keyed.append((sum(nb) / len(nb) if nb else pos[n], i, n))
            cols[c] = [n for _, _, n in sorted(keyed)]
            for i, n in enumerate(cols[c]):
                pos[n] = float(i)

    for _ in range(3):
        sweep(range(1, n_cols), deps)
        sweep(range(n_cols - 2, -1, -1), users)
    return {n: (c, r) for c, col in enumerate(cols) for r, n in enumerate(col)}


def graph_svg(nodes: list[dict], *, href: Callable[[str], str] | None = None,
              highlight: str | None = None, strip_paper: bool = False) -> str:
    """The dependency graph of ``nodes`` as an ``<svg>`` string.

    Arguments:
        nodes: dicts with ``id``, ``title``, ``verdict`` (or ``"missing"``), ``outcome`` and
            ``depends_on``. Dependencies outside ``nodes`` are drawn as missing nodes.
        href: the link of a claim's page (None: no links).
        highlight: the id drawn with a thick border (the claim whose page this is).
        strip_paper: label nodes without their ``<paper>.`` prefix.

    Returns:
        The SVG markup (empty string for no nodes).
    """
    if not nodes:
        return ""
    by_id = {n["id"]: n for n in nodes}
    for n in list(nodes):
        for d in n.get("depends_on", ()):
            if d not in by_id:
                by_id[d] = {"id": d, "title": "not in these results", "verdict": "missing",
                            "outcome": "missing", "depends_on": []}
    ids = sorted(by_id)
    deps = {i: [d for d in by_id[i].get("depends_on", ()) if d in by_id] for i in ids}
    pos = layout(ids, deps)

    def label(cid: str) -> str:
        return cid.split(".", 1)[1] if strip_paper and "." in cid else cid

    n_cols = max(c for c, _ in pos.values()) + 1
    col_w = [0.0] * n_cols
    for cid, (c, _) in pos.items():
        col_w[c] = max(col_w[c], len(label(cid)) * _CHAR_W + 16)
    col_x = [float(_PAD)]
    for w in col_w[:-1]:
        col_x.append(col_x[-1] + w + _GAP_X)
    n_rows = max(r for _, r in pos.values()) + 1
    legend_h = 22
    width = col_x[-1] + col_w[-1] + _PAD
    height = legend_h + n_rows * _ROW_H + _PAD
    uid = f"g{next(_counter)}"

    def box(cid):
        c, r = pos[cid]
        return col_x[c], legend_h + r * _ROW_H + 4, len(label(cid)) * _CHAR_W + 16

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="graph" role="img" '
           f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
           f'font-family="ui-monospace, monospace" font-size="11">',
           f'<defs><marker id="{uid}-arrow" viewBox="0 0 10 10" refX="10" refY="5" '
           f'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
           f'<path d="M 0 0 L 10 5 L 0 10 z" fill="#777"/></marker></defs>']
    x = _PAD
    for v in ("proved", "verified", "inconclusive", "refuted", "error"):
        out.append(f'<rect x="{x}" y="4" width="12" height="12" rx="2" '
                   f'fill="{VERDICT_COLORS[v]}"/><text x="{x + 16}" y="14">{v}</text>')
        x += 16 + len(v) * _CHAR_W + 14
    for cid in ids:
        x2, y2, _ = box(cid)
        for d in deps[cid]:
            x1, y1, w1 = box(d)
            xa, ya, xb, yb = x1 + w1, y1 + _BOX_H / 2, x2, y2 + _BOX_H / 2
            mid = (xa + xb) / 2
            out.append(f'<path d="M {xa:.1f} {ya:.1f} C {mid:.1f} {ya:.1f} {mid:.1f} {yb:.1f} '
                       f'{xb - 1:.1f} {yb:.1f}" fill="none" stroke="#999" stroke-width="1" '
                       f'marker-end="url(#{uid}-arrow)"/>')
    for cid in ids:
        n = by_id[cid]
        x, y, w = box(cid)
        v = n.get("verdict", "missing")
        fill = VERDICT_COLORS.get(v, "#bbbbbb")
        dashed = ' stroke-dasharray="4 2"' if n.get("outcome") in ("erratum", "missing") else ""
        stroke = "#000" if cid == highlight else "#444"
        sw = 3 if cid == highlight else 1
        tip = html.escape(f"{cid} — {n.get('title', '')} [{v}"
                          + (f", {n['outcome']}" if n.get("outcome") not in (None, v) else "")
                          + "]")
        node = (f'<g class="node" data-verdict="{v}"><title>{tip}</title>'
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{_BOX_H}" rx="4" '
                f'fill="{fill}" stroke="{stroke}" stroke-width="{sw}"{dashed}/>'
                f'<text x="{x + 8:.1f}" y="{y + 15:.1f}" fill="{_TEXT_ON.get(v, "#222")}">'
                f'{html.escape(label(cid))}</text></g>')
        if href is not None and v != "missing":
            node = f'<a href="{html.escape(href(cid), quote=True)}">{node}</a>'
        out.append(node)
    out.append("</svg>")
    return "\n".join(out)


def neighbourhood(cid: str, claims: dict[str, dict]) -> list[dict]:
    """The claims ``cid`` depends on (transitively), those that depend on it, and itself."""
    up: set[str] = set()
    stack = [cid]
    while stack:
        for d in claims.get(stack.pop(), {}).get("depends_on", ()):
            if d not in up:
                up.add(d)
                stack.append(d)
    users: dict[str, list[str]] = {}
    for c in claims.values():
        for d in c.get("depends_on", ()):
            users.setdefault(d, []).append(c["id"])
    down: set[str] = set()
    stack = [cid]
    while stack:
        for u in users.get(stack.pop(), ()):
            if u not in down:
                down.add(u)
                stack.append(u)
    keep = (up | down | {cid}) & set(claims)
    sub = []
    for i in sorted(keep):
        c = dict(claims[i])
        # edges only inside the neighbourhood (plus missing ancestors of the claim itself)
        c["depends_on"] = [d for d in c.get("depends_on", ())
                           if d in keep or (i == cid and d not in claims)]
        sub.append(c)
    return sub
