"""Theorem 5.2 (eq 18): the weights from the network function; Theorem C.3: the converged
representations W1ᵀW1 and W2W2ᵀ."""

from __future__ import annotations

import numpy as np

from lazyrich import numerics
from lazyrich import Claim, Evidence, Source

from ._cases import SHAPES, instance, rel_err


def s1_printed(s, lam):
    """S1 = sqrt(S_λ − λ/2) = sqrt((−λ + sqrt(λ² + 4S²))/2) (eq 18)."""
    return np.sqrt((-lam + np.sqrt(lam**2 + 4 * s**2)) / 2)


def s2_printed(s, lam):
    """S2 = sqrt(S_λ + λ/2) = sqrt((λ + sqrt(λ² + 4S²))/2) (eq 18)."""
    return np.sqrt((lam + np.sqrt(lam**2 + 4 * s**2)) / 2)


thm52 = Claim(
    id="domine2025.thm5.2",
    title="λ-balanced weights are determined by W2W1 up to an orthogonal R",
    source=Source("domine2025", "Theorem 5.2, eq (18) (= C.2, eq 141)", "§5"),
    statement=r"W_1=R\,S_1V^\top,\ W_2=U S_2R^\top,\ "
              r"S_1=\sqrt{S_\lambda-\tfrac\lambda2 I},\ S_2=\sqrt{S_\lambda+\tfrac\lambda2 I},\ "
              r"S_\lambda=\sqrt{S^2+\tfrac{\lambda^2}{4}I}",
    assumptions=("A2: λ-balanced", "A3: N_h = min(N_i, N_o)", "W2W1 = USVᵀ of full rank"),
    depends_on=("domine2025.thmA.2",),
    formulas={"s1": s1_printed, "s2": s2_printed},
)


@thm52.check("numeric", tolerance=1e-10, precision="float64 along DOP853 trajectories",
             justification="the SVD of W2W1 is backward stable (errors ~1e-15 relative to "
                           "‖W2W1‖) and S1 is inverted to form R; with the smallest s ≳ 1e-2 "
                           "here, the amplification is ≲ 1e2, so ≲ 1e-12; 1e-10 leaves margin")
def factorisation_along_gradient_flow(f):
    """Along gradient-flow trajectories (3 shapes × 5 λ × 4 times): take W2W1 = USVᵀ, build
    S1, S2 from the printed formulas, R = W1 V S1⁻¹, and measure ‖RᵀR − I‖, ‖W1 − R S1 Vᵀ‖,
    ‖W2 − U S2 Rᵀ‖ relative to the weights' scale."""
    worst, where = 0.0, None
    t = np.array([0.0, 0.7, 2.0, 6.0])
    for i, shape in enumerate(("square", "funnel", "inverted-funnel")):
        for j, lam in enumerate((-3.0, -0.8, 0.0, 0.5, 2.0)):
            W1_0, W2_0, S = instance(shape, lam, seed=70 + 10 * i + j, scale=0.8)
            traj = numerics.gradient_flow(W1_0, W2_0, S, t)
            n_h = W1_0.shape[0]
            for W1, W2 in zip(traj.W1, traj.W2):
                U, s, Vt = np.linalg.svd(W2 @ W1)
                U, s, V = U[:, :n_h], s[:n_h], Vt[:n_h].T
                s1, s2 = f.s1(s, lam), f.s2(s, lam)
                R = (W1 @ V) / s1
                scale = max(np.max(np.abs(W1)), np.max(np.abs(W2)), 1.0)
                err = max(float(np.max(np.abs(R.T @ R - np.eye(n_h)))),
                          float(np.max(np.abs(W1 - (R * s1) @ V.T))) / scale,
                          float(np.max(np.abs(W2 - (U * s2) @ R.T))) / scale)
                if err > worst:
                    worst, where = err, {"shape": shape, "lambda": lam}
    return Evidence(max_error=worst, counterexample=where,
                    detail="3 shapes × λ ∈ {−3, −0.8, 0, 0.5, 2} × t ∈ {0, 0.7, 2, 6}: max of "
                           "‖RᵀR − I‖, ‖W1 − RS1Vᵀ‖/‖W‖, ‖W2 − US2Rᵀ‖/‖W‖ (entrywise)")


def converged_blocks(sigma_yx, lam):
    """Thm C.3: (W1ᵀW1, W2W2ᵀ, W2W1) at t → ∞ = (Ṽ(S̃_λ − λ/2)Ṽᵀ, Ũ(S̃_λ + λ/2)Ũᵀ, Σyx)."""
    U, s, Vt = np.linalg.svd(sigma_yx, full_matrices=False)
    s_lam = np.sqrt(s**2 + lam**2 / 4)
    return (Vt.T * (s_lam - lam / 2)) @ Vt, (U * (s_lam + lam / 2)) @ U.T, sigma_yx


thmC3 = Claim(
    id="domine2025.thmC.3",
    title="At convergence W1ᵀW1 → Ṽ(S̃_λ − λ/2)Ṽᵀ, W2W2ᵀ → Ũ(S̃_λ + λ/2)Ũᵀ, W2W1 → Σyx",
    source=Source("domine2025", "Theorem C.3, eqs (150)-(159)", "App. C"),
    statement=r"W_1^\top W_1\to\tilde V(\tilde S_\lambda-\tfrac\lambda2I)\tilde V^\top,\ "
              r"W_2W_2^\top\to\tilde U(\tilde S_\lambda+\tfrac\lambda2I)\tilde U^\top,\ "
              r"W_2W_1\to\tilde\Sigma^{yx}",
    assumptions=("A1", "A2", "A3", "B invertible (generic init)"),
    depends_on=("domine2025.thmB.5", "domine2025.thm5.2"),
    formulas={"limit": converged_blocks},
)


def _blocks(qqt, n_i):
    return qqt[..., :n_i, :n_i], qqt[..., n_i:, n_i:], qqt[..., n_i:, :n_i]


@thmC3.check("numeric", tolerance=1e-8, precision="float64, DOP853 at rtol 1e-12 to t = 300",
             justification="the slowest rate is S_λ,min − λ_⊥ ≥ 0.27 for these cases, so at "
                           "t = 300 the transient is below e^{-80}; what remains is the "
                           "integrator's accumulated error over 300 time units, ~1e-10")
def limit_of_gradient_flow(f):
    worst, where = 0.0, None
    for i, shape in enumerate(("square", "funnel", "inverted-funnel")):
        for j, lam in enumerate((-3.0, 0.0, 2.0)):
            W1, W2, S = instance(shape, lam, seed=90 + 10 * i + j)
            n_i = W1.shape[1]
            final = numerics.gradient_flow(W1, W2, S, 300.0).qqt()
            for got, want in zip(_blocks(final, n_i), f.limit(S, lam)):
                err = rel_err(got, want)
                if err > worst:
                    worst, where = err, {"shape": shape, "lambda": lam}
    return Evidence(max_error=worst, counterexample=where,
                    detail="3 shapes × λ ∈ {−3, 0, 2}: gradient flow at t = 300 vs the limit "
                           "blocks, max entrywise error relative to each block's max")


@thmC3.check("numeric", tolerance=1e-11, precision="float64 closed form (B.5) at t = 1e3",
             justification="B.5 at t = 1e3 has decayed every transient below 1e-100 and is "
                           "accurate to ~1e-13 (claim thmB.5); 1e-11 allows the blocks' own "
                           "rounding")
def limit_of_closed_form(f):
    worst, where = 0.0, None
    for i, shape in enumerate(SHAPES):
        for j, lam in enumerate((-3.0, -0.8, 0.0, 0.5, 6.0)):
            W1, W2, S = instance(shape, lam, seed=120 + 10 * i + j)
            n_i = W1.shape[1]
            final = numerics.qqt(W1, W2, S, 1e3)
            for got, want in zip(_blocks(final, n_i), f.limit(S, lam)):
                err = rel_err(got, want)
                if err > worst:
                    worst, where = err, {"shape": shape, "lambda": lam}
    return Evidence(max_error=worst, counterexample=where,
                    detail=f"{len(SHAPES)} shapes × λ ∈ {{−3, −0.8, 0, 0.5, 6}}: qqt(t = 1e3) "
                           f"vs the limit blocks")


# ============================================================================================
# Symbolic checks (SymPy)
# ============================================================================================

import mpmath  # noqa: E402
import sympy as sp  # noqa: E402

from lazyrich.derive import Derivation  # noqa: E402
from lazyrich.derive._series import record_nonnegative, reduce_roots  # noqa: E402


def s1_expr(s, lam):
    """S1 = √((−λ + √(λ² + 4s²))/2) (eq 18), per singular value, as SymPy."""
    s, lam = sp.sympify(s), sp.sympify(lam)
    return sp.sqrt((-lam + sp.sqrt(lam**2 + 4 * s**2)) / 2)


def s2_expr(s, lam):
    """S2 = √((λ + √(λ² + 4s²))/2) (eq 18), per singular value, as SymPy."""
    s, lam = sp.sympify(s), sp.sympify(lam)
    return sp.sqrt((lam + sp.sqrt(lam**2 + 4 * s**2)) / 2)


thm52.formulas.update({"s1_expr": s1_expr, "s2_expr": s2_expr})

_s = sp.Symbol("s", positive=True)
_lam = sp.Symbol("lambda", real=True)
_ell = sp.Symbol("ell", positive=True)
_w = sp.Symbol("w", positive=True)
_z = 1 + _w                                          # z > 1
_S_LAM = sp.sqrt(_lam**2 + 4 * _s**2) / 2          # S_λ = √(s² + λ²/4)


def _generic(name, rows, cols):
    return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"{name}{i}{j}", real=True))


@thm52.check("symbolic", precision="exact (SymPy), both signs of λ",
             justification="polynomial identities in generic matrix entries; the square "
                           "roots are fixed by squares and signs, the signs read off the "
                           "rational parametrisation s = ℓ(z − 1/z)/4 (z > 1 covers s > 0)")
def derivation_of_S1_S2(f):
    """From balance W2ᵀW2 − W1W1ᵀ = λI and W2W1 = USVᵀ: M = W1ᵀW1 obeys M² + λM = VS²Vᵀ and
    N = W2W2ᵀ obeys N² − λN = US²Uᵀ (generic 2×3 / 2×2 entries), so each squared singular value
    m = s1² is the non-negative root of m² + λm − s² = 0, m = S_λ − λ/2, and s2² = m + λ =
    S_λ + λ/2 (s2² − s1² = λ, s1s2 = s). The printed S1, S2 are these roots. Conversely
    W1 = R S1 Vᵀ, W2 = U S2 Rᵀ (exact rotations) are λ-balanced with W2W1 = U S Vᵀ."""
    d = Derivation("Thm 5.2: S1, S2 from S and λ")
    W1, W2 = _generic("a", 2, 3), _generic("b", 2, 2)
    lam = _lam
    bal = W2.T * W2 - W1 * W1.T - lam * sp.eye(2)
    M, N, A = W1.T * W1, W2 * W2.T, W2 * W1
    d.given(sp.Symbol(r"W_2^TW_2-W_1W_1^T"), sp.Symbol(r"\lambda I"), "A2 (λ-balanced)")
    d.step(M * M + lam * M - A.T * A, -W1.T * bal * W1,
           "M² + λM − (W2W1)ᵀ(W2W1) = −W1ᵀ(W2ᵀW2 − W1W1ᵀ − λI)W1 = 0 under balance, "
           "so W1ᵀW1 = V m(S) Vᵀ with m² + λm = s²", moves=(sp.expand,))
    d.step(N * N - lam * N - A * A.T, W2 * bal * W2.T,
           "N² − λN − (W2W1)(W2W1)ᵀ = W2(W2ᵀW2 − W1W1ᵀ − λI)W2ᵀ = 0 under balance, "
           "so W2W2ᵀ = U n(S) Uᵀ with n² − λn = s²", moves=(sp.expand,))
    m = _S_LAM - lam / 2
    d.step(m**2 + lam * m, _s**2, "m = S_λ − λ/2 is a root of m² + λm − s² = 0",
           moves=(reduce_roots,))
    d.step((_S_LAM - lam / 2) * (-_S_LAM - lam / 2), -_s**2,
           "the product of the two roots is −s² < 0: exactly one root is non-negative",
           moves=(reduce_roots,))
    for sigma in (1, -1):
        tag = f"λ = {'+' if sigma > 0 else '−'}ℓ"
        par = {_s: _ell * (_z - 1 / _z) / 4}
        record_nonnegative(d, (_S_LAM - lam / 2).subs(lam, sigma * _ell),
                           f"{tag}: S_λ − λ/2 > 0 (s = ℓ(z − 1/z)/4 with z = 1 + w > 1 covers s > 0)", subs=par,
                           strict=True)
        s1 = f.s1_expr(_s, sigma * _ell)
        s2 = f.s2_expr(_s, sigma * _ell)
        d.step(s1**2, (_S_LAM - lam / 2).subs(lam, sigma * _ell),
               f"{tag}: the printed S1² = S_λ − λ/2", moves=(sp.expand, reduce_roots))
        d.step(s2**2, (_S_LAM + lam / 2).subs(lam, sigma * _ell),
               f"{tag}: the printed S2² = S_λ + λ/2 = s1² + λ", moves=(sp.expand, reduce_roots))
        d.step(s2**2 - s1**2, sigma * _ell, f"{tag}: s2² − s1² = λ",
               moves=(sp.expand, reduce_roots))
        d.step((s1 * s2)**2, _s**2, f"{tag}: (s1 s2)² = s²", moves=(sp.expand, reduce_roots))
        record_nonnegative(d, s1 * s2, f"{tag}: s1 s2 ≥ 0, hence s1 s2 = s", subs=par)
    # converse: the factorisation is λ-balanced and multiplies to U S Vᵀ (2 modes)
    a, b, r = sp.symbols("a b r", real=True)
    c1, c2 = sp.symbols("s_1 s_2", positive=True)

    def rot(x):      # unnormalised Cayley rotation: rot(x)/(1 + x²) is exactly orthogonal
        return sp.Matrix([[1 - x**2, -2 * x], [2 * x, 1 - x**2]])

    U, V, Q = rot(a), rot(b), rot(r)
    na, nb, nr = 1 + a**2, 1 + b**2, 1 + r**2
    s1d = sp.diag(f.s1_expr(c1, lam), f.s1_expr(c2, lam))
    s2d = sp.diag(f.s2_expr(c1, lam), f.s2_expr(c2, lam))
    # W1 = (Q/n_r) S1 (V/n_b)ᵀ, W2 = (U/n_a) S2 (Q/n_r)ᵀ; both sides × n_a² n_b² n_r²
    d.step(Q * s2d * (U.T * U) * s2d * Q.T * nb**2 - Q * s1d * (V.T * V) * s1d * Q.T * na**2,
           lam * na**2 * nb**2 * nr**2 * sp.eye(2),
           "W1 = R S1 Vᵀ, W2 = U S2 Rᵀ are λ-balanced (R, U, V exact rotations; both sides × "
           "n_a²n_b²n_r²)", moves=(sp.expand, reduce_roots))
    return d.evidence()


thmC3.formulas.update({
    "limit_expr": lambda s, lam: (sp.sqrt(s**2 + lam**2 / 4) - lam / 2,
                                  sp.sqrt(s**2 + lam**2 / 4) + lam / 2, s),
})


@thmC3.check("symbolic", precision="exact (SymPy), both signs of λ",
             justification="the transients are e^{−κt} with κ > 0 proved exactly; the limit "
                           "blocks follow from the G/H identities, reduced to 0 per sign of λ")
def limit_from_B5(f):
    """Every time-dependent factor of Z̃ and Ã (B.5) is e^{−κt} with κ ∈ {S_i + S_j,
    S_j − λ⊥, S_i + S_j − 2λ⊥}, all > 0 because S_λ − |λ|/2 = s̃²/(S_λ + |λ|/2) > 0; hence
    Z̃ → [Ṽ(G − HG); Ũ(G + HG)], Ã → S_λ⁻¹ and QQᵀ → Z̃ S_λ Z̃ᵀ, whose blocks per mode are
    G²(1 − H)²S_λ, G²(1 + H)²S_λ and G²(1 − H²)S_λ. With H = sgn(λ)√((S_λ − s̃)/(S_λ + s̃)),
    G = (1 + H²)^{−1/2} these equal the formula's (S_λ − λ/2, S_λ + λ/2, s̃)."""
    d = Derivation("Thm C.3: the converged representations from B.5")
    st = sp.Symbol("stilde", positive=True)
    S = sp.sqrt(_ell**2 + 4 * st**2) / 2            # S_λ (depends on λ²)
    d.step((S - _ell / 2) * (S + _ell / 2), st**2, "(S_λ − |λ|/2)(S_λ + |λ|/2) = s̃²",
           moves=(reduce_roots,))
    record_nonnegative(d, S - _ell / 2, "S_λ − |λ|/2 > 0 (s̃ = ℓ(z − 1/z)/4, z > 1)",
                       subs={st: _ell * (_z - 1 / _z) / 4}, strict=True)
    t, kappa = sp.Symbol("t", positive=True), sp.Symbol("kappa", positive=True)
    d.step(sp.limit(sp.exp(-kappa * t), t, sp.oo), 0,
           "e^{−κt} → 0 for κ > 0: κ = S_i + S_j, S_j − λ⊥ ≥ S_j − |λ|/2 > 0, "
           "S_i + S_j − 2λ⊥ > 0; so Z̃ → [Ṽ(G−HG); Ũ(G+HG)], Ã → (I − 0)S_λ⁻¹ = S_λ⁻¹")
    for sigma in (1, -1):
        tag = f"λ = {'+' if sigma > 0 else '−'}ℓ"
        lam = sigma * _ell
        H = sigma * sp.sqrt((S - st) / (S + st))
        H_rat = 2 * (S - st) / lam
        d.step(H**2, H_rat**2, f"{tag}: H² = (2(S_λ − s̃)/λ)² (spec §3)", moves=(reduce_roots,))
        record_nonnegative(d, sigma * H_rat, f"{tag}: 2(S_λ − s̃)/λ has the sign of λ, like H, "
                           f"so H = 2(S_λ − s̃)/λ", subs={st: _ell * (_z - 1 / _z) / 4})
        G2 = 1 / (1 + H_rat**2)
        w1, w2, w21 = f.limit_expr(st, lam)
        d.step(G2 * (1 - H_rat)**2 * S, w1, f"{tag}: W1ᵀW1 block: G²(1 − H)²S_λ",
               moves=(reduce_roots,))
        d.step(G2 * (1 + H_rat)**2 * S, w2,
               f"{tag}: W2W2ᵀ block: G²(1 + H)²S_λ", moves=(reduce_roots,))
        d.step(G2 * (1 - H_rat**2) * S, w21,
               f"{tag}: W2W1 block: G²(1 − H²)S_λ", moves=(reduce_roots,))
    return d.evidence()


def _lambdify2(fn, module):
    a, b = sp.symbols("a b", real=True)
    out = fn(a, b)
    return sp.lambdify((a, b), list(out) if isinstance(out, tuple) else out, modules=module)


_PTS = np.random.default_rng(5252).uniform([0.05, -6.0], [3.0, 6.0], size=(40, 2))  # (s, λ)


@thm52.check("numeric", tolerance=1e-12,
             precision="SymPy S1, S2 lambdified in float64 and at 50 digits",
             justification="float64: vs numerics.split_singular_values (cancellation-free) "
                           "the literal √((∓λ + √(λ²+4s²))/2) loses up to (|λ|/s)²·ε ≈ 1e-13 "
                           "relative for |λ|/s ≤ 120 here; 50 digits: s2² − s1² − λ and "
                           "s1s2 − s vanish to ~1e-48, scaled by 1e30 into the same max")
def sympy_s1_s2_numerically(f):
    s1_64, s2_64 = _lambdify2(f.s1_expr, "numpy"), _lambdify2(f.s2_expr, "numpy")
    s1_mp, s2_mp = _lambdify2(f.s1_expr, "mpmath"), _lambdify2(f.s2_expr, "mpmath")
    w64, w50 = 0.0, 0.0
    for s, lam in _PTS:
        r1, r2 = numerics.split_singular_values(np.array([s]), lam)
        w64 = max(w64, abs(s1_64(s, lam) - r1[0]) / max(r1[0], r2[0]),
                  abs(s2_64(s, lam) - r2[0]) / max(r1[0], r2[0]))
        with mpmath.workdps(50):
            sm, lm = mpmath.mpf(s), mpmath.mpf(lam)
            a, b = s1_mp(sm, lm), s2_mp(sm, lm)
            w50 = max(w50, float(abs(b * b - a * a - lm)), float(abs(a * b - sm)))
    return Evidence(max_error=max(w64, w50 * 1e30),
                    detail=f"40 random (s, λ) ∈ [0.05, 3] × [−6, 6]: float64 relative error vs "
                           f"numerics.split_singular_values {w64:.1e}; 50 digits: "
                           f"max(|s2² − s1² − λ|, |s1s2 − s|) = {w50:.1e}")


@thmC3.check("numeric", tolerance=1e-12,
             precision="SymPy limit blocks lambdified in float64 and at 50 digits",
             justification="float64 vs converged_blocks of a 1×1 task (same closed form, a "
                           "few roundings, ~1e-15 relative); 50 digits vs numerics.mp.qqt at "
                           "t = 200 from an aligned init (transients e^{−2S_λt} < 1e-60), "
                           "scaled by 1e30 into the same max")
def sympy_limit_numerically(f):
    lim_64, lim_mp = _lambdify2(f.limit_expr, "numpy"), _lambdify2(f.limit_expr, "mpmath")
    w64, w50 = 0.0, 0.0
    for s, lam in _PTS[:12]:
        ref = converged_blocks(np.array([[s]]), lam)
        got = lim_64(s, lam)
        w64 = max(w64, max(abs(float(g) - float(np.ravel(r)[0])) / max(abs(float(np.ravel(r)[0])), 1e-300)
                           for g, r in zip(got, ref)))
    for s, lam in _PTS[:3]:
        W1, W2 = numerics.mp.weights_from_network(np.array([[0.3 * s]]), lam, dps=50)
        q = numerics.mp.qqt(W1, W2, np.array([[s]]), 200.0, dps=50)
        with mpmath.workdps(50):
            got = lim_mp(mpmath.mpf(s), mpmath.mpf(lam))
            want = (q[0, 0], q[1, 1], q[1, 0])
            w50 = max(w50, max(float(abs(g - w)) for g, w in zip(got, want)))
    return Evidence(max_error=max(w64, w50 * 1e30),
                    detail=f"float64 vs converged_blocks (12 (s, λ)): {w64:.1e}; 50 digits vs "
                           f"numerics.mp.qqt(t = 200), 3 (s, λ): {w50:.1e}")
