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
    scope="A2 (λ-balanced) and A3 (N_h = min(N_i, N_o)) with any N_i, N_o; any λ ∈ ℝ; "
          "W2W1 = USVᵀ of full rank",
    assumptions=("A2: λ-balanced", "A3: N_h = min(N_i, N_o)", "W2W1 = USVᵀ of full rank"),
    depends_on=("domine2025.thmA.2",),
    formulas={"s1": s1_printed, "s2": s2_printed},
    equivalent_mutants={
        f"{n}: s → −s": "S1 = √(S_λ − λ/2) and S2 = √(S_λ + λ/2) depend on s only through "
                        "S_λ = √(s² + λ²/4) (a step of derivation_of_S1_S2 for the printed "
                        "forms; singular values are ≥ 0 anyway)"
        for n in ("s1", "s2", "s1_expr", "s2_expr")},
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
    scope="A1-A3 with any N_i, N_o (N_h = min(N_i, N_o)); any λ ∈ ℝ; B invertible; t → ∞",
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

from lazyrich import Scope  # noqa: E402
from lazyrich.derive import Derivation, NCAlgebra, nc_expand, nc_terms, rewriter  # noqa: E402
from lazyrich.derive._series import record_limit, record_nonnegative, reduce_roots  # noqa: E402


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


def _per_mode_S1_S2(d, f):
    """Per singular value s > 0, from the printed S1, S2 (eq 18): s1² = S_λ − λ/2 > 0,
    s2² = S_λ + λ/2 > 0, s2² − s1² = λ, s1 s2 = s (both signs of λ)."""
    lam = _lam
    m = _S_LAM - lam / 2
    d.step(m**2 + lam * m, _s**2, "per mode: m = S_λ − λ/2 is a root of m² + λm − s² = 0",
           moves=(reduce_roots,))
    d.step((_S_LAM - lam / 2) * (-_S_LAM - lam / 2), -_s**2,
           "per mode: the product of the two roots is −s² < 0: exactly one root is positive",
           moves=(reduce_roots,))
    for sigma in (1, -1):
        tag = f"λ = {'+' if sigma > 0 else '−'}ℓ"
        par = {_s: _ell * (_z - 1 / _z) / 4}
        for pm, name in ((-1, "S_λ − λ/2"), (1, "S_λ + λ/2")):
            record_nonnegative(d, (_S_LAM + pm * lam / 2).subs(lam, sigma * _ell),
                               f"{tag}: {name} > 0 (s = ℓ(z − 1/z)/4 with z = 1 + w > 1 covers "
                               f"s > 0), so S1 and S2 are invertible", subs=par, strict=True)
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
    s1, s2 = f.s1_expr(_s, 0), f.s2_expr(_s, 0)
    d.step(sp.Matrix([s1**2 - _s, s2**2 - _s, s1 * s2 - _s]), sp.zeros(3, 1),
           "λ = 0: s1 = s2 = √s, s1² = s2² = S_λ = s, s1 s2 = s", moves=(sp.expand,))
    d.step(sp.Matrix([f.s1_expr(-_s, _lam), f.s2_expr(-_s, _lam)]),
           sp.Matrix([f.s1_expr(_s, _lam), f.s2_expr(_s, _lam)]),
           "S1, S2 see s only through S_λ = √(s² + λ²/4): even in s", moves=(sp.expand,))


def _thm52_algebra():
    alg = NCAlgebra()
    W1, W2, U, V, R = alg.matrices("W1 W2 U V R")
    S1, S2, S1i, S2i = alg.matrices("S1 S2 S1inv S2inv", symmetric=True)
    T = alg.T
    diag = [(S2 * S1, S1 * S2), (S1 * S1i, 1), (S1i * S1, 1), (S2 * S2i, 1), (S2i * S2, 1),
            (S2 * S1i, S1i * S2), (S2i * S1, S1 * S2i), (S2i * S1i, S1i * S2i)]
    base = [(T(U) * U, 1), (T(V) * V, 1), (W2 * W1, U * S1 * S2 * T(V)),
            (T(W1) * T(W2), V * S1 * S2 * T(U))] + diag
    return alg, (W1, W2, U, V, R, S1, S2, S1i, S2i), base


@thm52.check("symbolic", precision="exact (SymPy): noncommutative matrix symbols of any size, "
                                    "then scalars per singular value",
             justification="matrix identities reduced to 0 by expansion and rewrite rules "
                           "(balance, the SVD W2W1 = U S1S2 Vᵀ, UᵀU = VᵀV = I, commuting "
                           "invertible diagonal S1, S2); the scalar rules s1s2 = s, "
                           "s2² − s1² = λ come from the printed S1, S2 (proved per mode); the "
                           "two facts of linear algebra used are stated as premises")
def derivation_of_S1_S2(f):
    """Any N_i, N_o with N_h = min, W2W1 = U S Vᵀ (compact, s > 0). λ ≥ 0: with M = W1ᵀW1,
    (M + λ/2)² = (W2W1)ᵀ(W2W1) + λ²/4 = (V S1² Vᵀ + λ/2)²; both are positive semidefinite, so
    M = V S1² Vᵀ (unique PSD square root); then R = W1 V S1⁻¹ has RᵀR = I, W1 = R S1 Vᵀ
    (W1(I − VVᵀ) = 0 because its Gram matrix is 0) and W2 = W2RRᵀ = U S2 Rᵀ. λ ≤ 0: the mirror
    image with N = W2W2ᵀ, (N − λ/2)² = (U S2² Uᵀ − λ/2)², R = W2ᵀ U S2⁻¹. Conversely R S1 Vᵀ,
    U S2 Rᵀ are λ-balanced with product U S Vᵀ."""
    d = Derivation("Thm 5.2: W1 = R S1 Vᵀ, W2 = U S2 Rᵀ from balance and the SVD of W2W1")
    alg, (W1, W2, U, V, R, S1, S2, S1i, S2i), base = _thm52_algebra()
    T, lam = alg.T, _lam
    _per_mode_S1_S2(d, f)
    d.given(sp.Symbol("W_2W_1"), sp.Symbol(r"U S V^T,\ S = S_1S_2"),
            "compact SVD, U: N_o × N_h, V: N_i × N_h with UᵀU = VᵀV = I (A3, full rank); S1, S2 "
            "diagonal with the printed entries, so S = S1S2 and S2² = S1² + λI (per mode, above)")
    d.given(sp.Symbol("X = Y"), sp.Symbol(r"X, Y \succeq 0,\ X^2 = Y^2"),
            "a positive semidefinite matrix has exactly one positive semidefinite square root")
    d.given(sp.Symbol("X = 0"), sp.Symbol(r"X^TX = 0"), "tr XᵀX = ‖X‖²_F")
    # ---- λ ≥ 0
    plus = rewriter(base + [(T(W2) * W2, W1 * T(W1) + lam), (S2 * S2, S1 * S1 + lam)],
                    name="λ ≥ 0: W2ᵀW2 = W1W1ᵀ + λI, SVD, UᵀU = VᵀV = I, S2² = S1² + λ")
    M = T(W1) * W1
    root = V * S1 * S1 * T(V) + lam / 2
    d.step((M + lam / 2)**2, T(W2 * W1) * (W2 * W1) + lam**2 / 4,
           "λ ≥ 0: (W1ᵀW1 + λ/2)² = (W2W1)ᵀ(W2W1) + λ²/4 under balance",
           moves=(nc_expand, rewriter([(T(W2) * W2, W1 * T(W1) + lam)], name="balance")))
    d.step(T(W2 * W1) * (W2 * W1) + lam**2 / 4, root**2,
           "λ ≥ 0: = (V S1² Vᵀ + λ/2)² (SVD, S = S1S2, S2² = S1² + λ)", moves=(nc_expand, plus))
    d.given(sp.Symbol(r"W_1^TW_1"), V * S1 * S1 * T(V),
            "λ ≥ 0: W1ᵀW1 + λ/2 and V S1² Vᵀ + λ/2 are positive semidefinite with equal squares")
    plus_m = rewriter(base + [(T(W1) * W1, V * S1 * S1 * T(V))], name="W1ᵀW1 = V S1² Vᵀ")
    Rp = W1 * V * S1i
    d.step(T(Rp) * Rp, sp.S.One, "λ ≥ 0: R = W1 V S1⁻¹ has RᵀR = I (R is N_h × N_h: orthogonal, "
           "so RRᵀ = I too)", moves=(nc_expand, plus_m))
    X = W1 - W1 * V * T(V)
    d.step(T(X) * X, sp.S.Zero, "λ ≥ 0: X = W1(I − VVᵀ) has XᵀX = 0, so W1 = W1VVᵀ",
           moves=(nc_expand, plus_m))
    d.step(W1 * V * T(V), Rp * S1 * T(V), "λ ≥ 0: W1 = W1VVᵀ = R S1 Vᵀ",
           moves=(nc_expand, plus_m))
    d.step(W2 * Rp, U * S2, "λ ≥ 0: W2 R = U S S1⁻¹ = U S2, so W2 = W2RRᵀ = U S2 Rᵀ",
           moves=(nc_expand, plus_m))
    # ---- λ ≤ 0
    minus = rewriter(base + [(W1 * T(W1), T(W2) * W2 - lam), (S1 * S1, S2 * S2 - lam)],
                     name="λ ≤ 0: W1W1ᵀ = W2ᵀW2 − λI, SVD, UᵀU = VᵀV = I, S1² = S2² − λ")
    N = W2 * T(W2)
    root = U * S2 * S2 * T(U) - lam / 2
    d.step((N - lam / 2)**2, (W2 * W1) * T(W2 * W1) + lam**2 / 4,
           "λ ≤ 0: (W2W2ᵀ − λ/2)² = (W2W1)(W2W1)ᵀ + λ²/4 under balance",
           moves=(nc_expand, rewriter([(W1 * T(W1), T(W2) * W2 - lam)], name="balance")))
    d.step((W2 * W1) * T(W2 * W1) + lam**2 / 4, root**2,
           "λ ≤ 0: = (U S2² Uᵀ − λ/2)² (SVD, S = S1S2, S1² = S2² − λ)", moves=(nc_expand, minus))
    d.given(sp.Symbol(r"W_2W_2^T"), U * S2 * S2 * T(U),
            "λ ≤ 0: W2W2ᵀ − λ/2 and U S2² Uᵀ − λ/2 are positive semidefinite (−λ/2 ≥ 0) with "
            "equal squares")
    minus_n = rewriter(base + [(W2 * T(W2), U * S2 * S2 * T(U))], name="W2W2ᵀ = U S2² Uᵀ")
    Rm = T(W2) * U * S2i
    d.step(T(Rm) * Rm, sp.S.One, "λ ≤ 0: R = W2ᵀ U S2⁻¹ has RᵀR = I (orthogonal)",
           moves=(nc_expand, minus_n))
    Y = W2 - U * T(U) * W2
    d.step(Y * T(Y), sp.S.Zero, "λ ≤ 0: Y = (I − UUᵀ)W2 has YYᵀ = 0, so W2 = UUᵀW2",
           moves=(nc_expand, minus_n))
    d.step(U * T(U) * W2, U * S2 * T(Rm), "λ ≤ 0: W2 = UUᵀW2 = U S2 Rᵀ",
           moves=(nc_expand, minus_n))
    d.step(T(Rm) * W1, S1 * T(V), "λ ≤ 0: RᵀW1 = S2⁻¹ Uᵀ U S Vᵀ = S1 Vᵀ, so W1 = RRᵀW1 = "
           "R S1 Vᵀ", moves=(nc_expand, minus_n))
    # ---- converse
    Rc = alg.matrix("Q")
    conv = rewriter([(T(U) * U, 1), (T(V) * V, 1), (T(Rc) * Rc, 1), (Rc * T(Rc), 1),
                     (S2 * S1, S1 * S2), (S2 * S2, S1 * S1 + lam)],
                    name="UᵀU = VᵀV = QᵀQ = QQᵀ = I, S2² = S1² + λ")
    W1c, W2c = Rc * S1 * T(V), U * S2 * T(Rc)
    d.step(T(W2c) * W2c - W1c * T(W1c), lam, "conversely Q S1 Vᵀ, U S2 Qᵀ (Q orthogonal) are "
           "λ-balanced", moves=(nc_expand, conv))
    d.step(W2c * W1c, U * S1 * S2 * T(V), "… and multiply to U S Vᵀ", moves=(nc_expand, conv))
    return d.evidence(scope=Scope.full(
        "any N_i, N_o with N_h = min(N_i, N_o) (matrices as noncommutative symbols of "
        "unspecified size), any λ ∈ ℝ (λ ≥ 0 and λ ≤ 0 separately), W2W1 of full rank "
        "(every s > 0)"))


thmC3.formulas.update({
    "limit_expr": lambda s, lam: (sp.sqrt(s**2 + lam**2 / 4) - lam / 2,
                                  sp.sqrt(s**2 + lam**2 / 4) + lam / 2, s),
})


def _b5_terms():
    """Theorem B.5's Z̃(t) and Ã(t) as noncommutative expressions with E = e^{−S_λt/τ}
    (diagonal), p = e^{λ⊥t/τ} and k = (e^{2λ⊥t/τ} − 1)/λ⊥ (= 2t/τ for λ⊥ = 0) — λ⊥ is a
    multiple of the identity, so p and k are scalars."""
    alg = NCAlgebra()
    Vt, Ut, Vp, Up, B, C, D = alg.matrices("Vt Ut Vperp Uperp B C D")
    G, H, S, Sinv, E = alg.matrices("G H S Sinv E", symmetric=True)
    Binv = alg.matrix("Binv")               # B⁻¹ (not symmetric)
    p, k = sp.Symbol("p", positive=True), sp.Symbol("k", real=True)
    T = alg.T
    BiT = T(Binv)
    Zt = Vt * (G - H * G) - Vt * (G + H * G) * E * T(C) * BiT * E + 2 * p * Vp * T(D) * BiT * E
    Zb = Ut * (G + H * G) + Ut * (G - H * G) * E * T(C) * BiT * E + 2 * p * Up * T(D) * BiT * E
    At = (4 * E * Binv * BiT * E + (1 - E * E) * Sinv
          - E * Binv * C * (E * E - 1) * Sinv * T(C) * BiT * E
          + 2 * k * E * Binv * D * T(D) * BiT * E)
    return alg, (Vt, Ut, G, H, S, Sinv, E), (p, k), (Zt, Zb, At)


def _split_decaying(expr, E, p, k):
    """(constant part, number of terms, the terms that are not shown to decay): a term decays
    when an E stands at its left or right end and its growth (1 per p, 2 per k) is at most the
    number of E's at its ends (entrywise e^{(−S_i − S_j + …)t/τ}, see the limit steps)."""
    const, bad, n = sp.S.Zero, [], 0
    for coeff, factors in nc_terms(nc_expand(expr)):
        term = coeff * sp.Mul(*factors)
        if not (coeff.has(p) or coeff.has(k) or E in factors):
            const += term
            continue
        n += 1
        ends = (factors[0] == E) + (factors[-1] == E) if factors else 0
        growth = sp.degree(coeff, p) + 2 * sp.degree(coeff, k)
        if not (ends >= 1 and growth <= ends and (not coeff.has(k) or ends == 2)):
            bad.append(term)
    return const, n, bad


@thmC3.check("symbolic", precision="exact (SymPy): noncommutative matrix symbols of any size, "
                                    "scalar limits by sympy.limit, per-mode identities",
             justification="the time-dependent part of B.5 is split term by term, each term's "
                           "entries are e^{κt/τ}·(constant) with κ < 0 (signs proved exactly), "
                           "their limits computed by sympy.limit; the limit blocks reduced by "
                           "commuting diagonal G, H, S_λ to per-mode identities, reduced to 0 "
                           "for λ > 0, λ < 0 and λ = 0")
def limit_from_B5(f):
    """B.5 (any N_i, N_o, B invertible): QQᵀ = Z̃Ã⁻¹Z̃ᵀ. Every term of Z̃ − [Ṽ(G−HG); Ũ(G+HG)]
    and of Ã − S_λ⁻¹ has E = e^{−S_λt/τ} at an end, and its entries are e^{κt/τ}·const with
    κ ∈ {−S_i − S_j, λ⊥ − S_j, 2λ⊥ − S_i − S_j, …} < 0 (S_j − |λ|/2 = s̃²/(S_j + |λ|/2) > 0,
    |λ⊥| = |λ|/2), or t e^{−(S_i+S_j)t/τ} for λ⊥ = 0: all → 0. Ã → S_λ⁻¹ is invertible, so
    QQᵀ → Z̃∞ S_λ Z̃∞ᵀ, whose blocks are Ṽ G²(1−H)²S_λ Ṽᵀ, Ũ G²(1+H)²S_λ Ũᵀ and
    Ũ G²(1−H²)S_λ Ṽᵀ; per mode these are the formula's (S_λ − λ/2, S_λ + λ/2, s̃)."""
    d = Derivation("Thm C.3: the converged representations from B.5, any size")
    alg, (Vt, Ut, G, H, S, Sinv, E), (p, k), (Zt, Zb, At) = _b5_terms()
    T = alg.T
    d.given(sp.Symbol(r"QQ^T(t)"), sp.Symbol(r"\tilde Z\tilde A^{-1}\tilde Z^T"),
            "Theorem B.5 (B invertible): Z̃ = [Ṽ((G−HG) − (G+HG)E CᵀB⁻ᵀE) + 2pṼ⊥DᵀB⁻ᵀE; "
            "Ũ((G+HG) + (G−HG)E CᵀB⁻ᵀE) + 2pŨ⊥DᵀB⁻ᵀE], Ã = 4EB⁻¹B⁻ᵀE + (I − E²)S_λ⁻¹ − "
            "EB⁻¹C(E² − I)S_λ⁻¹CᵀB⁻ᵀE + 2kEB⁻¹DDᵀB⁻ᵀE, E = e^{−S_λt/τ}, p = e^{λ⊥t/τ}, "
            "k = (e^{2λ⊥t/τ} − 1)/λ⊥ (2t/τ for λ⊥ = 0)")
    limits = {}
    for name, expr, want in (("Z̃ (top)", Zt, Vt * (G - H * G)), ("Z̃ (bottom)", Zb,
                                                                   Ut * (G + H * G)),
                             ("Ã", At, Sinv)):
        const, n, bad = _split_decaying(expr, E, p, k)
        d.step(const, want, f"{name}: its t-independent part", moves=(nc_expand,))
        d.step(sp.Integer(len(bad)), 0, f"{name}: each of its other {n} terms has E at an end "
               f"and growth (p: 1, k: 2) no more than its E's at the ends, so it decays "
               f"(limits below)", moves=())
        limits[name] = const
    # the scalar limits, x = t/τ → ∞ (τ > 0 fixed), ℓ = |λ|, S_j = ℓ/2 + δ_j, δ_j > 0
    st, x = sp.Symbol("stilde", positive=True), sp.Symbol("x", positive=True)
    Sm = sp.sqrt(_ell**2 + 4 * st**2) / 2
    d.step((Sm - _ell / 2) * (Sm + _ell / 2), st**2, "(S_j − |λ|/2)(S_j + |λ|/2) = s̃_j²",
           moves=(reduce_roots,))
    record_nonnegative(d, Sm - _ell / 2, "δ_j = S_j − |λ|/2 > 0 (s̃ = ℓ(z − 1/z)/4, z > 1); "
                       "for λ = 0, S_j = s̃_j > 0", subs={st: _ell * (_z - 1 / _z) / 4},
                       strict=True)
    Si, Sj = sp.symbols("S_i S_j", positive=True)
    di, dj = sp.symbols("delta_i delta_j", positive=True)
    ell0 = sp.Symbol("ell", nonnegative=True)
    cases = [(sp.exp(-(Si + Sj) * x), "E·X·E, E² S_λ⁻¹ (bounded middle factors e^{−2S_kt/τ} "
              "≤ 1 do not matter): e^{−(S_i+S_j)t/τ} → 0")]
    for sg in (1, -1):
        cases.append((sp.exp((sg * ell0 / 2 - (ell0 / 2 + dj)) * x),
                      f"p·X·E, λ⊥ = {'+' if sg > 0 else '−'}|λ|/2: e^{{(λ⊥ − S_j)t/τ}} → 0"))
        prod = (sp.exp(sg * _ell * x) - 1) / (sg * _ell / 2) * sp.exp(-(_ell + di + dj) * x)
        split = (sp.exp((sg * _ell - _ell - di - dj) * x) - sp.exp(-(_ell + di + dj) * x)) * \
            2 / (sg * _ell)
        d.step(prod, split, f"k·E·X·E, λ⊥ = {'+' if sg > 0 else '−'}|λ|/2 ≠ 0 (S_i + S_j = "
               f"|λ| + δ_i + δ_j): (e^{{2λ⊥t/τ}} − 1)/λ⊥ · e^{{−(S_i+S_j)t/τ}} as two "
               f"exponentials", moves=(sp.expand, sp.powsimp, sp.expand))
        cases.append((split, f"k·E·X·E, λ⊥ = {'+' if sg > 0 else '−'}|λ|/2 ≠ 0: "
                             f"(e^{{2λ⊥t/τ}} − 1)/λ⊥ · e^{{−(S_i+S_j)t/τ}} → 0"))
    cases.append((2 * x * sp.exp(-(Si + Sj) * x),
                  "k·E·X·E, λ⊥ = 0 (λ = 0, N_i ≠ N_o): (2t/τ) e^{−(S_i+S_j)t/τ} → 0"))
    for expr, why in cases:
        record_limit(d, expr, x, sp.oo, 0, f"entrywise as t → ∞: {why}")
    d.given(sp.Symbol(r"QQ^T(\infty)"), sp.Symbol(r"\tilde Z_\infty S_\lambda \tilde Z_\infty^T"),
            "Ã → S_λ⁻¹, which is invertible; matrix inversion is continuous there and products "
            "are continuous, so QQᵀ = Z̃Ã⁻¹Z̃ᵀ → Z̃∞ S_λ Z̃∞ᵀ")
    diag = rewriter([(H * G, G * H), (S * G, G * S), (S * H, H * S)],
                    name="diagonal G, H, S_λ commute (order G, H, S_λ)")
    top, bot = limits["Z̃ (top)"], limits["Z̃ (bottom)"]
    one_m, one_p = 1 - H, 1 + H
    d.step(top * S * T(top), Vt * G * G * one_m * one_m * S * T(Vt),
           "W1ᵀW1 block: Ṽ(G − HG)S_λ(G − HG)ᵀṼᵀ = Ṽ G²(I − H)²S_λ Ṽᵀ", moves=(nc_expand, diag))
    d.step(bot * S * T(bot), Ut * G * G * one_p * one_p * S * T(Ut),
           "W2W2ᵀ block: Ũ G²(I + H)²S_λ Ũᵀ", moves=(nc_expand, diag))
    d.step(bot * S * T(top), Ut * G * G * one_p * one_m * S * T(Vt),
           "W2W1 block: Ũ G²(I − H²)S_λ Ṽᵀ", moves=(nc_expand, diag))
    d.given(sp.Symbol(r"G^2(I\mp H)^2S_\lambda"), sp.Symbol(r"\mathrm{diag}(g_\alpha^2(1\mp "
                                                           r"h_\alpha)^2S_{\lambda,\alpha})"),
            "products of diagonal matrices are diagonal with the products of the entries: the "
            "blocks reduce to one identity per mode (s̃_α, λ)")
    S = Sm
    for sigma in (1, -1):
        tag = f"λ = {'+' if sigma > 0 else '−'}ℓ"
        lam = sigma * _ell
        Hm = sigma * sp.sqrt((S - st) / (S + st))
        H_rat = 2 * (S - st) / lam
        d.step(Hm**2, H_rat**2, f"{tag}: H² = (2(S_λ − s̃)/λ)²", moves=(reduce_roots,))
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
    d.step(sp.Matrix(f.limit_expr(st, 0)), sp.Matrix([st, st, st]),
           "λ = 0: H = 0, G = 1, S_λ = s̃, so every block is s̃ per mode", moves=(reduce_roots,))
    return d.evidence(scope=Scope.full(
        "any N_i, N_o with N_h = min(N_i, N_o) (noncommutative symbols of unspecified size; "
        "λ⊥ = +|λ|/2, −|λ|/2 and 0), any λ ∈ ℝ, B invertible, τ > 0, t → ∞"))


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
