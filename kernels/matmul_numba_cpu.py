"""Numba CPU matrix product: the output's rows split into one block per thread, each block one
single-threaded BLAS call (np.dot inside Numba, i.e. SciPy's BLAS). Products then run on Numba's
pool alone, like the convolutions, and never wake NumPy's OpenBLAS threads, whose idle spin after
a GEMM depends on whether NumPy was imported before tinygan (numba_threads.py). Batched or
integer products, and those below OpenBLAS's own threading threshold (m·n·k < 2^18, which it
runs on the calling thread anyway), go to NumPy's matmul.
"""
import numba
import numpy as np
from numba import njit, prange

from tinygan.kernels.numba_threads import run, single_threaded_scipy_blas

SMALL = 1 << 18


@njit(parallel=True, cache=True)
def _blocked(a, b, out, blocks):
    m = a.shape[0]
    step = (m + blocks - 1) // blocks
    for t in prange(blocks):
        r0 = t * step
        r1 = min(m, r0 + step)
        if r0 < r1:
            np.dot(a[r0:r1], b, out[r0:r1])


def matmul(a, b):
    if (a.ndim != 2 or b.ndim != 2 or a.dtype != b.dtype or a.dtype.type not in (np.float32, np.float64)
            or a.shape[0] * a.shape[1] * b.shape[1] < SMALL):
        return a @ b
    single_threaded_scipy_blas()
    a = np.ascontiguousarray(a)               # row blocks of an F-ordered a would not be contiguous
    b = b if b.flags.c_contiguous or b.flags.f_contiguous else np.ascontiguousarray(b)
    out = np.empty((a.shape[0], b.shape[1]), a.dtype)
    run(_blocked, a.shape[0] * a.shape[1] * b.shape[1], a, b, out, numba.get_num_threads())
    return out
