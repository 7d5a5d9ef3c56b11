"""Tensor (a value in the graph) and Function (the op that made it).

A Function's `forward` works on raw arrays of the tensor's backend; its `backward` works on
Tensors, so the backward pass is made of recorded ops whenever grad mode is on (DeZero's
idea: double backward for free). Each Function has exactly one output, which keeps the
engine's bookkeeping to one gradient per Function. A kernel that computes more than that
output hands the rest over as side outputs (tinygan/ops/side_outputs.py: BatchNorm's batch
statistics, reparameterize_kl's KL).
"""
import weakref

import numpy as np

from tinygan import autograd, backend, profiler
from tinygan.errors import BackendError, DTypeError, GraphError, ShapeError, fmt_shapes
from tinygan.inplace import InPlaceMethods

FLOAT_DTYPES = (np.float32, np.float64)
DEFAULT_DTYPE = np.float32


def _is_array(data):
    return isinstance(data, np.ndarray) or backend.is_cupy(data)


def make_array(data, dtype=None, xp=None):
    """Python data / arrays -> array of the active backend. Floats default to float32."""
    if isinstance(data, Tensor):
        data = data.array
    xp = xp or (backend.get_array_module(data) if _is_array(data) else backend.xp_of_backend())
    if dtype is None and not isinstance(data, (np.ndarray, np.generic)) and not _is_array(data):
        kind = np.asarray(data).dtype.kind
        dtype = DEFAULT_DTYPE if kind == "f" else None
    return xp.asarray(data, dtype=dtype)


class Function:
    """One differentiable op. Subclasses define forward(*arrays) and backward(grad_output)."""

    inputs = None

    @property
    def name(self):
        """The op's name in errors and profiles: the class name ('MatMul')."""
        return type(self).__name__

    def __call__(self, *inputs):
        y = profiler.timed_forward(self, [t.array for t in inputs])
        if autograd.is_anomaly_enabled():
            autograd._check_finite(y, f"op '{self.name}' (inputs {fmt_shapes(*[t.array for t in inputs])})")
        out = Tensor(y)
        if autograd.is_grad_enabled() and any(t.requires_grad for t in inputs):
            self.inputs = inputs
            self.input_versions = tuple(t._version[0] for t in inputs)   # see tinygan/inplace.py
            self.needs_input_grad = tuple(t.requires_grad for t in inputs)
            self.output = weakref.ref(out)  # weak: the output owns its grad_fn, not the reverse
            out.grad_fn, out.requires_grad = self, True
        return out

    def forward(self, *arrays):
        """Return the one output array, computed from the inputs' raw NumPy/CuPy arrays."""
        raise NotImplementedError

    def backward(self, grad_output):
        """Return one Tensor (or None) per input, computed with Tensor ops."""
        raise NotImplementedError

    def release(self):
        """Drop saved inputs and arrays so the graph's memory can be freed after backward."""
        output = self.output
        self.__dict__.clear()
        self.inputs, self.output = None, output


class Tensor(InPlaceMethods):
    """An n-dimensional array with an optional gradient, PyTorch-style.

    `Tensor(data, requires_grad=False, dtype=None)`: data is a NumPy/CuPy array (used as is,
    without a copy, when no dtype is given), a Python number or nested list (floats become
    float32, ints int64), or a Tensor. Floating tensors are float32 or float64 only (float16 and
    complex raise DTypeError); integer and bool tensors exist but cannot require grad. Prefer
    `tinygan.tensor(...)`, which always copies.

    Methods ending in `_` (`add_`, `fill_`, ...) and `x[i] = v` change the tensor in place
    outside the graph: allowed only on a tensor that does not require grad (or under no_grad),
    and checked by backward through a version counter (tinygan/inplace.py).

    `.array` is the NumPy or CuPy array holding the values; `_version` is a one-element list
    shared by the tensors that share that array, counting in-place changes (tinygan/inplace.py).
    """

    __slots__ = ("array", "grad", "requires_grad", "grad_fn", "_retains_grad", "_version", "__weakref__")
    __array_ufunc__ = None  # make numpy defer to our reflected ops: np.float32(2) * t -> Tensor

    def __init__(self, data, requires_grad=False, dtype=None):
        self.array = data if (dtype is None and _is_array(data)) else make_array(data, dtype)
        if self.array.dtype.kind in "fc" and self.array.dtype not in FLOAT_DTYPES:
            raise DTypeError(f"tensor: {self.array.dtype} is not supported (no op computes in it); use float32 "
                             "or float64")
        self.grad = None
        self.grad_fn = None
        self._retains_grad = False
        self._version = [0]
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    # ---- properties -------------------------------------------------------------------
    @property
    def data(self):
        """PyTorch's `.data`: a tensor sharing this one's array, cut from the graph (`.array` is
        the raw NumPy/CuPy array itself)."""
        return self.detach()

    @data.setter
    def data(self, value):
        self.array = value.array if isinstance(value, Tensor) else make_array(value, self.dtype, backend.get_array_module(self.array))

    @property
    def shape(self):
        """The shape as a tuple of ints (a plain tuple, not a torch.Size)."""
        return tuple(self.array.shape)

    @property
    def ndim(self):
        """The number of dimensions (PyTorch's dim())."""
        return self.array.ndim

    @property
    def dtype(self):
        """The NumPy dtype of the values (numpy.float32, not torch.float32)."""
        return self.array.dtype

    @property
    def T(self):
        """All dims reversed, as NumPy's .T (a matrix's transpose); differentiable."""
        return self.transpose()

    @property
    def is_leaf(self):
        """True if no recorded op made this tensor (grad_fn is None): user-made tensors,
        Parameters, and results computed under no_grad or from inputs that need no grad."""
        return self.grad_fn is None

    @property
    def backend(self):
        """'numpy' or 'cupy': the array library holding the values (see also .device)."""
        return "numpy" if isinstance(self.array, np.ndarray) else "cupy"

    def size(self, dim=None):
        """The shape as a tuple, or with dim given the length of that dim (an int)."""
        return self.shape if dim is None else self.shape[dim]

    def numel(self):
        """The number of elements, the product of the shape (1 for a 0-d tensor)."""
        return int(self.array.size)

    def dim(self):
        """The number of dimensions (PyTorch's name for ndim)."""
        return self.array.ndim

    def all(self, dim=None, keepdim=False):
        """True where every element (along dim) is nonzero: a bool tensor outside the graph."""
        return Tensor(self.array.all(axis=dim, keepdims=keepdim))

    def any(self, dim=None, keepdim=False):
        """True where some element (along dim) is nonzero: a bool tensor outside the graph."""
        return Tensor(self.array.any(axis=dim, keepdims=keepdim))

    def __len__(self):
        return self.shape[0]

    def numpy(self):
        """The values as a NumPy array: the tensor's own array on NumPy (writes to it change the
        tensor, unseen by its version counter), a copy from the GPU on CuPy. Unlike PyTorch it
        also works on a tensor that requires grad (the result is outside the graph)."""
        return backend.to_numpy(self.array)

    def __array__(self, dtype=None, copy=None):
        array = self.numpy()
        return array if dtype is None else array.astype(dtype)

    def item(self):
        """The one value of a one-element tensor as a Python number (ShapeError otherwise)."""
        if self.array.size != 1:
            raise ShapeError(f"item: tensor of shape {self.shape} has {self.array.size} elements, not 1")
        return self.array.reshape(()).item()

    def tolist(self):
        """The values as nested Python lists of numbers (a number for a 0-d tensor)."""
        return self.numpy().tolist()

    def __repr__(self):
        body = np.array2string(self.numpy(), separator=", ", prefix="tensor(")
        extra = f", dtype={self.dtype}" if self.dtype != DEFAULT_DTYPE else ""
        if self.grad_fn is not None:
            extra += f", grad_fn=<{self.grad_fn.name}>"
        elif self.requires_grad:
            extra += ", requires_grad=True"
        return f"tensor({body}{extra})"

    # ---- autograd -----------------------------------------------------------------------
    def requires_grad_(self, requires_grad=True):
        """Set requires_grad in place and return self; only float tensors can require grad
        (DTypeError otherwise)."""
        if requires_grad and self.dtype.kind != "f":
            raise DTypeError(f"requires_grad_: only float tensors can require grad, got {self.dtype}")
        self.requires_grad = requires_grad
        return self

    def detach(self):
        """A tensor sharing this one's array (and version counter), cut from the graph."""
        out = Tensor(self.array)
        out._version = self._version
        return out

    def retain_grad(self):
        """Keep .grad on this non-leaf tensor after backward (leaves always get it)."""
        self._retains_grad = True
        return self

    def backward(self, grad=None, retain_graph=None, create_graph=False):
        """Accumulate d(self)/d(leaf) into every leaf's .grad.

        create_graph=True records the backward pass itself, so the gradients can be
        differentiated again (WGAN-GP, unrolled GANs). The graph is freed afterwards unless
        retain_graph (default: create_graph) is set.
        """
        if not self.requires_grad:
            raise GraphError(f"backward: tensor of shape {self.shape} does not require grad "
                             "(no input had requires_grad=True, or it was made under no_grad)")
        if grad is None:
            if self.array.size != 1:
                raise GraphError(f"backward: grad can be implicit only for a scalar output, got "
                                 f"shape {self.shape}; pass grad= of the same shape")
            grad = Tensor(backend.get_array_module(self.array).ones_like(self.array))
        grad = _grad_like(grad, self, "backward")
        retain = create_graph if retain_graph is None else retain_graph
        autograd.run_backward([self], [grad], retain, create_graph)

    # ---- conversion ---------------------------------------------------------------------
    def astype(self, dtype):
        """A copy cast to dtype (NumPy's name; self when the dtype is already that). Differentiable:
        the gradient is cast back to this tensor's dtype."""
        return ops.astype(self, dtype)

    def float(self):
        """Cast to float32 (differentiable; self if already float32)."""
        return self.astype(np.float32)

    def double(self):
        """Cast to float64 (differentiable; self if already float64)."""
        return self.astype(np.float64)

    def long(self):
        """int64 values (truncated toward zero), outside the graph: labels and indices."""
        return Tensor(self.array.astype(np.int64))

    def int(self):
        """int32 values (truncated toward zero), outside the graph."""
        return Tensor(self.array.astype(np.int32))

    def bool(self):
        """True where nonzero, outside the graph."""
        return Tensor(self.array.astype(bool))

    def to(self, *args, **kwargs):
        """PyTorch's `.to(device)`, `.to(dtype)`, `.to(device, dtype)` or `.to(other_tensor)`.

        Differentiable: the gradient flows back through the copy. Returns self when nothing
        changes. A device is 'cpu' (NumPy) or 'cuda'/'cuda:N' (CuPy); a dtype float32/float64
        (or any NumPy dtype for tensors outside the graph). `non_blocking` is accepted and ignored."""
        target_device, dtype, copy = _to_arguments(args, kwargs)
        out = self if dtype is None else ops.astype(self, dtype)
        if target_device is not None:
            out = devices.to_device(out, target_device)
        return out.clone() if copy and out is self else out

    @property
    def device(self):
        """The tinygan.device the values live on: cpu (NumPy) or cuda:N (CuPy)."""
        return devices.of_array(self.array)

    @property
    def is_cuda(self):
        """True when the values are a CuPy array on a GPU."""
        return self.backend == "cupy"

    def cpu(self):
        """to('cpu'): a NumPy-backed tensor (differentiable copy; self if already there)."""
        return self.to("cpu")

    def cuda(self, device=None):
        """to('cuda') or to(device): a CuPy-backed tensor (BackendError without CuPy and a GPU)."""
        return self.to("cuda" if device is None else device)

    def type_as(self, other):
        """Cast to other's dtype (differentiable). Unlike PyTorch it does not move to other's device."""
        return self.to(other.dtype)

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
        """σ(x) = 1 / (1 + e^{-x}), computed as ½(1 + tanh(x/2)) so it never overflows."""
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
        return Tensor(make_array(data, self.dtype, backend.get_array_module(self.array)))
    def _new(self, value, shape): return Tensor(backend.get_array_module(self.array).full(shape, value, dtype=self.dtype))


def _shape_arg(args):
    """Accept both t.reshape(2, 3) and t.reshape((2, 3))."""
    return tuple(args[0]) if len(args) == 1 and isinstance(args[0], (tuple, list)) else tuple(args)


def _axis_args(axis, keepdims, dim, keepdim):
    return (axis if dim is None else dim), (keepdims if keepdim is None else keepdim)


_DTYPE_NAMES = {"float": "float32", "double": "float64", "long": "int64", "int": "int32",
                "bool": "bool"}


def _as_dtype(value):
    """A NumPy dtype for a dtype-like value, or None if the value is not one."""
    if isinstance(value, str):
        value = _DTYPE_NAMES.get(value, value)
    try:
        return np.dtype(value) if value is not None else None
    except TypeError:
        return None


def _to_arguments(args, kwargs):
    """Parse the PyTorch forms of Tensor.to / Module.to into (device or None, dtype or None, copy)."""
    unknown = set(kwargs) - {"device", "dtype", "non_blocking", "copy", "memory_format"}
    if unknown or len(args) > 3:
        raise TypeError(f"to: unexpected arguments {sorted(unknown) or args}")
    target, dtype = kwargs.get("device"), kwargs.get("dtype")
    for arg in args:
        if isinstance(arg, Tensor):
            target, dtype = arg.device, arg.dtype
        elif isinstance(arg, bool):              # the positional non_blocking of to(device, dtype, non_blocking)
            continue
        elif _as_dtype(arg) is not None and not isinstance(arg, devices.device):
            dtype = arg
        else:
            target = arg
    if target is not None:
        try:
            target = devices.as_device(target, "to")
        except BackendError:
            raise BackendError(f"to: {target!r} is neither a device ('cpu', 'cuda', 'cuda:N') "
                                       "nor a dtype ('float32', 'float64')") from None
    if dtype is not None:
        resolved = _as_dtype(dtype)
        if resolved is None or resolved.kind == "c" or resolved == np.float16:
            raise DTypeError(f"to: unsupported dtype {dtype!r}; use float32 or float64")
        dtype = resolved
    return target, dtype, bool(kwargs.get("copy", False))


def _grad_like(grad, like, op):
    """Check a user-supplied output gradient against the output it belongs to."""
    grad = grad if isinstance(grad, Tensor) else Tensor(make_array(grad, like.dtype, backend.get_array_module(like.array)))
    if grad.shape != like.shape:
        raise ShapeError(f"{op}: grad of shape {grad.shape} does not match output shape {like.shape}")
    if grad.dtype != like.dtype:
        raise DTypeError(f"{op}: grad dtype {grad.dtype} does not match output dtype {like.dtype}")
    return grad


from tinygan import devices, ops  # noqa: E402  (they import Tensor/Function from this module)
