"""How tinygan's Numba kernels use the cores: one thread pool (Numba's), whatever was imported first.

`run(kernel, work, *args)` runs a parallel kernel on the calling thread alone when its work is
small: waking a pool costs tens of microseconds, more than a 400-element loss takes (measured:
GEMM + fused loss, 17.7 ms with the pool right after an OpenBLAS GEMM, 0.31 ms on one thread).
numba.set_num_threads is per calling thread and cheap (~1 µs).

`single_threaded_scipy_blas()`: the convolutions call BLAS (np.dot inside Numba, which is SciPy's
OpenBLAS, a library separate from NumPy's) from inside their parallel loops, one block per
thread, so that library must not start threads of its own. Setting it through threadpoolctl
(scikit-learn's dependency) works at any time, unlike the environment variables OpenBLAS reads
once when it loads: so the convolutions never wake NumPy's OpenBLAS pool, whose idle workers spin
for ~0.1 s after each GEMM unless OPENBLAS_THREAD_TIMEOUT was set before NumPy loaded. That is
what makes `import numpy; import tinygan` as fast as the other order (tinygan/_runtime.py).

`scratch(name, shape, dtype)`: the conv kernels' per-thread buffers, reused across calls (fresh
arrays cost first-touch page faults); not thread-safe across Python threads (one training loop
per process).
"""
import numba
import numpy as np

PARALLEL_MIN = 1 << 15

_scipy_blas_limited = False
_scratch_buffers = {}


def run(kernel, work, *args):
    if work >= PARALLEL_MIN:
        return kernel(*args)
    previous = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        return kernel(*args)
    finally:
        numba.set_num_threads(previous)


def scipy_blas_controllers():
    """threadpoolctl's controllers of the BLAS library SciPy's cython_blas (hence Numba's np.dot)
    calls, told from NumPy's by its folder (NumPy's is also named libscipy_openblas, but lives in
    numpy.libs); empty if it cannot be told apart (one shared library: nothing is set then)."""
    import scipy.linalg.cython_blas  # noqa: F401  (loads SciPy's BLAS)
    import threadpoolctl
    libs = threadpoolctl.ThreadpoolController().select(user_api="blas").lib_controllers
    return [lib for lib in libs if "scipy" in lib.filepath and "numpy" not in lib.filepath]


def single_threaded_scipy_blas():
    """Set SciPy's BLAS to one thread, once per process (see the module docstring)."""
    global _scipy_blas_limited
    if not _scipy_blas_limited:
        for lib in scipy_blas_controllers():
            lib.set_num_threads(1)
        _scipy_blas_limited = True


def threads():
    """How many threads a parallel launch may use: numba.get_thread_id() is below this in any launch."""
    return numba.config.NUMBA_NUM_THREADS


def scratch(name, shape, dtype):
    """A reusable buffer of this shape: a view of a per-(name, dtype) array that only grows."""
    size = int(np.prod(shape))
    key = (name, np.dtype(dtype))
    buf = _scratch_buffers.get(key)
    if buf is None or buf.size < size:
        buf = _scratch_buffers[key] = np.empty(size, dtype=dtype)
    return buf[:size].reshape(shape)
