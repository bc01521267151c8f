"""Theorem 5.1 / C.1 (eqs 16, 17, 115–117, 183): aligned singular-value dynamics.

float64 (numerics._aligned, a factored e^{-x} form) is compared against
  * numerics.mp._aligned: the spec's cosh/sinh closed form evaluated literally at 50 digits with
    automatic guard digits (self-checked by re-evaluating at doubled guard), and
  * numerics.mp._aligned.ode_trajectory: mpmath.odefun Taylor integration of the scalar ODE.

Error metric.  The float64 inputs are taken as exact by the references.  The float64 code must
round x = 2 S_λ t/τ, which perturbs e^{-x} by a relative ~x·2^-53: that is the conditioning of
s(t) with respect to t, not an error of the formula, so the tolerance on the relative error is
TOL_REL_BASE + EPS·x (x ≤ 1000 in the grid, i.e. ≤ 1.3e-13).  Near a zero crossing of a reversed
mode (s0 < 0 < s̃, λ ≠ 0) the relative error is unbounded for any algorithm working from a
rounded x; there we additionally allow EPS·t·|ds/dt| (the error caused by one rounding of t).
"""

from __future__ import annotations

import itertools
import warnings

import mpmath
import numpy as np
import pytest

import lazyrich.numerics.mp._aligned as mpal
from lazyrich.numerics._aligned import (aligned_trajectory, exponential_limit, sigmoid_limit,
                               transition_function)
from lazyrich._errors import InvalidArgument

EPS = np.finfo(float).eps  # 2.2e-16
#: base relative tolerance: ~40 roundings of a handful of sums/products of positive terms; the
#: measured worst case on the grid is ~2e-15 (printed by the tests).
TOL_REL_BASE = 1e-14
#: values whose reference magnitude is below this may legitimately be denormal / 0 in float64
UNDERFLOW = 1e-300

LAMS = [0.0, 1e-12, -1e-12, 1e-6, -1e-6, 0.3, -0.3, 5.0, -5.0, 1e3, -1e3]
TS = [0.0, 1e-8, 0.1, 1.0, 10.0, 500.0]
S0S = [0.0, -0.5, 1e-6, 0.3, 2.5]
STS = [0.5, 1.0, 3.0]


def _f(v) -> float:
    return float(v)


def _rel_errors(fast, ref_s, st, s0, lam, t, tau):
    """Relative errors and the allowed bounds, elementwise (see module docstring)."""
    fast = np.asarray(fast, dtype=float)
    ref = np.array([_f(v) for v in np.ravel(ref_s)]).reshape(fast.shape)
    st, s0, lam, t, tau = np.broadcast_arrays(*(np.asarray(a, float) for a in (st, s0, lam, t,
                                                                               tau)))
    S = np.hypot(st, 0.5 * lam)
    x = 2 * S * t / tau
    sdot = np.sqrt(lam ** 2 + 4 * ref ** 2) * (st - ref) / tau
    tiny = np.abs(ref) < UNDERFLOW
    err = np.abs(fast - ref)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(tiny, np.where(np.abs(fast) < 1e-290, 0.0, np.inf), err / np.abs(ref))
    allowed_abs = (TOL_REL_BASE + EPS * x) * np.abs(ref)
    crossing = (s0 * st < 0) & (lam != 0)
    allowed_abs = allowed_abs + np.where(crossing, 4 * EPS * t * np.abs(sdot), 0.0)
    ok = tiny & (np.abs(fast) < 1e-290) | (err <= allowed_abs)
    return rel, ok


@pytest.fixture(scope="module")
def grid():
    pts = np.array(list(itertools.product(LAMS, TS, S0S, STS)))
    lam, t, s0, st = pts.T
    ref_s = mpal.aligned_trajectory(st, s0, lam, t, 1.0, dps=50)
    ref_g = mpal.transition_function(st, s0, lam, t, 1.0, dps=50)
    return dict(lam=lam, t=t, s0=s0, st=st, ref_s=ref_s, ref_g=ref_g)


def _regime(lam, s0):
    a = abs(lam)
    mag = ("lam=0" if a == 0 else "|lam|<=1e-6" if a <= 1e-6 else "|lam| in {0.3,5}"
           if a <= 5 else "|lam|=1e3")
    return f"{mag:16s} {'s0<0' if s0 < 0 else 's0>=0'}"


def test_grid_float64_vs_mp_closed_form(grid):
    g = grid
    with np.errstate(all="raise"):
        s = aligned_trajectory(g["st"], g["s0"], g["lam"], g["t"])
        gam = transition_function(g["st"], g["s0"], g["lam"], g["t"])
    rel_s, ok_s = _rel_errors(s, g["ref_s"], g["st"], g["s0"], g["lam"], g["t"], 1.0)
    ref_g = np.array([_f(v) for v in g["ref_g"]])
    rel_g = np.abs(gam - ref_g) / np.where(ref_g == 0, 1.0, np.abs(ref_g))
    rel_g[(ref_g == 0) & (gam == 0)] = 0.0
    table = {}
    for i in range(len(s)):
        k = _regime(g["lam"][i], g["s0"][i])
        a, b = table.get(k, (0.0, 0.0))
        table[k] = (max(a, rel_s[i]), max(b, rel_g[i]))
    print("\nmax relative error vs 50-digit closed form (grid of", len(s), "points):")
    print(f"{'regime':24s} {'s(t)':>10s} {'gamma':>10s}")
    for k in sorted(table):
        print(f"{k:24s} {table[k][0]:10.2e} {table[k][1]:10.2e}")
    bad = np.flatnonzero(~ok_s)
    assert bad.size == 0, [(g["st"][i], g["s0"][i], g["lam"][i], g["t"][i], s[i],
                            _f(g["ref_s"][i])) for i in bad[:5]]
    # γ is a ratio of sums of positive terms: no conditioning issue except through x
    x = 2 * np.hypot(g["st"], g["lam"] / 2) * g["t"]
    assert np.all(rel_g <= TOL_REL_BASE + EPS * np.minimum(x, 1e3)), rel_g.max()
    # the grid's values that must be tiny but representable are right (eq 183 at t = 500)
    i = np.flatnonzero((g["lam"] == 0) & (g["t"] == 500) & (g["s0"] == -0.5) & (g["st"] == 0.5))
    assert s[i][0] != 0 and rel_s[i][0] <= 1e-13


def test_extremes_and_random_vs_mp():
    rng = np.random.default_rng(7)
    cases = []
    for lam, t, s0 in itertools.product([1e-200, 1e-100, 1e-30], [1, 100, 400, 700, 3000],
                                        [-0.5, 0.0, 0.3]):
        cases.append((1.0, s0, lam, t, 1.0))                     # escape from the saddle
    for sc in [1e-150, 1e100]:                                    # homogeneity s->cs, t->t/c
        for lam, t, s0, st in itertools.product([0, 1e-6, 0.3, 5], [0.1, 10], [-0.5, 0.3, 0],
                                                [0.5, 3]):
            cases.append((st * sc, s0 * sc, lam * sc, t / sc, 1.0))
    for st, lam, t, s0 in itertools.product([0.0, -1.0, -3.0], [0, 1e-6, 0.3, 5],
                                            [0, 0.1, 10, 500], [-0.5, 0.0, 0.3, 2.5]):
        cases.append((st, s0, lam, t, 1.0))                       # s̃ = 0 and s̃ < 0
    for s, lam, t in itertools.product([0.5, 3.0], [0, 1e-6, 5], [0.1, 10, 500]):
        cases.append((s, s, lam, t, 1.0))                         # s̃ = s0
    # denormal x = 2 S_λ t/τ with a representable γ (t = 1e-300, huge s0/S_λ)
    cases += [(0.0, 1e150, -1e-12, 1e-300, 1.0), (3.0, 2.0, 1e-6, 1e-260, 1.0),
              (1e-150, -0.5, 1e-150, 1e-280, 1.0), (1.0, -1e100, 0.5, 1e-120, 1.0)]
    for _ in range(150):
        cases.append((float(np.exp(rng.uniform(-5, 3)) * rng.choice([-1, 1])),
                      float(rng.normal() * np.exp(rng.uniform(-5, 3))),
                      float(np.exp(rng.uniform(-30, 8)) * rng.choice([-1, 1, 0])),
                      float(np.exp(rng.uniform(-10, 6))), float(np.exp(rng.uniform(-2, 2)))))
    st, s0, lam, t, tau = (np.array(c) for c in zip(*cases))
    with np.errstate(all="raise"):
        s = aligned_trajectory(st, s0, lam, t, tau)
        gam = transition_function(st, s0, lam, t, tau)
    ref_s = mpal.aligned_trajectory(st, s0, lam, t, tau, dps=40)
    ref_g = np.array([_f(v) for v in mpal.transition_function(st, s0, lam, t, tau, dps=40)])
    rel, ok = _rel_errors(s, ref_s, st, s0, lam, t, tau)
    x = np.minimum(2 * np.hypot(st, lam / 2) * t / tau, 1e4)
    relg = np.abs(gam - ref_g) / np.where(ref_g == 0, 1.0, np.abs(ref_g))
    print(f"\nextremes/random ({len(cases)} pts): max rel err s = {rel[np.isfinite(rel)].max():.2e}"
          f", gamma = {relg.max():.2e}")
    assert ok.all(), [cases[i] for i in np.flatnonzero(~ok)[:5]]
    # log-space branch (tiny λ, huge t): ~|ln|·eps extra, covered by EPS·x
    assert np.all(relg <= TOL_REL_BASE + EPS * x)


def test_mp_closed_form_vs_mp_ode():
    cases = [(1, 0.3, 0.0, 5.0), (1, -0.5, 0.3, 3.0), (3, 2.5, -5, 1.0), (0.5, 1e-6, 1e-6, 10.0),
             (1, -0.5, 0.0, 10.0), (0.0, 0.7, 1.5, 4.0), (-1, 0.5, 2, 2.0), (1, 0.0, 0.3, 6.0)]
    worst = 0.0
    for st, s0, lam, t in cases:
        a = mpal.aligned_trajectory(st, s0, lam, t, 1.0, dps=40)
        o = mpal.ode_trajectory(st, s0, lam, t, 1.0, dps=30)
        worst = max(worst, float(abs(a - o) / abs(a)))
    print(f"\nmp closed form vs mp ODE (dps 30): max rel diff {worst:.2e}")
    assert worst <= 1e-20  # odefun at 30 digits: ≥ 25 correct digits expected


def test_float_vs_ode_with_tau():
    # formula-free check of the float code with τ ≠ 1 (rescales time only)
    for st, s0, lam, t, tau in [(1.5, -0.2, 0.7, 3.0, 2.5), (0.8, 1.9, -2.0, 0.4, 0.3)]:
        o = _f(mpal.ode_trajectory(st, s0, lam, t, tau, dps=25))
        assert abs(aligned_trajectory(st, s0, lam, t, tau) - o) <= 1e-14 * abs(o)


def test_lambda_to_zero_continuity():
    t = np.array([0.0, 1e-8, 0.1, 1.0, 10.0, 500.0])
    for st, s0 in itertools.product(STS, [1e-6, 0.3, 2.5]):
        a = aligned_trajectory(st, s0, 1e-12, t)
        b = aligned_trajectory(st, s0, 0.0, t)
        # difference is O(λ²/s0²) ≤ 1e-12 for s0 ≥ 1e-6, plus rounding
        assert np.all(np.abs(a - b) <= 2e-12 * np.abs(b)), (st, s0, np.abs(a - b) / b)
    # s0 ≤ 0: uniform only before the escape (λ ≠ 0 leaves the saddle at t ~ ln(1/λ)/(2s̃))
    for st, s0 in itertools.product(STS, [0.0, -0.5]):
        a = aligned_trajectory(st, s0, 1e-12, t[:4])
        b = aligned_trajectory(st, s0, 0.0, t[:4])
        # before the escape |s_λ − s_0| ≲ (λ/2) e^{2 s̃ t} (linearisation about the saddle)
        bound = 1e-12 * np.exp(2 * st * t[:4]) + 1e-15 * np.abs(b)
        assert np.all(np.abs(a - b) <= bound), (st, s0, np.abs(a - b))
    # and λ → 0 is continuous for γ too
    g1 = transition_function(1.0, 0.3, 1e-12, t)
    g0 = transition_function(1.0, 0.3, 0.0, t)
    assert np.all(np.abs(g1 - g0) <= 1e-12 * np.abs(g0))


def test_special_values():
    t = np.array([0.0, 0.5, 2.0, 50.0])
    # s(0) = s0, γ(0) = 0
    for st, s0, lam in itertools.product([-1.0, 0.0, 2.0], [-0.5, 0.0, 1.3], [0.0, 1e-7, 3.0]):
        assert aligned_trajectory(st, s0, lam, 0.0) == s0
        assert transition_function(st, s0, lam, 0.0) == 0.0
    # λ = 0, s0 = 0: the saddle is a fixed point; λ ≠ 0 escapes to s̃
    assert np.all(aligned_trajectory(1.0, 0.0, 0.0, t) == 0.0)
    assert aligned_trajectory(1.0, 0.0, 1e-3, 50.0) == pytest.approx(1.0, rel=1e-14)
    # λ = 0 reversed: eq 183, to the saddle and not beyond
    s = aligned_trajectory(1.0, -0.5, 0.0, t)
    e = np.exp(-2 * t)
    assert np.allclose(s, -0.5 * e / (1 + 0.5 * (1 - e)), rtol=1e-15, atol=0)
    # λ ≠ 0 reversed: converges to s̃
    assert aligned_trajectory(1.0, -0.5, 0.3, 60.0) == pytest.approx(1.0, rel=1e-15)
    # s̃ = λ = 0: s0/(1 + 2|s0|t)
    assert np.allclose(aligned_trajectory(0.0, -0.7, 0.0, t), -0.7 / (1 + 1.4 * t), rtol=1e-15)
    # s̃ = s0: γ = 1 − e^{−2 S_λ t}
    S = np.hypot(0.8, 0.5 / 2)
    assert np.allclose(transition_function(0.8, 0.8, 0.5, t), -np.expm1(-2 * S * t), rtol=1e-15)
    assert np.allclose(aligned_trajectory(0.8, 0.8, 0.5, t), 0.8, rtol=1e-15)
    # odd symmetry (s, s̃) → (−s, −s̃), and λ → −λ
    for st, s0, lam in [(1.0, 0.3, 0.4), (2.0, -1.0, 0.0), (0.0, 0.4, 2.0)]:
        assert np.array_equal(aligned_trajectory(-st, -s0, lam, t),
                              -aligned_trajectory(st, s0, lam, t))
        assert np.array_equal(aligned_trajectory(st, s0, -lam, t),
                              aligned_trajectory(st, s0, lam, t))
    # huge |λ| t: no overflow, converged
    with np.errstate(all="raise"):
        assert aligned_trajectory(1.0, -0.5, 1e3, 500.0) == pytest.approx(1.0, rel=4 * EPS)
        assert aligned_trajectory(1.0, 2.5, 1e300, 1e300) == 1.0
        assert transition_function(1.0, 2.5, 1e300, 1e300) == 1.0


def test_gamma_monotone_and_symmetric_in_lambda():
    t = np.linspace(0, 30, 3001)
    with np.errstate(all="raise"):
        for st, s0, lam in itertools.product([0.5, 3.0], [-0.5, 0.0, 1e-6, 0.3, 2.5],
                                             [0.0, 1e-6, 0.3, 5.0]):
            g = transition_function(st, s0, lam, t)
            assert g[0] == 0.0 and np.all((g >= 0) & (g <= 1))
            assert np.all(np.diff(g) >= -4 * EPS * g[1:]), (st, s0, lam)
            assert np.array_equal(g, transition_function(st, s0, -lam, t))
            if lam >= 0.3 or s0 > 1e-3:                  # others escape the saddle later
                assert g[-1] == pytest.approx(1.0, abs=1e-12)


def test_limits_eq17():
    t = np.linspace(0, 10, 201)
    for st, s0 in [(1.0, 0.3), (3.0, 2.5), (0.5, 0.05)]:
        # λ = 0 is exactly the Saxe sigmoid; λ → 0 converges like λ²
        assert np.allclose(transition_function(st, s0, 0.0, t), sigmoid_limit(st, s0, t),
                           rtol=1e-14, atol=0)
        d = np.max(np.abs(transition_function(st, s0, 1e-3, t) - sigmoid_limit(st, s0, t)))
        d2 = np.max(np.abs(transition_function(st, s0, 1e-4, t) - sigmoid_limit(st, s0, t)))
        assert d < 1e-3 and d2 < 2e-2 * d                        # O(λ²): ratio 1e-2
    # reversed modes: sigmoid_limit returns the true λ → 0 limit (eq 183), not the printed form
    assert np.allclose(transition_function(1.0, -0.5, 0.0, t), sigmoid_limit(1.0, -0.5, t),
                       rtol=1e-14, atol=0)
    # printed eq 17 literally for s0 < 0 has a pole at E = 1 + s̃/|s0| = 3: it is not the limit
    E = np.exp(2 * t)
    with np.errstate(divide="ignore"):
        printed = (E - 1) / (E - 1 + 1.0 / -0.5)
    assert np.nanmax(np.abs(printed - sigmoid_limit(1.0, -0.5, t))) > 1.0
    # |λ| → ∞ at fixed rescaled time u = |λ| t: error O(1/λ²)
    u = np.linspace(0, 20, 401)
    errs = {}
    for lam in [1e2, -1e2, 1e4, -1e4]:
        errs[lam] = np.max(np.abs(transition_function(1.0, 0.4, lam, u / abs(lam))
                                  - exponential_limit(lam, u / abs(lam))))
    print(f"\n|lam|->inf: max_u |gamma - (1 - e^-u)| = {errs[1e2]:.2e} (|lam|=1e2), "
          f"{errs[1e4]:.2e} (|lam|=1e4)")
    assert errs[1e2] < 2e-4 and errs[1e4] < 2e-8 and errs[1e4] < 1e-3 * errs[1e2]
    assert exponential_limit(3.0, 0.0) == 0.0
    assert exponential_limit(-2.0, 1e-20) == pytest.approx(2e-20, rel=1e-15)
    with np.errstate(all="raise"):
        assert exponential_limit(1e300, 1e300) == 1.0
        assert sigmoid_limit(1e300, 1.0, 1e300) == 1.0


def test_broadcasting_and_shapes():
    st = np.array([0.5, 1.0, 3.0])
    t = np.array([0.0, 0.1, 1.0, 10.0])[:, None]
    out = aligned_trajectory(st, -0.5, 0.3, t)
    assert out.shape == (4, 3)
    for i, j in itertools.product(range(4), range(3)):
        assert out[i, j] == aligned_trajectory(st[j], -0.5, 0.3, t[i, 0])
    assert np.ndim(aligned_trajectory(1.0, 0.3, 0.1, 2.0)) == 0
    ref = mpal.aligned_trajectory(st, -0.5, 0.3, t)
    assert ref.shape == (4, 3) and isinstance(ref[1, 1], mpmath.mpf)
    assert isinstance(mpal.transition_function(1, 0.3, 0.1, 2), mpmath.mpf)
    with pytest.raises(InvalidArgument, match="broadcast"):
        aligned_trajectory(np.ones(3), 0.1, 0.2, np.ones(4))


@pytest.mark.parametrize("fun", [aligned_trajectory, transition_function,
                                 mpal.aligned_trajectory, mpal.transition_function])
def test_bad_inputs(fun):
    good = dict(s_target=1.0, s0=0.3, lam=0.2, t=1.0, tau=1.0)
    for name in good:
        for bad in (np.nan, np.inf, -np.inf):
            kw = dict(good, **{name: bad})
            with pytest.raises(InvalidArgument, match=name):
                fun(**kw)
    with pytest.raises(InvalidArgument, match="t must be >= 0"):
        fun(**dict(good, t=-1e-3))
    for tau in (0.0, -1.0):
        with pytest.raises(InvalidArgument, match="tau must be > 0"):
            fun(**dict(good, tau=tau))
    with pytest.raises(InvalidArgument, match="s0"):
        fun(**dict(good, s0="abc"))


def test_bad_inputs_limits():
    with pytest.raises(InvalidArgument, match="lam"):
        exponential_limit(np.nan, 1.0)
    with pytest.raises(InvalidArgument, match="t must be >= 0"):
        sigmoid_limit(1.0, 0.2, -1.0)
    with pytest.raises(InvalidArgument, match="tau"):
        sigmoid_limit(1.0, 0.2, 1.0, tau=0.0)


def test_no_warnings():
    pts = np.array(list(itertools.product([0.0, 1e-300, -1e-12, 5.0, 1e3, 1e300],
                                          [0.0, 1e-8, 1.0, 500.0, 1e300],
                                          [0.0, -0.5, 2.5, -1e300, 1e-300],
                                          [-3.0, 0.0, 1e-300, 1.0, 1e300])))
    lam, t, s0, st = pts.T
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            s = aligned_trajectory(st, s0, lam, t)
            g = transition_function(st, s0, lam, t)
            sl = sigmoid_limit(st, s0, t)
            el = exponential_limit(lam, t)
    for v in (s, g, sl, el):
        assert np.all(np.isfinite(v))
    assert np.all((g >= 0) & (g <= 1))


def _mutant_literal(st, s0, lam, t, tau, want_s):
    """The spec's γ with the sign of λ²/4 flipped in (s0 s̃ + λ²/4): a deliberately wrong form."""
    l2 = lam * lam / 4
    S = mpmath.sqrt(st * st + l2)
    S0 = mpmath.sqrt(s0 * s0 + l2)
    if S == 0:
        u = 2 * abs(s0) * t / tau
        return s0 / (1 + u) if want_s else u / (1 + u)
    y = 2 * S * t / tau
    P, Q = S0 * S, s0 * st - l2                      # <- mutation
    num = P * mpmath.sinh(y) + Q * (mpmath.cosh(y) - 1)
    den = st * (st - s0) + P * mpmath.sinh(y) + Q * mpmath.cosh(y)
    g = num / den
    return s0 + g * (st - s0) if want_s else g


def test_mutation_is_detected(monkeypatch):
    """The harness (_rel_errors on the grid) rejects a wrong reference formula."""
    pts = np.array(list(itertools.product([0.3, 5.0], [0.1, 1.0], [0.3, 2.5], [1.0])))
    lam, t, s0, st = pts.T
    s = aligned_trajectory(st, s0, lam, t)
    rel_ok, ok = _rel_errors(s, mpal.aligned_trajectory(st, s0, lam, t), st, s0, lam, t, 1.0)
    assert ok.all()
    monkeypatch.setattr(mpal, "_literal", _mutant_literal)
    rel_bad, ok_bad = _rel_errors(s, mpal.aligned_trajectory(st, s0, lam, t), st, s0, lam, t,
                                  1.0)
    print(f"\nmutation (sign of λ²/4 flipped): max rel err {rel_bad.max():.2e} "
          f"(correct reference: {rel_ok.max():.2e})")
    assert not ok_bad.any() and rel_bad.min() > 1e6 * TOL_REL_BASE


def test_zero_mode_with_overflowing_time_is_not_nan():
    """s̃ = λ = s0 = 0 is a fixed point even when t/τ overflows to inf (no silent NaN)."""
    from lazyrich.numerics._aligned import aligned_trajectory as traj

    with np.errstate(all="raise"):
        assert traj(0.0, 0.0, 0.0, 1.0, tau=1e-300) == 0.0
        # s0/(1 + 2|s0|t/τ) = 0.5/1e300: tiny but exact, with s0's sign
        assert traj(0.0, 0.5, 0.0, 1.0, tau=1e-300) == pytest.approx(5e-301, rel=1e-12)
        assert traj(0.0, -0.5, 0.0, 1.0, tau=1e-300) == pytest.approx(-5e-301, rel=1e-12)


@pytest.mark.parametrize("lam_kind", ["scalar 0", "scalar 0.3", "array with zeros"])
def test_fast_path_forms_against_the_careful_core_and_40_digits(lam_kind):
    """The fast path has forms the grid does not reach: blocks sliced from arrays longer than one
    block, a λ = 0 block given as one value (eq 17 directly), a scalar τ ≠ 1 (one division).
    Every element is checked against the careful core (itself checked against 50 digits above),
    a sample against 40 digits, and the scalar τ against the same τ as an array (bit for bit)."""
    from lazyrich.numerics import _aligned as al

    rng = np.random.default_rng(11)
    n = 3 * al._BLOCK + 123
    st = rng.uniform(0.1, 5.0, n) * rng.choice([-1.0, 1.0], n)
    s0 = rng.uniform(-2.0, 2.0, n)
    s0[::97] = 0.0
    t = rng.uniform(0.0, 60.0, n)
    t[::101] = 0.0
    tau = 0.7
    lam = {"scalar 0": 0.0, "scalar 0.3": 0.3,
           "array with zeros": np.where(rng.random(n) < 0.3, 0.0, rng.uniform(-5, 5, n))}[lam_kind]
    lam_a = np.broadcast_to(np.asarray(lam, dtype=float), (n,)).copy()
    for fn, want_s in ((aligned_trajectory, True), (transition_function, False)):
        with np.errstate(all="raise"):
            got = fn(st, s0, lam, t, tau)
            same = fn(st, s0, lam, t, np.full(n, tau))
        assert np.array_equal(got, same)                 # τ as one value or as an array
        ref = al._core(st, s0, lam_a, t, np.full(n, tau), want_s=want_s)
        x = 2 * np.hypot(st, lam_a / 2) * t / tau
        err = np.abs(got - ref)
        allowed = (TOL_REL_BASE + EPS * x) * np.abs(ref)
        if want_s:  # near a zero crossing: one rounding of t
            sdot = np.sqrt(lam_a ** 2 + 4 * ref ** 2) * (st - ref) / tau
            allowed += np.where(s0 * st < 0, 4 * EPS * t * np.abs(sdot), 0.0)
        assert np.all(err <= allowed), np.flatnonzero(err > allowed)[:5]
    idx = rng.choice(n, 40, replace=False)
    full = aligned_trajectory(st, s0, lam, t, tau)[idx]
    part = aligned_trajectory(st[idx], s0[idx], lam_a[idx], t[idx], tau)
    assert np.array_equal(part, full)   # the same operations per element, whatever the batch
    ref_s = mpal.aligned_trajectory(st[idx], s0[idx], lam_a[idx], t[idx], tau, dps=40)
    _, ok = _rel_errors(full, ref_s, st[idx], s0[idx], lam_a[idx], t[idx], tau)
    assert ok.all()


def test_fast_path_products_stay_normal_and_results_do_not_depend_on_the_batch():
    """Inputs where products of the fast form underflow or go denormal (tiny x with magnitudes
    near 1e-50; S_λ·t denormal while t/τ is not; a reversed mode with |s0|/S_λ ≈ 1e-65) are right
    to the usual tolerance; an element gives the same bits alone, in a long batch, with λ = 0
    given as one value or inside an array of λ."""
    from lazyrich.numerics import _aligned as al

    cases = [(1e-50, 1e-50, 1e-50, 4.5e-201, 1.0), (1e-50, 0.0, 2e-50, 3.5e-161, 1.0),
             (1e-50, 1e-50, 0.0, 1e-240, 1.0), (1.612e-42, 0.0, 8.554e-44, 8.329e-154, 1.0),
             (1.3, 0.5, 0.7, 1e-320, 1e-320), (1e-20, 5e-21, 1e-20, 1e-300, 1e-300),
             (7.64670637135096e-40, 3.3874360786627887e-38, -2.7766579033801866e-38,
              1.2637874806320127e-284, 3.270784997323902e-286),
             (4.836617687947499e31, -1.7476109094491004e-33, 0.0, 1.707357862822673e-33,
              0.0005682625864620945)]
    st, s0, lam, t, tau = (np.array(c) for c in zip(*cases))
    with np.errstate(all="raise"):
        s = aligned_trajectory(st, s0, lam, t, tau)
        gam = transition_function(st, s0, lam, t, tau)
    with np.errstate(over="ignore", invalid="ignore"):   # the allowance's ds/dt at τ = 1e-320
        _, ok = _rel_errors(s, mpal.aligned_trajectory(st, s0, lam, t, tau, dps=40), st, s0, lam,
                            t, tau)
    assert ok.all(), np.flatnonzero(~ok)
    ref_g = np.array([_f(v) for v in mpal.transition_function(st, s0, lam, t, tau, dps=40)])
    x = 2 * np.hypot(st, lam / 2) * t / tau
    assert np.all(np.abs(gam - ref_g) <= (TOL_REL_BASE + EPS * x) * np.abs(ref_g))

    rng = np.random.default_rng(5)
    n = 2 * al._BLOCK + 1
    st = rng.uniform(0.2, 3.0, n) * rng.choice([-1.0, 1.0], n)
    s0 = rng.uniform(-2.0, 2.0, n)
    t = rng.uniform(0.0, 30.0, n)
    lam = np.where(rng.random(n) < 0.5, 0.0, rng.uniform(-4, 4, n))
    lam[al._BLOCK:] = 0.0                  # the last blocks: λ = 0 only
    for fn in (aligned_trajectory, transition_function):
        batch = fn(st, s0, lam, t, 0.8)
        idx = np.concatenate([rng.choice(n, 30, replace=False), [n - 1]])
        alone = np.array([fn(st[i], s0[i], lam[i], t[i], 0.8) for i in idx])
        assert np.array_equal(alone, batch[idx])
        z = np.flatnonzero(lam == 0)
        assert np.array_equal(fn(st[z], s0[z], 0.0, t[z], 0.8), batch[z])   # λ as one value


def _assert_within_1e14_of_40_digits(cases, *which):
    """s(t) and/or γ ("s", "gamma") at the (s̃, s0, λ, t, τ) cases, without a floating-point
    warning, within 1e-14 relative of the 40-digit references."""
    st, s0, lam, t, tau = (np.array(c) for c in zip(*cases))
    funs = {"s": (aligned_trajectory, mpal.aligned_trajectory),
            "gamma": (transition_function, mpal.transition_function)}
    for name in which:
        fn, ref_fn = funs[name]
        with np.errstate(all="raise"):
            got = fn(st, s0, lam, t, tau)
        ref = np.array([_f(v) for v in ref_fn(st, s0, lam, t, tau, dps=40)])
        assert np.all(np.abs(got - ref) <= 1e-14 * np.abs(ref)), (name, got / ref - 1)

def test_subnormal_t_over_tau_keeps_its_digits():
    """t (or t/τ) below the normal range: x = 2 S_λ t/τ and γ ≈ x·(…) are formed with t/τ scaled
    by 2^600, so a representable γ ~ 1e-275 keeps its digits (it lost up to 3e-6 when t/τ was
    formed first, subnormal); S_λ = 0 (γ = u/(1 + u)) likewise."""
    cases = [(-7.666793279712865e+38, -1.2227709683482527e+39, 2.950906357993376e+42,
              1.108974e-317, 2.0479803595770845),
             (-2.644919799207416e+39, 2.564185150077261e+40, 2.256672294498753e+39,
              9.012825826534e-311, 157355.20787645408),
             (3.9981407182323365e+27, -1.9388151108894397e+27, -1.4622503136120668e+27,
              1.035896605e-315, 4710.45857918288),
             (9.262082084764826e+20, 2.1183060914728344e+20, 0.0, 7.02e-321,
              2.1013090340899973e-06),
             (0.0, 3e20, 0.0, 7.02e-321, 2.1e-06), (0.0, -2.5e40, 0.0, 1e-315, 3.0)]
    _assert_within_1e14_of_40_digits(cases, "s", "gamma")


def test_tiny_values_whose_product_is_normal_and_batches_with_extreme_neighbours():
    """Second review: s̃γ is a normal number although γ underflows (s0 = 0, tiny t; also t/τ
    rounding to 0 and magnitudes outside the fast ranges), an element batched with an
    out-of-range neighbour gives the same bits as alone, and s̃ = λ = s0 = 0 with t/τ = inf is
    γ = 0, not NaN."""
    from lazyrich.numerics import _aligned as al

    cases = [(1e20, 0.0, 1e-20, 1e-292, 1.0), (1e40, 0.0, 1e-40, 1e-280, 1.0),
             (1e45, 0.0, 1e-45, 1e-290, 1.0), (1e40, 0.0, 0.3, 5e-324, 3.0),
             (-1e60, 0.0, 1e-12, 1e-300, 1.0), (1e70, 0.0, 1e-20, 1e-310, 1.0)]
    _assert_within_1e14_of_40_digits(cases, "s")
    rng = np.random.default_rng(9)
    n = al._BLOCK + 50
    st = rng.uniform(0.2, 3.0, n)
    s0 = rng.uniform(-1.0, 2.0, n)
    lam = rng.uniform(-2.0, 2.0, n)
    t = rng.uniform(0.0, 20.0, n)
    alone = aligned_trajectory(st[:40], s0[:40], lam[:40], t[:40])
    st[3::97] = 1e60                       # out-of-range neighbours in the same block
    assert np.array_equal(np.delete(aligned_trajectory(st, s0, lam, t)[:40], range(3, 40, 97)),
                          np.delete(alone, range(3, 40, 97)))
    with np.errstate(all="raise"):
        assert transition_function(0.0, 0.0, 0.0, 1.0, 5e-324) == 0.0


def test_careful_core_when_t_over_tau_overflows_or_b_e_underflows():
    """Second review, older faults of the careful core: t/τ overflowing although x does not
    (S_λ ≪ 1; γ came back 1 instead of 0.9999994), and γ of λ = 0 reversed modes with |s0| ≪ s̃
    where B e underflows (γ = 0 instead of 1e-250; 4e-11 at s0 = −1e-45)."""
    cases = [(0.0, 1e-300, 0.0, 1e10, 1e-300), (2.3e-308, 1e-308, 4.6e-308, 5.0,
                                                  2.2250738585072014e-308),
             (1.0, -1e-45, 0.0, 310.0, 1.0), (1.0, -1e-100, 0.0, 250.0, 1.0),
             (1.0, -1e-250, 0.0, 125.0, 1.0), (-2.5, 1e-200, 0.0, 200.0, 3.0)]
    _assert_within_1e14_of_40_digits(cases, "gamma")
    with np.errstate(all="raise"):        # s̃ ≪ S_λ: q·(A + K e) underflows (no warning)
        assert aligned_trajectory(1e-300, -1e-300, 1e-60, 1.0) == -1e-300
        assert transition_function(1e-300, -1e-300, 1e-60, 1.0) == pytest.approx(1e-60, rel=1e-14)
        # beyond the guaranteed range (|s0|/s̃ = 1e323) still finite, and here right: G·h/e* is
        # formed without q (h/e* alone overflowed: s = −inf)
        assert aligned_trajectory(5e-324, -0.5, 1e-12, 1.0) == pytest.approx(-0.25, rel=1e-12)


def test_reversed_modes_whose_factor_underflows():
    """Second review, older: reversed modes with |s0|·s̃ ≪ S_λ², where B(e − e*) underflows in the
    careful core although s is a normal number (s = 0 instead of 1e-200; 1.5e-5)."""
    cases = [(-1e-40, 1e-200, 1e45, 1e-300, 1.0), (1e-200, -5e-324, 1e-60, 1e5, 1.0),
             (2.4513739622452382e-20, -5.64903675358738e-191, 4.886647303691776e79,
              6.20402283077378e-201, 1.0)]
    _assert_within_1e14_of_40_digits(cases, "s")
