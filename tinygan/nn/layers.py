"""Layers with parameters (Linear, Conv2d, ConvTranspose2d) and thin module wrappers."""
import math

from tinygan.creation import empty_parameter
from tinygan.errors import ShapeError
from tinygan.nn import functional as F, init
from tinygan.nn.module import Module
from tinygan.ops import reshape


def _reset(weight, bias, fan_in):
    """PyTorch's default: kaiming_uniform(a=√5) for weights, i.e. U(±1/√fan_in), same for bias."""
    init.kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        init.uniform_(bias, -bound, bound)


class Linear(Module):
    def __init__(self, in_features, out_features, bias=True):
        self.in_features, self.out_features = in_features, out_features
        self.weight = empty_parameter(out_features, in_features)
        self.bias = empty_parameter(out_features) if bias else None
        _reset(self.weight, self.bias, in_features)

    def forward(self, x):
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


def _check_channels(layer, x, channels):
    if x.ndim != 4 or x.shape[1] != channels:
        raise ShapeError(f"{layer}: expected input (N, {channels}, H, W), got {x.shape}")


class Conv2d(Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True):
        kh, kw = F._pair(kernel_size)
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.padding = (kh, kw), F._pair(stride), F._pair(padding)
        self.weight = empty_parameter(out_channels, in_channels, kh, kw)
        self.bias = empty_parameter(out_channels) if bias else None
        _reset(self.weight, self.bias, in_channels * kh * kw)

    def forward(self, x):
        _check_channels("Conv2d", x, self.in_channels)
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding)

    def extra_repr(self):
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding}")


class ConvTranspose2d(Module):
    """Weight layout (in_channels, out_channels, KH, KW), as in PyTorch."""
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, bias=True):
        kh, kw = F._pair(kernel_size)
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.padding = (kh, kw), F._pair(stride), F._pair(padding)
        self.output_padding = F._pair(output_padding)
        self.weight = empty_parameter(in_channels, out_channels, kh, kw)
        self.bias = empty_parameter(out_channels) if bias else None
        _reset(self.weight, self.bias, out_channels * kh * kw)  # PyTorch's fan_in for this layout

    def forward(self, x):
        _check_channels("ConvTranspose2d", x, self.in_channels)
        return F.conv_transpose2d(x, self.weight, self.bias, self.stride, self.padding, self.output_padding)

    def extra_repr(self):
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding}")


class ReLU(Module):
    def forward(self, x): return F.relu(x)


class LeakyReLU(Module):
    def __init__(self, negative_slope=0.01): self.negative_slope = negative_slope
    def forward(self, x): return F.leaky_relu(x, self.negative_slope)
    def extra_repr(self): return f"negative_slope={self.negative_slope}"


class Sigmoid(Module):
    def forward(self, x): return F.sigmoid(x)


class Tanh(Module):
    def forward(self, x): return F.tanh(x)


class Softplus(Module):
    def forward(self, x): return F.softplus(x)


class Identity(Module):
    def forward(self, x): return x


class Dropout(Module):
    def __init__(self, p=0.5): self.p = p
    def forward(self, x): return F.dropout(x, self.p, self.training)
    def extra_repr(self): return f"p={self.p}"


class Flatten(Module):
    def __init__(self, start_dim=1, end_dim=-1): self.start_dim, self.end_dim = start_dim, end_dim
    def forward(self, x): return x.flatten(self.start_dim, self.end_dim)


class Unflatten(Module):
    def __init__(self, dim, unflattened_size): self.dim, self.size = dim, tuple(unflattened_size)
    def forward(self, x):
        d = self.dim % x.ndim
        return reshape(x, x.shape[:d] + self.size + x.shape[d + 1:])
