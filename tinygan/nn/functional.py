"""tinygan.nn.functional (import as F): stateless layers, activations and losses."""
import numpy as np

from tinygan import random
from tinygan.backend import get_array_module
from tinygan.creation import randn
from tinygan.errors import DTypeError, ShapeError
from tinygan.ops import conv as conv_ops, losses as loss_ops, norm as norm_ops
from tinygan.ops import (exp, leaky_relu, log, log_softmax, matmul, pad, relu, sigmoid,  # noqa: F401
                         softmax, softplus, tanh)
from tinygan.ops.elementwise import _as_tensor
from tinygan.ops.linalg import Linear as LinearOp
from tinygan.tensor import FLOAT_DTYPES, Tensor


def _pair(v):
    return (int(v), int(v)) if np.isscalar(v) else tuple(int(a) for a in v)


def _same_dtype(op, *tensors):
    """The layers and losses compute in float32 or float64 only, never mixed: an integer conv
    would wrap around silently (uint8: 3600 -> 16), as PyTorch refuses it too."""
    given = [t for t in tensors if t is not None]
    dtypes = {t.dtype for t in given}
    if len(dtypes) > 1:
        raise DTypeError(f"{op}: cannot mix dtypes " + " and ".join(f"{t.dtype} {t.shape}" for t in given))
    if dtypes and np.dtype(dtypes.pop()) not in FLOAT_DTYPES:
        raise DTypeError(f"{op}: needs float32 or float64 inputs, got {given[0].dtype} {given[0].shape}; "
                         "convert with .float() or .double()")


# ---- layers -----------------------------------------------------------------------------------
def linear(x, weight, bias=None):
    """y = x Wᵀ + b, with W of shape (out_features, in_features) as in PyTorch."""
    if x.ndim < 1 or x.shape[-1] != weight.shape[1]:
        raise ShapeError(f"linear: input {x.shape} has last dimension {x.shape[-1] if x.ndim else None}, "
                         f"but weight {weight.shape} expects {weight.shape[1]} features")
    _same_dtype("linear", x, weight, bias)
    if bias is not None and bias.shape != (weight.shape[0],):
        raise ShapeError(f"linear: bias {bias.shape} does not match weight {weight.shape}; expected ({weight.shape[0]},)")
    if x.ndim == 2:
        return LinearOp()(x, weight) if bias is None else LinearOp()(x, weight, bias)
    y = matmul(x, weight.T)          # batched inputs (..., in_features): the general path
    return y + bias if bias is not None else y


def _check_conv(op, x, weight, in_axis):
    if x.ndim != 4 or weight.ndim != 4:
        raise ShapeError(f"{op}: expected 4-d input (N, C, H, W) and 4-d weight, got {x.shape} and {weight.shape}")
    if x.shape[1] != weight.shape[in_axis]:
        raise ShapeError(f"{op}: input {x.shape} has {x.shape[1]} channels, but weight {weight.shape} "
                         f"expects {weight.shape[in_axis]}")


def conv2d(x, weight, bias=None, stride=1, padding=0):
    """Cross-correlation as in PyTorch: x (N, C, H, W), weight (O, C, KH, KW) -> (N, O, HO, WO)."""
    _check_conv("conv2d", x, weight, 1)
    _same_dtype("conv2d", x, weight, bias)
    stride, padding = _pair(stride), _pair(padding)
    out = [(x.shape[2 + i] + 2 * padding[i] - weight.shape[2 + i]) // stride[i] + 1 for i in range(2)]
    if min(out) < 1 or min(stride) < 1 or min(padding) < 0:
        raise ShapeError(f"conv2d: input {x.shape} with kernel {weight.shape[2:]}, stride {stride}, "
                         f"padding {padding} gives an empty output")
    y = conv_ops.conv2d(x, weight, stride, padding)
    return y + bias.reshape(1, -1, 1, 1) if bias is not None else y


def conv_transpose2d(x, weight, bias=None, stride=1, padding=0, output_padding=0):
    """The adjoint of conv2d: x (N, C_in, H, W), weight (C_in, C_out, KH, KW) as in PyTorch.
    Output size: (H − 1)·stride − 2·padding + KH + output_padding."""
    _check_conv("conv_transpose2d", x, weight, 0)
    _same_dtype("conv_transpose2d", x, weight, bias)
    stride, padding, output_padding = _pair(stride), _pair(padding), _pair(output_padding)
    if any(op >= s for op, s in zip(output_padding, stride)):
        raise ShapeError(f"conv_transpose2d: output_padding {output_padding} must be smaller than stride {stride}")
    out_hw = tuple((x.shape[2 + i] - 1) * stride[i] - 2 * padding[i] + weight.shape[2 + i] + output_padding[i]
                   for i in range(2))
    if min(out_hw) < 1:
        raise ShapeError(f"conv_transpose2d: input {x.shape} with weight {weight.shape} gives output size {out_hw}")
    y = conv_ops.backward_data(x, weight, stride, padding, out_hw)
    return y + bias.reshape(1, -1, 1, 1) if bias is not None else y


def batch_norm(x, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    """Normalise each channel (axis 1) over the batch and spatial axes (Ioffe & Szegedy 2015).

    Training uses the batch's biased variance (one fused kernel call) and updates the running
    stats in place with `momentum`, storing the *unbiased* variance (as PyTorch); eval uses
    the running stats.
    """
    shape = (1, -1) + (1,) * (x.ndim - 2)
    if training or running_mean is None:
        count = x.numel() // x.shape[1]
        if count < 2:
            raise ShapeError(f"batch_norm: need more than one value per channel in training, got input {x.shape}")
        xp = get_array_module(x.array)
        gamma = weight if weight is not None else Tensor(xp.ones(x.shape[1], dtype=x.dtype))
        beta = bias if bias is not None else Tensor(xp.zeros(x.shape[1], dtype=x.dtype))
        _same_dtype("batch_norm", x, gamma, beta)
        fn = norm_ops.BatchNormTrain(eps)
        y = fn(x, gamma, beta)
        if running_mean is not None:
            var = 1 / (fn.invstd * fn.invstd) - eps
            running_mean.array[...] = (1 - momentum) * running_mean.array + momentum * fn.mean
            running_var.array[...] = (1 - momentum) * running_var.array + momentum * var * count / (count - 1)
        return y
    y = (x - running_mean.reshape(shape)) / (running_var.reshape(shape) + eps).sqrt()
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y


def dropout(x, p=0.5, training=True):
    """Zero each element with probability p and scale the rest by 1/(1−p) (inverted dropout)."""
    if not 0 <= p < 1:
        raise ValueError(f"dropout: p must be in [0, 1), got {p}")
    if not training or p == 0:
        return x
    keep = random.generator().random(x.shape) >= p
    mask = get_array_module(x.array).asarray(keep / (1 - p), dtype=x.dtype)
    return x * Tensor(mask)


# ---- losses -------------------------------------------------------------------------------------
REDUCTIONS = ("mean", "sum", "none")


def _loss_args(op, input, target, reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(f"{op}: reduction must be one of {REDUCTIONS}, got {reduction!r}")
    if not isinstance(target, Tensor) and np.isscalar(target):
        target = Tensor(get_array_module(input.array).full(input.shape, target, dtype=input.dtype))
    target = _as_tensor(target, input)
    if target.shape != input.shape:  # never broadcast silently: (N, 1) vs (N,) would give (N, N)
        raise ShapeError(f"{op}: input shape {input.shape} and target shape {target.shape} differ")
    _same_dtype(op, input, target)
    return target


def _mean_scale(input, reduction):
    """1/N for the mean (NaN for an empty input, as the mean of nothing is in PyTorch), 1 for the sum."""
    if reduction != "mean":
        return 1.0
    return 1.0 / input.numel() if input.numel() else float("nan")


def _reduce(loss, reduction):
    return loss.mean() if reduction == "mean" else loss.sum() if reduction == "sum" else loss


def binary_cross_entropy_with_logits(input, target, reduction="mean"):
    """BCE on logits, stable for any |logit| (fused kernel for mean/sum)."""
    target = _loss_args("binary_cross_entropy_with_logits", input, target, reduction)
    if reduction == "none":
        return relu(input) - input * target + softplus(-input.abs())
    return loss_ops.BCEWithLogits(_mean_scale(input, reduction))(input, target)


def binary_cross_entropy(input, target, reduction="mean"):
    """BCE on probabilities; logs are clamped at −100 as in PyTorch. Prefer the logits version."""
    target = _loss_args("binary_cross_entropy", input, target, reduction)
    return _reduce(loss_ops.BinaryCrossEntropy()(input, target), reduction)


def mse_loss(input, target, reduction="mean"):
    target = _loss_args("mse_loss", input, target, reduction)
    if reduction == "none":
        return (input - target) ** 2
    return loss_ops.MSE(_mean_scale(input, reduction))(input, target)


def nll_loss(log_probs, target, reduction="mean"):
    """−log_probs[n, target[n]] for integer class targets of shape (N,)."""
    if log_probs.ndim != 2 or target.ndim != 1 or target.shape[0] != log_probs.shape[0]:
        raise ShapeError(f"nll_loss: expected log-probabilities (N, C) and targets (N,), got {log_probs.shape} and {target.shape}")
    if target.dtype.kind not in "iu":
        raise DTypeError(f"nll_loss: class targets must be integers, got {target.dtype}")
    xp = get_array_module(log_probs.array)
    picked = -log_probs[xp.arange(log_probs.shape[0]), target.array]
    return _reduce(picked, reduction)


def cross_entropy(input, target, reduction="mean"):
    """Softmax cross-entropy from logits (N, C). target: class indices (N,) or probabilities (N, C)."""
    target = target if isinstance(target, Tensor) else Tensor(get_array_module(input.array).asarray(target))
    if target.dtype.kind == "f":
        target = _loss_args("cross_entropy", input, target, reduction)
        return _reduce(-(target * log_softmax(input, axis=1)).sum(axis=1), reduction)
    return nll_loss(log_softmax(input, axis=1), target, reduction)


def gaussian_kl(mu, logvar, reduction="mean"):
    """KL(N(μ, diag e^logvar) ‖ N(0, I)) = ½ Σ_j (μ_j² + e^logvar_j − logvar_j − 1)  (Kingma & Welling 2014).

    Summed over latent dimensions; 'mean' averages that over the batch (axis 0), 'sum' adds
    it up, 'none' returns one value per example.
    """
    _loss_args("gaussian_kl", mu, logvar, reduction)
    if reduction == "none":
        return 0.5 * (mu * mu + exp(logvar) - logvar - 1).reshape(mu.shape[0], -1).sum(axis=1)
    return loss_ops.GaussianKL(_kl_scale(mu, reduction))(mu, logvar)


def _kl_scale(mu, reduction):
    return 1.0 / mu.shape[0] if reduction == "mean" and mu.ndim else 1.0


def reparameterize_kl(mu, logvar, eps=None, reduction="mean"):
    """The VAE's sample z = μ + e^(logvar/2) ε, ε ~ N(0, I) (or the given eps), and
    gaussian_kl(mu, logvar, reduction), from one fused pass over (μ, logvar, ε). Returns (z, kl)."""
    _loss_args("reparameterize_kl", mu, logvar, reduction)
    eps = randn(*mu.shape, dtype=mu.dtype) if eps is None else _loss_args("reparameterize_kl", mu, eps, reduction)
    if reduction == "none":
        return mu + exp(0.5 * logvar) * eps, gaussian_kl(mu, logvar, reduction)
    sample = loss_ops.Reparameterize(eps.array)
    z = sample(mu, logvar)
    fused, sample.kl = sample.kl, None          # handed over: the z node need not keep it
    return z, loss_ops.GaussianKL(_kl_scale(mu, reduction), fused=fused)(mu, logvar)
