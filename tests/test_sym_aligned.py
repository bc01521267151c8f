"""Symbolic and numeric checks of Theorem 5.1 / eq (17) (aligned dynamics) and Theorems 5.2 /
C.3 (representations): each claim gets its expected verdict, each symbolic check is `proved`,
and every formula, replaced by a wrong one, makes its claim `refuted`.

The mutation test runs only the checks whose code reads the mutated formula (a check that never
touches it cannot change), stopping at the first refuting one: a refuted check makes the claim
refuted whatever the others say. This keeps the file fast."""

from __future__ import annotations

import types

import numpy as np
import pytest
import sympy as sp

from lazyrich import discover, numerics
from lazyrich.proofs.domine2025 import aligned, representations

CLAIMS = discover(entry_points_too=False)
MINE = ("domine2025.thm5.1", "domine2025.eq17", "domine2025.thm5.2", "domine2025.thmC.3")


def run_mutated(claim, name, wrong):
    """The claim's verdict with formula ``name`` replaced (see module docstring)."""
    ns = types.SimpleNamespace(**{**claim.formulas, name: wrong})
    verdicts = []
    for check in claim.checks:
        if name not in check.func.__code__.co_names:
            continue
        rec = check.run(ns)
        verdicts.append((check.name, rec["verdict"], rec["detail"][:200]))
        if rec["verdict"] == "refuted":
            return "refuted", verdicts
    return ("untouched" if not verdicts else "not refuted"), verdicts


# ---- wrong formulas -------------------------------------------------------------------------

def _gamma_wrong_b(st, s0, lam, t, tau=1):           # λ²/4 → λ²/2 in s0 s̃ + λ²/4
    st, s0, lam, t, tau = map(sp.sympify, (st, s0, lam, t, tau))
    S = sp.sqrt(lam**2 + 4 * st**2) / 2
    S0 = sp.sqrt(lam**2 + 4 * s0**2) / 2
    x = 2 * S * t / tau
    b = s0 * st + lam**2 / 2
    return (S0 * S * sp.sinh(x) + b * (sp.cosh(x) - 1)) / \
        (st * (st - s0) + S0 * S * sp.sinh(x) + b * sp.cosh(x))


def _gamma_half_rate(st, s0, lam, t, tau=1):         # dropped factor 2 in the rate
    return aligned.gamma_printed(st, s0, lam, sp.sympify(t) / 2, tau)


def _ode_rhs_2s2(s, st, lam):                         # 4s² → 2s²
    return sp.sqrt(sp.sympify(lam)**2 + 2 * sp.sympify(s)**2) * (st - s)


def _limit_swapped(s, lam):                           # ±λ/2 swapped
    a, b, c = representations.thmC3.formulas["limit_expr"](s, lam)
    return b, a, c


def _trajectory_tau_ignored(st, s0, lam, t, tau=1.0):
    return numerics.aligned_trajectory(st, s0, lam, t)


def _trajectory_t_times_tau(st, s0, lam, t, tau=1.0):
    return numerics.aligned_trajectory(st, s0, lam, np.asarray(t) * tau * tau, tau)


MUTATIONS = [
    ("domine2025.thm5.1", "trajectory", _trajectory_tau_ignored),
    ("domine2025.thm5.1", "trajectory", _trajectory_t_times_tau),
    ("domine2025.eq17", "sigmoid",                      # τ ignored
     lambda st, s0, t, tau=1.0: numerics.sigmoid_limit(st, s0, t)),
    ("domine2025.eq17", "exponential",                  # t·τ instead of t/τ
     lambda lam, t, tau=1.0: numerics.exponential_limit(lam, np.asarray(t) * tau * tau, tau)),
    ("domine2025.eq17", "sigmoid",                      # off by 1e-9 relative
     lambda st, s0, t, tau=1.0: numerics.sigmoid_limit(st, s0, t, tau) * (1 + 1e-9)),
    ("domine2025.thm5.1", "gamma_expr", _gamma_wrong_b),
    ("domine2025.thm5.1", "gamma_expr", _gamma_half_rate),
    ("domine2025.thm5.1", "ode_rhs", _ode_rhs_2s2),
    ("domine2025.thm5.1", "ode_rhs", lambda s, st, lam: -aligned.ode_rhs_printed(s, st, lam)),
    ("domine2025.eq17", "sigmoid_expr",                 # s̃/s0 inverted
     lambda st, s0, t, tau=1: aligned.sigmoid_printed(st, sp.sympify(st)**2 / s0, t, tau)),
    ("domine2025.eq17", "exponential_expr",             # rate |λ|/2
     lambda lam, t, tau=1: aligned.exponential_printed(lam, t / 2, tau)),
    ("domine2025.thm5.2", "s1_expr", representations.s2_expr),          # ±λ swapped
    ("domine2025.thm5.2", "s2_expr",                                    # missing /2
     lambda s, lam: sp.sqrt(lam + sp.sqrt(lam**2 + 4 * s**2))),
    ("domine2025.thmC.3", "limit_expr", _limit_swapped),
    ("domine2025.thmC.3", "limit_expr",
     lambda s, lam: tuple(2 * v for v in representations.thmC3.formulas["limit_expr"](s, lam))),
]


def test_every_extended_claim_has_a_mutation():
    assert set(MINE) <= {cid for cid, _, _ in MUTATIONS}


@pytest.mark.parametrize("cid,name,wrong", MUTATIONS,
                         ids=[f"{c}:{n}:{i}" for i, (c, n, _) in enumerate(MUTATIONS)])
def test_wrong_formula_is_refuted(cid, name, wrong):
    verdict, trail = run_mutated(CLAIMS[cid], name, wrong)
    assert verdict == "refuted", trail


@pytest.mark.parametrize("cid", MINE)
def test_symbolic_checks_are_proved(cid):
    claim = CLAIMS[cid]
    ns = types.SimpleNamespace(**claim.formulas)
    symbolic = [c for c in claim.checks if c.kind == "symbolic"]
    assert symbolic, f"{cid} has no symbolic check"
    for check in symbolic:
        rec = check.run(ns)
        assert rec["verdict"] == "proved", (check.name, rec["detail"])
        steps = rec["data"]["steps"]
        assert all(s["verdict"] == "proved" for s in steps)


@pytest.mark.parametrize("cid", ("domine2025.eq17", "domine2025.thm5.2", "domine2025.thmC.3"))
def test_claim_gets_expected_verdict(cid):
    # thm5.1 runs in full in tests/test_claims.py (its numeric checks take ~10 s)
    result = CLAIMS[cid].run()
    assert result.verdict == "proved", (result.statement, result.implementation)


@pytest.mark.parametrize("cid", MINE)
def test_every_symbolic_check_declares_the_full_scope(cid):
    claim = CLAIMS[cid]
    assert claim.scope, f"{cid} states no scope"
    ns = types.SimpleNamespace(**claim.formulas)
    for check in claim.checks:
        if check.kind == "symbolic":
            rec = check.run(ns)
            assert rec["scope"] and rec["scope"]["complete"], (check.name, rec["scope"])


def test_gamma_is_even_in_lambda_and_zero_at_t0():
    st, s0, lam, t = sp.symbols("s s0 lam t", positive=True)
    g = aligned.gamma_printed(st, s0, lam, t)
    assert sp.simplify(g - g.subs(lam, -lam)) == 0
    assert sp.simplify(g.subs(t, 0)) == 0


def test_gamma_expr_matches_numerics_at_a_point():
    # an independent value: numerics' stable float64 γ (not the SymPy formula under test)
    from lazyrich import numerics
    val = float(aligned.gamma_printed(1.5, 0.2, -0.7, 0.9))
    assert abs(val - float(numerics.transition_function(1.5, 0.2, -0.7, 0.9))) < 1e-14


def test_the_ode_helper_symbols_are_consistent():
    # e = exp(−2S_λ t/τ) substitution: the stable form at e = 1 is 0 and at e = 0 is 1
    g = aligned._GAMMA_E
    assert sp.simplify(g.subs(aligned._e, 1)) == 0
    assert sp.simplify(g.subs(aligned._e, 0)) == 1


def test_s1_s2_numbers():
    # s = 2, λ = 3: S_λ = 5/2, s1² = 1, s2² = 4
    assert representations.s1_expr(2, 3) == 1
    assert representations.s2_expr(2, 3) == 2
    assert np.isclose(float(representations.s1_printed(2.0, 3.0)), 1.0)
