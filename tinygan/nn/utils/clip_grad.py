"""Gradient clipping, as torch.nn.utils.clip_grad_norm_ / clip_grad_value_."""
import math

import numpy as np

from tinygan.backend import get_array_module
from tinygan.tensor import Tensor


def _grads(parameters):
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    return [p for p in params if p.grad is not None]


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Scale the gradients of `parameters` (a Tensor or an iterable of them; those with grad None
    are skipped) so that their total norm is at most max_norm, as PyTorch:

        total = ‖(‖g_1‖_p, …, ‖g_k‖_p)‖_p     (the p-norm of all gradients as one vector; p = inf: max |g|)
        g_i ← g_i · min(1, max_norm / (total + 1e-6))

    Returns the total norm (before clipping) as a 0-d Tensor. norm_type: any p > 0, or inf.
    error_if_nonfinite=True raises RuntimeError when the total is NaN or Inf (otherwise the
    gradients become NaN, as in PyTorch). The clipped gradients are new arrays assigned to
    p.grad (PyTorch scales in place: same values, but a gradient here may be a read-only or
    shared view). foreach is accepted and ignored.
    """
    params = _grads(parameters)
    norm_type = float(norm_type)
    if not (norm_type > 0 or norm_type == math.inf):
        raise ValueError(f"clip_grad_norm_: norm_type must be positive or inf, got {norm_type}")
    if not params:
        return Tensor(np.zeros((), dtype=np.float32))
    xp = get_array_module(params[0].grad.array)
    if norm_type == math.inf:
        norms = [xp.abs(p.grad.array).max() if p.grad.array.size else xp.zeros((), p.grad.dtype) for p in params]
        total = xp.max(xp.stack(norms))
    elif norm_type == 2.0:
        norms = [xp.sqrt((p.grad.array * p.grad.array).sum()) for p in params]
        total = xp.sqrt((xp.stack(norms) ** 2).sum())
    else:
        norms = [(xp.abs(p.grad.array) ** norm_type).sum() ** (1 / norm_type) for p in params]
        total = (xp.stack(norms) ** norm_type).sum() ** (1 / norm_type)
    if error_if_nonfinite and not bool(xp.isfinite(total)):
        raise RuntimeError(f"clip_grad_norm_: the total norm of order {norm_type} of the gradients is {float(total)}, "
                           "so they cannot be clipped; pass error_if_nonfinite=False to clip anyway")
    coef = xp.minimum(max_norm / (total + 1e-6), 1.0)
    for p in params:
        p.grad = Tensor((p.grad.array * coef).astype(p.grad.dtype, copy=False))
    return Tensor(total)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient element of `parameters` (a Tensor or an iterable) to [−clip_value,
    clip_value], as PyTorch; gradients that are None are skipped. Like clip_grad_norm_, the
    clipped gradients are new arrays assigned to p.grad. Returns None."""
    clip_value = float(clip_value)
    if not clip_value >= 0:
        raise ValueError(f"clip_grad_value_: clip_value must be non-negative, got {clip_value}")
    for p in _grads(parameters):
        p.grad = Tensor(get_array_module(p.grad.array).clip(p.grad.array, -clip_value, clip_value))
