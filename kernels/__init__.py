"""tinygan.kernels — hand-written implementations of the hot ops, chosen per op.

`available()` prints the table; `use(op, impl)` picks one (also as a context manager).
Each op registers its implementations, with literal "module:function" targets, next to the
Function that calls them: tinygan/ops/conv.py (conv2d_*, conv_bias_*), tinygan/ops/losses.py (the fused
losses), tinygan/ops/norm.py (batch_norm_*), tinygan/ops/activation.py (the activations),
tinygan/ops/linalg.py (matmul). The registry and its public API: registry.py.
Registration order is preference order: on NumPy arrays numba_cpu (the fastest, measured by
`tinygan bench`) comes first; on CuPy arrays the default is numba_cuda (parity-tested in CI
under the CUDA simulator), not yet ranked against cupy by a GPU bench run.

Every implementation is parity-tested against the `reference` one: tests/test_kernel_parity.py
(losses, BatchNorm), tests/test_conv.py (conv), tests/cuda_parity.py (run by
tests/test_cuda_kernels.py under NUMBA_ENABLE_CUDASIM=1), tests/test_cupy_kernels.py (GPU only);
tests/test_parity_coverage.py fails for a registered kernel that none of them checks.
"""
from tinygan.kernels import registry  # noqa: F401
from tinygan.kernels.registry import (apply_env, available, get, implementations, kernel, ops,  # noqa: F401
                                      register, selected, table, use)

__all__ = ["available", "kernel", "ops", "implementations", "get", "register", "selected", "table", "use",
           "apply_env"]
