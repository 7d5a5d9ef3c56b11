"""In-place initialisers (PyTorch names), drawing from tinygan's central generator."""
import math

from tinygan import random
from tinygan.backend import get_array_module


def _fill(tensor, values):
    tensor.array[...] = get_array_module(tensor.array).asarray(values, dtype=tensor.dtype)
    return tensor


def _fans(tensor):
    """fan_in, fan_out as PyTorch computes them: dims 1 and 0 times the receptive field."""
    receptive = 1
    for n in tensor.shape[2:]:
        receptive *= n
    fan_in = tensor.shape[1] * receptive if tensor.ndim > 1 else tensor.shape[0]
    return fan_in, tensor.shape[0] * receptive


def _gain(nonlinearity, a=0.0):
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        return math.sqrt(2.0 / (1 + a * a))
    if nonlinearity == "tanh":
        return 5.0 / 3
    return 1.0  # linear, sigmoid, conv


def normal_(tensor, mean=0.0, std=1.0):
    """Fill tensor in place with samples of N(mean, std²); returns it. Works on a Parameter or
    its .data; the write is not recorded in the graph and, unlike PyTorch's, does not bump the
    tensor's version counter. No generator= argument: draws come from tinygan's central one."""
    return _fill(tensor, random.generator().normal(mean, std, tensor.shape))


def uniform_(tensor, a=0.0, b=1.0):
    """Fill tensor in place with samples of U[a, b); returns it."""
    return _fill(tensor, random.generator().uniform(a, b, tensor.shape))


def constant_(tensor, value):
    """Fill tensor in place with value; returns it."""
    return _fill(tensor, value)


def zeros_(tensor):
    """Fill tensor in place with 0; returns it."""
    return constant_(tensor, 0.0)


def ones_(tensor):
    """Fill tensor in place with 1; returns it."""
    return constant_(tensor, 1.0)


def kaiming_uniform_(tensor, a=0.0, nonlinearity="leaky_relu"):
    """He et al. 2015: U(−b, b) with b = gain·√(3 / fan_in), in place. gain is √2 for 'relu',
    √(2 / (1 + a²)) for 'leaky_relu' (the default, with negative slope a), 5/3 for 'tanh' and 1
    otherwise; fan_in = size(1) × the receptive field (PyTorch's). No mode='fan_out'."""
    bound = _gain(nonlinearity, a) * math.sqrt(3.0 / _fans(tensor)[0])
    return uniform_(tensor, -bound, bound)


def kaiming_normal_(tensor, a=0.0, nonlinearity="leaky_relu"):
    """He et al. 2015: N(0, σ²) with σ = gain / √fan_in, in place (gain as in kaiming_uniform_).
    No mode='fan_out'."""
    return normal_(tensor, 0.0, _gain(nonlinearity, a) / math.sqrt(_fans(tensor)[0]))


def xavier_uniform_(tensor, gain=1.0):
    """Glorot & Bengio 2010: U(−b, b) with b = gain·√(6 / (fan_in + fan_out)), in place."""
    fan_in, fan_out = _fans(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound)


def xavier_normal_(tensor, gain=1.0):
    """Glorot & Bengio 2010: N(0, σ²) with σ = gain·√(2 / (fan_in + fan_out)), in place."""
    fan_in, fan_out = _fans(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)))


def dcgan_init_(module):
    """DCGAN (Radford et al. 2016): conv weights N(0, 0.02); BatchNorm γ ~ N(1, 0.02), β = 0.
    Use as model.apply(nn.init.dcgan_init_)."""
    name = type(module).__name__
    if name.startswith("Conv") or name == "Linear":
        normal_(module.weight, 0.0, 0.02)
        if getattr(module, "bias", None) is not None:
            zeros_(module.bias)
    elif "BatchNorm" in name and getattr(module, "weight", None) is not None:
        normal_(module.weight, 1.0, 0.02)
        zeros_(module.bias)
