"""The bridge between eq (1) (Tu et al.) and λ-balanced gradient flow (Dominé et al.), and the
Gram-state form of gradient descent at any width.

Bridge (new, in neither paper).  For square λ-balanced weights, W2W2ᵀ = √(AAᵀ+λ²/4) + λ/2 and
W1ᵀW1 = √(AᵀA+λ²/4) − λ/2, so dA/dt = −(W2W2ᵀG + GW1ᵀW1) = −(√(AAᵀ+λ²/4)G + G√(AᵀA+λ²/4)):
the ±λ/2 terms cancel and the flow is eq (1) with σ²w = |λ|/2.  Theorem 4.3's closed form
therefore solves eq (1) exactly (numerics ``self_consistent``).
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from lazyrich import numerics
from lazyrich.derive import Derivation
from lazyrich.numerics._self_consistent import psd_sqrt, self_consistent, self_consistent_ode
from lazyrich.numerics._tu_tasks import gram_gd_step, iid_weights
from lazyrich.numerics.mp._self_consistent import self_consistent as mp_self_consistent
from lazyrich import Claim, Evidence, Scope, Source

from ._common import nonneg_step, orthogonal, rel_fro
from ._nc import rewriter

bridge = Claim(
    id="tu2024.bridge",
    title="Square λ-balanced gradient flow is exactly eq (1) with σ²w = |λ|/2, so Theorem 4.3 "
          "solves eq (1) in closed form",
    source=Source("tu2024", "eq (1) ↔ domine2025 Thm 4.3/5.2 (new)", "§2.1, the paper"),
    statement=r"W_2^\top W_2-W_1W_1^\top=\lambda I,\ N_i=N_h=N_o\ \Rightarrow\ "
              r"\dot A=-\big(\sqrt{AA^\top+\tfrac{\lambda^2}{4}}\,G+G\sqrt{A^\top A+"
              r"\tfrac{\lambda^2}{4}}\big),\ G=A-\Sigma^{yx}",
    scope="square networks N_i = N_h = N_o of any size, λ-balanced initialisation with any "
          "real λ, whitened inputs, τ = 1, all t ≥ 0 (a result derived here; in neither paper)",
    assumptions=("square network N_i = N_h = N_o", "λ-balanced init (A2)", "whitened inputs, "
                 "Σyx = target, τ = 1"),
    depends_on=("domine2025.thm4.3", "domine2025.thm5.2"),
    formulas={"sc": self_consistent},
    notes="New: in neither paper (the paper measured it numerically).  Both signs of λ give the "
          "same A(t).  The parameter-space pictures differ: i.i.d. wide init is 'mixed-sign "
          "balanced' (C has ±σ²w eigenvalues), not λ-balanced, yet its function-space dynamics "
          "approach the same eq (1) (tu2024.thm1).",
)


@bridge.check("symbolic", justification="non-commutative rewriting with the balance relation "
                                         "(no size is fixed), an eigenvalue identity for the "
                                         "choice of square root, then cancellation of ±λ/2")
def bridge_derivation(f):
    W1, W2, W1t, W2t, G, Gt, L, R = sp.symbols("W_1 W_2 W_1^T W_2^T G G^T L R",
                                                commutative=False)
    lam = sp.symbols("lambda", real=True)
    mu, nu = sp.symbols("mu nu", nonnegative=True)
    bal2 = rewriter([(W2t * W2, W1 * W1t + lam)], "balance W2ᵀW2 = W1W1ᵀ + λI")
    bal1 = rewriter([(W1 * W1t, W2t * W2 - lam)], "balance W1W1ᵀ = W2ᵀW2 − λI")
    der = Derivation("λ-balanced flow = eq (1) with c = |λ|/2")
    A, At = W2 * W1, W1t * W2t
    dW1, dW2 = -W2t * G, -G * W1t                      # gradient flow of ½‖W2W1 − Σyx‖²
    dW1t, dW2t = -Gt * W2, -W1 * Gt
    der.given(W2t * W2 - W1 * W1t, lam, "λ-balance at t = 0 (assumption A2)")
    der.step((dW2t * W2 + W2t * dW2) - (dW1 * W1t + W1 * dW1t), 0,
             "d/dt (W2ᵀW2 − W1W1ᵀ) = 0 along gradient flow: the balance holds for all t ≥ 0",
             moves=(sp.expand,))
    der.step((W2 * W2t - lam / 2) ** 2, A * At + lam ** 2 / 4,
             "(W2W2ᵀ − λ/2)² = AAᵀ + λ²/4", moves=(bal2,))
    der.step((W1t * W1 + lam / 2) ** 2, At * A + lam ** 2 / 4,
             "(W1ᵀW1 + λ/2)² = AᵀA + λ²/4", moves=(bal1,))
    # which square root: W2ᵀW2 = W1W1ᵀ + λI, so both share an eigenbasis with paired eigenvalues
    # μ = ν + λ (μ, ν ≥ 0: Gram matrices); square W1, W2: W2W2ᵀ has the eigenvalues μ of W2ᵀW2
    # and W1ᵀW1 those ν of W1W1ᵀ.
    nonneg_step(der, mu - (mu - nu) / 2, (mu + nu) / 2,
                "eigenvalues of W2W2ᵀ − λ/2: μ − λ/2 = (μ + ν)/2 ≥ 0 with λ = μ − ν, so "
                "W2W2ᵀ − λ/2 ⪰ 0 is THE principal root: W2W2ᵀ = √(AAᵀ + λ²/4) + λ/2 =: L + λ/2")
    nonneg_step(der, nu + (mu - nu) / 2, (mu + nu) / 2,
                "eigenvalues of W1ᵀW1 + λ/2: ν + λ/2 = (μ + ν)/2 ≥ 0, so W1ᵀW1 = "
                "√(AᵀA + λ²/4) − λ/2 =: R − λ/2")
    der.step(dW2 * W1 + W2 * dW1, -(W2 * W2t * G + G * W1t * W1),
             "dA/dt = Ẇ2W1 + W2Ẇ1 = −(W2W2ᵀG + GW1ᵀW1)", moves=(sp.expand,))
    der.step(-((L + lam / 2) * G + G * (R - lam / 2)), -(L * G + G * R),
             "the ±λ/2 terms cancel: (λ/2)(G − G) = 0", moves=(sp.expand,))
    der.step((sp.Abs(lam) / 2) ** 2, lam ** 2 / 4, "c = |λ|/2 gives c² = λ²/4 for both signs",
             moves=(sp.expand,))
    return der.evidence(
        "Proves the statement only: it reads no formula under test; against_weight_gradient_flow "
        "and against_direct_integration tie `sc` to the dynamics.",
        scope=Scope.full("any square size N_i = N_h = N_o = d (non-commutative symbols fix no "
                         "size), any real λ, all t ≥ 0"))


@bridge.check("numeric", tolerance=1e-9, precision="float64, DOP853 rtol 1e-12 on the weights",
              justification="the weight ODE is integrated to rtol 1e-12 (global error ~1e-11 "
                            "relative, measured ≤ 1e-11); sc is exact to ~1e-14; a 1e-9 margin "
                            "is 100× the integrator's error")
def against_weight_gradient_flow(f):
    """The bridge itself: gradient flow on explicit λ-balanced square weights (a random hidden
    rotation R) gives A(t) = sc(A0, Y, |λ|/2, t), for both signs of λ and λ = 0."""
    rng = np.random.default_rng(207)
    worst, where = 0.0, None
    for d, lam in [(2, -3.0), (3, -0.5), (3, 0.0), (4, 0.5), (5, 3.0)]:
        A0 = rng.standard_normal((d, d))
        Y = 2.0 * rng.standard_normal((d, d))
        if lam == 0.0 and np.linalg.det(A0) * np.linalg.det(Y) < 0:
            A0[0] *= -1.0          # a λ = 0 saddle mode would make both answers ill-posed
        W1, W2 = numerics.weights_from_network(A0, lam, orthogonal(d, rng))
        t = np.linspace(0.0, 3.0, 7)
        ref = numerics.gradient_flow(W1, W2, Y, t).product()
        err = rel_fro(f.sc(A0, Y, abs(lam) / 2, t), ref)
        if err > worst:
            worst, where = err, {"d": d, "lambda": lam}
    return Evidence(max_error=worst, counterexample=where,
                    detail="A(t) of gradient flow on λ-balanced weights (d, λ) ∈ {(2, −3), "
                           "(3, −0.5), (3, 0), (4, 0.5), (5, 3)}, t ≤ 3, vs sc(A0, Y, |λ|/2, t)")


_CASES = [(2, 0.0), (3, 0.1), (4, 1.0), (5, 5.0), (3, 50.0)]


@bridge.check("numeric", tolerance=1e-10, precision="float64 vs DOP853 (rtol 1e-12) on eq (1)",
              justification="the direct integration of eq (1) (eigh square roots) has global "
                            "error ~1e-12 relative; the closed form ~1e-14 (brief: 1e-10)")
def against_direct_integration(f):
    rng = np.random.default_rng(201)
    worst, where = 0.0, None
    for d, c in _CASES:
        A0 = rng.standard_normal((d, d))
        Y = 2.0 * rng.standard_normal((d, d))
        if c == 0.0 and np.linalg.det(A0) * np.linalg.det(Y) < 0:
            A0[0] *= -1.0
        T = min(3.0, 25.0 / max(c, 1e-9))
        t = np.linspace(0.0, T, 9)
        err = rel_fro(f.sc(A0, Y, c, t), self_consistent_ode(A0, Y, c, t, rtol=1e-12))
        if err > worst:
            worst, where = err, {"d": d, "c": c}
    return Evidence(max_error=worst, counterexample=where,
                    detail=f"{len(_CASES)} cases (d, c) ∈ {_CASES}, c·t up to 25: max relative "
                           f"Frobenius distance")


@bridge.check("numeric", tolerance=1e-12, precision="float64",
              justification="λ = +2c and λ = −2c factorisations of the same A0 through "
                            "numerics.qqt; rounding ~1e-15")
def both_signs_of_lambda(f):
    rng = np.random.default_rng(202)
    worst = 0.0
    for d, c in [(3, 0.2), (4, 2.0)]:
        A0, Y = rng.standard_normal((d, d)), rng.standard_normal((d, d))
        t = np.linspace(0.0, 4.0, 5)
        got = f.sc(A0, Y, c, t)
        for lam in (2 * c, -2 * c):
            X = numerics.qqt(*numerics.weights_from_network(A0, lam), Y, t)
            worst = max(worst, rel_fro(got, X[:, d:, :d]))
    return Evidence(max_error=worst, detail="A(t) from λ = ±2c weights vs sc")


@bridge.check("numeric", tolerance=1e-10, precision="float64",
              justification="Gram identities read off numerics.qqt's blocks along the flow; "
                            "eigh square roots and the closed form are each ~1e-14")
def gram_identities_along_the_flow(f):
    rng = np.random.default_rng(203)
    worst = 0.0
    for lam in (-3.0, -0.5, 0.5, 3.0):
        d = 4
        A0, Y = rng.standard_normal((d, d)), 2 * rng.standard_normal((d, d))
        X = numerics.qqt(*numerics.weights_from_network(A0, lam), Y, np.linspace(0, 3, 7))
        A, K1, K2 = X[:, d:, :d], X[:, :d, :d], X[:, d:, d:]
        At = np.swapaxes(A, 1, 2)
        I = np.eye(d)
        worst = max(worst,
                    rel_fro(K2, psd_sqrt(A @ At + lam ** 2 / 4 * I) + lam / 2 * I),
                    rel_fro(K1, psd_sqrt(At @ A + lam ** 2 / 4 * I) - lam / 2 * I))
        worst = max(worst, rel_fro(f.sc(A0, Y, abs(lam) / 2, np.linspace(0, 3, 7)), A))
    return Evidence(max_error=worst, detail="W2W2ᵀ = √(AAᵀ+λ²/4)+λ/2, W1ᵀW1 = √(AᵀA+λ²/4)−λ/2 "
                                            "and A = sc(A0, Y, |λ|/2, t), λ ∈ {±0.5, ±3}")


@bridge.check("numeric", tolerance=1e-12, precision="float64 vs mpmath 50 digits",
              justification="the same bridge through numerics.mp (Theorem 4.3 literally, with "
                            "guard digits): measures float64 rounding only")
def against_50_digits(f):
    rng = np.random.default_rng(204)
    A0, Y = rng.standard_normal((3, 3)), 2 * rng.standard_normal((3, 3))
    t = np.array([0.0, 0.3, 1.0, 2.5])
    ref = mp_self_consistent(A0, Y, 0.75, t, dps=50).astype(float)
    return Evidence(max_error=rel_fro(f.sc(A0, Y, 0.75, t), ref), detail="d = 3, c = 0.75")


@bridge.check("numeric", tolerance=1e-10, precision="float64",
              justification="at c·t = 5·10⁵ A(t) must equal the target to rounding and be "
                            "finite (no overflow); lazy rate 2c ⇒ e^{−2ct} underflows to 0")
def large_ct_no_overflow(f):
    rng = np.random.default_rng(205)
    A0, Y = rng.standard_normal((6, 6)), rng.standard_normal((6, 6))
    X = f.sc(A0, Y, 50.0, np.array([0.0, 1.0, 100.0, 1e4]))
    if not np.all(np.isfinite(X)):
        return Evidence(max_error=float("inf"), detail="non-finite output")
    return Evidence(max_error=rel_fro(X[-1], Y) + rel_fro(X[0], A0),
                    detail="‖A(1e4) − Y‖/‖Y‖ + ‖A(0) − A0‖/‖A0‖ at c = 50")


# ============================================================================================
# Gram-state gradient descent
# ============================================================================================
gram = Claim(
    id="tu2024.gram",
    title="GD on (W1, W2) of any width is a closed recursion on (A, W1ᵀW1, W2W2ᵀ) (d × d)",
    source=Source("tu2024", "GD loop of the authors' code (github.com/aranguri/phase-diagram) (derived here)", ""),
    statement=r"A'=A-\eta(K_2G+GK_1)+\eta^2GA^\top G,\ K_1'=K_1-\eta(A^\top G+G^\top A)+"
              r"\eta^2G^\top K_2G,\ K_2'=K_2-\eta(GA^\top+AG^\top)+\eta^2GK_1G^\top",
    scope="gradient descent on W1 (w × d), W2 (d × w) for any d, any width w and any step η; "
          "the simultaneous update (printed) and the sequential one of the paper's code",
    assumptions=("K1 = W1ᵀW1, K2 = W2W2ᵀ, A = W2W1, G = A − Y", "simultaneous update; the "
                 "sequential (notebook) update has the analogous recursion"),
    formulas={"step": gram_gd_step},
    notes="Derived here; it makes GD and gradient flow at width w cost O(d³) per step, "
          "independent of w (with the exact Bartlett sampling of the i.i.d. init in "
          "numerics._tu_tasks.iid_gram_init), which is what lets the sweep run at d = 200.",
    equivalent_mutants={
        "step: K1 → K1ᵀ": "K1 = W1ᵀW1 is symmetric on every valid input (a Gram matrix); "
                          "transposing it changes nothing but rounding (~1e-16)",
        "step: K2 → K2ᵀ": "K2 = W2W2ᵀ is symmetric on every valid input (a Gram matrix); "
                          "transposing it changes nothing but rounding (~1e-16)",
    },
)


@gram.check("symbolic", justification="non-commutative expansion of the updated products")
def gram_derivation(f):
    W1, W2, W1t, W2t, G, Gt = sp.symbols("W_1 W_2 W_1^T W_2^T G G^T", commutative=False)
    A, At, K1, K2 = sp.symbols("A A^T K_1 K_2", commutative=False)
    eta = sp.symbols("eta", positive=True)
    names = rewriter([(W2 * W1, A), (W1t * W2t, At), (W1t * W1, K1), (W2 * W2t, K2)],
                     "A = W2W1, K1 = W1ᵀW1, K2 = W2W2ᵀ")
    der = Derivation("Gram-state GD")
    W1n, W1nt = W1 - eta * W2t * G, W1t - eta * Gt * W2
    W2n, W2nt = W2 - eta * G * W1t, W2t - eta * W1 * Gt
    der.step(W2n * W1n, A - eta * (K2 * G + G * K1) + eta ** 2 * G * At * G,
             "simultaneous: A'", moves=(names,))
    K1n = K1 - eta * (At * G + Gt * A) + eta ** 2 * Gt * K2 * G
    der.step(W1nt * W1n, K1n, "simultaneous: K1'", moves=(names,))
    der.step(W2n * W2nt, K2 - eta * (G * At + A * Gt) + eta ** 2 * G * K1 * Gt,
             "simultaneous: K2'", moves=(names,))
    # sequential: W2 is updated with the new W1 (notebook loop)
    W2s, W2st = W2 - eta * G * W1nt, W2t - eta * W1n * Gt
    B, Bt = A - eta * K2 * G, At - eta * Gt * K2
    der.step(W2s * W1n, B - eta * G * K1n, "sequential: A' = B − ηGK1', B = A − ηK2G",
             moves=(names,))
    der.step(W2s * W2st, K2 - eta * (G * Bt + B * Gt) + eta ** 2 * G * K1n * Gt,
             "sequential: K2'", moves=(names,))
    return der.evidence(
        "Proves the statement only: it reads no formula under test; against_explicit_weights "
        "ties gram_gd_step to gradient descent on explicit weights.",
        scope=Scope.full("any d, any width w, any η (non-commutative symbols fix no size); "
                         "simultaneous and sequential updates"))


@gram.check("numeric", tolerance=1e-12, precision="float64",
            justification="12–50 steps on explicit weights vs the recursion; rounding ~1e-15 "
                          "per step relative, well-conditioned (η‖K‖ < 1); η ∈ {0.02, 0.05, "
                          "0.15, 0.25}, so the η² terms weigh from 2% to 25% of the η terms and "
                          "a coefficient right at one step size only is seen")
def against_explicit_weights(f):
    rng = np.random.default_rng(206)
    worst = 0.0
    for d, w, update, lr, steps in [(4, 3, "simultaneous", 0.02, 50),
                                    (4, 3, "simultaneous", 0.25, 12),
                                    (5, 40, "simultaneous", 0.02, 50),
                                    (5, 40, "sequential", 0.05, 20),
                                    (3, 7, "sequential", 0.15, 15)]:
        W1, W2 = iid_weights(d, w, 0.2, rng=rng)
        Y = rng.standard_normal((d, d))
        A, K1, K2 = W2 @ W1, W1.T @ W1, W2 @ W2.T
        for _ in range(steps):
            A, K1, K2 = f.step(A, K1, K2, Y, lr, update)
            G = W2 @ W1 - Y
            if update == "simultaneous":
                W1, W2 = W1 - lr * W2.T @ G, W2 - lr * G @ W1.T
            else:
                W1 = W1 - lr * W2.T @ G
                W2 = W2 - lr * G @ W1.T
        worst = max(worst, rel_fro(A, W2 @ W1), rel_fro(K1, W1.T @ W1), rel_fro(K2, W2 @ W2.T))
    return Evidence(max_error=worst, detail="5 (d, w, update, η) cases: (4, 3, simultaneous, "
                                            "0.02 and 0.25), (5, 40, simultaneous, 0.02), "
                                            "(5, 40, sequential, 0.05), (3, 7, sequential, "
                                            "0.15); 12–50 steps each")
