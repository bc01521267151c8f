"""High-precision (mpmath) counterparts of the closed forms: the referee for the float64 code."""
