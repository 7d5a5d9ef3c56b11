"""tinygan.kernels — hand-written implementations of the hot ops, chosen per op.

`available()` prints the table; `use(op, impl)` picks one (also as a context manager).
Every implementation is parity-tested against the `reference` one (tests/test_kernels*.py).
"""
from tinygan.kernels.registry import available, kernel, ops, register, selected, table, use, apply_env

# Preference order = registration order: the first loadable one for the array's backend runs.
_CONV = "tinygan.kernels.conv_"
register("conv2d_forward", "numba_cpu", _CONV + "numba_cpu:conv2d_forward", ("numpy",),
         "parallel im2col (no pad copy) + BLAS GEMM, batch-chunked")
register("conv2d_backward_data", "numba_cpu", _CONV + "numba_cpu:conv2d_backward_data", ("numpy",),
         "BLAS GEMM + per-sample parallel col2im")
register("conv2d_backward_weight", "numba_cpu", _CONV + "numba_cpu:conv2d_backward_weight", ("numpy",),
         "parallel im2col + BLAS GEMM, accumulated per chunk")
register("conv2d_forward", "im2col", _CONV + "im2col:conv2d_forward", ("numpy", "cupy"),
         "strided-view im2col + one BLAS GEMM")
register("conv2d_forward", "reference", _CONV + "reference:conv2d_forward", ("numpy",),
         "plain loops over output pixels: the definition")
register("conv2d_backward_data", "im2col", _CONV + "im2col:conv2d_backward_data", ("numpy", "cupy"),
         "GEMM to columns, then col2im slice-adds")
register("conv2d_backward_data", "reference", _CONV + "reference:conv2d_backward_data", ("numpy",),
         "plain loops scattering each output pixel")
register("conv2d_backward_weight", "im2col", _CONV + "im2col:conv2d_backward_weight", ("numpy", "cupy"),
         "im2col + one BLAS GEMM")
register("conv2d_backward_weight", "reference", _CONV + "reference:conv2d_backward_weight", ("numpy",),
         "plain loops over output pixels")

for _op, _what in [("bce_with_logits", "d/dlogits"), ("mse", "d/dinput"), ("gaussian_kl", "d/dmu, d/dlogvar")]:
    register(_op, "numba_cpu", f"tinygan.kernels.losses_numba_cpu:{_op}", ("numpy",),
             f"one parallel pass: loss sum and {_what}")
    register(_op, "reference", f"tinygan.kernels.losses_reference:{_op}", ("numpy", "cupy"),
             f"array expressions: loss sum and {_what}")

for _op in ("batch_norm_forward", "batch_norm_backward"):
    register(_op, "numba_cpu", f"tinygan.kernels.batchnorm_numba_cpu:{_op}", ("numpy",),
             "prange over channels, two passes, float64 sums")
    register(_op, "reference", f"tinygan.kernels.batchnorm_reference:{_op}", ("numpy", "cupy"),
             "array expressions")

apply_env()

__all__ = ["available", "kernel", "ops", "register", "selected", "table", "use", "apply_env"]
