"""CuPy convolution: two RawKernels (im2col, col2im) around cuBLAS GEMMs (cupy.matmul).

Index mapping (Caffe's column layout; K = C·KH·KW, k = (c·KH + a)·KW + b, q = (n·HO + i)·WO + j):
    im2col: one thread per cols[k, q] = x[n, c, i·sh + a − ph, j·sw + b − pw]   (0 outside x)
    forward: Y (O × N·P) = W2 @ cols, then (O, N, P) -> (N, O, P)
    backward-weight: gW2 = gyT @ colsᵀ with gyT = gy as (O, N·P)
    backward-data: gcols = W2ᵀ @ gyT, then col2im with one thread per gx element, *gathering*
                   the gcols entries of the taps that land on it (no atomics, deterministic).
Memory: the column matrix is K·N·P elements (C·KH·KW/O times the output).
"""
import functools

from tinygan.kernels.conv_reference import out_hw

_SOURCE = r"""
extern "C" __global__ void im2col(const DTYPE* x, DTYPE* cols, int N, int C, int H, int W, int KH, int KW,
                                  int SH, int SW, int PH, int PW, int HO, int WO) {
    long long P = (long long)HO * WO, NP = N * P;
    long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (idx >= (long long)C * KH * KW * NP) return;
    long long q = idx % NP; int k = (int)(idx / NP);
    int c = k / (KH * KW), a = (k / KW) % KH, b = k % KW;
    int n = (int)(q / P), i = (int)((q / WO) % HO), j = (int)(q % WO);
    int hh = i * SH + a - PH, ww = j * SW + b - PW;
    cols[idx] = (hh >= 0 && hh < H && ww >= 0 && ww < W) ? x[(((long long)n * C + c) * H + hh) * W + ww] : (DTYPE)0;
}
extern "C" __global__ void col2im(const DTYPE* gcols, DTYPE* gx, int N, int C, int H, int W, int KH, int KW,
                                  int SH, int SW, int PH, int PW, int HO, int WO) {
    long long idx = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (idx >= (long long)N * C * H * W) return;
    int ww = (int)(idx % W), hh = (int)((idx / W) % H), c = (int)((idx / ((long long)W * H)) % C);
    int n = (int)(idx / ((long long)W * H * C));
    long long P = (long long)HO * WO, NP = N * P;
    DTYPE acc = 0;
    for (int a = 0; a < KH; ++a) {
        int ti = hh + PH - a;
        if (ti < 0 || ti % SH != 0 || ti / SH >= HO) continue;
        for (int b = 0; b < KW; ++b) {
            int tj = ww + PW - b;
            if (tj < 0 || tj % SW != 0 || tj / SW >= WO) continue;
            acc += gcols[(long long)((c * KH + a) * KW + b) * NP + n * P + (ti / SH) * WO + tj / SW];
        }
    }
    gx[idx] = acc;
}
"""
THREADS = 256


def source(dtype_name):
    """The CUDA C for one dtype (also what tests/test_cupy_kernel_source.py compiles on the host)."""
    return _SOURCE.replace("DTYPE", {"float32": "float", "float64": "double"}[dtype_name])


def launch_shape(count):
    """(grid, block) for one thread per element: enough blocks of THREADS to cover all `count`."""
    return ((count + THREADS - 1) // THREADS,), (THREADS,)


@functools.lru_cache(maxsize=None)
def _kernels(dtype_name):
    import cupy
    module = cupy.RawModule(code=source(dtype_name))
    return module.get_function("im2col"), module.get_function("col2im")


def _columns(x, kh, kw, stride, padding, ho, wo):
    import cupy
    n, c, h, w = x.shape
    cols = cupy.empty((c * kh * kw, n * ho * wo), dtype=x.dtype)
    im2col, _ = _kernels(x.dtype.name)
    im2col(*launch_shape(cols.size),
           (cupy.ascontiguousarray(x), cols, n, c, h, w, kh, kw, *stride, *padding, ho, wo))
    return cols


def conv2d_forward(x, w, stride, padding):
    o, _, kh, kw = w.shape
    ho, wo = out_hw(x.shape[2:], (kh, kw), stride, padding)
    y = w.reshape(o, -1) @ _columns(x, kh, kw, stride, padding, ho, wo)          # cuBLAS
    return y.reshape(o, x.shape[0], ho, wo).transpose(1, 0, 2, 3).copy()


def _gy_t(gy):
    return gy.transpose(1, 0, 2, 3).reshape(gy.shape[1], -1)


def conv2d_backward_weight(x, gy, stride, padding, k_hw):
    cols = _columns(x, *k_hw, stride, padding, gy.shape[2], gy.shape[3])
    return (_gy_t(gy) @ cols.T).reshape(gy.shape[1], x.shape[1], *k_hw)


def conv2d_backward_data(gy, w, stride, padding, x_hw):
    import cupy
    n, o, ho, wo = gy.shape
    _, c, kh, kw = w.shape
    gcols = w.reshape(o, -1).T @ _gy_t(gy)                                          # cuBLAS
    gx = cupy.empty((n, c, *x_hw), dtype=gy.dtype)
    _, col2im = _kernels(gy.dtype.name)
    col2im(*launch_shape(gx.size),
           (cupy.ascontiguousarray(gcols), gx, n, c, *x_hw, kh, kw, *stride, *padding, ho, wo))
    return gx
