"""Plots: figure data (from :mod:`reports._figures_data` or a check's ``data``) → matplotlib
figures → inline SVG (for HTML) or PDF files (for LaTeX). Nothing here computes mathematics.

A renderer is registered per figure id with :func:`figure_renderer`; it receives the figure's
data and returns a matplotlib ``Figure``. :func:`check_plot` draws a check's own evidence data
(curves the check recorded) with a generic layout.
"""

from __future__ import annotations

import io
import itertools
import math
import re
from typing import Callable

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

matplotlib.rcParams.update({
    "svg.fonttype": "none",       # text stays text: small, searchable, selectable
    "svg.hashsalt": "lazyrich",   # deterministic ids (then made unique per figure below)
    "font.size": 9,
    "axes.titlesize": 9,
    "axes.labelsize": 9,
    "legend.fontsize": 7,
    "figure.dpi": 100,
})

RENDERERS: dict[str, Callable[[dict], "plt.Figure"]] = {}
_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
           "#17becf")
_svg_counter = itertools.count()


def figure_renderer(fig_id: str):
    """Decorator registering ``draw(data) -> matplotlib Figure`` for figure ``fig_id``."""

    def register(func):
        RENDERERS[fig_id] = func
        return func

    return register


def to_svg(fig, *, close: bool = True) -> str:
    """An inline ``<svg>`` element (no XML prolog) with ids made unique in the page, scaled to
    its container's width. Closes ``fig`` unless ``close`` is False."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    if close:
        plt.close(fig)
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
    text = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"',
                  r'<svg\1 class="plot" role="img"', text, count=1)
    return text


def to_pdf(fig, path) -> None:
    """Write ``fig`` as a PDF file (for LaTeX's ``\\includegraphics``). Closes ``fig``."""
    fig.savefig(path, format="pdf", metadata={"CreationDate": None})
    plt.close(fig)


def draw_figure(fig_id: str, data: dict):
    """The matplotlib figure of a registered paper figure (None when no renderer is known)."""
    draw = RENDERERS.get(fig_id)
    return None if draw is None else draw(data)


# --------------------------------------------------------------------------- check data

_X_NAMES = ("lambda", "λ", "lam", "lr", "eta", "η", "t", "time", "times", "dps", "n", "N",
            "step", "steps", "h", "sigma", "σ", "scale", "size", "sizes")


def _numbers(v) -> list | None:
    if isinstance(v, list) and len(v) >= 2 and all(
            isinstance(x, (int, float)) and not isinstance(x, bool) for x in v):
        arr = [float(x) for x in v]
        return arr if all(math.isfinite(x) for x in arr) else None
    return None


def _series(data: dict) -> dict[str, list]:
    out: dict[str, list] = {}
    for key, value in data.items():
        if key in ("steps", "derivation"):
            continue
        nums = _numbers(value)
        if nums is not None:
            out[str(key)] = nums
        elif isinstance(value, dict):
            for sub, v in value.items():
                nums = _numbers(v)
                if nums is not None:
                    out[f"{key}: {sub}"] = nums
    return out


def check_plot(data) -> "plt.Figure | None":
    """A plot of the numeric series a check recorded in its ``data`` (None if there is none).

    Lists of numbers (top level, or one level down in a dict) are series. If one of them is
    named like an abscissa (``lambda``, ``lr``, ``t``, ...) and the others have its length,
    they are plotted against it; otherwise against their index. Axes are logarithmic when all
    values are positive and span more than two decades.
    """
    if not isinstance(data, dict):
        return None
    series = _series(data)
    if not series:
        return None
    x_key = next((k for k in series if k in _X_NAMES
                  and any(len(v) == len(series[k]) for kk, v in series.items() if kk != k)),
                 None)
    x = series.pop(x_key) if x_key else None
    items = list(series.items())[:8]
    if not items:
        return None
    fig, ax = plt.subplots(figsize=(5.0, 2.8))
    for (name, ys), color in zip(items, itertools.cycle(_COLORS)):
        xs = x if x is not None and len(x) == len(ys) else list(range(len(ys)))
        ax.plot(xs, ys, "o-", ms=3, lw=1, color=color, label=name)
    all_y = np.concatenate([np.asarray(v) for _, v in items])
    if _log_ok(all_y):
        ax.set_yscale("log")
    if x is not None and _log_ok(np.asarray(x)):
        ax.set_xscale("log")
    ax.set_xlabel(x_key if x_key else "index")
    ax.grid(alpha=0.3)
    ax.legend(loc="best")
    fig.tight_layout()
    return fig


def _log_ok(v) -> bool:
    v = np.asarray(v, dtype=float)
    return v.size > 0 and bool(np.all(v > 0)) and float(v.max() / v.min()) > 100


# --------------------------------------------------------------------------- Dominé et al. 2025

@figure_renderer("domine2025.fig2")
def _fig2(d: dict):
    t = np.asarray(d["t"])
    fig, axes = plt.subplots(1, 4, figsize=(12.5, 3.0))
    for c, color in zip(d["curves"], _COLORS):
        th, sim = c["theory"], c["simulation"]
        ts = np.asarray(sim["t"])
        lab = f"λ={c['lambda']:g}"
        axes[0].plot(t, th["loss"], color=color, lw=1.4, label=lab)
        axes[0].plot(ts, sim["loss"], "o", ms=3, mfc="none", color=color)
        prod, prod_s = np.asarray(th["product"]), np.asarray(sim["product"])
        for j in range(prod.shape[1]):
            axes[1].plot(t, prod[:, j], color=color, lw=1)
            axes[1].plot(ts, prod_s[:, j], "o", ms=2.5, mfc="none", color=color)
        axes[2].plot(t, th["w1tw1"], color=color, lw=1.4, label=f"‖W1ᵀW1‖ {lab}")
        axes[2].plot(t, th["w2w2t"], color=color, lw=1.4, ls="--", label=f"‖W2W2ᵀ‖ {lab}")
        axes[2].plot(ts, sim["w1tw1"], "o", ms=3, mfc="none", color=color)
        axes[2].plot(ts, sim["w2w2t"], "s", ms=3, mfc="none", color=color)
        axes[3].plot(t, th["ntk_distance"], color=color, lw=1.4, label=lab)
        axes[3].plot(ts, sim["ntk_distance"], "o", ms=3, mfc="none", color=color)
    axes[0].set_yscale("log")
    for ax, title in zip(axes, ("loss", "entries of W2W1", "QQᵀ blocks (Frobenius norm)",
                                "NTK kernel distance from t=0")):
        ax.set_title(title)
        ax.set_xlabel("t")
        ax.grid(alpha=0.3)
    axes[0].legend(title="line: closed form, ○: GD")
    axes[2].legend(ncol=1, fontsize=6)
    fig.tight_layout()
    return fig


@figure_renderer("domine2025.fig3")
def _fig3(d: dict):
    t, ts = np.asarray(d["t"]), np.asarray(d["t_sim"])
    fig, axes = plt.subplots(1, 2, figsize=(10.0, 3.2))
    for c, color in zip(d["curves"], _COLORS):
        th, sim = np.asarray(c["theory"]), np.asarray(c["simulation"])
        for k in range(th.shape[0]):
            axes[0].plot(t, th[k], color=color, lw=1.3, label=f"λ={c['lambda']:g}" if k == 0
                         else None)
            axes[0].plot(ts, sim[k], "o", ms=3, mfc="none", color=color)
        axes[1].plot(t, c["gamma"], color=color, lw=1.3, label=f"λ={c['lambda']:g}")
    axes[1].plot(t, d["sigmoid_limit"], "k--", lw=1, label="sigmoid limit (λ→0)")
    axes[1].plot(t, d["exponential_limit"], "k:", lw=1.4, label="1−e^{−|λ|t}, λ=10")
    axes[0].set_title("singular values s_α(t) (line: Thm 5.1, ○: gradient flow)")
    axes[1].set_title("transition function γ(t; λ) of the leading mode")
    for ax in axes:
        ax.set_xlabel("t")
        ax.grid(alpha=0.3)
        ax.legend(loc="lower right")
    fig.tight_layout()
    return fig


@figure_renderer("domine2025.fig4")
def _fig4(d: dict):
    panels = d["panels"]
    rows = (("input_theory", "XᵀW1ᵀW1X, closed form"), ("input_sim", "XᵀW1ᵀW1X, gradient flow"),
            ("output_theory", "W2W2ᵀ, closed form"), ("output_sim", "W2W2ᵀ, gradient flow"))
    fig, axes = plt.subplots(len(rows), len(panels), figsize=(2.3 * len(panels) + 1, 9.0),
                             squeeze=False)
    for j, p in enumerate(panels):
        for i, (key, label) in enumerate(rows):
            m = np.asarray(p[key])
            lim = float(np.max(np.abs(m))) or 1.0
            im = axes[i, j].imshow(m, cmap="RdBu_r", vmin=-lim, vmax=lim)
            axes[i, j].set_xticks([])
            axes[i, j].set_yticks([])
            if i == 0:
                axes[i, j].set_title(f"λ={p['lambda']:g}\nmax diff in {p['max_diff_input']:.1e}"
                                     f", out {p['max_diff_output']:.1e}")
            if j == 0:
                axes[i, j].set_ylabel(label, fontsize=7)
            fig.colorbar(im, ax=axes[i, j], fraction=0.046, pad=0.04)
    fig.tight_layout()
    return fig


@figure_renderer("domine2025.fig5")
def _fig5(d: dict):
    fig, ax = plt.subplots(figsize=(6.5, 3.4))
    for a, color in zip(d["architectures"], _COLORS):
        ax.plot(d["lambdas"], a["theory"], color=color, lw=1.4, label=a["name"])
        ax.plot(d["sim_lambdas"], a["simulation"], "o", ms=5, mfc="none", color=color)
    ax.set_xscale("symlog", linthresh=0.1)
    ax.set_xlabel("λ")
    ax.set_ylabel("kernel distance, init → convergence")
    ax.set_title("line: closed form (mean of 5 inits), ○: gradient flow")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return fig


@figure_renderer("domine2025.fig1c")
def _fig1c(d: dict):
    fig, axes = plt.subplots(1, 2, figsize=(9.5, 3.4))
    m = np.asarray(d["matrix"])
    im = axes[0].imshow(m, cmap="RdBu_r", vmin=-np.abs(m).max(), vmax=np.abs(m).max())
    fig.colorbar(im, ax=axes[0], fraction=0.046, pad=0.04)
    axes[0].set_title("W2ᵀW2 − W1W1ᵀ (LeCun, 40→120→250)")
    axes[0].set_xticks([])
    axes[0].set_yticks([])
    ax = axes[1]
    off, diag = np.asarray(d["off_diagonal"]), np.asarray(d["diagonal"])
    sd, lam = d["std_predicted"], d["lambda_predicted"]
    ax.hist(off, bins=60, density=True, alpha=0.55, color=_COLORS[0], label="off-diagonal")
    ax.hist(diag, bins=20, density=True, alpha=0.55, color=_COLORS[1], label="diagonal")
    xs = np.linspace(off.min(), max(off.max(), diag.max()), 300)
    ax.plot(xs, np.exp(-xs ** 2 / (2 * sd ** 2)) / (sd * np.sqrt(2 * np.pi)), "k-", lw=1,
            label=f"N(0, {sd:.3f}²) predicted")
    ax.axvline(lam, color=_COLORS[1], ls="--", lw=1.2, label=f"λ = N_o/N_h − 1 = {lam:.3f}")
    ax.axvline(float(diag.mean()), color="k", ls=":", lw=1.2,
               label=f"mean diagonal = {diag.mean():.3f}")
    ax.set_title("entries vs Theorem A.3 prediction")
    ax.legend(fontsize=6)
    fig.tight_layout()
    return fig
