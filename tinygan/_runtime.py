"""Threading defaults, set at `import tinygan`, and why the import order no longer matters.

OpenMP's threads (Numba's parallel loops) spin after every parallel region by default; with
OMP_WAIT_POLICY=PASSIVE they sleep. Numba's OpenMP runtime reads it when its thread pool starts,
at the first parallel kernel, which comes after `import tinygan` whatever was imported first,
so it is set here in every import order (existing values win).

NumPy's OpenBLAS reads OPENBLAS_THREAD_TIMEOUT once, when NumPy loads: after a GEMM its idle
threads spin for 2^28 cycles (~0.1 s) unless it is set, and on a 2-core machine they stole the
core the next Numba loop needed (a conv backward ran 2× slower, 20 ms vs 9 ms). It is still set
when tinygan comes first, but nothing depends on it any more: tinygan's convolutions and matrix
products call BLAS from Numba's threads, one block per thread (kernels/numba_threads.py), so
NumPy's OpenBLAS pool never runs during training and `import numpy; import tinygan` is as fast
as the other order (tests/test_import_order.py checks that the pool stays idle).
"""
import os
import sys

DEFAULTS = {"OMP_WAIT_POLICY": "PASSIVE"}               # OpenMP workers sleep when idle
BEFORE_NUMPY = {"OPENBLAS_THREAD_TIMEOUT": "16"}        # spin 2^16 cycles (~20 µs), then sleep

numpy_was_first = "numpy" in sys.modules
set_by_tinygan = []          # what this process changed: the bench's PyTorch worker gets none of it
for key, value in {**DEFAULTS, **({} if numpy_was_first else BEFORE_NUMPY)}.items():
    if key not in os.environ:
        os.environ[key] = value
        set_by_tinygan.append(key)


def status():
    """One line for `tinygan info` and the bench."""
    settings = ", ".join(f"{k}={os.environ.get(k, 'unset')}" for k in {**DEFAULTS, **BEFORE_NUMPY})
    order = "NumPy was imported before tinygan" if numpy_was_first else "tinygan was imported before NumPy"
    return f"{settings} ({order}; tinygan's kernels use Numba's thread pool only, so the order does not matter)"
