"""Numba CPU fused BatchNorm (training mode), channel axis 1; formulas in batchnorm_reference.

Index mapping: a prange over channels; each thread owns channel c and walks its N blocks of
H·W contiguous values ((N, C) inputs, BatchNorm1d: blocks of CHANNEL_BLOCK channels walked down
the rows, _forward_rows). Forward: one pass for the statistics, one to write y (a channel's
values, 64 KB in a DCGAN block, are still in cache for the second). The one-pass variance sums the
*shifted* values d = x − K with K the channel's first value (the shifted-data algorithm, Chan,
Golub & LeVeque 1983): Σd² − (Σd)²/m cancels only as much as the mean differs from K, where
plain Σx² − (Σx)²/m loses everything for data far from 0 (Welford's update, also one pass, needs
a division per value). Backward reads gy and x twice (the two sums, then dx), writes dx once.
Sums are in float64 and may be reassociated ("reassoc"): then LLVM vectorises them, where the
in-order float64 additions ran at one per add latency (~4 cycles) and were half the time.
"""
import numba
import numpy as np
from numba import njit, prange

from tinygan.kernels.numba_threads import run


_SUMS = {"reassoc", "contract"}


@njit(cache=True)
def _statistics(pivot, s, ss, m, eps):
    """The channel's mean and 1/√(var + eps), from the sums of d = x − pivot and of d² over its m values."""
    return pivot + s / m, 1.0 / np.sqrt(max(ss / m - (s / m) ** 2, 0.0) + eps)


@njit(cache=True)
def _input_gradient(scale, g, xhat, mean_g, mean_g_xhat):
    """dx = γ/σ · (g − mean(g) − x̂ · mean(g x̂)), the batch statistics' part of the chain rule included."""
    return scale * (g - mean_g - xhat * mean_g_xhat)


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
        mu, inv = _statistics(pivot, s, ss, m, eps)
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
                dx3[i, c, j] = _input_gradient(scale, gy3[i, c, j], (x3[i, c, j] - mu) * inv, sg / m, sgx / m)


CHANNEL_BLOCK = 64     # channels per task for (N, C) inputs at most: a row's block is one 256-byte run in float32


@njit(cache=True, fastmath=_SUMS)
def _forward_block(x, c0, c1, gamma, beta, eps, y, mean, invstd):
    """Channels c0 .. c1-1 of an (N, C) input: the sums down the rows, then y."""
    n = x.shape[0]
    pivot = x[0, c0:c1].astype(np.float64)
    s, ss = np.zeros(c1 - c0), np.zeros(c1 - c0)
    for i in range(n):
        row = x[i, c0:c1]
        for c in range(c1 - c0):
            d = row[c] - pivot[c]
            s[c] += d
            ss[c] += d * d
    scale, shift = np.empty(c1 - c0), np.empty(c1 - c0)
    for c in range(c1 - c0):
        mu, inv = _statistics(pivot[c], s[c], ss[c], n, eps)
        scale[c], shift[c] = gamma[c0 + c] * inv, beta[c0 + c] - gamma[c0 + c] * inv * mu
        mean[c0 + c], invstd[c0 + c] = mu, inv
    for i in range(n):
        row, out = x[i, c0:c1], y[i, c0:c1]
        for c in range(c1 - c0):
            out[c] = row[c] * scale[c] + shift[c]


@njit(cache=True, fastmath=_SUMS)
def _backward_block(gy, x, c0, c1, gamma, mean, invstd, dx, dgamma, dbeta):
    """_backward for channels c0 .. c1-1 of an (N, C) input."""
    n = x.shape[0]
    mu, inv = mean[c0:c1].astype(np.float64), invstd[c0:c1].astype(np.float64)
    sg, sgx = np.zeros(c1 - c0), np.zeros(c1 - c0)
    for i in range(n):
        g_row, x_row = gy[i, c0:c1], x[i, c0:c1]
        for c in range(c1 - c0):
            sg[c] += g_row[c]
            sgx[c] += g_row[c] * (x_row[c] - mu[c]) * inv[c]
    scale = np.empty(c1 - c0)
    for c in range(c1 - c0):
        dbeta[c0 + c], dgamma[c0 + c] = sg[c], sgx[c]
        scale[c] = gamma[c0 + c] * inv[c]
        sg[c], sgx[c] = sg[c] / n, sgx[c] / n
    for i in range(n):
        g_row, x_row, out = gy[i, c0:c1], x[i, c0:c1], dx[i, c0:c1]
        for c in range(c1 - c0):
            out[c] = _input_gradient(scale[c], g_row[c], (x_row[c] - mu[c]) * inv[c], sg[c], sgx[c])


# (N, C) inputs (BatchNorm1d): walking one channel down the rows reads one value per cache line, so
# each task takes a block of channels and walks the rows, its inner loop over contiguous channels.
# The block's work is a plain function: written inline in the prange body, the same loops ran 5x
# slower (Numba's parfor lowering kept them from vectorising; measured at 400 x 400 on one thread).
@njit(parallel=True, cache=True)
def _forward_rows(x, block, gamma, beta, eps, y, mean, invstd):
    for blk in prange((x.shape[1] + block - 1) // block):
        _forward_block(x, blk * block, min(x.shape[1], (blk + 1) * block), gamma, beta, eps, y, mean, invstd)


@njit(parallel=True, cache=True)
def _backward_rows(gy, x, block, gamma, mean, invstd, dx, dgamma, dbeta):
    for blk in prange((x.shape[1] + block - 1) // block):
        _backward_block(gy, x, blk * block, min(x.shape[1], (blk + 1) * block), gamma, mean, invstd, dx, dgamma, dbeta)


def _channel_block(c):
    """Channels per task: CHANNEL_BLOCK, or fewer (down to 8, one 32-byte run) so that a narrow input
    still gives every thread a block."""
    return min(CHANNEL_BLOCK, max(8, -(-c // numba.config.NUMBA_NUM_THREADS)))


def _as3(a):
    return np.ascontiguousarray(a).reshape(a.shape[0], a.shape[1], -1)


def batch_norm_forward(x, gamma, beta, eps):
    y = np.empty(x.shape, x.dtype)
    mean, invstd = np.empty(x.shape[1], x.dtype), np.empty(x.shape[1], x.dtype)
    if x.ndim == 2:
        run(_forward_rows, x.size, np.ascontiguousarray(x), _channel_block(x.shape[1]), gamma, beta, eps, y, mean,
            invstd)
    else:
        run(_forward, x.size, _as3(x), gamma, beta, eps, y.reshape(_as3(x).shape), mean, invstd)
    return y, mean, invstd


def batch_norm_backward(gy, x, gamma, mean, invstd):
    dx = np.empty(x.shape, x.dtype)
    dgamma, dbeta = np.empty(x.shape[1], x.dtype), np.empty(x.shape[1], x.dtype)
    if x.ndim == 2:
        run(_backward_rows, x.size, np.ascontiguousarray(gy), np.ascontiguousarray(x), _channel_block(x.shape[1]), gamma,
            mean, invstd, dx, dgamma, dbeta)
    else:
        run(_backward, x.size, _as3(gy), _as3(x), gamma, mean, invstd, dx.reshape(_as3(x).shape), dgamma, dbeta)
    return dx, dgamma, dbeta
