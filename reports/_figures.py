"""Drawing: figure data → matplotlib figures → inline SVG (HTML) or PDF files (LaTeX).

Nothing here computes mathematics: the papers' figure data is computed by the engine and handed
to :func:`lazyrich.reports.render`, check plots come from the data a check recorded. Drawing never
touches matplotlib's global state: every figure is a ``matplotlib.figure.Figure`` on its own Agg
canvas, styled inside ``rc_context`` (importing the reports leaves the user's backend and
settings alone). Drawings are cached (authenticated entries of :mod:`lazyrich._store`) by a key
over the data, the drawing code and the versions of Python, numpy and matplotlib.
"""

from __future__ import annotations

import base64
import hashlib
import inspect
import io
import itertools
import json
import math
import re
import sys
from contextlib import contextmanager

import numpy as np

from lazyrich import _store
from lazyrich._figures import PALETTE

STYLE = {
    "svg.fonttype": "none",       # text stays text: small, searchable, selectable
    "svg.hashsalt": "lazyrich",   # deterministic ids (then made unique per figure below)
    "font.size": 9,
    "axes.titlesize": 9.5,
    "axes.labelsize": 9,
    "legend.fontsize": 8,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "figure.dpi": 100,
    "pdf.fonttype": 42,
    "mathtext.fontset": "dejavusans",
    "axes.unicode_minus": True,
}
_svg_counter = itertools.count()


@contextmanager
def style():
    import matplotlib

    with matplotlib.rc_context(STYLE):
        yield


def new_figure(width: float = 6.0, height: float = 3.4):
    """An empty figure on its own Agg canvas (no pyplot, no global state)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    return fig


def to_svg(fig) -> str:
    """An inline ``<svg>`` element (no XML prolog) with ids made unique in the page, scaled to
    its container's width."""
    buf = io.StringIO()
    with style():
        fig.savefig(buf, format="svg", metadata={"Date": None})
    text = buf.getvalue()
    text = text[text.index("<svg"):]
    prefix = f"f{next(_svg_counter)}-"
    ids = set(re.findall(r'\bid="([^"]+)"', text))
    if ids:
        text = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', text)
        text = re.sub(r'url\(#([^)]+)\)', lambda m: f"url(#{prefix}{m.group(1)})"
                      if m.group(1) in ids else m.group(0), text)
        text = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}{m.group(1)}"'
                      if m.group(1) in ids else m.group(0), text)
    m = re.match(r'<svg([^>]*?) width="([\d.]+)pt" height="([\d.]+)pt"', text)
    width = float(m.group(2)) * 4 / 3 if m else 600.0
    text = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"',
                  lambda mm: f'<svg{mm.group(1)} class="plot" role="img" '
                             f'style="max-width:{width:.0f}px"', text, count=1)
    return text


def to_pdf_bytes(fig) -> bytes:
    buf = io.BytesIO()
    with style():
        fig.savefig(buf, format="pdf", metadata={"CreationDate": None})
    return buf.getvalue()


def _uniquify(svg: str) -> str:
    """A cached SVG with its ids made unique for this page again."""
    ids = set(re.findall(r'\bid="([^"]+)"', svg))
    if not ids:
        return svg
    prefix = f"c{next(_svg_counter)}-"
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', svg)
    svg = re.sub(r'url\(#([^)]+)\)', lambda m: f"url(#{prefix}{m.group(1)})"
                 if m.group(1) in ids else m.group(0), svg)
    return re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}{m.group(1)}"'
                  if m.group(1) in ids else m.group(0), svg)


# --------------------------------------------------------------------------- plot data format

def _finite_xy(x, y):
    try:
        xs = np.asarray(x, dtype=float)
        ys = np.asarray(y, dtype=float)
    except (TypeError, ValueError):
        return None, None, 0
    if xs.shape != ys.shape or xs.ndim != 1:
        return None, None, 0
    ok = np.isfinite(xs) & np.isfinite(ys) & (np.abs(ys) < 1e300) & (np.abs(xs) < 1e300)
    return xs[ok], ys[ok], int((~ok).sum())


_LINESTYLES = {"line": ("-", None), "dashed": ("--", None), "dotted": (":", None),
               "markers": ("none", "o"), "line+markers": ("-", "o")}


def _color(c, i):
    if isinstance(c, int) and not isinstance(c, bool):
        return PALETTE[c % len(PALETTE)]
    if isinstance(c, str) and re.fullmatch(r"#[0-9a-fA-F]{6}", c):
        return c
    return PALETTE[i % len(PALETTE)]


def _scale(ax, which, value, values):
    if value not in ("log", "symlog"):
        return
    if value == "log" and not (values.size and np.all(values > 0)):
        return
    (ax.set_xscale if which == "x" else ax.set_yscale)(value)


def draw_plot_data(data: dict, fig) -> None:
    """Draw data in the documented plot data format (``lazyrich._figures``) on ``fig``."""
    panels = [p for p in (data.get("panels") or []) if isinstance(p, dict)][:12]
    if not panels:
        raise ValueError("plot data has no 'panels'")
    cols = data.get("columns")
    cols = int(cols) if isinstance(cols, int) and 0 < cols <= 6 else min(len(panels), 3)
    rows = math.ceil(len(panels) / cols)
    fig.set_size_inches(min(4.3 * cols, 13.0), 3.2 * rows + 0.3)
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False).ravel())
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    for ax, p in zip(axes, panels):
        if p.get("image") is not None:
            m = np.asarray(p["image"], dtype=float)
            if m.ndim == 2 and m.size:
                m = np.where(np.isfinite(m), m, np.nan)
                if p.get("symmetric"):
                    lim = float(np.nanmax(np.abs(m))) or 1.0
                    im = ax.imshow(m, cmap="RdBu_r", vmin=-lim, vmax=lim)
                else:
                    im = ax.imshow(m, cmap="viridis")
                fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
                ax.set_xticks([])
                ax.set_yticks([])
        all_x, all_y = [], []
        labelled = False
        for i, s in enumerate((p.get("series") or [])[:24]):
            if not isinstance(s, dict):
                continue
            xs, ys, dropped = _finite_xy(s.get("x"), s.get("y"))
            if xs is None:
                continue
            ls, marker = _LINESTYLES.get(s.get("style"), ("-", None))
            label = str(s.get("label") or "") or None
            if label and dropped:
                label += f" ({dropped} non-finite value{'s' if dropped > 1 else ''} not shown)"
            labelled = labelled or bool(label)
            ax.plot(xs, ys, linestyle=ls, marker=marker, ms=4, mfc="none", lw=1.4,
                    color=_color(s.get("color"), i), label=label)
            all_x.append(xs)
            all_y.append(ys)
        for kind in ("hlines", "vlines"):
            for line in (p.get(kind) or [])[:12]:
                if not isinstance(line, dict):
                    continue
                v = line.get("y" if kind == "hlines" else "x")
                if not isinstance(v, (int, float)) or not math.isfinite(v):
                    continue
                ls = _LINESTYLES.get(line.get("style"), ("--", None))[0]
                label = str(line.get("label") or "") or None
                labelled = labelled or bool(label)
                (ax.axhline if kind == "hlines" else ax.axvline)(
                    v, color=_color(line.get("color"), 7) if line.get("color") is not None
                    else "0.4", ls=ls if ls != "none" else "--", lw=1, label=label)
        xs = np.concatenate(all_x) if all_x else np.array([])
        ys = np.concatenate(all_y) if all_y else np.array([])
        _scale(ax, "x", p.get("xscale"), xs)
        _scale(ax, "y", p.get("yscale"), ys)
        for attr in ("title", "xlabel", "ylabel"):
            if p.get(attr):
                getattr(ax, f"set_{attr}")(str(p[attr])[:200])
        if p.get("image") is None:
            ax.grid(alpha=0.3)
        if labelled and p.get("legend", True):
            ax.legend(loc="best")
    fig.tight_layout()


# --------------------------------------------------------------------------- check data

_X_NAMES = {"lambda": "λ", "λ": "λ", "lam": "λ", "abs_lambda": "|λ|", "lr": "learning rate",
            "eta": "learning rate η", "η": "learning rate η", "t": "t", "time": "t",
            "times": "t", "dps": "digits", "n": "n", "N": "N", "step": "step",
            "steps": "steps", "h": "h", "sigma": "σ", "σ": "σ", "scale": "scale",
            "size": "size", "sizes": "size", "ratio": "ratio", "c": "c", "w": "width w",
            "width": "width", "tau": "τ", "τ": "τ", "dt": "dt", "k": "k", "r": "r"}


def _numbers(v) -> list | None:
    if isinstance(v, list) and len(v) >= 2 and len(v) <= 100000 and all(
            isinstance(x, (int, float)) and not isinstance(x, bool) for x in v):
        arr = [float(x) for x in v]
        return arr if all(math.isfinite(x) and abs(x) < 1e300 for x in arr) else None
    return None


def _groups(data: dict) -> list[tuple[str, dict[str, list]]]:
    """The numeric series of a check's data, by group: ("", top-level series) and one group
    per dict of series."""
    top = {}
    groups = []
    for key, value in data.items():
        if key in ("steps", "derivation", "plot"):
            continue
        nums = _numbers(value)
        if nums is not None:
            top[str(key)] = nums
        elif isinstance(value, dict):
            sub = {str(k): n for k, v in value.items() if (n := _numbers(v)) is not None}
            if sub:
                groups.append((str(key), sub))
    return ([("", top)] if top else []) + groups


def _abscissa(series: dict[str, list]) -> str | None:
    for name in _X_NAMES:
        if name in series and any(len(v) == len(series[name])
                                  for k, v in series.items() if k != name):
            return name
    return None


def check_plot_data(data) -> dict | None:
    """The check's data as plot data (None when it has nothing to plot against a named
    abscissa: values without a meaningful x-axis are shown as a table instead)."""
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("plot"), dict):
        return data["plot"]
    series = []
    x_label = None
    for group, items in _groups(data):
        x_key = _abscissa(items)
        if x_key is None:
            continue
        x = items[x_key]
        x_label = x_label or _X_NAMES[x_key]
        for name, ys in items.items():
            if name == x_key or len(ys) != len(x):
                continue
            series.append({"x": x, "y": ys, "label": f"{group}: {name}" if group else name})
    if not series:
        return None
    series = series[:8]
    seen: list[tuple[str, np.ndarray, np.ndarray]] = []
    styles = ("line+markers", "dashed", "dotted")
    for i, s in enumerate(series):
        x, y = np.asarray(s["x"]), np.asarray(s["y"])
        twin = next((lab for lab, sx, sy in seen if sx.shape == x.shape and sy.shape == y.shape
                     and np.allclose(sx, x) and np.allclose(sy, y, rtol=1e-9, atol=0)), None)
        s["color"] = i
        if twin is not None:   # drawn on top of its twin: say so, and keep both visible
            s["label"] += f" (same values as {twin})"
            s["style"] = "dashed"
        else:
            s["style"] = styles[0]
        seen.append((s["label"], x, y))
    ys = np.concatenate([np.asarray(s["y"]) for s in series])
    xs = np.concatenate([np.asarray(s["x"]) for s in series])
    log_y = ys.size and np.all(ys > 0) and ys.max() / ys.min() > 100
    log_x = xs.size and np.all(xs > 0) and xs.max() / xs.min() > 100
    return {"panels": [{"xlabel": x_label, "series": series,
                        "xscale": "log" if log_x else "linear",
                        "yscale": "log" if log_y else "linear"}], "columns": 1}


def check_values(data) -> list[tuple[str, list]]:
    """Short numeric lists a check recorded that are not plotted (no abscissa): shown as a
    table, ``[(name, values)]``."""
    if not isinstance(data, dict) or isinstance(data.get("plot"), dict):
        return []
    out = []
    for group, items in _groups(data):
        if _abscissa(items) is not None:
            continue
        for name, values in items.items():
            if len(values) <= 16:
                out.append((f"{group}: {name}" if group else name, values))
    return out[:12]


def check_plot(data):
    """A figure of the check's data (None when there is nothing to plot)."""
    pd = check_plot_data(data)
    if pd is None:
        return None
    fig = new_figure()
    with style():
        draw_plot_data(pd, fig)
        fig.set_size_inches(5.2, 2.9)
        fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- drawing, cached

def _code_digest(draw) -> str:
    parts = [inspect.getsource(draw_plot_data)]
    if draw is not None:
        try:
            parts.append(inspect.getsource(inspect.getmodule(draw)))
        except (OSError, TypeError):
            parts.append(getattr(draw, "__qualname__", repr(draw)))
    parts.append(json.dumps(STYLE, sort_keys=True))
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def drawing_key(fig_id: str, data_digest: str, code: str) -> str:
    """The key of something drawn from figure data: the data, the drawing code and the
    versions of Python and of the libraries that draw (numpy, matplotlib)."""
    import matplotlib

    versions = f"{sys.version};numpy={np.__version__};matplotlib={matplotlib.__version__}"
    h = hashlib.sha256()
    h.update(f"drawing-v2;{fig_id};{versions};{data_digest};{code}".encode())
    return h.hexdigest()


def draw(figure_id: str, data: dict, draw_fn=None, *, formats=("svg",), cache_dir=None,
         use_cache: bool = True, size: tuple | None = None) -> dict:
    """Draw figure data (with ``draw_fn(data, fig)``, or the plot data format) into the
    requested formats: ``{"svg": markup, "pdf": bytes}``; cached by data, code and versions."""
    digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
    key = drawing_key(figure_id, digest, _code_digest(draw_fn) + repr(size))
    name = re.sub(r"[^A-Za-z0-9_.+-]", "_", figure_id)[:60]
    if figure_id == "check-plot":  # many plots share the id: one entry per data
        name += "-" + digest[:24]
    cached = _store.load_entry("drawings", name, key, cache_dir) if use_cache else None
    out: dict = {}
    if isinstance(cached, dict):
        if "svg" in formats and isinstance(cached.get("svg"), str):
            out["svg"] = _uniquify(cached["svg"])
        if "pdf" in formats and isinstance(cached.get("pdf"), str):
            out["pdf"] = base64.b64decode(cached["pdf"])
        if all(f in out for f in formats):
            return out
    fig = new_figure()
    with style():
        if draw_fn is not None:
            draw_fn(data, fig)
        else:
            draw_plot_data(data, fig)
        if size is not None:
            fig.set_size_inches(*size)
            fig.tight_layout()
    value = dict(cached) if isinstance(cached, dict) else {}
    if "svg" in formats:
        svg = to_svg(fig)
        out["svg"] = svg
        value["svg"] = svg
    if "pdf" in formats:
        pdf = to_pdf_bytes(fig)
        out["pdf"] = pdf
        value["pdf"] = base64.b64encode(pdf).decode()
    if use_cache:
        _store.store_entry("drawings", name, key, value, cache_dir)
    return out
