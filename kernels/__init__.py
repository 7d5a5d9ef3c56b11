"""tinygan.kernels — hand-written implementations of the hot ops, chosen per op.

`available()` prints the table; `use(op, impl)` picks one (also as a context manager).
Every implementation is parity-tested against the `reference` one (tests/test_kernels*.py).
"""
import os

from tinygan.errors import KernelError
from tinygan.kernels import registry
from tinygan.kernels.registry import available, kernel, ops, register, selected, table, use, apply_env

# Preference order = registration order: the first loadable one for the array's backend runs.
# On NumPy arrays: numba_cpu (fastest, measured by `tinygan bench`), im2col, reference.
# On CuPy arrays: numba_cuda first (parity-tested in CI under the CUDA simulator), then cupy
# (cuBLAS GEMMs; tested only where a GPU runs tests/test_cupy_kernels.py). Re-rank with the GPU bench.
_CONV_ABOUT = {
    "numba_cpu": ("NHWC im2col + BLAS GEMM, chunked", "BLAS GEMM + per-sample col2im", "NHWC im2col + BLAS GEMM"),
    "numba_cuda": ("shared-memory tiled implicit GEMM", "gather: a thread per dx element", "gather: a thread per dw element"),
    "cupy": ("RawKernel im2col + cuBLAS GEMM", "cuBLAS GEMM + gather col2im", "RawKernel im2col + cuBLAS GEMM"),
    "im2col": ("strided-view im2col + one GEMM", "GEMM to columns, then col2im slice-adds", "im2col + one GEMM"),
    "reference": ("plain loops over output pixels: the definition", "plain loops scattering each output pixel",
                  "plain loops over output pixels"),
}
_CONV_BACKENDS = {"numba_cpu": ("numpy",), "cupy": ("cupy",), "numba_cuda": ("cupy",), "im2col": ("numpy", "cupy"),
                  "reference": ("numpy",)}
for _impl, _about in _CONV_ABOUT.items():
    for _op, _text in zip(("conv2d_forward", "conv2d_backward_data", "conv2d_backward_weight"), _about):
        register(_op, _impl, f"tinygan.kernels.conv_{_impl}:{_op}", _CONV_BACKENDS[_impl], _text)
    if _impl == "numba_cuda":
        register("conv2d_forward", "numba_cuda_direct", "tinygan.kernels.conv_numba_cuda:conv2d_forward_direct",
                 ("cupy",), "one thread per output element")

for _op, _what in [("bce_with_logits", "d/dlogits"), ("mse", "d/dinput"), ("gaussian_kl", "d/dmu, d/dlogvar"),
                   ("reparameterize_kl", "z = mu + e^(logvar/2) eps, KL sum, both d/dlogvar")]:
    register(_op, "numba_cpu", f"tinygan.kernels.losses_numba_cpu:{_op}", ("numpy",),
             f"one parallel pass: loss sum and {_what}")
    register(_op, "numba_cuda", f"tinygan.kernels.losses_numba_cuda:{_op}", ("cupy",), "grid-stride pass + block sums")
    register(_op, "cupy", f"tinygan.kernels.losses_cupy:{_op}", ("cupy",), "RawKernel: grid-stride pass + block sums")
    register(_op, "reference", f"tinygan.kernels.losses_reference:{_op}", ("numpy", "cupy"),
             f"array expressions: loss sum and {_what}")

for _op in ("batch_norm_forward", "batch_norm_backward"):
    register(_op, "numba_cpu", f"tinygan.kernels.batchnorm_numba_cpu:{_op}", ("numpy",),
             "prange over channels, two passes, float64 sums")
    register(_op, "numba_cuda", f"tinygan.kernels.batchnorm_numba_cuda:{_op}", ("cupy",),
             "a block per channel, shared-memory sums")
    register(_op, "reference", f"tinygan.kernels.batchnorm_reference:{_op}", ("numpy", "cupy"),
             "array expressions")

# As with TINYGAN_BACKEND (tinygan/backend.py): a bad TINYGAN_KERNELS is kept, not raised at import;
# kernel() raises it at the first use of a kernel, and `tinygan info` shows it.
try:
    apply_env()
except KernelError as _exc:
    registry.env_error = KernelError(f"TINYGAN_KERNELS={os.environ.get('TINYGAN_KERNELS')!r}: {_exc}")

__all__ = ["available", "kernel", "ops", "register", "selected", "table", "use", "apply_env"]
