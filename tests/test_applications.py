"""App. D (forgetting, reversal learning, transfer): every claim gets its expected verdict and
refutes a deliberately wrong formula; plus independent checks of the facts the claims use."""

import numpy as np
import pytest
import sympy as sp

from lazyrich import numerics
from lazyrich import Claim
from lazyrich.proofs.domine2025 import applications as app

CLAIMS = {c.id: c for c in vars(app).values() if isinstance(c, Claim)}


def test_reversed_mode_decays_and_aligned_mode_learns():
    t = np.array([0.0, 1.0, 5.0, 20.0])
    rev = app.reversed_trajectory(1.5, 0.3, t)
    assert rev[0] == pytest.approx(-0.3) and np.all(rev < 0) and abs(rev[-1]) < 1e-20
    aligned = app.mode_trajectory(1.5, 2 * np.sqrt(0.3), 0.0, t)
    assert aligned[0] == pytest.approx(0.3) and aligned[-1] == pytest.approx(1.5, rel=1e-12)


def test_mode_formula_matches_a_plain_euler_integration():
    """τṡ = 2|s|(s̃ − s), integrated with small Euler steps (no closed form involved)."""
    st, dt, n = 1.2, 1e-5, 200000                      # to t = 2
    for s0 in (0.25, -0.25):
        s = s0
        for _ in range(n):
            s += dt * 2 * abs(s) * (st - s)
        b, c = (2 * np.sqrt(0.25), 0.0) if s0 > 0 else (0.0, 2 * np.sqrt(0.25))
        assert s == pytest.approx(float(app.mode_trajectory(st, b, c, 2.0)), rel=1e-3)


def test_worst_turns_nan_into_a_refutation():
    assert app._worst([np.array([1e-3, 2e-3]), 5e-4]) == pytest.approx(2e-3)
    assert app._worst([np.array([1e-3, np.nan])]) == float("inf")


def test_b_sign_helper():
    assert app.reversed_b_sign(0.0) == 0
    assert app.reversed_b_sign(0.3) == 1 and app.reversed_b_sign(-0.3) == -1
    assert app.reversed_b_sign(0.3, d_u=-1) == -1


def test_reversal_instance_is_zero_balanced_at_lambda_0_and_reversed():
    W1, W2, S, U, V, s_t, s0, fl = app._reversal_instance(0.0, 7, flips=(1, -1, 1))
    assert np.allclose(W2.T @ W2, W1 @ W1.T, atol=1e-12)
    A = U.T @ W2 @ W1 @ V
    assert np.allclose(A, np.diag(fl * s0), atol=1e-12)


def test_forgetting_is_zero_when_the_tasks_coincide():
    S = numerics.random_regression_task(3, 2, 20, rng=1)[1] @ \
        numerics.random_regression_task(3, 2, 20, rng=1)[0].T / 20
    assert app.forgetting(S, S, S) == 0.0
    T2 = S + 0.1
    assert app.forgetting(S, S, T2) > 0 > app.forgetting(S, T2, S)


def test_transfer_readout_is_minimum_norm_interpolant():
    h = np.array([0.3, -1.2, 0.5])
    w = app.transfer_readout(h, 0.7)
    assert w @ h == pytest.approx(0.7)
    assert np.allclose(np.cross(w, h), 0.0)            # parallel to h (minimum norm)


@pytest.mark.parametrize("cid", sorted(CLAIMS))
def test_claim_gets_its_expected_verdict(cid):
    claim = CLAIMS[cid]
    result = claim.run()
    expected = claim.expected or "verified"
    ok = result.verdict == expected or (expected == "verified" and result.verdict == "proved")
    assert ok, (cid, result.verdict, [(c["name"], c["verdict"], c["max_error"], c["detail"][:300])
                                      for c in result.checks])
    sym = [c for c in result.checks if c["kind"] == "symbolic"]
    assert sym and all(c["verdict"] == "proved" for c in sym), cid


MUTATIONS = [
    ("domine2025.appD.1", "forgetting", lambda si, sj, sk: -app.forgetting(si, sj, sk)),
    ("domine2025.appD.1", "forgetting", lambda si, sj, sk: app.forgetting(si, sj, sk)
     + app._frob2(sj - si) / 2),                                   # dropped second term
    ("domine2025.eq180", "mode", lambda st, b, c, t, tau=1: app.mode_trajectory(st, c, b, t)),
    ("domine2025.eq180", "mode", lambda st, b, c, t, tau=1: app.mode_trajectory(st, b, c, 2 * t)),
    ("domine2025.eq180", "mode",                                            # τ ignored
     lambda st, b, c, t, tau=1: app.mode_trajectory(st, b, c, t)),
    ("domine2025.eq180", "mode",                                            # t·τ for t/τ
     lambda st, b, c, t, tau=1: app.mode_trajectory(st, b, c, t * tau * tau, tau)),
    ("domine2025.eq180", "mode",                                            # NaN for c = 0
     lambda st, b, c, t, tau=1: app.mode_trajectory(c, b, st, t, tau)),
    ("domine2025.eq183", "reversed",
     lambda st, s0, t, tau=1: -app.reversed_trajectory(st, s0, t)),
    ("domine2025.eq183", "reversed",                                        # τ ignored
     lambda st, s0, t, tau=1: app.reversed_trajectory(st, s0, t)),
    ("domine2025.eq183", "reversed",
     lambda st, s0, t, tau=1: app.reversed_trajectory(st, s0, t / 2)),
    ("domine2025.appD.2.escape", "sign", lambda lam, d_u=1: 0),       # "stuck for every λ"
    ("domine2025.appD.2.escape", "sign", lambda lam, d_u=1: -app.reversed_b_sign(lam, d_u)),
    ("domine2025.eq186", "readout", lambda h, y: 2 * app.transfer_readout(h, y)),
    ("domine2025.eq187", "prediction",
     lambda W1, X, i, j, y: app.transfer_prediction(W1, X, j, i, y)),   # normalised by K_jj
]


def test_every_claim_has_a_mutation():
    assert set(CLAIMS) <= {cid for cid, _, _ in MUTATIONS}


@pytest.mark.filterwarnings("ignore::RuntimeWarning")        # the NaN-producing mutation
@pytest.mark.parametrize("cid,name,wrong", MUTATIONS,
                         ids=[f"{c}:{n}:{i}" for i, (c, n, _) in enumerate(MUTATIONS)])
def test_wrong_formula_is_refuted(cid, name, wrong):
    result = CLAIMS[cid].run(**{name: wrong})
    assert result.verdict == "refuted", [(c["name"], c["verdict"], c["max_error"],
                                          c["detail"][:200]) for c in result.checks]


def test_symbolic_check_alone_catches_the_stuck_mutation():
    result = CLAIMS["domine2025.appD.2.escape"].run(sign=lambda lam, d_u=1: 0)
    sym = [c for c in result.checks if c["kind"] == "symbolic"][0]
    assert sym["verdict"] == "refuted"
    assert sp.sympify(sym["counterexample"]["lambda"]) != 0
