"""Batched matrix multiply with NumPy's broadcasting of the batch axes."""
import numpy as np

from tinygan.errors import DTypeError, ShapeError
from tinygan.kernels import kernel, register
from tinygan.tensor import Function, Tensor
from tinygan.ops.elementwise import unbroadcast
from tinygan.ops.shape import reshape, swap_last


register("matmul", "numba_cpu", "tinygan.kernels.matmul_numba_cpu:matmul", ("numpy",),
         "a row block per thread, one-thread BLAS each")
register("matmul", "reference", "tinygan.kernels.matmul_reference:matmul", ("numpy", "cupy"), "x @ w")


class MatMul(Function):
    """y = x @ w  ->  gx = gy @ wᵀ, gw = xᵀ @ gy (summed over broadcast batch axes)."""
    def forward(self, x, w): return kernel("matmul", x)(x, w)
    def backward(self, gy):
        x, w = self.inputs
        return unbroadcast(gy @ swap_last(w), x.shape), unbroadcast(swap_last(x) @ gy, w.shape)


def matmul(a, b):
    """a @ b with NumPy's rules: 1-d operands act as vectors, batch dims (all but the last two)
    broadcast. Both operands need one dtype and at least one dim; the gradients are
    gy @ bᵀ and aᵀ @ gy, summed over broadcast batch dims."""
    a = a if isinstance(a, Tensor) else Tensor(a)
    b = b if isinstance(b, Tensor) else Tensor(b)
    if a.ndim == 0 or b.ndim == 0:
        raise ShapeError(f"matmul: both operands need at least 1 dimension, got {a.shape} and {b.shape}")
    if a.dtype != b.dtype:
        raise DTypeError(f"matmul: cannot mix {a.dtype} {a.shape} with {b.dtype} {b.shape}")
    inner_a, inner_b = a.shape[-1], b.shape[0] if b.ndim == 1 else b.shape[-2]
    if inner_a != inner_b:
        raise ShapeError(f"matmul: cannot multiply {a.shape} by {b.shape}: "
                         f"inner dimensions {inner_a} and {inner_b} differ")
    if a.ndim == 1:  # vector @ matrix: a 1-row matrix, then drop that axis
        return reshape(matmul(reshape(a, (1, -1)), b), b.shape[:-2] + (b.shape[-1],))
    if b.ndim == 1:
        return reshape(matmul(a, reshape(b, (-1, 1))), a.shape[:-1])
    try:
        np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise ShapeError(f"matmul: batch shapes of {a.shape} and {b.shape} cannot be broadcast") from None
    return MatMul()(a, b)


class Linear(Function):
    """y = x Wᵀ (+ b) for a matrix x, as one graph node instead of three (transpose, matmul, add):
    gx = gy W, gW = gyᵀ x, gb = Σ_rows gy. Small MLPs are bound by per-op overhead, not FLOPs
    (Chainer's LinearFunction is one node for the same reason)."""
    def forward(self, x, w, b=None):
        y = kernel("matmul", x)(x, w.T)
        if b is not None:
            y += b
        return y

    def backward(self, gy):
        x, w = self.inputs[:2]
        grads = (gy @ w, swap_last(gy) @ x)
        return grads + (gy.sum(axis=0),) if len(self.inputs) == 3 else grads
