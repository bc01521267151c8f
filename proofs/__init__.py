"""The papers' claims, one module per section of each paper (``lazyrich.proofs.<paper>``).

Each module reads like its section: the claims (statement, scope, assumptions, source) and the
checks that decide them. The machinery they use lives below (``lazyrich`` model,
``lazyrich.numerics``, ``lazyrich.derive``); the engine that finds and runs them lives above.
"""

#: The papers whose claims ship with lazyrich (sub-packages of this package).
PAPERS = ("domine2025", "tu2024")
