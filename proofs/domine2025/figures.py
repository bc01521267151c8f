"""Dominé et al. (2025): the paper, and its figures recomputed from the closed forms.

Each figure's data is a JSON-ready dict of curves built from :mod:`lazyrich.numerics` — the
closed forms (``qqt``, ``aligned_trajectory``) next to the simulations they are overlaid on
(``gradient_flow``, ``gradient_descent``) — computed by the engine and cached by a key over this
code; the ``draw`` functions only lay the data out on a matplotlib figure the report provides.
Figures illustrate; verdicts come only from the claims' checks.
"""

from __future__ import annotations

import numpy as np

from lazyrich import numerics
from lazyrich._figures import PALETTE, figure, register_paper
from lazyrich.numerics import LazyrichError

PAPER = register_paper(
    "domine2025",
    title="From Lazy to Rich: Exact Learning Dynamics in Deep Linear Networks",
    authors=("Dominé", "Anguita", "Proca", "Braun", "Kunin", "Mediano", "Saxe"),
    venue="ICLR", year=2025, arxiv="2409.14623",
    assumptions={
        "A1": "whitened input: Σxx = XXᵀ/P = I",
        "A2": "λ-balanced initialisation: W2(0)ᵀW2(0) − W1(0)W1(0)ᵀ = λI",
        "A3": "bottleneck width: N_h = min(N_i, N_o)",
        "A4": "zero-balanced initialisation (λ = 0): W2(0)ᵀW2(0) = W1(0)W1(0)ᵀ",
    })


def _lst(a) -> list:
    return np.asarray(a, dtype=float).tolist()


def _loss_from_product(prod, sigma_yx, sigma_yy_trace):
    """L = ½ tr Σyy − tr(W2W1 Σyxᵀ) + ½‖W2W1‖²_F for whitened inputs, batched over t."""
    cross = np.einsum("...ij,ij->...", prod, sigma_yx)
    return 0.5 * sigma_yy_trace - cross + 0.5 * np.einsum("...ij,...ij->...", prod, prod)


def _ntk_from_qqt(qqt, X, n_in):
    """Eq (5) from the blocks of QQᵀ: I_{N_o} ⊗ XᵀW1ᵀW1X + W2W2ᵀ ⊗ XᵀX (batched over t)."""
    a = qqt[..., :n_in, :n_in]
    b = qqt[..., n_in:, n_in:]
    n_out = b.shape[-1]
    xax = np.swapaxes(X, 0, 1) @ a @ X
    xx = X.T @ X
    eye = np.eye(n_out)
    return (np.einsum("ij,...pq->...ipjq", eye, xax)
            + np.einsum("...ij,pq->...ipjq", b, xx)).reshape(*qqt.shape[:-2], n_out * X.shape[1],
                                                             n_out * X.shape[1])


def _balanced_init(lam, n_in, n_h, n_out, scale, seed, sigma_yx):
    """Algorithm 1 with the first seed from ``seed`` on whose init every mode can reach the task.

    A square network whose det(W2W1) has the sign opposite to det(Σyx) has a mode that must
    cross the saddle (App. D.2): the closed form then (rightly) refuses large t. Figures want
    the generic case, so such draws are skipped, deterministically.
    """
    for s in range(seed, seed + 50):
        W1, W2 = numerics.lambda_balanced_init(lam, n_in, n_h, n_out, scale=scale, rng=s)
        if n_in != n_out or np.linalg.det(W2 @ W1) * np.linalg.det(sigma_yx) > 0:
            return W1, W2
    raise LazyrichError(f"no usable λ-balanced init among seeds {seed}..{seed + 49}")


def _style(ax, title=None, xlabel=None, ylabel=None):
    if title:
        ax.set_title(title)
    if xlabel:
        ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)


# --------------------------------------------------------------------------- Figure 2

_FIG2_LAMBDAS = (-2.0, 0.0, 2.0)


def _draw_fig2(d: dict, fig) -> None:
    from matplotlib.lines import Line2D

    fig.set_size_inches(12.5, 3.6)
    axes = fig.subplots(1, 4)
    t = np.asarray(d["t"])
    for c, color in zip(d["curves"], PALETTE):
        th, sim = c["theory"], c["simulation"]
        ts = np.asarray(sim["t"])
        axes[0].plot(t, th["loss"], color=color, lw=1.4)
        axes[0].plot(ts, sim["loss"], "o", ms=3.5, mfc="none", color=color)
        prod, prod_s = np.asarray(th["product"]), np.asarray(sim["product"])
        for j in range(prod.shape[1]):
            axes[1].plot(t, prod[:, j], color=color, lw=1)
            axes[1].plot(ts, prod_s[:, j], "o", ms=2.5, mfc="none", color=color)
        axes[2].plot(t, th["w1tw1"], color=color, lw=1.4)
        axes[2].plot(t, th["w2w2t"], color=color, lw=1.4, ls="--")
        axes[2].plot(ts, sim["w1tw1"], "o", ms=3, mfc="none", color=color)
        axes[2].plot(ts, sim["w2w2t"], "s", ms=3, mfc="none", color=color)
        axes[3].plot(t, th["ntk_distance"], color=color, lw=1.4)
        axes[3].plot(ts, sim["ntk_distance"], "o", ms=3.5, mfc="none", color=color)
    axes[0].set_yscale("log")
    titles = ("loss", r"entries of $W_2W_1$", r"$\|W_1^\top W_1\|_F$ (solid), "
              r"$\|W_2W_2^\top\|_F$ (dashed)", "NTK kernel distance from t = 0")
    for ax, title in zip(axes, titles):
        _style(ax, title, "t")
    handles = [Line2D([], [], color=color, lw=2, label=f"λ = {c['lambda']:g}")
               for c, color in zip(d["curves"], PALETTE)]
    handles += [Line2D([], [], color="0.3", lw=1.4, label="closed form (Thm 4.3)"),
                Line2D([], [], color="0.3", marker="o", ls="none", mfc="none",
                       label="gradient descent")]
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), frameon=False,
               fontsize=9)
    fig.tight_layout(rect=(0, 0.1, 1, 1))


@figure("domine2025.fig2", recomputes="Fig. 2",
        title="Loss, network function, representation blocks and NTK over time, across λ",
        caption="Random regression task (N_i = 5, N_h = N_o = 3, whitened inputs), λ-balanced "
                "initialisation (Algorithm 1, σ = 0.1). Lines: the closed form of Theorem 4.3; "
                "markers: full-batch gradient descent (learning rate 0.01). Panels: the loss; "
                "four entries of the network function W2W1; the Frobenius norms of the "
                "representation blocks W1ᵀW1 and W2W2ᵀ; the kernel distance of the NTK (eq 5) "
                "from its value at t = 0 (App. E.7).",
        claims=("domine2025.thm4.3", "domine2025.thmB.5", "domine2025.lemmaB.1"),
        draw=_draw_fig2)
def domine2025_fig2() -> dict:
    n_in, n_out = 5, 3
    X, Y = numerics.random_regression_task(n_in, n_out, n_samples=40, rng=7, scale=3.0,
                                           noise=0.3)
    P = X.shape[1]
    sigma_yx = Y @ X.T / P
    syy = float(np.trace(Y @ Y.T / P))
    lr, steps, every = 0.01, 1200, 40
    t = np.linspace(0.0, lr * steps, 121)
    curves = []
    for k, lam in enumerate(_FIG2_LAMBDAS):
        W1, W2 = _balanced_init(lam, n_in, n_out, n_out, 0.1, 100 + 10 * k, sigma_yx)
        q = numerics.qqt(W1, W2, sigma_yx, t)
        prod = q[:, n_in:, :n_in]
        K = _ntk_from_qqt(q, X, n_in)
        gd = numerics.gradient_descent(W1, W2, X, Y, lr, steps, record_every=every)
        q_gd = gd.qqt()
        K_gd = np.stack([numerics.ntk(a, b, X) for a, b in zip(gd.W1, gd.W2)])
        curves.append({
            "lambda": lam,
            "theory": {
                "loss": _lst(_loss_from_product(prod, sigma_yx, syy)),
                "product": _lst(prod.reshape(len(t), -1)[:, :4]),
                "w1tw1": _lst(np.linalg.norm(q[:, :n_in, :n_in], axis=(1, 2))),
                "w2w2t": _lst(np.linalg.norm(q[:, n_in:, n_in:], axis=(1, 2))),
                "ntk_distance": _lst(numerics.kernel_distance(K[:1], K)),
            },
            "simulation": {
                "t": _lst(gd.t),
                "loss": _lst(gd.loss),
                "product": _lst(gd.product().reshape(len(gd.t), -1)[:, :4]),
                "w1tw1": _lst(np.linalg.norm(q_gd[:, :n_in, :n_in], axis=(1, 2))),
                "w2w2t": _lst(np.linalg.norm(q_gd[:, n_in:, n_in:], axis=(1, 2))),
                "ntk_distance": _lst(numerics.kernel_distance(K_gd[:1], K_gd)),
            },
        })
    return {"t": _lst(t), "curves": curves, "lr": lr}


# --------------------------------------------------------------------------- Figure 3

_FIG3_LAMBDAS = (0.0, 0.3, 1.0, 3.0, 10.0)


def _draw_fig3(d: dict, fig) -> None:
    fig.set_size_inches(11.0, 3.6)
    axes = fig.subplots(1, 2)
    t, ts = np.asarray(d["t"]), np.asarray(d["t_sim"])
    for c, color in zip(d["curves"], PALETTE):
        th, sim = np.asarray(c["theory"]), np.asarray(c["simulation"])
        for k in range(th.shape[0]):
            axes[0].plot(t, th[k], color=color, lw=1.3,
                         label=f"λ = {c['lambda']:g}" if k == 0 else None)
            axes[0].plot(ts, sim[k], "o", ms=3, mfc="none", color=color)
        axes[1].plot(t, c["gamma"], color=color, lw=1.3, label=f"λ = {c['lambda']:g}")
    axes[0].plot([], [], "o", ms=3, mfc="none", color="0.3", label="gradient flow")
    axes[1].plot(t, d["sigmoid_limit"], "k--", lw=1, label="sigmoidal limit (λ → 0)")
    axes[1].plot(t, d["exponential_limit"], "k:", lw=1.6,
                 label=r"$1-e^{-|\lambda| t}$ at λ = 10")
    _style(axes[0], r"singular values $s_\alpha(t)$: Thm 5.1 (lines), gradient flow (○)", "t")
    _style(axes[1], r"transition function $\gamma(t;\lambda)$ of the leading mode", "t")
    axes[0].legend(loc="lower right", fontsize=8)
    axes[1].legend(loc="lower right", fontsize=8)
    fig.tight_layout()


@figure("domine2025.fig3", recomputes="Fig. 3",
        title="Singular values from sigmoidal (λ = 0) to exponential (|λ| → ∞)",
        caption="Task-aligned λ-balanced initialisation on Σyx = diag(2, 1) (N_i = N_h = N_o = "
                "2), s(0) = 10⁻³. Left: both singular values of W2W1; lines: Theorem 5.1; "
                "markers: singular values along an integration of gradient flow on the weights. "
                "Right: the transition function γ of the leading mode against the two limits "
                "of eq (17) (dashed: the sigmoidal limit at λ = 0; dotted: 1 − e^{−|λ|t} at "
                "λ = 10).",
        claims=("domine2025.thm5.1", "domine2025.eq17"), draw=_draw_fig3)
def domine2025_fig3() -> dict:
    s_target = np.array([2.0, 1.0])
    sigma_yx = np.diag(s_target)
    s0 = 1e-3
    t = np.linspace(0.0, 8.0, 161)
    t_sim = np.linspace(0.0, 8.0, 33)
    curves = []
    for lam in _FIG3_LAMBDAS:
        W1, W2 = numerics.weights_from_network(np.diag([s0, s0]), lam)
        theory = numerics.aligned_trajectory(s_target[:, None], s0, lam, t[None, :])
        traj = numerics.gradient_flow(W1, W2, sigma_yx, t_sim, rtol=1e-10)
        sim = np.linalg.svd(traj.product(), compute_uv=False)
        gamma = numerics.transition_function(s_target[0], s0, lam, t)
        curves.append({"lambda": lam, "theory": _lst(theory), "simulation": _lst(sim.T),
                       "gamma": _lst(gamma)})
    return {"t": _lst(t), "t_sim": _lst(t_sim), "s_target": _lst(s_target), "s0": s0,
            "curves": curves,
            "sigmoid_limit": _lst(numerics.sigmoid_limit(s_target[0], s0, t)),
            "exponential_limit": _lst(numerics.exponential_limit(10.0, t))}


# --------------------------------------------------------------------------- Figure 4

_FIG4_LAMBDAS = (-4.0, 0.0, 4.0)


def _draw_fig4(d: dict, fig) -> None:
    panels = d["panels"]
    rows = ((("input_theory", r"$X^\top W_1^\top W_1 X$" + "\nclosed form")),
            (("input_sim", r"$X^\top W_1^\top W_1 X$" + "\ngradient flow")),
            (("output_theory", r"$W_2 W_2^\top$" + "\nclosed form")),
            (("output_sim", r"$W_2 W_2^\top$" + "\ngradient flow")))
    fig.set_size_inches(2.6 * len(panels) + 1.6, 9.4)
    axes = fig.subplots(len(rows), len(panels), squeeze=False)
    for j, p in enumerate(panels):
        for i, (key, label) in enumerate(rows):
            m = np.asarray(p[key])
            lim = float(np.max(np.abs(m))) or 1.0
            im = axes[i, j].imshow(m, cmap="RdBu_r", vmin=-lim, vmax=lim)
            axes[i, j].set_xticks([])
            axes[i, j].set_yticks([])
            if i == 0:
                axes[i, j].set_title(f"λ = {p['lambda']:g}\nlargest difference: input "
                                     f"{p['max_diff_input']:.1e}, output "
                                     f"{p['max_diff_output']:.1e}", fontsize=8)
            if j == 0:
                axes[i, j].set_ylabel(label, fontsize=8)
            fig.colorbar(im, ax=axes[i, j], fraction=0.046, pad=0.04)
    fig.tight_layout()


@figure("domine2025.fig4", recomputes="Fig. 4",
        title="Representations at convergence on the semantic hierarchy, across λ",
        caption="The semantic hierarchy of App. E.2.2 (8 items, X = √8·I), λ-balanced "
                "initialisation (σ = 0.05), t = 60. Rows: the input representation XᵀW1ᵀW1X "
                "and the output block W2W2ᵀ, from the closed form and from gradient flow on the "
                "weights; 'largest difference' is the largest entrywise difference between the "
                "two. Negative λ: the input block is identity-like and task-agnostic; positive "
                "λ: the output block is; λ = 0 (rich): both carry the hierarchy.",
        claims=("domine2025.thmC.3", "domine2025.thm5.2"), draw=_draw_fig4)
def domine2025_fig4() -> dict:
    X, Y = numerics.semantic_hierarchy()
    P = X.shape[1]
    sigma_yx = Y @ X.T / P
    n = X.shape[0]
    t_end = 60.0
    panels = []
    for k, lam in enumerate(_FIG4_LAMBDAS):
        W1, W2 = _balanced_init(lam, n, n, n, 0.05, 200 + 10 * k, sigma_yx)
        q = numerics.qqt(W1, W2, sigma_yx, t_end)
        traj = numerics.gradient_flow(W1, W2, sigma_yx, t_end, rtol=1e-10)
        rep_in_theory = X.T @ q[:n, :n] @ X
        rep_out_theory = q[n:, n:]
        rep_in_sim = X.T @ traj.W1.T @ traj.W1 @ X
        rep_out_sim = traj.W2 @ traj.W2.T
        panels.append({"lambda": lam,
                       "input_theory": _lst(rep_in_theory), "input_sim": _lst(rep_in_sim),
                       "output_theory": _lst(rep_out_theory), "output_sim": _lst(rep_out_sim),
                       "max_diff_input": float(np.max(np.abs(rep_in_theory - rep_in_sim))),
                       "max_diff_output": float(np.max(np.abs(rep_out_theory - rep_out_sim)))})
    return {"t": t_end, "panels": panels}


# --------------------------------------------------------------------------- Figure 5

_FIG5_ARCHS = (("funnel (6→3)", 6, 3), ("square (4→4)", 4, 4), ("inverted funnel (3→6)", 3, 6))
_FIG5_SIM_LAMBDAS = (-5.0, -1.0, 0.0, 1.0, 5.0)
_FIG5_LAMBDAS = tuple(sorted({float(x) for x in np.concatenate(
    [-np.geomspace(20, 0.1, 12), [0.0], np.geomspace(0.1, 20, 12), _FIG5_SIM_LAMBDAS])}))


def _fig5_distance(W1, W2, sigma_yx, X, n_in, t_end):
    q = numerics.qqt(W1, W2, sigma_yx, np.array([0.0, t_end]))
    K = _ntk_from_qqt(q, X, n_in)
    return float(numerics.kernel_distance(K[0], K[1]))


def _draw_fig5(d: dict, fig) -> None:
    fig.set_size_inches(7.0, 3.8)
    ax = fig.subplots()
    for a, color in zip(d["architectures"], PALETTE):
        ax.plot(d["lambdas"], a["theory"], color=color, lw=1.4, label=a["name"])
        ax.plot(d["sim_lambdas"], a["simulation"], "o", ms=5, mfc="none", color=color)
    ax.plot([], [], "o", ms=5, mfc="none", color="0.3", label="gradient flow")
    ax.set_xscale("symlog", linthresh=0.1)
    _style(ax, "lines: closed form (mean of 5 initialisations); ○: gradient flow", "λ",
           "kernel distance, initialisation → convergence")
    ax.legend(fontsize=8)
    fig.tight_layout()


@figure("domine2025.fig5", recomputes="Fig. 5",
        title="NTK movement against λ for a funnel, a square and an inverted-funnel network",
        caption="Kernel distance (App. E.7) between the NTK (eq 5) at initialisation and at "
                "t = 10⁴, mean over 5 λ-balanced initialisations (σ = 0.3) on a random "
                "regression task. Lines: closed form (Theorem 4.3); markers: gradient flow on "
                "the weights (to t = 400, same 5 initialisations). 0 = lazy (a static kernel). "
                "The funnel is lazy as λ → +∞ and delayed-rich as λ → −∞, the inverted funnel "
                "the mirror image, the square network lazy on both sides (Section 5).",
        claims=("domine2025.thmC.3", "domine2025.thmC.5", "domine2025.thmC.6"),
        draw=_draw_fig5)
def domine2025_fig5() -> dict:
    archs = []
    t_end, t_sim = 1e4, 400.0
    for name, n_in, n_out in _FIG5_ARCHS:
        n_h = min(n_in, n_out)
        X, Y = numerics.random_regression_task(n_in, n_out, n_samples=n_in, rng=11, scale=2.0)
        sigma_yx = Y @ X.T / X.shape[1]
        theory = []
        for lam in _FIG5_LAMBDAS:
            dists = []
            for seed in range(5):
                W1, W2 = _balanced_init(lam, n_in, n_h, n_out, 0.3, 300 + 100 * seed,
                                        sigma_yx)
                dists.append(_fig5_distance(W1, W2, sigma_yx, X, n_in, t_end))
            theory.append(float(np.mean(dists)))
        sim = []
        for lam in _FIG5_SIM_LAMBDAS:
            dists = []
            for seed in range(5):
                W1, W2 = _balanced_init(lam, n_in, n_h, n_out, 0.3, 300 + 100 * seed,
                                        sigma_yx)
                traj = numerics.gradient_flow(W1, W2, sigma_yx, np.array([0.0, t_sim]),
                                              rtol=1e-9)
                K0 = numerics.ntk(traj.W1[0], traj.W2[0], X)
                K1 = numerics.ntk(traj.W1[1], traj.W2[1], X)
                dists.append(float(numerics.kernel_distance(K0, K1)))
            sim.append(float(np.mean(dists)))
        archs.append({"name": name, "theory": theory, "simulation": sim})
    return {"lambdas": list(_FIG5_LAMBDAS), "sim_lambdas": list(_FIG5_SIM_LAMBDAS),
            "architectures": archs}


# --------------------------------------------------------------------------- Figure 1C

def _draw_fig1c(d: dict, fig) -> None:
    fig.set_size_inches(10.0, 3.8)
    axes = fig.subplots(1, 2)
    m = np.asarray(d["matrix"])
    lim = float(np.abs(m).max()) or 1.0
    im = axes[0].imshow(m, cmap="RdBu_r", vmin=-lim, vmax=lim)
    fig.colorbar(im, ax=axes[0], fraction=0.046, pad=0.04)
    n1, n2, n3 = d["sizes"]
    axes[0].set_title(rf"$W_2^\top W_2 - W_1W_1^\top$ (LeCun, {n1}→{n2}→{n3})")
    axes[0].set_xticks([])
    axes[0].set_yticks([])
    ax = axes[1]
    off, diag = np.asarray(d["off_diagonal"]), np.asarray(d["diagonal"])
    sd, lam = d["std_predicted"], d["lambda_predicted"]
    ax.hist(off, bins=60, density=True, alpha=0.55, color=PALETTE[0], label="off-diagonal")
    ax.hist(diag, bins=20, density=True, alpha=0.55, color=PALETTE[1], label="diagonal")
    xs = np.linspace(off.min(), max(off.max(), diag.max()), 300)
    ax.plot(xs, np.exp(-xs ** 2 / (2 * sd ** 2)) / (sd * np.sqrt(2 * np.pi)), "k-", lw=1,
            label=f"N(0, {sd:.3f}²), predicted")
    ax.axvline(lam, color=PALETTE[1], ls="--", lw=1.2,
               label=rf"predicted $\lambda = N_o/N_h - 1$ = {lam:.3f}")
    ax.axvline(float(diag.mean()), color="k", ls=":", lw=1.2,
               label=f"mean of the diagonal = {diag.mean():.3f}")
    _style(ax, "entries against the prediction of Theorem A.3", "entry value", "density")
    ax.legend(fontsize=7.5)
    fig.tight_layout()


@figure("domine2025.fig1c", recomputes="Fig. 1C",
        title="LeCun initialisation is nearly λ-balanced",
        caption="One LeCun draw, N_i = 40, N_h = 120, N_o = 250: W1 ~ N(0, 1/N_i), "
                "W2 ~ N(0, 1/N_h). Left: W2ᵀW2 − W1W1ᵀ. Right: histograms of its diagonal "
                "and off-diagonal entries, with the predictions of Theorem A.3 and Table 1 "
                "(mean λ = N_o/N_h − 1 on the diagonal, 0 off it; entrywise standard deviation "
                "√(N_o/N_h² + 1/N_i) off the diagonal).",
        claims=("domine2025.fig1C", "domine2025.thmA.3.mean", "domine2025.thmA.3.variance",
                "domine2025.thmA.3.variance.corrected", "domine2025.tableA.1"),
        draw=_draw_fig1c)
def domine2025_fig1c() -> dict:
    n1, n2, n3 = 40, 120, 250
    rng = np.random.default_rng(2025)
    W1 = rng.normal(0.0, np.sqrt(1.0 / n1), size=(n2, n1))
    W2 = rng.normal(0.0, np.sqrt(1.0 / n2), size=(n3, n2))
    M = W2.T @ W2 - W1 @ W1.T
    off = M[~np.eye(n2, dtype=bool)]
    return {"matrix": _lst(M), "diagonal": _lst(np.diag(M)), "off_diagonal": _lst(off),
            "lambda_predicted": n3 / n2 - 1.0,
            "std_predicted": float(np.sqrt(n3 / n2 ** 2 + 1.0 / n1)),
            "sizes": [n1, n2, n3]}
