"""Hostile and extreme input to the numerics, beyond the error table of test_bad_input.py:
valid results are unchanged by the checks, results near the edges of float64 are either right or
refused, and the integrators tell a resolved run from one decided by rounding."""

import warnings

import mpmath
import numpy as np
import pytest

from lazyrich import numerics
from lazyrich._errors import OutOfRangeError
from lazyrich.numerics import IntegrationError, NotBalancedError, SingularError
from lazyrich.numerics import generic as g
from lazyrich.numerics._validate import MAX_ELEMENTS, MAX_GRAM, as_array, read_lambda
from lazyrich.numerics._weights import LAMBDA_RTOL

S = np.random.default_rng(0).standard_normal((4, 3))


# --------------------------------------------------------------------------------------------
# the checks do not change valid results
# --------------------------------------------------------------------------------------------
def test_lambda_is_read_exactly_as_before():
    """λ = tr(W2ᵀW2 − W1W1ᵀ)/N_h, bit for bit: the power-of-two scaling is exact."""
    rng = np.random.default_rng(0)
    for k in range(200):
        n_i, n_o = (int(v) for v in rng.integers(1, 5, 2))
        lam = float(rng.uniform(-2, 2)) if n_i == n_o else 0.0
        W1, W2 = numerics.lambda_balanced_init(lam, n_i, min(n_i, n_o), n_o,
                                               scale=10.0 ** rng.uniform(-3, 3), rng=k)
        direct = float(np.trace(W2.T @ W2 - W1 @ W1.T) / min(n_i, n_o))
        assert read_lambda(W1, W2) == direct


def test_float64_arrays_pass_through_uncopied():
    a = np.arange(6.0).reshape(2, 3)
    assert as_array("a", a) is a
    assert as_array("n", 3).dtype == np.float64 and as_array("x", 2.5) == 2.5


def test_the_balance_test_is_scale_free():
    """Tiny unbalanced weights used to pass (an absolute floor of 1e-8 ‖W‖²-units); scaled
    weights (cW, c²Σyx, t/c²) now get the same verdict at every c."""
    rng = np.random.default_rng(5)
    U1, U2 = rng.standard_normal((3, 3)), rng.standard_normal((3, 3))
    B1, B2 = numerics.lambda_balanced_init(0.7, 3, 3, 3, rng=2)
    for c in (1e-150, 1e-5, 1.0, 1e5, 1e140):
        with pytest.raises(NotBalancedError):
            numerics.lambda_of(c * U1, c * U2)
        assert numerics.lambda_of(c * B1, c * B2) == pytest.approx(0.7 * c * c, rel=1e-13)


def test_requested_lambda_reads_back_or_is_refused():
    """lambda_balanced_init either returns weights whose λ reads back within LAMBDA_RTOL or
    raises OutOfRangeError (λ = 0.5 at scale 1e8 used to read back as 2.375)."""
    for lam in (-3.0, -1e-6, 1e-9, 0.5, 40.0):
        for scale in (1e-100, 1e-3, 1.0, 1e4, 1e8):
            n_i, n_h, n_o = (3, 3, 3)
            try:
                W1, W2 = numerics.lambda_balanced_init(lam, n_i, n_h, n_o, scale=scale, rng=1)
            except OutOfRangeError as exc:
                assert "read back" in str(exc) or "MAX_GRAM" in str(exc)
                continue
            assert abs(numerics.lambda_of(W1, W2) - lam) <= LAMBDA_RTOL * abs(lam)
    with pytest.raises(OutOfRangeError):
        numerics.lambda_balanced_init(0.5, 3, 3, 3, scale=1e8, rng=0)


def test_generic_gives_the_same_values_on_every_backend():
    import sympy as sp

    def sigmoid(s_target, s0, t, tau=1):
        e = g.exp(2 * s_target * t / tau)
        return (e - 1) / (e - 1 + s_target / s0)

    exact = sigmoid(sp.Integer(2), sp.Rational(1, 10), sp.Integer(3))
    with mpmath.workdps(30):
        mp = sigmoid(mpmath.mpf(2), mpmath.mpf(1) / 10, 3)
        assert abs(mp - mpmath.mpf(sp.N(exact, 40))) < mpmath.mpf(10) ** -28
    assert sigmoid(np.array([2.0]), 0.1, 3.0)[0] == pytest.approx(float(exact), rel=1e-15)
    assert g.log(np.array([1 + 1j]))[0] == pytest.approx(np.log(1 + 1j))   # complex on purpose
    assert g.exp(-1000.0) == 0.0                                              # underflow is fine
    out = g.sqrt([mpmath.mpf(2), 3.0])
    assert out.dtype == object and abs(out[1] - mpmath.sqrt(3)) < 1e-15


def test_limits_are_module_constants():
    from lazyrich.numerics import _reference
    from lazyrich.numerics.mp import _limits

    assert MAX_ELEMENTS == 2 ** 25 and MAX_GRAM == 1e300
    assert _reference.MAX_RHS_EVALS >= 15 * 11_000          # the claims need ≤ 1.1e4
    assert _limits.MAX_DPS >= 100 and _limits.MAX_WORK_DPS >= 15_000      # claims: ≤ 1.5e4
    assert _limits.MAX_ODE_WORK >= 20 * 1_300


# --------------------------------------------------------------------------------------------
# the reference integrator at the edges
# --------------------------------------------------------------------------------------------
def test_gradient_flow_resolves_a_large_initialisation():
    """The absolute tolerance followed the initial scale: from weights 1e10 shrinking to O(1)
    the result was off by 6e-7 (1 × 1, exact reference); now it is capped at the scale the
    weights settle at."""
    t = np.array([0.5, 1.0, 2.0])
    c = 1e10
    got = numerics.gradient_flow([[c]], [[c]], [[1.0]], t).product()[:, 0, 0]
    exact = numerics.aligned_trajectory(1.0, c * c, 0.0, t)
    np.testing.assert_allclose(got, exact, rtol=1e-10)


def test_gradient_flow_refuses_a_run_decided_by_rounding():
    """A small initialisation (1e-30) whose weakest mode escapes at t ≈ 200: the float64
    integration escaped 13% early (checked against the 30-digit Theorem 4.3); now that run is
    refused, and a resolvable one (1e-20 at t = 60) still matches the closed form."""
    W1, W2 = numerics.lambda_balanced_init(0.5, 3, 3, 4, rng=1)
    with pytest.raises(IntegrationError, match="cannot resolve"):
        numerics.gradient_flow(1e-30 * W1, 1e-30 * W2, S, 200.0)
    got = numerics.gradient_flow(1e-20 * W1, 1e-20 * W2, S, 60.0).qqt()
    ref = numerics.qqt(1e-20 * W1, 1e-20 * W2, S, 60.0)
    assert np.max(np.abs(got - ref)) / np.max(np.abs(ref)) < 1e-8


def test_no_floating_point_warnings_from_huge_or_tiny_valid_input():
    """Valid extreme input gives a finite answer (or a clear error), never an overflow warning
    and an inf."""
    W1, W2 = numerics.lambda_balanced_init(0.5, 3, 3, 4, rng=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for c in (1e-120, 1e120):
            X = numerics.qqt(c * W1, c * W2, c * c * S, np.array([0.0, 1.0]) / (c * c))
            assert np.all(np.isfinite(X))
        assert np.isfinite(numerics.kernel_distance(1e308 * np.eye(2), 1e-320 * np.eye(2)))
        assert numerics.lambda_of(1e-170 * W1, 1e-170 * W2) == 0.0


# --------------------------------------------------------------------------------------------
# findings in modules maintained elsewhere: pinned so that the fix is noticed
# --------------------------------------------------------------------------------------------
def test_qqt_tiny_initialisation_at_large_t():
    W1, W2 = numerics.lambda_balanced_init(0.0, 3, 3, 4, rng=1)
    X = numerics.qqt(1e-55 * W1, 1e-55 * W2, S, 1e3)
    B = numerics.qqt_b5(1e-55 * W1, 1e-55 * W2, S, 1e3)
    assert np.max(np.abs(X - B)) <= 1e-12 * np.max(np.abs(B))


def test_qqt_time_over_tau_overflow():
    W1, W2 = numerics.lambda_balanced_init(0.5, 3, 3, 4, rng=1)
    try:
        X = numerics.qqt(W1, W2, S, 1e300, tau=1e-300)
    except (OutOfRangeError, SingularError):
        return
    assert np.all(np.isfinite(X))


@pytest.mark.parametrize("value", [np.array([0.1 + 1j]), True, "0.1"])
def test_aligned_refuses_what_is_not_real(value):
    with pytest.raises(numerics.InvalidArgument):
        numerics.aligned_trajectory(1.0, value, 0.5, 1.0)


def test_qqt_block_of_a_wrong_type():
    W1, W2 = numerics.lambda_balanced_init(0.5, 3, 3, 4, rng=1)
    with pytest.raises(numerics.InvalidArgument):
        numerics.QQT(W1, W2, S).at(1.0, block=[])
