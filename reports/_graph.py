"""The claim dependency graph as inline SVG, laid out by Graphviz ``dot``.

``dot`` only ever sees anonymous node names (``n0``, ``n1``, ...) and box sizes, never a claim's
id or title: it returns positions and edge splines (``-Tjson0``), and the SVG is written here
with every label escaped. Layouts are cached by their input (a warm report runs no ``dot``).
Without Graphviz a simple layered layout (longest-path layers, barycentre ordering) is used.

The SVG scales to its column (``viewBox``, width 100%); the page adds zoom and pan. Nodes are
coloured by verdict and link to the claim's page; a documented erratum has a dashed border; a
dependency missing from the results is a grey dashed node; the claim whose page it is has a
thick border.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import json
import shutil
import subprocess
from typing import Callable, Iterable

from lazyrich import _store

VERDICT_COLORS = {"proved": "#1b7a3a", "verified": "#5cb85c", "inconclusive": "#e0a800",
                  "refuted": "#c9302c", "error": "#7a2a90", "missing": "#bbbbbb"}
TEXT_ON = {"proved": "#fff", "verified": "#fff", "inconclusive": "#222", "refuted": "#fff",
           "error": "#fff", "missing": "#222"}
LEGEND = (("proved", "proved"), ("verified", "verified"), ("inconclusive", "inconclusive"),
          ("refuted", "refuted"), ("error", "error"), ("missing", "not in these results"))

_CHAR_W, _BOX_H, _PAD = 6.9, 24.0, 10.0
_DOT_TIMEOUT_S = 60
_counter = itertools.count()


def _label(cid: str, strip_paper: bool) -> str:
    return cid.split(".", 1)[1] if strip_paper and "." in cid else cid


# ------------------------------------------------------------------------------ layout

def _dot_layout(n: int, widths: list[float], edges: list[tuple[int, int]], cache_dir=None,
                groups: list[int] | None = None, n_groups: int = 0):
    """Node centres, edge splines and cluster boxes from dot, in SVG coordinates (y down);
    None without Graphviz or when it fails. ``groups[i]`` puts node ``i`` in cluster
    ``groups[i]`` (one per paper)."""
    exe = shutil.which("dot")
    if exe is None:
        return None
    lines = ["digraph G {", "rankdir=LR; nodesep=0.18; ranksep=0.55; splines=true;",
             "node [shape=box, fixedsize=true, label=\"\", height=%.3f];" % (_BOX_H / 72)]
    if groups is not None and n_groups > 1:
        for g in range(n_groups):
            members = " ".join(f"n{i}" for i in range(n) if groups[i] == g)
            lines.append(f'subgraph cluster_{g} {{ label=" "; margin=14; {members}; }}')
    for i in range(n):
        lines.append(f"n{i} [width={widths[i] / 72:.3f}];")
    for a, b in edges:
        lines.append(f"n{a} -> n{b};")
    lines.append("}")
    src = "\n".join(lines)
    key = hashlib.sha256(("dot-layout-v2\0" + src).encode()).hexdigest()
    hit = _store.load_entry("layouts", "graph-" + key[:40], key, cache_dir)
    if isinstance(hit, dict) and "nodes" in hit:
        return hit
    try:
        proc = subprocess.run([exe, "-Tjson0"], input=src, capture_output=True, text=True,
                              timeout=_DOT_TIMEOUT_S)
        if proc.returncode != 0:
            return None
        doc = json.loads(proc.stdout)
    except (OSError, subprocess.TimeoutExpired, ValueError):
        return None
    x0, y0, x1, y1 = (float(v) for v in doc["bb"].split(","))
    height = y1 - y0
    nodes = {}
    by_gvid = {}
    clusters = {}
    for obj in doc.get("objects", []):
        name = obj.get("name", "")
        if name.startswith("n") and name[1:].isdigit() and "pos" in obj:
            x, y = (float(v) for v in obj["pos"].split(","))
            nodes[int(name[1:])] = (x - x0 + _PAD, height - (y - y0) + _PAD)
            by_gvid[obj.get("_gvid")] = int(name[1:])
        elif name.startswith("cluster_") and name[8:].isdigit() and "bb" in obj:
            cx0, cy0, cx1, cy1 = (float(v) for v in obj["bb"].split(","))
            clusters[name[8:]] = (cx0 - x0 + _PAD, height - (cy1 - y0) + _PAD, cx1 - cx0,
                                  cy1 - cy0)
    splines = []
    for e in doc.get("edges", []):
        pos = e.get("pos", "")
        end = None
        pts = []
        for part in pos.split():
            if part.startswith("e,"):
                x, y = (float(v) for v in part[2:].split(","))
                end = (x, y)
            elif part.startswith("s,"):
                continue
            else:
                x, y = (float(v) for v in part.split(","))
                pts.append((x, y))
        flip = [(x - x0 + _PAD, height - (y - y0) + _PAD) for x, y in pts]
        tip = (end[0] - x0 + _PAD, height - (end[1] - y0) + _PAD) if end else None
        if e.get("tail") not in by_gvid or e.get("head") not in by_gvid:
            continue
        splines.append({"tail": by_gvid[e["tail"]], "head": by_gvid[e["head"]], "points": flip,
                        "tip": tip})
    out = {"width": x1 - x0 + 2 * _PAD, "height": height + 2 * _PAD,
           "nodes": {str(k): v for k, v in nodes.items()}, "edges": splines,
           "clusters": clusters}
    _store.store_entry("layouts", "graph-" + key[:40], key, out, cache_dir)
    return out


def _layers(nodes: list[int], deps: dict[int, list[int]]) -> dict[int, int]:
    layer: dict[int, int] = {}
    visiting: set[int] = set()

    def depth(n: int) -> int:
        if n in layer:
            return layer[n]
        visiting.add(n)
        d = 0
        for m in deps.get(n, ()):
            if m in visiting:
                continue
            d = max(d, depth(m) + 1)
        visiting.discard(n)
        layer[n] = d
        return d

    for n in nodes:
        depth(n)
    return layer


def _simple_layout(n: int, widths: list[float], edges: list[tuple[int, int]]):
    """Longest-path layers as columns, barycentre ordering (no Graphviz)."""
    deps: dict[int, list[int]] = {i: [] for i in range(n)}
    users: dict[int, list[int]] = {i: [] for i in range(n)}
    for a, b in edges:
        deps[b].append(a)
        users[a].append(b)
    layer = _layers(list(range(n)), deps)
    n_cols = max(layer.values(), default=-1) + 1
    cols: list[list[int]] = [[] for _ in range(n_cols)]
    for i in range(n):
        cols[layer[i]].append(i)
    pos = {i: float(k) for col in cols for k, i in enumerate(col)}

    def sweep(order: Iterable[int], nb: dict[int, list[int]]) -> None:
        for c in order:
            keyed = []
            for k, i in enumerate(cols[c]):
                ps = [pos[m] for m in nb.get(i, ())]
                keyed.append((sum(ps) / len(ps) if ps else pos[i], k, i))
            cols[c] = [i for _, _, i in sorted(keyed)]
            for k, i in enumerate(cols[c]):
                pos[i] = float(k)

    for _ in range(3):
        sweep(range(1, n_cols), deps)
        sweep(range(n_cols - 2, -1, -1), users)
    col_w = [max((widths[i] for i in col), default=0.0) for col in cols]
    xs = [_PAD]
    for w in col_w[:-1]:
        xs.append(xs[-1] + w + 50.0)
    row_h = _BOX_H + 10.0
    nodes = {}
    for c, col in enumerate(cols):
        for r, i in enumerate(col):
            nodes[str(i)] = (xs[c] + col_w[c] / 2, _PAD + r * row_h + _BOX_H / 2)
    edges_out = []
    for a, b in edges:
        (xa, ya), (xb, yb) = nodes[str(a)], nodes[str(b)]
        xa += widths[a] / 2
        xb -= widths[b] / 2
        mid = (xa + xb) / 2
        edges_out.append({"tail": a, "head": b,
                          "points": [(xa, ya), (mid, ya), (mid, yb), (xb - 6, yb)],
                          "tip": (xb, yb)})
    width = (xs[-1] + col_w[-1] + _PAD) if cols else 2 * _PAD
    height = _PAD * 2 + max((len(c) for c in cols), default=0) * row_h
    return {"width": width, "height": height, "nodes": nodes, "edges": edges_out}


# ------------------------------------------------------------------------------ SVG

def graph_svg(nodes: list[dict], *, href: Callable[[str], str] | None = None,
              highlight: str | None = None, strip_paper: bool = False,
              title_of: Callable[[dict], str] | None = None, cache_dir=None,
              paper_label: Callable[[str], str] | None = None) -> str:
    """The dependency graph of ``nodes`` as an ``<svg>`` string (empty for no nodes).

    Arguments:
        nodes: dicts with ``id``, ``title``, ``verdict`` (or ``"missing"``), ``outcome`` and
            ``depends_on``. Dependencies outside ``nodes`` are drawn as missing nodes.
        href: the link of a claim's page (None: no links).
        highlight: the id drawn with a thick border (the claim whose page this is).
        strip_paper: label nodes without their ``<paper>.`` prefix.
        title_of: the tooltip text of a node (default: id, title and verdict).
        cache_dir: where dot layouts are cached.
        paper_label: the name of a paper (``<paper>`` of an id); with claims of several
            papers, each paper's claims are drawn in a box named by it and labelled without
            their paper prefix.
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
    index = {cid: i for i, cid in enumerate(ids)}
    papers = sorted({cid.split(".", 1)[0] for cid in ids})
    clustered = len(papers) > 1 and paper_label is not None
    strip = strip_paper or clustered
    groups = [papers.index(cid.split(".", 1)[0]) for cid in ids]
    widths = [max(len(_label(cid, strip)) * _CHAR_W + 18, 40.0) for cid in ids]
    edges = sorted({(index[d], index[cid]) for cid in ids for d in by_id[cid].get("depends_on",
                                                                                  ())
                    if d in index and d != cid})
    layout = _dot_layout(len(ids), widths, edges, cache_dir,
                         groups if clustered else None, len(papers)) or \
        _simple_layout(len(ids), widths, edges)
    uid = f"g{next(_counter)}"
    w, h = layout["width"], layout["height"]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="graph" role="img" '
           f'viewBox="0 0 {w:.0f} {h:.0f}" data-width="{w:.0f}" data-height="{h:.0f}" '
           f'style="max-width:{w:.0f}px" preserveAspectRatio="xMidYMin meet" '
           f'font-family="ui-monospace, DejaVu Sans Mono, monospace" font-size="11">',
           f'<defs><marker id="{uid}-arrow" viewBox="0 0 10 10" refX="10" refY="5" '
           f'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
           f'<path d="M 0 0 L 10 5 L 0 10 z" fill="#777"/></marker></defs>',
           '<g class="viewport">']
    for g, (cx, cy, cw, ch) in sorted((layout.get("clusters") or {}).items()):
        if not clustered or not g.isdigit() or int(g) >= len(papers):
            continue
        out.append(f'<g class="cluster"><rect x="{cx:.1f}" y="{cy:.1f}" width="{cw:.1f}" '
                   f'height="{ch:.1f}" rx="6" fill="#f7f9fc" stroke="#c8d3e0"/>'
                   f'<text x="{cx + 8:.1f}" y="{cy + 14:.1f}" fill="#1a4f8a" '
                   f'font-family="system-ui, sans-serif" font-weight="600">'
                   f'{html.escape(paper_label(papers[int(g)]))}</text></g>')
    for e in layout["edges"]:
        pts = e["points"]
        if not pts:
            continue
        d = f"M {pts[0][0]:.1f} {pts[0][1]:.1f}"
        rest = pts[1:]
        while len(rest) >= 3:
            (ax, ay), (bx, by), (cx, cy) = rest[:3]
            d += f" C {ax:.1f} {ay:.1f} {bx:.1f} {by:.1f} {cx:.1f} {cy:.1f}"
            rest = rest[3:]
        for px, py in rest:
            d += f" L {px:.1f} {py:.1f}"
        if e.get("tip"):
            d += f" L {e['tip'][0]:.1f} {e['tip'][1]:.1f}"
        out.append(f'<path class="edge" d="{d}" fill="none" stroke="#999" stroke-width="1" '
                   f'marker-end="url(#{uid}-arrow)"/>')
    for cid in ids:
        i = index[cid]
        n = by_id[cid]
        cx, cy = layout["nodes"][str(i)]
        bw = widths[i]
        x, y = cx - bw / 2, cy - _BOX_H / 2
        v = n.get("verdict", "missing")
        fill = VERDICT_COLORS.get(v, "#bbbbbb")
        dashed = ' stroke-dasharray="4 2"' if n.get("outcome") in ("erratum", "missing") else ""
        mine = cid == highlight
        stroke, sw = ("#000", 3.5) if mine else ("#444", 1)
        bold = ' font-weight="bold"' if mine else ""
        tip = title_of(n) if title_of else (
            f"{cid} — {n.get('title', '')} [{v}"
            + (f", {n['outcome']}" if n.get("outcome") not in (None, v) else "") + "]")
        node = (f'<g class="node{" here" if mine else ""}" data-verdict="{html.escape(v)}" '
                f'data-id="{html.escape(cid, quote=True)}">'
                f'<title>{html.escape(tip)}</title>'
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bw:.1f}" height="{_BOX_H:.0f}" rx="4" '
                f'fill="{fill}" stroke="{stroke}" stroke-width="{sw}"{dashed}/>'
                f'<text x="{cx:.1f}" y="{cy + 4:.1f}" text-anchor="middle" '
                f'fill="{TEXT_ON.get(v, "#222")}"{bold}>'
                f'{html.escape(_label(cid, strip))}</text></g>')
        if href is not None and v != "missing":
            node = f'<a href="{html.escape(href(cid), quote=True)}">{node}</a>'
        out.append(node)
    out.append("</g></svg>")
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
        c["depends_on"] = [d for d in c.get("depends_on", ())
                           if d in keep or (i == cid and d not in claims)]
        sub.append(c)
    return sub
