"""Lemma 4.2 = Lemma B.3 (eqs 8–9): the eigendecomposition F = PΛPᵀ of the Riccati matrix F.

Three claims:

* ``domine2025.lemma4.2``: per mode, P of eq 8 (built from G, H of eq 9) is orthogonal and
  FP = PΛ with Λ = diag(S_λ, −S_λ); float64/50-digit checks per mode and on full random tasks.
* ``domine2025.lemma4.2.identities``: the equivalent forms of H and the G/H identities used by
  Theorems 4.3, B.5 and C.3 (spec §3), |H| < 1, H = 0 at λ = 0.
* ``domine2025.lemma4.2.completion``: for N_i ≠ N_o the extra |N_o − N_i| eigenvalues are
  sgn(N_o − N_i)λ/2, on [0; Ũ⊥] (N_o > N_i) or [Ṽ⊥; 0] (N_i > N_o).

Symbolic method (derive._spectral): one mode of F is [[−λ/2, s̃], [s̃, λ/2]]; writing
(s̃, λ) = (pq, q² − p²) with p = √(S_λ − λ/2), q = √(S_λ + λ/2) > 0 (onto s̃ > 0, λ ∈ ℝ) and
splitting λ > 0 (q = p + d), λ < 0 (p = q + d), λ = 0 (p = q) with positive symbols decides
sgn(λ) and every square-root branch, so each identity reduces to a rational one.
"""

from __future__ import annotations

import random

import mpmath
import numpy as np
import sympy as sp

from lazyrich import numerics
from lazyrich.derive import Derivation, Step
from lazyrich.derive._spectral import (assemble_p, clear_radicands, g_printed, h_difference, h_printed,
                              h_thesis, lambda_perp, mode_cases, mode_eigenvalues, mp_basis,
                              p_mode, s_lambda)
from lazyrich import Claim, Evidence, Source

from ._cases import task

_EXACT = (clear_radicands, sp.expand, sp.cancel)
#: for residuals with the rational circle parametrisation, one common denominator is faster
_EXACT_ROT = (clear_radicands, sp.together, sp.expand)
_s = sp.Symbol("s", positive=True)
_lam = sp.Symbol("lambda", real=True)

lemma42 = Claim(
    id="domine2025.lemma4.2",
    title="F = PΛPᵀ per mode: P of eq 8 is orthogonal and FP = PΛ, Λ = diag(S_λ, −S_λ)",
    source=Source("domine2025", "Lemma 4.2, eqs (8)-(9) (= Lemma B.3, eqs 53-54)", "§4, App. B"),
    statement=r"F=P\begin{bmatrix}S_\lambda&0&0\\0&-S_\lambda&0\\0&0&\lambda_\perp\end{bmatrix}"
              r"P^\top,\ P=\frac1{\sqrt2}\begin{bmatrix}\tilde V(G-HG)&\tilde V(G+HG)&"
              r"\sqrt2\tilde V_\perp\\\tilde U(G+HG)&-\tilde U(G-HG)&\sqrt2\tilde U_\perp"
              r"\end{bmatrix},\ S_\lambda=\sqrt{\tilde S^2+\tfrac{\lambda^2}4I},\ "
              r"H=\operatorname{sgn}(\lambda)\sqrt{\frac{S_\lambda-\tilde S}{S_\lambda+\tilde S}},"
              r"\ G=\frac1{\sqrt{I+H^2}}",
    assumptions=("Σyx = Ũ S̃ Ṽᵀ compact SVD with S̃ > 0", "λ ∈ ℝ"),
    depends_on=("domine2025.lemmaB.1",),
    formulas={"S_lambda": s_lambda, "H": h_printed, "G": g_printed, "P_mode": p_mode,
              "eigenvalues": mode_eigenvalues},
    notes="Printed-form confidence high for P, S_λ (same P and eigenvalue order as the authors' "
          "diagonalisation check); medium-high for writing H as sgn(λ)√((S_λ−S̃)/(S_λ+S̃)) (the "
          "thesis writes the equivalent (√(λ²+4S̃²)−2S̃)/λ, see domine2025.lemma4.2.identities). "
          "The block structure reduces FP = PΛ and PᵀP = I to the per-mode 2×2 blocks "
          "because ŨᵀŨ = ṼᵀṼ = I and S̃, G, H are diagonal; the ±λ/2 block is "
          "domine2025.lemma4.2.completion.",
)


def _mode(f, case):
    """S_λ, H, G, the per-mode P block and Λ from the formulas, at the case's (s̃, λ)."""
    S = sp.factor(clear_radicands(f.S_lambda(case.s, case.lam)))
    H = sp.factor(clear_radicands(f.H(case.s, case.lam)))
    G = sp.factor(clear_radicands(f.G(H)))
    Pm = clear_radicands(f.P_mode(G, H)).applyfunc(sp.factor)
    return S, H, G, Pm, sp.diag(*f.eigenvalues(S))


def _f_mode(s, lam):
    return sp.Matrix([[-lam / 2, s], [s, lam / 2]])


def _parametrisation(d):
    """The steps showing (s̃, λ) = (pq, q² − p²) for p = √(S_λ − λ/2), q = √(S_λ + λ/2)."""
    S = sp.sqrt(_s ** 2 + _lam ** 2 / 4)
    p, q = sp.sqrt(S - _lam / 2), sp.sqrt(S + _lam / 2)
    d.given(sp.Symbol("(p, q)"), sp.Symbol(r"(\sqrt{S_\lambda-\lambda/2},\sqrt{S_\lambda+"
                                           r"\lambda/2})"),
            "p, q > 0 since S_λ > |λ|/2 for s̃ > 0")
    d.step(q ** 2 - p ** 2, _lam, "q² − p² = λ", moves=(sp.expand,))
    d.step((p * q) ** 2, _s ** 2, "(pq)² = s̃², so pq = s̃ (both positive); every (s̃ > 0, λ) "
           "is reached, so identities in (p, q) > 0 hold for all s̃ > 0, λ ∈ ℝ",
           moves=(sp.expand,))
    d.step(p ** 2 + q ** 2, 2 * S, "p² + q² = 2S_λ", moves=(sp.expand,))


@lemma42.check("symbolic", precision="exact (SymPy)",
               justification="residuals reduced to exactly 0 for positive symbols in each sign "
                             "case of λ; a non-zero residual is refuted at an exact random point")
def per_mode_eigendecomposition(f):
    d = Derivation("Lemma 4.2 per mode")
    _parametrisation(d)
    for case in mode_cases():
        S, H, G, Pm, Lam = _mode(f, case)
        d.step(S, case.S, f"{case.label}: S_λ = √(s̃² + λ²/4) = (p² + q²)/2", moves=_EXACT)
        d.step(Pm.T * Pm, sp.eye(2), f"{case.label}: PᵀP = I (per mode)", moves=_EXACT)
        d.step(_f_mode(case.s, case.lam) * Pm, Pm * Lam,
               f"{case.label}: FP = PΛ with Λ = diag(S_λ, −S_λ) (so F = PΛPᵀ)", moves=_EXACT)
    return d.evidence()


def _mode_lambdas(f, modules):
    """Vectorised (s̃, λ) ↦ (P block entries, eigenvalues) from the formulas."""
    S = f.S_lambda(_s, _lam)
    H = f.H(_s, _lam)
    Pm = f.P_mode(f.G(H), H)
    ev = f.eigenvalues(S)
    return sp.lambdify((_s, _lam), [Pm[0, 0], Pm[0, 1], Pm[1, 0], Pm[1, 1], ev[0], ev[1]],
                       modules)


def _mode_residual(vals, s, lam):
    """max(|PᵀP − I|, |FP − PΛ|/S_λ) per mode from the lambdified entries (any number type)."""
    p11, p12, p21, p22, e1, e2 = vals
    ortho = [p11 * p11 + p21 * p21 - 1, p12 * p12 + p22 * p22 - 1, p11 * p12 + p21 * p22]
    eig = [(-lam / 2 * p11 + s * p21 - e1 * p11) / e1, (s * p11 + lam / 2 * p21 - e1 * p21) / e1,
           (-lam / 2 * p12 + s * p22 - e2 * p12) / e1, (s * p12 + lam / 2 * p22 - e2 * p22) / e1]
    return ortho + eig


def _random_modes(n: int, seed: int):
    rng = np.random.default_rng(seed)
    s = rng.uniform(0.05, 5.0, n)
    lam = rng.uniform(-10.0, 10.0, n) * rng.choice([1.0, 0.1, 0.01], n)
    lam[:3] = (0.0, 1e-3, -1e-3)
    return s, lam


@lemma42.check("numeric", tolerance=1e-14, precision="float64, 2000 random (s̃, λ)",
               justification="PᵀP − I and (FP − PΛ)/S_λ are O(1) sums of products of O(1) "
                             "entries (~1e-16), except that the printed √((S_λ−s̃)/(S_λ+s̃)) "
                             "cancels S_λ − s̃ ≈ λ²/(8s̃): H, hence P, gets an absolute error "
                             "~ε·s̃/|λ|. Residuals are divided by κ = 1 + s̃/|λ| (1 at λ = 0, "
                             "where H = 0 exactly); 1e-14 leaves ~50 ulps, while a wrong "
                             "formula gives O(1)/κ ≥ 1e-4 on these samples")
def random_modes_float64(f):
    s, lam = _random_modes(2000, 42)
    vals = _mode_lambdas(f, "numpy")(s, lam)
    vals = [np.broadcast_to(np.asarray(v, dtype=float), s.shape) for v in vals]
    kappa = 1.0 + np.divide(s, np.abs(lam), out=np.zeros_like(s), where=lam != 0)
    res = np.abs(np.array(_mode_residual(vals, s, lam))) / kappa
    i = int(np.argmax(np.max(res, axis=0)))
    return Evidence(max_error=float(np.max(res)),
                    counterexample={"s": float(s[i]), "lambda": float(lam[i])},
                    detail="max over 2000 random (s̃ ∈ [0.05, 5], λ ∈ ±[0, 10] at three scales, "
                           "and λ = 0, ±1e-3) of |PᵀP − I| and |FP − PΛ|/S_λ per mode, divided "
                           "by κ = 1 + s̃/|λ|")


@lemma42.check("numeric", tolerance=1e-45, precision="mpmath 50 digits, 60 random (s̃, λ)",
               justification="the same residuals at 50 significant digits: ~1e-49 rounding; "
                             "a wrong formula is off by O(1)")
def random_modes_50_digits(f):
    fn = _mode_lambdas(f, "mpmath")
    s, lam = _random_modes(60, 43)
    worst, where = mpmath.mpf(0), None
    with mpmath.workdps(50):
        for si, li in zip(s, lam):
            sm, lm = mpmath.mpf(si), mpmath.mpf(li)
            err = max(abs(r) for r in _mode_residual(fn(sm, lm), sm, lm))
            if err > worst:
                worst, where = err, {"s": float(si), "lambda": float(li)}
    return Evidence(max_error=float(worst), counterexample=where,
                    detail="60 random (s̃, λ) incl. λ = 0, ±1e-3, at 50 digits")


_SHAPES = ((3, 3), (5, 3), (3, 5), (4, 2), (2, 6), (1, 4))
_LAMS = (-3.0, -0.8, 0.0, 0.5, 2.0, 6.0)


def _assemble(U, V, Up, Vp, coeffs):
    """P of eq 8 and the diagonal of Λ (without λ_⊥) from per-mode coefficients
    ``coeffs`` = (p11, p12, p21, p22, e1, e2), each of length N_m (numpy or object arrays)."""
    p11, p12, p21, p22, e1, e2 = coeffs
    P = np.block([[V * p11, V * p12, Vp], [U * p21, U * p22, Up]])
    return P, np.concatenate([e1, e2])


def _mp_f(S, lam):
    """F of eq 6 as an object array of mpf at the current precision (inputs taken exactly)."""
    n_o, n_i = S.shape
    F = np.full((n_i + n_o, n_i + n_o), mpmath.mpf(0), dtype=object)
    for i in range(n_o):
        for j in range(n_i):
            F[n_i + i, j] = F[j, n_i + i] = mpmath.mpf(S[i, j])
    for i in range(n_i):
        F[i, i] = -mpmath.mpf(lam) / 2
    for i in range(n_o):
        F[n_i + i, n_i + i] = mpmath.mpf(lam) / 2
    return F


@lemma42.check("numeric", tolerance=1e-13, precision="float64 full tasks vs numerics + 50 digits",
               justification="orthogonality and eigen-residuals of (N_i+N_o)-sized P built from "
                             "an SVD (backward stable, ~1e-15 relative) in float64; at 50 digits "
                             "(mpmath SVD) the residual is ~1e-48. 1e-13 covers the float64 part; "
                             "a wrong formula is off by O(1)")
def full_tasks(f):
    """For random Σyx of six shapes and six λ: P from Ũ, Ṽ, Ũ⊥, Ṽ⊥ of the SVD and the formulas'
    G, H; max of |PᵀP − I|, |FP − PΛ| (relative to ‖F‖), |P − numerics.task_eigensystem P| in
    float64, and |PᵀP − I|, |FP − PΛ| at 50 digits for two λ."""
    fn64, fnmp = _mode_lambdas(f, "numpy"), _mode_lambdas(f, "mpmath")
    worst, where = 0.0, None
    for k, (n_i, n_o) in enumerate(_SHAPES):
        S = task(n_i, n_o, 300 + k)
        n = n_i + n_o
        for lam in _LAMS:
            es = numerics.task_eigensystem(S, lam)
            F = numerics.f_matrix(S, lam)
            coeffs = [np.broadcast_to(np.asarray(v, dtype=float), es.s_tilde.shape)
                      for v in fn64(es.s_tilde, lam)]
            P, ev = _assemble(es.U_tilde, es.V_tilde, es.U_perp, es.V_perp, coeffs)
            ev = np.concatenate([ev, np.full(es.n_perp, es.lambda_perp)])
            scale = np.linalg.norm(F, 2)
            errs = [np.max(np.abs(P.T @ P - np.eye(n))),
                    np.max(np.abs(F @ P - P * ev)) / scale,
                    np.max(np.abs(P - es.P))]
            if lam in (-0.8, 2.0):
                with mpmath.workdps(50):
                    b = mp_basis(S, lam)
                    per_mode = [fnmp(x, mpmath.mpf(lam)) for x in b.s]
                    coeffs = [np.array([c[j] for c in per_mode], dtype=object) for j in range(6)]
                    Pm, evm = _assemble(b.U, b.V, b.Up, b.Vp, coeffs)
                    evm = np.concatenate([evm, np.diag(b.lam_perp)])
                    r1 = Pm.T @ Pm - np.eye(n, dtype=int)
                    r2 = _mp_f(S, lam) @ Pm - Pm * evm
                    errs.append(float(max(abs(x) for x in np.concatenate([r1.ravel(),
                                                                          r2.ravel()]))))
            err = float(max(errs))
            if err > worst:
                worst, where = err, {"shape": [n_i, n_o], "lambda": lam}
    return Evidence(max_error=worst, counterexample=where,
                    detail=f"Σyx of shapes (N_i, N_o) ∈ {list(_SHAPES)} × λ ∈ {list(_LAMS)}")


# --------------------------------------------------------------------------------------------
# identities
# --------------------------------------------------------------------------------------------
#: each identity: (name, LaTeX, LHS as a function of (H, G, S, s, λ)); the formula under test
#: is its right-hand side f.<name>(s, λ, S).
_IDENTITIES = (
    ("I_plus_H_over_I_minus_H", r"(I+H)(I-H)^{-1}=(S_\lambda+\tfrac\lambda2I)\tilde S^{-1}",
     lambda H, G, S, s, lam: (1 + H) / (1 - H)),
    ("two_H_over_I_plus_H2", r"2H(I+H^2)^{-1}=\lambda(2S_\lambda)^{-1}",
     lambda H, G, S, s, lam: 2 * H / (1 + H ** 2)),
    ("I_minus_H2_over_I_plus_H2", r"(I-H^2)(I+H^2)^{-1}=\tilde SS_\lambda^{-1}",
     lambda H, G, S, s, lam: (1 - H ** 2) / (1 + H ** 2)),
    ("G2_I_minus_H2_S", r"G^2(I-H^2)S_\lambda=\tilde S",
     lambda H, G, S, s, lam: G ** 2 * (1 - H ** 2) * S),
    ("G2_I_minus_H_sq_S", r"G^2(I-H)^2S_\lambda=S_\lambda-\tfrac\lambda2I",
     lambda H, G, S, s, lam: G ** 2 * (1 - H) ** 2 * S),
    ("G2_I_plus_H_sq_S", r"G^2(I+H)^2S_\lambda=S_\lambda+\tfrac\lambda2I",
     lambda H, G, S, s, lam: G ** 2 * (1 + H) ** 2 * S),
)

_RHS = {
    "I_plus_H_over_I_minus_H": lambda s, lam, S: (S + lam / 2) / s,
    "two_H_over_I_plus_H2": lambda s, lam, S: lam / (2 * S),
    "I_minus_H2_over_I_plus_H2": lambda s, lam, S: s / S,
    "G2_I_minus_H2_S": lambda s, lam, S: s,
    "G2_I_minus_H_sq_S": lambda s, lam, S: S - lam / 2,
    "G2_I_plus_H_sq_S": lambda s, lam, S: S + lam / 2,
}

identities = Claim(
    id="domine2025.lemma4.2.identities",
    title="Equivalent forms of H and the G/H identities of Lemma 4.2; |H| < 1, H = 0 at λ = 0",
    source=Source("domine2025", "Lemma 4.2, eq (9) (= Lemma B.3); identities used in App. B-C",
                  "§4, App. B"),
    statement=r"H=\operatorname{sgn}(\lambda)\sqrt{\tfrac{S_\lambda-\tilde S}{S_\lambda+\tilde S}}"
              r"=\tfrac{2(S_\lambda-\tilde S)}{\lambda}=\tfrac{\sqrt{\lambda^2+4\tilde S^2}"
              r"-2\tilde S}{\lambda};\ " + r";\ ".join(t for _, t, _ in _IDENTITIES)
              + r";\ |H|<I,\ H|_{\lambda=0}=0",
    assumptions=("S̃ > 0 diagonal", "λ ∈ ℝ (the two quotient forms of H for λ ≠ 0)"),
    depends_on=("domine2025.lemma4.2",),
    formulas={"S_lambda": s_lambda, "H": h_printed, "G": g_printed,
              "H_difference": h_difference, "H_thesis": h_thesis, **_RHS},
    notes="All diagonal, so each identity is one scalar identity per mode. 2(S_λ−S̃)/λ and "
          "(√(λ²+4S̃²)−2S̃)/λ are the thesis/code forms (matrix 'X'; the code's 'A' is G). The "
          "list is the one in spec §3 (reconstructed; these identities are what Theorems 4.3, "
          "B.5 and C.3 use).",
)


def _positive_step(d, expr, tex: str, why: str, points) -> Step:
    """Record ``expr > 0`` as a step: proved when SymPy's assumptions decide it from the
    positive symbols, refuted when it is ≤ 0 at one of ``points`` (50 digits), else
    inconclusive."""
    step = Step(sp.Symbol(tex), sp.Symbol("0"), why)
    e = sp.factor(sp.cancel(clear_radicands(expr)))
    if e.is_positive:
        step.verdict, step.residual, step.detail = "proved", "0", \
            f"{sp.sstr(e)} > 0 for positive symbols (SymPy assumptions)"
    else:
        bad = next((pt for pt in points if not sp.N(e.subs(pt), 50) > 0), None)
        if bad is not None:
            step.verdict = "refuted"
            step.counterexample = {"point": {str(k): str(v) for k, v in bad.items()},
                                   "value": str(sp.N(e.subs(bad), 12))}
            step.detail = f"not positive at {step.counterexample['point']}"
        else:
            step.detail = f"SymPy could not decide the sign of {sp.sstr(e)}"
    d.steps.append(step)
    return step


def _points(case, n=4, seed=0):
    rng = random.Random(seed)
    syms = sorted(case.symbols, key=str)
    return [{x: sp.Rational(rng.randint(1, 60), rng.randint(1, 9)) for x in syms}
            for _ in range(n)]


@identities.check("symbolic", precision="exact (SymPy)",
                  justification="each identity's residual reduced to exactly 0 per sign case "
                                "of λ; |H| < 1 from positivity of 1 ± H decided by SymPy's "
                                "assumptions on positive symbols")
def identities_per_case(f):
    d = Derivation("Lemma 4.2: forms of H and G/H identities")
    _parametrisation(d)
    for case in mode_cases():
        S = sp.factor(clear_radicands(f.S_lambda(case.s, case.lam)))
        H = sp.factor(clear_radicands(f.H(case.s, case.lam)))
        G = sp.factor(clear_radicands(f.G(H)))
        tag = case.label
        d.step(S, case.S, f"{tag}: S_λ = (p² + q²)/2", moves=_EXACT)
        d.step(H, case.H, f"{tag}: H = sgn(λ)√((S_λ−s̃)/(S_λ+s̃)) = (q − p)/(q + p)",
               moves=_EXACT)
        if case.sign:
            d.step(H, f.H_difference(case.s, case.lam), f"{tag}: H = 2(S_λ − s̃)/λ",
                   moves=_EXACT)
            d.step(H, f.H_thesis(case.s, case.lam), f"{tag}: H = (√(λ² + 4s̃²) − 2s̃)/λ",
                   moves=_EXACT)
        else:
            d.step(H, 0, f"{tag}: H = 0", moves=_EXACT)
            d.step(G, 1, f"{tag}: G = 1", moves=_EXACT)
        pts = _points(case)
        _positive_step(d, 1 - H, "1-H", f"{tag}: 1 − H > 0", pts)
        _positive_step(d, 1 + H, "1+H", f"{tag}: 1 + H > 0 (so |H| < 1)", pts)
        for name, tex, lhs in _IDENTITIES:
            d.step(lhs(H, G, S, case.s, case.lam), getattr(f, name)(case.s, case.lam, S),
                   f"{tag}: {tex}", moves=_EXACT)
    return d.evidence()


def _identity_lambdas(f, modules):
    S = f.S_lambda(_s, _lam)
    H = f.H(_s, _lam)
    G = f.G(H)
    exprs = [lhs(H, G, S, _s, _lam) - getattr(f, name)(_s, _lam, S) for name, _, lhs in
             _IDENTITIES]
    forms = [H - f.H_difference(_s, _lam), H - f.H_thesis(_s, _lam)]
    return (sp.lambdify((_s, _lam), exprs, modules), sp.lambdify((_s, _lam), forms, modules),
            sp.lambdify((_s, _lam), H, modules))


@identities.check("numeric", tolerance=1e-14, precision="float64, 2000 random (s̃, λ), λ ≠ 0",
                  justification="the printed H = sgn(λ)√((S_λ−s̃)/(S_λ+s̃)) and 2(S_λ−s̃)/λ "
                                "cancel S_λ − s̃ ≈ λ²/(8s̃), an absolute error ~ε·s̃/|λ| in H; "
                                "(I − H)⁻¹ amplifies rounding by 1/(1 − |H|). Residuals "
                                "(relative to the identity's scale 1 + |RHS|) are divided by "
                                "κ = (1 + s̃/|λ|)/(1 − |H|): ~1e-16 remains, 1e-14 leaves margin; "
                                "a wrong formula gives O(1)/κ ≥ 1e-6 on these samples")
def identities_float64(f):
    s, lam = _random_modes(2000, 44)
    lam[lam == 0] = 0.3
    ids, forms, Hf = _identity_lambdas(f, "numpy")
    res = [np.asarray(r, dtype=float) for r in ids(s, lam)] + \
          [np.asarray(r, dtype=float) for r in forms(s, lam)]
    H = np.asarray(Hf(s, lam), dtype=float)
    kappa = (1.0 + s / np.abs(lam)) / np.maximum(1.0 - np.abs(H), 1e-300)
    scale = [1 + np.abs(np.asarray(_RHS[n](s, lam, np.sqrt(s ** 2 + lam ** 2 / 4))))
             for n, _, _ in _IDENTITIES] + [1.0, 1.0]
    err = max(float(np.max(np.abs(r) / (c * kappa))) for r, c in zip(res, scale))
    bound = float(np.max(np.abs(H)))
    if not bound < 1:
        return Evidence(max_error=float("inf"), detail=f"max |H| = {bound} is not < 1")
    return Evidence(max_error=err, detail=f"{s.size} random (s̃, λ ≠ 0): max residual of the 6 "
                                          f"identities and 2 forms of H, relative to 1 + |RHS| "
                                          f"and divided by κ = (1 + s̃/|λ|)/(1 − |H|); max |H| = "
                                          f"{bound:.6f} < 1")


@identities.check("numeric", tolerance=1e-40, precision="mpmath 50 digits, 60 random (s̃, λ)",
                  justification="the identities and forms of H at 50 digits: cancellation in "
                                "S_λ − s̃ costs ≤ 7 digits for |λ| ≥ 1e-3, s̃ ≤ 5; 1e-40 is "
                                "rounding only")
def identities_50_digits(f):
    ids, forms, Hf = _identity_lambdas(f, "mpmath")
    s, lam = _random_modes(60, 45)
    lam[lam == 0] = 0.7
    worst = mpmath.mpf(0)
    with mpmath.workdps(50):
        for si, li in zip(s, lam):
            sm, lm = mpmath.mpf(si), mpmath.mpf(li)
            vals = list(ids(sm, lm)) + list(forms(sm, lm))
            worst = max([worst] + [abs(v) for v in vals])
            if not abs(Hf(sm, lm)) < 1:
                return Evidence(max_error=float("inf"), detail=f"|H| ≥ 1 at s̃={si}, λ={li}")
        h0 = Hf(mpmath.mpf(1.3), mpmath.mpf(0))
    if h0 != 0:
        return Evidence(max_error=float("inf"), detail=f"H(λ = 0) = {h0} ≠ 0")
    return Evidence(max_error=float(worst), detail="60 random (s̃, λ ≠ 0) at 50 digits; "
                                                   "H(s̃ = 1.3, λ = 0) = 0 exactly")


# --------------------------------------------------------------------------------------------
# the ±λ/2 completion
# --------------------------------------------------------------------------------------------
completion = Claim(
    id="domine2025.lemma4.2.completion",
    title="Unequal dimensions: |N_o − N_i| extra eigenvalues sgn(N_o − N_i)λ/2 on [0; Ũ⊥] or "
          "[Ṽ⊥; 0]",
    source=Source("domine2025", "Lemma 4.2, eqs (8)-(9): λ_⊥ (= Lemma B.3)", "§4, App. B"),
    statement=r"\lambda_\perp=\operatorname{sgn}(N_o-N_i)\tfrac\lambda2I_{|N_o-N_i|},\quad "
              r"F\begin{bmatrix}\tilde V_\perp\\\tilde U_\perp\end{bmatrix}=\begin{bmatrix}"
              r"\tilde V_\perp\\\tilde U_\perp\end{bmatrix}\lambda_\perp",
    assumptions=("Ũ⊥ completes Ũ (Ṽ⊥ = 0) if N_o > N_i; Ṽ⊥ completes Ṽ (Ũ⊥ = 0) if N_i > N_o",),
    depends_on=("domine2025.lemma4.2",),
    formulas={"lambda_perp": lambda_perp},
    notes="+λ/2 on the extra output directions [0; Ũ⊥] when N_o > N_i, −λ/2 on the extra input "
          "directions [Ṽ⊥; 0] when N_i > N_o. In general F[0; Ũ⊥] = [ṼS̃ŨᵀŨ⊥; λ/2 Ũ⊥] = "
          "λ/2[0; Ũ⊥] since ŨᵀŨ⊥ = 0 (and symmetrically for Ṽ⊥).",
)


def _rotation_setting(n_in, n_out, case):
    """One mode plus one perp direction: the 2-D side gets a general orthonormal pair (rational
    parametrisation of the circle by m); returns F, P (eq 8 with the printed formulas), Λ."""
    m = sp.Symbol("m", real=True)
    c, n = (1 - m ** 2) / (1 + m ** 2), 2 * m / (1 + m ** 2)
    one = sp.Matrix([[1]])
    if n_out > n_in:
        V, U, Vp, Up = one, sp.Matrix([c, n]), sp.zeros(1, 1), sp.Matrix([-n, c])
    else:
        V, U, Vp, Up = sp.Matrix([c, n]), one, sp.Matrix([-n, c]), sp.zeros(1, 1)
    s, lam = case.s, case.lam
    S = sp.factor(clear_radicands(s_lambda(s, lam)))
    H = sp.factor(clear_radicands(h_printed(s, lam)))
    Pm = clear_radicands(p_mode(g_printed(H), H)).applyfunc(sp.factor)
    P = assemble_p(V, U, Vp, Up, [[sp.Matrix([[Pm[i, j]]]) for j in range(2)]
                                  for i in range(2)])
    sig = U * s * V.T
    F = sp.Matrix(sp.BlockMatrix([[-lam / 2 * sp.eye(n_in), sig.T],
                                  [sig, lam / 2 * sp.eye(n_out)]]))
    return F, P, S


@completion.check("symbolic", precision="exact (SymPy)",
                  justification="residuals reduced to exactly 0 for positive symbols in each "
                                "sign case of λ and a general orientation m")
def completion_per_case(f):
    d = Derivation("Lemma 4.2: the ±λ/2 completion")
    for n_in, n_out in ((1, 2), (2, 1)):
        for case in mode_cases():
            F, P, S = _rotation_setting(n_in, n_out, case)
            lp = f.lambda_perp(case.lam, n_in, n_out)
            tag = f"N_i={n_in}, N_o={n_out}, {case.label}"
            d.step(sp.Symbol(r"P^{\top}P"), sp.Symbol("I"), f"{tag}: PᵀP = I (3×3)",
                   moves=_EXACT_ROT, residual=P.T * P - sp.eye(3))
            d.step(sp.Symbol("FP"), sp.Symbol(r"P\,\mathrm{diag}(S_\lambda,-S_\lambda,"
                                              r"\lambda_\perp)"),
                   f"{tag}: FP = P diag(S_λ, −S_λ, λ_⊥) with λ_⊥ = {sp.sstr(lp)}",
                   moves=_EXACT_ROT, residual=F * P - P * sp.diag(S, -S, lp))
    return d.evidence()


@completion.check("numeric", tolerance=1e-12, precision="float64 eigvalsh and 50-digit eigsy",
                  justification="the spectrum of the symmetric F from LAPACK (float64, backward "
                                "stable: error ≲ 1e-15‖F‖) and mpmath.eigsy at 50 digits, "
                                "compared as sorted multisets with ±S_λ and the formula's λ_⊥ "
                                "(relative to ‖F‖); also |F[Ṽ⊥; Ũ⊥] − [Ṽ⊥; Ũ⊥]λ_⊥|")
def spectrum_of_f(f):
    worst, where = 0.0, None
    for k, (n_i, n_o) in enumerate(((5, 3), (3, 5), (4, 2), (2, 6), (1, 4), (6, 1))):
        S = task(n_i, n_o, 400 + k)
        for lam in (-3.0, -0.8, 0.5, 2.0):
            es = numerics.task_eigensystem(S, lam)
            lp_exact = f.lambda_perp(sp.Rational(lam), n_i, n_o)
            lp = float(lp_exact)
            F = numerics.f_matrix(S, lam)
            scale = np.linalg.norm(F, 2)
            want = np.sort(np.concatenate([es.S_lambda, -es.S_lambda,
                                           np.full(es.n_perp, lp)]))
            errs = [np.max(np.abs(np.linalg.eigvalsh(F) - want)) / scale]
            Xp = np.vstack([es.V_perp, es.U_perp])
            errs.append(np.max(np.abs(F @ Xp - lp * Xp)) / scale)
            if lam == 2.0:
                with mpmath.workdps(50):
                    E, _ = mpmath.eigsy(mpmath.matrix(_mp_f(S, lam).tolist()))
                    got = sorted(E[i] for i in range(E.rows))
                    Sm = list(np.diag(mp_basis(S, lam).S))
                    lp_mp = mpmath.mpf(str(sp.N(lp_exact, 60)))
                    want_mp = sorted(Sm + [-x for x in Sm] + [lp_mp] * es.n_perp)
                    errs.append(float(max(abs(a - b_) for a, b_ in zip(got, want_mp))) / scale)
            err = float(max(errs))
            if err > worst:
                worst, where = err, {"shape": [n_i, n_o], "lambda": lam}
    return Evidence(max_error=worst, counterexample=where,
                    detail="6 unequal shapes × λ ∈ {−3, −0.8, 0.5, 2}: max |eig(F) − "
                           "{±S_λ, λ_⊥}| and eigen-residual of the completion, relative to "
                           "‖F‖ (50-digit spectrum at λ = 2)")
