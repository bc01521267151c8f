"""Structural matrix derivations with non-commutative SymPy symbols.

A matrix identity such as L² = AAᵀ + c²I with L = U D Uᵀ is checked for every size at once by
treating U, Uᵀ, D, ... as non-commutative symbols and rewriting with the defining relations
(UᵀU = I, D² = S² + c², ...) until nothing changes.  The rewriting is an explicit, named move
(:func:`rewriter`), so a derivation step says exactly which relations it used.
"""

from __future__ import annotations

from typing import Sequence

import sympy as sp


def rewriter(rules: Sequence[tuple], name: str):
    """A move for ``Derivation.step``: expand, then apply ``rules`` (pattern → replacement,
    products of non-commutative symbols) and re-expand until a fixed point (≤ 20 rounds)."""

    def move(expr):
        e = sp.expand(expr)
        for _ in range(20):
            prev = e
            for pattern, repl in rules:
                e = sp.expand(e.subs(pattern, repl))
            if e == prev:
                break
        return e

    move.__name__ = name
    return move
