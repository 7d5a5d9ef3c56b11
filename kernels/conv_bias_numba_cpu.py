"""Numba CPU kernels for a conv layer's bias (the definition: conv_bias_reference.py).

Why kernels for two one-liners: NumPy's broadcast add writes a second output array and runs on
one core, and its sum over axes (0, 2, 3) walks the array plane by plane: in the conv VAE's step
(eight conv layers with biases) the separate Add node cost ~4 ms forward and ~2 ms backward of a
~75 ms step. Here the add is in place on the conv's fresh output (no second array, which the graph
would also keep alive until backward) and both run one (sample, channel) plane per parallel task.
"""
import numpy as np
from numba import njit, prange

from tinygan.kernels.numba_threads import run


@njit(parallel=True, cache=True)
def _add(y, b):
    n, c, h, w = y.shape
    for task in prange(n * c):
        i, o = task // c, task % c
        bo = b[o]
        for hh in range(h):
            for ww in range(w):
                y[i, o, hh, ww] += bo


def conv_bias_add(y, b):
    """y += b over the channel axis, in place (any memory layout); returns y."""
    run(_add, y.size, y, b)
    return y


@njit(parallel=True, cache=True, fastmath={"reassoc"})
def _plane_sums(gy, sums):
    """sums[n, o] = Σ_{h,w} gy[n, o, h, w] in float64 (reassociated, so that LLVM vectorises it)."""
    n, c, h, w = gy.shape
    for task in prange(n * c):
        i, o = task // c, task % c
        s = 0.0
        for hh in range(h):
            for ww in range(w):
                s += gy[i, o, hh, ww]
        sums[i, o] = s


def conv_bias_grad(gy):
    """gb[o] = Σ_{n,h,w} gy[n, o, h, w]: plane sums in float64, then summed over the samples."""
    sums = np.empty(gy.shape[:2], dtype=np.float64)
    run(_plane_sums, gy.size, gy, sums)
    return sums.sum(axis=0).astype(gy.dtype)
