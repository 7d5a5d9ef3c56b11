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
A big image is done in chunks of output rows whose columns fit in CHUNK_BYTES (16 taps of a 1024×1024 image
at stride 1 would otherwise take 64 MB per thread); only then is a chunk's output or gy copied
between a buffer and its place in NCHW, since the GEMM cannot write into (or read) part of a plane
in place.
"""
import numba
import numpy as np
from numba import njit, prange

from tinygan.kernels.numba_threads import run, scratch, single_threaded_scipy_blas, threads

CHUNK_BYTES = 4 << 20      # a thread's columns at most: larger images go in chunks of output rows


@njit(inline="always")
def _im2col_rows(x, n, i0, i1, kh, kw, sh, sw, ph, pw, wo, ct):
    """ct (K, (i1 - i0)·WO) = sample n's tap-major columns (module docstring) for output rows
    i0 ≤ i < i1; 0 where a tap falls in the padding."""
    c_in, h, w = x.shape[1], x.shape[2], x.shape[3]
    for c in range(c_in):
        plane = x[n, c]
        for a in range(kh):
            for b in range(kw):
                k = (c * kh + a) * kw + b
                for i in range(i0, i1):
                    hh = i * sh + a - ph
                    row = ct[k, (i - i0) * wo:(i - i0 + 1) * wo]
                    if hh < 0 or hh >= h:
                        row[:] = 0.0
                        continue
                    for j in range(wo):
                        ww = j * sw + b - pw
                        row[j] = plane[hh, ww] if 0 <= ww < w else 0.0


@njit(inline="always")
def _col2im_rows(gct, i0, i1, kh, kw, sh, sw, ph, pw, wo, gx_n):
    """The adjoint of _im2col_rows: each gct[k, q] is added onto the element of gx_n (C, H, W)
    that im2col read ct[k, q] from (taps in the padding are dropped)."""
    c_in, h, w = gx_n.shape
    for c in range(c_in):
        plane = gx_n[c]
        for a in range(kh):
            for b in range(kw):
                k = (c * kh + a) * kw + b
                for i in range(i0, i1):
                    hh = i * sh + a - ph
                    if hh < 0 or hh >= h:
                        continue
                    row, dst = gct[k, (i - i0) * wo:(i - i0 + 1) * wo], plane[hh]
                    for j in range(wo):
                        ww = j * sw + b - pw
                        if 0 <= ww < w:
                            dst[ww] += row[j]


@njit(inline="always")
def _matrix(buf, rows, cols):
    """The first rows·cols elements of a thread's flat buffer, as a contiguous (rows, cols) matrix."""
    return buf[:rows * cols].reshape(rows, cols)


@njit(inline="always")
def _columns(x, n, i0, i1, kh, kw, sh, sw, ph, pw, wo, cols_t, k):
    """cols_t (this thread's buffer) as (K, (i1 - i0)·WO), filled for those output rows of sample n."""
    ct = _matrix(cols_t, k, (i1 - i0) * wo)
    _im2col_rows(x, n, i0, i1, kh, kw, sh, sw, ph, pw, wo, ct)
    return ct


@njit(inline="always")
def _gy_part(gy3, n, i0, i1, wo, buf):
    """gy3[n]'s columns for output rows i0 ≤ i < i1, contiguous (np.dot needs that): gy3[n] itself
    for a whole sample, else a copy in buf (written through its own name: gy3 may be read-only)."""
    if (i1 - i0) * wo == gy3.shape[2]:
        return gy3[n]
    g = _matrix(buf, gy3.shape[1], (i1 - i0) * wo)
    g[...] = gy3[n, :, i0 * wo:i1 * wo]
    return g


@njit(inline="always")
def _forward_chunk(w2, ct, n, i0, i1, ho, wo, buf, y3):
    """y3[n]'s columns for output rows i0 ≤ i < i1 = w2 @ ct (that chunk's columns): written by the
    GEMM itself for a whole sample, else through buf (np.dot needs a contiguous output)."""
    if i1 - i0 == ho:
        np.dot(w2, ct, y3[n])
        return
    y_part = _matrix(buf, w2.shape[0], (i1 - i0) * wo)
    np.dot(w2, ct, y_part)
    y3[n, :, i0 * wo:i1 * wo] = y_part


@njit(inline="always")
def _weight_chunk(gy3, ct, n, i0, i1, wo, buf, product_t, partial_t):
    """partial_t += (gy3[n]'s columns for output rows i0 ≤ i < i1) @ ctᵀ."""
    np.dot(_gy_part(gy3, n, i0, i1, wo, buf), ct.T, product_t)
    partial_t += product_t


@njit(parallel=True, cache=True)
def _forward(x, w2, kh, kw, sh, sw, ph, pw, ho, wo, rows, cols, parts, y3):
    """y3[n] (O, P) = w2 @ (sample n's columns), for every sample, `rows` output rows at a time."""
    for n in prange(x.shape[0]):
        t = numba.get_thread_id()
        for i0 in range(0, ho, rows):
            i1 = min(ho, i0 + rows)
            ct = _columns(x, n, i0, i1, kh, kw, sh, sw, ph, pw, wo, cols[t], w2.shape[1])
            _forward_chunk(w2, ct, n, i0, i1, ho, wo, parts[t, 0], y3)


@njit(parallel=True, cache=True)
def _backward_weight(x, gy3, kh, kw, sh, sw, ph, pw, ho, wo, rows, cols, parts, product, partial):
    """partial[t] (O, K) = the sum over thread t's samples of gy3[n] @ (their columns)ᵀ."""
    partial[...] = 0.0
    for n in prange(x.shape[0]):
        t = numba.get_thread_id()
        for i0 in range(0, ho, rows):
            i1 = min(ho, i0 + rows)
            ct = _columns(x, n, i0, i1, kh, kw, sh, sw, ph, pw, wo, cols[t], partial.shape[2])
            _weight_chunk(gy3, ct, n, i0, i1, wo, parts[t, 1], product[t], partial[t])


@njit(parallel=True, cache=True)
def _forward_and_backward_weight(x, w2, gy3, kh, kw, sh, sw, ph, pw, ho, wo, rows, cols, parts, product, partial,
                                 y3):
    """_forward and _backward_weight of the same x, each chunk's columns built once."""
    partial[...] = 0.0
    for n in prange(x.shape[0]):
        t = numba.get_thread_id()
        for i0 in range(0, ho, rows):
            i1 = min(ho, i0 + rows)
            ct = _columns(x, n, i0, i1, kh, kw, sh, sw, ph, pw, wo, cols[t], w2.shape[1])
            _forward_chunk(w2, ct, n, i0, i1, ho, wo, parts[t, 0], y3)
            _weight_chunk(gy3, ct, n, i0, i1, wo, parts[t, 1], product[t], partial[t])


@njit(parallel=True, cache=True)
def _backward_data(gy3, w2t, kh, kw, sh, sw, ph, pw, ho, wo, rows, cols, parts, gx):
    """gx[n] = col2im(w2t @ gy3[n]) for every sample; w2t is W2ᵀ (K, O), contiguous."""
    k = w2t.shape[0]
    for n in prange(gx.shape[0]):
        t = numba.get_thread_id()
        gx[n] = 0.0
        for i0 in range(0, ho, rows):
            i1 = min(ho, i0 + rows)
            gct = _matrix(cols[t], k, (i1 - i0) * wo)
            np.dot(w2t, _gy_part(gy3, n, i0, i1, wo, parts[t, 1]), gct)
            _col2im_rows(gct, i0, i1, kh, kw, sh, sw, ph, pw, wo, gx[n])


# conv_numba_cpu.py's conv ops call these for thin layers (its _thin), with the output size (ho, wo)
# they have already worked out.

def conv2d_forward(x, w, stride, padding, out_hw):
    single_threaded_scipy_blas()
    (n, _, _, _), o, (ho, wo) = x.shape, w.shape[0], out_hw
    y = np.empty((n, o, ho, wo), dtype=x.dtype)
    run(_forward, n * ho * wo * w[0].size, np.ascontiguousarray(x), _tap_major(w), *w.shape[2:], *stride, *padding,
        ho, wo, *_buffers(w.shape, out_hw, x.dtype), y.reshape(n, o, ho * wo))
    return y


def conv2d_backward_weight(x, gy, stride, padding, k_hw):
    single_threaded_scipy_blas()
    n, o, ho, wo = gy.shape
    w_shape = (o, x.shape[1], *k_hw)
    product, partial = _weight_sums(w_shape, x.dtype)
    run(_backward_weight, n * ho * wo * x.shape[1] * k_hw[0] * k_hw[1], np.ascontiguousarray(x), rows3(gy), *k_hw,
        *stride, *padding, ho, wo, *_buffers(w_shape, (ho, wo), x.dtype), product, partial)
    return partial.sum(axis=0).reshape(w_shape)            # the partial sums are already in w's order


def conv2d_backward_data(gy, w, stride, padding, x_hw):
    single_threaded_scipy_blas()
    n, o, ho, wo = gy.shape
    gx = np.empty((n, w.shape[1], *x_hw), dtype=gy.dtype)
    w2t = np.ascontiguousarray(_tap_major(w).T)
    run(_backward_data, n * ho * wo * w2t.shape[0], rows3(gy), w2t, *w.shape[2:], *stride, *padding, ho, wo,
        *_buffers(w.shape, (ho, wo), gy.dtype), gx)
    return gx


def conv2d_forward_and_backward_weight(x, w, gy, stride, padding, out_hw):
    single_threaded_scipy_blas()
    (n, _, _, _), o, (ho, wo) = x.shape, w.shape[0], out_hw
    y = np.empty((n, o, ho, wo), dtype=x.dtype)
    product, partial = _weight_sums(w.shape, x.dtype)
    run(_forward_and_backward_weight, 2 * n * ho * wo * w[0].size, np.ascontiguousarray(x), _tap_major(w), rows3(gy),
        *w.shape[2:], *stride, *padding, ho, wo, *_buffers(w.shape, out_hw, x.dtype), product, partial,
        y.reshape(n, o, ho * wo))
    return y, partial.sum(axis=0).reshape(w.shape)


def _buffers(w_shape, out_hw, dtype):
    """Output rows per chunk, and each thread's buffers: a chunk's (K, rows·WO) tap-major columns and
    two (O, rows·WO) parts (a chunk's output and its gy) used when a sample takes several chunks."""
    (o, c, kh, kw), (ho, wo) = w_shape, out_hw
    k = c * kh * kw
    rows = max(1, min(ho, CHUNK_BYTES // (k * wo * np.dtype(dtype).itemsize)))
    return (rows, scratch("cols", (threads(), k * rows * wo), dtype),
            scratch("parts", (threads(), 2, o * rows * wo if rows < ho else 1), dtype))


def _tap_major(w):
    """w (O, C, KH, KW) as W2 (O, K), in its own (C, KH, KW) order: the columns' tap order."""
    return np.ascontiguousarray(w).reshape(w.shape[0], -1)


def _weight_sums(w_shape, dtype):
    """Per-thread products and partial sums of backward-weight, (O, K) each."""
    shape = (threads(), w_shape[0], w_shape[1] * w_shape[2] * w_shape[3])
    return scratch("product", shape, dtype), scratch("partial", shape, dtype)


def rows3(g):
    """g (N, O, HO, WO) as (N, O, HO*WO), contiguous (conv_numba_cpu.py uses it too); sizes spelled
    out, since -1 cannot be inferred for an empty batch."""
    return np.ascontiguousarray(g).reshape(g.shape[0], g.shape[1], g.shape[2] * g.shape[3])
