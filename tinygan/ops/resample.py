"""Resampling along spatial axes as fixed linear maps: F.interpolate (nearest, nearest-exact,
linear/bilinear/trilinear, area), and the matrices average pooling and adaptive average
pooling are built from (tinygan/ops/pool.py).

Along one axis each of these resamplings is a constant matrix A of shape (out, in):
y[..., o, ...] = Σ_i A[o, i] x[..., i, ...]. Interpolating and averaging are separable, so a
2-D one is A_h · x · A_wᵀ for every (n, c) plane. One Function, AxisLinear, applies such a
matrix along one axis; being linear in x, its backward is the same Function with Aᵀ, so double
backward (WGAN-GP) needs no more code. Cost: O(in) multiply-adds per output element and axis
in one batched matmul — cheap for the ≤ 64-pixel images this engine trains on, ~2x slower
than a dedicated kernel would be at 128 pixels.
Nearest upsampling by an integer factor of axes longer than 32 skips the matrix: reshape +
broadcast, whose backward is a sum.
"""
import math

import numpy as np

from tinygan.backend import get_array_module
from tinygan.errors import DTypeError, ShapeError
from tinygan.tensor import Function
from tinygan.ops.shape import broadcast_to, reshape


def _apply(x, matrix, matrix_t, axis):
    """x with matrix (out, in) applied along `axis`; matrix and its transpose matrix_t (in, out) are
    C-contiguous. Batched matmuls of C-contiguous operands: NumPy falls back to a naive loop (~50x
    slower) when an operand is a transposed view, and one big reshaped GEMM is slow for the skinny
    shapes of small images."""
    xp = get_array_module(x)
    x = xp.ascontiguousarray(x)
    if axis == x.ndim - 1:
        return x @ matrix_t
    if axis == x.ndim - 2:
        return matrix @ x
    moved = xp.ascontiguousarray(xp.moveaxis(x, axis, -1))
    return xp.ascontiguousarray(xp.moveaxis(moved @ matrix_t, -1, axis))


class AxisLinear(Function):
    """y = A applied along `axis` (A: constant (out, in) array); backward: Aᵀ along the same axis."""
    def __init__(self, matrix, axis):
        xp = get_array_module(matrix)
        self.matrix, self.matrix_t, self.axis = xp.ascontiguousarray(matrix), xp.ascontiguousarray(matrix.T), axis
    def forward(self, x): return _apply(x, self.matrix, self.matrix_t, self.axis)
    def backward(self, gy): return AxisLinear(self.matrix_t, self.axis)(gy)


def axis_linear(x, matrix, axis):
    """Apply the host (NumPy) matrix `matrix` (out, in) along `axis` of x, in x's dtype and backend."""
    if x.dtype.kind != "f":
        raise DTypeError(f"resampling: needs a float32 or float64 input, got {x.dtype} {x.shape}")
    if matrix.shape[1] != x.shape[axis]:
        raise ShapeError(f"resampling: a ({matrix.shape[0]}, {matrix.shape[1]}) matrix cannot act on axis "
                         f"{axis} of {x.shape}")
    array = get_array_module(x.array).asarray(matrix, dtype=x.dtype)
    return AxisLinear(array, axis)(x)


def repeat_axis(x, axis, k):
    """Nearest upsampling by the integer k along `axis`: every element repeated k times."""
    shape = x.shape
    y = broadcast_to(reshape(x, shape[:axis + 1] + (1,) + shape[axis + 1:]),
                     shape[:axis + 1] + (k,) + shape[axis + 1:])
    return reshape(y, shape[:axis] + (shape[axis] * k,) + shape[axis + 1:])


# ---- the matrices (NumPy, float64, built on the host) ---------------------------------------
def nearest_matrix(n_in, n_out, scale, exact=False):
    """PyTorch's nearest: source i = min(⌊o·scale⌋, n_in − 1); nearest-exact: ⌊(o + ½)·scale⌋.
    Computed in float32, as PyTorch does, so the floors agree with it."""
    o = np.arange(n_out, dtype=np.float32) + np.float32(0.5 if exact else 0.0)
    src = np.floor(o * np.float32(scale)).astype(np.int64)
    src = np.minimum(src, n_in - 1)
    matrix = np.zeros((n_out, n_in))
    matrix[np.arange(n_out), src] = 1.0
    return matrix


def linear_matrix(n_in, n_out, scale, align_corners):
    """Linear interpolation weights as PyTorch's upsample_(bi|tri)linear computes them.

    align_corners=True: source coordinate s = o·(n_in − 1)/(n_out − 1) (corner pixels' centres
    coincide). False: s = max((o + ½)·scale − ½, 0) (pixel areas coincide; scale = 1/scale_factor
    or n_in/n_out). Then y_o = (1 − λ) x_⌊s⌋ + λ x_⌊s⌋+1 with λ = s − ⌊s⌋, clamped at the edge.
    """
    o = np.arange(n_out, dtype=np.float64)
    if align_corners:
        src = o * ((n_in - 1) / (n_out - 1) if n_out > 1 else 0.0)
    else:
        src = np.maximum((o + 0.5) * scale - 0.5, 0.0)
    i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    i1 = np.where(i0 < n_in - 1, i0 + 1, i0)
    lam = np.clip(src - i0, 0.0, 1.0)
    matrix = np.zeros((n_out, n_in))
    np.add.at(matrix, (np.arange(n_out), i0), 1.0 - lam)
    np.add.at(matrix, (np.arange(n_out), i1), lam)
    return matrix


def adaptive_avg_matrix(n_in, n_out):
    """PyTorch's adaptive average pooling: output o averages the inputs
    ⌊o·n_in/n_out⌋ … ⌈(o+1)·n_in/n_out⌉ − 1."""
    matrix = np.zeros((n_out, n_in))
    for o in range(n_out):
        start, end = (o * n_in) // n_out, -(-((o + 1) * n_in) // n_out)
        matrix[o, start:end] = 1.0 / (end - start)
    return matrix


# ---- F.interpolate -----------------------------------------------------------------------------
LINEAR_MODES = {"linear": 1, "bilinear": 2, "trilinear": 3}
# Nearest upsampling by an integer factor: the matrix costs O(in) per output, the repeat (reshape +
# broadcast, backward a strided sum) O(1) but with a large constant; measured forward + backward on
# 2 cores, the matrix is ~4x faster up to 32 input pixels per axis and ~2x slower from 64.
REPEAT_ABOVE = 32
MODES = ("nearest", "nearest-exact", "area") + tuple(LINEAR_MODES)


def _per_axis(value, n, what):
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,) * n
    if len(values) != n:
        raise ShapeError(f"interpolate: {what} {tuple(value)} has {len(values)} entries, but the input has "
                         f"{n} spatial dimension(s)")
    return values


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize the spatial axes of input (N, C, L), (N, C, H, W) or (N, C, D, H, W), as torch's F.interpolate.

    Give exactly one of `size` (int or one per spatial axis) and `scale_factor` (float or one
    per axis; output size ⌊in·scale_factor⌋). Modes:
      nearest        y_o = x_min(⌊o·scale⌋, in−1), scale = 1/scale_factor (or in/out when size is given
                     or recompute_scale_factor=True) — PyTorch's (slightly asymmetric) nearest;
      nearest-exact  y_o = x_⌊(o+½)·scale⌋ (pixel centres);
      linear | bilinear | trilinear (3-, 4-, 5-d input): separable linear interpolation, with
                     align_corners (default False) as in PyTorch — see linear_matrix;
      area           adaptive average pooling to the output size.
    Not supported: bicubic, antialias=True. Gradients flow to the input (twice differentiable).
    """
    if mode not in MODES:
        raise ValueError(f"interpolate: mode {mode!r} is not supported; choose one of {MODES}")
    if antialias:
        raise ValueError("interpolate: antialias=True is not supported")
    spatial = input.ndim - 2
    if spatial not in (1, 2, 3):
        raise ShapeError(f"interpolate: expected a 3-, 4- or 5-d input (N, C, spatial...), got {input.shape}")
    if mode in LINEAR_MODES and LINEAR_MODES[mode] != spatial:
        raise ShapeError(f"interpolate: mode {mode!r} needs a {LINEAR_MODES[mode] + 2}-d input, got {input.shape}")
    if align_corners is not None and mode not in LINEAR_MODES:
        raise ValueError(f"interpolate: align_corners can only be set with the linear modes {tuple(LINEAR_MODES)}, "
                         f"not {mode!r}")
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: give exactly one of size and scale_factor")
    in_sizes = input.shape[2:]
    if size is not None:
        out_sizes = tuple(int(s) for s in _per_axis(size, spatial, "size"))
        scales = [None] * spatial
    else:
        factors = tuple(float(s) for s in _per_axis(scale_factor, spatial, "scale_factor"))
        if any(not f > 0 or not math.isfinite(f) for f in factors):
            raise ValueError(f"interpolate: scale_factor must be positive and finite, got {scale_factor}")
        out_sizes = tuple(int(math.floor(n * f)) for n, f in zip(in_sizes, factors))
        scales = [None if recompute_scale_factor else 1.0 / f for f in factors]
    if min(out_sizes) < 1:
        raise ShapeError(f"interpolate: input {input.shape} would be resized to {out_sizes}; every size must be >= 1")
    y = input
    for i, (n_in, n_out, scale) in enumerate(zip(in_sizes, out_sizes, scales)):
        axis = 2 + i
        scale = scale if scale is not None else n_in / n_out
        if mode == "area":
            matrix = adaptive_avg_matrix(n_in, n_out)
        elif mode in LINEAR_MODES:
            matrix = linear_matrix(n_in, n_out, scale, bool(align_corners))
        else:
            matrix = nearest_matrix(n_in, n_out, scale, exact=mode == "nearest-exact")
            k = n_out // n_in
            if n_out == k * n_in and np.array_equal(matrix.argmax(axis=1), np.arange(n_out) // k):
                if k == 1:
                    continue
                if n_in > REPEAT_ABOVE:
                    y = repeat_axis(y, axis, k)
                    continue
        y = axis_linear(y, matrix, axis)
    return y


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated PyTorch spelling of interpolate."""
    return interpolate(input, size, scale_factor, mode, align_corners)
