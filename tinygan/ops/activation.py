"""ELU, PReLU, GELU and SiLU, written from recorded ops (where, exp, clip, tanh, sigmoid; and
erf, whose backward is itself recorded ops), so their first and second derivatives come from
those ops' backward passes."""
import math

import numpy as np

from tinygan.backend import get_array_module
from tinygan.errors import ShapeError
from tinygan.ops.elementwise import clip, exp, sigmoid, tanh, where
from tinygan.tensor import Function


def elu(input, alpha=1.0, inplace=False):
    """Exponential linear unit (Clevert, Unterthiner & Hochreiter 2016):
    y = x for x > 0, α(eˣ − 1) otherwise; dy/dx = 1 for x > 0, αeˣ for x ≤ 0 (as PyTorch).

    The exponential is taken of min(x, 0), so a large positive x cannot overflow into the
    unused branch's gradient. inplace=True is accepted for PyTorch compatibility but computed
    out of place (tinygan records no in-place op in the graph).
    """
    negative = alpha * (exp(clip(input, max=0.0)) - 1)
    return where(input.array > 0, input, negative)


def prelu(input, weight):
    """Parametric ReLU (He et al. 2015): y = x for x > 0, a·x otherwise, with a learnable slope
    `weight` of shape (1,) (shared) or (C,) (one per channel, axis 1 of input), as torch's F.prelu.
    The gradient into a is Σ x·gy over the x ≤ 0 entries."""
    if weight.ndim != 1 or (weight.shape[0] != 1 and (input.ndim < 2 or weight.shape[0] != input.shape[1])):
        raise ShapeError(f"prelu: weight {weight.shape} must have 1 element or one per channel (axis 1) of "
                         f"input {input.shape}")
    slope = weight.reshape((1, -1) + (1,) * (input.ndim - 2)) if weight.shape[0] > 1 else weight.reshape(())
    return where(input.array > 0, input, slope * input)


class Erf(Function):
    """erf(x) = (2/√π) ∫₀ˣ e^(−t²) dt (SciPy's, or CuPy's on the GPU); d/dx = (2/√π) e^(−x²)."""
    def forward(self, x):
        if get_array_module(x) is np:
            from scipy.special import erf
        else:
            from cupyx.scipy.special import erf
        return erf(x)

    def backward(self, gy):
        x = self.inputs[0]
        return gy * (exp(-(x * x)) * (2 / math.sqrt(math.pi)))


def gelu(input, approximate="none"):
    """Gaussian error linear unit (Hendrycks & Gimpel 2016): y = x·Φ(x), Φ the standard normal
    CDF, Φ(x) = ½(1 + erf(x/√2)); approximate='tanh' uses ½x(1 + tanh(√(2/π)(x + 0.044715x³))),
    as torch's F.gelu."""
    if approximate == "none":
        return input * (0.5 * (1 + Erf()(input * (1 / math.sqrt(2)))))
    if approximate == "tanh":
        return 0.5 * input * (1 + tanh(math.sqrt(2 / math.pi) * (input + 0.044715 * input * input * input)))
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


def silu(input, inplace=False):
    """SiLU / swish (Elfwing et al. 2018; Ramachandran et al. 2017): y = x·sigmoid(x).
    inplace=True is accepted but computed out of place."""
    return input * sigmoid(input)
