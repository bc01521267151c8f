"""Section 5 regimes (proofs/domine2025/regimes.py): each claim gets its expected verdict, and
each one is refuted when fed a wrong table, a wrong NTK, a wrong kernel distance or a wrong
rate."""

import numpy as np
import pytest

from lazyrich import numerics
from lazyrich.proofs.domine2025 import regimes

CLAIMS = {c.id: c for c in (regimes.funnel, regimes.inverted_funnel, regimes.square,
                            regimes.square_peak, regimes.static_ntk, regimes.delayed_rich_rate)}


def _swap_signs(architecture, sign):          # the table with λ → +∞ and λ → −∞ swapped
    return regimes.predicted_regime(architecture, -sign)


def _all_lazy(architecture, sign):            # "every large |λ| is lazy" (wrong for funnels)
    return "rich" if sign == 0 else "lazy"


def _ntk_without_w2_term(W1, W2, X):          # dropped W2W2ᵀ ⊗ XᵀX
    H = W1 @ X
    return np.kron(np.eye(W2.shape[0]), H.T @ H)


def _ntk_without_w1_term(W1, W2, X):          # dropped I ⊗ XᵀW1ᵀW1X
    return np.kron(W2 @ W2.T, X.T @ X)


def _cosine_similarity(K1, K2):               # "1 −" dropped from the kernel distance
    return 1.0 - numerics.kernel_distance(K1, K2)


MUTATIONS = [
    ("domine2025.sec5.funnel", "predicted_regime", _swap_signs),
    ("domine2025.sec5.funnel", "predicted_regime", _all_lazy),
    ("domine2025.sec5.funnel", "ntk", _ntk_without_w2_term),
    ("domine2025.sec5.inverted-funnel", "predicted_regime", _swap_signs),
    ("domine2025.sec5.inverted-funnel", "ntk", _ntk_without_w1_term),
    ("domine2025.sec5.square", "predicted_regime",
     lambda a, s: regimes.predicted_regime("funnel", s)),
    ("domine2025.sec5.square", "ntk", _ntk_without_w2_term),
    ("domine2025.sec5.square-peak", "kernel_distance", _cosine_similarity),
    ("domine2025.sec5.square-peak", "ntk", _ntk_without_w2_term),
    ("domine2025.sec5.static-ntk", "ntk", _ntk_without_w2_term),
    ("domine2025.sec5.static-ntk", "decay_exponent", lambda: 2.0),
    ("domine2025.sec5.static-ntk", "decay_exponent", lambda: 4.0 + 1e-6),     # beyond any fit
    ("domine2025.sec5.static-ntk", "kernel_distance",                          # off by 1e-9
     lambda K1, K2: numerics.kernel_distance(K1, K2) * (1 + 1e-9)),
    ("domine2025.sec5.square-peak", "ntk",                                     # 1e-9 too large
     lambda W1, W2, X: numerics.ntk(W1, W2, X) * (1 + 1e-9)),
    ("domine2025.sec5.delayed-rich-rate", "slow_rate", lambda s, lam: s / abs(lam)),
    ("domine2025.sec5.delayed-rich-rate", "slow_rate", lambda s, lam: 2 * s**2 / abs(lam)),
    ("domine2025.sec5.delayed-rich-rate", "slow_rate",                       # the exact rate
     lambda s, lam: (s**2 + lam**2 / 4) ** 0.5 - abs(lam) / 2),
    ("domine2025.sec5.delayed-rich-rate", "slow_rate",                       # 1e-6 too fast
     lambda s, lam: (1 + 1e-6) * s**2 / abs(lam)),
    ("domine2025.sec5.delayed-rich-rate", "ntk", _ntk_without_w1_term),
]


@pytest.mark.parametrize("cid", sorted(CLAIMS))
def test_claim_is_verified(cid):
    result = CLAIMS[cid].run()
    assert result.verdict == "verified", [(c["name"], c["verdict"], c["max_error"], c["detail"])
                                          for c in result.checks]


def test_every_claim_has_a_mutation():
    assert set(CLAIMS) <= {cid for cid, _, _ in MUTATIONS}


@pytest.mark.parametrize("cid,name,wrong", MUTATIONS,
                         ids=[f"{c}:{n}:{i}" for i, (c, n, _) in enumerate(MUTATIONS)])
def test_wrong_formula_is_refuted(cid, name, wrong):
    result = CLAIMS[cid].run(**{name: wrong})
    assert result.verdict == "refuted", [(c["name"], c["verdict"], c["max_error"], c["detail"])
                                         for c in result.checks]


def test_jacobian_ntk_is_the_kronecker_form():
    """The reference NTK (columns of the Jacobian) against eq 5's Kronecker form, written out
    here independently, at unequal sizes."""
    rng = np.random.default_rng(3)
    W1, W2 = rng.standard_normal((2, 5)), rng.standard_normal((3, 2))
    X = rng.standard_normal((5, 4))
    H = W1 @ X
    kron = np.kron(np.eye(3), H.T @ H) + np.kron(W2 @ W2.T, X.T @ X)
    assert np.allclose(regimes.jacobian_ntk(W1, W2, X), kron, rtol=1e-13, atol=1e-13)


def test_formula_caches_hold_no_formula_values():
    """The cached reference samples are computed without the formulas under test: a wrong NTK
    evaluated first must not change them (they are the same object afterwards)."""
    before = regimes._reference_ntks()
    regimes.square_peak.run(ntk=lambda W1, W2, X: 2 * numerics.ntk(W1, W2, X))
    assert regimes._reference_ntks() is before
    for *_, W1, W2, X, K in before:
        assert np.allclose(K, numerics.ntk(W1, W2, X), rtol=1e-12, atol=1e-12)


def test_table_of_spec_section_12():
    # the regime table of Sec. 5, written out independently of the module's rule
    table = {("funnel", 1): "lazy", ("funnel", -1): "delayed-rich", ("funnel", 0): "rich",
             ("square", 1): "lazy", ("square", -1): "lazy", ("square", 0): "rich",
             ("inverted-funnel", 1): "delayed-rich", ("inverted-funnel", -1): "lazy",
             ("inverted-funnel", 0): "rich"}
    for (arch, sign), want in table.items():
        assert regimes.predicted_regime(arch, sign) == want


def test_classify_regime_thresholds():
    assert regimes.classify_regime(0.005, 0.1, None) == "lazy"
    assert regimes.classify_regime(0.3, 0.6, None) == "rich"
    assert regimes.classify_regime(0.3, 200.0, 1.05) == "delayed-rich"
    assert regimes.classify_regime(0.3, 200.0, 0.5) == "unclassified"
    assert regimes.classify_regime(0.05, 0.6, None) == "unclassified"
    assert regimes.classify_regime(float("nan"), 0.6, None) == "unclassified"


def test_t90_interpolates_in_log_time():
    t = np.array([0.0, 1.0, 10.0, 100.0])
    d = np.array([0.0, 0.0, 0.5, 1.0])
    # 0.9 is reached 80 % of the way from 10 to 100 in d, so at 10**1.8 in log-linear time
    assert regimes.t90(t, d) == pytest.approx(10 ** 1.8)


@pytest.mark.parametrize("call,match", [
    (lambda: regimes.predicted_regime("pyramid", 1), "architecture"),
    (lambda: regimes.predicted_regime("square", 2), "sign"),
    (lambda: regimes.kernel_distance_curve("square", float("nan"), 0), "lam"),
    (lambda: regimes.kernel_distance_curve("square", 1.0, -1), "seed"),
    (lambda: regimes.t90([0, 1], [0, 1]), "length"),
])
def test_bad_input_names_the_argument(call, match):
    with pytest.raises(numerics.LazyrichError, match=match):
        call()
