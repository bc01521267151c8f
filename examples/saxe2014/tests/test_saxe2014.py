"""The saxe2014 claims: each is proved, and each is refuted when fed a plausible wrong formula
(a check that cannot fail proves nothing)."""

import numpy as np
import pytest

from lazyrich.numerics import generic as g

from lazyrich_saxe2014 import claims as saxe

CLAIMS = {c.id: c for c in (saxe.modes, saxe.sigmoid, saxe.learning)}


@pytest.mark.parametrize("cid", sorted(CLAIMS))
def test_claim_is_proved(cid):
    result = CLAIMS[cid].run()
    assert result.verdict == "proved", [(c["name"], c["verdict"], c["max_error"], c["detail"])
                                        for c in result.checks]
    assert result.statement["verdict"] == "proved", result.statement


# ---- wrong formulas: mistakes one could make in print or in code ------------------------------
def rate_without_2(s, s_target, tau=1.0):             # τṡ = s(s̃ − s)
    return s * (s_target - s) / tau


def rate_times_tau(s, s_target, tau=1.0):             # τ on the wrong side
    return 2 * s * (s_target - s) * tau


def rate_linearised(s, s_target, tau=1.0):            # lazy (linearised) dynamics
    return 2 * s_target * (s_target - s) / tau


def sigmoid_rate_halved(s_target, s0, t, tau=1.0):    # e^{s̃t/τ} for e^{2s̃t/τ}
    return s_target / (1 + (s_target / s0 - 1) * g.exp(-s_target * t / tau))


def sigmoid_ratio_inverted(s_target, s0, t, tau=1.0):  # s0/s̃ for s̃/s0
    return s_target / (1 + (s0 / s_target - 1) * g.exp(-2 * s_target * t / tau))


def exponential_approach(s_target, s0, t, tau=1.0):   # s̃ − (s̃ − s0)e^{−2s̃t/τ}
    return s_target - (s_target - s0) * g.exp(-2 * s_target * t / tau)


def time_leading_order(s_target, s0, s_final, tau=1.0):   # the ε → 0 form taken as exact
    return tau / s_target * g.log(s_target / s0)


def time_without_half(s_target, s0, s_final, tau=1.0):
    return tau / s_target * g.log(s_final * (s_target - s0) / (s0 * (s_target - s_final)))


def time_without_target_factor(s_target, s0, s_final, tau=1.0):   # ln(s_f/s0) only
    return tau / (2 * s_target) * g.log(s_final / s0)


MUTATIONS = [
    ("saxe2014.modes", "mode_rate", rate_without_2),
    ("saxe2014.modes", "mode_rate", rate_times_tau),
    ("saxe2014.modes", "mode_rate", rate_linearised),
    ("saxe2014.sigmoid", "trajectory", sigmoid_rate_halved),
    ("saxe2014.sigmoid", "trajectory", sigmoid_ratio_inverted),
    ("saxe2014.sigmoid", "trajectory", exponential_approach),
    ("saxe2014.learning-time", "learning_time", time_leading_order),
    ("saxe2014.learning-time", "learning_time", time_without_half),
    ("saxe2014.learning-time", "learning_time", time_without_target_factor),
]


def test_every_claim_has_a_wrong_formula():
    assert {cid for cid, _, _ in MUTATIONS} == set(CLAIMS)


@pytest.mark.parametrize("cid,name,wrong", MUTATIONS, ids=[w.__name__ for _, _, w in MUTATIONS])
def test_wrong_formula_is_refuted(cid, name, wrong):
    result = CLAIMS[cid].run(**{name: wrong})
    assert result.verdict == "refuted", [(c["name"], c["verdict"], c["max_error"])
                                         for c in result.checks]
    numeric = [c for c in result.checks if c["kind"] != "symbolic"]
    assert any(c["verdict"] == "refuted" for c in numeric), \
        "a numeric check must catch it too, not only the derivation"


def test_formulas_agree_across_backends():
    """The same function runs in float64, mpmath and SymPy (numerics.generic)."""
    import mpmath
    import sympy as sp

    args = ("1.5", "0.01", "2", "0.7")
    x = saxe.trajectory(*(float(a) for a in args))
    with mpmath.workdps(30):
        y = saxe.trajectory(*(mpmath.mpf(a) for a in args))
    z = sp.N(saxe.trajectory(*(sp.Rational(a) for a in args)), 30)
    assert abs(x - float(y)) < 1e-14 * abs(x) and abs(float(z) - float(y)) < 1e-25
    assert np.isclose(saxe.learning_time(1.5, 0.01, saxe.trajectory(1.5, 0.01, 2.0, 0.7), 0.7),
                      2.0, rtol=1e-12)
