"""Reductions over an axis (int, tuple or None) with keepdims, NumPy-style.
(This module defines sum/max/min, so Python's builtins are reached through `builtins`.)"""
import builtins

from tinygan.errors import ShapeError
from tinygan.tensor import Function, Tensor
from tinygan.ops.shape import broadcast_to, reshape


def _axes(axis, ndim, op):
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    if any(not -ndim <= a < builtins.max(ndim, 1) for a in axes):
        raise ShapeError(f"{op}: axis {axis} is out of range for a {ndim}-d tensor")
    return tuple(sorted(a % builtins.max(ndim, 1) for a in axes))


def _kept_shape(shape, axes):
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


class Sum(Function):
    def __init__(self, axes, keepdims): self.axes, self.keepdims = axes, keepdims
    def forward(self, x): return x.sum(axis=self.axes, keepdims=self.keepdims)
    def backward(self, gy):
        shape = self.inputs[0].shape
        return broadcast_to(reshape(gy, _kept_shape(shape, self.axes)), shape)


class Max(Function):
    """max (or min) over axes; ties share the gradient equally (as torch.amax)."""
    def __init__(self, axes, keepdims, take_max): self.axes, self.keepdims, self.take_max = axes, keepdims, take_max
    def forward(self, x):
        y = x.max(axis=self.axes, keepdims=True) if self.take_max else x.min(axis=self.axes, keepdims=True)
        self.winners = (x == y)
        self.winners = self.winners / self.winners.sum(axis=self.axes, keepdims=True)
        return y if self.keepdims else y.reshape([n for i, n in enumerate(x.shape) if i not in self.axes])
    def backward(self, gy):
        shape = self.inputs[0].shape
        share = Tensor(self.winners.astype(gy.dtype))
        return broadcast_to(reshape(gy, _kept_shape(shape, self.axes)), shape) * share


def sum(x, axis=None, keepdims=False):
    """Σ over axis (an int, a tuple, or None for all); keepdims leaves those dims as size 1."""
    return Sum(_axes(axis, x.ndim, "sum"), keepdims)(x)


def mean(x, axis=None, keepdims=False):
    """Σx / n over axis (int, tuple or None for all); NaN over zero elements, as PyTorch."""
    axes = _axes(axis, x.ndim, "mean")
    count = 1
    for a in axes:
        count *= x.shape[a]
    return sum(x, axes, keepdims) * (1.0 / count if count else float("nan"))     # empty: NaN, as PyTorch


def var(x, axis=None, keepdims=False, correction=1):
    """Σ(x − x̄)² / (n − correction) over axis: Bessel's correction by default (correction=1),
    as torch.var; NaN when n − correction ≤ 0."""
    axes = _axes(axis, x.ndim, "var")
    count = 1
    for a in axes:
        count *= x.shape[a]
    centred = x - mean(x, axes, keepdims=True)
    dof = count - correction         # no degrees of freedom left (empty, or one value): NaN, as torch
    return sum(centred * centred, axes, keepdims) * (1.0 / dof if dof > 0 else float("nan"))


def max(x, axis=None, keepdims=False):
    """The largest value over axis (int, tuple or None for all); ties share the gradient equally."""
    return Max(_axes(axis, x.ndim, "max"), keepdims, True)(x)


def min(x, axis=None, keepdims=False):
    """The smallest value over axis (int, tuple or None for all); ties share the gradient equally."""
    return Max(_axes(axis, x.ndim, "min"), keepdims, False)(x)
