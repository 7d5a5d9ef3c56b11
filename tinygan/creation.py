"""Tensor factories. Random ones draw from the central generator (tinygan.random)."""
import numpy as np

from tinygan import backend, random
from tinygan.tensor import DEFAULT_DTYPE, Tensor, make_array


def tensor(data, requires_grad=False, dtype=None):
    """A new leaf tensor on the active backend. Python floats become float32."""
    return Tensor(make_array(data, dtype), requires_grad=requires_grad)


def _new(array, dtype, requires_grad):
    xp = backend.xp_of_backend()
    return Tensor(xp.asarray(array, dtype=dtype or DEFAULT_DTYPE), requires_grad=requires_grad)


def _shape(shape):
    return tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else tuple(shape)


def zeros(*shape, dtype=None, requires_grad=False):
    return _new(np.zeros(_shape(shape)), dtype, requires_grad)


def ones(*shape, dtype=None, requires_grad=False):
    return _new(np.ones(_shape(shape)), dtype, requires_grad)


def full(shape, fill_value, dtype=None, requires_grad=False):
    return _new(np.full(_shape((shape,)), fill_value), dtype, requires_grad)


def eye(n, dtype=None, requires_grad=False):
    return _new(np.eye(n), dtype, requires_grad)


def zeros_like(t, requires_grad=False):
    return Tensor(t.array * 0, requires_grad=requires_grad)


def ones_like(t, requires_grad=False):
    return Tensor(t.array * 0 + 1, requires_grad=requires_grad)


def arange(start, stop=None, step=1, dtype=None, requires_grad=False):
    """Integers give an int64 tensor (as in PyTorch); any float argument gives float32."""
    values = np.arange(start, stop, step) if stop is not None else np.arange(start)
    if dtype is None and values.dtype.kind == "f":
        dtype = DEFAULT_DTYPE
    return Tensor(backend.xp_of_backend().asarray(values, dtype=dtype), requires_grad=requires_grad)


def randn(*shape, dtype=None, requires_grad=False):
    """Standard normal samples from the central generator."""
    return _new(random.generator().standard_normal(_shape(shape)), dtype, requires_grad)


def rand(*shape, dtype=None, requires_grad=False):
    """Uniform [0, 1) samples from the central generator."""
    return _new(random.generator().random(_shape(shape)), dtype, requires_grad)


def randint(low, high, shape):
    return Tensor(backend.xp_of_backend().asarray(random.generator().integers(low, high, _shape((shape,)))))


def empty_parameter(*shape):
    """A float32 Parameter of zeros on the active backend, to be filled by an initialiser."""
    from tinygan.nn.module import Parameter
    return Parameter(backend.xp_of_backend().zeros(shape, dtype=DEFAULT_DTYPE))
