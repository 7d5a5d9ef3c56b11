"""Numba-CUDA convolution kernels (NCHW; shapes as in conv_reference).

Index mappings (which thread owns which output element):
  _forward_direct     one thread per y[n, o, i, j] (1-D grid); loops over the C·KH·KW taps.
  _forward_tiled      implicit GEMM: Y (O × N·P) = W2 (O × K) · cols (K × N·P), where cols is never
                      stored. A TILE×TILE block owns a TILE×TILE tile of Y; for each K-step it stages a
                      tile of W2 and a tile of cols (decoded from x on the fly) in shared memory, so
                      each x and w element read from global memory is reused TILE times.
  _backward_data      one thread per gx[n, c, h, w]: gathers gy·w over o and the taps that land on (h, w).
  _backward_weight    one thread per gw[o, c, a, b]: gathers x·gy over n and the output pixels.
Why gather and not scatter with atomics: each output element has exactly one writer, so results
are deterministic run to run and no atomic contention serialises threads; the price is a few
index tests that find no tap.
Memory traffic (direct/gather kernels): every thread re-reads its inputs from global memory/L2; the
tiled kernel cuts that by TILE. Accumulation is in the arrays' dtype (float32 on the GPU).
"""
import numpy as np
from numba import cuda

from tinygan.kernels import cuda_arrays as ca
from tinygan.kernels.conv_reference import out_hw

THREADS = 128
TILE = 16


@cuda.jit
def _forward_direct(x, w, y, sh, sw, ph, pw, zero):
    idx = cuda.grid(1)
    n_count, o_count, ho, wo = y.shape
    if idx >= n_count * o_count * ho * wo:
        return
    j, i, o, n = idx % wo, (idx // wo) % ho, (idx // (wo * ho)) % o_count, idx // (wo * ho * o_count)
    c_in, h, wd, kh, kw = x.shape[1], x.shape[2], x.shape[3], w.shape[2], w.shape[3]
    acc = zero
    for c in range(c_in):
        for a in range(kh):
            hh = i * sh + a - ph
            if 0 <= hh < h:
                for b in range(kw):
                    ww = j * sw + b - pw
                    if 0 <= ww < wd:
                        acc += x[n, c, hh, ww] * w[o, c, a, b]
    y[n, o, i, j] = acc


def _make_tiled(numba_dtype):
    @cuda.jit
    def forward_tiled(x, w2, y, kh, kw, sh, sw, ph, pw, zero):
        w_tile = cuda.shared.array((TILE, TILE), numba_dtype)
        x_tile = cuda.shared.array((TILE, TILE), numba_dtype)
        tx, ty = cuda.threadIdx.x, cuda.threadIdx.y
        q = cuda.blockIdx.x * TILE + tx          # column of Y: output pixel (n, i, j)
        o = cuda.blockIdx.y * TILE + ty          # row of Y: output channel
        o_count, k_count = w2.shape
        h, wd = x.shape[2], x.shape[3]
        ho, wo = y.shape[2], y.shape[3]
        pixels = x.shape[0] * ho * wo
        n, i, j = q // (ho * wo), (q // wo) % ho, q % wo
        acc = zero
        for k0 in range(0, k_count, TILE):
            w_tile[ty, tx] = w2[o, k0 + tx] if (o < o_count and k0 + tx < k_count) else zero
            k = k0 + ty                          # this thread stages cols[k, q]
            value = zero
            if k < k_count and q < pixels:
                c, a, b = k // (kh * kw), (k // kw) % kh, k % kw
                hh, ww = i * sh + a - ph, j * sw + b - pw
                if 0 <= hh < h and 0 <= ww < wd:
                    value = x[n, c, hh, ww]
            x_tile[ty, tx] = value
            cuda.syncthreads()
            for t in range(TILE):
                acc += w_tile[ty, t] * x_tile[t, tx]
            cuda.syncthreads()
        if o < o_count and q < pixels:
            y[n, o, i, j] = acc
    return forward_tiled


_tiled = {}


@cuda.jit
def _backward_data(gy, w, gx, sh, sw, ph, pw, zero):
    idx = cuda.grid(1)
    n_count, c_in, h, wd = gx.shape
    if idx >= n_count * c_in * h * wd:
        return
    ww, hh, c, n = idx % wd, (idx // wd) % h, (idx // (wd * h)) % c_in, idx // (wd * h * c_in)
    o_count, ho, wo, kh, kw = gy.shape[1], gy.shape[2], gy.shape[3], w.shape[2], w.shape[3]
    acc = zero
    for o in range(o_count):
        for a in range(kh):
            ti = hh + ph - a                     # = i·sh for the output row that used tap a
            if ti < 0 or ti % sh != 0 or ti // sh >= ho:
                continue
            for b in range(kw):
                tj = ww + pw - b
                if tj < 0 or tj % sw != 0 or tj // sw >= wo:
                    continue
                acc += gy[n, o, ti // sh, tj // sw] * w[o, c, a, b]
    gx[n, c, hh, ww] = acc


@cuda.jit
def _backward_weight(x, gy, gw, sh, sw, ph, pw, zero):
    idx = cuda.grid(1)
    o_count, c_in, kh, kw = gw.shape
    if idx >= o_count * c_in * kh * kw:
        return
    b, a, c, o = idx % kw, (idx // kw) % kh, (idx // (kw * kh)) % c_in, idx // (kw * kh * c_in)
    n_count, h, wd, ho, wo = x.shape[0], x.shape[2], x.shape[3], gy.shape[2], gy.shape[3]
    acc = zero
    for n in range(n_count):
        for i in range(ho):
            hh = i * sh + a - ph
            if 0 <= hh < h:
                for j in range(wo):
                    ww = j * sw + b - pw
                    if 0 <= ww < wd:
                        acc += x[n, c, hh, ww] * gy[n, o, i, j]
    gw[o, c, a, b] = acc


def _out_shape(x, w, stride, padding):
    return (x.shape[0], w.shape[0], *out_hw(x.shape[2:], w.shape[2:], stride, padding))


def conv2d_forward_direct(x, w, stride, padding):
    shape = _out_shape(x, w, stride, padding)
    y = ca.empty(shape, x.dtype, x)
    _forward_direct[ca.blocks(int(np.prod(shape)), THREADS), THREADS](
        ca.to_device(x), ca.to_device(w), y, *stride, *padding, x.dtype.type(0))
    return ca.result(y, x)


def conv2d_forward(x, w, stride, padding):
    """The tiled implicit-GEMM kernel (the default CUDA forward)."""
    from numba import from_dtype
    shape = _out_shape(x, w, stride, padding)
    y = ca.empty(shape, x.dtype, x)
    dtype = np.dtype(x.dtype)
    if dtype not in _tiled:             # compile once per dtype (setdefault would build it on every call)
        _tiled[dtype] = _make_tiled(from_dtype(dtype))
    kernel = _tiled[dtype]
    pixels = shape[0] * shape[2] * shape[3]
    grid = (ca.blocks(pixels, TILE), ca.blocks(shape[1], TILE))
    w2 = w.reshape(w.shape[0], -1)
    kernel[grid, (TILE, TILE)](ca.to_device(x), ca.to_device(w2), y, w.shape[2], w.shape[3],
                               *stride, *padding, x.dtype.type(0))
    return ca.result(y, x)


def conv2d_backward_data(gy, w, stride, padding, x_hw):
    shape = (gy.shape[0], w.shape[1], *x_hw)
    gx = ca.empty(shape, gy.dtype, gy)
    _backward_data[ca.blocks(int(np.prod(shape)), THREADS), THREADS](
        ca.to_device(gy), ca.to_device(w), gx, *stride, *padding, gy.dtype.type(0))
    return ca.result(gx, gy)


def conv2d_backward_weight(x, gy, stride, padding, k_hw):
    shape = (gy.shape[1], x.shape[1], *k_hw)
    gw = ca.empty(shape, x.dtype, x)
    _backward_weight[ca.blocks(int(np.prod(shape)), THREADS), THREADS](
        ca.to_device(x), ca.to_device(gy), gw, *stride, *padding, x.dtype.type(0))
    return ca.result(gw, x)
