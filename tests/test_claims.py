"""Every built-in claim gets the verdict it expects, and each one can fail: fed a deliberately
wrong formula (a flipped sign, a dropped factor), it must come out ``refuted``."""

import numpy as np
import pytest

from lazyrich import numerics
from lazyrich import discover
from lazyrich.proofs.domine2025 import representations

CLAIMS = discover(entry_points_too=False)


def test_every_builtin_claim_passes():
    for cid, claim in CLAIMS.items():
        result = claim.run()
        expected = claim.expected or "verified"
        ok = result.verdict == expected or (expected == "verified" and result.verdict == "proved")
        assert ok, (cid, result.verdict, [(c["name"], c["verdict"], c["max_error"], c["detail"])
                                          for c in result.checks])


def _all_mutations():
    """Every ``MUTATIONS`` list of the test modules (each claim family keeps its own)."""
    import importlib
    import pathlib

    found = list(MUTATIONS)
    for path in sorted(pathlib.Path(__file__).parent.glob("test_*.py")):
        if path.stem == "test_claims":
            continue
        module = importlib.import_module(path.stem)
        found += list(getattr(module, "MUTATIONS", []))
    return found


def test_ids_follow_the_scheme_and_every_claim_has_a_mutation_test():
    mutated = {entry[0] for entry in _all_mutations()}
    missing = sorted(set(CLAIMS) - mutated)
    assert not missing, f"claims without a mutation test: {missing}"
    papers = {"domine2025", "tu2024"}
    for cid in CLAIMS:
        assert cid.split(".")[0] in papers, cid


def _quiet(fn):
    """Evaluate a deliberately wrong formula without numpy's divide/invalid warnings."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return fn()


def _flipped_balance(W1, W2):          # W2ᵀW2 + W1W1ᵀ: sign flipped
    return np.swapaxes(W2, -1, -2) @ W2 + W1 @ np.swapaxes(W1, -1, -2)


def _swapped_limit(S, lam):            # ±λ/2 swapped between the two blocks
    a, b, c = representations.converged_blocks(S, lam)
    a2, b2, _ = representations.converged_blocks(S, -lam)
    return a2, b2, c


MUTATIONS = [
    ("domine2025.thmA.2", "balance", _flipped_balance),
    ("domine2025.thmA.2", "balance", lambda W1, W2: np.swapaxes(W2, -1, -2) @ W2),
    ("domine2025.lemmaB.1", "F", lambda S, lam: numerics.f_matrix(S, -lam)),      # sign of λ/2
    ("domine2025.lemmaB.1", "F", lambda S, lam: numerics.f_matrix(S / 2, lam)),   # factor on Σyx
    ("domine2025.thm4.3", "qqt", lambda W1, W2, S, t, tau=1.0: numerics.qqt(W1, W2, S, 2 * t)),
    ("domine2025.thm4.3", "qqt", lambda W1, W2, S, t, tau=1.0: numerics.qqt(W1, W2, -S, t)),
    ("domine2025.thmB.5", "qqt",
     lambda W1, W2, S, t, tau=1.0: numerics.qqt(W1, W2, S, t) * (1 + 1e-7)),
    ("domine2025.thmB.5", "qqt", lambda W1, W2, S, t, tau=1.0: numerics.qqt(W1, W2, S, t / 2)),
    ("domine2025.thm5.1", "trajectory",
     lambda st, s0, lam, t, tau=1.0: numerics.aligned_trajectory(st, s0, 2 * lam, t)),
    ("domine2025.thm5.1", "trajectory",
     lambda st, s0, lam, t, tau=1.0: numerics.aligned_trajectory(st, s0, lam, t * (1 + 1e-9))),
    ("domine2025.eq17", "sigmoid",       # s̃/s0 inverted (s0 = 0 is among the points: quiet)
     lambda st, s0, t, tau=1.0: _quiet(lambda: numerics.sigmoid_limit(s0, st, t) * st / s0)),
    ("domine2025.eq17", "exponential",   # dropped factor 2 in the rate
     lambda lam, t, tau=1.0: numerics.exponential_limit(lam / 2, t)),
    ("domine2025.thm5.2", "s1", representations.s2_printed),                     # ±λ/2 swapped
    ("domine2025.thm5.2", "s2", lambda s, lam: np.sqrt(lam + np.sqrt(lam**2 + 4 * s**2))),
    ("domine2025.thmC.3", "limit", _swapped_limit),
    ("domine2025.thmC.3", "limit", lambda S, lam: tuple(2 * b for b in
                                                      representations.converged_blocks(S, lam))),
]


@pytest.mark.parametrize("cid,name,wrong", MUTATIONS,
                         ids=[f"{c}:{n}:{i}" for i, (c, n, _) in enumerate(MUTATIONS)])
def test_wrong_formula_is_refuted(cid, name, wrong):
    result = CLAIMS[cid].run(**{name: wrong})
    assert result.verdict == "refuted", [(c["name"], c["verdict"], c["max_error"], c["detail"])
                                         for c in result.checks]
