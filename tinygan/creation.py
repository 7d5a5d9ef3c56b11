"""Tensor factories in PyTorch's spelling. Random ones draw from the central generator
(tinygan.random) on the CPU, so a seed gives the same numbers on every device.

`device=` ('cpu' = NumPy, 'cuda' = CuPy) chooses where the tensor goes; without it, the active
backend (tinygan.set_backend) does. `*_like` factories default to the model tensor's dtype and
device, as in PyTorch.
"""
import numpy as np

from tinygan import backend, random
from tinygan.tensor import DEFAULT_DTYPE, Tensor, make_array


def _xp(device, op):
    if device is None:
        return backend.xp_of_backend()
    from tinygan.devices import xp_of
    return xp_of(device, op)


def _host(data):
    """A NumPy array or scalar: without device= it goes to the active backend, as torch.tensor(ndarray)
    goes to the default device (torch.set_default_device); Tensors and CuPy arrays stay where they are."""
    return isinstance(data, (np.ndarray, np.generic))


def tensor(data, requires_grad=False, dtype=None, device=None):
    """A new leaf tensor copied from data (lists, numbers, arrays). Python floats become float32."""
    array = make_array(data, dtype, _xp(device, "tensor") if device is not None or _host(data) else None)
    if array is getattr(data, "array", data):    # asarray kept the caller's memory: copy, as torch.tensor
        array = array.copy()
    return Tensor(array, requires_grad=requires_grad)


def as_tensor(data, dtype=None, device=None):
    """data as a tensor, without a copy when it is already a tensor or array of that dtype and device."""
    if isinstance(data, Tensor) and dtype is None and device is None:
        return data
    return Tensor(make_array(data, dtype, _xp(device, "as_tensor") if device is not None or _host(data) else None))


def from_numpy(array):
    """A tensor sharing the NumPy array's memory (writes through either are seen by both)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(array).__name__}")
    return Tensor(array)


def _new(array, dtype, requires_grad, device, op):
    return Tensor(_xp(device, op).asarray(array, dtype=dtype or DEFAULT_DTYPE), requires_grad=requires_grad)


def _shape(shape):
    return tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else tuple(shape)


def zeros(*shape, dtype=None, requires_grad=False, device=None):
    """A tensor of zeros; shape as zeros(2, 3) or zeros((2, 3)). float32 unless dtype= is given,
    on `device` or else the active backend."""
    return _new(np.zeros(_shape(shape)), dtype, requires_grad, device, "zeros")


def ones(*shape, dtype=None, requires_grad=False, device=None):
    """A tensor of ones; shape as ones(2, 3) or ones((2, 3)); float32 unless dtype= is given."""
    return _new(np.ones(_shape(shape)), dtype, requires_grad, device, "ones")


def empty(*shape, dtype=None, requires_grad=False, device=None):
    """Zeros (tinygan never hands out uninitialised memory)."""
    return _new(np.zeros(_shape(shape)), dtype, requires_grad, device, "empty")


def full(shape, fill_value, dtype=None, requires_grad=False, device=None):
    """A tensor of fill_value of shape (an int or a tuple); float32 unless dtype= is given (also
    for an integer fill_value, where PyTorch would give int64)."""
    return _new(np.full(_shape((shape,)), fill_value), dtype, requires_grad, device, "full")


def eye(n, m=None, dtype=None, requires_grad=False, device=None):
    """The n × m (default n × n) matrix with ones on the main diagonal; float32 unless dtype=."""
    return _new(np.eye(n, m), dtype, requires_grad, device, "eye")


def arange(start, stop=None, step=1, dtype=None, requires_grad=False, device=None):
    """Integers give an int64 tensor (as in PyTorch); any float argument gives float32."""
    values = np.arange(start, stop, step) if stop is not None else np.arange(start)
    if dtype is None and values.dtype.kind == "f":
        dtype = DEFAULT_DTYPE
    return Tensor(_xp(device, "arange").asarray(values, dtype=dtype), requires_grad=requires_grad)


def linspace(start, end, steps, dtype=None, requires_grad=False, device=None):
    """`steps` evenly spaced values from start to end, both included."""
    return _new(np.linspace(start, end, int(steps)), dtype, requires_grad, device, "linspace")


def randn(*shape, dtype=None, requires_grad=False, device=None):
    """Samples of N(0, 1) from the central generator; shape as randn(2, 3) or randn((2, 3)),
    float32 unless dtype= is given. No generator= argument (seed with tinygan.manual_seed)."""
    return _new(random.generator().standard_normal(_shape(shape)), dtype, requires_grad, device, "randn")


def rand(*shape, dtype=None, requires_grad=False, device=None):
    """Samples of U[0, 1) from the central generator; shape as rand(2, 3) or rand((2, 3)),
    float32 unless dtype= is given."""
    return _new(random.generator().random(_shape(shape)), dtype, requires_grad, device, "rand")


def randint(low, high=None, size=None, dtype=None, device=None):
    """Integers in [low, high) (or [0, low) given one bound), int64 by default, as torch.randint."""
    if size is None:
        raise TypeError("randint: give the shape as size=(...) (or randint(low, high, shape))")
    low, high = (0, low) if high is None else (low, high)
    values = random.generator().integers(low, high, _shape((size,)))
    return Tensor(_xp(device, "randint").asarray(values, dtype=dtype or np.int64))


def randperm(n, device=None):
    """A random permutation of 0 .. n-1 (int64)."""
    return Tensor(_xp(device, "randperm").asarray(random.generator().permutation(int(n))))


# ---- *_like: the model tensor's shape, and its dtype and device unless given -----------------
def _like(t, values, dtype, requires_grad, device, op):
    xp = _xp(device, op) if device is not None else backend.get_array_module(t.array)
    return Tensor(xp.asarray(values, dtype=dtype or t.dtype), requires_grad=requires_grad)


def zeros_like(t, dtype=None, requires_grad=False, device=None):
    """Zeros of t's shape, with t's dtype and device unless dtype=/device= say otherwise."""
    return _like(t, np.zeros(t.shape), dtype, requires_grad, device, "zeros_like")


def ones_like(t, dtype=None, requires_grad=False, device=None):
    """Ones of t's shape, with t's dtype and device unless given."""
    return _like(t, np.ones(t.shape), dtype, requires_grad, device, "ones_like")


def full_like(t, fill_value, dtype=None, requires_grad=False, device=None):
    """fill_value everywhere, of t's shape, with t's dtype and device unless given."""
    return _like(t, np.full(t.shape, fill_value), dtype, requires_grad, device, "full_like")


def randn_like(t, dtype=None, requires_grad=False, device=None):
    """Standard normal samples of t's shape (central generator), with t's dtype and device unless given."""
    return _like(t, random.generator().standard_normal(t.shape), dtype, requires_grad, device, "randn_like")


def rand_like(t, dtype=None, requires_grad=False, device=None):
    """Uniform [0, 1) samples of t's shape (central generator), with t's dtype and device unless given."""
    return _like(t, random.generator().random(t.shape), dtype, requires_grad, device, "rand_like")


def empty_parameter(*shape):
    """A float32 Parameter of zeros on the active backend, to be filled by an initialiser."""
    from tinygan.nn.module import Parameter
    return Parameter(backend.xp_of_backend().zeros(shape, dtype=DEFAULT_DTYPE))
