"""Tensor's PyTorch-spelling methods: `x + y`, `x.sum(dim=1)`, `x.reshape(2, 3)`, `x.new_zeros(...)`.

Each is a thin spelling of an op in tinygan/ops (where its forward and backward live) or of a
new tensor outside the graph; the Tensor core (values, autograd, conversion) is in
tinygan/tensor.py, the in-place methods in tinygan/inplace.py. Kept apart so that the core reads
in one sitting.
"""
import numpy as np

from tinygan import backend
from tinygan.errors import DTypeError, ShapeError

# Bound by tinygan/tensor.py (bind below) once both exist: the ops import Tensor, so neither can be
# imported here. A Tensor method called before that (only possible while tinygan itself is being
# imported) fails with the message of _Unbound.
class _Unbound:
    def __getattr__(self, name):
        raise RuntimeError(f"tinygan.ops.{name}: a Tensor method ran while tinygan was still being imported")


ops = Tensor = _Unbound()


def bind(tensor_class, ops_module):
    global Tensor, ops
    Tensor, ops = tensor_class, ops_module


class TensorMethods:
    """Mixed into Tensor. New tensors are plain Tensors, also for a Parameter (as in PyTorch: p > 0 is no Parameter)."""

    __slots__ = ()

    # ---- arithmetic (ops live in tinygan/ops; these are thin PyTorch-style spellings) ----
    def __add__(self, other): return ops.add(self, other)
    def __radd__(self, other): return ops.add(other, self)
    def __sub__(self, other): return ops.sub(self, other)
    def __rsub__(self, other): return ops.sub(other, self)
    def __mul__(self, other): return ops.mul(self, other)
    def __rmul__(self, other): return ops.mul(other, self)
    def __truediv__(self, other): return ops.div(self, other)
    def __rtruediv__(self, other): return ops.div(other, self)
    def __neg__(self): return ops.neg(self)
    def __pow__(self, exponent): return ops.pow(self, exponent)
    def __rpow__(self, base): return ops.rpow(self, base)
    def __matmul__(self, other): return ops.matmul(self, other)
    def __rmatmul__(self, other): return ops.matmul(other, self)
    def __getitem__(self, key): return ops.getitem(self, key)
    def __abs__(self): return ops.abs(self)
    def __float__(self): return float(self.item())
    def __int__(self): return int(self.item())
    def __index__(self):
        if self.dtype.kind not in "iub":
            raise DTypeError(f"__index__: only integer tensors can be used as an index, got {self.dtype}")
        return int(self.item())
    def __format__(self, spec): return format(self.item(), spec) if spec else repr(self)

    # comparisons give bool tensors outside the graph, as in PyTorch
    def _compare(self, other, ufunc):
        other = other.array if isinstance(other, Tensor) else other
        return Tensor(ufunc(self.array, other))
    def __lt__(self, other): return self._compare(other, np.less)
    def __le__(self, other): return self._compare(other, np.less_equal)
    def __gt__(self, other): return self._compare(other, np.greater)
    def __ge__(self, other): return self._compare(other, np.greater_equal)
    def __eq__(self, other): return self._compare(other, np.equal)
    def __ne__(self, other): return self._compare(other, np.not_equal)
    __hash__ = object.__hash__

    def __bool__(self):
        return bool(self.item())

    # elementwise
    def exp(self):
        """eˣ elementwise."""
        return ops.exp(self)
    def log(self):
        """The natural logarithm ln x elementwise (−inf at 0, NaN below, as NumPy)."""
        return ops.log(self)
    def sqrt(self):
        """√x elementwise; the gradient 1 / (2√x) is inf at 0."""
        return ops.sqrt(self)
    def abs(self):
        """|x| elementwise; the gradient is sign(x), 0 at x = 0 (as PyTorch)."""
        return ops.abs(self)
    def pow(self, exponent):
        """xᵖ for a constant Python number p (a Tensor exponent raises TypeError); d/dx = p xᵖ⁻¹."""
        return ops.pow(self, exponent)
    def clip(self, min=None, max=None):
        """Clamp into [min, max] (either bound may be None, not both); the gradient passes where
        min ≤ x ≤ max, ends included, as torch.clamp. Bounds are numbers (tensor bounds raise
        TypeError)."""
        return ops.clip(self, min, max)
    clamp = clip
    def maximum(self, other):
        """Elementwise max(x, other) with broadcasting; at ties each side gets half the gradient."""
        return ops.maximum(self, other)
    def minimum(self, other):
        """Elementwise min(x, other) with broadcasting; at ties each side gets half the gradient."""
        return ops.minimum(self, other)
    def relu(self):
        """max(x, 0); the gradient is 1 where x > 0, else 0."""
        return ops.relu(self)
    def sigmoid(self):
        """σ(x) = 1 / (1 + e^{-x}), computed so that it never overflows (tinygan.ops.activation.sigmoid)."""
        return ops.sigmoid(self)
    def tanh(self):
        """tanh x elementwise; d/dx = 1 − tanh² x."""
        return ops.tanh(self)
    def softmax(self, axis=-1, *, dim=None):
        """softmax(x)ᵢ = e^{xᵢ} / Σⱼ e^{xⱼ} along one axis (dim is PyTorch's name), computed as
        exp(log_softmax(x)); no dtype= argument."""
        return ops.softmax(self, axis if dim is None else dim)
    def log_softmax(self, axis=-1, *, dim=None):
        """x − log Σ eˣ along one axis (dim is PyTorch's name), shifted by the max so no exp overflows."""
        return ops.log_softmax(self, axis if dim is None else dim)

    # reductions (NumPy names; PyTorch's dim/keepdim accepted as aliases)
    def sum(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        """Σ over axis (an int, a tuple or None for all); keepdims leaves those dims as size 1.
        PyTorch's dim/keepdim are aliases; no dtype= argument (the sum keeps the tensor's dtype)."""
        return ops.sum(self, *_axis_args(axis, keepdims, dim, keepdim))
    def mean(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        """The mean over axis (int, tuple or None for all), as sum; NaN over zero elements."""
        return ops.mean(self, *_axis_args(axis, keepdims, dim, keepdim))
    def var(self, axis=None, keepdims=False, *, dim=None, keepdim=None, correction=1):
        """Σ(x − x̄)² / (n − correction) over axis; correction=1 (Bessel, torch.var's default),
        0 for the population variance. NaN when n − correction ≤ 0. No unbiased= argument."""
        return ops.var(self, *_axis_args(axis, keepdims, dim, keepdim), correction=correction)
    def max(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """No dim: the largest value. With dim: (values, indices) as PyTorch's max(dim). With a
        tensor: the elementwise maximum. Tied maxima share the gradient equally (PyTorch's
        max(dim) gives it all to the returned index); indices are outside the graph."""
        return ops.max_or_min(self, True, *_axis_args(dim, keepdim, axis, keepdims))
    def min(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """As max, for the smallest values."""
        return ops.max_or_min(self, False, *_axis_args(dim, keepdim, axis, keepdims))
    def amax(self, dim=None, keepdim=False):
        """The maximum over dim (int, tuple or None for all), values only; ties share the
        gradient equally, as torch.amax."""
        return ops.max(self, dim, keepdim)
    def amin(self, dim=None, keepdim=False):
        """The minimum over dim (int, tuple or None for all), values only; ties share the gradient."""
        return ops.min(self, dim, keepdim)
    def std(self, dim=None, keepdim=False, *, correction=1):
        """√var: the standard deviation over dim with correction=1 (Bessel) by default."""
        return ops.var(self, dim, keepdim, correction).sqrt()
    def logsumexp(self, dim, keepdim=False):
        """log Σ eˣ over dim (an int; required), shifted by the max so no exp overflows."""
        return ops.logsumexp(self, dim, keepdim)
    def norm(self, p="fro", dim=None, keepdim=False):
        """The vector p-norm (Σ|x|ᵖ)^{1/p} over dim (all elements by default): p = 'fro' or 2
        (√Σx²), 1, inf (max |x|) or any p > 0; no matrix norms (p='nuc'). Unlike
        PyTorch the gradient of the 2-norm at x = 0 is NaN, not 0."""
        return ops.vector_norm(self, p, dim, keepdim)
    def argmax(self, axis=None, *, dim=None):
        """The index of the largest value (over all elements flattened, or along axis/dim):
        an int64 tensor outside the graph; no keepdim."""
        return Tensor(self.array.argmax(axis=axis if dim is None else dim))
    def argmin(self, axis=None, *, dim=None):
        """The index of the smallest value, as argmax."""
        return Tensor(self.array.argmin(axis=axis if dim is None else dim))

    # shape
    def reshape(self, *shape):
        """The same elements in a new shape, given as reshape(2, 3) or reshape((2, 3)); one dim may
        be -1. view is the same op (PyTorch's contiguity rule does not apply)."""
        return ops.reshape(self, _shape_arg(shape))
    view = reshape
    def transpose(self, *axes):
        """PyTorch's x.transpose(d0, d1) swaps two dims; with no dims or a full permutation it is
        NumPy's transpose."""
        axes = _shape_arg(axes)
        if len(axes) == 2:
            order = list(range(self.ndim))
            order[axes[0]], order[axes[1]] = order[axes[1]], order[axes[0]]
            axes = tuple(order)
        return ops.transpose(self, axes or None)
    def t(self):
        """The transpose of a matrix (0-d and 1-d tensors come back unchanged); ShapeError above 2-d."""
        if self.ndim > 2:
            raise ShapeError(f"t: expects a tensor of at most 2 dims, got shape {self.shape}; use transpose(d0, d1)")
        return self if self.ndim < 2 else ops.transpose(self, (1, 0))
    def permute(self, *axes):
        """The dims reordered: permute(2, 0, 1) or permute((2, 0, 1)); a full permutation is required."""
        return ops.transpose(self, _shape_arg(axes))
    def flatten(self, start_dim=0, end_dim=-1):
        """Dims start_dim..end_dim (both included) merged into one."""
        return ops.flatten(self, start_dim, end_dim)
    def squeeze(self, axis=None):
        """Drop every size-1 dim, or only dim `axis` (one int) if its size is 1 (else unchanged)."""
        return ops.squeeze(self, axis)
    def unsqueeze(self, axis):
        """Insert a size-1 dim at position axis (negative counts from the end of the result)."""
        return ops.unsqueeze(self, axis)
    def expand(self, *shape):
        """Broadcast to shape (-1 keeps a dim; new dims go in front), as torch.expand; the
        gradient is summed back over the broadcast dims."""
        shape = _shape_arg(shape)       # -1 keeps that dim, as in PyTorch
        lead = len(shape) - self.ndim
        return ops.broadcast_to(self, tuple(self.shape[i - lead] if n == -1 else n for i, n in enumerate(shape)))
    broadcast_to = expand
    def expand_as(self, other):
        """expand(other.shape)."""
        return self.expand(other.shape)
    def view_as(self, other):
        """reshape(other.shape)."""
        return self.reshape(other.shape)
    reshape_as = view_as
    def contiguous(self):
        """self: tinygan's ops accept any memory layout, so there is nothing to do."""
        return self
    def clone(self):
        """A copy with its own array; differentiable (the gradient passes through unchanged)."""
        return ops.clone(self)
    def repeat(self, *sizes):
        """PyTorch's repeat (NumPy's tile): sizes[i] copies along dim i, at least one size per dim
        (extra sizes add leading dims)."""
        return ops.repeat(self, _shape_arg(sizes))
    def chunk(self, chunks, dim=0):
        """A tuple of at most `chunks` pieces of size ceil(n / chunks) along dim, as torch.chunk."""
        return ops.chunk(self, chunks, dim)
    def split(self, split_size_or_sections, dim=0):
        """A tuple of pieces along dim: each of split_size (the last may be smaller), or of the
        listed sizes, which must add up to the dim's length."""
        return ops.split(self, split_size_or_sections, dim)
    def diag(self):
        """A 1-d tensor becomes a square diagonal matrix; a matrix gives its main diagonal.
        No `diagonal=` offset, no batches."""
        return ops.diag(self)
    def masked_fill(self, mask, value):
        """A copy with value where the bool mask (broadcast) is True; those elements get no gradient."""
        return ops.where(mask, Tensor(self.array.dtype.type(value)), self)
    def matmul(self, other):
        """self @ other: NumPy's matmul (1-d operands as vectors, batch dims broadcast). mm and bmm
        are the same op, without PyTorch's 2-d/3-d checks."""
        return ops.matmul(self, other)
    mm = bmm = matmul

    # new tensors like this one (same dtype and device), outside the graph
    def new_zeros(self, *size):
        """Zeros of the given size with this tensor's dtype and device (requires_grad False)."""
        return self._new(0, _shape_arg(size))
    def new_ones(self, *size):
        """Ones of the given size with this tensor's dtype and device."""
        return self._new(1, _shape_arg(size))
    def new_full(self, size, fill_value):
        """fill_value everywhere, of shape size (a tuple), with this tensor's dtype and device."""
        return self._new(fill_value, tuple(size))
    def new_tensor(self, data):
        """data as a tensor of this tensor's dtype, on its device, outside the graph (unlike
        PyTorch, an array already of that dtype and device is used without a copy)."""
        from tinygan.tensor import make_array
        return Tensor(make_array(data, self.dtype, backend.get_array_module(self.array)))
    def _new(self, value, shape): return Tensor(backend.get_array_module(self.array).full(shape, value, dtype=self.dtype))


def _shape_arg(args):
    """Accept both t.reshape(2, 3) and t.reshape((2, 3))."""
    return tuple(args[0]) if len(args) == 1 and isinstance(args[0], (tuple, list)) else tuple(args)


def _axis_args(axis, keepdims, dim, keepdim):
    return (axis if dim is None else dim), (keepdims if keepdim is None else keepdim)

