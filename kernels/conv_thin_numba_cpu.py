"""numba_cpu's convolution for thin layers, whose output pixels read few taps (K = C·KH·KW ≤ THIN_K in
conv_numba_cpu.py: an image's first layer, C = 1 to 4 at 4×4), one sample per task.

A sample's columns are built tap-major, straight from NCHW (no NHWC copy):
    ct[k, q] = x[n, c, i*sh + a - ph, j*sw + b - pw],   k = (c*KH + a)*KW + b,  q = i*WO + j
k follows w's own (C, KH, KW) order, so W2 = w.reshape(O, K) with no transpose, and a sample's
output plane is one GEMM written in place:
    forward:          y[n] (O, P)    = W2 @ ct
    backward-weight:  gW2 (O, K)    += gy[n] (O, P) @ ctᵀ   (one partial sum per thread)
    backward-data:    gct (K, P)     = W2ᵀ @ gy[n], each entry added back onto the x[n] element
                      im2col read it from (col2im), straight into gx's NCHW plane
Why a path of its own: with K ≤ 64 each output row is a short dot product, so conv_numba_cpu's
row-blocked path spent most of its time around the GEMM, in the NHWC copy and the moves between
(rows, O) blocks and NCHW. Measured on the project's 2-core EPYC VM, (64, 1, 64, 64) → 32 channels,
k4 s2 p1 (the VAE's first layer): forward 2.5 → 1.2 ms, backward-weight 2.7 → 0.8 ms; with 64
channels (DCGAN-64's): 4.2 → 2.5 and 3.0 → 2.2 ms; backward-data (the transposed output layers'
forward) 2.8 → 1.0 ms at 32 channels, 4.7-5.3 → 4.2 ms at 64. The same layout for wide layers was slower
(28-36 against 25-27 ms at DCGAN-64's middle layers: a sample's P columns make a short GEMM), so it
stays here. This is Caffe's im2col layout (Jia et al. 2014), one sample at a time.
"""
import numba
import numpy as np
from numba import njit, prange

from tinygan.kernels.numba_threads import run, scratch, single_threaded_scipy_blas, threads


@njit(inline="always")
def _im2col_sample(x, n, kh, kw, sh, sw, ph, pw, ho, wo, ct):
    """ct (K, P) = sample n's tap-major columns (module docstring); 0 where a tap falls in the padding."""
    c_in, h, w = x.shape[1], x.shape[2], x.shape[3]
    for c in range(c_in):
        plane = x[n, c]
        for a in range(kh):
            for b in range(kw):
                k = (c * kh + a) * kw + b
                for i in range(ho):
                    hh = i * sh + a - ph
                    row = ct[k, i * wo:(i + 1) * wo]
                    if hh < 0 or hh >= h:
                        row[:] = 0.0
                        continue
                    for j in range(wo):
                        ww = j * sw + b - pw
                        row[j] = plane[hh, ww] if 0 <= ww < w else 0.0


@njit(inline="always")
def _col2im_sample(gct, kh, kw, sh, sw, ph, pw, ho, wo, gx_n):
    """The adjoint of _im2col_sample: gx_n (C, H, W) = the sum of each gct[k, q] over the x element
    that im2col read ct[k, q] from (taps in the padding are dropped)."""
    c_in, h, w = gx_n.shape
    gx_n[...] = 0.0
    for c in range(c_in):
        plane = gx_n[c]
        for a in range(kh):
            for b in range(kw):
                k = (c * kh + a) * kw + b
                for i in range(ho):
                    hh = i * sh + a - ph
                    if hh < 0 or hh >= h:
                        continue
                    row, dst = gct[k, i * wo:(i + 1) * wo], plane[hh]
                    for j in range(wo):
                        ww = j * sw + b - pw
                        if 0 <= ww < w:
                            dst[ww] += row[j]


@njit(inline="always")
def _columns(x, n, kh, kw, sh, sw, ph, pw, ho, wo, cols, k):
    """This thread's column buffer (K, P), filled for sample n."""
    ct = cols[numba.get_thread_id(), :k * ho * wo].reshape(k, ho * wo)
    _im2col_sample(x, n, kh, kw, sh, sw, ph, pw, ho, wo, ct)
    return ct


@njit(parallel=True, cache=True)
def _forward(x, w2, kh, kw, sh, sw, ph, pw, ho, wo, cols, y3):
    """y3[n] (O, P) = w2 @ (sample n's columns), for every sample."""
    for n in prange(x.shape[0]):
        np.dot(w2, _columns(x, n, kh, kw, sh, sw, ph, pw, ho, wo, cols, w2.shape[1]), y3[n])


@njit(parallel=True, cache=True)
def _backward_weight(x, gy3, kh, kw, sh, sw, ph, pw, ho, wo, cols, product, partial):
    """partial[t] (O, K) = the sum over thread t's samples of gy3[n] @ (their columns)ᵀ."""
    partial[...] = 0.0
    for n in prange(x.shape[0]):
        t = numba.get_thread_id()
        np.dot(gy3[n], _columns(x, n, kh, kw, sh, sw, ph, pw, ho, wo, cols, partial.shape[2]).T, product[t])
        partial[t] += product[t]


@njit(parallel=True, cache=True)
def _backward_data(gy3, w2t, kh, kw, sh, sw, ph, pw, ho, wo, cols, gx):
    """gx[n] = col2im(w2t @ gy3[n]) for every sample; w2t is W2ᵀ (K, O), contiguous."""
    k, p = w2t.shape[0], ho * wo
    for n in prange(gx.shape[0]):
        gct = cols[numba.get_thread_id(), :k * p].reshape(k, p)
        np.dot(w2t, gy3[n], gct)
        _col2im_sample(gct, kh, kw, sh, sw, ph, pw, ho, wo, gx[n])


@njit(parallel=True, cache=True)
def _forward_and_backward_weight(x, w2, gy3, kh, kw, sh, sw, ph, pw, ho, wo, cols, product, partial, y3):
    """_forward and _backward_weight of the same x, each sample's columns built once."""
    partial[...] = 0.0
    for n in prange(x.shape[0]):
        t = numba.get_thread_id()
        ct = _columns(x, n, kh, kw, sh, sw, ph, pw, ho, wo, cols, w2.shape[1])
        np.dot(w2, ct, y3[n])
        np.dot(gy3[n], ct.T, product[t])
        partial[t] += product[t]


# conv_numba_cpu.py's conv ops call these for thin layers (its _thin), with the output size (ho, wo)
# they have already worked out.

def conv2d_forward(x, w, stride, padding, out_hw):
    single_threaded_scipy_blas()
    (n, _, _, _), o, (ho, wo) = x.shape, w.shape[0], out_hw
    y = np.empty((n, o, ho, wo), dtype=x.dtype)
    run(_forward, y.size * w[0].size, np.ascontiguousarray(x), _weight_matrix(w), *w.shape[2:], *stride, *padding,
        ho, wo, _cols(x, w.shape, out_hw), y.reshape(n, o, -1))
    return y


def conv2d_backward_weight(x, gy, stride, padding, k_hw):
    single_threaded_scipy_blas()
    n, o, ho, wo = gy.shape
    w_shape = (o, x.shape[1], *k_hw)
    product, partial = _weight_sums(w_shape, x.dtype)
    run(_backward_weight, gy.size * x.shape[1] * k_hw[0] * k_hw[1], np.ascontiguousarray(x), rows3(gy), *k_hw,
        *stride, *padding, ho, wo, _cols(x, w_shape, (ho, wo)), product, partial)
    return partial.sum(axis=0).reshape(w_shape)            # the partial sums are already in w's order


def conv2d_backward_data(gy, w, stride, padding, x_hw):
    single_threaded_scipy_blas()
    n, o, ho, wo = gy.shape
    gx = np.empty((n, w.shape[1], *x_hw), dtype=gy.dtype)
    w2t = np.ascontiguousarray(_weight_matrix(w).T)
    run(_backward_data, gy.size * w2t.shape[0], rows3(gy), w2t, *w.shape[2:], *stride, *padding, ho, wo,
        _cols(gy, w.shape, (ho, wo)), gx)
    return gx


def conv2d_forward_and_backward_weight(x, w, gy, stride, padding, out_hw):
    single_threaded_scipy_blas()
    (n, _, _, _), o, (ho, wo) = x.shape, w.shape[0], out_hw
    y = np.empty((n, o, ho, wo), dtype=x.dtype)
    product, partial = _weight_sums(w.shape, x.dtype)
    run(_forward_and_backward_weight, 2 * y.size * w[0].size, np.ascontiguousarray(x), _weight_matrix(w), rows3(gy),
        *w.shape[2:], *stride, *padding, ho, wo, _cols(x, w.shape, out_hw), product, partial, y.reshape(n, o, -1))
    return y, partial.sum(axis=0).reshape(w.shape)


def _cols(x, w_shape, out_hw):
    """Each thread's column buffer: one sample's (K, P) tap-major columns."""
    return scratch("cols", (threads(), w_shape[1] * w_shape[2] * w_shape[3] * out_hw[0] * out_hw[1]), x.dtype)


def _weight_matrix(w):
    """w (O, C, KH, KW) as W2 (O, K), in its own (C, KH, KW) order: the columns' tap order."""
    return np.ascontiguousarray(w).reshape(w.shape[0], -1)


def _weight_sums(w_shape, dtype):
    """Per-thread products and partial sums of backward-weight, (O, K) each."""
    shape = (threads(), w_shape[0], w_shape[1] * w_shape[2] * w_shape[3])
    return scratch("product", shape, dtype), scratch("partial", shape, dtype)


def rows3(g):
    """g (N, O, HO, WO) as (N, O, HO*WO), contiguous (conv_numba_cpu.py uses it too)."""
    return np.ascontiguousarray(g).reshape(g.shape[0], g.shape[1], -1)
