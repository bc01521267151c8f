"""Theorem 1 (as far as it is known): gradient flow from i.i.d. N(0, σ²) init of width w tracks
eq (1) (spec tu2024 §2.2).  The inequality was not recovered; what is checked is the measured
scaling of the distance with w at fixed σ²w, against the exact solution of eq (1)."""

from __future__ import annotations

import numpy as np

from lazyrich.numerics._self_consistent import self_consistent
from lazyrich.numerics._tu_tasks import gram_flow, iid_gram_init, low_rank_denoising
from lazyrich import Claim, Evidence, Source

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
    assumptions=("W1, W2 i.i.d. N(0, σ²), width w ≫ d", "σ⁴w ≪ 1 (below the red line)",
                 "gradient flow on ½‖A − Y‖²"),
    depends_on=("tu2024.bridge", "tu2024.gram"),
    formulas={"sc": self_consistent},
    notes="Only the opening sentence of Theorem 1 is known (spec §2.2); the w^{-1/2} rate is "
          "the spec's inference from simulations, re-measured here: d = 16, k = 3, "
          "σ²w = d^0.4, w ∈ {64, …, 16384}, 3 seeds; exact gradient flow (Gram ODE) vs the "
          "exact eq (1) solution, so no discretisation enters.",
)


@thm1.check("simulation", tolerance=0.15, precision="float64, DOP853 rtol 1e-9, 3 seeds",
            justification="fitted exponent of the mean distance vs w must be −1/2 ± 0.15; "
                          "seed-to-seed spread of the distance ~15% (std), giving ~0.03 on "
                          "the slope over a 256× range of w; an eq (1) with the wrong c "
                          "does not converge (exponent ≈ 0)")
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


@thm1.check("simulation", tolerance=1.0, precision="float64, DOP853 rtol 1e-9, 3 seeds",
            justification="the distance divided by √(d/w) must stay ≤ 1 at every width "
                          "(measured ≈ 0.3): a bound of order √(d/w) with constant ≤ 1")
def bound_of_order_sqrt_d_over_w(f):
    ws = WIDTHS[::2]
    dist = width_scan(f.sc, widths=ws, seeds=SEEDS[:2])
    ratio = dist / np.sqrt(D / np.array(ws))
    return Evidence(max_error=float(np.max(ratio)),
                    detail=f"distance/√(d/w) = {[f'{x:.3f}' for x in ratio]} at w = {list(ws)}")
