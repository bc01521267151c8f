"""Saxe, McClelland & Ganguli (2014), "Exact solutions to the nonlinear dynamics of learning in
deep linear neural networks" (ICLR 2014, arXiv:1312.6120): the mode dynamics of a linear network
with one hidden layer (a "three-layer" network in the paper's count) trained by gradient flow from
a small, balanced, task-aligned initialisation.

Setting: whitened inputs (Σxx = I), the task Σyx = Ũ S̃ Ṽᵀ (compact SVD, s̃_α > 0), time
constant τ (1/learning rate) and

    τ dW1/dt = W2ᵀ(Σyx − W2W1),    τ dW2/dt = (Σyx − W2W1)W1ᵀ,

from W1(0) = R A0 Ṽᵀ, W2(0) = Ũ A0 Rᵀ: R orthogonal and A0 diagonal, so that both layers carry
the same strength a_α on mode α (the network is balanced, W2ᵀW2 = W1W1ᵀ) and s_α(0) = a_α².

* ``saxe2014.modes``: the weights keep that form, W2W1 = Ũ diag(s) Ṽᵀ, and every mode obeys
  τ ds/dt = 2s(s̃ − s) on its own;
* ``saxe2014.sigmoid``: s(t) = s̃ e^{2s̃t/τ} / (e^{2s̃t/τ} − 1 + s̃/s0);
* ``saxe2014.learning-time``: a mode goes from s0 to s_f in t = (τ/2s̃) ln[s_f(s̃ − s0) /
  (s0(s̃ − s_f))]; from s0 = ε to s̃ − ε that is (τ/s̃) ln((s̃ − ε)/ε) ≈ (τ/s̃) ln(s̃/ε).

These are the λ = 0 case of Theorem 5.1 of Dominé et al. (2025), which lazyrich checks as
``domine2025.thm5.1``; its 50-digit implementation (``numerics.mp.aligned_trajectory``) is the
independent high-precision reference here.

Each formula under test is written once with ``numerics.generic`` (exp, log) so that the same
function is differentiated by SymPy, evaluated at 50 digits with mpmath and run in float64.
"""

from __future__ import annotations

import functools
import math

import mpmath
import numpy as np
import sympy as sp
from scipy.integrate import solve_ivp

from lazyrich import Claim, Evidence, Scope, Source, numerics
from lazyrich.derive import Derivation, NCAlgebra, nc_expand, nc_step, rewriter
from lazyrich.numerics import generic as g

PAPER = "saxe2014"
SETTING = ("Σxx = I (whitened inputs)", "one hidden layer of N_h = min(N_i, N_o) units",
           "W1(0) = R A0 Ṽᵀ, W2(0) = Ũ A0 Rᵀ: R orthogonal, A0 diagonal (balanced, "
           "task-aligned)")


def _source(ref: str) -> Source:
    return Source(PAPER, ref, "exact solutions of three-layer dynamics from decoupled "
                              "initial conditions")


# ============================================================================================
# The formulas under test
# ============================================================================================
def mode_rate(s, s_target, tau=1.0):
    """ds/dt of one mode: 2s(s̃ − s)/τ."""
    return 2 * s * (s_target - s) / tau


def trajectory(s_target, s0, t, tau=1.0):
    """s(t) = s̃ e^{2s̃t/τ} / (e^{2s̃t/τ} − 1 + s̃/s0), written as
    s̃ / (1 + (s̃/s0 − 1) e^{−2s̃t/τ}): the same function, which cannot overflow for large t."""
    return s_target / (1 + (s_target / s0 - 1) * g.exp(-2 * s_target * t / tau))


def learning_time(s_target, s0, s_final, tau=1.0):
    """The time a mode takes from s0 to s_final: (τ/2s̃) ln[s_f(s̃ − s0) / (s0(s̃ − s_f))]."""
    return tau / (2 * s_target) * g.log(s_final * (s_target - s0) / (s0 * (s_target - s_final)))


# ============================================================================================
# The reference: gradient flow on the weights (independent of the formulas, so it may be cached)
# ============================================================================================
#: (N_i, N_o, τ, s̃ of each mode, s0/s̃ of each mode): every size different from the others,
#: τ ≠ 1, modes learned from far below their target and one mode that starts above it
CASES = (
    (3, 3, 0.7, (3.0, 1.5, 0.5), (1e-3, 1e-2, 0.05)),
    (5, 3, 2.5, (2.0, 1.2, 0.4), (2e-3, 1.6, 0.02)),
    (3, 5, 1.3, (1.7, 0.9, 0.25), (0.05, 1e-3, 0.3)),
    (4, 2, 0.45, (1.1, 0.6), (1e-4, 0.01)),
)


def _orthogonal(n: int, rng: np.random.Generator) -> np.ndarray:
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


def task(k: int):
    """Σyx of case ``k`` with the prescribed singular values, and its modes (s̃, s0)."""
    n_i, n_o, _, s_t, ratio = CASES[k]
    rng = np.random.default_rng(2014 + k)
    m = len(s_t)
    U = _orthogonal(n_o, rng)[:, :m]
    V = _orthogonal(n_i, rng)[:, :m]
    s_t = np.array(s_t)
    return (U * s_t) @ V.T, s_t, s_t * np.array(ratio)


def times(k: int) -> np.ndarray:
    """Times from 0 past the learning of the slowest mode (t ≈ (τ/s̃) ln(s̃/s0))."""
    _, _, tau, _, _ = CASES[k]
    _, s_t, s0 = task(k)
    t_end = 1.5 * float(np.max(tau / s_t * np.log(np.maximum(s_t / s0, 2.0)))) + 2 * tau
    return np.linspace(0.0, t_end, 25)


@functools.lru_cache(maxsize=None)
def flow_modes(k: int):
    """Gradient flow (DOP853, rtol 1e-12) on the weights of case ``k``: the modes s_α(t) read
    off W2W1(t), and the largest entry of W2W1 outside the task modes (0 if decoupled)."""
    S, s_t, s0 = task(k)
    R = _orthogonal(len(s_t), np.random.default_rng(7 + k))
    W1, W2 = numerics.task_aligned_init(S, s0, 0.0, R=R)
    flow = numerics.gradient_flow(W1, W2, S, times(k), tau=CASES[k][2])
    s, leakage = numerics.task_modes(flow.product(), S)
    return s, leakage


def _relative_error(got, ref, scale) -> float:
    """max |got − ref| / scale, +inf when the formula produced a non-finite value (a formula
    that breaks down is refuted, not an error of the check)."""
    got = np.asarray(got, dtype=float)
    if not np.all(np.isfinite(got)):
        return math.inf
    return float(np.max(np.abs(got - ref)) / scale)


def _worst(errors):
    """(max error, where) over ``(error, where)`` pairs."""
    return max(errors, key=lambda e: e[0])


# ============================================================================================
# saxe2014.modes: decoupled mode dynamics
# ============================================================================================
modes = Claim(
    id="saxe2014.modes",
    title="Balanced task-aligned init: gradient flow decouples into modes with "
          "τ ds/dt = 2s(s̃ − s)",
    source=_source("mode equations, a = b"),
    statement=r"W_2W_1(t)=\tilde U\,\mathrm{diag}(s_\alpha(t))\,\tilde V^\top,\qquad "
              r"\tau\frac{ds_\alpha}{dt}=2s_\alpha(\tilde s_\alpha-s_\alpha)",
    scope="any N_i, N_o with N_h = min(N_i, N_o); W1(0) = R A0 Ṽᵀ, W2(0) = Ũ A0 Rᵀ with R "
          "orthogonal and A0 diagonal (entries of any sign); every mode; t ≥ 0, τ > 0",
    assumptions=SETTING,
    formulas={"mode_rate": mode_rate},
    notes="The paper derives the mode equations τȧ = b(s̃ − a·b), τḃ = a(s̃ − a·b) and, for "
          "a = b, the scalar ODE of s = a·b checked here. With unequal layers (b² − a² = λ ≠ 0) "
          "the mode obeys Dominé et al.'s Theorem 5.1 instead (domine2025.thm5.1).",
)


def _aligned_algebra():
    """Matrix symbols of any size: Ũ (N_o × N_m) and Ṽ (N_i × N_m) with orthonormal columns,
    R orthogonal, A and S̃ diagonal (they commute with each other, not with the rest)."""
    alg = NCAlgebra()
    U = alg.matrix(r"\tilde{U}", shape=("N_o", "N_m"))
    V = alg.matrix(r"\tilde{V}", shape=("N_i", "N_m"))
    R = alg.matrix("R", shape=("N_m", "N_m"))
    A, St = alg.diagonal(r"A \tilde{S}", size="N_m")
    UT, VT, RT = alg.T(U), alg.T(V), alg.T(R)
    rules = rewriter([(UT * U, 1), (VT * V, 1), (RT * R, 1), (R * RT, 1), (St * A, A * St)],
                     name="ŨᵀŨ = ṼᵀṼ = RᵀR = RRᵀ = I, diagonal A, S̃ commute")
    return alg, (U, V, R, A, St), rules


@modes.check("symbolic", precision="exact (SymPy): matrix symbols of any size, then one "
                                   "scalar identity per mode",
             justification="each step reduces to exactly 0 by expansion and the rewrite rules "
                           "of orthonormality and of commuting diagonal matrices, valid at "
                           "every size")
def modes_from_gradient_flow(f):
    """At W1 = R A Ṽᵀ, W2 = Ũ A Rᵀ both velocities are of the same form with the same diagonal
    τȦ = A(S̃ − A²), so that form (with one A(t)) solves gradient flow; by uniqueness it is the
    solution. Products of diagonal matrices act entry by entry: N_m independent modes a_α, and
    s = a² obeys τṡ = 2a·τȧ = 2s(s̃ − s)."""
    alg, (U, V, R, A, St), rules = _aligned_algebra()
    T = alg.T
    W1, W2, Sigma = R * A * T(V), U * A * T(R), U * St * T(V)
    flow = sp.Symbol("flow")                      # premises are shown (display=), not checked
    d = Derivation("saxe2014: gradient flow from a balanced aligned init is N_m independent "
                   "modes")
    d.given(flow, flow, "gradient flow with whitened inputs (Σxx = I)", name="flow",
            display=r"\tau\dot W_1=W_2^\top(\Sigma^{yx}-W_2W_1),\quad "
                    r"\tau\dot W_2=(\Sigma^{yx}-W_2W_1)W_1^\top")
    d.given(flow, flow, "compact SVD of the task (S̃ diagonal, s̃_α > 0)", name="task",
            display=r"\Sigma^{yx}=\tilde U\tilde S\tilde V^\top")
    d.given(flow, flow, "ansatz: R orthogonal, A(t) diagonal, A(0) = A0 (the initialisation)",
            name="ansatz", display=r"W_1=RA\tilde V^\top,\quad W_2=\tilde UAR^\top")
    A_dot = A * St - A ** 3                                       # τȦ = A(S̃ − A²)
    nc_step(d, T(W2) * (Sigma - W2 * W1), R * A_dot * T(V),
            "τẆ1 = R A(S̃ − A²) Ṽᵀ at the ansatz: of the form R Ȧ Ṽᵀ, τȦ = A(S̃ − A²)",
            moves=(nc_expand, rules), alg=alg,
            shown=(sp.Symbol(r"W_2^\top(\Sigma^{yx}-W_2W_1)"), R * A_dot * T(V)))
    nc_step(d, (Sigma - W2 * W1) * T(W1), U * A_dot * T(R),
            "τẆ2 = Ũ A(S̃ − A²) Rᵀ: of the form Ũ Ȧ Rᵀ with the same Ȧ, so one diagonal A(t) "
            "serves both layers", moves=(nc_expand, rules), alg=alg,
            shown=(sp.Symbol(r"(\Sigma^{yx}-W_2W_1)W_1^\top"), U * A_dot * T(R)))
    d.given(flow, flow, "the ansatz solves gradient flow when τȦ = A(S̃ − A²); the flow's "
            "right-hand side is polynomial (locally Lipschitz), so the solution from the "
            "initialisation is unique and is the ansatz: the weights stay aligned and balanced",
            name="unique", display=r"W_1(t)=RA(t)\tilde V^\top,\quad W_2(t)=\tilde UA(t)R^\top")
    nc_step(d, T(W2) * W2, W1 * T(W1), "W2ᵀW2 = W1W1ᵀ (= R A² Rᵀ): the network stays "
            "balanced", moves=(nc_expand, rules), alg=alg)
    nc_step(d, W2 * W1, U * A ** 2 * T(V), "W2W1 = Ũ A² Ṽᵀ: the task's singular vectors, with "
            "singular values s_α = a_α²", moves=(nc_expand, rules), alg=alg)
    d.given(flow, flow, "diagonal matrices multiply entry by entry: mode α evolves on its own",
            name="modes", display=r"\tau\dot a_\alpha=a_\alpha(\tilde s_\alpha-a_\alpha^2)")
    a, s_t, tau = sp.Symbol("a", real=True), sp.Symbol(r"\tilde{s}", positive=True), \
        sp.Symbol("tau", positive=True)
    d.step(2 * a * (a * (s_t - a ** 2)), tau * f.mode_rate(a ** 2, s_t, tau),
           "per mode: τ d(a²)/dt = 2a·τȧ = 2a²(s̃ − a²), which is τ·ds/dt of the formula at "
           "s = a²", moves=(sp.expand, sp.cancel), uses=("modes",),
           display=r"\tau\frac{d(a^2)}{dt}=2a\,\tau\dot a=2s(\tilde s-s)\ \ (s=a^2)")
    return d.evidence(scope=Scope.full(
        "any N_i, N_o, N_m = min(N_i, N_o) (shaped matrix symbols of unspecified size), R "
        "orthogonal, A0 diagonal with entries of any sign, every mode, τ > 0; the matrix flow "
        "is reduced exactly to independent scalar modes"))


@modes.check("numeric", tolerance=1e-9,
             precision="float64: the formula's ODE integrated by DOP853 vs gradient flow on the "
                       "weights (DOP853), both at rtol 1e-12",
             justification="both integrations carry ~1e-12 relative error per unit of growth; "
                           "near the saddle the relative error of a mode is carried, not "
                           "amplified, so ~1e-11 of s̃ is expected (measured ~5e-12); 1e-9 "
                           "leaves margin while a rate off by 1e-8 (or τ ignored, or a factor 2 "
                           "missing) moves the plateau's end by ≥ 1e-8 s̃")
def mode_ode_against_gradient_flow(f):
    """Four cases (sizes (3,3), (5,3), (3,5), (4,2); τ = 0.7, 2.5, 1.3, 0.45; s0/s̃ from 1e-4
    to 1.6): the modes of W2W1 under gradient flow on the weights, compared with the ODE
    ds/dt = mode_rate(s, s̃, τ) integrated on its own. The off-diagonal part of Ũᵀ W2W1 Ṽ
    (the modes must not interact) counts as error too."""
    errors = []
    for k, (n_i, n_o, tau, _, _) in enumerate(CASES):
        _, s_t, s0 = task(k)
        t = times(k)
        ref, leakage = flow_modes(k)
        sol = solve_ivp(lambda _t, s: f.mode_rate(s, s_t, tau), (0.0, t[-1]), s0,
                        method="DOP853", t_eval=t, rtol=1e-12, atol=1e-14 * float(np.min(s0)))
        if not sol.success:
            errors.append((math.inf, {"case": k, "why": sol.message}))
            continue
        err = max(_relative_error(sol.y.T, ref, np.max(s_t)), leakage / np.max(s_t))
        errors.append((err, {"shape": [n_i, n_o], "tau": tau}))
    worst, where = _worst(errors)
    return Evidence(max_error=worst, counterexample=where,
                    detail="4 cases, 2-3 modes each, t up to past the slowest mode's learning: "
                           "max |s_ODE − s_flow| / max s̃ (and the leakage of W2W1 off the task "
                           "modes)")


# ============================================================================================
# saxe2014.sigmoid: the closed-form trajectory
# ============================================================================================
sigmoid = Claim(
    id="saxe2014.sigmoid",
    title="Each mode follows the sigmoid s(t) = s̃e^{2s̃t/τ}/(e^{2s̃t/τ} − 1 + s̃/s0)",
    source=_source("sigmoidal solution"),
    statement=r"s(t)=\frac{\tilde s\,e^{2\tilde st/\tau}}{e^{2\tilde st/\tau}-1+\tilde s/s_0}",
    scope="every mode of saxe2014.modes: s̃ > 0, s0 > 0, t ≥ 0, τ > 0",
    assumptions=SETTING + ("s0 = s(0) > 0 (a mode at 0 stays there)",),
    depends_on=("saxe2014.modes", "domine2025.thm5.1"),
    formulas={"trajectory": trajectory},
    notes="The λ = 0 case of Dominé et al.'s Theorem 5.1 (their eq 17 names it); "
          "numerics.mp.aligned_trajectory with λ = 0 (checked in domine2025.thm5.1) is the "
          "50-digit reference.",
)


@sigmoid.check("symbolic", precision="exact (SymPy)",
               justification="the ODE residual and the initial value reduce to exactly 0 in "
                             "E = e^{2s̃t/τ}; positivity of the denominator is read off a sum of "
                             "non-negative terms")
def closed_form_solves_the_mode_ode(f):
    """With E = e^{2s̃t/τ} (E ≥ 1 for t ≥ 0, τ d/dt = 2s̃E d/dE): the formula is the printed
    quotient, solves τṡ = 2s(s̃ − s), starts at s0 and stays finite and positive; the ODE's
    right-hand side is a polynomial, so this is the only solution."""
    s_t, s0, tau = sp.symbols(r"\tilde{s} s_0 tau", positive=True)
    t, E = sp.Symbol("t", nonnegative=True), sp.Symbol("E", positive=True)
    q = sp.Symbol("q", nonnegative=True)
    s = sp.sympify(f.trajectory(s_t, s0, t, tau)).subs(t, tau * sp.log(E) / (2 * s_t))
    d = Derivation("saxe2014: the sigmoid solves the mode equation")
    d.given(E, sp.exp(2 * s_t * t / tau), "E ≥ 1 for t ≥ 0, and τ d/dt = 2s̃E d/dE", name="E")
    d.step(s, s_t * E / (E - 1 + s_t / s0), "the formula is the printed s̃E/(E − 1 + s̃/s0)",
           moves=(sp.cancel,), display=(sp.Symbol("s(t)"), s_t * E / (E - 1 + s_t / s0)))
    d.step(2 * s_t * E * sp.diff(s, E), 2 * s * (s_t - s), "τṡ = 2s(s̃ − s)", moves=(sp.cancel,),
           uses=("E",), display=r"\tau\dot s=2s(\tilde s-s)")
    d.step(s.subs(E, 1), s0, "s(0) = s0 (t = 0 is E = 1)", moves=(sp.cancel,),
           display=r"s(0)=s_0")
    d.step(s.subs(E, 1 + q), 0, "s > 0 (E = 1 + q, q ≥ 0): finite and positive for all t ≥ 0, "
           "so the solution exists on [0, ∞)", relation=">", moves=(sp.cancel,),
           display=r"s(t)>0\ \ (t\ge0)")
    d.given(sp.Symbol("unique"), sp.Symbol("unique"),
            "the right-hand side is a polynomial in s (locally Lipschitz): the solution from s0 "
            "is unique (Picard–Lindelöf), so the mode of saxe2014.modes is this s(t)",
            display=r"\tau\dot s=2s(\tilde s-s),\ s(0)=s_0\ \text{has one solution}")
    return d.evidence(scope=Scope.full(
        "s̃ > 0, s0 > 0, τ > 0 (positive symbols), every t ≥ 0 (E = e^{2s̃t/τ} ≥ 1); with "
        "saxe2014.modes this is the trajectory of every mode of gradient flow"))


@sigmoid.check("numeric", tolerance=1e-9,
               precision="float64 formula vs gradient flow on the weights (DOP853, rtol 1e-12)",
               justification="the reference carries ~1e-11 of s̃ (modes read off W2W1 exactly "
                             "in the task basis); 1e-9 leaves margin while τ ignored, a factor 2 "
                             "lost or s0 off by 1e-8 move some mode by ≥ 1e-8 s̃")
def against_gradient_flow_on_weights(f):
    """The four cases of saxe2014.modes: every mode of W2W1(t) under gradient flow vs the
    formula, all times at once (t as a column, the modes as a row)."""
    errors = []
    for k, (n_i, n_o, tau, _, _) in enumerate(CASES):
        _, s_t, s0 = task(k)
        ref, leakage = flow_modes(k)
        # every argument but τ as a full (times × modes) array, so that no two can be confused
        args = [np.array(a) for a in np.broadcast_arrays(s_t[None, :], s0[None, :],
                                                         times(k)[:, None])]
        got = f.trajectory(*args, tau)
        err = max(_relative_error(got, ref, np.max(s_t)), leakage / np.max(s_t))
        errors.append((err, {"shape": [n_i, n_o], "tau": tau}))
    worst, where = _worst(errors)
    return Evidence(max_error=worst, counterexample=where,
                    detail="4 cases (τ = 0.7, 2.5, 1.3, 0.45; s0/s̃ from 1e-4 to 1.6), 25 times "
                           "each: max |s_formula − s_flow| / max s̃")


#: (s̃, s0, t, τ): small and large inits, a mode above its target, t from 0 to far past learning
EXTREMES = [(s_t, s0, t, tau)
            for s_t in ("0.5", "3")
            for s0 in ("1e-12", "1e-3", "0.4", "5")
            for t, tau in (("0", "1"), ("1e-8", "0.37"), ("0.3", "4"), ("5", "0.37"),
                           ("60", "2.5"), ("1e4", "1"))]


@functools.lru_cache(maxsize=None)
def reference_50_digits(s_t: str, s0: str, t: str, tau: str):
    """s(t) from Theorem 5.1 at λ = 0 (numerics.mp.aligned_trajectory), 50 digits (cached: it
    does not depend on the formula under test). The decimal strings are read at 50 digits:
    numerics.mp reads its inputs at the caller's precision."""
    with mpmath.workdps(50):
        return numerics.mp.aligned_trajectory(s_t, s0, 0, t, tau, dps=50)


@sigmoid.check("numeric", tolerance=1e-13,
               precision="float64 formula vs Theorem 5.1 at λ = 0, 50 digits",
               justification="a few flops; the only cancellation is 1 + (s̃/s0 − 1)e^{−2s̃t/τ} "
                             "for s0 > s̃, at most a factor s0/s̃ = 10 here: ~1e-15 relative "
                             "expected; 1e-13 allows for it and nothing more")
def float64_against_50_digits(f):
    """48 points: s̃ ∈ {0.5, 3}, s0 ∈ {1e-12, 1e-3, 0.4, 5}, t from 0 to 1e4, τ ∈ {1, 0.37, 4,
    2.5}: the float64 formula (no overflow at large t) vs numerics.mp.aligned_trajectory."""
    errors = []
    for s_t, s0, t, tau in EXTREMES:
        ref = float(reference_50_digits(s_t, s0, t, tau))
        with np.errstate(all="ignore"):
            got = f.trajectory(float(s_t), float(s0), float(t), float(tau))
        errors.append((_relative_error(got, ref, abs(ref)),
                       {"s_target": s_t, "s0": s0, "t": t, "tau": tau}))
    worst, where = _worst(errors)
    return Evidence(max_error=worst, counterexample=where,
                    detail=f"{len(EXTREMES)} points: max relative error of the float64 formula")


@sigmoid.check("numeric", tolerance=1e-40,
               precision="the formula evaluated with mpmath at 50 digits vs Theorem 5.1 at λ = 0",
               justification="both sides at 50 digits: ~1e-49 relative; 1e-40 leaves margin "
                             "and still detects any change of the formula above 1e-40")
def at_50_digits(f):
    """The same 48 points with mpmath input (numerics.generic evaluates the formula in mpmath)."""
    worst, where = mpmath.mpf(0), None
    with mpmath.workdps(50):
        for s_t, s0, t, tau in EXTREMES:
            ref = reference_50_digits(s_t, s0, t, tau)
            got = f.trajectory(*(mpmath.mpf(x) for x in (s_t, s0, t, tau)))
            if not isinstance(got, mpmath.mpf) or not mpmath.isfinite(got):
                return Evidence(max_error=math.inf, detail=f"formula returned {got!r} at "
                                f"s̃ = {s_t}, s0 = {s0}, t = {t}, τ = {tau}")
            err = abs(got - ref) / abs(ref)
            if err > worst:
                worst, where = err, {"s_target": s_t, "s0": s0, "t": t, "tau": tau}
    return Evidence(max_error=float(worst), counterexample=where,
                    detail=f"{len(EXTREMES)} points at 50 digits: max relative error")


# ============================================================================================
# saxe2014.learning-time: the time to learn a mode
# ============================================================================================
learning = Claim(
    id="saxe2014.learning-time",
    title="A mode goes from s0 to s_f in (τ/2s̃) ln[s_f(s̃ − s0)/(s0(s̃ − s_f))]; learning from "
          "ε takes ≈ (τ/s̃) ln(s̃/ε)",
    source=_source("learning time of a mode"),
    statement=r"t(s_0\to s_f)=\frac{\tau}{2\tilde s}\ln\frac{s_f(\tilde s-s_0)}"
              r"{s_0(\tilde s-s_f)},\qquad t(\epsilon\to\tilde s-\epsilon)"
              r"=\frac{\tau}{\tilde s}\ln\frac{\tilde s-\epsilon}{\epsilon}"
              r"\sim\frac{\tau}{\tilde s}\ln\frac{\tilde s}{\epsilon}\ (\epsilon\to0)",
    scope="s̃ > 0, τ > 0; s0 and s_f both in (0, s̃) or both in (s̃, ∞) (s_f reached from s0); "
          "the ε form for 0 < ε < s̃/2",
    assumptions=SETTING,
    depends_on=("saxe2014.sigmoid",),
    formulas={"learning_time": learning_time},
)


@learning.check("symbolic", precision="exact (SymPy)",
                justification="derivative, initial value and the inverse of the sigmoid reduce "
                              "to exactly 0; the limit is SymPy's exact limit")
def learning_time_by_separation_of_variables(f):
    """Between s0 and s_f the rate 2s(s̃ − s)/τ keeps one sign, so s(t) is strictly monotone and
    its inverse t(s) has dt/ds = τ/(2s(s̃ − s)) with t(s0) = 0: the formula satisfies both, and
    the sigmoid reaches s_f exactly at that time. From s0 = ε to s_f = s̃ − ε (s̃ = ε + q):
    t = (τ/s̃) ln((s̃ − ε)/ε), and t ∼ (τ/s̃) ln(s̃/ε) as ε → 0."""
    s_t, s0, s_f, tau = sp.symbols(r"\tilde{s} s_0 s_f tau", positive=True)
    d = Derivation("saxe2014: the learning time of a mode")
    d.given(sp.Symbol("monotone"), sp.Symbol("monotone"),
            "between s0 and s̃ the rate 2s(s̃ − s)/τ has one sign (saxe2014.sigmoid: s stays "
            "positive), so s(t) is strictly monotone and reaches each s_f between s0 and s̃ "
            "exactly once; its inverse t(s) is the time to learn", name="monotone",
            display=r"\tau\dot s=2s(\tilde s-s)\ne0\ \text{between } s_0 \text{ and } "
                    r"\tilde s")
    t_f = sp.sympify(f.learning_time(s_t, s0, s_f, tau))
    d.step(sp.diff(t_f, s_f), tau / (2 * s_f * (s_t - s_f)),
           "dt/ds = 1/ṡ = τ/(2s(s̃ − s)) (separation of variables)", moves=(sp.cancel,),
           uses=("monotone",),
           display=(sp.Symbol(r"\frac{dt}{ds_f}"), tau / (2 * s_f * (s_t - s_f))))
    d.step(sp.sympify(f.learning_time(s_t, s0, s0, tau)), 0, "t(s0) = 0", moves=(sp.cancel,),
           display=r"t(s_0\to s_0)=0")
    E = sp.exp(2 * s_t * t_f / tau)
    d.step(s_t * E / (E - 1 + s_t / s0), s_f, "the sigmoid s̃E/(E − 1 + s̃/s0) at that time is "
           "s_f", moves=(sp.cancel,), display=r"s\big(t(s_0\to s_f)\big)=s_f")
    eps, q = sp.symbols("epsilon q", positive=True)
    t_eps = sp.sympify(f.learning_time(eps + q, eps, q, tau))     # s̃ = ε + q, s_f = s̃ − ε
    d.step(sp.exp(t_eps * (eps + q) / tau), q / eps, "from ε to s̃ − ε: e^{s̃t/τ} = (s̃ − ε)/ε, "
           "i.e. t = (τ/s̃) ln((s̃ − ε)/ε)", moves=(sp.cancel,),
           display=r"t(\epsilon\to\tilde s-\epsilon)=\frac{\tau}{\tilde s}"
                   r"\ln\frac{\tilde s-\epsilon}{\epsilon}")
    d.step(sp.sympify(f.learning_time(s_t, eps, s_t - eps, tau)), tau / s_t * sp.log(s_t / eps),
           "as ε → 0 the time to learn a mode is ∼ (τ/s̃) ln(s̃/ε)", relation="~",
           limit=(eps, 0), display=r"t(\epsilon\to\tilde s-\epsilon)\sim\frac{\tau}{\tilde s}"
                                   r"\ln\frac{\tilde s}{\epsilon}\ \ (\epsilon\to0)")
    return d.evidence(scope=Scope.full(
        "s̃, τ > 0 and s0, s_f > 0 symbols (the identities hold wherever the logarithm is "
        "defined, which includes both sides of s̃); the ε form for every ε > 0 with "
        "s̃ − ε > 0, and its asymptotics as ε → 0"))


@learning.check("numeric", tolerance=1e-9,
                precision="float64: gradient flow on the weights (DOP853, rtol 1e-12) run to "
                          "the formula's times",
                justification="the mode read off W2W1 at the predicted time must be s_f; the "
                              "reference carries ~1e-11 of s̃; at the chosen s_f the modes move "
                              "by ≥ 0.1 s̃ per τ/s̃, so a time off by 1e-8 shifts them by "
                              "≥ 1e-9 s̃")
def reaches_the_target_in_gradient_flow(f):
    """The four cases of saxe2014.modes; for each mode the times to reach s_f = s̃/2 and 0.9s̃
    (from below) or 1.1s̃ (from above); gradient flow on the weights is run to those times and
    the mode compared with s_f."""
    errors = []
    for k, (n_i, n_o, tau, _, _) in enumerate(CASES):
        S, s_t, s0 = task(k)
        below = s0 < s_t
        targets = np.stack([np.where(below, 0.5, 1.2) * s_t, np.where(below, 0.9, 1.1) * s_t])
        with np.errstate(all="ignore"):
            args = [np.array(a) for a in np.broadcast_arrays(s_t, s0, targets)]
            t_f = np.asarray(f.learning_time(*args, tau), dtype=float)
        if not np.all(np.isfinite(t_f)) or np.any(t_f < 0):
            errors.append((math.inf, {"shape": [n_i, n_o], "times": t_f.tolist(),
                                      "why": "not a finite time ≥ 0"}))
            continue
        R = _orthogonal(len(s_t), np.random.default_rng(7 + k))
        W1, W2 = numerics.task_aligned_init(S, s0, 0.0, R=R)
        flow = numerics.gradient_flow(W1, W2, S, t_f.ravel(), tau=tau)
        s, _ = numerics.task_modes(flow.product(), S)
        reached = s.reshape(*t_f.shape, len(s_t))[:, np.arange(len(s_t)), np.arange(len(s_t))]
        errors.append((_relative_error(reached, targets, np.max(s_t)),
                       {"shape": [n_i, n_o], "tau": tau}))
    worst, where = _worst(errors)
    return Evidence(max_error=worst, counterexample=where,
                    detail="4 cases, 2 targets per mode: max |s_flow(t_formula) − s_f| / max s̃")


@learning.check("numeric", tolerance=1e-35,
                precision="the formula with mpmath at 50 digits, substituted into Theorem 5.1 "
                          "at λ = 0 (50 digits)",
                justification="both at 50 digits: the mode at the predicted time equals s_f to "
                              "~1e-48 of s̃; 1e-35 leaves margin and detects a change of the "
                              "formula far below 1e-12")
def at_50_digits_against_theorem_5_1(f):
    """s̃ ∈ {0.5, 3}, s0 ∈ {1e-10, 1e-3, 0.2·s̃, 2·s̃}, targets on the same side of s̃, τ ∈
    {0.37, 2.5}: numerics.mp.aligned_trajectory(s̃, s0, 0, t_formula, τ) must be s_f."""
    worst, where = mpmath.mpf(0), None
    with mpmath.workdps(50):
        for s_t in (mpmath.mpf("0.5"), mpmath.mpf(3)):
            for s0 in (mpmath.mpf("1e-10"), mpmath.mpf("1e-3"), s_t / 5, 2 * s_t):
                for frac, tau in (("0.5", "0.37"), ("0.999", "2.5"), ("1e-2", "2.5")):
                    frac, tau = mpmath.mpf(frac), mpmath.mpf(tau)
                    s_f = s0 + frac * (s_t - s0)
                    t_f = f.learning_time(s_t, s0, s_f, tau)
                    if not isinstance(t_f, mpmath.mpf) or not mpmath.isfinite(t_f) or t_f < 0:
                        return Evidence(max_error=math.inf,
                                        detail=f"formula returned {t_f!r}, not a time ≥ 0, "
                                               f"at s̃ = {s_t}, s0 = {s0}, s_f = {s_f}")
                    s = numerics.mp.aligned_trajectory(s_t, s0, 0, t_f, tau, dps=50)
                    err = abs(s - s_f) / s_t
                    if err > worst:
                        worst, where = err, {"s_target": str(s_t), "s0": mpmath.nstr(s0, 5),
                                             "s_final": mpmath.nstr(s_f, 5), "tau": str(tau)}
    return Evidence(max_error=float(worst), counterexample=where,
                    detail="24 points at 50 digits: max |s(t_formula) − s_f| / s̃")
