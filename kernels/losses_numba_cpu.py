"""Numba CPU fused losses: one parallel pass reads the inputs once, writes the gradient once
and reduces the loss (a prange reduction, accumulated in float64). Formulas in losses_reference.
Index mapping: element e of the flattened inputs belongs to one thread's contiguous block.
float32 inputs use the vectorisable exp/log1p of fastmath_numba (libm's are scalar: 10× slower);
float64 inputs use libm for full precision. Numba's cache is keyed on this file, not on the
fastmath helpers it inlines: a change to fastmath_numba.py must touch this file too (here: its
IEEE-edge exp32, 2026-12).
"""
import numpy as np
from numba import njit, prange

from tinygan.kernels.fastmath_numba import exp32, log1p_unit32
from tinygan.kernels.numba_threads import run

_REDUCE = {"reassoc", "contract", "arcp"}   # let LLVM reorder the sum so the loop vectorises


@njit(parallel=True, fastmath=_REDUCE, cache=True)
def _bce_with_logits32(x, t, grad):
    total = 0.0
    for e in prange(x.size):
        v, target = x[e], t[e]
        a = abs(v)
        z = exp32(-a)                      # e^-|v| in (0, 1]: never overflows
        total += (v + a) * 0.5 - v * target + log1p_unit32(z)
        grad[e] = (np.float32(1.0) if v >= 0 else z) / (1 + z) - target
    return total


@njit(parallel=True, fastmath=_REDUCE, cache=True)
def _gaussian_kl32(mu, logvar, dlogvar):
    total = 0.0
    for e in prange(mu.size):
        var = exp32(logvar[e])
        total += 0.5 * (mu[e] * mu[e] + var - logvar[e] - 1)
        dlogvar[e] = np.float32(0.5) * (var - 1)
    return total


@njit(parallel=True, fastmath=_REDUCE, cache=True)
def _reparameterize_kl32(mu, logvar, eps, z, dz, dkl):
    total = 0.0
    for e in prange(mu.size):
        std = exp32(np.float32(0.5) * logvar[e])
        noise = std * eps[e]
        total += 0.5 * (mu[e] * mu[e] + std * std - logvar[e] - 1)
        z[e] = mu[e] + noise
        dz[e] = np.float32(0.5) * noise
        dkl[e] = np.float32(0.5) * (std * std - 1)
    return total


@njit(parallel=True, cache=True)
def _bce_with_logits(x, t, grad):
    total = 0.0
    for e in prange(x.size):
        v, target = x[e], t[e]
        z = np.exp(-abs(v))                      # never overflows
        total += max(v, 0.0) - v * target + np.log1p(z)
        sig = 1.0 / (1.0 + z) if v >= 0 else z / (1.0 + z)
        grad[e] = sig - target
    return total


@njit(parallel=True, cache=True)
def _mse(x, t, grad):
    total = 0.0
    for e in prange(x.size):
        d = x[e] - t[e]
        total += d * d
        grad[e] = 2.0 * d
    return total


@njit(parallel=True, cache=True)
def _gaussian_kl(mu, logvar, dlogvar):
    total = 0.0
    for e in prange(mu.size):
        var = np.exp(logvar[e])
        total += 0.5 * (mu[e] * mu[e] + var - logvar[e] - 1.0)
        dlogvar[e] = 0.5 * (var - 1.0)
    return total


@njit(parallel=True, cache=True)
def _reparameterize_kl(mu, logvar, eps, z, dz, dkl):
    total = 0.0
    for e in prange(mu.size):
        std = np.exp(0.5 * logvar[e])
        noise = std * eps[e]
        total += 0.5 * (mu[e] * mu[e] + std * std - logvar[e] - 1.0)
        z[e] = mu[e] + noise
        dz[e] = 0.5 * noise
        dkl[e] = 0.5 * (std * std - 1.0)
    return total


def _flat(a):
    return np.ascontiguousarray(a).reshape(-1)


def bce_with_logits(x, t):
    grad = np.empty_like(x)
    if x.dtype == np.float32:
        return run(_bce_with_logits32, x.size, _flat(x), _flat(t), grad.reshape(-1)), grad
    return run(_bce_with_logits, x.size, _flat(x), _flat(t), grad.reshape(-1)), grad


def mse(x, t):
    grad = np.empty_like(x)
    return run(_mse, x.size, _flat(x), _flat(t), grad.reshape(-1)), grad


def gaussian_kl(mu, logvar):
    dlogvar = np.empty_like(logvar)
    if mu.dtype == np.float32:
        return run(_gaussian_kl32, mu.size, _flat(mu), _flat(logvar), dlogvar.reshape(-1)), mu, dlogvar
    return run(_gaussian_kl, mu.size, _flat(mu), _flat(logvar), dlogvar.reshape(-1)), mu, dlogvar


def reparameterize_kl(mu, logvar, eps):
    outputs = [np.empty_like(mu) for _ in range(3)]          # z, dz/dlogvar, dKL/dlogvar
    flat = [_flat(mu), _flat(logvar), _flat(eps)] + [o.reshape(-1) for o in outputs]
    if mu.dtype == np.float32:
        total = run(_reparameterize_kl32, mu.size, *flat)
    else:
        total = run(_reparameterize_kl, mu.size, *flat)
    return (total, *outputs)
