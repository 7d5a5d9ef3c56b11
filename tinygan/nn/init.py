"""In-place initialisers (PyTorch names), drawing from tinygan's central generator."""
import math

import numpy as np

from tinygan import autograd, random


def _fill(tensor, values):
    """Write values into tensor as an in-place op under no_grad (as PyTorch's initialisers run),
    so a graph that already used the old values refuses to backward (tinygan/inplace.py)."""
    with autograd.no_grad():
        tensor.copy_(values)
    return tensor


def _fan(tensor, mode):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"kaiming init: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    return _fans(tensor)[0 if mode == "fan_in" else 1]


def _fans(tensor):
    """fan_in, fan_out as PyTorch computes them: dims 1 and 0 times the receptive field."""
    receptive = 1
    for n in tensor.shape[2:]:
        receptive *= n
    fan_in = tensor.shape[1] * receptive if tensor.ndim > 1 else tensor.shape[0]
    return fan_in, tensor.shape[0] * receptive


_UNIT_GAIN = ("linear", "identity", "sigmoid", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
              "conv_transpose2d", "conv_transpose3d")


def calculate_gain(nonlinearity, param=None):
    """The gain that keeps activations' variance through a layer followed by `nonlinearity`
    (PyTorch's table): √2 for relu, √(2 / (1 + slope²)) for leaky_relu (slope = param, 0.01 by
    default), 5/3 for tanh, 3/4 for selu, 1 for linear, sigmoid and conv layers."""
    if nonlinearity in _UNIT_GAIN:
        return 1.0
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1 + slope * slope))
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"calculate_gain: unknown nonlinearity {nonlinearity!r}")


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


def kaiming_uniform_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """He et al. 2015: U(−b, b) with b = gain·√(3 / fan), in place. gain is √2 for 'relu',
    √(2 / (1 + a²)) for 'leaky_relu' (the default, with negative slope a), 5/3 for 'tanh' and 1
    otherwise; fan is fan_in = size(1) × the receptive field (PyTorch's) or, with
    mode='fan_out', size(0) × the receptive field."""
    bound = calculate_gain(nonlinearity, a) * math.sqrt(3.0 / _fan(tensor, mode))
    return uniform_(tensor, -bound, bound)


def kaiming_normal_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    """He et al. 2015: N(0, σ²) with σ = gain / √fan, in place (gain and fan as in kaiming_uniform_)."""
    return normal_(tensor, 0.0, calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode)))


def eye_(tensor):
    """Fill a 2-d tensor with the identity (ones on the diagonal, zeros elsewhere), in place."""
    if tensor.ndim != 2:
        raise ValueError(f"eye_: needs a 2-d tensor, got shape {tensor.shape}")
    return _fill(tensor, np.eye(*tensor.shape))


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
