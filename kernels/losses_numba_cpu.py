"""Numba CPU fused losses: one parallel pass reads the inputs once, writes the gradient once
and reduces the loss (a prange reduction, accumulated in float64). Formulas in losses_reference.
Index mapping: element e of the flattened inputs belongs to one thread's contiguous block.
float32 inputs use the vectorisable exp/log1p of fastmath_numba (libm's are scalar: 10× slower);
float64 inputs use libm for full precision; both kernels of each loss come from one
definition (_fused_losses). Numba's cache is keyed on this file, not on the
fastmath helpers it inlines: a change to fastmath_numba.py must touch this file too (here: its
all-float32 exp32 with Cody-Waite's ln 2, 2026-12-01).
"""
import numpy as np
from numba import njit, prange

from tinygan.kernels.fastmath_numba import exp32, log1p_unit32
from tinygan.kernels.numba_threads import run

_REDUCE = {"reassoc", "contract", "arcp"}   # let LLVM reorder the sum so the loop vectorises


def _fused_losses(dtype):
    """The BCE, Gaussian-KL and reparameterize+KL kernels for one dtype, from one definition.
    float32: fastmath_numba's exp32/log1p_unit32 and a sum LLVM may reorder, so the loops vectorise;
    float64: libm's exp/log1p and the sum in loop order. `fast`, `one` and `half` are closure
    constants, so Numba compiles (and caches) one specialised kernel per dtype. Keep closure
    constants plain values: Numba's cache key includes them, and a jitted function captured here
    would pickle differently in every process (a cache miss, a recompile, at every start)."""
    fast = dtype == np.float32
    one, half = dtype(1.0), dtype(0.5)
    jit = njit(parallel=True, fastmath=_REDUCE if fast else False, cache=True)

    @jit
    def bce_with_logits(x, t, grad):
        total = 0.0
        for e in prange(x.size):
            v, target = x[e], t[e]
            a = abs(v)
            z = exp32(-a) if fast else np.exp(-a)          # e^-|v| in (0, 1]: never overflows
            total += max(v, 0.0) - v * target + (log1p_unit32(z) if fast else np.log1p(z))
            grad[e] = (one if v >= 0 else z) / (1 + z) - target
        return total

    @jit
    def gaussian_kl(mu, logvar, dlogvar):
        total = 0.0
        for e in prange(mu.size):
            var = exp32(logvar[e]) if fast else np.exp(logvar[e])
            total += 0.5 * (mu[e] * mu[e] + var - logvar[e] - 1)
            dlogvar[e] = half * (var - 1)
        return total

    @jit
    def reparameterize_kl(mu, logvar, eps, z, dz, dkl):
        total = 0.0
        for e in prange(mu.size):
            std = exp32(half * logvar[e]) if fast else np.exp(half * logvar[e])
            noise = std * eps[e]
            total += 0.5 * (mu[e] * mu[e] + std * std - logvar[e] - 1)
            z[e] = mu[e] + noise
            dz[e] = half * noise
            dkl[e] = half * (std * std - 1)
        return total

    return bce_with_logits, gaussian_kl, reparameterize_kl


_KERNELS = {np.dtype(dtype): _fused_losses(dtype) for dtype in (np.float32, np.float64)}


@njit(parallel=True, cache=True)
def _mse(x, t, grad):
    total = 0.0
    for e in prange(x.size):
        d = x[e] - t[e]
        total += d * d
        grad[e] = 2.0 * d
    return total


def _flat(a):
    return np.ascontiguousarray(a).reshape(-1)


def _out(a):
    """An output shaped like a, C-ordered: the kernels write through its flat view, which for an
    F-ordered array (empty_like keeps a's layout) would be a copy, and the writes would be lost."""
    return np.empty(a.shape, a.dtype)


def bce_with_logits(x, t):
    grad = _out(x)
    return run(_KERNELS[x.dtype][0], x.size, _flat(x), _flat(t), grad.reshape(-1)), grad


def mse(x, t):
    grad = _out(x)
    return run(_mse, x.size, _flat(x), _flat(t), grad.reshape(-1)), grad


def gaussian_kl(mu, logvar):
    dlogvar = _out(logvar)
    return run(_KERNELS[mu.dtype][1], mu.size, _flat(mu), _flat(logvar), dlogvar.reshape(-1)), mu, dlogvar


def reparameterize_kl(mu, logvar, eps):
    outputs = [_out(mu) for _ in range(3)]          # z, dz/dlogvar, dKL/dlogvar
    flat = [_flat(mu), _flat(logvar), _flat(eps)] + [o.reshape(-1) for o in outputs]
    return (run(_KERNELS[mu.dtype][2], mu.size, *flat), *outputs)
