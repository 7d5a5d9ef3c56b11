"""Run a parallel Numba kernel on the calling thread alone when its work is small.

Waking a thread pool costs tens of microseconds, and when OpenBLAS's idle workers are still
spinning (NumPy imported before tinygan, so the threading defaults could not apply) a small
parallel launch right after a GEMM waited ~17 ms for a core (measured: GEMM + 400-element
fused loss, 17.7 ms with the pool, 0.31 ms on one thread). Below PARALLEL_MIN elements of work
the pool is not worth it. numba.set_num_threads is per calling thread and cheap (~1 µs).
When OpenBLAS's workers spin at every size (tinygan._runtime.blas_spins: NumPy was imported
first), no launch is worth it: a 2-D GAN step with 40 K-element BatchNorms took 96 ms with the
pool and 14 ms when the defaults applied.
"""
import numba

from tinygan import _runtime

PARALLEL_MIN = 1 << 15


def run(kernel, work, *args):
    if work >= PARALLEL_MIN and not _runtime.blas_spins:
        return kernel(*args)
    previous = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        return kernel(*args)
    finally:
        numba.set_num_threads(previous)
