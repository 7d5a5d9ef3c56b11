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
from tinygan.tensor_methods import TensorMethods

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


class Tensor(TensorMethods, InPlaceMethods):
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


from tinygan import devices, ops, tensor_methods  # noqa: E402  (they import Tensor/Function from this module)

tensor_methods.bind(Tensor, ops)
