"""Every fused loss kernel agrees with the reference on infinite, NaN and overflowing inputs: the
same inf/NaN pattern, so detect_anomaly sees what the reference would show (issue #11, case 7).
CUDA kernels: cuda_nonfinite.py in a fresh process (simulator or GPU); CuPy's skip without a GPU."""
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from nonfinite_cases import cases, check_like_reference
from tinygan.kernels import registry

TESTS = pathlib.Path(__file__).resolve().parent
LOSSES = registry.FAMILIES["losses"]
CPU = [(op, impl) for op in LOSSES for impl in registry.implementations(op)
       if "numpy" in registry.get(op, impl).backends]
GPU = [(op, impl) for op in LOSSES for impl in registry.implementations(op)
       if impl == "cupy" and registry.get(op, impl).backends == ("cupy",)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("op,impl", CPU)
def test_cpu_kernels_give_the_reference_inf_nan_pattern(op, impl, dtype):
    kernel = registry.get(op, impl).load()
    for case_op, args in cases(dtype):
        if case_op == op:
            with np.errstate(all="ignore"):
                check_like_reference(op, args, kernel(*[a.copy() for a in args]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("op,impl", GPU)
def test_cupy_kernels_give_the_reference_inf_nan_pattern(op, impl, dtype):
    cupy = pytest.importorskip("cupy")
    from tinygan.backend import cupy_problem
    if cupy_problem():
        pytest.skip(cupy_problem())
    kernel = registry.get(op, impl).load()
    for case_op, args in cases(dtype):
        if case_op == op:
            check_like_reference(op, args, kernel(*[cupy.asarray(a) for a in args]), to_host=cupy.asnumpy)


def test_numba_cuda_kernels_give_the_reference_inf_nan_pattern():
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM=os.environ.get("NUMBA_ENABLE_CUDASIM", "1"))
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          str(TESTS / "cuda_nonfinite.py")], env=env, capture_output=True, text=True, timeout=600,
                         cwd=TESTS.parent)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert " passed" in run.stdout
