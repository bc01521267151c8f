"""Fast float64 numerics and their mpmath references (filled in below)."""
from ._errors import (ArchitectureError, InvalidArgument, LazyrichError, NotBalancedError,
                      NotWhitenedError, SingularError)
