"""Numba CPU convolution: every thread im2cols one block of output rows into its own small
buffer and multiplies it there, calling BLAS from inside the parallel loop.

Index mapping (P = HO*WO output pixels, K = KH*KW*C taps, row r = n*P + i*WO + j, k = (a*KW + b)*C + c):
    cols[r, k] = x[n, c, i*sh + a - ph, j*sw + b - pw]        (0 outside x: padding without a copy)
    x is first copied to NHWC so that each tap's C channels are one contiguous run.
    A block's gy values are held channel-major, gb (O, R_block) = gy[n, :, q] for its rows,
    because then reading them from NCHW is one contiguous run per channel and sample
    (_copy_from_nchw), where the row-major (R_block, O) layout needs a transpose, element by
    element (as the forward's output does: _scatter_rows).
    forward:          y rows (R, O)   = cols @ W2ᵀ,  W2 = w in (O, KH, KW, C) order, scattered to NCHW
    backward-weight:  gW2 (O, K)     += gb @ cols   (one partial sum per thread, added at the end)
    backward-data:    gcols (R, K)    = gbᵀ @ W2, then col2im adds each entry back onto the x
                      element im2col read it from; a block holds whole samples, so its scatter-adds
                      land in its own gx[n] and never collide with another thread's.
forward + backward-weight of one x (conv2d_forward_and_backward_weight, what a transposed layer's
    backward needs): both from the same blocks of columns, built once.
A kernel that covers its whole unpadded input (one output pixel: DCGAN's G input and D output
layers) skips all this: the conv is a Linear layer on x flattened in (C, H, W) order (_covers_input).
Why blocks: a block's columns (BLOCK_BYTES) stay in the core's cache between im2col and
the GEMM, instead of a whole-batch column matrix going out to DRAM and back; gy is read from
NCHW and the output written to NCHW inside the same block, so no separate transpose pass runs.
Why the row-major forward GEMM: it is faster than W2 @ colsᵀ (90 against 58 GFLOP/s on one thread
of the project's 2-core EPYC VM at O = 32, K = 512), though its scatter moves elements one by one.
Channel-major gy blocks in both backwards: 5-15 % faster backward-weight.
Thin layers (K ≤ THIN_K: an image's first layer; _thin) take another path for all
three ops, a sample at a time with tap-major columns read straight from NCHW
(conv_thin_numba_cpu.py): there the GEMMs are so short that the NHWC copy and the scatter around
them dominated.
Why BLAS from Numba's threads (np.dot, i.e. SciPy's BLAS, set to one thread here): then Numba's pool is the only thread pool a convolution wakes, and NumPy's OpenBLAS
threads — whose idle spin after each GEMM (2^28 cycles unless OPENBLAS_THREAD_TIMEOUT was set
before NumPy loaded) stole the second core from the next Numba loop — never run. Import order
(NumPy before tinygan or after) then cannot change the convolution's speed.
Scratch: one block buffer per thread, reused across calls (numba_threads.scratch).
"""
import numba
import numpy as np
from numba import njit, prange

from tinygan.kernels import conv_thin_numba_cpu as thin
from tinygan.kernels.conv_thin_numba_cpu import rows3 as _rows3
from tinygan.kernels.conv_reference import out_hw
from tinygan.kernels.matmul_numba_cpu import matmul
from tinygan.kernels.numba_threads import run, scratch as _scratch, single_threaded_scipy_blas, threads as _threads

BLOCK_BYTES = 1 << 20     # a block's columns at most: 1 MB (of 512 KB-16 MB tried on DCGAN's layers, the best by ~3 %)
THIN_K = 64               # layers with K = C·KH·KW up to this use conv_thin_numba_cpu.py (_thin)


@njit(inline="always")
def _im2col_rows(xh, r0, r1, kh, kw, sh, sw, ph, pw, ho, wo, cols):
    """cols[r - r0] = the receptive field of output row r, for r0 ≤ r < r1 (xh is x in NHWC)."""
    h, w, c_in = xh.shape[1], xh.shape[2], xh.shape[3]
    p = ho * wo
    for r in range(r0, r1):
        n, i, j = r // p, (r % p) // wo, r % wo
        for a in range(kh):
            hh = i * sh + a - ph
            for b in range(kw):
                ww = j * sw + b - pw
                k0 = (a * kw + b) * c_in
                inside = 0 <= hh < h and 0 <= ww < w
                for cc in range(c_in):   # a scalar loop, not a slice: slicing costs ~10 ns even for C = 1
                    cols[r - r0, k0 + cc] = xh[n, hh, ww, cc] if inside else 0.0


@njit(inline="always")
def _col2im_rows(gc, rows, kh, kw, sh, sw, ph, pw, ho, wo, acc):
    """The adjoint of _im2col_rows for the block's first `rows` rows: each gc[r, k] is added onto
    the element of acc (the block's samples in NHWC) that im2col read cols[r, k] from."""
    h, w, c_in = acc.shape[1], acc.shape[2], acc.shape[3]
    p = ho * wo
    for r in range(rows):
        nl, i, j = r // p, (r % p) // wo, r % wo
        for a in range(kh):
            hh = i * sh + a - ph
            if hh < 0 or hh >= h:
                continue
            for b in range(kw):
                ww = j * sw + b - pw
                if 0 <= ww < w:
                    k0 = (a * kw + b) * c_in
                    for cc in range(c_in):
                        acc[nl, hh, ww, cc] += gc[r, k0 + cc]


@njit(inline="always")
def _scatter_rows(rows, r0, r1, y3):
    """y3[n, o, q] = rows[r - r0, o] for output rows r = n*P + q, r0 ≤ r < r1 (y3 is NCHW with
    H·W flattened to P). Contiguous reads and strided writes: the other order compiles to vector
    gathers, 2.3x slower on the project's EPYC VM at O = 64. Counters instead of r // P: integer
    division is slow."""
    n, q = r0 // y3.shape[2], r0 % y3.shape[2]
    for r in range(r1 - r0):
        for o in range(y3.shape[1]):
            y3[n, o, q] = rows[r, o]
        q += 1
        if q == y3.shape[2]:
            n, q = n + 1, 0


@njit(inline="always")
def _copy_from_nchw(g3, r0, r1, gb):
    """gb[:, r - r0] = g3[n, :, q] for the rows r = n*P + q in [r0, r1): a contiguous run of every
    channel for each sample the block touches."""
    p = g3.shape[2]
    r = r0
    while r < r1:
        n, q0 = r // p, r % p
        run = min(r1 - r, p - q0)
        gb[:, r - r0:r - r0 + run] = g3[n, :, q0:q0 + run]
        r += run


@njit(inline="always")
def _forward_block(c, w2, r0, r1, out_t, y3):
    """The block's output rows r0 ≤ r < r1 from its columns c, written to y3 (NCHW, H·W flattened)."""
    rows = out_t[:(r1 - r0) * w2.shape[0]].reshape(r1 - r0, w2.shape[0])
    np.dot(c, w2.T, rows)
    _scatter_rows(rows, r0, r1, y3)


@njit(inline="always")
def _weight_block(c, gy3, r0, r1, gb_t, product_t, partial_t):
    """partial_t += (the block's gy rows, channel-major)ᵀ-product with its columns c."""
    o_count = gy3.shape[1]
    gb = gb_t[:o_count * (r1 - r0)].reshape(o_count, r1 - r0)
    _copy_from_nchw(gy3, r0, r1, gb)
    np.dot(gb, c, product_t)
    partial_t += product_t


@njit(parallel=True, cache=True)
def _forward(xh, w2, kh, kw, sh, sw, ph, pw, ho, wo, block, cols, out, y3):
    m = xh.shape[0] * ho * wo
    for blk in prange((m + block - 1) // block):
        t = numba.get_thread_id()
        r0 = blk * block
        r1 = min(m, r0 + block)
        c = cols[t, :r1 - r0]
        _im2col_rows(xh, r0, r1, kh, kw, sh, sw, ph, pw, ho, wo, c)
        _forward_block(c, w2, r0, r1, out[t], y3)


@njit(parallel=True, cache=True)
def _backward_weight(xh, gy3, kh, kw, sh, sw, ph, pw, ho, wo, block, cols, gy_blocks, product, partial):
    m = xh.shape[0] * ho * wo
    partial[...] = 0.0
    for blk in prange((m + block - 1) // block):
        t = numba.get_thread_id()
        r0 = blk * block
        r1 = min(m, r0 + block)
        c = cols[t, :r1 - r0]
        _im2col_rows(xh, r0, r1, kh, kw, sh, sw, ph, pw, ho, wo, c)
        _weight_block(c, gy3, r0, r1, gy_blocks[t], product[t], partial[t])


@njit(parallel=True, cache=True)
def _forward_and_backward_weight(xh, w2, gy3, kh, kw, sh, sw, ph, pw, ho, wo, block, cols, out, gy_blocks, product,
                                 partial, y3):
    """_forward and _backward_weight of the same x in one pass: each block's columns are built once."""
    m = xh.shape[0] * ho * wo
    partial[...] = 0.0
    for blk in prange((m + block - 1) // block):
        t = numba.get_thread_id()
        r0 = blk * block
        r1 = min(m, r0 + block)
        c = cols[t, :r1 - r0]
        _im2col_rows(xh, r0, r1, kh, kw, sh, sw, ph, pw, ho, wo, c)
        _forward_block(c, w2, r0, r1, out[t], y3)
        _weight_block(c, gy3, r0, r1, gy_blocks[t], product[t], partial[t])


@njit(parallel=True, cache=True)
def _backward_data(gy3, w2, kh, kw, sh, sw, ph, pw, ho, wo, samples, gy_blocks, gcols, gxh, gx):
    """Blocks of `samples` whole samples: gcols = gbᵀ @ W2, col2im into the thread's own
    NHWC buffer gxh[t], then that buffer is written to gx in NCHW."""
    n_all, c_in, h, w = gx.shape
    p = ho * wo
    o_count = gy3.shape[1]
    for blk in prange((n_all + samples - 1) // samples):
        t = numba.get_thread_id()
        n0 = blk * samples
        n1 = min(n_all, n0 + samples)
        rows = (n1 - n0) * p
        gb = gy_blocks[t, :o_count * rows].reshape(o_count, rows)
        gc, acc = gcols[t, :rows], gxh[t]
        _copy_from_nchw(gy3, n0 * p, n1 * p, gb)
        np.dot(gb.T, w2, gc)
        acc[:n1 - n0] = 0.0
        _col2im_rows(gc, rows, kh, kw, sh, sw, ph, pw, ho, wo, acc)
        for nl in range(n1 - n0):
            for cc in range(c_in):      # contiguous writes: a write stride of one H·W plane (4 KB at 32×32)
                for hh in range(h):     # made this 1.6x slower than the reads' stride of C values
                    for ww in range(w):
                        gx[n0 + nl, cc, hh, ww] = acc[nl, hh, ww, cc]


WHOLE_PLANES_MIN = 1024          # H·W from which _nhwc may read whole channel planes (see _whole_planes)
WHOLE_PLANES_MIN_BYTES = 8 << 20  # ... and x's size from which it does


def _whole_planes(x):
    """Whether _nchw_to_nhwc should read x's channel planes whole, a task per sample, rather than a
    task per image row, which reads C runs of W values from C planes H·W values apart: too many
    streams for the prefetcher once x comes from memory (64×64×32×32, cold: 3.6-4.8 -> 2.4-2.5 ms;
    copying the same bytes: 0.9-1.0 ms; the VAE's 64×32×32×32 in its step: 1.4 -> 1.2 ms). The row
    tasks stay faster for small planes, for x that is still in cache (8×128×32×32, warm: 0.18 against
    0.64 ms), and with fewer samples than threads (one task per sample would leave cores idle)."""
    n, _, h, w = x.shape
    return h * w >= WHOLE_PLANES_MIN and x.nbytes >= WHOLE_PLANES_MIN_BYTES and n >= _threads()


@njit(parallel=True, cache=True)
def _nchw_to_nhwc(src, dst, whole_planes):
    """dst[n, h, w, c] = src[n, c, h, w], a task per sample or per image row (_whole_planes)."""
    n, c_count, h, w = src.shape
    if whole_planes:
        for i in prange(n):
            for c in range(c_count):
                for hh in range(h):
                    for ww in range(w):
                        dst[i, hh, ww, c] = src[i, c, hh, ww]
        return
    for task in prange(n * h):
        i, hh = task // h, task % h
        for c in range(c_count):
            for ww in range(w):                 # contiguous reads, strided writes (see _scatter_rows)
                dst[i, hh, ww, c] = src[i, c, hh, ww]


def _thin(k):
    """Whether a layer with K taps per output pixel takes conv_thin_numba_cpu.py's path. It is the
    faster one for K ≤ THIN_K even for a single image on one thread (a review measured (1, 1, 256,
    256) → 32 channels: 0.57 against 1.29 ms on two threads in row blocks)."""
    return k <= THIN_K


def _rows_per_block(m, k, o, itemsize):
    """Output rows per block: an equal share of the m rows per thread, so each thread makes as few
    and as long GEMM calls as possible, but at most BLOCK_BYTES of columns; and never fewer than 2·o
    rows, since every GEMM call repacks the (k, o) weight matrix: with 64-row blocks for k = 4096,
    o = 512 (DCGAN 64×64's widest conv) the repacking made the layer 1.4× slower."""
    share = -(-m // _threads())
    return max(8, min(share, max(BLOCK_BYTES // (k * itemsize), 2 * o)))


def _nhwc(x):
    """x (N, C, H, W) copied to (N, H, W, C) in a scratch buffer (parallel: NumPy's copy is serial);
    with one channel the two layouts are the same memory, so no copy."""
    if x.shape[1] == 1:
        return np.ascontiguousarray(x).reshape(x.shape[0], x.shape[2], x.shape[3], 1)
    out = _scratch("nhwc", (x.shape[0], x.shape[2], x.shape[3], x.shape[1]), x.dtype)
    run(_nchw_to_nhwc, x.size, np.ascontiguousarray(x), out, _whole_planes(x))
    return out


def _weight_matrix(w):
    """w (O, C, KH, KW) as the (O, K) matrix whose columns follow the taps' (a, b, c) order."""
    return np.ascontiguousarray(w.transpose(0, 2, 3, 1).reshape(w.shape[0], -1))


def _covers_input(x_hw, k_hw, padding):
    """A kernel as large as its unpadded input gives one output pixel: the conv is then a Linear
    layer on x flattened in (C, H, W) order, which is also w's (C, KH, KW) order, so all three ops
    are plain GEMMs with no im2col and no NHWC copy (DCGAN's G input and D output layers)."""
    return tuple(x_hw) == tuple(k_hw) and tuple(padding) == (0, 0)


def conv2d_forward(x, w, stride, padding):
    single_threaded_scipy_blas()
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    if _covers_input((h, wd), (kh, kw), padding):                        # y (N, O) = x2 @ w2ᵀ
        return matmul(x.reshape(n, c * h * wd), w.reshape(o, -1).T).reshape(n, o, 1, 1)
    ho, wo = out_hw((h, wd), (kh, kw), stride, padding)
    k = c * kh * kw
    if _thin(k):
        return thin.conv2d_forward(x, w, stride, padding, (ho, wo))
    block = _rows_per_block(n * ho * wo, k, o, x.dtype.itemsize)
    y = np.empty((n, o, ho, wo), dtype=x.dtype)
    cols, out = _scratch("cols", (_threads(), block, k), x.dtype), _scratch("out", (_threads(), block * o), x.dtype)
    run(_forward, n * ho * wo * k, _nhwc(x), _weight_matrix(w), kh, kw, *stride, *padding, ho, wo, block, cols, out,
        y.reshape(n, o, ho * wo))
    return y


def _weight_scratch(threads, block, o, k, dtype):
    """cols, channel-major gy blocks, and per-thread products and partial sums of backward-weight."""
    return (_scratch("cols", (threads, block, k), dtype), _scratch("gy_blocks", (threads, block * o), dtype),
            _scratch("product", (threads, o, k), dtype), _scratch("partial", (threads, o, k), dtype))


def _weight_gradient(partial, o, c, kh, kw):
    """The per-thread partial sums of gW2 (O, K) added up and put back in w's (O, C, KH, KW) order."""
    return np.ascontiguousarray(partial.sum(axis=0).reshape(o, kh, kw, c).transpose(0, 3, 1, 2))


def conv2d_backward_weight(x, gy, stride, padding, k_hw):
    single_threaded_scipy_blas()
    n, o, ho, wo = gy.shape
    c = x.shape[1]
    kh, kw = k_hw
    if _covers_input(x.shape[2:], k_hw, padding):                        # gw2 (O, K) = gy2ᵀ @ x2
        return matmul(gy.reshape(n, o).T, x.reshape(n, c * kh * kw)).reshape(o, c, kh, kw)
    k = c * kh * kw
    if _thin(k):
        return thin.conv2d_backward_weight(x, gy, stride, padding, k_hw)
    block = _rows_per_block(n * ho * wo, k, o, x.dtype.itemsize)
    cols, gy_blocks, product, partial = _weight_scratch(_threads(), block, o, k, x.dtype)
    run(_backward_weight, n * ho * wo * k, _nhwc(x), _rows3(gy), kh, kw, *stride, *padding, ho, wo, block, cols,
        gy_blocks, product, partial)
    return _weight_gradient(partial, o, c, kh, kw)


def conv2d_forward_and_backward_weight(x, w, gy, stride, padding):
    """(conv2d_forward(x, w), conv2d_backward_weight(x, gy)) with each block's (or, for a thin layer,
    each sample's) columns built once for both: a transposed conv layer's backward needs exactly
    these two (tinygan/ops/conv.py, Conv2dBackwardData.backward)."""
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    if _covers_input((h, wd), (kh, kw), padding):                        # plain GEMMs: nothing to share
        return conv2d_forward(x, w, stride, padding), conv2d_backward_weight(x, gy, stride, padding, (kh, kw))
    single_threaded_scipy_blas()
    ho, wo = out_hw((h, wd), (kh, kw), stride, padding)
    k = c * kh * kw
    if _thin(k):
        return thin.conv2d_forward_and_backward_weight(x, w, gy, stride, padding, (ho, wo))
    threads = _threads()
    y = np.empty((n, o, ho, wo), dtype=x.dtype)
    block = _rows_per_block(n * ho * wo, k, o, x.dtype.itemsize)
    cols, gy_blocks, product, partial = _weight_scratch(threads, block, o, k, x.dtype)
    out = _scratch("out", (threads, block * o), x.dtype)
    run(_forward_and_backward_weight, 2 * n * ho * wo * k, _nhwc(x), _weight_matrix(w), _rows3(gy), kh, kw, *stride,
        *padding, ho, wo, block, cols, out, gy_blocks, product, partial, y.reshape(n, o, ho * wo))
    return y, _weight_gradient(partial, o, c, kh, kw)


conv2d_forward.with_backward_weight = (conv2d_backward_weight, conv2d_forward_and_backward_weight)


def conv2d_backward_data(gy, w, stride, padding, x_hw):
    single_threaded_scipy_blas()
    n, o, ho, wo = gy.shape
    _, c, kh, kw = w.shape
    h, wd = x_hw
    if _covers_input(x_hw, (kh, kw), padding):                           # gx2 (N, K) = gy2 @ w2
        return matmul(gy.reshape(n, o), w.reshape(o, -1)).reshape(n, c, h, wd)
    p, k = ho * wo, c * kh * kw
    if _thin(k):
        return thin.conv2d_backward_data(gy, w, stride, padding, x_hw)
    samples = max(1, _rows_per_block(n * p, k, o, gy.dtype.itemsize) // p)
    threads = _threads()
    gx = np.empty((n, c, h, wd), dtype=gy.dtype)
    gy_blocks = _scratch("out", (threads, samples * p * o), gy.dtype)
    gcols = _scratch("cols", (threads, samples * p, k), gy.dtype)
    gxh = _scratch("gx_nhwc", (threads, samples, h, wd, c), gy.dtype)
    run(_backward_data, n * p * k, _rows3(gy), _weight_matrix(w), kh, kw, *stride, *padding, ho, wo, samples,
        gy_blocks, gcols, gxh, gx)
    return gx
