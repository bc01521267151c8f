"""Claims of Dominé et al., "From Lazy to Rich: Exact Learning Dynamics in Deep Linear Networks"
(ICLR 2025, arXiv:2409.14623). One module per section; ids ``domine2025.<kind><number>``."""
