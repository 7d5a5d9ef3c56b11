"""Threading defaults, set at `import tinygan`, and why the import order no longer matters.

OpenMP's threads (Numba's parallel loops) spin for GOMP_SPINCOUNT iterations after each parallel
region (libgomp's default: 300 000), then sleep. A training step runs ~100 parallel kernels with
Python work between them, and a sleeping thread costs a futex wake-up at the next one: measured
on the 32×32 DCGAN step (2-core AMD EPYC, medians of three runs each, one after another), PASSIVE
(no spin) 98-108 ms, libgomp's default 84-93 ms, 10^6 spins 82-84 ms, ACTIVE (spin forever) 83-109 ms.
So tinygan sets GOMP_SPINCOUNT=1000000: long enough to bridge the gaps inside a step, bounded so
that an idle process stops burning a core. libgomp reads it when Numba's pool starts, at the
first parallel kernel, after `import tinygan` in every import order. A user's OMP_WAIT_POLICY or
GOMP_SPINCOUNT wins. (PASSIVE was the default while tinygan's GEMMs ran on NumPy's OpenBLAS
threads, which spinning OpenMP threads starved.)

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

DEFAULTS = {"GOMP_SPINCOUNT": "1000000"}                 # OpenMP workers spin 10^6 times, then sleep
BEFORE_NUMPY = {"OPENBLAS_THREAD_TIMEOUT": "16"}        # spin 2^16 cycles (~20 µs), then sleep

numpy_was_first = "numpy" in sys.modules
set_by_tinygan = []          # what this process changed: the bench's PyTorch worker gets none of it
for key, value in {**DEFAULTS, **({} if numpy_was_first else BEFORE_NUMPY)}.items():
    if key not in os.environ and not (key == "GOMP_SPINCOUNT" and "OMP_WAIT_POLICY" in os.environ):
        os.environ[key] = value
        set_by_tinygan.append(key)


def status():
    """One line for `tinygan info` and the bench."""
    settings = ", ".join(f"{k}={os.environ.get(k, 'unset')}" for k in ("OMP_WAIT_POLICY", *DEFAULTS, *BEFORE_NUMPY))
    order = "NumPy was imported before tinygan" if numpy_was_first else "tinygan was imported before NumPy"
    return f"{settings} ({order}; tinygan's kernels use Numba's thread pool only, so the order does not matter)"
