"""Top-level functions in PyTorch's spelling: `tinygan.sum(x, dim=1, keepdim=True)` is
`x.sum(dim=1, keepdim=True)`. Each one forwards to the Tensor method, so the method is the one
place where the arguments are read."""
import numpy as np

from tinygan.backend import get_array_module
from tinygan.creation import as_tensor
from tinygan.tensor import Tensor


def _forward_to_method(name):
    def function(input, *args, **kwargs):
        return getattr(input if isinstance(input, Tensor) else as_tensor(input), name)(*args, **kwargs)
    function.__name__ = function.__qualname__ = name
    function.__doc__ = (f"tinygan.{name}(input, *args, **kwargs) is input.{name}(*args, **kwargs) "
                        f"(see Tensor.{name}).")
    return function


sum = _forward_to_method("sum")
mean = _forward_to_method("mean")
var = _forward_to_method("var")
std = _forward_to_method("std")
max = _forward_to_method("max")
min = _forward_to_method("min")
amax = _forward_to_method("amax")
amin = _forward_to_method("amin")
argmax = _forward_to_method("argmax")
argmin = _forward_to_method("argmin")
logsumexp = _forward_to_method("logsumexp")
norm = _forward_to_method("norm")
softmax = _forward_to_method("softmax")
log_softmax = _forward_to_method("log_softmax")
flatten = _forward_to_method("flatten")
reshape = _forward_to_method("reshape")
transpose = _forward_to_method("transpose")
permute = _forward_to_method("permute")
t = _forward_to_method("t")
squeeze = _forward_to_method("squeeze")
unsqueeze = _forward_to_method("unsqueeze")
chunk = _forward_to_method("chunk")
split = _forward_to_method("split")
diag = _forward_to_method("diag")
mm = bmm = _forward_to_method("matmul")
clone = _forward_to_method("clone")
numel = _forward_to_method("numel")
relu = _forward_to_method("relu")


def is_tensor(obj):
    """True for a tinygan Tensor (a Parameter too)."""
    return isinstance(obj, Tensor)


def _test(input, ufunc_name):
    """A bool tensor outside the graph (as PyTorch's isnan etc.)."""
    array = as_tensor(input).array
    return Tensor(getattr(get_array_module(array), ufunc_name)(array))


def isnan(input):
    """A bool tensor, True where input is NaN (outside the graph)."""
    return _test(input, "isnan")


def isinf(input):
    """A bool tensor, True where input is +inf or −inf (outside the graph)."""
    return _test(input, "isinf")


def isfinite(input):
    """A bool tensor, True where input is neither NaN nor ±inf (outside the graph)."""
    return _test(input, "isfinite")


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True when |input - other| <= atol + rtol·|other| everywhere (torch.allclose's test)."""
    a, b = as_tensor(input).array, as_tensor(other).array
    return bool(get_array_module(a).allclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def equal(input, other):
    """True when both have the same shape and the same values."""
    a, b = as_tensor(input), as_tensor(other)
    return a.shape == b.shape and bool((a.array == b.array).all())
