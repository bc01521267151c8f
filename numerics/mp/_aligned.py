"""mpmath references for Theorem 5.1 / C.1 (eqs 16, 115–117): the aligned singular-value dynamics.

Independent of the float64 code in ``numerics._aligned`` (which uses a factored e^{−x} form):

* ``transition_function`` evaluates the cosh/sinh closed form of γ *literally*,

      γ = [S0 S_λ sinh(y) + (s0 s̃ + λ²/4)(cosh(y) − 1)]
          / [s̃(s̃ − s0) + S0 S_λ sinh(y) + (s0 s̃ + λ²/4) cosh(y)],      y = 2 S_λ t/τ,

  and ``aligned_trajectory`` returns s0 + γ (s̃ − s0).  Both cancel badly in places (cosh(y) − 1
  for small y; P sinh + Q cosh ≈ e^{−y} when s0 < 0 and λ ≈ 0; s0 + γ(s̃ − s0) near the saddle),
  so each value is computed with guard digits (20 + y/ln 10 + 2 log10(1/y), at most 4000 to
  start) and then recomputed with twice the guard; the two must agree to ``dps`` digits, otherwise
  the guard is doubled again (up to 20 000 digits, then ``ResourceLimitError``: e.g. a λ = 0
  reversed mode at 2 s̃ t/τ > 40 000, whose value is below 10^-17000 anyway).  Two results that
  are both exactly 0 are accepted only where the exact answer is 0 (s0 = 0 at a fixed point, or
  t = 0), since s0 + γ(s̃ − s0) rounds to exactly 0 when |s0| ≫ |s| and the precision is short.  The agreement of
  two evaluations at different precisions is what makes the result trustworthy to ``dps`` digits.
* S_λ = 0 (s̃ = λ = 0), where the formula is 0/0, uses s = s0/(1 + 2|s0| t/τ) (the ODE
  τ ds/dt = −2|s| s solved directly) and γ = 2|s0|t/τ / (1 + 2|s0|t/τ).
* ``ode_trajectory`` integrates τ ds/dt = sqrt(λ² + 4 s²)(s̃ − s) with ``mpmath.odefun`` (Taylor
  series method) — a formula-free third reference; keep it to moderate t (≲ 20) and |λ| (≲ 10).

Inputs may be Python/numpy floats, ints, strings or ``mpf`` (a float is taken exactly), scalars or
array-likes that broadcast; arrays give numpy object arrays of ``mpf`` (one evaluation per element,
via ``np.frompyfunc``), scalars give an ``mpf``.

Private module; the lead decides the export from ``numerics.mp``.
"""

from __future__ import annotations

import mpmath
import numpy as np

from ..._errors import IntegrationError, InvalidArgument, ResourceLimitError
from .._validate import boundary
from ._limits import MAX_ODE_WORK, MAX_WORK_DPS, check_dps, check_points, to_mpf

__all__ = ["aligned_trajectory", "transition_function", "ode_trajectory", "to_mpf_array"]

_MAX_DPS = MAX_WORK_DPS
_to_mpf = to_mpf


@boundary
def to_mpf_array(name: str, value) -> np.ndarray:
    """Return ``value`` as a numpy object array of finite ``mpf`` (exact for floats).

    Raises InvalidArgument for complex, bool, None, NaN/inf or non-numeric entries (naming
    ``name``), and ResourceLimitError beyond MAX_POINTS entries.
    """
    try:
        arr = np.asarray(value, dtype=object)
    except (TypeError, ValueError) as exc:
        raise InvalidArgument(f"{name} must be a number or a rectangular array of numbers "
                              f"({exc}).") from None
    check_points(name, arr.size)
    out = np.empty(arr.shape, dtype=object)
    for idx in np.ndindex(arr.shape):
        out[idx] = to_mpf(name, arr[idx])
    return out


def _prepare(names, values):
    arrs = [to_mpf_array(n, v) for n, v in zip(names, values)]
    d = dict(zip(names, arrs))
    if "t" in d and any(v < 0 for v in d["t"].flat):
        raise InvalidArgument(f"t must be >= 0 (the closed form runs forward from t = 0); got "
                              f"min t = {min(d['t'].flat)}. Pass non-negative times.")
    if "tau" in d and any(v <= 0 for v in d["tau"].flat):
        raise InvalidArgument(f"tau must be > 0 (time constant); got min tau = "
                              f"{min(d['tau'].flat)}. Pass a positive tau.")
    try:
        shape = np.broadcast_shapes(*(a.shape for a in arrs))
    except ValueError:
        shapes = ", ".join(f"{n}: {a.shape}" for n, a in d.items())
        raise InvalidArgument(f"the arguments do not broadcast together ({shapes}).") from None
    check_points("the broadcast arguments", int(np.prod(shape, dtype=object)))
    return np.broadcast_arrays(*arrs)


def _apply(fun, arrs, **kw):
    shape = arrs[0].shape
    uf = np.frompyfunc(lambda *a: fun(*a, **kw), len(arrs), 1)
    out = uf(*arrs)
    if shape == ():
        return out if isinstance(out, mpmath.mpf) else out[()]
    return np.asarray(out, dtype=object).reshape(shape)


# --------------------------------------------------------------------------------------------
# literal closed form at a given working precision
# --------------------------------------------------------------------------------------------

def _literal(st, s0, lam, t, tau, want_s):
    """The γ (and s) at the current mpmath precision, literally."""
    l2 = lam * lam / 4
    S = mpmath.sqrt(st * st + l2)
    S0 = mpmath.sqrt(s0 * s0 + l2)
    if S == 0:
        u = 2 * abs(s0) * t / tau
        return s0 / (1 + u) if want_s else u / (1 + u)
    y = 2 * S * t / tau
    P = S0 * S
    Q = s0 * st + l2
    sh = mpmath.sinh(y)
    ch = mpmath.cosh(y)
    num = P * sh + Q * (ch - 1)
    den = st * (st - s0) + P * sh + Q * ch
    g = num / den
    return s0 + g * (st - s0) if want_s else g


def _guard(st, s0, lam, t, tau) -> int:
    with mpmath.workdps(30):
        S = mpmath.sqrt(st * st + lam * lam / 4)
        y = 2 * S * t / tau
        g = 20
        if y > 0:
            g += int(min(y / mpmath.log(10), 4000))
            if y < 1:
                g += int(2 * (-mpmath.log10(y))) + 2
        return g


def _exact_zero(st, s0, lam, t, want_s) -> bool:
    """True where the exact answer is 0 (so two zero evaluations are not a rounding accident)."""
    if t == 0:
        return True if not want_s else s0 == 0
    if s0 != 0:
        return False
    # s0 = 0: s ≡ 0 iff 0 is a fixed point (λ = 0 or s̃ = 0); γ's numerator is 0 iff λ = 0
    return (lam == 0 or st == 0) if want_s else lam == 0


def _eval(st, s0, lam, t, tau, want_s, digits):
    with mpmath.workdps(digits):
        try:
            return _literal(st, s0, lam, t, tau, want_s)
        except ZeroDivisionError:          # a denominator cancelled completely: more digits
            return None


def _adaptive(st, s0, lam, t, tau, dps, want_s):
    g = _guard(st, s0, lam, t, tau)
    zero_ok = _exact_zero(st, s0, lam, t, want_s)
    prev = _eval(st, s0, lam, t, tau, want_s, dps + g)
    while True:
        g = 2 * g
        if dps + g > _MAX_DPS:
            raise ResourceLimitError(
                f"the mp aligned closed form did not settle to {dps} digits below {_MAX_DPS:,} "
                f"digits of working precision (MAX_WORK_DPS) at s_target = "
                f"{mpmath.nstr(st, 8)}, s0 = {mpmath.nstr(s0, 8)}, lam = {mpmath.nstr(lam, 8)}, "
                f"t = {mpmath.nstr(t, 8)}, tau = {mpmath.nstr(tau, 8)}: the value cancels below "
                f"10^-{_MAX_DPS} (e.g. a reversed λ = 0 mode at large t). Use the float64 "
                f"numerics.aligned_trajectory, or a smaller t.")
        cur = _eval(st, s0, lam, t, tau, want_s, dps + g)
        if cur is not None and prev is not None:
            with mpmath.workdps(dps + g):
                if cur == 0 or prev == 0:
                    ok = cur == prev and zero_ok
                else:
                    ok = abs(cur - prev) <= abs(cur) * mpmath.mpf(10) ** (-dps - 2)
            if ok:
                with mpmath.workdps(dps):
                    return +cur
        prev = cur


def _check_dps(dps) -> int:
    return check_dps(dps)


@boundary
def aligned_trajectory(s_target, s0, lam, t, tau=1, *, dps=50):
    """s(t) = s0 + γ(t; λ)(s̃ − s0) from the cosh/sinh γ, accurate to ``dps`` digits.

    Arguments:
        s_target, s0, lam: s̃, s(0), λ (finite reals; float/int/str/mpf or array-likes).
        t: times >= 0; tau: τ > 0.  All five broadcast together.
        dps: decimal digits of the result (guard digits are added automatically).

    Returns:
        ``mpf`` for scalar inputs, else a numpy object array of ``mpf`` of the broadcast shape.

    Raises:
        InvalidArgument: non-finite or non-real input, t < 0, tau <= 0, bad dps, shapes that do
            not broadcast.  ResourceLimitError: dps > MAX_DPS, more than MAX_POINTS points, or
            the precision doubling does not settle below MAX_WORK_DPS digits.
    """
    dps = _check_dps(dps)
    arrs = _prepare(("s_target", "s0", "lam", "t", "tau"), (s_target, s0, lam, t, tau))
    return _apply(_adaptive, arrs, dps=dps, want_s=True)


@boundary
def transition_function(s_target, s0, lam, t, tau=1, *, dps=50):
    """γ(t; λ) of eq 16 from the cosh/sinh form, accurate to ``dps`` digits.

    At s̃ = s0 the literal formula is well defined (it equals 1 − e^{−2 S_λ t/τ}); at S_λ = 0
    (s̃ = λ = 0) γ = u/(1 + u), u = 2|s0| t/τ.

    Arguments / Returns / Raises: as ``aligned_trajectory``.
    """
    dps = _check_dps(dps)
    arrs = _prepare(("s_target", "s0", "lam", "t", "tau"), (s_target, s0, lam, t, tau))
    return _apply(_adaptive, arrs, dps=dps, want_s=False)


class _TooManyEvaluations(Exception):
    pass


def _ode_one(st, s0, lam, t, tau, dps, count):
    with mpmath.workdps(dps):
        l2 = lam * lam

        def rhs(_t, s):
            count[0] += 1
            if count[0] > MAX_ODE_WORK:
                raise _TooManyEvaluations(_t)
            return mpmath.sqrt(l2 + 4 * s * s) * (st - s) / tau

        if t == 0:
            return +s0
        f = mpmath.odefun(rhs, 0, s0)
        try:
            return +f(t)
        except _TooManyEvaluations as exc:
            raise IntegrationError(
                f"ode_trajectory stopped at t = {mpmath.nstr(exc.args[0], 6)} of "
                f"{mpmath.nstr(t, 6)}: this call has used {MAX_ODE_WORK:,} evaluations "
                f"(MAX_ODE_WORK, about a minute); the Taylor integrator's cost grows with "
                f"t·sqrt(λ² + 4 s²)/τ and the number of points. Use aligned_trajectory (closed "
                f"form, any t), t ≲ 20, or fewer points.") from None


@boundary
def ode_trajectory(s_target, s0, lam, t, tau=1, dps=30):
    """s(t) by integrating τ ds/dt = sqrt(λ² + 4 s²)(s̃ − s) with ``mpmath.odefun`` (Taylor).

    A formula-free reference.  The cost grows with t·sqrt(λ² + 4 max s²)/τ; keep t ≲ 20 and
    |λ| ≲ 10.  The integrator works at ``dps`` digits; its local tolerance is 10^{-dps}, so
    expect ~dps − 5 correct digits.

    Arguments:
        s_target, s0, lam, t (>= 0), tau (> 0): broadcast together (floats/strings/mpf).
        dps: working precision (int >= 15).

    Returns:
        ``mpf`` or numpy object array of ``mpf``.

    Raises:
        InvalidArgument, ResourceLimitError: as ``aligned_trajectory``.
        IntegrationError: more than MAX_ODE_WORK evaluations of the right-hand side in all (t
            too large for the Taylor integrator, or too many points).
    """
    dps = _check_dps(dps)
    arrs = _prepare(("s_target", "s0", "lam", "t", "tau"), (s_target, s0, lam, t, tau))
    return _apply(_ode_one, arrs, dps=dps, count=[0])
