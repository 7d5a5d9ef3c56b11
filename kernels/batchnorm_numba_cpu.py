"""Numba CPU fused BatchNorm (training mode), channel axis 1; formulas in batchnorm_reference.

Index mapping: a prange over channels; each thread owns channel c and walks its N blocks of
H·W contiguous values. Forward: one pass for the statistics, one to write y (a channel's values,
64 KB in a DCGAN block, are still in cache for the second). The one-pass variance sums the
*shifted* values d = x − K with K the channel's first value (the shifted-data algorithm, Chan,
Golub & LeVeque 1983): Σd² − (Σd)²/m cancels only as much as the mean differs from K, where
plain Σx² − (Σx)²/m loses everything for data far from 0 (Welford's update, also one pass, needs
a division per value). Backward reads gy and x twice (the two sums, then dx), writes dx once.
Sums are in float64 and may be reassociated ("reassoc"): then LLVM vectorises them, where the
in-order float64 additions ran at one per add latency (~4 cycles) and were half the time.
"""
import numpy as np
from numba import njit, prange

from tinygan.kernels.numba_threads import run


_SUMS = {"reassoc", "contract"}


@njit(parallel=True, cache=True, fastmath=_SUMS)
def _forward(x3, gamma, beta, eps, y3, mean, invstd):
    n, c_count, hw = x3.shape
    m = n * hw
    for c in prange(c_count):
        pivot = np.float64(x3[0, c, 0])
        s, ss = 0.0, 0.0
        for i in range(n):
            for j in range(hw):
                d = x3[i, c, j] - pivot
                s += d
                ss += d * d
        mu = pivot + s / m
        inv = 1.0 / np.sqrt(max(ss / m - (s / m) ** 2, 0.0) + eps)
        scale, shift = gamma[c] * inv, beta[c] - gamma[c] * inv * mu
        for i in range(n):
            for j in range(hw):
                y3[i, c, j] = x3[i, c, j] * scale + shift
        mean[c], invstd[c] = mu, inv


@njit(parallel=True, cache=True, fastmath=_SUMS)
def _backward(gy3, x3, gamma, mean, invstd, dx3, dgamma, dbeta):
    n, c_count, hw = x3.shape
    m = n * hw
    for c in prange(c_count):
        mu, inv = mean[c], invstd[c]
        sg, sgx = 0.0, 0.0
        for i in range(n):
            for j in range(hw):
                g = gy3[i, c, j]
                sg += g
                sgx += g * (x3[i, c, j] - mu) * inv
        dbeta[c], dgamma[c] = sg, sgx
        scale = gamma[c] * inv
        for i in range(n):
            for j in range(hw):
                xhat = (x3[i, c, j] - mu) * inv
                dx3[i, c, j] = scale * (gy3[i, c, j] - sg / m - xhat * sgx / m)


def _as3(a):
    return np.ascontiguousarray(a).reshape(a.shape[0], a.shape[1], -1)


def batch_norm_forward(x, gamma, beta, eps):
    y = np.empty_like(x)
    mean, invstd = np.empty(x.shape[1], x.dtype), np.empty(x.shape[1], x.dtype)
    run(_forward, x.size, _as3(x), gamma, beta, eps, y.reshape(_as3(x).shape), mean, invstd)
    return y, mean, invstd


def batch_norm_backward(gy, x, gamma, mean, invstd):
    dx = np.empty_like(x)
    dgamma, dbeta = np.empty(x.shape[1], x.dtype), np.empty(x.shape[1], x.dtype)
    run(_backward, x.size, _as3(gy), _as3(x), gamma, mean, invstd, dx.reshape(_as3(x).shape), dgamma, dbeta)
    return dx, dgamma, dbeta
