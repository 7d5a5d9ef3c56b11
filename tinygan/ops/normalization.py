"""Layer normalisation and instance normalisation, written from recorded ops (mean, arithmetic,
sqrt), so their first and second derivatives come from those ops' backward passes.
(BatchNorm, with its fused kernels, is tinygan/ops/norm.py.)"""
import numpy as np

from tinygan.backend import get_array_module
from tinygan.errors import ShapeError


def _normalize(x, axes, eps):
    """(x − mean) / √(var + eps) over `axes`, with the biased variance."""
    centred = x - x.mean(axis=axes, keepdims=True)
    var = (centred * centred).mean(axis=axes, keepdims=True)
    return centred / (var + eps).sqrt()


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Layer normalisation (Ba, Kiros & Hinton 2016), as torch's F.layer_norm:

        y = (x − E[x]) / √(Var[x] + eps) · weight + bias

    with mean and biased variance over the trailing axes `normalized_shape` (int or tuple) of
    each example; weight and bias (optional) have shape normalized_shape.
    """
    shape = (int(normalized_shape),) if np.isscalar(normalized_shape) else tuple(int(n) for n in normalized_shape)
    k = len(shape)
    if k == 0 or input.ndim < k or input.shape[input.ndim - k:] != shape:
        raise ShapeError(f"layer_norm: input {input.shape} does not end in normalized_shape {shape}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and t.shape != shape:
            raise ShapeError(f"layer_norm: {name} {t.shape} does not match normalized_shape {shape}")
    y = _normalize(input, tuple(range(input.ndim - k, input.ndim)), eps)
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-5):
    """Instance normalisation (Ulyanov, Vedaldi & Lempitsky 2016), as torch's F.instance_norm.

    Each (example, channel) plane of input (N, C, *spatial) is normalised over its spatial axes:
    y = (x − μ_nc) / √(σ²_nc + eps) · weight_c + bias_c (biased σ²; weight, bias of shape (C,)).
    With running_mean/running_var (C,) and use_input_stats, they are updated in place with
    `momentum` from the batch average of μ_nc and of the unbiased σ²_nc (as PyTorch);
    use_input_stats=False normalises with the running statistics instead (eval mode).
    """
    if input.ndim < 3:
        raise ShapeError(f"instance_norm: expected input (N, C, spatial...), got {input.shape}")
    c = input.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                    ("bias", bias)):
        if t is not None and t.shape != (c,):
            raise ShapeError(f"instance_norm: {name} {t.shape} does not match the {c} channels of input {input.shape}")
    shape = (1, c) + (1,) * (input.ndim - 2)
    axes = tuple(range(2, input.ndim))
    count = int(np.prod(input.shape[2:]))
    if use_input_stats:
        if count < 2:
            raise ShapeError(f"instance_norm: need more than one spatial element per channel, got input {input.shape}")
        y = _normalize(input, axes, eps)
        if running_mean is not None or running_var is not None:
            xp = get_array_module(input.array)
            mean = input.array.mean(axis=axes)                              # (N, C)
            var = input.array.var(axis=axes) * (count / (count - 1))        # unbiased, per instance
            if running_mean is not None:
                running_mean.copy_((1 - momentum) * running_mean.array + momentum * xp.mean(mean, axis=0))
            if running_var is not None:
                running_var.copy_((1 - momentum) * running_var.array + momentum * xp.mean(var, axis=0))
    else:
        if running_mean is None or running_var is None:
            raise ValueError("instance_norm: use_input_stats=False needs running_mean and running_var")
        y = (input - running_mean.reshape(shape)) / (running_var.reshape(shape) + eps).sqrt()
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y

