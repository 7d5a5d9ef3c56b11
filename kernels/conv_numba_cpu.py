"""Numba CPU convolution: parallel im2col / col2im loops around one BLAS GEMM per chunk.

Index mapping (P = HO*WO output pixels, K = KH*KW*C taps, row r = n*P + i*WO + j, k = (a*KW + b)*C + c):
    cols[r, k] = x[n, c, i*sh + a - ph, j*sw + b - pw]        (0 outside x: padding without a copy)
    x is first copied to NHWC so that each tap's C channels are one contiguous run: the copies
    vectorise (with NCHW order the runs were KW = 4 scalars long and im2col ran at ~3 GB/s).
    forward:          y2 (nP, O)    = cols @ W2ᵀ,  W2 = w in (O, KH, KW, C) order; then rows -> NCHW
    backward-weight:  gW2 (O, K)    = gy2ᵀ @ cols, gy2 = gy as (N*P, O)
    backward-data:    gcols (nP, K) = gy2 @ W2, then col2im adds each entry back onto the x
                      element im2col read it from.
Threads: im2col is a prange over rows (each thread writes whole rows of cols); col2im a
prange over samples, so each thread scatters into its own gx[n] (NHWC, tens of KB, cache-resident)
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

from tinygan.kernels.conv_reference import out_hw
from tinygan.kernels.numba_threads import run


@njit(parallel=True, cache=True)
def _im2col(xh, n0, n1, kh, kw, sh, sw, ph, pw, ho, wo, cols):
    """xh is x in NHWC: each tap's C channels are contiguous, so every copy is a C-long run."""
    h, w, c_in = xh.shape[1], xh.shape[2], xh.shape[3]
    p = ho * wo
    for r in prange((n1 - n0) * p):
        n, i, j = n0 + r // p, (r % p) // wo, r % wo
        for a in range(kh):
            hh = i * sh + a - ph
            for b in range(kw):
                ww = j * sw + b - pw
                k0 = (a * kw + b) * c_in
                if 0 <= hh < h and 0 <= ww < w:
                    cols[r, k0:k0 + c_in] = xh[n, hh, ww, :]
                else:
                    cols[r, k0:k0 + c_in] = 0.0


@njit(parallel=True, cache=True)
def _col2im(gcols, n0, kh, kw, sh, sw, ph, pw, ho, wo, gxh):
    """gxh[n0 + n] (NHWC) += every column entry of sample n, put back where im2col took it from."""
    p = ho * wo
    h, w, c_in = gxh.shape[1], gxh.shape[2], gxh.shape[3]
    for nl in prange(gcols.shape[0] // p):   # one sample per thread: its scatter-adds never collide
        n = n0 + nl
        for i in range(ho):
            for j in range(wo):
                r = nl * p + i * wo + j
                for a in range(kh):
                    hh = i * sh + a - ph
                    if hh < 0 or hh >= h:
                        continue
                    for b in range(kw):
                        ww = j * sw + b - pw
                        if 0 <= ww < w:
                            k0 = (a * kw + b) * c_in
                            gxh[n, hh, ww, :] += gcols[r, k0:k0 + c_in]


@njit(parallel=True, cache=True)
def _nchw_to_nhwc(src, dst):
    n, c_count, h, w = src.shape
    for task in prange(n * h):
        i, hh = task // h, task % h
        for ww in range(w):
            for c in range(c_count):
                dst[i, hh, ww, c] = src[i, c, hh, ww]


@njit(parallel=True, cache=True)
def _nhwc_to_nchw(src, dst):
    n, h, w, c_count = src.shape
    for task in prange(n * c_count):
        i, c = task // c_count, task % c_count
        for hh in range(h):
            for ww in range(w):
                dst[i, c, hh, ww] = src[i, hh, ww, c]


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


def _gy_rows(gy):
    """gy (N, O, HO, WO) as the (N*HO*WO, O) matrix the GEMMs want (in a scratch buffer)."""
    return _nhwc(gy, "gy_rows").reshape(-1, gy.shape[1])


def _nhwc(x, name="nhwc"):
    """x (N, C, H, W) copied to (N, H, W, C) in a scratch buffer (parallel: NumPy's copy is serial)."""
    out = _scratch(name, (x.shape[0], x.shape[2], x.shape[3], x.shape[1]), x.dtype)
    run(_nchw_to_nhwc, x.size, np.ascontiguousarray(x), out)
    return out


def _nchw(xh):
    out = np.empty((xh.shape[0], xh.shape[3], xh.shape[1], xh.shape[2]), dtype=xh.dtype)
    run(_nhwc_to_nchw, xh.size, xh, out)
    return out


def _weight_matrix(w):
    """w (O, C, KH, KW) as the (O, K) matrix whose columns follow the taps' (a, b, c) order."""
    return w.transpose(0, 2, 3, 1).reshape(w.shape[0], -1)


def conv2d_forward(x, w, stride, padding):
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    ho, wo = out_hw((h, wd), (kh, kw), stride, padding)
    p, k = ho * wo, c * kh * kw
    w2t = _weight_matrix(w).T
    x = _nhwc(x)
    y = np.empty((n, o, ho, wo), dtype=x.dtype)
    step = _chunk(n, p * k, o * p)
    cols, y2 = _scratch("cols", (step * p, k), x.dtype), _scratch("rows", (step * p, o), x.dtype)
    for n0 in range(0, n, step):
        n1 = min(n, n0 + step)
        m = (n1 - n0) * p
        run(_im2col, m * k, x, n0, n1, kh, kw, stride[0], stride[1], padding[0], padding[1], ho, wo, cols[:m])
        np.matmul(cols[:m], w2t, out=y2[:m])
        run(_nhwc_to_nchw, m * o, y2[:m].reshape(n1 - n0, ho, wo, o), y[n0:n1])
    return y


def conv2d_backward_data(gy, w, stride, padding, x_hw):
    n, o, ho, wo = gy.shape
    _, c, kh, kw = w.shape
    h, wd = x_hw
    p, k = ho * wo, c * kh * kw
    w2 = np.ascontiguousarray(_weight_matrix(w))
    gy2 = _gy_rows(gy)
    gxh = _scratch("nhwc", (n, h, wd, c), gy.dtype)
    gxh[...] = 0
    step = _chunk(n, p * k, c * h * wd)
    gcols = _scratch("cols", (step * p, k), gy.dtype)
    for n0 in range(0, n, step):
        m = (min(n, n0 + step) - n0) * p
        np.matmul(gy2[n0 * p:n0 * p + m], w2, out=gcols[:m])
        run(_col2im, m * k, gcols[:m], n0, kh, kw, stride[0], stride[1], padding[0], padding[1], ho, wo, gxh)
    return _nchw(gxh)


def conv2d_backward_weight(x, gy, stride, padding, k_hw):
    n, o, ho, wo = gy.shape
    c = x.shape[1]
    kh, kw = k_hw
    p, k = ho * wo, c * kh * kw
    gy2 = _gy_rows(gy)
    x = _nhwc(x)
    gw2 = np.zeros((o, k), dtype=x.dtype)
    step = _chunk(n, p * k, o * p)
    cols = _scratch("cols", (step * p, k), x.dtype)
    for n0 in range(0, n, step):
        n1 = min(n, n0 + step)
        m = (n1 - n0) * p
        run(_im2col, m * k, x, n0, n1, kh, kw, stride[0], stride[1], padding[0], padding[1], ho, wo, cols[:m])
        gw2 += gy2[n0 * p:n0 * p + m].T @ cols[:m]
    return np.ascontiguousarray(gw2.reshape(o, kh, kw, c).transpose(0, 3, 1, 2))
