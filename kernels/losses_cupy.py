"""CuPy fused losses: one RawKernel per loss; a grid-stride loop writes each gradient element and
a shared-memory tree reduction leaves one partial sum per block (summed after: deterministic).
Index mapping: thread t handles elements t, t + gridsize, ...; inputs read once, gradient
written once. Math in the data's precision, sums in double. Formulas in losses_reference.
"""
import functools

_SOURCE = r"""
__device__ void block_sum(double s, double* partial) {
    __shared__ double shared[256];
    shared[threadIdx.x] = s;
    __syncthreads();
    for (int step = blockDim.x / 2; step > 0; step >>= 1) {
        if (threadIdx.x < step) shared[threadIdx.x] += shared[threadIdx.x + step];
        __syncthreads();
    }
    if (threadIdx.x == 0) partial[blockIdx.x] = shared[0];
}
#define GRID_LOOP(e, n) for (long long e = (long long)blockIdx.x * blockDim.x + threadIdx.x; e < n; \
                             e += (long long)gridDim.x * blockDim.x)
extern "C" __global__ void bce_with_logits(const DTYPE* x, const DTYPE* t, DTYPE* grad, double* partial, long long n) {
    double s = 0;
    GRID_LOOP(e, n) {
        DTYPE v = x[e], z = exp(-fabs(v));
        s += (double)(fmax(v, (DTYPE)0) - v * t[e] + log1p(z));
        grad[e] = (v >= 0 ? (DTYPE)1 : z) / ((DTYPE)1 + z) - t[e];
    }
    block_sum(s, partial);
}
extern "C" __global__ void mse(const DTYPE* x, const DTYPE* t, DTYPE* grad, double* partial, long long n) {
    double s = 0;
    GRID_LOOP(e, n) { DTYPE d = x[e] - t[e]; s += (double)(d * d); grad[e] = 2 * d; }
    block_sum(s, partial);
}
extern "C" __global__ void gaussian_kl(const DTYPE* mu, const DTYPE* logvar, DTYPE* dlogvar, double* partial, long long n) {
    double s = 0;
    GRID_LOOP(e, n) {
        DTYPE var = exp(logvar[e]);
        s += 0.5 * (double)(mu[e] * mu[e] + var - logvar[e] - 1);
        dlogvar[e] = (DTYPE)0.5 * (var - 1);
    }
    block_sum(s, partial);
}
extern "C" __global__ void reparameterize_kl(const DTYPE* mu, const DTYPE* logvar, const DTYPE* eps, DTYPE* z,
                                             DTYPE* dz, DTYPE* dkl, double* partial, long long n) {
    double s = 0;
    GRID_LOOP(e, n) {
        DTYPE sd = exp((DTYPE)0.5 * logvar[e]), noise = sd * eps[e];
        s += 0.5 * (double)(mu[e] * mu[e] + sd * sd - logvar[e] - 1);
        z[e] = mu[e] + noise;
        dz[e] = (DTYPE)0.5 * noise;
        dkl[e] = (DTYPE)0.5 * (sd * sd - 1);
    }
    block_sum(s, partial);
}
"""
THREADS, MAX_BLOCKS = 256, 1024


def source(dtype_name):
    """The CUDA C for one dtype (also what tests/test_cupy_kernel_source.py compiles on the host)."""
    return _SOURCE.replace("DTYPE", {"float32": "float", "float64": "double"}[dtype_name])


def launch_blocks(size):
    """Blocks of THREADS for the grid-stride pass: at least one, at most MAX_BLOCKS partial sums."""
    return max(1, min(MAX_BLOCKS, (size + THREADS - 1) // THREADS))


@functools.lru_cache(maxsize=None)
def _module(dtype_name):
    import cupy
    return cupy.RawModule(code=source(dtype_name))


def _launch(name, inputs, n_outputs=1):
    """Run kernel `name`(*inputs, *outputs, partial, n); returns (sum, *outputs)."""
    import cupy
    inputs = [cupy.ascontiguousarray(x) for x in inputs]
    a = inputs[0]
    blocks = launch_blocks(a.size)
    outputs, partial = [cupy.empty_like(a) for _ in range(n_outputs)], cupy.empty(blocks, dtype=cupy.float64)
    _module(a.dtype.name).get_function(name)((blocks,), (THREADS,), (*inputs, *outputs, partial, cupy.int64(a.size)))
    return (float(partial.sum()), *outputs)


def bce_with_logits(x, t):
    return _launch("bce_with_logits", (x, t))


def mse(x, t):
    return _launch("mse", (x, t))


def gaussian_kl(mu, logvar):
    total, dlogvar = _launch("gaussian_kl", (mu, logvar))
    return total, mu, dlogvar


def reparameterize_kl(mu, logvar, eps):
    return _launch("reparameterize_kl", (mu, logvar, eps), n_outputs=3)
