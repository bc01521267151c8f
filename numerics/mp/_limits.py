"""Limits and input conversion shared by the mpmath referees.

Private module.  The mpmath referees run pure-Python arithmetic whose cost grows with the number
of digits, the matrix sizes, the number of points and (for the Taylor integrators) the time
span, so each input that controls cost is bounded and refused with ResourceLimitError before any
work is done:

* :data:`MAX_DPS` digits may be requested (``dps``), and :data:`MAX_WORK_DPS` digits of working
  precision may be used including guard digits (Theorem 4.3 evaluated literally needs about
  2 S_λ t/(τ ln 10) guard digits: t·S_λ/τ ≲ 2·10⁴);
* :data:`MAX_DIM` rows or columns per matrix, :data:`MAX_POINTS` points per elementwise call;
* :data:`MAX_ODE_WORK` evaluations of the right-hand side, times the number of unknowns, per
  call of a Taylor integrator (about a minute; the built-in claims use ~1 300);
* inputs of magnitude up to 10^:data:`MAX_EXP10` (and down to 10^−MAX_EXP10, or 0).

Inputs are taken exactly (floats, ints, decimal strings, mpf); complex numbers, bools, ``None``,
NaN and ±inf are refused with InvalidArgument naming the argument.
"""

from __future__ import annotations

import numbers

import mpmath
import numpy as np

from ..._errors import InvalidArgument, ResourceLimitError

#: The most decimal digits a caller may ask for (``dps``).
MAX_DPS = 10_000
#: The most digits of working precision any referee uses, guard digits included.
MAX_WORK_DPS = 20_000
#: The most rows or columns of a matrix argument (pure-Python matrix products cost ~N³).
MAX_DIM = 64
#: The most points (broadcast elements, or times) per call of an elementwise referee.
MAX_POINTS = 100_000
#: The most evaluations of the right-hand side per call of a Taylor integrator (mpmath.odefun),
#: times the number of unknowns (each evaluation costs ~0.5 ms per unknown at 30 digits): about
#: a minute.  The built-in claims use at most ~1 300 evaluations of one unknown.
MAX_ODE_WORK = 120_000
#: Inputs must satisfy 10^-MAX_EXP10 <= |x| <= 10^MAX_EXP10 (or x = 0).
MAX_EXP10 = 1_000


def check_dps(dps, name: str = "dps") -> int:
    """``dps`` as an int in [15, MAX_DPS], or InvalidArgument / ResourceLimitError."""
    if isinstance(dps, (bool, np.bool_)) or not isinstance(dps, numbers.Integral) or dps < 15:
        raise InvalidArgument(f"{name} must be an int >= 15; got {dps!r}. Pass e.g. {name}=50.")
    if dps > MAX_DPS:
        raise ResourceLimitError(
            f"{name} = {int(dps):,} digits is more than the {MAX_DPS:,} the mpmath referees allow "
            f"(MAX_DPS; the cost grows faster than the number of digits). Pass {name} <= "
            f"{MAX_DPS}.")
    return int(dps)


def check_work_dps(digits: int, what: str, fix: str) -> int:
    """Raise ResourceLimitError if a working precision of ``digits`` exceeds MAX_WORK_DPS."""
    if digits > MAX_WORK_DPS:
        raise ResourceLimitError(
            f"{what} needs {check_work_dps_cap(digits)} digits of working precision, more than the "
            f"{MAX_WORK_DPS:,} allowed (MAX_WORK_DPS). {fix}")
    return digits


def check_dim(name: str, shape) -> None:
    """Raise ResourceLimitError if a matrix dimension exceeds MAX_DIM."""
    if max(shape, default=0) > MAX_DIM:
        raise ResourceLimitError(
            f"{name} has shape {tuple(shape)}; the mpmath referees take at most {MAX_DIM} rows "
            f"and columns (MAX_DIM; pure-Python products cost ~N³ per operation). Use the "
            f"float64 numerics for large shapes.")


def check_points(name: str, count: int) -> None:
    """Raise ResourceLimitError if an elementwise call has more than MAX_POINTS points."""
    if count > MAX_POINTS:
        raise ResourceLimitError(
            f"{name} would evaluate {count:,} points; the mpmath referees take at most "
            f"{MAX_POINTS:,} per call (MAX_POINTS, ~1 ms each). Use the float64 numerics, or "
            f"fewer points.")


def check_work_dps_cap(digits) -> str:
    """How to print a working precision that may be astronomically large."""
    return f"~{digits:,}" if digits < 10 ** 9 else "more than 10^9"


def to_mpf(name: str, value) -> mpmath.mpf:
    """A finite real ``value`` (float, int, string, mpf) as mpf at the current precision."""
    if value is None or isinstance(value, (bool, np.bool_)):
        raise InvalidArgument(f"{name} = {value!r} is not a real number. Pass a float, int, "
                              f"string or mpf.")
    if isinstance(value, (complex, np.complexfloating, mpmath.mpc)):
        raise InvalidArgument(f"{name} = {value!r} is complex; the referees are real and an "
                              f"imaginary part is never dropped. Pass the real part if the "
                              f"imaginary part is rounding noise.")
    try:
        v = mpmath.mpf(value)
    except (TypeError, ValueError) as exc:
        raise InvalidArgument(f"{name} = {value!r} is not a real number ({exc}). Pass a float, "
                              f"int, string or mpf.") from None
    if not mpmath.isfinite(v):
        raise InvalidArgument(f"{name} = {v} is not finite; every argument must be finite.")
    if v != 0:
        mag = int(v.man.bit_length() + v.exp) if hasattr(v, "man") else 0
        if abs(mag) > MAX_EXP10 * 3.3219280948873626 + 1:
            raise InvalidArgument(
                f"{name} = {mpmath.nstr(v, 5)} is outside the magnitudes the referees accept "
                f"(10^-{MAX_EXP10} to 10^{MAX_EXP10}, MAX_EXP10). Rescale it.")
    return v
