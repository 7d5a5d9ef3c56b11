"""Reference 2-D convolution: plain loops over output pixels. Slow, obvious, the definition.

Shapes: x (N, C, H, W), w (O, C, KH, KW), y (N, O, HO, WO), stride (sh, sw), padding (ph, pw).
    y[n, o, i, j] = sum_{c, a, b} xpad[n, c, i*sh + a, j*sw + b] * w[o, c, a, b]
Every other kernel is tested against these three functions.
"""
import numpy as np


def out_hw(x_hw, k_hw, stride, padding):
    """(HO, WO) of a convolution: ⌊(H + 2·pad − K) / stride⌋ + 1 on each axis. The one place this
    formula is written: F.conv2d, every conv kernel and the bench call it."""
    return tuple((x_hw[i] + 2 * padding[i] - k_hw[i]) // stride[i] + 1 for i in range(2))


def conv2d_forward(x, w, stride, padding):
    (sh, sw), (ph, pw) = stride, padding
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    ho, wo = out_hw((h, wd), (kh, kw), stride, padding)
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    y = np.zeros((n, o, ho, wo), dtype=x.dtype)
    for i in range(ho):
        for j in range(wo):
            patch = xpad[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]         # (N, C, KH, KW)
            y[:, :, i, j] = np.einsum("nckl,ockl->no", patch, w)
    return y


def conv2d_backward_data(gy, w, stride, padding, x_hw):
    """Gradient w.r.t. x of <gy, conv2d(x, w)>: each output pixel scatters gy * w back."""
    (sh, sw), (ph, pw) = stride, padding
    n, o, ho, wo = gy.shape
    _, c, kh, kw = w.shape
    h, wd = x_hw
    gxpad = np.zeros((n, c, h + 2 * ph, wd + 2 * pw), dtype=gy.dtype)
    for i in range(ho):
        for j in range(wo):
            gxpad[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw] += np.einsum("no,ockl->nckl", gy[:, :, i, j], w)
    return gxpad[:, :, ph:ph + h, pw:pw + wd]


def conv2d_backward_weight(x, gy, stride, padding, k_hw):
    """Gradient w.r.t. w of <gy, conv2d(x, w)>: sum over pixels of gy ⊗ patch."""
    (sh, sw), (ph, pw) = stride, padding
    kh, kw = k_hw
    _, o, ho, wo = gy.shape
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    gw = np.zeros((o, x.shape[1], kh, kw), dtype=x.dtype)
    for i in range(ho):
        for j in range(wo):
            patch = xpad[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
            gw += np.einsum("nckl,no->ockl", patch, gy[:, :, i, j])
    return gw
