"""Theorem 1 (as far as it is known): gradient flow from i.i.d. N(0, σ²) init of width w tracks
eq (1).  The inequality was not recovered; what is checked is the measured
scaling of the distance with w at fixed σ²w, against the exact solution of eq (1)."""

from __future__ import annotations

import numpy as np

from lazyrich.numerics._self_consistent import self_consistent
from lazyrich.numerics._tu_tasks import gram_flow, iid_gram_init, low_rank_denoising
from lazyrich import Claim, Evidence, Source

from ._common import sc_vs_direct_integration

WIDTHS = (64, 256, 1024, 4096, 16384)
SEEDS = (0, 1, 2)
D, K = 16, 3


def width_scan(sc, d=D, k=K, widths=WIDTHS, seeds=SEEDS, gamma_c=0.4):
    """Mean over seeds of max_t ‖A_GF(t) − A_SC(t)‖_F / ‖A*‖_F for each width, σ²w = d^γc.

    A_GF is the exact gradient flow of the width-w network (Gram-state ODE, rtol 1e-9) from
    i.i.d. N(0, σ²) weights; A_SC = sc(A0, Y, σ²w, t) from the same A0.  Times cover the
    lazy phase (3/c) and the convergence of the signal (8/s₁(A*)).
    """
    c = d ** gamma_c
    out = []
    for w in widths:
        dist = []
        for seed in seeds:
            g = np.random.default_rng([seed, 7])
            A_star, _, Y = low_rank_denoising(d, k, rng=g)
            A0, K1, K2 = iid_gram_init(d, w, c / w, rng=g)
            s1 = np.linalg.svd(A_star, compute_uv=False)[0]
            t = np.linspace(0.0, 3.0 / c + 8.0 / s1, 60)
            gf = gram_flow(A0, K1, K2, Y, t, rtol=1e-9)
            dist.append(float(np.max(np.linalg.norm(gf - sc(A0, Y, c, t), axis=(1, 2))))
                        / np.linalg.norm(A_star))
        out.append(float(np.mean(dist)))
    return np.array(out)


thm1 = Claim(
    id="tu2024.thm1",
    title="Theorem 1 (reconstructed): gradient flow from i.i.d. init of width w tracks eq (1); "
          "the distance decays like w^{-1/2} at fixed σ²w",
    source=Source("tu2024", "Theorem 1", "§3"),
    statement=r"\max_t\|A_\theta(t)-A_{SC}(t)\|_F/\|A^*\|_F=O\big(\sqrt{d/w}\big)\ "
              r"\text{at fixed }\sigma^2w",
    scope="the paper: a width-w linear net A = W2W1 with i.i.d. N(0, σ²) init trained by "
          "gradient flow stays close to eq (1) with high probability for all t (its inequality "
          "and error bound were not recovered). This claim asserts only the measured "
          "O(√(d/w)) distance at fixed σ²w = d^0.4 below the red line (d = 16, k = 3)",
    assumptions=("W1, W2 i.i.d. N(0, σ²), width w ≫ d", "σ⁴w ≪ 1 (below the red line)",
                 "gradient flow on ½‖A − Y‖²"),
    depends_on=("tu2024.bridge", "tu2024.gram"),
    formulas={"sc": self_consistent},
    notes="Only the opening sentence of Theorem 1 is known; the w^{-1/2} rate is "
          "the inference from simulations, re-measured here: d = 16, k = 3, "
          "σ²w = d^0.4, w ∈ {64, …, 16384}, 3 seeds; exact gradient flow (Gram ODE) vs the "
          "exact eq (1) solution, so no discretisation enters.  The prefactor of the law, "
          "distance·√(w/d) ≈ 0.32 at these seeds (0.21–0.43 per seed), converges by w ≈ 10³. "
          "No derivation: the statement stays inconclusive.  The eq (1) solution the scan uses "
          "is itself checked against a direct integration of eq (1) at the scan's inputs, "
          "which is what refutes a wrong `sc` below the scan's resolution (an A0 off by a "
          "factor 2 is an O(w^{-1/2}) change, invisible to the scaling law).",
)


def _scan_instance(seed=0, w=1024, d=D, k=K, gamma_c=0.4):
    c = d ** gamma_c
    g = np.random.default_rng([seed, 7])
    A_star, _, Y = low_rank_denoising(d, k, rng=g)
    A0, _, _ = iid_gram_init(d, w, c / w, rng=g)
    s1 = np.linalg.svd(A_star, compute_uv=False)[0]
    return A0, Y, c, np.linspace(0.0, 3.0 / c + 8.0 / s1, 9)


@thm1.check("numeric", tolerance=1e-9, precision="float64 vs DOP853 (rtol 1e-12) on eq (1)",
            justification="the direct integration of eq (1) has global error ~1e-11 relative "
                          "(measured ≤ 1e-11); the closed form ~1e-14; 1e-9 leaves 100×")
def eq1_reference_is_exact(f):
    worst = 0.0
    for seed, w in [(0, 64), (1, 1024), (2, 16384)]:
        A0, Y, c, t = _scan_instance(seed, w)
        worst = max(worst, sc_vs_direct_integration(f.sc, A0, Y, c, t))
    return Evidence(max_error=worst, detail="sc at the width scan's own (A0, Y, c = d^0.4, t), "
                    "seeds 0–2, w ∈ {64, 1024, 16384}: max relative distance to eq (1) "
                    "integrated directly")


@thm1.check("simulation", tolerance=0.1, precision="float64, DOP853 rtol 1e-9, 3 seeds",
            justification="fitted exponent of the mean distance vs w must be −1/2 ± 0.1: five "
                          "independent 3-seed groups gave −0.503 … −0.539 (pre-asymptotic "
                          "curvature at w = 64 included), so 0.1 is ~2.5× the largest "
                          "deviation; an eq (1) with c off by 5% gives −0.37")
def width_exponent(f):
    dist = width_scan(f.sc)
    slope, icpt = np.polyfit(np.log(WIDTHS), np.log(dist), 1)
    resid = np.log(dist) - (slope * np.log(WIDTHS) + icpt)
    r2 = 1 - float(np.sum(resid ** 2) / np.sum((np.log(dist) - np.log(dist).mean()) ** 2))
    return Evidence(max_error=abs(float(slope) + 0.5),
                    detail=f"distance {[f'{x:.4f}' for x in dist]} at w = {list(WIDTHS)}: "
                           f"fitted exponent {slope:.3f}, prefactor {np.exp(icpt):.3f}, "
                           f"R² = {r2:.4f}",
                    data={"w": list(WIDTHS), "distance": dist.tolist(),
                          "exponent": float(slope), "prefactor": float(np.exp(icpt)),
                          "r2": r2})


LARGE = WIDTHS[2:]


@thm1.check("simulation", tolerance=0.1, precision="float64, DOP853 rtol 1e-9, 3 seeds",
            justification="a w^{-1/2} law means distance·√(w/d) is constant once asymptotic: "
                          "over w = 1024 … 16384 its max/min − 1 must be ≤ 0.1. Measured: "
                          "≤ 2.9% for five independent 3-seed groups (≤ 4% per seed), so 0.1 is "
                          "~3.5× that; eq (1) with t off by 1% drifts 21%, with c off by 5% "
                          "100%, with its output off by 1% 42%")
def prefactor_constant_at_large_width(f):
    dist = width_scan(f.sc, widths=LARGE)
    pref = dist * np.sqrt(np.array(LARGE) / D)
    drift = float(pref.max() / pref.min() - 1)
    return Evidence(max_error=drift,
                    detail=f"distance·√(w/d) = {[f'{x:.4f}' for x in pref]} at w = "
                           f"{list(LARGE)}: drift {100 * drift:.2f}%",
                    data={"w": list(LARGE), "prefactor": pref.tolist()})
