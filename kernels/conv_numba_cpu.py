"""Numba CPU convolution: parallel im2col / col2im loops around one BLAS GEMM per chunk.

Index mapping (P = HO*WO output pixels, K = C*KH*KW taps, row r = n*P + i*WO + j, k = (c*KH + a)*KW + b):
    cols[r, k] = x[n, c, i*sh + a - ph, j*sw + b - pw]        (0 outside x: padding without a copy)
    forward:          y2 (nP, O)    = cols @ W2ᵀ,  W2 = w.reshape(O, K); then rows -> NCHW
    backward-weight:  gW2 (O, K)    = gy2ᵀ @ cols, gy2 = gy as (N*P, O)
    backward-data:    gcols (nP, K) = gy2 @ W2, then col2im adds each entry back onto the x
                      element im2col read it from.
Threads: im2col is a prange over rows (each thread writes whole rows of cols); col2im a
prange over samples, so each thread scatters into its own gx[n] (tens of KB, cache-resident)
and reads its gcols rows in order: no atomics, no races. (A gather over (n, c) planes was 5×
slower here, and Caffe's (K, nP) column layout 1.2-10× slower: per-task overheads.)
Memory: the batch is processed in chunks so the column buffer stays ≤ 2× the layer's output
(or ≤ MIN_SCRATCH elements for small layers; at least one sample). Scratch buffers are reused
across calls: a fresh 8 MB array costs thousands of first-touch page faults, which tripled
the GEMM time in a training loop. They grow to the largest layer's need and no further
(so: not thread-safe; one training loop per process).
"""
import numpy as np
from numba import njit, prange


@njit(parallel=True, cache=True)
def _im2col(x, n0, n1, kh, kw, sh, sw, ph, pw, ho, wo, cols):
    c_in, h, w = x.shape[1], x.shape[2], x.shape[3]
    p = ho * wo
    for r in prange((n1 - n0) * p):
        n, i, j = n0 + r // p, (r % p) // wo, r % wo
        w0 = j * sw - pw                                 # x column under tap b = 0
        b_lo, b_hi = max(0, -w0), min(kw, w - w0)        # taps inside x: no test in the inner loop
        for c in range(c_in):
            for a in range(kh):
                hh = i * sh + a - ph
                k0 = (c * kh + a) * kw
                if hh < 0 or hh >= h:
                    for b in range(kw):
                        cols[r, k0 + b] = 0.0
                    continue
                for b in range(b_lo):
                    cols[r, k0 + b] = 0.0
                for b in range(b_lo, b_hi):
                    cols[r, k0 + b] = x[n, c, hh, w0 + b]
                for b in range(max(b_hi, b_lo), kw):
                    cols[r, k0 + b] = 0.0


@njit(parallel=True, cache=True)
def _col2im(gcols, n0, kh, kw, sh, sw, ph, pw, ho, wo, gx):
    """gx[n0 + n] += every column entry of sample n, put back where im2col took it from."""
    p = ho * wo
    c_in, h, w = gx.shape[1], gx.shape[2], gx.shape[3]
    for nl in prange(gcols.shape[0] // p):   # one sample per thread: its scatter-adds never collide
        n = n0 + nl
        for i in range(ho):
            for j in range(wo):
                r = nl * p + i * wo + j
                w0 = j * sw - pw
                b_lo, b_hi = max(0, -w0), min(kw, w - w0)
                for c in range(c_in):
                    for a in range(kh):
                        hh = i * sh + a - ph
                        if 0 <= hh < h:
                            k0 = (c * kh + a) * kw
                            for b in range(b_lo, b_hi):
                                gx[n, c, hh, w0 + b] += gcols[r, k0 + b]


@njit(parallel=True, cache=True)
def _rows_to_nchw(y2, n0, ho, wo, y):
    """y[n0 + n, o, i, j] = y2[n*P + i*WO + j, o]: the GEMM's (pixels, channels) back to NCHW."""
    p = ho * wo
    n_chunk, o_count = y2.shape[0] // p, y2.shape[1]
    for plane in prange(n_chunk * o_count):
        n, o = plane // o_count, plane % o_count
        for q in range(p):
            y[n0 + n, o, q // wo, q % wo] = y2[n * p + q, o]


_scratch_buffers = {}


def _scratch(name, shape, dtype):
    """A reusable buffer of this shape: a view of a per-(name, dtype) array that only grows."""
    size = int(np.prod(shape))
    key = (name, np.dtype(dtype))
    buf = _scratch_buffers.get(key)
    if buf is None or buf.size < size:
        buf = _scratch_buffers[key] = np.empty(size, dtype=dtype)
    return buf[:size].reshape(shape)


MIN_SCRATCH = 1 << 20   # elements: below 4 MB (float32) the 2× rule would only make GEMMs tiny


def _chunk(n, cols_per_sample, out_per_sample):
    """Samples per chunk so that the column buffer is at most max(2× the layer output, MIN_SCRATCH)."""
    budget = max(2 * n * out_per_sample, MIN_SCRATCH)
    return int(max(1, min(n, budget // max(cols_per_sample, 1))))


def _out_hw(h, w, kh, kw, stride, padding):
    return (h + 2 * padding[0] - kh) // stride[0] + 1, (w + 2 * padding[1] - kw) // stride[1] + 1


def _gy_rows(gy):
    """gy (N, O, HO, WO) as the (N*HO*WO, O) matrix the GEMMs want (in a scratch buffer)."""
    n, o, ho, wo = gy.shape
    rows = _scratch("gy_rows", (n, ho, wo, o), gy.dtype)
    rows[...] = gy.transpose(0, 2, 3, 1)
    return rows.reshape(-1, o)


def conv2d_forward(x, w, stride, padding):
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    ho, wo = _out_hw(h, wd, kh, kw, stride, padding)
    p, k = ho * wo, c * kh * kw
    w2t = w.reshape(o, k).T
    x = np.ascontiguousarray(x)
    y = np.empty((n, o, ho, wo), dtype=x.dtype)
    step = _chunk(n, p * k, o * p)
    cols, y2 = _scratch("cols", (step * p, k), x.dtype), _scratch("rows", (step * p, o), x.dtype)
    for n0 in range(0, n, step):
        n1 = min(n, n0 + step)
        m = (n1 - n0) * p
        _im2col(x, n0, n1, kh, kw, stride[0], stride[1], padding[0], padding[1], ho, wo, cols[:m])
        np.matmul(cols[:m], w2t, out=y2[:m])
        _rows_to_nchw(y2[:m], n0, ho, wo, y)
    return y


def conv2d_backward_data(gy, w, stride, padding, x_hw):
    n, o, ho, wo = gy.shape
    _, c, kh, kw = w.shape
    h, wd = x_hw
    p, k = ho * wo, c * kh * kw
    w2 = w.reshape(o, k)
    gy2 = _gy_rows(gy)
    gx = np.zeros((n, c, h, wd), dtype=gy.dtype)
    step = _chunk(n, p * k, c * h * wd)
    gcols = _scratch("cols", (step * p, k), gy.dtype)
    for n0 in range(0, n, step):
        m = (min(n, n0 + step) - n0) * p
        np.matmul(gy2[n0 * p:n0 * p + m], w2, out=gcols[:m])
        _col2im(gcols[:m], n0, kh, kw, stride[0], stride[1], padding[0], padding[1], ho, wo, gx)
    return gx


def conv2d_backward_weight(x, gy, stride, padding, k_hw):
    n, o, ho, wo = gy.shape
    c = x.shape[1]
    kh, kw = k_hw
    p, k = ho * wo, c * kh * kw
    gy2 = _gy_rows(gy)
    x = np.ascontiguousarray(x)
    gw2 = np.zeros((o, k), dtype=x.dtype)
    step = _chunk(n, p * k, o * p)
    cols = _scratch("cols", (step * p, k), x.dtype)
    for n0 in range(0, n, step):
        n1 = min(n, n0 + step)
        m = (n1 - n0) * p
        _im2col(x, n0, n1, kh, kw, stride[0], stride[1], padding[0], padding[1], ho, wo, cols[:m])
        gw2 += gy2[n0 * p:n0 * p + m].T @ cols[:m]
    return gw2.reshape(o, c, kh, kw)
