"""F.pad with PyTorch's modes. 'constant' is the Pad op (tinygan/ops/shape.py); 'reflect',
'replicate' and 'circular' are gathers with integer index arrays along each padded axis
(getitem), whose backward scatter-adds into the input and whose double backward gathers again."""
import numpy as np

from tinygan.backend import get_array_module
from tinygan.errors import ShapeError
from tinygan.ops.shape import getitem, pad as constant_pad

PAD_MODES = ("constant", "reflect", "replicate", "circular")


def _source_index(n, before, after, mode):
    """Which input position each padded position copies, along one axis of size n."""
    i = np.arange(-before, n + after)
    if mode == "reflect":                # mirror without repeating the edge: ... 2 1 | 0 1 2 ... n-1 | n-2 ...
        period = 2 * (n - 1)
        i = np.abs(i) % period if period else np.zeros_like(i)
        return np.where(i >= n, period - i, i)
    if mode == "replicate":
        return np.clip(i, 0, n - 1)
    return i % n                         # circular


def pad(input, pad, mode="constant", value=None):
    """Pad the trailing axes of input, PyTorch's F.pad: pad = (left, right, top, bottom, ...),
    pairs starting from the last axis; all widths ≥ 0 (negative cropping is not supported).

    mode 'constant' fills with `value` (default 0); 'reflect' mirrors about the edge element
    (width < axis size); 'replicate' repeats the edge element (non-empty axis); 'circular'
    wraps around (width ≤ axis size). Gradients flow to the input.
    """
    if mode not in PAD_MODES:
        raise ValueError(f"pad: mode {mode!r} is not supported; choose one of {PAD_MODES}")
    if mode == "constant":
        return constant_pad(input, pad, 0.0 if value is None else value)
    if value is not None and value != 0:
        raise ValueError(f"pad: value={value} is only used by mode 'constant', not {mode!r}")
    if len(pad) % 2 or len(pad) // 2 > input.ndim or any(p < 0 for p in pad):
        raise ShapeError(f"pad: need non-negative (before, after) pairs for at most {input.ndim} axes, "
                         f"got {tuple(pad)}")
    xp = get_array_module(input.array)
    y = input
    for k in range(len(pad) // 2):
        axis, before, after = input.ndim - 1 - k, int(pad[2 * k]), int(pad[2 * k + 1])
        if before == after == 0:
            continue
        n = input.shape[axis]
        if n == 0 or (mode == "reflect" and max(before, after) >= n) or (mode == "circular" and max(before, after) > n):
            need = {"reflect": "widths smaller than", "circular": "widths at most"}.get(mode, "a non-empty axis, got")
            raise ShapeError(f"pad: {mode} padding ({before}, {after}) of axis {axis} of {input.shape} needs "
                             f"{need} its size {n}")
        index = xp.asarray(_source_index(n, before, after, mode))
        y = getitem(y, (slice(None),) * axis + (index,))
    return y
