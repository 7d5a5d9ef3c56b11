"""Shape ops: they move or copy elements, so each backward moves the gradient back."""
import numpy as np

from tinygan.backend import get_array_module, scatter_add
from tinygan.errors import DTypeError, ShapeError
from tinygan.tensor import Function, Tensor


class SumTo(Function):
    """Sum over the axes that broadcasting added or stretched; the adjoint of broadcast_to."""
    def __init__(self, shape): self.shape = tuple(shape)
    def forward(self, x):
        lead = x.ndim - len(self.shape)
        axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(self.shape) if n == 1 and x.shape[lead + i] != 1)
        return x.sum(axis=axes, keepdims=True).reshape(self.shape)
    def backward(self, gy): return broadcast_to(gy, self.inputs[0].shape)


class BroadcastTo(Function):
    def __init__(self, shape): self.shape = tuple(shape)
    def forward(self, x): return get_array_module(x).broadcast_to(x, self.shape)
    def backward(self, gy): return sum_to(gy, self.inputs[0].shape)


def sum_to(x, shape):
    """x summed down to shape (the adjoint of broadcast_to); x itself if it already has it."""
    return x if x.shape == tuple(shape) else SumTo(shape)(x)


def broadcast_to(x, shape):
    """x broadcast to shape by NumPy's rules (ShapeError if it cannot be); the gradient is summed
    back with sum_to."""
    shape = tuple(shape)
    try:
        fits = np.broadcast_shapes(x.shape, shape) == shape
    except ValueError:
        fits = False
    if not fits:
        raise ShapeError(f"broadcast_to: cannot broadcast shape {x.shape} to {shape}")
    return x if x.shape == shape else BroadcastTo(shape)(x)


class Reshape(Function):
    def __init__(self, shape): self.shape = shape
    def forward(self, x): return x.reshape(self.shape)
    def backward(self, gy): return reshape(gy, self.inputs[0].shape)


def reshape(x, shape):
    """The same elements in a new shape (a tuple with at most one -1); ShapeError if the sizes differ."""
    shape = tuple(shape)
    known = [n for n in shape if n != -1]
    size = int(np.prod(x.shape))
    if shape.count(-1) > 1 or (-1 not in shape and int(np.prod(shape)) != size) or \
            (-1 in shape and (np.prod(known) == 0 or size % int(np.prod(known)))):
        raise ShapeError(f"reshape: cannot view shape {x.shape} ({size} elements) as {shape}")
    return x if x.shape == shape else Reshape(shape)(x)


class Transpose(Function):
    def __init__(self, axes): self.axes = axes
    def forward(self, x): return x.transpose(self.axes)
    def backward(self, gy): return transpose(gy, tuple(np.argsort(self.axes)))


def transpose(x, axes=None):
    """Permute axes; with axes=None reverse them (NumPy's .T). Also PyTorch's permute."""
    axes = tuple(reversed(range(x.ndim))) if axes is None else tuple(a % x.ndim for a in axes)
    if sorted(axes) != list(range(x.ndim)):
        raise ShapeError(f"transpose: axes {axes} are not a permutation of a {x.ndim}-d tensor's axes")
    return Transpose(axes)(x)


def swap_last(x):
    """Swap the last two axes (matrix transpose of a batch of matrices)."""
    axes = list(range(x.ndim))
    axes[-1], axes[-2] = axes[-2], axes[-1]
    return transpose(x, axes)


def flatten(x, start_dim=0, end_dim=-1):
    """Dims start_dim..end_dim (both included) merged into one."""
    start, end = start_dim % x.ndim, end_dim % x.ndim
    return reshape(x, x.shape[:start] + (-1,) + x.shape[end + 1:])


def squeeze(x, axis=None):
    """Drop all size-1 dims, or dim axis (one int) if its size is 1."""
    if axis is None:
        return reshape(x, tuple(n for n in x.shape if n != 1))
    axis = axis % x.ndim
    return reshape(x, x.shape[:axis] + x.shape[axis + 1:]) if x.shape[axis] == 1 else x


def unsqueeze(x, axis):
    """Insert a size-1 dim at position axis of the result."""
    axis = axis % (x.ndim + 1)
    return reshape(x, x.shape[:axis] + (1,) + x.shape[axis:])


class AsType(Function):
    def __init__(self, dtype): self.dtype = dtype
    def forward(self, x): return x.astype(self.dtype)
    def backward(self, gy): return astype(gy, self.inputs[0].dtype)


def astype(x, dtype):
    """x cast to dtype (x itself if it has it); the gradient is cast back to x's dtype."""
    return x if x.dtype == np.dtype(dtype) else AsType(np.dtype(dtype))(x)


# ---- indexing ------------------------------------------------------------------------------
def _normalize_key(key, xp):
    """Tensors and lists inside an index become arrays of the tensor's backend."""
    items = key if isinstance(key, tuple) else (key,)
    out = tuple(xp.asarray(k.array if isinstance(k, Tensor) else k) if isinstance(k, (Tensor, list)) else k
                for k in items)
    return out if isinstance(key, tuple) else out[0]


def _has_integer_array(key):
    items = key if isinstance(key, tuple) else (key,)
    return any(hasattr(k, "dtype") and k.dtype.kind in "iu" for k in items)


class GetItem(Function):
    def __init__(self, key): self.key = key
    def forward(self, x): return x[self.key]
    def backward(self, gy): return GetItemBackward(self.key, self.inputs[0].shape)(gy)


class GetItemBackward(Function):
    """Scatter gy into zeros of the input's shape; repeated integer indices accumulate."""
    def __init__(self, key, shape): self.key, self.shape = key, shape
    def forward(self, gy):
        gx = get_array_module(gy).zeros(self.shape, dtype=gy.dtype)
        if _has_integer_array(self.key):
            scatter_add(gx, self.key, gy)
        else:  # basic slicing and boolean masks never repeat an element
            gx[self.key] = gy
        return gx
    def backward(self, ggx): return GetItem(self.key)(ggx)


def getitem(x, key):
    """x[key]: NumPy's basic indexing (ints, slices, None, ...), bool masks and integer arrays or
    Tensors; in the gradient, repeated integer indices accumulate."""
    key = _normalize_key(key, get_array_module(x.array))
    try:
        return GetItem(key)(x)
    except IndexError as exc:
        raise IndexError(f"getitem: {exc} (tensor shape {x.shape})") from None


# ---- joining and padding ---------------------------------------------------------------------
class Concatenate(Function):
    def __init__(self, axis): self.axis = axis
    def forward(self, *xs): return get_array_module(xs[0]).concatenate(xs, axis=self.axis)
    def backward(self, gy):
        grads, start = [], 0
        for t in self.inputs:
            index = [slice(None)] * gy.ndim
            index[self.axis] = slice(start, start + t.shape[self.axis])
            grads.append(gy[tuple(index)])
            start += t.shape[self.axis]
        return tuple(grads)


def concatenate(tensors, axis=0, *, dim=None):
    """Join tensors along an existing axis (dim is PyTorch's name; tinygan.cat is the same).
    All need one dtype and the same shape outside that axis (ShapeError/DTypeError otherwise)."""
    tensors = list(tensors)
    axis = (axis if dim is None else dim) % tensors[0].ndim
    ref = tensors[0]
    for t in tensors[1:]:
        if t.ndim != ref.ndim or t.shape[:axis] + t.shape[axis + 1:] != ref.shape[:axis] + ref.shape[axis + 1:]:
            raise ShapeError(f"concatenate: shapes {ref.shape} and {t.shape} differ outside axis {axis}")
        if t.dtype != ref.dtype:
            raise DTypeError(f"concatenate: cannot join {ref.dtype} {ref.shape} with {t.dtype} {t.shape}")
    return Concatenate(axis)(*tensors)


def stack(tensors, axis=0, *, dim=None):
    """Join tensors of one shape along a new axis (dim is PyTorch's name)."""
    tensors = list(tensors)
    axis = (axis if dim is None else dim) % (tensors[0].ndim + 1)
    if any(t.shape != tensors[0].shape for t in tensors):
        raise ShapeError(f"stack: all tensors need one shape, got {[t.shape for t in tensors]}")
    return concatenate([unsqueeze(t, axis) for t in tensors], axis)


class Pad(Function):
    """Constant padding; widths are NumPy-style ((before, after), ...) per axis."""
    def __init__(self, widths, value): self.widths, self.value = widths, value
    def forward(self, x):
        return get_array_module(x).pad(x, self.widths, mode="constant", constant_values=self.value)
    def backward(self, gy):
        return gy[tuple(slice(lo, gy.shape[i] - hi) for i, (lo, hi) in enumerate(self.widths))]


def pad(x, pad, value=0.0):
    """Constant padding in PyTorch's F.pad convention: pad=(left, right, top, bottom, ...) in
    (before, after) pairs starting at the last axis. Widths must be non-negative (PyTorch's
    negative cropping is not supported); only mode 'constant'."""
    if len(pad) % 2 or len(pad) // 2 > x.ndim or any(p < 0 for p in pad):
        raise ShapeError(f"pad: need non-negative (before, after) pairs for at most {x.ndim} axes, got {tuple(pad)}")
    widths = [(0, 0)] * x.ndim
    for i in range(len(pad) // 2):
        widths[x.ndim - 1 - i] = (int(pad[2 * i]), int(pad[2 * i + 1]))
    return Pad(tuple(widths), value)(x)


class Clone(Function):
    """A copy with its own array; the gradient passes through unchanged."""
    def forward(self, x): return x.copy()
    def backward(self, gy): return gy


def clone(x):
    """A copy with its own array; the gradient passes through unchanged."""
    return Clone()(x)
