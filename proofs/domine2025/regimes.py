"""Section 5 in numbers: which sign of λ makes a network lazy, rich or delayed-rich.

The paper's prose (Sec. 5, Fig. 5, Theorems C.5–C.6) says, for N_h = min(N_i, N_o) (A3):

* funnel (N_i > N_o): lazy as λ → +∞, delayed-rich as λ → −∞;
* inverted funnel (N_o > N_i): the mirror image (lazy as λ → −∞, delayed-rich as λ → +∞);
* square: lazy for both signs; λ → 0 is rich for every architecture;
* for square networks the change of the NTK during training peaks at λ = 0;
* as |λ| → ∞ (lazy sign) the NTK becomes static; in the delayed-rich sign the kernel still
  moves, on the slow time scale |λ|/s̃² (Thm C.6, eq 179).

Each statement becomes a simulation claim with explicit numeric criteria. The formulas the
simulation reads are also checked on their own, quantitatively: ``ntk`` against the Gram matrix
J Jᵀ of the network's Jacobian (built column by column from the bilinear map (W1, W2) ↦ W2W1X,
no Kronecker products) and ``kernel_distance`` against its definition evaluated at 50 digits,
both along the simulated trajectories; the |λ|⁻⁴ law and the slow rate are pinned down beyond
the regime labels (extrapolated local exponents; the rate's leading term). The caches below hold
only what does not depend on the formulas under test (tasks, inits, the closed-form weights).

The simulation is the exact closed form (``numerics.qqt``, Thm 4.3/B.5) evaluated at a grid of
times from λ-balanced random inits of scale σ = 0.3, 5 seeded inits per λ; the
weights (up to the hidden rotation, which the NTK ignores) are read off QQᵀ(t) by its rank-N_h
eigendecomposition and fed to the formula ``ntk`` (eq 5, default ``numerics.ntk``); kernels are
compared with the formula ``kernel_distance`` (App. E.7, default ``numerics.kernel_distance``).

Measured quantities (means over the 5 inits):

* ``d(λ)``: kernel distance between the NTK at t = 0 and at convergence (t = 1e5 τ, where every
  transient, even the slowest delayed-rich one at |λ| = 40, is below e^{-100});
* ``t90(λ)``: first time at which the kernel distance to the initial NTK reaches 90 % of d(λ)
  (log-linear interpolation on a log-spaced grid of 161 times in [1e-3, 1e5]);
* the exponent p of t90 ∝ |λ|^p fitted over |λ| ∈ {10, 20, 40}.

Regime labels (:func:`classify_regime`), thresholds fixed here once for all claims:

* ``lazy``: d < 0.01 (the NTK moves by less than 1 % in kernel distance);
* ``rich``: d > 0.1 and t90 ≤ 5τ (the kernel changes by O(1) on the O(1) time scale of the
  λ = 0 sigmoid, whose slowest mode learns by ln(s̃/s0)/(2s̃) ≈ 1.7τ here);
* ``delayed-rich``: d > 0.1, t90 > 5τ and |p − 1| ≤ 0.2 (the change takes a time ∝ |λ|);
* anything else is ``unclassified`` (which never matches a prediction).
"""

from __future__ import annotations

import functools
import math
import types

import mpmath
import numpy as np
import sympy as sp

from lazyrich import numerics
from lazyrich.numerics import InvalidArgument
from lazyrich.numerics._validate import as_scalar
from lazyrich import Claim, Evidence, Scope, Source
from lazyrich.derive import Derivation

from ._cases import b_matrix, task

#: (N_i, N_h, N_o) of the three architectures of the paper (A3: N_h = min(N_i, N_o)).
ARCHITECTURES = {"funnel": (6, 3, 3), "square": (4, 4, 4), "inverted-funnel": (3, 3, 6)}
#: Init scale σ of Algorithm 1 (small, as in the paper's Fig. 5 /).
SIGMA = 0.3
#: Seeded inits averaged over.
SEEDS = (0, 1, 2, 3, 4)
#: Samples P of the whitened evaluation inputs X (N_i × P) on which the NTK is formed.
N_SAMPLES = 8
#: |λ| at which the two large-|λ| columns of the table are read, and the |λ| of the t90 fit.
LAMBDA_LARGE = 20.0
LAMBDA_FIT = (10.0, 20.0, 40.0)
#: "Convergence": every transient has decayed (slowest rate s̃_min²/|λ| ≥ 0.25/40 at |λ| ≤ 40).
T_CONVERGED = 1e5
#: The log-spaced time grid for t90 (and 0 in front).
TIMES = np.concatenate([[0.0], np.logspace(-3.0, 5.0, 161)])
#: Thresholds of the regime labels (see the module docstring).
LAZY_BELOW = 0.01
RICH_ABOVE = 0.1
RICH_T90 = 5.0
DELAYED_EXPONENT_TOL = 0.2

_SIGNS = {+1: "λ → +∞", -1: "λ → −∞", 0: "λ → 0"}


# --------------------------------------------------------------------------------------------
# the table under test
# --------------------------------------------------------------------------------------------
def predicted_regime(architecture: str, sign: int) -> str:
    """The regime that Sec. 5 / the paper predicts for an architecture and a sign of λ.

    Arguments:
        architecture: "funnel", "square" or "inverted-funnel".
        sign: +1 (λ → +∞), −1 (λ → −∞) or 0 (λ → 0).

    Returns:
        "lazy", "rich" or "delayed-rich".

    Raises:
        InvalidArgument: unknown architecture or sign.
    """
    _check_architecture(architecture)
    _check_sign(sign)
    if sign == 0:
        return "rich"
    if architecture == "square":
        return "lazy"
    # the large layer is square (lazy) when it is the narrow side's layer; the other sign makes
    # the large layer a rank-N_h projector of the wide side that must rotate (delayed rich)
    lazy_sign = +1 if architecture == "funnel" else -1
    return "lazy" if sign == lazy_sign else "delayed-rich"


def _check_architecture(architecture) -> None:
    if architecture not in ARCHITECTURES:
        raise InvalidArgument(f"architecture must be one of {sorted(ARCHITECTURES)}; got "
                              f"{architecture!r}.")


def _check_sign(sign) -> None:
    if isinstance(sign, bool) or sign not in (-1, 0, 1):
        raise InvalidArgument(f"sign must be +1 (λ → +∞), −1 (λ → −∞) or 0 (λ → 0); got "
                              f"{sign!r}.")


# --------------------------------------------------------------------------------------------
# simulation (formula independent parts are cached: several claims reuse them)
# --------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=None)
def _task(architecture: str, seed: int):
    """(Σyx, X): a task with singular values 2.5 … 0.5 and whitened inputs X (N_i × P)."""
    n_i, _, n_o = ARCHITECTURES[architecture]
    sigma_yx = task(n_i, n_o, 500 + seed)
    X, _ = numerics.random_regression_task(n_i, n_o, N_SAMPLES, rng=seed)
    return sigma_yx, X


@functools.lru_cache(maxsize=None)
def _attempt(architecture: str, seed: int) -> int:
    """The first rng attempt whose B (eq 10) is well conditioned at λ = 0 (σ_min/σ_max > 0.05).

    At λ = 0 about half of random square inits have a mode anti-aligned with the task (B
    singular) that never leaves the saddle, which Theorem B.5 excludes; the same attempt (same
    A, B, R of Algorithm 1) is then used for every λ, so the λ-comparisons are paired."""
    n_i, n_h, n_o = ARCHITECTURES[architecture]
    sigma_yx, _ = _task(architecture, seed)
    for attempt in range(100):
        W1, W2 = numerics.lambda_balanced_init(0.0, n_i, n_h, n_o, scale=SIGMA,
                                               rng=1000 * seed + attempt)
        sv = np.linalg.svd(b_matrix(W1, W2, sigma_yx, 0.0), compute_uv=False)
        if sv[-1] > 0.05 * sv[0]:
            return attempt
    raise RuntimeError(f"no generic init for {architecture}, seed {seed}")  # pragma: no cover


@functools.lru_cache(maxsize=None)
def _weights_along(architecture: str, lam: float, seed: int, dense: bool):
    """Weights (W1(t), W2(t)) up to a hidden rotation, at TIMES (dense) or at (0, T_CONVERGED),
    read off the closed form QQᵀ(t) by its top-N_h eigenpairs (Q = V √w, so QQᵀ is reproduced
    exactly and Q equals [W1ᵀ; W2] up to an orthogonal N_h × N_h factor)."""
    n_i, n_h, n_o = ARCHITECTURES[architecture]
    sigma_yx, _ = _task(architecture, seed)
    W1, W2 = numerics.lambda_balanced_init(lam, n_i, n_h, n_o, scale=SIGMA,
                                           rng=1000 * seed + _attempt(architecture, seed))
    t = TIMES if dense else np.array([0.0, T_CONVERGED])
    qq = numerics.qqt(W1, W2, sigma_yx, t)
    w, V = np.linalg.eigh(qq)
    Q = V[..., -n_h:] * np.sqrt(np.maximum(w[..., -n_h:], 0.0))[..., None, :]
    Q[0] = np.vstack([W1.T, W2])          # t = 0: the init itself
    return np.swapaxes(Q[:, :n_i], 1, 2), Q[:, n_i:]


def kernel_distance_curve(architecture: str, lam: float, seed: int, *, dense: bool = True,
                          ntk=numerics.ntk, kernel_distance=numerics.kernel_distance):
    """Kernel distance between the NTK at t = 0 and at each time of the grid.

    Arguments:
        architecture: "funnel", "square" or "inverted-funnel" (shapes in ``ARCHITECTURES``).
        lam: λ of the λ-balanced init (Algorithm 1, scale ``SIGMA``).
        seed: which of the seeded inits (an int >= 0).
        dense: True for the grid ``TIMES`` (161 log-spaced times and 0), False for (0, 1e5).
        ntk: the NTK formula ``ntk(W1, W2, X)`` (eq 5).
        kernel_distance: the kernel distance formula ``kernel_distance(K1, K2)`` (E.7).

    Returns:
        (t, d): the times and the distances S(NTK(0), NTK(t)) (d[0] = 0 for a true distance).

    Raises:
        InvalidArgument: unknown architecture, non-finite λ, negative or non-integer seed.
    """
    _check_architecture(architecture)
    lam = as_scalar("lam", lam)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InvalidArgument(f"seed must be an int >= 0; got {seed!r}.")
    W1, W2 = _weights_along(architecture, lam, int(seed), bool(dense))
    _, X = _task(architecture, int(seed))
    K = np.stack([ntk(a, b, X) for a, b in zip(W1, W2)])
    d = np.array([kernel_distance(K[0], k) for k in K], dtype=float)
    return (TIMES if dense else np.array([0.0, T_CONVERGED])), d


def t90(t, d) -> float:
    """First time at which d(t) reaches 90 % of its final value d[-1] (log-linear interpolation
    between grid points; t[0] = 0 is never interpolated in log).

    Raises:
        InvalidArgument: t and d of different lengths, or fewer than 3 points.
    """
    t, d = np.asarray(t, float), np.asarray(d, float)
    if t.shape != d.shape or t.size < 3:
        raise InvalidArgument(f"t and d must be 1-D of the same length >= 3; got {t.shape}, "
                              f"{d.shape}.")
    target = 0.9 * d[-1]
    k = int(np.argmax(d >= target))
    if k <= 1:
        return float(t[k])
    lo, hi = np.log(t[k - 1]), np.log(t[k])
    frac = (target - d[k - 1]) / (d[k] - d[k - 1]) if d[k] != d[k - 1] else 1.0
    return float(np.exp(lo + frac * (hi - lo)))


def _mean_distance(architecture, lam, f) -> float:
    return float(np.mean([kernel_distance_curve(architecture, lam, s, dense=False, ntk=f.ntk,
                                                kernel_distance=f.kernel_distance)[1][-1]
                          for s in SEEDS]))


def _mean_d_t90(architecture, lam, f) -> tuple[float, float]:
    ds, ts = [], []
    for s in SEEDS:
        t, d = kernel_distance_curve(architecture, lam, s, ntk=f.ntk,
                                     kernel_distance=f.kernel_distance)
        ds.append(d[-1])
        ts.append(t90(t, d))
    return float(np.mean(ds)), float(np.mean(ts))


def classify_regime(d: float, t90_value: float, exponent: float | None) -> str:
    """The regime label from the measured numbers (thresholds in the module docstring).

    Arguments:
        d: mean kernel distance NTK(0) → NTK(∞).
        t90_value: mean time to 90 % of that change (in units of τ).
        exponent: fitted p of t90 ∝ |λ|^p over ``LAMBDA_FIT`` (None at λ = 0).

    Returns:
        "lazy", "rich", "delayed-rich" or "unclassified".
    """
    if not np.isfinite(d):
        return "unclassified"
    if d < LAZY_BELOW:
        return "lazy"
    if d <= RICH_ABOVE:
        return "unclassified"
    if t90_value <= RICH_T90:
        return "rich"
    if exponent is not None and abs(exponent - 1.0) <= DELAYED_EXPONENT_TOL:
        return "delayed-rich"
    return "unclassified"


def _fit_exponent(x, y) -> float:
    return float(np.polyfit(np.log(np.asarray(x, float)), np.log(np.asarray(y, float)), 1)[0])


def observed_regimes(architecture: str, f) -> dict:
    """Simulate one architecture for both signs of λ and λ = 0 and label each sign.

    Arguments:
        architecture: "funnel", "square" or "inverted-funnel".
        f: a namespace with the formulas ``ntk`` and ``kernel_distance``.

    Returns:
        {sign: {"label", "d", "t90", "exponent", "t90_fit"}} for sign in (+1, −1, 0): d and t90
        at λ = sign·LAMBDA_LARGE (0 for sign 0), exponent fitted over sign·LAMBDA_FIT.
    """
    _check_architecture(architecture)
    out = {}
    for sign in (+1, -1):
        fits = [_mean_d_t90(architecture, sign * a, f) for a in LAMBDA_FIT]
        d, t = fits[LAMBDA_FIT.index(LAMBDA_LARGE)]
        ts = [x[1] for x in fits]
        p = _fit_exponent(LAMBDA_FIT, ts) if min(ts) > 0 else float("nan")
        out[sign] = {"label": classify_regime(d, t, p), "d": d, "t90": t, "exponent": p,
                     "t90_fit": ts}
    d0, t0 = _mean_d_t90(architecture, 0.0, f)
    out[0] = {"label": classify_regime(d0, t0, None), "d": d0, "t90": t0, "exponent": None,
              "t90_fit": None}
    return out


# --------------------------------------------------------------------------------------------
# the formulas the simulation reads, checked against independent definitions
# --------------------------------------------------------------------------------------------
#: (architecture, λ, seed, indices into TIMES) at which the formulas are checked: every
#: architecture (N_i, N_h, N_o and P = 8 not all equal), both signs and 0, early and late times.
FORMULA_SAMPLES = tuple((arch, lam, 0, (0, 60, 100, 140, len(TIMES) - 1))
                        for arch in ARCHITECTURES for lam in (-5.0, 0.0, 20.0))


def jacobian_ntk(W1, W2, X) -> np.ndarray:
    """The NTK as the Gram matrix J Jᵀ of the Jacobian of (W1, W2) ↦ vec(W2W1X) (rows (output
    i, sample p), i outer). Column θ of J is the derivative along the unit matrix of parameter
    θ, which for a bilinear map is W2 E X (θ in W1) or E W1 X (θ in W2), exactly."""
    cols = []
    for k in range(W1.size):
        E = np.zeros(W1.shape)
        E.flat[k] = 1.0
        cols.append((W2 @ E @ X).ravel())
    H = W1 @ X
    for k in range(W2.size):
        E = np.zeros(W2.shape)
        E.flat[k] = 1.0
        cols.append((E @ H).ravel())
    J = np.stack(cols, axis=1)
    return J @ J.T


@functools.lru_cache(maxsize=None)
def _reference_ntks():
    """(architecture, λ, t, W1, W2, X, JJᵀ) at the samples: no formula under test involved."""
    out = []
    for arch, lam, seed, idx in FORMULA_SAMPLES:
        W1, W2 = _weights_along(arch, lam, seed, True)
        _, X = _task(arch, seed)
        out.extend((arch, lam, float(TIMES[k]), W1[k], W2[k], X, jacobian_ntk(W1[k], W2[k], X))
                   for k in idx)
    return tuple(out)


@functools.lru_cache(maxsize=None)
def _reference_pairs():
    """(architecture, λ, t, K1, K2, S at 50 digits) for kernel pairs along the trajectories
    (JJᵀ at t = 0 and at a later time; and a later kernel against a shifted, rescaled initial
    one): no formula under test involved."""
    by_run: dict = {}
    for arch, lam, t, W1, W2, X, K in _reference_ntks():
        by_run.setdefault((arch, lam), []).append((t, K))
    out = []
    for (arch, lam), states in by_run.items():
        K0 = states[0][1]
        for t, K in states[2::2]:
            for K1, K2 in ((K0, K), (K, 3.0 * K0 + np.eye(len(K0)))):
                out.append((arch, lam, t, K1, K2, float(_exact_distance(K1, K2))))
    return tuple(out)


def _check_ntk(f) -> Evidence:
    worst, where = 0.0, None
    for arch, lam, t, W1, W2, X, ref in _reference_ntks():
        # JJᵀ is unchanged by a sign flip of W1, W2 or X (the Jacobian's columns change sign)
        for flip, args in (("", (W1, W2, X)), ("−W1", (-W1, W2, X)), ("−W2", (W1, -W2, X)),
                           ("−X", (W1, W2, -X))):
            got = np.asarray(f.ntk(*args), dtype=float)
            err = float(np.max(np.abs(got - ref))) / float(np.max(np.abs(ref))) \
                if got.shape == ref.shape else math.inf
            if not np.isfinite(err):
                err = math.inf
            if err > worst or where is None:
                worst, where = err, {"architecture": arch, "lambda": lam, "t": t,
                                     "sign_flip": flip or None}
    return Evidence(max_error=worst, counterexample=where,
                    detail=f"{len(FORMULA_SAMPLES)} trajectories (3 architectures × λ ∈ {{−5, 0, "
                           f"20}}) × 5 times, each also with W1, W2 or X negated (JJᵀ does not "
                           f"change): max |NTK − JJᵀ| / max |JJᵀ|")


def _exact_distance(K1, K2) -> mpmath.mpf:
    with mpmath.workdps(50):
        a = [mpmath.mpf(float(x)) for x in np.ravel(K1)]
        b = [mpmath.mpf(float(x)) for x in np.ravel(K2)]
        return 1 - mpmath.fdot(a, b) / mpmath.sqrt(mpmath.fdot(a, a) * mpmath.fdot(b, b))


def _check_kernel_distance(f) -> Evidence:
    worst, where = 0.0, None
    pairs = _reference_pairs()
    for arch, lam, t, K1, K2, ref in pairs:
        # the definition is a cosine: symmetric and blind to positive scale factors
        for how, args in (("", (K1, K2)), ("2.5·K1", (2.5 * K1, K2)), ("K2/4", (K1, K2 / 4)),
                          ("swapped", (K2, K1))):
            got = float(f.kernel_distance(*args))
            err = abs(got - ref) / max(ref, 0.02) if np.isfinite(got) else math.inf
            if err > worst or where is None:
                worst, where = err, {"architecture": arch, "lambda": lam, "t": t,
                                     "reference": ref, "variant": how or None}
    return Evidence(max_error=worst, counterexample=where,
                    detail=f"{len(pairs)} kernel pairs along the trajectories (NTK(0) vs NTK(t), "
                           f"and a shifted pair), each also as (2.5K1, K2), (K1, K2/4) and "
                           f"(K2, K1): |formula − 1 + ⟨K1,K2⟩/(‖K1‖‖K2‖)| at 50 digits, "
                           f"relative to max(distance, 0.02)")


_NTK_JUSTIFICATION = ("JJᵀ is formed from the Jacobian's columns (exact derivatives of the "
                      "bilinear map), independent of the Kronecker form; both are float64 sums "
                      "of ≤ 30 products, so they agree to ~1e-15 relative to the largest entry; "
                      "1e-13 leaves margin while a wrong term or factor is O(1)")
_KD_JUSTIFICATION = ("the reference is the definition at 50 digits; float64 rounding of the "
                     "normalised inner product over ≤ 576 entries is ≲ 1e-15 absolute, i.e. "
                     "≲ 5e-14 relative to max(distance, 0.02); 2e-13 leaves margin")

#: Variants of the formulas that are not wrong: the kernel distance is invariant to positive
#: scaling and symmetric, and the NTK depends on W1, W2 and X only through W1ᵀW1, W2W2ᵀ, XᵀX.
_KD_EQUIVALENT = {
    "kernel_distance: K1 → K1/2": "S(cK1, K2) = S(K1, K2) for c > 0: the distance compares "
                                  "directions (cosine), by definition (App. E.7); "
                                  "kernel_distance_is_its_definition also compares (2.5K1, K2) "
                                  "with the reference",
    "kernel_distance: K2 → K2/2": "S(K1, cK2) = S(K1, K2) for c > 0 (cosine of the angle; "
                                  "(K1, K2/4) is compared with the reference)",
    "kernel_distance: K1 ↔ K2": "the distance is symmetric in its two kernels ((K2, K1) is "
                                "compared with the reference)"}
_NTK_EQUIVALENT = {
    "ntk: W1 → −W1": "the NTK depends on W1 only through W1ᵀW1 (eq 5); "
                     "ntk_is_the_jacobian_gram compares NTK(−W1, W2, X) with the same JJᵀ",
    "ntk: W2 → −W2": "the NTK depends on W2 only through W2W2ᵀ (eq 5; NTK(W1, −W2, X) is "
                     "compared with the same JJᵀ)",
    "ntk: X → −X": "the NTK depends on X only through XᵀW1ᵀW1X and XᵀX (eq 5; NTK(W1, W2, −X) "
                   "is compared with the same JJᵀ)"}


def _formula_checks(claim: Claim, *, ntk: bool = True, kernel_distance: bool = True) -> None:
    """Register the checks of ``ntk`` (against JJᵀ) and ``kernel_distance`` (against its
    definition at 50 digits) on ``claim``."""
    if ntk:
        claim.check("numeric", tolerance=1e-13, precision="float64 along the simulated "
                    "trajectories", justification=_NTK_JUSTIFICATION,
                    name="ntk_is_the_jacobian_gram")(_check_ntk)
    if kernel_distance:
        claim.check("numeric", tolerance=2e-13, precision="float64 formula vs the definition "
                    "at 50 digits", justification=_KD_JUSTIFICATION,
                    name="kernel_distance_is_its_definition")(_check_kernel_distance)


# --------------------------------------------------------------------------------------------
# the three architecture claims
# --------------------------------------------------------------------------------------------
_FORMULAS = {"predicted_regime": predicted_regime, "ntk": numerics.ntk,
             "kernel_distance": numerics.kernel_distance}

_CRITERIA = (f"lazy: mean kernel distance NTK(0)→NTK(∞) at |λ| = {LAMBDA_LARGE:g} below "
             f"{LAZY_BELOW}; rich: distance above {RICH_ABOVE} and 90 % of it reached within "
             f"{RICH_T90:g}τ; delayed-rich: distance above {RICH_ABOVE}, reached after "
             f"{RICH_T90:g}τ, with t90 ∝ |λ|^p, |p − 1| ≤ {DELAYED_EXPONENT_TOL} over |λ| ∈ "
             f"{{10, 20, 40}}; 5 seeded λ-balanced inits of scale σ = {SIGMA}")


_SCOPES = {"funnel": "A1–A3 with N_i > N_o = N_h; λ → +∞, λ → −∞ and λ → 0; generic λ-balanced "
                     "inits",
           "inverted-funnel": "A1–A3 with N_o > N_i = N_h; λ → +∞, λ → −∞ and λ → 0; generic "
                              "λ-balanced inits",
           "square": "A1–A3 with N_i = N_h = N_o; λ → ±∞ and λ → 0; generic λ-balanced inits"}


def _architecture_claim(architecture: str, title: str, statement: str) -> Claim:
    n_i, n_h, n_o = ARCHITECTURES[architecture]
    equivalent = {**_KD_EQUIVALENT, **_NTK_EQUIVALENT}
    if architecture == "square":
        equivalent["predicted_regime: sign → −sign"] = (
            "for a square network the table is the same for both signs (lazy as λ → ±∞, rich "
            "at λ = 0), so reading it at −sign is the same function")
    claim = Claim(
        id=f"domine2025.sec5.{architecture}",
        title=title,
        source=Source("domine2025", "Sec. 5 prose and Fig. 5; Thms C.5, C.6", "§5, App. C"),
        statement=statement,
        scope=_SCOPES[architecture],
        equivalent_mutants=equivalent,
        assumptions=("A1: Σxx = I", "A2: λ-balanced init (Algorithm 1, σ = 0.3)",
                     f"A3: N_h = min(N_i, N_o); simulated at (N_i, N_h, N_o) = "
                     f"({n_i}, {n_h}, {n_o})", "generic init (B of eq 10 invertible)"),
        depends_on=("domine2025.thmB.5",),
        formulas=dict(_FORMULAS),
        notes="The paper states the regimes in prose; the thresholds that turn 'lazy', 'rich' "
              "and 'delayed rich' into numbers are this verifier's (module docstring of "
              "proofs/domine2025/regimes.py) and are the same for all three architectures. "
              "The table of the paper (reconstructed from Sec. 5 and the authors' code) is the "
              "formula 'predicted_regime'; the simulation is the exact closed form QQᵀ(t). "
              "The NTK and kernel-distance formulas it reads are checked against their "
              "definitions (JJᵀ; the cosine at 50 digits) along the simulated trajectories. "
              "'predicted_regime' returns a label, which no relative perturbation (1 + δ) "
              "applies to: its detection threshold is not a number; its wrong variants (signs "
              "swapped, every cell lazy, another architecture's row) are refuted.",
    )
    _formula_checks(claim)

    @claim.check("simulation", tolerance=0, precision="float64 closed form (B.5) on a time grid",
                 justification="a regime table is right or wrong: every one of the 3 cells "
                               "(λ → +∞, λ → −∞, λ → 0) must match the label read off the "
                               "simulation. " + _CRITERIA + ". Measured margins are wide: "
                               "lazy distances ~3e-5 (< 1e-2), rich/delayed ≥ 0.15 (> 0.1), "
                               "rich t90 ≤ 0.7τ (≤ 5τ), delayed-rich t90 ≥ 60τ, |p − 1| < 0.01")
    def regime_table_matches_simulation(f):
        obs = observed_regimes(architecture, f)
        wrong, rows = [], []
        for sign in (+1, -1, 0):
            want = f.predicted_regime(architecture, sign)
            o = obs[sign]
            rows.append(f"{_SIGNS[sign]}: predicted {want}, observed {o['label']} "
                        f"(d = {o['d']:.3g}, t90 = {o['t90']:.3g}τ"
                        + (f", p = {o['exponent']:.3f}" if o["exponent"] is not None else "")
                        + ")")
            if want != o["label"]:
                wrong.append(_SIGNS[sign])
        return Evidence(max_error=float(len(wrong)),
                        counterexample={"mismatched": wrong} if wrong else None,
                        detail=f"{architecture} ({n_i}→{n_h}→{n_o}); " + "; ".join(rows)
                               + ". Error = number of mismatched cells.",
                        data={str(k): {kk: vv for kk, vv in v.items()} for k, v in obs.items()})

    return claim


funnel = _architecture_claim(
    "funnel",
    "Funnel (N_i > N_o): lazy as λ → +∞, delayed-rich as λ → −∞, rich as λ → 0",
    r"N_i>N_o=N_h:\ \lambda\to+\infty\Rightarrow\text{lazy},\quad "
    r"\lambda\to-\infty\Rightarrow\text{delayed rich (time}\propto|\lambda|/\tilde s^2),\quad "
    r"\lambda\to0\Rightarrow\text{rich}")

inverted_funnel = _architecture_claim(
    "inverted-funnel",
    "Inverted funnel (N_o > N_i): lazy as λ → −∞, delayed-rich as λ → +∞, rich as λ → 0",
    r"N_o>N_i=N_h:\ \lambda\to-\infty\Rightarrow\text{lazy},\quad "
    r"\lambda\to+\infty\Rightarrow\text{delayed rich (time}\propto|\lambda|/\tilde s^2),\quad "
    r"\lambda\to0\Rightarrow\text{rich}")

square = _architecture_claim(
    "square",
    "Square network: lazy as λ → ±∞, rich as λ → 0",
    r"N_i=N_h=N_o:\ \lambda\to\pm\infty\Rightarrow\text{lazy},\quad "
    r"\lambda\to0\Rightarrow\text{rich}")


# --------------------------------------------------------------------------------------------
# the kernel distance peaks at λ = 0 (square)
# --------------------------------------------------------------------------------------------
PEAK_GRID = (0.0, 0.5, 1.0, 2.0, 5.0, 20.0)

square_peak = Claim(
    id="domine2025.sec5.square-peak",
    title="Square networks: the NTK's total change (kernel distance) peaks at λ = 0",
    source=Source("domine2025", "Sec. 5 prose and Fig. 5 (kernel distance vs λ)", "§5"),
    statement=r"N_i=N_h=N_o:\ S\big(\mathrm{NTK}(0),\mathrm{NTK}(\infty)\big)\text{ is maximal at "
              r"}\lambda=0\text{ and decreases in }|\lambda|",
    scope="A1–A3 with N_i = N_h = N_o; every λ; generic λ-balanced inits",
    assumptions=("A1", "A2: λ-balanced init, σ = 0.3", "A3", "generic init"),
    depends_on=("domine2025.thmB.5",),
    formulas={"ntk": numerics.ntk, "kernel_distance": numerics.kernel_distance},
    equivalent_mutants={**_KD_EQUIVALENT, **_NTK_EQUIVALENT},
    notes="Checked on the grid |λ| ∈ {0, 0.5, 1, 2, 5, 20}, both signs, mean of 5 inits. For "
          "unequal shapes the peak is NOT at 0 (the delayed-rich sign changes the kernel more), "
          "which is why the paper restricts this to square networks. The NTK and kernel-"
          "distance formulas are checked against their definitions along the trajectories.",
)
_formula_checks(square_peak)


@square_peak.check("simulation", tolerance=0, precision="float64 closed form (B.5), t = 1e5",
                   justification="the statement is an ordering: every one of the 10 inequalities "
                                 "d(0) > d(±0.5) > d(±1) > d(±2) > d(±5) > d(±20) (mean of 5 "
                                 "seeded inits) plus d(0) > 0.1 must hold; the measured values "
                                 "(0.159, 0.075, 0.049, 0.026, 0.0039, 3e-5) differ by far more "
                                 "than rounding (1e-15) and the two signs agree to 3 digits, "
                                 "so no slack is needed")
def kernel_distance_peaks_at_zero(f):
    d = {lam: _mean_distance("square", lam, f) for lam in
         sorted({s * a for a in PEAK_GRID for s in (1, -1)})}
    violated = []
    if not d[0.0] > RICH_ABOVE:
        violated.append(f"d(0) = {d[0.0]:.3g} ≤ {RICH_ABOVE}")
    for s in (1, -1):
        for a, b in zip(PEAK_GRID[:-1], PEAK_GRID[1:]):
            if not d[s * a] > d[s * b]:
                violated.append(f"d({s * a:g}) = {d[s * a]:.3g} ≤ d({s * b:g}) = {d[s * b]:.3g}")
    lams = sorted(d)
    return Evidence(max_error=float(len(violated)),
                    counterexample={"violated": violated} if violated else None,
                    detail="square 4→4→4, mean kernel distance NTK(0)→NTK(∞): "
                           + ", ".join(f"λ={lam:g}: {d[lam]:.3g}" for lam in lams)
                           + ". Error = number of violated inequalities (of 11).",
                    data={"lambda": lams, "distance": [d[x] for x in lams]})


# --------------------------------------------------------------------------------------------
# the NTK becomes static as |λ| → ∞ (lazy sign), with the rate |λ|^-4
# --------------------------------------------------------------------------------------------
STATIC_GRID = (20.0, 40.0, 80.0)
#: the lazy (architecture, sign) cells of the table
LAZY_CASES = (("square", +1), ("square", -1), ("funnel", +1), ("inverted-funnel", -1))


def static_decay_exponent() -> float:
    """The predicted p in S(NTK(0), NTK(∞)) ∝ |λ|^{-p} as |λ| → ∞ in the lazy sign: 4.

    Derivation (from C.5 / Thm C.4): in the lazy sign the large layer is square, so
    NTK = |λ|·I ⊗ XᵀX + O(1/|λ|) at every t, and only the O(1/|λ|) part changes during training.
    The kernel distance 1 − cos θ ≈ θ²/2 with θ ≈ ‖ΔK_⊥‖/‖K‖ = O(|λ|⁻¹)/O(|λ|) = O(|λ|⁻²), so
    S = O(|λ|⁻⁴)."""
    return 4.0


static_ntk = Claim(
    id="domine2025.sec5.static-ntk",
    title="Lazy sign: the NTK becomes static as |λ| → ∞, kernel distance ∝ |λ|⁻⁴",
    source=Source("domine2025", "Sec. 5 prose; Thm C.5, eqs (169)-(170)", "§5, App. C"),
    statement=r"S\big(\mathrm{NTK}(0),\mathrm{NTK}(\infty)\big)\to0\ \text{as }|\lambda|\to\infty"
              r"\ (\text{lazy sign}),\quad S=O(|\lambda|^{-4})",
    assumptions=("A1", "A2: λ-balanced init, σ = 0.3", "A3", "lazy sign: square (both), funnel "
                 "(λ > 0), inverted funnel (λ < 0)"),
    scope="A1–A3; the lazy sign of each architecture (square: both; funnel: λ > 0; inverted "
          "funnel: λ < 0); |λ| → ∞; generic λ-balanced inits",
    depends_on=("domine2025.thmB.5", "domine2025.sec5.square"),
    formulas={"ntk": numerics.ntk, "kernel_distance": numerics.kernel_distance,
              "decay_exponent": static_decay_exponent},
    equivalent_mutants={**_KD_EQUIVALENT, **_NTK_EQUIVALENT},
    notes="The paper says the NTK becomes static ('lazy'); the rate |λ|⁻⁴ is this verifier's "
          "derivation from C.5 (NTK = |λ| I⊗XᵀX + O(1/|λ|)), see static_decay_exponent. The "
          "exponent is measured beyond a fit: local exponents between |λ| and 2|λ| up to "
          "|λ| = 1280, extrapolated (Richardson) to |λ| → ∞.",
)
_formula_checks(static_ntk)


@static_ntk.check("simulation", tolerance=0.15, precision="float64 closed form (B.5), t = 1e5",
                  justification="error = max over the 4 lazy cells of max(|p_fit − p|, "
                                "0 if d(20) < 0.01 else 1): p_fit is the least-squares slope of "
                                "log d vs log|λ| over |λ| ∈ {20, 40, 80}; the next term of the "
                                "expansion changes d by a relative O(s̃²/λ²) ≤ 1.6 %, which "
                                "bends the fitted slope by ≈ 0.07 at |λ| = 20 (measured 3.93–3.97"
                                "); 0.15 keeps that margin while an O(|λ|⁻²) law (p = 2) or a "
                                "non-static kernel fails by ≥ 1")
def kernel_distance_decays_like_lambda_power(f):
    p_pred = float(f.decay_exponent())
    worst, rows, data = 0.0, [], {}
    for arch, sign in LAZY_CASES:
        ds = [_mean_distance(arch, sign * a, f) for a in STATIC_GRID]
        p = -_fit_exponent(STATIC_GRID, ds) if min(ds) > 0 else float("inf")
        err = max(abs(p - p_pred), 0.0 if ds[0] < LAZY_BELOW else 1.0)
        if not np.isfinite(err):
            err = float("inf")
        worst = max(worst, err)
        rows.append(f"{arch} {_SIGNS[sign]}: d = " + ", ".join(f"{x:.3g}" for x in ds)
                    + f" → p = {p:.3f}")
        data[f"{arch}{'+' if sign > 0 else '-'}"] = {"abs_lambda": list(STATIC_GRID), "d": ds,
                                                     "p": p}
    return Evidence(max_error=worst,
                    detail=f"mean of 5 inits at |λ| ∈ {{20, 40, 80}}; predicted p = {p_pred:g}; "
                           + "; ".join(rows),
                    data=data)


#: |λ| at which the local exponents are measured (each doubling the previous).
EXPONENT_GRID = (80.0, 160.0, 320.0, 640.0, 1280.0)


def _direction_distance(K1, K2) -> float:
    """1 − cos θ computed as ½‖K1/‖K1‖ − K2/‖K2‖‖² (no cancellation for nearly parallel kernels,
    where 1 − ⟨·,·⟩ loses all digits below ~1e-16)."""
    u1 = K1 / np.linalg.norm(K1)
    u2 = K2 / np.linalg.norm(K2)
    return 0.5 * float(np.sum((u1 - u2) ** 2))


@static_ntk.check("simulation", tolerance=1e-8,
                  precision="float64 closed form (B.5), |λ| = 80 … 1280, t = 1e5",
                  justification="the local exponent p(λ) = log2(S(λ)/S(2λ)) (S the distance "
                                "NTK(0)→NTK(∞), computed without cancellation as ½‖û1 − û2‖²) "
                                "approaches its limit like λ⁻² (4 − p shrinks 4× per doubling: "
                                "6.5e-5 at |λ| = 640); two Richardson steps remove the λ⁻² and "
                                "λ⁻⁴ terms; the residual scatter from rounding (S ≈ 2e-12 at "
                                "|λ| = 1280, relative error ~1e-10) is ≤ 1.2e-9 over the 20 "
                                "(cell, init) pairs; 1e-8 keeps a margin while a wrong exponent "
                                "is off by ≥ 1e-8")
def extrapolated_exponent(f):
    """p_∞ for each lazy cell and each init, against the formula's exponent."""
    p_pred = float(f.decay_exponent())
    worst, rows, data = 0.0, [], {}
    for arch, sign in LAZY_CASES:
        ests = []
        for seed in SEEDS:
            _, X = _task(arch, seed)
            S = []
            for a in EXPONENT_GRID:
                W1, W2 = _weights_along(arch, sign * a, seed, False)
                S.append(_direction_distance(f.ntk(W1[0], W2[0], X), f.ntk(W1[1], W2[1], X)))
            S = np.array(S)
            if not np.all(np.isfinite(S)) or np.any(S <= 0):
                ests.append(math.inf)
                continue
            p = np.log(S[:-1] / S[1:]) / math.log(2.0)
            r1 = (4 * p[1:] - p[:-1]) / 3
            r2 = (16 * r1[1:] - r1[:-1]) / 15
            ests.append(float(r2[-1]))
        err = max(abs(e - p_pred) for e in ests)
        worst = max(worst, err if np.isfinite(err) else math.inf)
        rows.append(f"{arch} {_SIGNS[sign]}: p_∞ ∈ [{min(ests):.10f}, {max(ests):.10f}]")
        data[f"{arch}{'+' if sign > 0 else '-'}"] = ests
    return Evidence(max_error=worst, data={"p_inf": data},
                    detail=f"predicted p = {p_pred:g}; extrapolated local exponents, 5 inits "
                           f"each: " + "; ".join(rows))


# --------------------------------------------------------------------------------------------
# Thm C.6: the delayed-rich slow rate s̃²/|λ|
# --------------------------------------------------------------------------------------------
#: the delayed-rich (architecture, sign) cells of the table
DELAYED_CASES = (("funnel", -1), ("inverted-funnel", +1))


def slow_rate(s_min, lam):
    """Eq (179) (reconstructed): the delayed-rich rate e^{−s̃²t/(|λ|τ)} of the slowest mode,
    i.e. s̃_min²/|λ| (the large-|λ| form of S_λ,min − |λ|/2)."""
    return s_min ** 2 / abs(lam)


def _late_decay_rate(architecture, lam, seed, f) -> float:
    """Fitted exponential rate of ‖NTK(t) − NTK(∞)‖_F / ‖NTK(∞)‖_F over the times where it lies
    in [1e-9, 1e-4] (late enough for the slowest mode to dominate, above float64 rounding)."""
    W1, W2 = _weights_along(architecture, float(lam), seed, True)
    _, X = _task(architecture, seed)
    K = np.stack([f.ntk(a, b, X) for a, b in zip(W1, W2)])
    r = np.linalg.norm(K - K[-1], axis=(1, 2)) / np.linalg.norm(K[-1])
    sel = (r > 1e-9) & (r < 1e-4) & (TIMES > 0)
    if np.count_nonzero(sel) < 3:
        return float("nan")
    return -float(np.polyfit(TIMES[sel], np.log(r[sel]), 1)[0])


delayed_rich_rate = Claim(
    id="domine2025.sec5.delayed-rich-rate",
    title="Delayed rich (Thm C.6): the kernel moves at the slow rate s̃²/|λ|; time ∝ |λ|",
    source=Source("domine2025", "Thm C.6, eqs (178)-(179); Sec. 5 prose", "§5, App. C"),
    statement=r"\lambda_\perp=+\tfrac{|\lambda|}{2}:\ \mathrm{NTK}(t)-\mathrm{NTK}(\infty)"
              r"\propto e^{-\tilde s_{\min}^2t/(|\lambda|\tau)},\quad t_{90}\propto|\lambda|",
    assumptions=("A1", "A2: λ-balanced init, σ = 0.3", "A3", "delayed-rich sign: funnel "
                 "(λ < 0), inverted funnel (λ > 0)"),
    scope="A1–A3; the delayed-rich sign (funnel: λ < 0; inverted funnel: λ > 0); |λ| → ∞ "
          "(the rate as its leading term); generic λ-balanced inits",
    depends_on=("domine2025.thmB.5", "domine2025.sec5.funnel", "domine2025.sec5.inverted-funnel"),
    formulas={"ntk": numerics.ntk, "slow_rate": slow_rate},
    equivalent_mutants={
        **_NTK_EQUIVALENT,
        "slow_rate: lam → −lam": "the rate s̃²/|λ| depends on λ only through |λ| (the two "
                                 "delayed-rich cells have opposite signs; "
                                 "leading_term_of_the_slow_rate derives the same rate for both)",
        "slow_rate: s_min → −s_min": "the rate depends on s̃ only through s̃² (a step of "
                                     "leading_term_of_the_slow_rate)"},
    notes="Exact printed forms of (178)-(179) were not recoverable; the rate "
          "checked is the reconstruction s̃²/|λ| of the slowest mode (s̃_min = 0.5 here): the "
          "leading term, as |λ| → ∞, of the exact slow rate S_λ,min − λ_⊥ = sqrt(s̃² + λ²/4) − "
          "|λ|/2, which the simulated NTK is measured to relax at (to ~1e-8).",
)
_formula_checks(delayed_rich_rate, kernel_distance=False)


@delayed_rich_rate.check("simulation", tolerance=0.03,
                         precision="float64 closed form (B.5) on 161 log-spaced times",
                         justification="relative error |rate_fit / slow_rate − 1|, max over 2 "
                                       "architectures × |λ| ∈ {10, 20, 40} × 5 inits; the exact "
                                       "rate S_λ,min − |λ|/2 differs from s̃²/|λ| by a relative "
                                       "s̃²/λ² ≤ 0.25 %, and the next mode (s̃ = 1.17, rate ≥ 4.5× "
                                       "larger) is below e^{-20} of it in the fitted window; "
                                       "3 % leaves room for the fit, while a missing square or "
                                       "factor 2 is off by ≥ 50 %")
def late_time_rate_is_s2_over_lambda(f):
    worst, rows = 0.0, []
    for arch, sign in DELAYED_CASES:
        n_i, _, n_o = ARCHITECTURES[arch]
        for a in LAMBDA_FIT:
            lam = sign * a
            for seed in SEEDS:
                s_min = float(np.linalg.svd(_task(arch, seed)[0], compute_uv=False)[-1])
                got = _late_decay_rate(arch, lam, seed, f)
                want = float(f.slow_rate(s_min, lam))
                err = abs(got / want - 1.0) if np.isfinite(got) and want > 0 else float("inf")
                worst = max(worst, err)
            rows.append(f"{arch} λ={lam:g}: rate {got:.5g} vs s̃²/|λ| = {want:.5g}")
    return Evidence(max_error=worst,
                    detail="fitted decay rate of ‖NTK(t) − NTK(∞)‖ (relative ∈ [1e-9, 1e-4]) vs "
                           "the formula; last seed of each: " + "; ".join(rows))


@delayed_rich_rate.check("simulation", tolerance=0.2,
                         precision="float64 closed form (B.5) on 161 log-spaced times",
                         justification="|p − 1| for t90 ∝ |λ|^p fitted over |λ| ∈ {10, 20, 40} "
                                       "(mean of 5 inits): with rate s̃²/|λ| the 90 % time is "
                                       "∝ |λ| up to O(s̃²/λ²) corrections and the grid "
                                       "interpolation (grid ratio 1.12, < 0.03 in p); 0.2 is the "
                                       "same threshold as the delayed-rich label, while a "
                                       "kernel change on the O(1) scale gives p ≈ 0")
def time_to_90_percent_scales_with_lambda(f):
    worst, rows = 0.0, []
    g = types.SimpleNamespace(ntk=f.ntk, kernel_distance=numerics.kernel_distance)
    for arch, sign in DELAYED_CASES:
        ts = [_mean_d_t90(arch, sign * a, g)[1] for a in LAMBDA_FIT]
        p = _fit_exponent(LAMBDA_FIT, ts) if min(ts) > 0 else float("nan")
        err = abs(p - 1.0) if np.isfinite(p) else float("inf")
        worst = max(worst, err)
        rows.append(f"{arch} {_SIGNS[sign]}: t90 = " + ", ".join(f"{x:.4g}" for x in ts)
                    + f" at |λ| = 10, 20, 40 → p = {p:.3f}")
    return Evidence(max_error=worst, detail="; ".join(rows))


@delayed_rich_rate.check("symbolic", precision="exact (SymPy: identity, limits, series)",
                         justification="the formula equals the leading term of the exact slow "
                                       "rate as |λ| → ∞ (residual 0), for both signs of λ")
def leading_term_of_the_slow_rate(f):
    d = Derivation("The delayed-rich rate as |λ| → ∞",
                   scope=Scope.partial(
                       "the rate: S_λ,min − λ_⊥ with λ_⊥ = +|λ|/2 equals s̃²/|λ|·(1 + O(s̃²/λ²)) "
                       "as |λ| → ∞, both signs of λ, any s̃ > 0",
                       missing="that the NTK relaxes at S_λ,min − λ_⊥ (Thm C.6's reading of "
                               "Thm B.5) and t90 ∝ |λ|: simulation evidence (rate measured to "
                               "~1e-8 relative, exponent of t90 within 0.2)"))
    s_, mu = sp.Symbol("stilde", positive=True), sp.Symbol("mu", positive=True)
    exact = sp.sqrt(s_**2 + mu**2 / 4) - mu / 2                # S_λ − |λ|/2 at |λ| = μ
    d.given(sp.Symbol("rate"), sp.Symbol(r"S_{\lambda,\min}-\lambda_\perp"),
            "Thm C.6: the slow factor e^{−(S_λ − λ_⊥)t/τ} with λ_⊥ = +|λ|/2 in the delayed-rich "
            "sign (Lemma 4.2's extra eigenvalue)")
    d.step(exact * (sp.sqrt(s_**2 + mu**2 / 4) + mu / 2), s_**2,
           "(S_λ − |λ|/2)(S_λ + |λ|/2) = s̃²", moves=(sp.expand,))
    d.step(sp.limit(exact * mu, mu, sp.oo), s_**2, "|λ|(S_λ − |λ|/2) → s̃² (sympy.limit)",
           moves=(sp.expand,))
    series = sp.series(exact, mu, sp.oo, n=4).removeO()
    d.step(series, s_**2 / mu - s_**4 / mu**3, "S_λ − |λ|/2 = s̃²/|λ| − s̃⁴/|λ|³ + O(|λ|⁻⁵)",
           moves=(sp.expand,))
    for lam, sign in ((mu, "λ > 0 (inverted funnel)"), (-mu, "λ < 0 (funnel)")):
        d.step(f.slow_rate(s_, lam), s_**2 / mu, f"{sign}: the formula is the leading term "
                                                 f"s̃²/|λ|", moves=(sp.expand, sp.cancel))
    d.step(f.slow_rate(-s_, mu), f.slow_rate(s_, mu), "the rate sees s̃ only as s̃² (S_λ = "
           "√(s̃² + λ²/4)): the formula is even in s̃", moves=(sp.expand, sp.cancel))
    return d.evidence()


@delayed_rich_rate.check("numeric", tolerance=1e-11, precision="mpmath 50 digits",
                         justification="the formula is the exact rate S_λ − |λ|/2 up to a "
                                       "relative s̃²/λ² ≤ 3e-12 at |λ| ≥ 1e6 (s̃ ≤ 1.7); "
                                       "1e-11 bounds that, so a perturbed formula shows")
def leading_term_at_50_digits(f):
    worst = mpmath.mpf(0)
    with mpmath.workdps(50):
        for st in ("0.5", "1.7"):
            sv = mpmath.mpf(st)
            for lam in ("1e6", "-1e6", "1e9", "-3e12"):
                lm = mpmath.mpf(lam)
                exact = mpmath.sqrt(sv**2 + lm**2 / 4) - abs(lm) / 2
                worst = max(worst, abs(f.slow_rate(sv, lm) / exact - 1))
    return Evidence(max_error=float(worst), detail=f"s̃ ∈ {{0.5, 1.7}}, λ ∈ {{±1e6, 1e9, −3e12}}: "
                                                   f"max |formula/exact − 1| = "
                                                   f"{mpmath.nstr(worst, 3)}")


@delayed_rich_rate.check("simulation", tolerance=1e-7,
                         precision="float64 closed form (B.5) on 161 log-spaced times",
                         justification="the fitted late-time decay rate of ‖NTK(t) − NTK(∞)‖ "
                                       "must equal the exact slow rate S_λ,min − |λ|/2 of Thm C.6 "
                                       "(the premise of the derivation) at every |λ| ∈ {10, 20, "
                                       "40}: measured agreement ≤ 1.3e-8 relative (fit of ≥ 3 "
                                       "points where the deviation lies in [1e-9, 1e-4], the next "
                                       "mode below e^{-20}); 1e-7 margin, while s̃²/|λ| itself "
                                       "differs by 1.6e-4 … 2.5e-3 here")
def relaxes_at_the_exact_slow_rate(f):
    worst, rows = 0.0, []
    for arch, sign in DELAYED_CASES:
        for a in LAMBDA_FIT:
            lam = sign * a
            errs = []
            for seed in SEEDS:
                s_min = float(np.linalg.svd(_task(arch, seed)[0], compute_uv=False)[-1])
                got = _late_decay_rate(arch, lam, seed, f)
                exact = math.sqrt(s_min**2 + lam**2 / 4) - abs(lam) / 2
                errs.append(abs(got / exact - 1.0) if np.isfinite(got) else math.inf)
            worst = max(worst, max(errs))
            rows.append(f"{arch} λ={lam:g}: {max(errs):.1e}")
    return Evidence(max_error=worst, detail="max over 5 inits of |fitted rate/(S_λ,min − |λ|/2) "
                                            "− 1|: " + "; ".join(rows))
