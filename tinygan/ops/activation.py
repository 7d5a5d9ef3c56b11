"""Activations. The pointwise ones with kernels of their own (LeakyReLU/ReLU, Sigmoid, Tanh) take
their forward and backward arrays from the kernel the registry picks (one parallel pass on the
CPU; the formulas in kernels/activations_reference.py); under create_graph a backward must
itself be differentiable, so it is then written with recorded ops instead. ELU, PReLU, GELU and
SiLU are written from recorded ops (where, exp, clip, tanh, sigmoid; and erf, whose backward is
itself recorded ops), so their first and second derivatives come from those ops' backward passes."""
import math

import numpy as np

from tinygan import autograd
from tinygan.backend import get_array_module
from tinygan.errors import ShapeError
from tinygan.kernels import kernel, register
from tinygan.ops.elementwise import clip, exp, where
from tinygan.tensor import Function, Tensor


register("leaky_relu_forward", "numba_cpu", "tinygan.kernels.activations_numba_cpu:leaky_relu_forward", ("numpy",), "one parallel pass")
register("leaky_relu_forward", "reference", "tinygan.kernels.activations_reference:leaky_relu_forward", ("numpy", "cupy"),
         "array expressions")
register("leaky_relu_backward", "numba_cpu", "tinygan.kernels.activations_numba_cpu:leaky_relu_backward", ("numpy",), "one parallel pass")
register("leaky_relu_backward", "reference", "tinygan.kernels.activations_reference:leaky_relu_backward", ("numpy", "cupy"),
         "array expressions")
register("tanh_forward", "numba_cpu", "tinygan.kernels.activations_numba_cpu:tanh_forward", ("numpy",), "one parallel pass")
register("tanh_forward", "reference", "tinygan.kernels.activations_reference:tanh_forward", ("numpy", "cupy"),
         "array expressions")
register("tanh_backward", "numba_cpu", "tinygan.kernels.activations_numba_cpu:tanh_backward", ("numpy",), "one parallel pass")
register("tanh_backward", "reference", "tinygan.kernels.activations_reference:tanh_backward", ("numpy", "cupy"),
         "array expressions")
register("sigmoid_forward", "numba_cpu", "tinygan.kernels.activations_numba_cpu:sigmoid_forward", ("numpy",), "one parallel pass")
register("sigmoid_forward", "reference", "tinygan.kernels.activations_reference:sigmoid_forward", ("numpy", "cupy"),
         "array expressions")
register("sigmoid_backward", "numba_cpu", "tinygan.kernels.activations_numba_cpu:sigmoid_backward", ("numpy",), "one parallel pass")
register("sigmoid_backward", "reference", "tinygan.kernels.activations_reference:sigmoid_backward", ("numpy", "cupy"),
         "array expressions")


class LeakyReLU(Function):
    """max(x, slope·x) for 0 ≤ slope ≤ 1; the gradient is 1 where x > 0, else slope."""
    def __init__(self, slope):
        if not 0 <= slope <= 1:
            raise ValueError(f"leaky_relu: negative_slope must be in [0, 1], got {slope}")
        self.slope = slope
    def forward(self, x): return kernel("leaky_relu_forward", x)(x, self.slope)
    def backward(self, gy):
        x = self.inputs[0].array
        grad = kernel("leaky_relu_backward", x)
        if autograd.is_grad_enabled():     # linear in gy: gy times the (constant) slope factor
            return gy * Tensor(grad(get_array_module(x).ones_like(x), x, self.slope))
        return Tensor(grad(gy.array, x, self.slope))


class ReLU(LeakyReLU):
    """max(x, 0): LeakyReLU with slope 0 (and relu(−inf) = 0)."""
    def __init__(self): super().__init__(0.0)


def _floating(x):
    """Integer or bool input as float64, as np.exp and np.tanh give it (the kernels take floats only)."""
    return x if x.dtype.kind == "f" else x.astype(np.float64)


class Sigmoid(Function):
    def forward(self, x): return kernel("sigmoid_forward", x)(_floating(x))
    def backward(self, gy):
        y = self.output()
        if autograd.is_grad_enabled():
            return gy * y * (1 - y)
        return Tensor(kernel("sigmoid_backward", y.array)(gy.array, y.array))


class Tanh(Function):
    def forward(self, x): return kernel("tanh_forward", x)(_floating(x))
    def backward(self, gy):
        y = self.output()
        if autograd.is_grad_enabled():
            return gy * (1 - y * y)
        return Tensor(kernel("tanh_backward", y.array)(gy.array, y.array))


class Softplus(Function):
    """log(1 + e^x) = max(x, 0) + log1p(e^-|x|), stable for any x; d/dx = sigmoid(x)."""
    def forward(self, x):
        xp = get_array_module(x)
        return xp.maximum(x, 0) + xp.log1p(xp.exp(-xp.abs(x)))
    def backward(self, gy): return gy * sigmoid(self.inputs[0])


class LogSoftmax(Function):
    """x - logsumexp(x); backward gy - softmax * sum(gy), softmax = exp(output)."""
    def __init__(self, axis): self.axis = axis
    def forward(self, x):
        xp = get_array_module(x)
        shifted = x - x.max(axis=self.axis, keepdims=True)
        return shifted - xp.log(xp.exp(shifted).sum(axis=self.axis, keepdims=True))
    def backward(self, gy):
        return gy - exp(self.output()) * gy.sum(axis=self.axis, keepdims=True)


def relu(x):
    """relu(x) = max(x, 0); the gradient is 1 where x > 0, else 0 (also at 0)."""
    return ReLU()(x)


def leaky_relu(x, negative_slope=0.01):
    """max(x, slope·x) for 0 ≤ negative_slope ≤ 1 (ValueError otherwise; PyTorch allows any
    slope); the gradient is 1 where x > 0, else the slope."""
    return LeakyReLU(negative_slope)(x)


def sigmoid(x):
    """σ(x) = 1 / (1 + e^{-x}), computed so that it never overflows (kernels/activations_reference.py);
    σ' = σ(1 − σ). Integer input gives float64, as np.exp does."""
    return Sigmoid()(x)


def tanh(x):
    """tanh x elementwise; d/dx = 1 − tanh² x. Integer input gives float64, as np.tanh does."""
    return Tanh()(x)


def softplus(x):
    """softplus(x) = log(1 + eˣ), computed stably as max(x, 0) + log1p(e^{-|x|}); d/dx = σ(x).
    PyTorch's beta and threshold arguments are not supported."""
    return Softplus()(x)


def log_softmax(x, axis=-1):
    """log_softmax(x)ᵢ = xᵢ − log Σⱼ e^{xⱼ} along one axis (an int), shifted by the max so no
    exp overflows. axis only here; Tensor.log_softmax and F.log_softmax also take dim=."""
    return LogSoftmax(axis)(x)


def softmax(x, axis=-1):
    """softmax(x)ᵢ = e^{xᵢ} / Σⱼ e^{xⱼ} along one axis, computed as exp(log_softmax(x)). axis
    only here; Tensor.softmax, tinygan.softmax and F.softmax also take dim=."""
    return exp(log_softmax(x, axis))


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
