"""im2col convolution: turn every receptive field into a row, then one GEMM does the work.

Index mapping: row r = (n, i, j) of the column matrix holds xpad[n, :, i*sh : i*sh+KH, j*sw : j*sw+KW]
flattened as (c, a, b). The column matrix is a *strided view* of the padded input (no Python
loop over pixels); it is materialised once by the reshape before the GEMM.
Memory: the column matrix is N*HO*WO*C*KH*KW elements, i.e. C*KH*KW/O times the output.
Works on NumPy and CuPy arrays alike (xp = the array's module).
"""
from tinygan.backend import get_array_module
from tinygan.kernels.conv_reference import out_hw


def _padded(x, padding):
    ph, pw = padding
    if not (ph or pw):
        return x
    return get_array_module(x).pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))


def _column_view(x, k_hw, stride, padding):
    """A (N, HO, WO, C, KH, KW) view of the padded input: receptive field of each output pixel."""
    xp = get_array_module(x)
    xpad = _padded(x, padding)
    n, c = xpad.shape[:2]
    (kh, kw), (sh, sw) = k_hw, stride
    ho, wo = out_hw(x.shape[2:], k_hw, stride, padding)
    s_n, s_c, s_h, s_w = xpad.strides
    return xp.lib.stride_tricks.as_strided(
        xpad, (n, ho, wo, c, kh, kw), (s_n, s_h * sh, s_w * sw, s_c, s_h, s_w))


def conv2d_forward(x, w, stride, padding):
    xp = get_array_module(x)
    o, c, kh, kw = w.shape
    view = _column_view(x, (kh, kw), stride, padding)
    n, ho, wo = view.shape[:3]
    cols = view.reshape(n * ho * wo, c * kh * kw)                  # the one copy (im2col)
    y = cols @ w.reshape(o, -1).T                                   # (N*HO*WO, O)
    return xp.ascontiguousarray(y.reshape(n, ho, wo, o).transpose(0, 3, 1, 2))


def conv2d_backward_data(gy, w, stride, padding, x_hw):
    xp = get_array_module(gy)
    n, o, ho, wo = gy.shape
    _, c, kh, kw = w.shape
    (sh, sw), (ph, pw), (h, wd) = stride, padding, x_hw
    gcols = gy.transpose(0, 2, 3, 1).reshape(n * ho * wo, o) @ w.reshape(o, -1)
    gcols = gcols.reshape(n, ho, wo, c, kh, kw)
    gxpad = xp.zeros((n, c, h + 2 * ph, wd + 2 * pw), dtype=gy.dtype)
    for a in range(kh):            # col2im: KH*KW strided slice-adds, no loop over pixels
        for b in range(kw):
            gxpad[:, :, a:a + sh * ho:sh, b:b + sw * wo:sw] += gcols[:, :, :, :, a, b].transpose(0, 3, 1, 2)
    return gxpad[:, :, ph:ph + h, pw:pw + wd]


def conv2d_backward_weight(x, gy, stride, padding, k_hw):
    n, o, ho, wo = gy.shape
    c = x.shape[1]
    kh, kw = k_hw
    view = _column_view(x, k_hw, stride, padding)[:, :ho, :wo]
    cols = view.reshape(n * ho * wo, c * kh * kw)
    gw = gy.transpose(1, 0, 2, 3).reshape(o, n * ho * wo) @ cols
    return gw.reshape(o, c, kh, kw)


__all__ = ["conv2d_forward", "conv2d_backward_data", "conv2d_backward_weight"]
