"""Threading defaults, applied before NumPy loads its BLAS.

OpenBLAS's worker threads spin-wait after every GEMM (by default for 2^28 cycles, about 0.1 s)
and OpenMP's threads (Numba's parallel loops) spin after every parallel region. On a
2-core machine the spinning threads of one library steal the cores the other needs next,
and a conv backward that alternates GEMM and Numba loops ran 2× slower (20 ms vs 9 ms,
measured on the project's 2-core AMD EPYC). Both libraries read these settings once, when
they load, so they can only be set here, before `import numpy`. Existing values win.
"""
import os
import sys

DEFAULTS = {"OPENBLAS_THREAD_TIMEOUT": "16",   # spin 2^16 cycles (~20 µs), then sleep
            "OMP_WAIT_POLICY": "PASSIVE"}      # OpenMP workers sleep when idle

applied = "numpy" not in sys.modules
set_by_tinygan = []          # what this process changed: the bench's PyTorch worker gets none of it
if applied:
    for key, value in DEFAULTS.items():
        if key not in os.environ:
            os.environ[key] = value
            set_by_tinygan.append(key)

# NumPy came first and nobody shortened OpenBLAS's spin: its idle workers will keep a core busy
# after every GEMM, so Numba kernels must not count on a second core (kernels/numba_threads.py).
blas_spins = not applied and "OPENBLAS_THREAD_TIMEOUT" not in os.environ


def status():
    """One line for `tinygan info` and the bench."""
    settings = ", ".join(f"{k}={os.environ.get(k, 'unset')}" for k in DEFAULTS)
    how = "set before NumPy loaded" if applied else "NumPy was imported before tinygan, so defaults were not applied"
    if blas_spins:
        how += "; Numba kernels run single-threaded to avoid OpenBLAS's spinning threads — import tinygan first"
    return f"{settings} ({how})"
