"""2-D pooling, written from ops that already have (double) backward passes:

    max_pool2d           the argmax of each window is found on the raw arrays (outside the graph),
                         then the output is a gather x[argmax] (getitem): its backward scatter-adds
                         gy to the winners, its double backward gathers again;
    avg_pool2d           separable: a fixed averaging matrix along H, then along W (AxisLinear);
    adaptive_avg_pool2d  the same, with PyTorch's adaptive windows.

Input (N, C, H, W), or (C, H, W) unbatched, as in PyTorch.
"""
import numpy as np

from tinygan.backend import get_array_module
from tinygan.errors import ShapeError
from tinygan.tensor import Tensor
from tinygan.ops.resample import adaptive_avg_matrix, axis_linear
from tinygan.ops.shape import getitem, reshape


def _pair(v, what, op):
    values = (v, v) if np.isscalar(v) else tuple(v)
    if len(values) != 2:
        raise ValueError(f"{op}: {what} must be an int or a pair, got {v!r}")
    return tuple(int(a) for a in values)


def _as_4d(x, op):
    if x.ndim == 4:
        return x, False
    if x.ndim == 3:
        return reshape(x, (1,) + x.shape), True
    raise ShapeError(f"{op}: expected input (N, C, H, W) or (C, H, W), got {x.shape}")


def _out_size(n, k, s, p, d, ceil_mode):
    """PyTorch's pooling_output_shape: windows start inside the input or its left padding."""
    span = n + 2 * p - d * (k - 1) - 1
    out = (span + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= n + p:
        out -= 1
    return out


def _pool_args(op, x, kernel_size, stride, padding, dilation, ceil_mode):
    k = _pair(kernel_size, "kernel_size", op)
    s = _pair(stride if stride is not None and stride != () and stride != [] else k, "stride", op)
    p, d = _pair(padding, "padding", op), _pair(dilation, "dilation", op)
    if min(k) < 1 or min(s) < 1 or min(d) < 1 or min(p) < 0:
        raise ValueError(f"{op}: kernel_size {k}, stride {s} and dilation {d} must be positive and padding {p} "
                         "non-negative")
    if p[0] > k[0] // 2 or p[1] > k[1] // 2:
        raise ValueError(f"{op}: padding {p} must be at most half the kernel size {k}")
    out = tuple(_out_size(x.shape[2 + i], k[i], s[i], p[i], d[i], ceil_mode) for i in range(2))
    if min(out) < 1:
        raise ShapeError(f"{op}: input {x.shape} with kernel {k}, stride {s}, padding {p}, dilation {d} "
                         f"gives an empty output {out}")
    return k, s, p, d, out


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """y[n, c, i, j] = max over the window x[n, c, i·s_h − p_h + a·d_h, j·s_w − p_w + b·d_w],
    0 ≤ a < k_h, 0 ≤ b < k_w, positions outside the input counting as −∞ (PyTorch's max_pool2d).

    stride defaults to kernel_size; padding ≤ kernel_size/2. The gradient goes to one winner per
    window, the first maximum in row-major order (ties as in PyTorch's CPU kernel; a NaN wins).
    return_indices=True also returns the winners' flat indices into H·W (int64), as PyTorch.
    """
    x, unbatched = _as_4d(input, "max_pool2d")
    (kh, kw), (sh, sw), (ph, pw), (dh, dw), (oh, ow) = _pool_args("max_pool2d", x, kernel_size, stride, padding,
                                                                  dilation, ceil_mode)
    n, c, h, w = x.shape
    xp = get_array_module(x.array)
    rows = (np.arange(oh) * sh - ph)[:, None] + np.arange(kh) * dh       # (OH, KH) input rows per window
    cols = (np.arange(ow) * sw - pw)[:, None] + np.arange(kw) * dw       # (OW, KW)
    valid = ((rows >= 0) & (rows < h))[:, None, :, None] & ((cols >= 0) & (cols < w))[None, :, None, :]
    r_idx = xp.asarray(np.clip(rows, 0, h - 1)[:, None, :, None])
    c_idx = xp.asarray(np.clip(cols, 0, w - 1)[None, :, None, :])
    windows = x.array[:, :, r_idx, c_idx]                               # (N, C, OH, OW, KH, KW)
    valid = xp.asarray(valid)
    lowest = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    windows = xp.where(valid, windows, xp.asarray(lowest, dtype=x.dtype)).reshape(n, c, oh, ow, kh * kw)
    best = windows.argmax(axis=-1)                                       # first maximum (NaN counts as max)
    flat_valid = valid.reshape(oh, ow, kh * kw)
    first_valid = flat_valid.argmax(axis=-1)                             # all −∞ window: a real element
    oi, oj = xp.arange(oh)[:, None], xp.arange(ow)[None, :]
    best = xp.where(flat_valid[oi, oj, best], best, first_valid)
    a, b = best // kw, best % kw
    rows_x, cols_x = xp.asarray(rows), xp.asarray(cols)
    winner = rows_x[oi, a] * w + cols_x[oj, b]                           # (N, C, OH, OW) flat index in H·W
    planes = (xp.arange(n * c) * (h * w)).reshape(n, c, 1, 1)
    y = reshape(getitem(reshape(x, (-1,)), planes + winner), (n, c, oh, ow))
    if unbatched:
        y, winner = reshape(y, y.shape[1:]), winner[0]
    return (y, Tensor(winner.astype(np.int64))) if return_indices else y


def _avg_matrix(n, k, s, p, out, ceil_mode, count_include_pad, divisor):
    """Averaging weights along one axis, as PyTorch's avg_pool2d divides: by the window clipped to
    the padded input (count_include_pad) or to the input itself, or by 1 (divisor_override)."""
    matrix = np.zeros((out, n))
    for o in range(out):
        start = o * s - p
        end = min(start + k, n + p)
        pool = end - start
        start, end = max(start, 0), min(end, n)
        matrix[o, start:end] = 1.0 if divisor else 1.0 / (pool if count_include_pad else end - start)
    return matrix


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """y[n, c, i, j] = (1/D) Σ_window x, the windows as in max_pool2d (dilation 1) with zero padding.

    D = k_h·k_w clipped to the padded input (count_include_pad=True, PyTorch's default), the
    number of real input elements in the window (False), or divisor_override. Both counts factor
    into a row part times a column part, so the pool is separable: A_h · x · A_wᵀ (AxisLinear).
    """
    x, unbatched = _as_4d(input, "avg_pool2d")
    k, s, p, _, out = _pool_args("avg_pool2d", x, kernel_size, stride, padding, 1, ceil_mode)
    if divisor_override is not None and not divisor_override > 0:
        raise ValueError(f"avg_pool2d: divisor_override must be positive, got {divisor_override}")
    y = x
    for i in range(2):
        matrix = _avg_matrix(x.shape[2 + i], k[i], s[i], p[i], out[i], ceil_mode, count_include_pad,
                             divisor_override)
        y = axis_linear(y, matrix, 2 + i)
    if divisor_override is not None:
        y = y * (1.0 / divisor_override)
    return reshape(y, y.shape[1:]) if unbatched else y


def adaptive_avg_pool2d(input, output_size):
    """Average pooling to a fixed output size (H_out, W_out), as PyTorch's adaptive_avg_pool2d:
    output row o averages input rows ⌊o·H/H_out⌋ … ⌈(o+1)·H/H_out⌉ − 1 (likewise for columns).
    output_size: int or pair; None in the pair keeps that input size."""
    x, unbatched = _as_4d(input, "adaptive_avg_pool2d")
    sizes = (output_size, output_size) if output_size is None or np.isscalar(output_size) else tuple(output_size)
    if len(sizes) != 2:
        raise ValueError(f"adaptive_avg_pool2d: output_size must be an int or a pair, got {output_size!r}")
    sizes = tuple(x.shape[2 + i] if sizes[i] is None else int(sizes[i]) for i in range(2))
    if min(sizes) < 1 or min(x.shape[2:]) < 1:
        raise ShapeError(f"adaptive_avg_pool2d: cannot pool input {x.shape} to output size {sizes}")
    y = x
    for i in range(2):
        if sizes[i] != x.shape[2 + i]:
            y = axis_linear(y, adaptive_avg_matrix(x.shape[2 + i], sizes[i]), 2 + i)
    return reshape(y, y.shape[1:]) if unbatched else y

