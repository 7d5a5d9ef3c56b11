"""`import numpy` before `import tinygan` must change nothing (issue #13): the same kernels, the
same thread settings, and NumPy's OpenBLAS thread pool — whose idle spin is what the import order
used to decide — never running during training. Each order runs in a fresh process
(tests/import_order_probe.py); a control run with the NumPy-GEMM conv kernels shows that the
probe does see that pool working when something uses it."""
import json
import pathlib
import subprocess
import sys

import pytest

PROBE = pathlib.Path(__file__).resolve().parent / "import_order_probe.py"


def _probe(*args):
    out = subprocess.run([sys.executable, str(PROBE), *args], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def runs():
    if not pathlib.Path("/proc/self/task").exists():
        pytest.skip("needs Linux's /proc/self/task to read per-thread CPU time")
    return {order: _probe(order) for order in ("numpy-first", "tinygan-first")}


def test_both_orders_pick_the_same_kernels_and_thread_settings(runs):
    first, second = (dict(r) for r in runs.values())
    for run in (first, second):
        del run["numpy_blas_pool_cpu_s"]       # a measurement, compared in the next test
    assert first == second
    assert first["gomp_spincount"] == "1000000" and first["numba_threads"] >= 1


def test_numpys_blas_threads_stay_idle_in_both_orders(runs):
    control = _probe("numpy-first", "im2col")      # NumPy's matmul inside the conv and Linear
    if control["numpy_blas_pool_threads"] == 0:
        pytest.skip("NumPy's BLAS started no worker threads here (one core?): nothing to observe")
    assert control["numpy_blas_pool_cpu_s"] > 0.05, f"the probe cannot see NumPy's BLAS pool work: {control}"
    for order, run in runs.items():
        assert run["numpy_blas_pool_cpu_s"] < 0.02, f"{order}: NumPy's BLAS threads ran during training: {run}"
