"""The numba_cuda fused losses against the reference on non-finite inputs; run in a fresh process
by test_kernel_nonfinite.py (NUMBA_ENABLE_CUDASIM is read when Numba loads). Under the simulator
kernels run as Python, whose math.exp raises on overflow and computes float32 in float64, so there
only float64 and |x| <= 700 are checked; on a GPU, every case in both dtypes."""
import os

import numpy as np
import pytest

cuda = pytest.importorskip("numba.cuda")
if not cuda.is_available():
    pytest.skip("no CUDA GPU and NUMBA_ENABLE_CUDASIM is not set", allow_module_level=True)

from nonfinite_cases import cases, check_like_reference  # noqa: E402
from tinygan.kernels import losses_numba_cuda  # noqa: E402

SIMULATED = os.environ.get("NUMBA_ENABLE_CUDASIM") == "1"


@pytest.mark.parametrize("dtype", [np.float64] if SIMULATED else [np.float32, np.float64])
def test_numba_cuda_losses(dtype):
    for op, args in cases(dtype, largest=700 if SIMULATED else np.inf):
        with np.errstate(all="ignore"):
            check_like_reference(op, args, getattr(losses_numba_cuda, op)(*[a.copy() for a in args]))
