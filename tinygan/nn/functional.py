"""tinygan.nn.functional (import as F): stateless layers, activations and losses."""
import numpy as np

from tinygan import random
from tinygan.backend import get_array_module
from tinygan.creation import randn
from tinygan.errors import DTypeError, ShapeError
from tinygan.kernels.conv_reference import out_hw as conv_out_hw
from tinygan.ops import conv as conv_ops, losses as loss_ops
from tinygan.ops.norm import batch_norm_eval, batch_norm_train  # (tinygan.ops.norm the attribute is the norm() op)
from tinygan.ops import (exp, leaky_relu, log, log_softmax, matmul, pad, relu, sigmoid,  # noqa: F401
                         softmax, softplus, tanh)
from tinygan.ops import where
from tinygan.ops.elementwise import _as_tensor
from tinygan.ops.linalg import Linear as LinearOp
from tinygan.tensor import FLOAT_DTYPES, Tensor
from tinygan import ops as _ops
from tinygan.ops.activation import elu, gelu, prelu, silu  # noqa: F401
from tinygan.ops.embedding import embedding  # noqa: F401
from tinygan.ops.maxout import maxout_pieces
from tinygan.ops.normalization import instance_norm, layer_norm  # noqa: F401
from tinygan.ops.padding import pad  # noqa: F401,F811  (PyTorch's F.pad with modes; 'constant' is ops.pad)
from tinygan.ops.pool import adaptive_avg_pool2d, avg_pool2d, max_pool2d  # noqa: F401
from tinygan.ops.resample import interpolate, upsample  # noqa: F401


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


# ---- activations in PyTorch's signatures ----------------------------------------------------------
# inplace=True is accepted everywhere PyTorch has it (nn.ReLU(True), F.leaky_relu(x, 0.2, inplace=True))
# but computed out of place: tinygan records no in-place op in the graph, so a new tensor is returned.
def relu(input, inplace=False):
    """max(x, 0); the gradient is 1 where x > 0, else 0. inplace=True is accepted but computed out of place."""
    return _ops.relu(input)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """max(x, slope·x) for 0 ≤ negative_slope ≤ 1. inplace=True is accepted but computed out of place."""
    return _ops.leaky_relu(input, negative_slope)


def _softmax_dim(op, dim, axis):
    if dim is not None and axis is not None and dim != axis:
        raise ValueError(f"{op}: give dim or axis, not both (got dim={dim}, axis={axis})")
    return dim if dim is not None else axis if axis is not None else -1


def softmax(input, dim=None, _stacklevel=3, dtype=None, *, axis=None):
    """exp(x_i) / Σ_j exp(x_j) along `dim` (PyTorch's name; NumPy's `axis` also accepted), computed
    as exp(log_softmax) so it never overflows. dim defaults to -1 (PyTorch's implicit choice of dim
    is deprecated there). dtype: cast the input first, as PyTorch."""
    input = input if dtype is None else input.astype(dtype)
    return _ops.softmax(input, _softmax_dim("softmax", dim, axis))


def log_softmax(input, dim=None, _stacklevel=3, dtype=None, *, axis=None):
    """x_i − log Σ_j exp(x_j) along `dim` (or `axis`; default -1), stable for any x. dtype: cast the
    input first, as PyTorch."""
    input = input if dtype is None else input.astype(dtype)
    return _ops.log_softmax(input, _softmax_dim("log_softmax", dim, axis))


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


def maxout(x, weight, bias=None, pieces=5):
    """Maxout units (Goodfellow et al. 2013): h = x Wᵀ + b with W of shape (units·pieces, in_features),
    then each unit j takes the largest of its pieces j·pieces .. j·pieces + pieces − 1. x (..., in) ->
    (..., units). The gradient flows to the winning piece only."""
    if weight.ndim != 2 or weight.shape[0] % pieces:
        raise ShapeError(f"maxout: weight {weight.shape} must be (units·pieces, in_features) with pieces={pieces}")
    return maxout_pieces(linear(x, weight, bias), pieces)


def _check_conv(op, x, weight, in_axis):
    if x.ndim != 4 or weight.ndim != 4:
        raise ShapeError(f"{op}: expected 4-d input (N, C, H, W) and 4-d weight, got {x.shape} and {weight.shape}")
    if x.shape[1] != weight.shape[in_axis]:
        raise ShapeError(f"{op}: input {x.shape} has {x.shape[1]} channels, but weight {weight.shape} "
                         f"expects {weight.shape[in_axis]}")


def _channel_bias(op, channels, bias, x):
    """bias as a Tensor (a NumPy array of x's dtype is accepted, as the broadcast add did before the
    bias moved into the conv node), once it is known to be one value per output channel (a (1,)
    bias would otherwise broadcast silently)."""
    if bias is None:
        return None
    if tuple(bias.shape) != (channels,):
        raise ShapeError(f"{op}: bias {tuple(bias.shape)} does not match the weight's {channels} output channels; "
                         f"expected ({channels},)")
    return _as_tensor(bias, x)


def conv2d(x, weight, bias=None, stride=1, padding=0):
    """Cross-correlation as in PyTorch: x (N, C, H, W), weight (O, C, KH, KW) -> (N, O, HO, WO)."""
    _check_conv("conv2d", x, weight, 1)
    _same_dtype("conv2d", x, weight, bias)
    stride, padding = _pair(stride), _pair(padding)
    if min(conv_out_hw(x.shape[2:], weight.shape[2:], stride, padding)) < 1 or min(stride) < 1 or min(padding) < 0:
        raise ShapeError(f"conv2d: input {x.shape} with kernel {weight.shape[2:]}, stride {stride}, "
                         f"padding {padding} gives an empty output")
    return conv_ops.conv2d(x, weight, stride, padding, _channel_bias("conv2d", weight.shape[0], bias, x))


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
    return conv_ops.backward_data(x, weight, stride, padding, out_hw,
                                  _channel_bias("conv_transpose2d", weight.shape[1], bias, x))


def batch_norm(x, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    """Normalise each channel (axis 1) over the batch and spatial axes (Ioffe & Szegedy 2015).

    Training uses the batch's biased variance (one fused kernel call) and updates the running
    stats in place with `momentum`, storing the *unbiased* variance (as PyTorch); eval uses
    the running stats. The math (both modes and the running-statistics update): ops/norm.py.
    """
    if training or running_mean is None:
        if x.numel() // x.shape[1] < 2:
            raise ShapeError(f"batch_norm: need more than one value per channel in training, got input {x.shape}")
        xp = get_array_module(x.array)
        gamma = weight if weight is not None else Tensor(xp.ones(x.shape[1], dtype=x.dtype))
        beta = bias if bias is not None else Tensor(xp.zeros(x.shape[1], dtype=x.dtype))
        _same_dtype("batch_norm", x, gamma, beta)
        return batch_norm_train(x, gamma, beta, eps, running_mean, running_var, momentum)
    return batch_norm_eval(x, running_mean, running_var, weight, bias, eps)


def dropout(x, p=0.5, training=True, inplace=False):
    """Zero each element with probability p and scale the rest by 1/(1−p) (inverted dropout).
    inplace=True is accepted (PyTorch's signature) but computed out of place."""
    if not 0 <= p < 1:
        raise ValueError(f"dropout: p must be in [0, 1), got {p}")
    if not training or p == 0:
        return x
    keep = random.generator().random(x.shape) >= p
    mask = get_array_module(x.array).asarray(keep / (1 - p), dtype=x.dtype)
    return x * Tensor(mask)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Channel dropout (Tompson et al. 2015, "Efficient object localization using convolutional
    networks"): each (n, c) feature map of input (N, C, H, W) is zeroed with probability p and the
    kept ones are scaled by 1/(1−p), so neighbouring (correlated) pixels are dropped together.
    p = 1 zeros everything. Only 4-d input (PyTorch reads 3-d input as (N, C, L); use a 4-d view).
    inplace=True is accepted but computed out of place."""
    if not 0 <= p <= 1:
        raise ValueError(f"dropout2d: p must be in [0, 1], got {p}")
    if input.ndim != 4:
        raise ShapeError(f"dropout2d: expected input (N, C, H, W), got {input.shape}")
    if not training or p == 0:
        return input
    keep = random.generator().random(input.shape[:2] + (1, 1)) >= p
    scale = keep / (1 - p) if p < 1 else keep * 0.0
    return input * Tensor(get_array_module(input.array).asarray(scale, dtype=input.dtype))


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


def binary_cross_entropy_with_logits(input, target, reduction="mean", *, pos_weight=None):
    """BCE on logits, stable for any |logit| (fused kernel for mean/sum).

    pos_weight (e.g. one weight per class, shape (C,) for input (N, C)) multiplies the positive
    term as in PyTorch: (1 − t)·x + (1 + (pos_weight − 1)·t)·softplus(−x); it must broadcast to
    the input's shape without enlarging it. (PyTorch's per-element `weight` is not supported.)
    """
    target = _loss_args("binary_cross_entropy_with_logits", input, target, reduction)
    if pos_weight is not None:
        pos_weight = _as_tensor(pos_weight, input)
        if np.broadcast_shapes(pos_weight.shape, input.shape) != input.shape:
            raise ShapeError(f"binary_cross_entropy_with_logits: pos_weight {pos_weight.shape} does not broadcast "
                             f"to the input's shape {input.shape}")
        _same_dtype("binary_cross_entropy_with_logits", input, pos_weight)
        return _reduce((1 - target) * input + (1 + (pos_weight - 1) * target) * softplus(-input), reduction)
    if reduction == "none":
        return relu(input) - input * target + softplus(-input.abs())
    return loss_ops.BCEWithLogits(_mean_scale(input, reduction))(input, target)


def binary_cross_entropy(input, target, reduction="mean"):
    """BCE on probabilities; logs are clamped at −100 as in PyTorch. Prefer the logits version.
    Inputs outside [0, 1] (or NaN) raise, as in PyTorch, instead of giving NaN."""
    target = _loss_args("binary_cross_entropy", input, target, reduction)
    x = input.array
    if not bool(((x >= 0) & (x <= 1)).all()):
        raise ValueError(f"binary_cross_entropy: input {input.shape} must hold probabilities in [0, 1], got "
                         f"values in [{float(x.min())}, {float(x.max())}] (logits? use binary_cross_entropy_with_logits)")
    return _reduce(loss_ops.BinaryCrossEntropy()(input, target), reduction)


def mse_loss(input, target, reduction="mean"):
    """Mean (or sum, or per element with 'none') of (input − target)²; shapes must match exactly."""
    target = _loss_args("mse_loss", input, target, reduction)
    if reduction == "none":
        return (input - target) ** 2
    return loss_ops.MSE(_mean_scale(input, reduction))(input, target)


def l1_loss(input, target, reduction="mean"):
    """Mean (or sum, or elementwise) absolute error |input − target|; the gradient at
    input == target is 0, as in PyTorch."""
    target = _loss_args("l1_loss", input, target, reduction)
    return _reduce((input - target).abs(), reduction)


def kl_div(input, target, reduction="mean", log_target=False):
    """PyTorch's KL divergence loss: `input` holds log-probabilities log q, `target` holds
    probabilities p (or log p with log_target=True); pointwise p·(log p − log q), with
    0·log 0 = 0. Same shapes only (no broadcasting).

    reduction: 'batchmean' (sum / input.shape[0], the mathematical KL(p ‖ q) per example),
    'sum', 'none', or 'mean' (sum / number of elements, PyTorch's default, which is *not* the
    KL unless there is one element per example).
    """
    if reduction not in REDUCTIONS + ("batchmean",):
        raise ValueError(f"kl_div: reduction must be one of {REDUCTIONS + ('batchmean',)}, got {reduction!r}")
    target = _loss_args("kl_div", input, target, "sum" if reduction == "batchmean" else reduction)
    if log_target:
        pointwise = exp(target) * (target - input)
    else:  # log 1 = 0 where p = 0, so 0·log 0 counts as 0 with a finite gradient
        pointwise = target * (log(where(target.array != 0, target, 1.0)) - input)
    if reduction == "batchmean":
        total = pointwise.sum()
        return total / input.shape[0] if input.ndim else total
    return _reduce(pointwise, reduction)


def nll_loss(log_probs, target, reduction="mean"):
    """−log_probs[n, target[n]] for integer class targets of shape (N,) in [0, C).
    (PyTorch's class `weight`, `ignore_index` and inputs other than (N, C) are not supported.)"""
    if reduction not in REDUCTIONS:
        raise ValueError(f"nll_loss: reduction must be one of {REDUCTIONS}, got {reduction!r}")
    xp = get_array_module(log_probs.array)
    target = target if isinstance(target, Tensor) else Tensor(xp.asarray(target))
    if log_probs.ndim != 2 or target.ndim != 1 or target.shape[0] != log_probs.shape[0]:
        raise ShapeError(f"nll_loss: expected log-probabilities (N, C) and targets (N,), got {log_probs.shape} and {target.shape}")
    if target.dtype.kind not in "iu":
        raise DTypeError(f"nll_loss: class targets must be integers, got {target.dtype}")
    lo, hi = (int(target.array.min()), int(target.array.max())) if target.numel() else (0, -1)
    if lo < 0 or hi >= log_probs.shape[1]:
        bad = lo if lo < 0 else hi
        raise ValueError(f"nll_loss: class target {bad} is out of range for {log_probs.shape[1]} classes "
                         f"(targets must lie in [0, {log_probs.shape[1]}); ignore_index is not supported)")
    picked = -log_probs[xp.arange(log_probs.shape[0]), target.array]
    return _reduce(picked, reduction)


def one_hot(tensor, num_classes=-1):
    """Integer class labels (any shape) -> int64 one-hot vectors along a new last axis of size
    num_classes (max label + 1 by default), outside the graph, as torch.nn.functional.one_hot."""
    labels = tensor.array if isinstance(tensor, Tensor) else get_array_module(tensor).asarray(tensor)
    if labels.dtype.kind not in "iu":
        raise DTypeError(f"one_hot: needs integer class labels, got {labels.dtype}")
    classes = int(labels.max()) + 1 if num_classes == -1 and labels.size else int(num_classes)
    if labels.size and (int(labels.min()) < 0 or int(labels.max()) >= classes):
        raise ValueError(f"one_hot: labels must lie in [0, {classes}), got [{int(labels.min())}, {int(labels.max())}]")
    xp = get_array_module(labels)
    return Tensor((labels[..., None] == xp.arange(classes)).astype(np.int64))


def cross_entropy(input, target, reduction="mean", label_smoothing=0.0):
    """Softmax cross-entropy from logits (N, C). target: class indices (N,) or probabilities (N, C).

    label_smoothing ε mixes the target with the uniform distribution, q = (1 − ε)·target + ε/C
    (Szegedy et al. 2016, "Rethinking the Inception Architecture", §7), as PyTorch does."""
    target = target if isinstance(target, Tensor) else Tensor(get_array_module(input.array).asarray(target))
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must lie in [0, 1], got {label_smoothing}")
    if label_smoothing and input.ndim == 2:
        classes = input.shape[1]
        if target.dtype.kind != "f":
            if target.shape != input.shape[:1]:
                raise ShapeError(f"cross_entropy: logits {input.shape} need class targets ({input.shape[0]},), "
                                 f"got target {target.shape}")
            target = Tensor(one_hot(target, classes).array.astype(input.dtype))
        target = target * (1 - label_smoothing) + label_smoothing / classes
    if input.ndim != 2:
        raise ShapeError(f"cross_entropy: expected logits (N, C), got {input.shape} (other layouts are not supported)")
    if target.dtype.kind != "f" and target.shape != input.shape[:1]:
        raise ShapeError(f"cross_entropy: logits {input.shape} need class targets ({input.shape[0]},) or "
                         f"probabilities {input.shape}, got target {target.shape}")
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
    return loss_ops.reparameterize_kl(mu, logvar, eps.array, _kl_scale(mu, reduction))
