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
    """y = x Wᵀ + b. x: (..., in_features) -> (..., out_features); W (out_features, in_features)
    and b (out_features,) start as U(±1/√in_features), PyTorch's default."""
    def __init__(self, in_features, out_features, bias=True):
        self.in_features, self.out_features = in_features, out_features
        self.weight = empty_parameter(out_features, in_features)
        self.bias = empty_parameter(out_features) if bias else None
        _reset(self.weight, self.bias, in_features)

    def forward(self, x):
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Maxout(Module):
    """Maxout units (Goodfellow, Warde-Farley, Mirza, Courville & Bengio 2013): x (..., in_features)
    -> (..., out_features), each output the maximum of `pieces` linear functions of x. weight
    (out_features·pieces, in_features), bias (out_features·pieces,), unit j's pieces being rows
    j·pieces .. j·pieces + pieces − 1 (Blocks' LinearMaxout, which PacGAN's code uses); both start
    U(±1/√in_features), as Linear. The gradient reaches only each unit's winning piece."""
    def __init__(self, in_features, out_features, pieces=5, bias=True):
        if pieces < 1:
            raise ValueError(f"Maxout: pieces must be >= 1, got {pieces}")
        self.in_features, self.out_features, self.pieces = in_features, out_features, pieces
        self.weight = empty_parameter(out_features * pieces, in_features)
        self.bias = empty_parameter(out_features * pieces) if bias else None
        _reset(self.weight, self.bias, in_features)

    def forward(self, x):
        return F.maxout(x, self.weight, self.bias, self.pieces)

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, pieces={self.pieces}, "
                f"bias={self.bias is not None}")


def _only_defaults(layer, dilation, groups, padding_mode):
    """Refuse in one line what the conv kernels do not implement (instead of ignoring it)."""
    if F._pair(dilation) != (1, 1) or groups != 1 or padding_mode != "zeros":
        raise NotImplementedError(f"{layer}: dilation={dilation}, groups={groups}, padding_mode={padding_mode!r} "
                                  "is not supported (only dilation=1, groups=1, padding_mode='zeros')")


def _check_channels(layer, x, channels):
    if x.ndim != 4 or x.shape[1] != channels:
        raise ShapeError(f"{layer}: expected input (N, {channels}, H, W), got {x.shape}")


class Conv2d(Module):
    """2-d cross-correlation: x (N, C_in, H, W) -> (N, C_out, H', W') with
    H' = ⌊(H + 2·padding − KH) / stride⌋ + 1; weight (C_out, C_in, KH, KW), bias (C_out,), both
    U(±1/√(C_in·KH·KW)) at first (PyTorch's default). dilation, groups and padding modes other than
    the defaults are refused."""
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros"):
        _only_defaults("Conv2d", dilation, groups, padding_mode)
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
    """The adjoint of Conv2d (the "deconvolution" of DCGAN's generator): x (N, C_in, H, W) ->
    (N, C_out, H', W') with H' = (H − 1)·stride − 2·padding + KH + output_padding. Weight layout
    (C_in, C_out, KH, KW), as in PyTorch. dilation and groups other than 1 are refused."""
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1,
                 bias=True, dilation=1, padding_mode="zeros"):
        _only_defaults("ConvTranspose2d", dilation, groups, padding_mode)
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
    """max(x, 0). inplace=True (PyTorch's nn.ReLU(True)) is accepted but computed out of place:
    tinygan records no in-place op in the graph."""
    def __init__(self, inplace=False): self.inplace = inplace
    def forward(self, x): return F.relu(x)
    def extra_repr(self): return "inplace=True" if self.inplace else ""


class LeakyReLU(Module):
    """max(x, negative_slope·x). inplace=True (nn.LeakyReLU(0.2, inplace=True)) is accepted but
    computed out of place: tinygan records no in-place op in the graph."""
    def __init__(self, negative_slope=0.01, inplace=False): self.negative_slope, self.inplace = negative_slope, inplace
    def forward(self, x): return F.leaky_relu(x, self.negative_slope)
    def extra_repr(self): return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class Sigmoid(Module):
    """σ(x) = 1 / (1 + e^(−x)), elementwise."""
    def forward(self, x): return F.sigmoid(x)


class Tanh(Module):
    """tanh(x), elementwise (DCGAN's generator output, in [−1, 1])."""
    def forward(self, x): return F.tanh(x)


class Softplus(Module):
    """log(1 + eˣ), elementwise, computed without overflow."""
    def forward(self, x): return F.softplus(x)


class Identity(Module):
    """Returns its input (a placeholder layer)."""
    def forward(self, x): return x


class Dropout(Module):
    """F.dropout in training mode, the identity in eval mode. inplace=True is accepted but computed
    out of place."""
    def __init__(self, p=0.5, inplace=False): self.p, self.inplace = p, inplace
    def forward(self, x): return F.dropout(x, self.p, self.training)
    def extra_repr(self): return f"p={self.p}" + (", inplace=True" if self.inplace else "")


class Flatten(Module):
    """Merge dims start_dim..end_dim into one: (N, C, H, W) -> (N, C·H·W) by default."""
    def __init__(self, start_dim=1, end_dim=-1): self.start_dim, self.end_dim = start_dim, end_dim
    def forward(self, x): return x.flatten(self.start_dim, self.end_dim)


class Unflatten(Module):
    """Split dim into unflattened_size: (N, C·H·W) -> (N, C, H, W) with Unflatten(1, (C, H, W))."""
    def __init__(self, dim, unflattened_size): self.dim, self.size = dim, tuple(unflattened_size)
    def forward(self, x):
        d = self.dim % x.ndim
        return reshape(x, x.shape[:d] + self.size + x.shape[d + 1:])
