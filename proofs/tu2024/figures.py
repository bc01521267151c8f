"""Tu, Aranguri & Jacot (2024): the paper, and Figures 1 and 2 recomputed.

Figure 1: singular values of gradient descent from i.i.d. initialisation (the exact width-w
Gram-state recursion) against eq (1) solved in closed form (through the λ-balanced bridge), at
the Fig. 1 point (γσ², γw) = (−1.85, 2.25) scaled down to d = 20. A second panel measures each
top direction's learning rate against eq (1)'s 2√(s² + c²) (the speed-up once s crosses
c = σ²w), a third the train and test errors.

Figure 2: the four panels of the phase diagram on a small grid (d = 20, k = 3), one cell per
(γσ², γw) computed by the sweep engine's cell function (``lazyrich sweep
tu2024.phase-diagram``), with the black, red and orange lines and, on the lazy side, the exact
lazy-flow prediction of the minimal test error overlaid on the GD values.

The data is computed by the engine and cached by a key over this code; the ``draw`` functions
only lay it out. Nothing here decides a verdict.
"""

from __future__ import annotations

import math

import numpy as np

from lazyrich._figures import PALETTE, figure, register_paper
from lazyrich.numerics._self_consistent import self_consistent
from lazyrich.numerics._tu_tasks import (gram_gd_step, iid_gram_init, low_rank_denoising,
                                         phase_cell)

PAPER = register_paper(
    "tu2024",
    title="Mixed Dynamics In Linear Networks: Unifying the Lazy and Active Regimes",
    authors=("Tu", "Aranguri", "Jacot"),
    venue="NeurIPS", year=2024, arxiv="2405.17580")

_COLORS = PALETTE

# Figure 1 (the paper: d = 500, k = 5; scaled down so that the data costs well under a second)
FIG1 = {"d": 20, "k": 3, "gamma_sigma2": -1.85, "gamma_w": 2.25, "seed": 0, "lr_c": 50.0,
        "steps": 400, "every": 2, "n_sv": 6}
# Figure 2 (the paper: d = 200, k = 5, 30 × 30 grid; here 13 × 11 cells, ≈ 5 s on one core)
FIG2 = {"d": 20, "k": 3, "grid": "-3:0:0.25,0.25:2.75:0.25", "seeds": 1, "max_steps": 750,
        "update": "simultaneous", "lr_c": 50.0}
FIG2_FIELDS = ("gamma_sigma2", "gamma_w", "w", "region", "min_test", "stable_rank_at_min",
               "iter_at_min", "log_max_dist", "lazy_exact", "lazy_formula", "diverged",
               "error")
LINE_LABELS = {"black": "black: σ²w = d (active / lazy)",
               "red": "red: σ⁴w = 1 (infinite noise)",
               "orange": "orange: w = k (underparameterized)"}


def _lst(a) -> list:
    return np.asarray(a, dtype=float).tolist()


# ============================================================================================
# Figure 1
# ============================================================================================
def _draw_fig1(d: dict, fig) -> None:
    t = np.asarray(d["t"])
    c = d["c"]
    k = len(d["a_star_sv"])
    sv_gd, sv_sc, sv_lazy = (np.asarray(d[key]) for key in ("sv_gd", "sv_sc", "sv_lazy"))
    fig.set_size_inches(13.0, 3.8)
    axes = fig.subplots(1, 3)
    ax = axes[0]
    mark = slice(None, None, max(1, len(t) // 40))
    for j in range(sv_gd.shape[1]):
        color = _COLORS[j % len(_COLORS)] if j < k else "0.45"
        ax.plot(t, sv_sc[:, j], color=color, lw=1.4,
                label="eq (1), exact" if j == 0 else None)
        ax.plot(t[mark], sv_gd[mark, j], "o", ms=3, mfc="none", color=color,
                label="GD, width w" if j == 0 else None)
        if j < k:
            ax.plot(t, sv_lazy[:, j], ":", lw=1.2, color=color,
                    label="lazy flow (no speed-up)" if j == 0 else None)
    ax.axhline(c, color="0.5", ls="--", lw=1, label=f"σ²w = {c:.2f}")
    ax.set_yscale("log")
    ax.set_xlabel("t = nη")
    ax.set_title("singular values of A(t)")
    ax.legend(loc="lower right")
    ax = axes[1]
    rate = d["rate"]
    x, meas, which = np.asarray(rate["x"]), np.asarray(rate["measured"]), rate["direction"]
    for j in range(k):
        sel = np.asarray(which) == j
        ax.plot(x[sel], meas[sel], "o", ms=2.5, mfc="none", color=_COLORS[j],
                label=f"GD, direction {j + 1}")
    xs = np.linspace(0.0, max(float(x.max()) if x.size else 1.0, 1.0) * 1.05, 200)
    ax.plot(xs, np.sqrt(1.0 + xs ** 2), "k-", lw=1.3, label="eq (1): √(1 + (p/σ²w)²)")
    ax.axhline(1.0, color="0.5", ls=":", lw=1.2, label="lazy rate (= 1)")
    ax.axvline(1.0, color="0.5", ls="--", lw=1)
    ax.set_xlabel("p / σ²w")
    ax.set_ylabel("learning rate / 2σ²w")
    ax.set_title("speed-up after crossing σ²w")
    ax.legend(loc="upper left")
    ax = axes[2]
    errs = d["errors"]
    for name, color in (("train", _COLORS[0]), ("test", _COLORS[1])):
        ax.plot(t, errs[f"{name}_sc"], color=color, lw=1.4, label=f"{name}, eq (1)")
        ax.plot(t[mark], np.asarray(errs[f"{name}_gd"])[mark], "o", ms=3, mfc="none",
                color=color, label=f"{name}, GD")
    ax.set_yscale("log")
    ax.set_xlabel("t = nη")
    ax.set_title("train / test error (per entry)")
    ax.legend(loc="upper right")
    for ax in axes:
        ax.grid(alpha=0.3)
    fig.tight_layout()



@figure(
    "tu2024.fig1", recomputes="Fig. 1",
    title="Singular values of gradient descent against eq (1): they accelerate once they "
          "cross σ²w",
    caption="Low-rank denoising Y = A* + E (d = 20, rank k = 3, noise std 1), i.i.d. N(0, σ²) "
            "init at the Fig. 1 point (γσ², γw) = (−1.85, 2.25): w = ⌊d^2.25⌋ = 845, "
            "σ²w = d^0.4 ≈ 3.3 (the paper: d = 500, k = 5). Left: the top singular values of "
            "A(t); lines: eq (1) solved exactly (closed form via the λ-balanced bridge, "
            "λ = 2σ²w); circles: gradient descent on (W1, W2) of width w (exact Gram-state "
            "recursion, simultaneous update, η = 1/(50‖A*‖), t = nη); dotted: the lazy flow "
            "Y + exp(−2σ²w·t)(A₀ − Y) (no speed-up); dashed grey: σ²w. Middle: the measured rate "
            "ṗ/((y − p)·2σ²w) of the projection p = uᵀAv on each top singular pair (u, v) of Y "
            "in GD, against eq (1)'s √(1 + (p/σ²w)²) and the lazy rate 1. Right: train and test "
            "errors ‖A − Y‖²/d², ‖A − A*‖²/d².",
    claims=("tu2024.eq1.speedup", "tu2024.thm1", "tu2024.eq1.aligned", "tu2024.eq1.lazy",
            "tu2024.bridge", "tu2024.gram"),
    draw=_draw_fig1)
def tu2024_fig1() -> dict:
    p = FIG1
    d, k, n_sv = p["d"], p["k"], p["n_sv"]
    rng = np.random.default_rng([p["seed"], d, k])
    A_star, E, Y = low_rank_denoising(d, k, rng=rng)
    sigma2 = float(d) ** p["gamma_sigma2"]
    w = int(float(d) ** p["gamma_w"] + 1e-9)
    c = sigma2 * w
    A, K1, K2 = iid_gram_init(d, w, sigma2, rng=rng)
    A0 = A.copy()
    Uy, sy, Vyt = np.linalg.svd(Y)
    s_star = np.linalg.svd(A_star, compute_uv=False)
    lr = 1.0 / (p["lr_c"] * float(s_star[0]))
    steps = p["steps"]
    proj = np.empty((steps + 1, k))
    rates = np.empty((steps, k))
    recorded = []
    for n in range(steps + 1):
        proj[n] = np.einsum("ik,ij,jk->k", Uy[:, :k], A, Vyt[:k].T)
        if n % p["every"] == 0:
            recorded.append(A.copy())
        if n == steps:
            break
        G = A - Y
        # the gradient-flow velocity at this state, −(W2W2ᵀG + GW1ᵀW1), projected
        rates[n] = -np.einsum("ik,ij,jk->k", Uy[:, :k], K2 @ G + G @ K1, Vyt[:k].T)
        A, K1, K2 = gram_gd_step(A, K1, K2, Y, lr)
    A_gd = np.stack(recorded)
    t = lr * np.arange(0, steps + 1, p["every"])
    A_sc = self_consistent(A0, Y, c, t)
    A_lazy = Y + np.exp(-2.0 * c * t)[:, None, None] * (A0 - Y)
    sv = {name: np.linalg.svd(M, compute_uv=False)[:, :n_sv]
          for name, M in (("gd", A_gd), ("sc", A_sc), ("lazy", A_lazy))}
    # the measured rate of each top direction, in units of the lazy rate 2c, while the
    # direction is between 0.1c and 80% of its target (the crossing window)
    x = proj[:-1] / c
    gap = sy[:k] - proj[:-1]
    keep = (x > 0.1) & (gap > 0.2 * sy[:k])
    measured = rates / (2.0 * c * np.where(keep, gap, 1.0))
    d2 = float(d * d)

    def err(M, target):
        R = M - target
        return np.einsum("tij,tij->t", R, R) / d2

    return {
        "params": {**p, "w": w, "sigma2": sigma2, "c": c, "lr": lr},
        "t": _lst(t), "c": c, "target_sv": _lst(sy[:n_sv]), "a_star_sv": _lst(s_star[:k]),
        "sv_gd": _lst(sv["gd"]), "sv_sc": _lst(sv["sc"]), "sv_lazy": _lst(sv["lazy"][:, :k]),
        "rate": {"direction": [int(j) for j in np.nonzero(keep)[1]],
                 "x": _lst(x[keep]), "measured": _lst(measured[keep])},
        "errors": {"train_gd": _lst(err(A_gd, Y)), "train_sc": _lst(err(A_sc, Y)),
                   "test_gd": _lst(err(A_gd, A_star)), "test_sc": _lst(err(A_sc, A_star))},
    }


# ============================================================================================
# Figure 2
# ============================================================================================
def grid_axes(text: str):
    """The γσ² and γw values of a grid ``"GS_START:GS_STOP:STEP,GW_START:GW_STOP:STEP"``
    (stops inclusive), as the sweep command reads it."""
    axes = []
    for part in text.split(","):
        start, stop, step = (float(x) for x in part.split(":"))
        n = int(math.floor((stop - start) / step + 1e-9)) + 1
        axes.append(np.round(start + step * np.arange(n), 10))
    return axes[0], axes[1]


def _json_value(v):
    if isinstance(v, (np.floating, float)):
        v = float(v)
        return v if math.isfinite(v) else str(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.bool_):
        return bool(v)
    return v


def phase_lines(d: int, k: int, gamma_w) -> dict:
    """The three lines of Fig. 2 (Section 2.3): black γσ² = 1 − γw (σ²w = d), red γσ² = −γw/2
    (σ⁴w = 1), orange γw = ln k / ln d (w = k)."""
    gw = np.asarray(gamma_w, dtype=float)
    return {"gamma_w": _lst(gw), "black": _lst(1.0 - gw), "red": _lst(-gw / 2.0),
            "orange": math.log(k) / math.log(d)}


PANELS = (("min_test", "min test error"), ("stable_rank_at_min", "stable rank at the minimum"),
          ("iter_at_min", "iterations to the minimum"),
          ("log_max_dist", r"$\log\,\max_t \|A_{\mathrm{GD}} - A_{\mathrm{SC}}\|^2/d^2$"))


def grid_values(cells: list[dict], key: str):
    """(γσ² values, γw values, matrix [γw, γσ²] of ``key``; NaN where a cell failed)."""
    gs = sorted({float(r["gamma_sigma2"]) for r in cells})
    gw = sorted({float(r["gamma_w"]) for r in cells})
    Z = np.full((len(gw), len(gs)), np.nan)
    for r in cells:
        try:
            v = float(r.get(key))
        except (TypeError, ValueError):
            continue
        if math.isfinite(v) and not r.get("error"):
            Z[gw.index(float(r["gamma_w"])), gs.index(float(r["gamma_sigma2"]))] = v
    return np.array(gs), np.array(gw), Z


def _overlay_lazy_prediction(ax, gs, gw, gd_values, lazy_values) -> None:
    """White contours of GD's min test error (solid) and of the exact lazy-flow prediction
    (dashed), drawn only above the black line (σ²w > d), where the prediction applies."""
    from matplotlib.patches import Polygon

    hi = float(gs.max()) + 1.0
    top = float(gw.max()) + 1.0
    # the half-plane γσ² + γw > 1 intersected with a box around the grid
    region = Polygon([(1.0 - top, top), (hi, top), (hi, 1.0 - hi)], closed=True,
                     transform=ax.transData, facecolor="none", edgecolor="none")
    ax.add_patch(region)
    for values, style in ((gd_values, "solid"), (lazy_values, "dashed")):
        if np.isfinite(values).sum() < 4:
            continue
        cs = ax.contour(gs, gw, np.ma.masked_invalid(values), levels=(0.6, 0.75, 0.9),
                        colors="white", linestyles=style, linewidths=1.1)
        cs.set_clip_path(region)


def _draw_fig2(d: dict, fig) -> None:
    cells, lines = d["cells"], d["lines"]
    fig.set_size_inches(11.0, 8.6)
    axes = fig.subplots(2, 2)
    lgw = np.asarray(lines["gamma_w"])
    for ax, (key, title) in zip(axes.ravel(), PANELS):
        gs, gw, Z = grid_values(cells, key)
        mesh = ax.pcolormesh(gs, gw, np.ma.masked_invalid(Z), shading="nearest",
                             cmap="viridis")
        fig.colorbar(mesh, ax=ax)
        if key == "min_test":
            _overlay_lazy_prediction(ax, gs, gw, Z, grid_values(cells, "lazy_exact")[2])
        ax.plot(lines["black"], lgw, "k-", lw=2, label=LINE_LABELS["black"])
        ax.plot(lines["red"], lgw, "r-", lw=2, label=LINE_LABELS["red"])
        ax.axhline(lines["orange"], color="orange", lw=2, label=LINE_LABELS["orange"])
        ax.set_xlim(gs.min() - 0.125, gs.max() + 0.125)
        ax.set_ylim(gw.min() - 0.125, gw.max() + 0.125)
        ax.set_xlabel(r"$\gamma_{\sigma^2}$   ($\sigma^2 = d^{\,\gamma_{\sigma^2}}$)")
        ax.set_ylabel(r"$\gamma_w$   ($w = d^{\,\gamma_w}$)")
        ax.set_title(title)
    axes[0, 0].legend(loc="lower left", fontsize=6.5, framealpha=0.85)
    fig.tight_layout()


@figure(
    "tu2024.fig2", recomputes="Fig. 2",
    title="Phase diagram: test error, stable rank, time and the distance between GD and "
          "eq (1)",
    caption="Small grid of the published diagram: d = 20, k = 3, noise std 1, one seed, "
            "γσ² ∈ [−3, 0] and γw ∈ [0.25, 2.75] in steps of 0.25 (the paper: d = 200, k = 5). "
            "Each cell: GD from i.i.d. init (σ² = d^γσ², w = ⌊d^γw⌋, exact Gram-state "
            "recursion, η = 1/(50σ²w) above the black line and 1/(50‖A*‖) below it, ≤ 750 steps "
            "with the authors' early stops) side by side with eq (1) (Euler, same η); the "
            "sweep engine's cell function (lazyrich sweep tu2024.phase-diagram). Panels: "
            "minimal test error; stable rank at that minimum; iterations to it; "
            "log max_t ‖A_GD − A_SC‖²/d². Lines: black σ²w = d, red σ⁴w = 1, orange w = k. "
            "White contours (min test panel, lazy side): solid GD, dashed the exact lazy-flow "
            "prediction min_s ‖(1 − s)E + s(A₀ − A*)‖²/d².",
    claims=("tu2024.fig2", "tu2024.thm2.lines", "tu2024.thm2.lazy-error",
            "tu2024.low-rank-bias", "tu2024.thm1"),
    draw=_draw_fig2)
def tu2024_fig2() -> dict:
    p = FIG2
    gs_values, gw_values = grid_axes(p["grid"])
    rows = []
    for seed in range(p["seeds"]):
        for gw in gw_values:
            for gs in gs_values:
                params = dict(gamma_sigma2=float(gs), gamma_w=float(gw))
                try:
                    out = phase_cell(p["d"], p["k"], float(gs), float(gw), seed,
                                     max_steps=p["max_steps"], update=p["update"],
                                     lr_c=p["lr_c"])
                    out = {key: _json_value(v) for key, v in out.items()}
                    out["error"] = ""
                except Exception as exc:  # noqa: BLE001 - one bad cell is shown as missing
                    out = {"error": f"{type(exc).__name__}: {exc}"}
                rows.append({key: out.get(key, params.get(key)) for key in FIG2_FIELDS})
    gw_line = np.linspace(float(gw_values.min()) - 0.25, float(gw_values.max()) + 0.25, 25)
    return {"params": dict(p), "cells": rows, "lines": phase_lines(p["d"], p["k"], gw_line)}
