"""Theorem 5.1 / C.1 (eqs 16, 115–117): singular-value dynamics for a task-aligned λ-balanced init.

Each mode of W2W1 = Ũ S(t) Ṽᵀ obeys the scalar ODE

    τ ds/dt = sqrt(λ² + 4 s²) (s̃ − s),            s(0) = s0,

and s(t) = s0 + γ(t; λ) (s̃ − s0) (eq 16).  This module evaluates s(t) and γ in float64 for every
finite input, to ~1e-13 relative accuracy where the value is representable (see "Accuracy").

Derivation of the stable form
-----------------------------
Write ℓ = |λ|/2, S = S_λ = sqrt(s̃² + ℓ²), S0 = sqrt(s0² + ℓ²), x = 2 S t/τ, e = exp(−x),
ε = 1 − e = −expm1(−x).  Multiplying numerator and denominator of the cosh/sinh form of γ by
2e^{−x} and using

    A = S0 S + s0 s̃ + ℓ²,    B = S0 S − s0 s̃ − ℓ²,    A·B = ℓ² (s̃ − s0)²,   A, B ≥ 0,

gives (only e^{−positive} appears; every term is ≥ 0, so there is no cancellation)

    γ     = ε (A + B e) / D,     1 − γ = 2 S² e / D,     D = ε (A + B e) + 2 S² e.

If s0 and s̃ have the same sign, s = s0 (1 − γ) + s̃ γ is a convex combination of same-sign numbers
(no cancellation).  If they have opposite signs (a "reversed" mode) s can cross 0 (λ ≠ 0) or decay
to the saddle 0 like e^{−2 s̃ t/τ} (λ = 0, eq 183), and the convex combination would cancel.  Then
(after scaling by S, so S = 1, q = s̃/S, m = ℓ/S, p = s0/S < 0 < q) the numerator and denominator
of s = N(e)/D(e), both quadratics in e, are factored into linear factors (their roots are where
the substitution s = ℓ sinh θ has e^θ = ±1):

    s/S = −F1 · R / den,
    F1  = B (e − e*)          (the only factor that changes sign: s = 0 exactly at e = e*),
    R   = q/K + G (h/e*)/B,   den = 2/(K + A) + B ε / K,
    K = (q − p)(1 + q),  B e* = m q (q − p)/(1 + m),  B (1 − e*) = |p| (|p|/(S0 + m) + q/(1 + m)),
    G = q (1 + q + m)/((1 + m)(1 + q)),  h/e* = m (q − p)(1 + m) / (q (A + K e)),

with F1 evaluated as B e − B e* when e* ≤ 1/2 and as B(1 − e*) − B ε otherwise, so its rounding
error is of the order of the inherent sensitivity of s to t.  A + K e is evaluated in log space when
both terms are below 1e-280 (tiny λ and huge t), which keeps the escape from the saddle right.
For λ = 0, A = 0 and e* = 0, and the formula reduces to eq 183 exactly, with no e² that could
underflow before the answer does.

Small quantities are never formed as differences: B (s0 ≥ 0) and A (s0 < 0) are obtained from
A·B = ℓ²(s̃ − s0)², and S0 S − ℓ² = (s0² S² + ℓ² s̃²)/(S0 S + ℓ²) (normalised form).  Hence λ → 0
is continuous (λ = 1e-12 agrees with λ = 0 to O(λ²) while the mode has not escaped), and λ = 0 is
the Saxe sigmoid exactly.

Special cases
-------------
* s̃ < 0: the ODE is odd under (s, s̃) → (−s, −s̃), so the mode is computed with the signs flipped
  (and for s̃ = 0 with s0 < 0 likewise).  All finite s̃ are supported; γ is unchanged by the flip.
* S_λ = 0 (s̃ = 0 and λ = 0): τ ds/dt = −2|s| s, s(t) = s0/(1 + 2|s0| t/τ), γ = u/(1 + u) with
  u = 2|s0| t/τ.
* s̃ = s0: γ is defined by the same closed form, which there equals 1 − e^{−2 S_λ t/τ} (the
  linearised rate sqrt(λ² + 4 s̃²)); it is the limit s0 → s̃ of (s(t) − s0)/(s̃ − s0).
* λ = 0 and s0 = 0: s ≡ 0 (the saddle is a fixed point); γ ≡ 0.  For λ ≠ 0 the mode escapes.

Accuracy
--------
Measured against a 50-digit mpmath evaluation of the cosh/sinh formula (tests/test_aligned.py):
relative error ≤ 2e-15 on the grid λ ∈ {0, ±1e-12, ±1e-6, ±0.3, ±5, ±1e3}, t ∈ {0 … 500},
s0 ∈ {0, −0.5, 1e-6, 0.3, 2.5}, s̃ ∈ {0.5, 1, 3}.  The float64 argument x = 2 S_λ t/τ carries a
rounding error of about x·1e-16, so the relative error of e^{−x}-dominated values (a λ = 0 reversed
mode decaying to the saddle, or a mode before its escape) can grow like x·1e-16 (1e-13 at x = 800);
that is the conditioning of s(t) in t, not an error of the formula.  Near a zero crossing
(s0 s̃ < 0, λ ≠ 0) the relative error is unbounded for any method that rounds x; the error is then
≲ 1e-16 |t ds/dt|.  Values below ~1e-300 may come back denormal or 0.

Guaranteed range: the ratios between the non-zero |s0|, |s̃|, |λ| at most ~1e290 (t, τ and
S_λ t/τ arbitrary).  Beyond it (e.g. |λ|/S_λ < 1e-306, where λ is treated as 0 and a mode started
at or behind the saddle never escapes, or |s0|/S_λ > 1e300) the functions still return finite
numbers without floating-point warnings, but they may be wrong.

Private module; the lead decides the export from ``numerics``.
"""

from __future__ import annotations

import numpy as np

from .._errors import InvalidArgument
from ._validate import as_array

__all__ = ["aligned_trajectory", "transition_function", "sigmoid_limit", "exponential_limit"]

#: Below this a float is treated as (possibly) denormal: switch to log-space evaluation.
_TINY = 1e-280
#: The smallest positive normal float64.
_NORMAL_MIN = float(np.finfo(np.float64).tiny)
#: |λ|/S_λ below this is treated as λ = 0 (documented limitation, see module docstring).
_M_MIN = 1e-306


# --------------------------------------------------------------------------------------------
# argument handling
# --------------------------------------------------------------------------------------------

def _finite(name: str, value) -> np.ndarray:
    """as_array(name, value): a finite float64 array, or InvalidArgument naming ``name``.  The
    common case costs one reduction: a sum that is finite proves every entry finite (if it is
    not, possibly by overflow of a sum of finite entries, as_array decides)."""
    if isinstance(value, float) or (isinstance(value, np.ndarray)
                                    and value.dtype == np.float64):
        arr = np.asarray(value, dtype=np.float64)
        if arr.size and not np.isfinite(arr.sum()):
            return as_array(name, value)
        return arr
    # anything else (ints, lists, complex, bool, strings, mpmath, ...) takes the full
    # validation: never a dropped imaginary part or a bool read as 0/1
    return as_array(name, value)


def _check_times(name: str, arr: np.ndarray) -> None:
    if arr.size and arr.min() < 0:
        _check_times_full(name, arr)


def _check_times_full(name: str, arr: np.ndarray) -> None:
    if np.any(arr < 0):
        raise InvalidArgument(
            f"{name} must be >= 0 (the closed form runs forward from the initialisation at "
            f"{name} = 0); got min {name} = {float(arr.min())!r}. Pass non-negative times."
        )


def _check_tau(arr: np.ndarray) -> None:
    if arr.size and arr.min() <= 0:
        _check_tau_full(arr)


def _check_tau_full(arr: np.ndarray) -> None:
    if np.any(arr <= 0):
        raise InvalidArgument(
            f"tau must be > 0 (it is the time constant 1/η of gradient flow); got min tau = "
            f"{float(arr.min())!r}. Pass a positive tau."
        )


def _broadcast(**arrays: np.ndarray) -> list[np.ndarray]:
    try:
        return [np.asarray(a, dtype=np.float64) for a in np.broadcast_arrays(*arrays.values())]
    except ValueError:
        shapes = ", ".join(f"{k}: {np.shape(v)}" for k, v in arrays.items())
        raise InvalidArgument(
            f"the arguments do not broadcast together ({shapes}); give them numpy-broadcastable "
            f"shapes (e.g. t[:, None] against a row of s_target)."
        ) from None


def _prepare(s_target, s0, lam, t, tau):
    """The five arguments as broadcast float64 arrays."""
    st = _finite("s_target", s_target)
    s0a = _finite("s0", s0)
    la = _finite("lam", lam)
    ta = _finite("t", t)
    tau_a = _finite("tau", tau)
    _check_times("t", ta)
    _check_tau(tau_a)
    return _broadcast(s_target=st, s0=s0a, lam=la, t=ta, tau=tau_a)


def _finish(out: np.ndarray) -> np.ndarray:
    """Return a float64 array (0-d arrays become numpy float64 scalars)."""
    return out[()] if out.ndim == 0 else out


# --------------------------------------------------------------------------------------------
# the core (all arrays already broadcast, finite, t >= 0, tau > 0)
#
# Speed.  The arrays are processed in cache-sized 1-D blocks (the ~50 array passes of the closed
# form then run in cache).  Within a block the common case (s0 and s̃ of the same sign, e^{−x} a
# normal number, S_λ > 0) is evaluated on the whole block; each rarer branch (reversed mode, log
# space, x denormal, S_λ = 0, t = 0, the range guards) only on the elements where it applies
# (gathered by index; not at all when there are none).  Every element goes through exactly the
# operations it went through in the branch-free form (np.where over all branches), so the
# results are the same bit for bit.
# --------------------------------------------------------------------------------------------

#: Elements per block: ~30 live float64 temporaries of this length fit in L2/L3 cache.
_BLOCK = 16384


def _pos_AB(p, q, m):
    """A, B, ln A and A > 0 for s0 >= 0 (p >= 0, q >= 0): A is a sum of non-negative terms,
    B = m²(q−p)²/A."""
    P0 = np.hypot(p, m)
    mqp = m * (q - p)
    A = P0 + p * q + m * m
    A_ok = A > 0                           # A = 0 only for p = m = 0, where B = 0 too
    A_s = np.where(A_ok, A, 1.0)
    B = mqp * (mqp / A_s)
    return A, B, np.log(A_s), A_ok


def _h_over_estar_log(lnA, lnK, x, e_star, m, qmp, q):
    """h/e* of a reversed mode (m > 0) where A + K e is not a normal number, in log space."""
    h_log = np.exp(-np.logaddexp(0.0, lnK - x - lnA))
    es_ok = e_star > 1e-307
    lnAKe = np.logaddexp(lnA, lnK - x)
    return np.where(
        es_ok, h_log / np.where(es_ok, e_star, 1.0),
        np.exp(np.minimum(np.log(m) + np.log(qmp) + np.log1p(m) - np.log(q) - lnAKe, 709.0)))


def _neg_parts(p, q, m, x, e, eps):
    """s/S_λ for a reversed mode, p < 0 < q (factored form, module docstring), and A, B, ln A,
    A_ok (as _pos_AB)."""
    P0 = np.hypot(p, m)
    ap = -p
    qmp = q - p                                          # > 0
    den0 = P0 + m * m
    B0 = p * (p / den0) + (m * q) * ((m * q) / den0) + ap * q  # > 0, non-negative terms
    # B underflows to 0 only if |s0|, s̃ < 1e-150 ℓ: then the ODE is linear (see below)
    lin = np.flatnonzero(B0 == 0)
    B = B0.copy()
    B[lin] = 1.0
    mqp = m * qmp
    A = mqp * (mqp / B)                                  # may underflow for tiny m: use ln A
    m_s = np.where(m > 0, m, 1.0)
    lnA = 2.0 * np.log(m_s) + 2.0 * np.log(qmp) - np.log(B)
    K = qmp * (1.0 + q)
    Be_star = m * q * qmp / (1.0 + m)                    # B e*
    Bdelta = ap * (ap / (P0 + m) + q / (1.0 + m))        # B (1 − e*)
    e_star = Be_star / B
    F1 = np.where(e_star <= 0.5, B * e - Be_star, Bdelta - B * eps)   # B (e − e*)
    # h = A/(A + K e) and h/e*, directly when A + K e is a normal number, else in log space;
    # with G = q(1 + q + m)/((1 + m)(1 + q)) the product G·h/e* = (1 + q + m) m(q − p) /
    # ((1 + q)(A + K e)) is formed without q (for s̃ ≪ S_λ, q·(A + K e) underflows to 0 and
    # h/e* alone overflows, although G·h/e* is moderate)
    AKe = A + K * e
    not_direct = AKe <= _TINY
    AKe[not_direct] = 1.0
    Ghe = (1.0 + q + m) * mqp / ((1.0 + q) * AKe)
    Ghe[not_direct] = 0.0                                # h/e* = 0 for m = 0
    i = np.flatnonzero(not_direct & (m > 0))
    if i.size:
        G_i = q[i] * (1.0 + q[i] + m[i]) / ((1.0 + m[i]) * (1.0 + q[i]))
        Ghe[i] = G_i * _h_over_estar_log(lnA[i], np.log(K[i]), x[i], e_star[i], m[i], qmp[i],
                                          q[i])
    F1R = F1 * q / K + (F1 / B) * Ghe
    den = 2.0 / (K + A) + B * eps / K
    s_n = -(F1R / den)
    # F1 = B(e − e*) (or one of its terms) below 1e-250 may have underflowed although s is a
    # normal number (|s0|·s̃ ≪ S_λ², e.g. s̃ = 1e-40, s0 = −1e-200, λ = 1e45): F1 again at 2^600
    # scale; s_n is linear in F1
    k = np.flatnonzero((np.abs(F1) < 1e-250) & (B < 1e100) & (Be_star < 1e100))
    if k.size:
        B_s = np.ldexp(B[k], 600)
        Bd_s = np.ldexp(ap[k], 600) * (ap[k] / (P0[k] + m[k]) + q[k] / (1.0 + m[k]))
        F1_s = np.where(e_star[k] <= 0.5, B_s * e[k] - np.ldexp(Be_star[k], 600),
                        Bd_s - B_s * eps[k])
        F1R_s = F1_s * q[k] / K[k] + (F1_s / B[k]) * Ghe[k]
        s_n[k] = np.ldexp(-(F1R_s / den[k]), -600)
    A_ok = m > 0
    if lin.size:
        # |s| << ℓ throughout: τ ds/dt = |λ| (s̃ − s), s = s̃ ε + s0 e (here x = |λ| t/τ)
        s_n[lin] = q[lin] * eps[lin] + p[lin] * e[lin]
        A_lin = P0[lin] + m[lin] * m[lin] + p[lin] * q[lin]   # ≈ 2; A·B = m²(q−p)² ≈ 0
        A[lin] = A_lin
        lnA[lin] = np.log(np.where(A_lin > 0, A_lin, 1.0))
        A_ok[lin] = True
    return s_n, A, B0, lnA, A_ok


def _split_AB(neg, p, q, m, x, e, eps):
    """A, B, ln A, A_ok for every element (_neg_parts at the indices ``neg`` of the reversed
    modes, _pos_AB elsewhere) and s/S_λ at the indices ``neg``."""
    if neg.size == 0:
        return (*_pos_AB(p, q, m), None)
    if neg.size == p.size:
        s_n, *parts = _neg_parts(p, q, m, x, e, eps)
        return (*parts, s_n)
    pos = np.flatnonzero(p >= 0)                         # the complement of neg (p is not NaN)
    s_n, *neg_parts = _neg_parts(p[neg], q[neg], m[neg], x[neg], e[neg], eps[neg])
    out = []
    for vp, vn in zip(_pos_AB(p[pos], q[pos], m[pos]), neg_parts):
        o = np.empty(p.shape, dtype=vp.dtype)
        o[pos] = vp
        o[neg] = vn
        out.append(o)
    return (*out, s_n)


def _gamma_log(A_ok, lnA, B, x, eps):
    """γ and 1 − γ where e = e^{−x} is (near) denormal: r = ε (A/e + B)/2 in log space,
    γ = r/(1+r), 1−γ = 1/(1+r)."""
    lnB = np.log(np.where(B > 0, B, 1.0))
    lnr = np.logaddexp(np.where(A_ok, lnA + x, -np.inf), np.where(B > 0, lnB, -np.inf))
    lnr = lnr + np.log(np.where(eps > 0, eps, 1.0)) - np.log(2.0)
    return np.exp(-np.logaddexp(0.0, -lnr)), np.exp(-np.logaddexp(0.0, lnr))


def _t_over_tau(t, tau, idx, k: int) -> np.ndarray:
    """t/τ · 2^k at the indices idx, formed without the overflow or the subnormal digits that
    t/τ itself may have (the scaling by 2^k is exact)."""
    return np.ldexp(t[idx], k) / tau[idx]


def _gamma(A, B, lnA, A_ok, x, e, eps, Ss, T, t, tau):
    """γ and 1 − γ: ratios of sums of non-negative terms; and (indices, γ·2^600) where γ is below
    1e-280 (it may have lost digits to underflow although s̃γ is a normal number)."""
    num = eps * (A + B * e)

    def num_small_600(idx):
        """ε(A + B e)·2^600 for x < 1e-250 (ε = x = 2 S_λ t/τ to full precision), with t/τ
        itself at 2^600 scale where it is subnormal."""
        T600 = np.ldexp(T[idx], 600)
        sub = T[idx] < _NORMAL_MIN
        T600[sub] = _t_over_tau(t, tau, idx[sub], 600)
        return ((A[idx] + B[idx] * e[idx]) * (2.0 * Ss[idx])) * T600

    # x < 1e-250 (x or ε may be denormal): the factors of x multiplied in an order that neither
    # underflows nor overflows
    small = x < 1e-250
    i = np.flatnonzero(small)
    if i.size:
        num[i] = ((A[i] + B[i] * e[i]) * (2.0 * Ss[i])) * T[i]
        j = i[T[i] < _NORMAL_MIN]
        if j.size:
            num[j] = np.ldexp(num_small_600(j), -600)
    D = num + 2.0 * e
    zero_D = np.flatnonzero(~(D > 0))              # D = 0 only if e = 0 and A = B = 0
    D[zero_D] = 1.0
    gam = num / D
    one_m = 2.0 * e / D
    gam[zero_D] = 0.0
    one_m[zero_D] = 1.0
    i = np.flatnonzero(e < _TINY)
    if i.size:
        gam[i], one_m[i] = _gamma_log(A_ok[i], lnA[i], B[i], x[i], eps[i])
    # B e underflowing while e does not (tiny B, e.g. λ = 0 with |s0| ≪ s̃): the same ratio with
    # e divided out, r = ε (A/e + B)/2, γ = r/(1 + r), 1 − γ = 1/(1 + r)
    i = np.flatnonzero((B * e < 1e-280) & (B > 0) & (e >= _TINY) & (A < 1e-280 / _TINY))
    if i.size:
        r = eps[i] * (A[i] / e[i] + B[i]) * 0.5
        gam[i] = r / (1.0 + r)
        one_m[i] = 1.0 / (1.0 + r)
    # γ below 1e-280: its numerator again, at 2^600 scale (for s = s0(1 − γ) + s̃ num/D in _core)
    # (t/τ ≤ 1e100 where x is small, so that T·2^600 stays finite)
    lo = np.flatnonzero((gam < 1e-280) & (D > 0) & ~(small & (T > 1e100)))
    lo = lo[~np.isin(lo, zero_D)]
    num600 = np.ldexp(eps[lo], 600) * (A[lo] + B[lo] * e[lo])
    k = small[lo]
    if k.any():
        num600[k] = num_small_600(lo[k])
    return gam, one_m, (lo, num600 / D[lo])


def _s_zero(s0_, T):
    """s(t) for S_λ = 0 (s̃ = λ = 0): s0/(1 + 2|s0|t/τ), arranged not to overflow."""
    a0 = np.abs(s0_)
    big = a0 > 1.0
    a0_s = np.where(big, a0, 1.0)
    with np.errstate(over="ignore", invalid="ignore"):
        u = np.where(a0 == 0, 0.0, 2.0 * a0 * T)   # s0 = 0 stays 0, even when t/τ = inf
        return np.where(big, np.sign(s0_) / (1.0 / a0_s + 2.0 * T), s0_ / (1.0 + u))


def _core(st, s0, lam, t, tau, *, want_s: bool):
    """s(t) (``want_s``) or γ(t) for 1-D float64 arrays of equal length."""
    with np.errstate(under="ignore"):
        # odd symmetry (s, s̃) -> (-s, -s̃): make s̃ >= 0, and s0 >= 0 when s̃ = 0
        flip = (st < 0) | ((st == 0) & (s0 < 0))
        st_ = np.abs(st)
        s0_ = np.where(flip, -s0, s0)
        ell = 0.5 * np.abs(lam)
        Ss = np.hypot(st_, ell)               # S_λ, with the stand-in 1 where S_λ = 0
        zero_S = np.flatnonzero(Ss == 0)
        Ss[zero_S] = 1.0
        q = st_ / Ss
        # s̃/S_λ below the float range: s̃ is negligible, treat it as 0 (flip s0 >= 0 then)
        i = np.flatnonzero((q == 0) & (st_ != 0))
        if i.size:
            st_[i] = 0.0
            j = i[s0_[i] < 0]
            s0_[j] = -s0_[j]
            flip[j] = ~flip[j]
        m = ell / Ss
        m[m < _M_MIN] = 0.0
        with np.errstate(over="ignore"):
            T = t / tau                       # may overflow to inf (handled below)
            x = 2.0 * (Ss * T)
            p = s0_ / Ss                      # finite unless |s0|/S_λ > 1e308 (outside range)
            # t/τ overflowing although x = 2 S_λ t/τ need not (S_λ ≪ 1): x from t/τ at 2^-600
            # scale (inf only where x itself overflows: then e = 0, as it should)
            T_big = np.flatnonzero(np.isinf(T))
            T_m600 = _t_over_tau(t, tau, T_big, -600)
            if T_big.size:
                x[T_big] = np.ldexp(2.0 * (Ss[T_big] * T_m600), 600)
        # t/τ subnormal (digits lost): keep it scaled by 2^600 for x and for γ at tiny x
        T_sub = np.flatnonzero((T < _NORMAL_MIN) & (t > 0))
        T600 = _t_over_tau(t, tau, T_sub, 600)
        if T_sub.size:
            x[T_sub] = np.ldexp(2.0 * (Ss[T_sub] * T600), -600)
        i = np.flatnonzero(~np.isfinite(p))
        p[i] = np.sign(s0_[i]) * 1e300
        e = np.exp(-x)
        eps = -np.expm1(-x)
        neg = np.flatnonzero(p < 0)           # reversed modes (then q > 0 after the flip);
        # p < 0 implies S_λ > 0: for S_λ = 0, s̃ = 0 and the flip made s0 >= 0

        A, B, lnA, A_ok, s_n = _split_AB(neg, p, q, m, x, e, eps)
        gam, one_m, (lo, gam600) = _gamma(A, B, lnA, A_ok, x, e, eps, Ss, T, t, tau)

        if not want_s:
            if zero_S.size:                   # S_λ = 0: γ = u/(1 + u), u = 2|s0|t/τ
                with np.errstate(over="ignore", invalid="ignore"):
                    u2 = 2.0 * np.abs(s0_)
                    u = np.where(u2 == 0, 0.0, u2 * T)             # s0 = 0: γ ≡ 0, even at t/τ = inf
                    u[T_sub] = np.ldexp(u2[T_sub] * T600, -600)   # t/τ subnormal (see above)
                    u[T_big] = np.ldexp(u2[T_big] * T_m600, 600)  # t/τ overflowing (above)
                    u[T_big[u2[T_big] == 0]] = 0.0
                    u = np.minimum(u[zero_S], 1e300)
                gam[zero_S] = u / (1.0 + u)
            return gam

        # same-sign modes: convex combination of same-sign numbers (original units)
        s = s0_ * one_m + st_ * gam
        if lo.size:                           # γ tiny: s̃γ from γ at 2^600 scale (see _gamma)
            s[lo] = s0_[lo] * one_m[lo] + np.ldexp(st_[lo] * gam600, -600)
        if s_n is not None:
            s[neg] = Ss[neg] * s_n
        if zero_S.size:
            s[zero_S] = _s_zero(s0_[zero_S], T[zero_S])
        np.copyto(s, s0_, where=(x == 0))     # exactly s0 at t = 0
        np.negative(s, out=s, where=flip)
        return s


# --------------------------------------------------------------------------------------------
# the fast path
#
# The same closed form for the elements whose magnitudes keep every intermediate a normal
# number: every non-zero |s̃|, |s0|, |λ| in [1e-50, 1e50] (so S_λ and S0 = sqrt(s0² + ℓ²) can be
# formed as square roots of sums of squares, without hypot, and every ratio and square below is
# far from overflow and underflow) and 1e-290 <= x = 2 S_λ t/τ <= 600 (e^{−x} and ε are normal
# numbers).  Per element it takes ~35 array passes instead of ~60 (same-sign modes in the
# original units, no division by S_λ; same-sign elements with λ = 0 by eq 17, ~15 passes when
# λ is given as one value 0), no hypot (libm, ~20× the cost of exp per element), no logarithms
# (needed only by the log-space fallbacks) and expm1 only where x < 0.5 (elsewhere 1 − e^{−x} is
# exact to rounding).  Elements that do not qualify (decided per element: see _core_fast),
# same-sign elements whose sums underflowed, reversed modes with |s|/S_λ < 1e-150, and any
# element whose fast result is not finite (s̃ = λ = 0, s̃ = 0 with s0 < 0) are recomputed by
# _core.  S_λ from sqrt(s̃² + ℓ²) is within ~1.5 ulp instead of hypot's ~1 ulp; the x-ulps that
# this adds to e^{−x} are of the same order as the rounding of
# x = 2 S_λ t/τ itself (the conditioning of s(t) in t, see "Accuracy").
# --------------------------------------------------------------------------------------------

_FAST_LO, _FAST_HI = 1e-50, 1e50
#: e^{−x} for x above this may be denormal: such elements go through _core (log space).
_FAST_X_MAX = 600.0
#: reversed modes (s0 s̃ < 0) above this x go through _core (see _fast_neg).
_FAST_X_MAX_NEG = 300.0
#: below this x, ε = 1 − e^{−x} is computed with expm1.
_FAST_EXPM1 = 0.5
#: elements with x below this go through _core (x itself, and ε = x, must be normal numbers).
_FAST_X_MIN = 1e-290
#: same-sign elements whose numerator or denominator sums are below this go through _core: a
#: product in them may have underflowed (x tiny with magnitudes near 1e-50, for example).
_FAST_SAFE = 1e-290
#: reversed modes with |s|/S_λ below this go through _core (the product of the factors of the
#: numerator can be denormal there, e.g. |s0|/S_λ ≈ 1e-65).
_FAST_NEG_TINY = 1e-150


def _fast_neg(p, q, mm, e, eps, want_s):
    """s/S_λ (or γ) of reversed modes, p < 0 < q, within the fast path's ranges and x <= 300.

    N(e) = 2ep + qε(A + Be) is a quadratic in e with the roots e* (the zero crossing) and
    −A/(B e*) < 0, so N = −B(e − e*)·(q e + m(q − p)(1 + m)/B): the sign change is carried by
    F1 = B(e − e*) alone (formed as in _neg_parts, without cancellation) and the other factor
    and D = ε(A + Be) + 2e are sums of non-negative terms.  (For x <= 300 the product of two
    factors of size e stays normal.)"""
    a = np.negative(p)                   # |p|
    a2 = np.multiply(a, a)
    P0 = np.add(a2, mm)
    np.sqrt(P0, out=P0)                  # S0/S_λ
    m = np.sqrt(mm)
    qmp = np.add(q, a)                   # q − p
    B = np.multiply(mm, q)
    B *= q
    B += a2                              # p² + m²q²
    tmp = np.add(P0, mm)
    B /= tmp
    np.multiply(a, q, out=tmp)
    B += tmp                             # B (normalised), > 0
    mqmp = np.multiply(m, qmp)
    A = np.multiply(mqmp, mqmp)
    A /= B                               # A = m²(q − p)²/B
    Be = np.multiply(B, e)
    if not want_s:
        num = np.add(A, Be)
        num *= eps
        D = np.multiply(e, 2.0)
        D += num
        return np.divide(num, D, out=num)
    m1 = np.add(m, 1.0)
    Be_star = np.multiply(mqmp, q)
    Be_star /= m1                        # B e* = m q (q − p)/(1 + m)
    far = Be_star <= 0.5 * B
    if far.all():
        F1 = np.subtract(Be, Be_star)
    else:
        Bd = np.add(P0, m)
        np.divide(a, Bd, out=Bd)
        np.divide(q, m1, out=tmp)
        Bd += tmp
        Bd *= a                          # B (1 − e*) = |p| (|p|/(S0 + m) + q/(1 + m))
        np.multiply(B, eps, out=tmp)
        Bd -= tmp
        F1 = np.where(far, Be - Be_star, Bd)
    D = np.add(A, Be)
    D *= eps
    D += 2.0 * e                         # D = ε(A + B e) + 2e
    c = np.multiply(mqmp, m1)
    c /= B
    np.multiply(q, e, out=tmp)
    c += tmp                             # q e + m(q − p)(1 + m)/B
    c *= F1
    c /= D
    return np.negative(c, out=c)


def _fast_ranges(*arrays: np.ndarray) -> bool:
    """Every non-zero |a| of every array in [_FAST_LO, _FAST_HI] (a few reductions; one value for
    an array that is one value broadcast)."""
    for a in arrays:
        if a.size > 1 and a.strides[0] == 0:
            a = a[:1]
        mn, mx = float(a.min()), float(a.max())
        if max(mx, -mn) > _FAST_HI:
            return False
        if mn >= _FAST_LO or mx <= -_FAST_LO:   # one sign, every |a| >= _FAST_LO
            continue
        lo = float(np.abs(a).min())
        if lo < _FAST_LO and float(np.min(np.abs(a), where=a != 0, initial=np.inf)) < _FAST_LO:
            return False
    return True


def _call_value(a: np.ndarray) -> float | None:
    """The value of an argument given as one value (size 1, or broadcast: every stride 0), else
    None.  Decided once per call, so that an element's result never depends on its batch."""
    if a.size == 1 or (a.size and not any(a.strides)):
        return float(a.flat[0])
    return None


def _out_of_range(*arrays: np.ndarray) -> np.ndarray:
    """Per element: some non-zero |a| outside [_FAST_LO, _FAST_HI] (or not finite)."""
    bad = np.zeros(arrays[0].shape, dtype=bool)
    for a in arrays:
        m = np.abs(a)
        bad |= ~(m <= _FAST_HI) | ((m < _FAST_LO) & (m != 0))
    return bad


def _core_fast(st, s0, lam, t, tau, *, want_s: bool, lam_value: float | None = None,
               tau_value: float | None = None):
    """As _core, for 1-D arrays.  Every element that the fast forms do not cover is recomputed
    by _core, decided per element (so that no result depends on what it is batched with):
    a non-zero |s̃|, |s0|, |λ| outside [_FAST_LO, _FAST_HI], x = 0, x < _FAST_X_MIN or
    > _FAST_X_MAX (reversed modes: > _FAST_X_MAX_NEG), t/τ subnormal, s̃ = 0, a sum of the
    same-sign form below _FAST_SAFE (a product underflowed), a reversed mode with
    |s|/S_λ < _FAST_NEG_TINY, a non-finite result.  (Operations in place where possible: at
    these sizes a fresh array per operation costs as much as the operation.)

    Same-sign modes are evaluated in the original units (no division by S_λ):
    A = S0 S_λ + s0 s̃ + ℓ², B = ℓ²(s̃ − s0)²/A (both sums of non-negative terms),
    num = ε(A + B e), s = (2 S_λ² e s0 + s̃ num)/(2 S_λ² e + num), γ = num/(2 S_λ² e + num);
    for λ = 0 this is s = s0 s̃/(s̃ e + s0 ε) (eq 17), used for every same-sign element with
    λ = 0 (for the whole block at once when λ was given as one value 0, ``lam_value``).
    Reversed modes go to _fast_neg in units of S_λ."""
    n = st.size
    if n == 0:
        return _core(st, s0, lam, t, tau, want_s=want_s)
    oor = None
    if not _fast_ranges(st, s0, lam):
        oor = _out_of_range(st, s0, lam)
        if oor.all():
            return _core(st, s0, lam, t, tau, want_s=want_s)
    with np.errstate(all="ignore"):
        if float(st.min()) > 0.0:
            ast, sg, s0_ = st, None, s0
        else:
            ast = np.abs(st)
            sg = np.copysign(1.0, st)       # (s, s̃) → (−s, −s̃) for s̃ < 0
            s0_ = s0 * sg
        if lam_value == 0.0:
            ll = S2 = None                   # ℓ = 0: S_λ = |s̃|
            S = ast
        else:
            ll = np.multiply(lam, lam)
            ll *= 0.25                       # ℓ²
            S2 = np.multiply(ast, ast)
            S2 += ll                         # S_λ²
            S = np.sqrt(S2)
        if tau_value is None:
            T = np.divide(t, tau)
        elif tau_value != 1.0:
            T = np.divide(t, tau_value)      # the same division as by an array of τ
        else:
            T = t
        nx = np.multiply(S, -2.0)
        nx *= T                              # nx = −x = −2 S_λ t/τ
        e = np.exp(nx)
        eps = np.subtract(1.0, e)
        small = np.flatnonzero(nx > -_FAST_EXPM1)
        if small.size:
            eps[small] = -np.expm1(nx[small])
        isneg = s0_ < 0
        neg = np.flatnonzero(isneg)
        tiny_neg = neg
        if neg.size == 0:
            out, tiny_pos = _fast_pos_out(s0_, ast, ll, S, S2, e, eps, want_s)
        else:
            pos = np.flatnonzero(~isneg)
            out = np.empty(n)
            tiny_pos = pos[:0]
            if pos.size:
                out[pos], tp = _fast_pos_out(
                    s0_[pos], ast[pos], None if ll is None else ll[pos], S[pos],
                    None if S2 is None else S2[pos], e[pos], eps[pos], want_s)
                tiny_pos = pos[tp]
            Sn = S[neg]
            rS = np.divide(1.0, Sn)
            q = np.multiply(ast[neg], rS)
            p = np.multiply(s0_[neg], rS)
            if ll is None:
                mm = np.zeros(neg.size)
            else:
                rS *= rS
                mm = np.multiply(ll[neg], rS)    # m² = ℓ²/S_λ²
            r = _fast_neg(p, q, mm, e[neg], eps[neg], want_s)
            out[neg] = Sn * r if want_s else r
            tiny_neg = neg[~(np.abs(r) >= _FAST_NEG_TINY)]
        if ll is not None and float(ll.min()) == 0.0:
            # λ = 0 inside an array of λ: eq 17 as for a λ given as one value 0, so that an
            # element's result does not depend on what it is batched with
            z = np.flatnonzero((ll == 0.0) & ~isneg)
            if z.size:
                out[z], tz = _fast_pos_out(s0_[z], ast[z], None, S[z], None, e[z], eps[z],
                                           want_s)
                tiny_pos = np.union1d(tiny_pos[ll[tiny_pos] != 0.0], z[tz])
        if want_s and sg is not None:
            out *= sg
        xmax, xmin = -float(nx.min()), -float(nx.max())
        ok = (oor is None and np.isfinite(out.sum()) and xmin >= _FAST_X_MIN
              and tiny_neg.size == 0 and tiny_pos.size == 0
              and float(T.min()) >= _NORMAL_MIN
              and (sg is None or float(ast.min()) > 0.0)
              and (xmax <= _FAST_X_MAX_NEG or (neg.size == 0 and xmax <= _FAST_X_MAX)))
        if not ok:
            x = np.negative(nx)
            flag = (~np.isfinite(out) | (x > _FAST_X_MAX) | ~(x >= _FAST_X_MIN) | (st == 0)
                    | ((x > _FAST_X_MAX_NEG) & isneg) | ((T < _NORMAL_MIN) & (t > 0)))
            flag[tiny_neg] = True
            flag[tiny_pos] = True
            if oor is not None:
                flag |= oor
            bad = np.flatnonzero(flag)
    if not ok and bad.size:
        out[bad] = _core(st[bad], s0[bad], lam[bad], t[bad], tau[bad], want_s=want_s)
    return out


def _fast_pos_out(s0_, ast, ll, S, S2, e, eps, want_s):
    """s (or γ) of same-sign modes (s0 >= 0, s̃ > 0) in the original units (see _core_fast);
    ll = S2 = None for λ = 0.  Returns (values, indices of the elements where a sum of the form
    is below _FAST_SAFE: a product in it may have underflowed, _core recomputes them)."""
    if ll is None:                           # eq 17: s = s0 s̃/(s̃ e + s0 ε), γ = s0 ε/(...)
        den = np.multiply(ast, e)
        num = np.multiply(s0_, eps)
        den += num
        if want_s:                           # s0 s̃ is normal (or 0) in the fast ranges
            tiny = None if float(den.min()) >= _FAST_SAFE else ~(den >= _FAST_SAFE)
            out = np.multiply(s0_, ast)
            out /= den
            return out, _flagged(tiny)
        num_pos = np.min(num, where=s0_ > 0, initial=np.inf)   # s0 = 0: γ = 0 exactly
        tiny = None if min(float(den.min()), float(num_pos)) >= _FAST_SAFE else (
            ~(den >= _FAST_SAFE) | ((s0_ > 0) & ~(num >= _FAST_SAFE)))
        return np.divide(num, den, out=num), _flagged(tiny)
    A = np.multiply(s0_, s0_)
    A += ll
    np.sqrt(A, out=A)                        # S0
    A *= S
    tmp = np.multiply(s0_, ast)
    A += tmp
    A += ll                                  # A = S0 S_λ + s0 s̃ + ℓ²
    B = np.subtract(ast, s0_)
    B *= B
    B *= ll
    B /= A                                   # B = ℓ²(s̃ − s0)²/A
    B *= e
    B += A
    B *= eps                                 # num = ε(A + B e)
    D = np.multiply(S2, e)
    D *= 2.0                                 # 2 S_λ² e
    if not want_s:
        D += B
        tiny = None if min(float(B.min()), float(D.min())) >= _FAST_SAFE else (
            ~(B >= _FAST_SAFE) | ~(D >= _FAST_SAFE))
        return np.divide(B, D, out=B), _flagged(tiny)
    out = np.multiply(D, s0_)
    D += B
    B *= ast
    out += B                                 # 2 S_λ² e s0 + s̃ num
    tiny = None if min(float(out.min()), float(D.min())) >= _FAST_SAFE else (
        ~(out >= _FAST_SAFE) | ~(D >= _FAST_SAFE))
    out /= D
    return out, _flagged(tiny)


def _flagged(tiny) -> np.ndarray:
    """Indices of the flagged elements (none when the cheap minimum test passed)."""
    return np.empty(0, dtype=np.intp) if tiny is None else np.flatnonzero(tiny)


def _evaluate(st, s0, lam, t, tau, *, want_s: bool) -> np.ndarray:
    """_core_fast over cache-sized 1-D blocks of the broadcast arrays: array of their shape.

    When every argument is either C-contiguous of the full shape or one value broadcast (stride 0
    everywhere: a scalar argument), the blocks are slices of the flat arrays (no copies);
    otherwise an nditer copies each block into buffers."""
    arrays = (st, s0, lam, t, tau)
    kw = dict(want_s=want_s, lam_value=_call_value(lam), tau_value=_call_value(tau))
    if st.size <= _BLOCK:
        return _core_fast(*(np.ravel(a) for a in arrays), **kw).reshape(st.shape)
    flat = _flat_views(arrays)
    if flat is not None:
        n = st.size
        out = np.empty(n)
        for b0 in range(0, n, _BLOCK):
            b1 = min(b0 + _BLOCK, n)
            out[b0:b1] = _core_fast(*(a[b0:b1] for a in flat), **kw)
        return out.reshape(st.shape)
    it = np.nditer([*arrays, None], flags=["external_loop", "buffered"],
                   op_flags=[["readonly"]] * 5 + [["writeonly", "allocate"]],
                   op_dtypes=[np.float64] * 6, buffersize=_BLOCK)
    with it:
        for *blocks, out in it:
            out[...] = _core_fast(*blocks, **kw)
        return it.operands[5]


def _flat_views(arrays) -> list[np.ndarray] | None:
    """1-D views of broadcast arrays that are C-contiguous or one broadcast value; else None."""
    n = arrays[0].size
    flat = []
    for a in arrays:
        if a.flags.c_contiguous:
            flat.append(a.reshape(-1))
        elif not any(a.strides):
            flat.append(np.lib.stride_tricks.as_strided(a, shape=(n,), strides=(0,),
                                                        writeable=False))
        else:
            return None
    return flat


# --------------------------------------------------------------------------------------------
# public functions
# --------------------------------------------------------------------------------------------

def aligned_trajectory(s_target, s0, lam, t, tau=1.0):
    """Singular value s(t) of W2W1 for a task-aligned λ-balanced init (Theorem 5.1, eq 16).

    Solves τ ds/dt = sqrt(λ² + 4 s²)(s̃ − s), s(0) = s0, in closed form (stable float64 form
    derived in the module docstring).

    Arguments:
        s_target: s̃, the target singular value (any finite real; s̃ < 0 is the sign-flipped
            mode).  Array-like, broadcast with the others.
        s0: s(0), the initial singular value of the mode (any finite real; s0 < 0 with s̃ > 0 is
            a reversed mode, eq 183 for λ = 0).
        lam: λ, the balance constant (any finite real; only λ² matters).
        t: time(s) >= 0.
        tau: time constant τ > 0 (default 1).

    Returns:
        float64 array of the broadcast shape of the five arguments (a numpy float64 scalar for
        scalar inputs).

    Raises:
        InvalidArgument: an argument is NaN/inf or not real, t < 0, tau <= 0, or the shapes do
            not broadcast.
    """
    st, s0a, la, ta, tau_a = _prepare(s_target, s0, lam, t, tau)
    return _finish(_evaluate(st, s0a, la, ta, tau_a, want_s=True))


def transition_function(s_target, s0, lam, t, tau=1.0):
    """γ(t; λ) of eq 16: s(t) = s0 + γ (s̃ − s0), computed without that subtraction.

    γ = ε(A + B e)/(ε(A + B e) + 2 S_λ² e) with e = exp(−2 S_λ t/τ), ε = 1 − e and
    A, B = S0 S_λ ± (s0 s̃ + λ²/4) (module docstring).  γ(0) = 0, γ increases to 1, and γ depends
    on λ only through λ².  Where s̃ = s0 the quotient (s − s0)/(s̃ − s0) is 0/0; there γ is the
    value of the same closed form, 1 − exp(−2 S_λ t/τ), i.e. the limit s0 → s̃.  For S_λ = 0
    (s̃ = λ = 0), γ = u/(1 + u) with u = 2|s0| t/τ (γ ≡ 0 if also s0 = 0).

    Arguments / Returns / Raises: as ``aligned_trajectory``.
    """
    st, s0a, la, ta, tau_a = _prepare(s_target, s0, lam, t, tau)
    return _finish(_evaluate(st, s0a, la, ta, tau_a, want_s=False))


def sigmoid_limit(s_target, s0, t, tau=1.0):
    """The λ → 0 limit of γ (eq 17, Saxe et al.), at fixed t.

    For s0 s̃ > 0 this is the printed eq 17, (E − 1)/(E − 1 + s̃/s0) with E = e^{2 s̃ t/τ},
    evaluated as ε s0/(ε s0 + e s̃) with e = e^{−2|s̃| t/τ}, ε = 1 − e (nothing overflows).

    For a reversed mode (s0 s̃ < 0) the printed expression has a pole at E = 1 + |s̃/s0| and is
    NOT the limit; the λ → 0 limit of the closed form (and the λ = 0 solution, eq 183) is
    γ = |s0| ε/(|s̃| + |s0| ε), which increases to |s0|/(|s̃| + |s0|) (the mode stops at the
    saddle 0).  That is what is returned there.  For s0 = 0 (s̃ ≠ 0) the limit is 0.  For s̃ = 0
    it is u/(1 + u), u = 2|s0| t/τ (the S_λ = 0 solution).  s̃ < 0 uses the sign-flip symmetry.

    Arguments:
        s_target: s̃ (finite real); s0: s(0) (finite real); t: times >= 0; tau: τ > 0.  All
            broadcast together.

    Returns:
        float64 array of the broadcast shape (numpy float64 scalar for scalar inputs).

    Raises:
        InvalidArgument: NaN/inf, t < 0, tau <= 0, shapes that do not broadcast.
    """
    st = as_array("s_target", s_target)
    s0a = as_array("s0", s0)
    ta = as_array("t", t)
    tau_a = as_array("tau", tau)
    _check_times("t", ta)
    _check_tau(tau_a)
    st, s0a, ta, tau_a = _broadcast(s_target=st, s0=s0a, t=ta, tau=tau_a)
    with np.errstate(under="ignore"):
        st_ = np.abs(st)
        s0_ = np.where(st < 0, -s0a, s0a)
        with np.errstate(over="ignore"):
            T = ta / tau_a
            y = 2.0 * (st_ * T)
        e = np.exp(-y)
        eps = -np.expm1(-y)
        a0 = np.abs(s0_)
        # same sign: ε s0/(ε s0 + e s̃); reversed: |s0| ε/(|s0| ε + s̃); all terms >= 0
        num = eps * a0
        den = num + np.where(s0_ > 0, e, 1.0) * st_
        den_s = np.where(den > 0, den, 1.0)
        g = np.where(den > 0, num / den_s, 0.0)
        with np.errstate(over="ignore"):
            u = np.minimum(2.0 * a0 * T, 1e300)
        g0 = u / (1.0 + u)
        out = np.where(st_ == 0, g0, g)
    return _finish(out)


def exponential_limit(lam, t, tau=1.0):
    """The |λ| → ∞ limit of γ (eq 17): 1 − exp(−|λ| t/τ), computed as −expm1(−|λ| t/τ).

    Arguments:
        lam: λ (finite real), t: times >= 0, tau: τ > 0; broadcast together.

    Returns:
        float64 array of the broadcast shape.

    Raises:
        InvalidArgument: NaN/inf, t < 0, tau <= 0, shapes that do not broadcast.
    """
    la = as_array("lam", lam)
    ta = as_array("t", t)
    tau_a = as_array("tau", tau)
    _check_times("t", ta)
    _check_tau(tau_a)
    la, ta, tau_a = _broadcast(lam=la, t=ta, tau=tau_a)
    with np.errstate(over="ignore", under="ignore"):
        u = np.abs(la) * (ta / tau_a)
        out = -np.expm1(-u)
    return _finish(out)
