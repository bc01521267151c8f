"""Data for the figures that reproduce the papers: closed forms next to simulations.

This is the only part of ``reports`` that computes anything, and it computes *figures*, never
verdicts: each figure's data is a JSON-ready dict of curves built from :mod:`numerics` (the closed
forms — ``qqt``, ``aligned_trajectory`` — and the simulations they are overlaid on —
``gradient_flow``, ``gradient_descent``). Renderers (:mod:`reports._figures`) turn the data into
plots. Data is cached on disk by a content hash of this module, of ``numerics/`` and of the
library versions, like the claim cache, so an unchanged second report does not recompute it.

Adding a figure (e.g. Tu et al. 2024, Fig 1 and Fig 2): write ``def tu2024_fig1() -> dict`` here
or in any module, decorate it with ``@figure_data("tu2024.fig1", title=..., caption=...,
claims=(...))``, and register a renderer for the same id with
:func:`reports._figures.figure_renderer`. Both registries are keyed by the figure id; a figure
whose module is not imported simply does not appear.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

import numpy as np

from lazyrich import numerics
from lazyrich.numerics import LazyrichError


@dataclass(frozen=True)
class FigureSpec:
    """A figure of a paper: ``id`` (``<paper>.fig<N>``), ``paper``, ``title``, ``caption``,
    ``claims`` (ids of the claims it illustrates; their pages show it) and ``compute``
    (``() -> dict`` of JSON-ready data)."""

    id: str
    paper: str
    title: str
    caption: str
    claims: tuple[str, ...]
    compute: Callable[[], dict]


FIGURES: dict[str, FigureSpec] = {}


def figure_data(fig_id: str, *, title: str, caption: str, claims: tuple[str, ...] = ()):
    """Decorator registering ``compute() -> dict`` as the data of figure ``fig_id``.

    Arguments:
        fig_id: ``<paper>.fig<N>[<panel>]``, e.g. ``"tu2024.fig1"``.
        title, caption: shown above and below the plot.
        claims: ids of the claims the figure illustrates.

    Raises:
        LazyrichError: a malformed id, or an id registered twice.
    """
    if "." not in fig_id or not fig_id.split(".")[0]:
        raise LazyrichError(f"figure id {fig_id!r} must look like '<paper>.fig<N>', e.g. "
                            f"'tu2024.fig1'.")
    if fig_id in FIGURES:
        raise LazyrichError(f"figure id {fig_id!r} is registered twice; pick a new id.")

    def register(func):
        FIGURES[fig_id] = FigureSpec(fig_id, fig_id.split(".")[0], title, caption,
                                     tuple(claims), func)
        return func

    return register


# --------------------------------------------------------------------------- helpers

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
    cross the saddle (spec §11, D.2): the closed form then (rightly) refuses large t. Figures
    want the generic case, so such draws are skipped, deterministically.
    """
    for s in range(seed, seed + 50):
        W1, W2 = numerics.lambda_balanced_init(lam, n_in, n_h, n_out, scale=scale, rng=s)
        if n_in != n_out or np.linalg.det(W2 @ W1) * np.linalg.det(sigma_yx) > 0:
            return W1, W2
    raise LazyrichError(f"no usable λ-balanced init among seeds {seed}..{seed + 49}")


# --------------------------------------------------------------------------- Dominé et al. 2025

_FIG2_LAMBDAS = (-2.0, 0.0, 2.0)


@figure_data("domine2025.fig2", title="Fig 2 — loss, QQᵀ blocks and NTK over time across λ",
             caption="Random regression task (N_i=5, N_h=N_o=3, whitened inputs), λ-balanced "
                     "init (Algorithm 1, σ=0.1). Lines: the closed form of Theorem 4.3 "
                     "(numerics.qqt); markers: full-batch gradient descent (lr=0.01). Panels: "
                     "loss; entries of the network function W2W1 (one λ per colour); the norms "
                     "of the representation blocks W1ᵀW1 and W2W2ᵀ; the kernel distance of the "
                     "NTK (eq 5) from its value at t=0 (App. E.7).",
             claims=("domine2025.thm4.3", "domine2025.thmB.5", "domine2025.lemmaB.1"))
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


_FIG3_LAMBDAS = (0.0, 0.3, 1.0, 3.0, 10.0)


@figure_data("domine2025.fig3",
             title="Fig 3 — singular values from sigmoidal (λ=0) to exponential (|λ|→∞)",
             caption="Task-aligned λ-balanced init on Σyx = diag(2, 1) (N_i=N_h=N_o=2), "
                     "s(0)=10⁻³. Left: both singular values of W2W1; lines: Theorem 5.1 "
                     "(numerics.aligned_trajectory); markers: singular values along an "
                     "integration of gradient flow on the weights (numerics.gradient_flow). "
                     "Right: the transition function γ of the leading mode against the two "
                     "limits of eq (17) (dashed: sigmoidal limit at λ=0; dotted: "
                     "1 − e^{−|λ|t} at λ=10).",
             claims=("domine2025.thm5.1", "domine2025.eq17"))
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


_FIG4_LAMBDAS = (-4.0, 0.0, 4.0)


@figure_data("domine2025.fig4",
             title="Fig 4 — representations at convergence on the semantic hierarchy across λ",
             caption="Semantic hierarchy of App. E.2.2 (numerics.semantic_hierarchy(): 8 items, "
                     "X = √8·I). λ-balanced init (σ=0.05), t=60. Rows: the input "
                     "representation XᵀW1ᵀW1X and the output block W2W2ᵀ (spec §7 note), from "
                     "the closed form (numerics.qqt) and from gradient flow on the weights; "
                     "'max diff' is the largest entrywise difference between the two. Negative "
                     "λ: the input block is identity-like and task-agnostic; positive λ: the "
                     "output block is; λ=0 (rich): both carry the hierarchy.",
             claims=("domine2025.thmC.3", "domine2025.thm5.2"))
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


_FIG5_ARCHS = (("funnel (6→3)", 6, 3), ("square (4→4)", 4, 4), ("inverted funnel (3→6)", 3, 6))
_FIG5_SIM_LAMBDAS = (-5.0, -1.0, 0.0, 1.0, 5.0)
_FIG5_LAMBDAS = tuple(sorted({float(x) for x in np.concatenate(
    [-np.geomspace(20, 0.1, 12), [0.0], np.geomspace(0.1, 20, 12), _FIG5_SIM_LAMBDAS])}))


def _fig5_distance(W1, W2, sigma_yx, X, n_in, t_end):
    q = numerics.qqt(W1, W2, sigma_yx, np.array([0.0, t_end]))
    K = _ntk_from_qqt(q, X, n_in)
    return float(numerics.kernel_distance(K[0], K[1]))


@figure_data("domine2025.fig5",
             title="Fig 5 — NTK movement vs λ for funnel, square and inverted funnel",
             caption="Kernel distance (App. E.7) between the NTK (eq 5) at init and at t=10⁴, "
                     "mean over 5 λ-balanced inits (σ=0.3) on a random regression task. Lines: "
                     "closed form (numerics.qqt); markers: gradient flow on the weights "
                     "(numerics.gradient_flow to t=400, same 5 inits). 0 = lazy (static "
                     "kernel). The funnel is lazy as λ→+∞ and delayed-rich as λ→−∞, the "
                     "inverted funnel the mirror image, the square network lazy on both sides "
                     "(spec §12 table).",
             claims=("domine2025.thmC.3", "domine2025.thmC.5", "domine2025.thmC.6"))
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


@figure_data("domine2025.fig1c",
             title="Fig 1C — LeCun initialisation is nearly λ-balanced",
             caption="One LeCun draw, N_i=40, N_h=120, N_o=250: W1 ~ N(0, 1/N_i), "
                     "W2 ~ N(0, 1/N_h). Left: W2ᵀW2 − W1W1ᵀ. Right: histograms of its diagonal "
                     "and off-diagonal entries, with the Theorem A.3 / Table 1 predictions "
                     "(mean λ = N_o/N_h − 1 on the diagonal, 0 off it; entrywise standard "
                     "deviation √(N_o/N_h² + 1/N_i) off the diagonal, spec §10).",
             claims=("domine2025.fig1C", "domine2025.thmA.3.mean", "domine2025.thmA.3.variance",
                     "domine2025.thmA.3.variance.corrected", "domine2025.tableA.1"))
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


# --------------------------------------------------------------------------- cache

def _hash_tree(h, root: Path) -> None:
    for p in sorted(root.rglob("*.py")):
        h.update(str(p.relative_to(root)).encode())
        h.update(p.read_bytes())


@lru_cache(maxsize=None)
def _fingerprint(module_file: str) -> str:
    import scipy

    h = hashlib.sha256()
    h.update(sys.version.encode())
    h.update(f"numpy={np.__version__};scipy={scipy.__version__};".encode())
    _hash_tree(h, Path(numerics.__file__).parent)
    h.update(Path(module_file).read_bytes())
    return h.hexdigest()


def _cache_path(spec: FigureSpec, cache_dir: Path) -> Path:
    module = sys.modules.get(spec.compute.__module__)
    source = getattr(module, "__file__", None) or __file__
    key = hashlib.sha256(f"{spec.id}|{_fingerprint(source)}".encode()).hexdigest()[:24]
    return cache_dir / "figures" / f"{spec.id}-{key}.json"


def figure_cache_dir(path: str | os.PathLike | None = None) -> Path:
    """The figure cache: ``path``, else ``$LAZYRICH_CACHE_DIR``, else ``./.lazyrich-cache``."""
    return Path(path or os.environ.get("LAZYRICH_CACHE_DIR") or ".lazyrich-cache")


def load_figure(fig_id: str, *, cache_dir: str | os.PathLike | None = None,
                use_cache: bool = True) -> dict:
    """The data of figure ``fig_id``, from the cache when it is current, else computed.

    A cache file that does not parse or whose checksum does not match is recomputed and
    replaced, never trusted. A cache directory that cannot be written is not an error (the data
    is just not cached).

    Arguments:
        fig_id: a registered figure id (see :data:`FIGURES`).
        cache_dir: the cache directory (see :func:`figure_cache_dir`).
        use_cache: False recomputes (and refreshes the cache).

    Returns:
        The JSON-ready dict returned by the figure's ``compute``.

    Raises:
        LazyrichError: ``fig_id`` is not registered.
    """
    return load_figure_cached(fig_id, cache_dir=cache_dir, use_cache=use_cache)[0]


def load_figure_cached(fig_id: str, *, cache_dir: str | os.PathLike | None = None,
                       use_cache: bool = True) -> tuple[dict, bool]:
    """Like :func:`load_figure`, returning ``(data, came_from_cache)``."""
    spec = FIGURES.get(fig_id)
    if spec is None:
        raise LazyrichError(f"figure {fig_id!r} is not registered; known figures: "
                            f"{', '.join(sorted(FIGURES)) or 'none'}.")
    path = _cache_path(spec, figure_cache_dir(cache_dir))
    if use_cache and path.is_file():
        try:
            stored = json.loads(path.read_text())
            payload = json.dumps(stored["data"], sort_keys=True)
            if hashlib.sha256(payload.encode()).hexdigest() == stored["sha256"]:
                return stored["data"], True
        except (OSError, ValueError, KeyError, TypeError):
            pass
    data = spec.compute()
    payload = json.dumps(data, sort_keys=True)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"sha256": hashlib.sha256(payload.encode()).hexdigest(),
                                   "data": json.loads(payload)}))
        os.replace(tmp, path)
    except OSError:
        pass
    return json.loads(payload), False


from . import _figures_tu  # noqa: E402,F401  (registers tu2024.fig1 and tu2024.fig2)
