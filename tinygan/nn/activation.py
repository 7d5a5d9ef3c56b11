"""Activation layers in PyTorch's names: ELU, PReLU, GELU, SiLU, Softmax, LogSoftmax (ReLU, LeakyReLU,
Sigmoid, Tanh, Softplus: tinygan/nn/layers.py)."""
import warnings

from tinygan.creation import empty_parameter
from tinygan.nn import functional as F, init
from tinygan.nn.module import Module


class ELU(Module):
    """y = x for x > 0, α(eˣ − 1) otherwise (Clevert et al. 2016, "Fast and accurate deep network
    learning by exponential linear units"). inplace=True is accepted but computed out of place."""

    def __init__(self, alpha=1.0, inplace=False):
        self.alpha, self.inplace = alpha, inplace

    def forward(self, x):
        return F.elu(x, self.alpha)

    def extra_repr(self):
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class GELU(Module):
    """y = x·Φ(x), Φ the standard normal CDF (Hendrycks & Gimpel 2016); approximate='tanh' for
    the tanh approximation, as torch.nn.GELU."""

    def __init__(self, approximate="none"):
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x):
        return F.gelu(x, self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class SiLU(Module):
    """y = x·sigmoid(x) (SiLU / swish). inplace=True is accepted but computed out of place."""

    def __init__(self, inplace=False):
        self.inplace = inplace

    def forward(self, x):
        return F.silu(x)

    def extra_repr(self):
        return "inplace=True" if self.inplace else ""


class PReLU(Module):
    """y = x for x > 0, a·x otherwise, with a learned slope a (He et al. 2015, "Delving deep into
    rectifiers"): num_parameters=1 shares one a, or one per channel (axis 1 of the input);
    every a starts at `init` (0.25). He et al. do not decay a: give it its own parameter group
    with weight_decay=0 when the optimiser decays weights."""

    def __init__(self, num_parameters=1, init=0.25):
        self.num_parameters = num_parameters
        self.weight = _constant(empty_parameter(num_parameters), init)

    def forward(self, x):
        return F.prelu(x, self.weight)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"


def _constant(parameter, value):
    return init.constant_(parameter, value)


def _legacy_softmax_dim(name, ndim):
    warnings.warn(f"{name}: implicit dimension choice is deprecated (as in PyTorch); pass dim=", stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


class Softmax(Module):
    """exp(x_i) / Σ_j exp(x_j) along `dim`. dim=None picks PyTorch's legacy dimension (0 for 0-, 1-
    and 3-d input, else 1) with a warning, as PyTorch does."""

    def __init__(self, dim=None):
        self.dim = dim

    def forward(self, x):
        return F.softmax(x, self.dim if self.dim is not None else _legacy_softmax_dim("Softmax", x.ndim))

    def extra_repr(self):
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """x_i − log Σ_j exp(x_j) along `dim` (stable for any x); dim=None as in Softmax."""

    def __init__(self, dim=None):
        self.dim = dim

    def forward(self, x):
        return F.log_softmax(x, self.dim if self.dim is not None else _legacy_softmax_dim("LogSoftmax", x.ndim))

    def extra_repr(self):
        return f"dim={self.dim}"
