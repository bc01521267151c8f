"""Claims of Tu, Aranguri & Jacot, "Mixed Dynamics in Linear Networks: Unifying the Lazy and
Active Regimes" (NeurIPS 2024, arXiv 2405.17580), ids ``tu2024.*``.

The printed paper's formulas could not be read: eq (1) is confirmed from
the official code; Theorem 1's bound and Theorem 2's statement were not recovered, so those claims
are stated as reconstructed/measured simulations and say so in their notes.
"""
