"""Numba-CUDA fused losses: a grid-stride loop writes the gradient of each element and adds its
loss into a per-thread sum; a shared-memory tree reduction gives one partial sum per block, and
the few partials are added afterwards (deterministic, unlike a float atomicAdd).
Index mapping: thread t of the grid handles elements t, t + gridsize, t + 2·gridsize, ...
Memory traffic: inputs read once, gradient written once. Formulas in losses_reference.
"""
import math

import numpy as np
from numba import cuda, float64

from tinygan.kernels import cuda_arrays as ca
from tinygan.kernels.cuda_reduce import THREADS, block_total

MAX_BLOCKS = 1024


@cuda.jit(device=True, inline=True)
def _block_sum(value, partial):
    """partial[block] = the sum of `value` over this block's threads."""
    total = block_total(value, cuda.shared.array(THREADS, float64))
    if cuda.threadIdx.x == 0:
        partial[cuda.blockIdx.x] = total


@cuda.jit
def _bce_with_logits(x, t, grad, partial):
    s = 0.0
    for e in range(cuda.grid(1), x.size, cuda.gridsize(1)):
        v, target = x[e], t[e]
        z = math.exp(-abs(v))
        s += max(v, 0.0) - v * target + math.log1p(z)
        grad[e] = (1.0 if v >= 0 else z) / (1.0 + z) - target
    _block_sum(s, partial)


@cuda.jit
def _mse(x, t, grad, partial):
    s = 0.0
    for e in range(cuda.grid(1), x.size, cuda.gridsize(1)):
        d = x[e] - t[e]
        s += d * d
        grad[e] = 2 * d
    _block_sum(s, partial)


@cuda.jit
def _gaussian_kl(mu, logvar, dlogvar, partial):
    s = 0.0
    for e in range(cuda.grid(1), mu.size, cuda.gridsize(1)):
        var = math.exp(logvar[e])
        s += 0.5 * (mu[e] * mu[e] + var - logvar[e] - 1.0)
        dlogvar[e] = 0.5 * (var - 1.0)
    _block_sum(s, partial)


@cuda.jit
def _reparameterize_kl(mu, logvar, eps, z, dz, dkl, partial):
    s = 0.0
    for e in range(cuda.grid(1), mu.size, cuda.gridsize(1)):
        std = math.exp(0.5 * logvar[e])
        noise = std * eps[e]
        s += 0.5 * (mu[e] * mu[e] + std * std - logvar[e] - 1.0)
        z[e] = mu[e] + noise
        dz[e] = 0.5 * noise
        dkl[e] = 0.5 * (std * std - 1.0)
    _block_sum(s, partial)


def _launch(kernel, inputs, n_outputs=1):
    """Run kernel(*inputs, *outputs, partial) over the flattened inputs; (sum, *outputs) shaped as
    the first input."""
    a = inputs[0]
    blocks = max(1, min(MAX_BLOCKS, ca.blocks(a.size, THREADS)))
    outputs = [ca.empty(a.size, a.dtype, a) for _ in range(n_outputs)]
    partial = ca.empty(blocks, np.float64, a)
    kernel[blocks, THREADS](*[ca.to_device(x.reshape(-1)) for x in inputs], *outputs, partial)
    total = float(ca.result(partial, a).sum())
    return (total, *[ca.result(o, a).reshape(a.shape) for o in outputs])


def bce_with_logits(x, t):
    return _launch(_bce_with_logits, (x, t))


def mse(x, t):
    return _launch(_mse, (x, t))


def gaussian_kl(mu, logvar):
    total, dlogvar = _launch(_gaussian_kl, (mu, logvar))
    return total, mu, dlogvar


def reparameterize_kl(mu, logvar, eps):
    return _launch(_reparameterize_kl, (mu, logvar, eps), n_outputs=3)
