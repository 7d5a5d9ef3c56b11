"""Runs tests/cuda_parity.py (and the CUDA loss/BatchNorm checks in it) in a fresh process:
on a real GPU when Numba sees one, else under Numba's CUDA simulator (how CI tests them)."""
import os
import pathlib
import subprocess
import sys

TESTS = pathlib.Path(__file__).resolve().parent


def _gpu_visible():
    code = "from numba import cuda; print(cuda.is_available())"
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    return out.stdout.strip() == "True"


def test_cuda_kernels_match_reference():
    env = dict(os.environ)
    if not _gpu_visible():
        env["NUMBA_ENABLE_CUDASIM"] = "1"
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(TESTS / "cuda_parity.py")],
                         env=env, capture_output=True, text=True, timeout=1200, cwd=TESTS.parent)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    last = run.stdout.strip().splitlines()[-1]
    assert "skipped" not in last and "deselected" not in last, last
    # every case of cuda_parity.py ran (one per registered numba_cuda* kernel, shape and dtype)
    import cuda_parity
    expected = 2 * (len(cuda_parity.CONV_CASES) * len(cuda_parity.SHAPES) + len(cuda_parity.LOSS_CASES)
                    + len(cuda_parity.BN_CASES))
    assert set(cuda_parity.CONV_CASES + cuda_parity.LOSS_CASES + cuda_parity.BN_CASES) == set(cuda_parity.PARITY_CASES)
    assert f"{expected} passed" in last, (expected, last)
