"""The CuPy RawKernels' CUDA C, checked without a GPU (issue #13).

Each kernel source (kernels/conv_cupy.py, kernels/losses_cupy.py) is compiled as C++ by the host
compiler behind a shim that spells CUDA's built-ins in host C++: blockIdx/threadIdx are thread-local,
a launch runs every block in turn with one std::thread per CUDA thread, and __syncthreads is a
std::barrier (a thread that returns leaves the barrier, as exited threads do on a GPU). So syntax and
type errors are caught, and the kernels are *run*, with the grid and block the Python code computes,
and compared with the reference kernels. What this cannot see: the CUDA compiler's own diagnostics
(NVRTC), warp-level timing, and float rounding of the GPU's exp/log (the shim uses the host libm).
The idea of compiling CUDA as host code behind macros is the one of CUDA emulators such as
gpuocelot / HIP-CPU; this shim is written for these kernels only."""
import ctypes
import re
import shutil
import subprocess

import numpy as np
import pytest

from tinygan.kernels import conv_cupy, conv_reference, losses_cupy, losses_reference

CXX = shutil.which("g++") or shutil.which("clang++") or shutil.which("c++")
pytestmark = pytest.mark.skipif(CXX is None, reason="no host C++ compiler (g++/clang++) to compile the CUDA C with")

SHIM = r"""
#include <atomic>
#include <barrier>
#include <cmath>
#include <thread>
#include <vector>
using namespace std;
struct dim3 { unsigned x = 1, y = 1, z = 1; };
thread_local dim3 threadIdx, blockIdx;
dim3 blockDim, gridDim;
static std::barrier<>* block_barrier;
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __restrict__
#define __shared__ static                          /* one block runs at a time: one copy is enough */
inline void __syncthreads() { block_barrier->arrive_and_wait(); }
template <class T> T atomicAdd(T* address, T value) { return std::atomic_ref<T>(*address).fetch_add(value); }

template <class Kernel, class... Args>
void launch(Kernel kernel, unsigned grid, unsigned block, Args... args) {
    gridDim.x = grid; blockDim.x = block;
    for (unsigned b = 0; b < grid; ++b) {
        std::barrier<> barrier(block);
        block_barrier = &barrier;
        std::vector<std::thread> threads;
        for (unsigned t = 0; t < block; ++t)
            threads.emplace_back([&, t] {
                blockIdx.x = b; threadIdx.x = t;
                kernel(args...);
                barrier.arrive_and_drop();
            });
        for (auto& thread : threads) thread.join();
    }
}
"""

KERNEL = re.compile(r'extern\s+"C"\s+__global__\s+void\s+(\w+)\s*\(([^)]*)\)')
CTYPES = {"int": ctypes.c_int, "long long": ctypes.c_longlong, "double": ctypes.c_double, "float": ctypes.c_float}


def _signatures(source):
    """{kernel name: [(C type, parameter name)]} read from the source."""
    out = {}
    for name, params in KERNEL.findall(source):
        out[name] = [tuple(p.strip().rsplit(None, 1)) for p in params.replace("\n", " ").split(",")]
        for ctype, pname in out[name]:       # `const double* x` splits as ("const double*", "x")
            assert ctype.endswith("*") or ctype in CTYPES, f"{name}: parameter {pname} of unknown type {ctype}"
    return out


def _launchers(signatures):
    """One extern "C" run_<kernel>(grid, block, params...) per kernel, for ctypes."""
    return "\n".join(
        f'extern "C" void run_{name}(unsigned grid, unsigned block, {", ".join(f"{t} {p}" for t, p in params)}) '
        f'{{ launch({name}, grid, block, {", ".join(p for _, p in params)}); }}'
        for name, params in signatures.items())


class Compiled:
    """The kernels of one module and dtype, compiled into a shared library and callable from here."""

    def __init__(self, module, dtype, folder):
        source = module.source(dtype)
        self.signatures = _signatures(source)
        path = folder / f"{module.__name__.rsplit('.', 1)[1]}_{dtype}"
        path.with_suffix(".cpp").write_text(SHIM + "#line 1 \"kernel source\"\n" + source + "\n"
                                            + _launchers(self.signatures))
        build = subprocess.run([CXX, "-std=c++20", "-O1", "-shared", "-fPIC", "-pthread", "-Werror=return-type",
                                "-Werror=narrowing", "-o", str(path.with_suffix(".so")), str(path.with_suffix(".cpp"))],
                               capture_output=True, text=True)
        assert build.returncode == 0, f"{module.__name__} ({dtype}) does not compile:\n{build.stderr[-3000:]}"
        self.lib = ctypes.CDLL(str(path.with_suffix(".so")))
        self.dtype = np.dtype(dtype)

    def __call__(self, name, grid, block, *args):
        """Launch kernel `name` with grid×block threads; array arguments are passed by pointer."""
        grid, block = (grid[0] if isinstance(grid, tuple) else grid), (block[0] if isinstance(block, tuple) else block)
        params = self.signatures[name]
        assert len(args) == len(params), f"{name} takes {len(params)} arguments, got {len(args)}"
        c_args = []
        for (ctype, pname), arg in zip(params, args):
            if ctype.endswith("*"):
                want = np.float64 if ctype.replace("const", "").strip() == "double*" else self.dtype
                assert isinstance(arg, np.ndarray) and arg.dtype == want and arg.flags.c_contiguous, \
                    f"{name}: {pname} needs a C-contiguous {np.dtype(want).name} array"
                c_args.append(ctypes.c_void_p(arg.ctypes.data))
            else:
                c_args.append(CTYPES[ctype](arg))
        getattr(self.lib, f"run_{name}")(ctypes.c_uint(grid), ctypes.c_uint(block), *c_args)


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cuda_c")
    return {(m.__name__.rsplit(".", 1)[1], d): Compiled(m, d, folder)
            for m in (conv_cupy, losses_cupy) for d in ("float32", "float64")}


def test_every_kernel_source_compiles_for_both_dtypes(compiled):
    assert set(compiled["conv_cupy", "float64"].signatures) == {"im2col", "col2im"}
    assert set(compiled["losses_cupy", "float32"].signatures) == {"bce_with_logits", "mse", "gaussian_kl",
                                                                  "reparameterize_kl"}


# ---- launch shapes, without launching --------------------------------------------------------

AWKWARD = [1, 2, conv_cupy.THREADS - 1, conv_cupy.THREADS, conv_cupy.THREADS + 1, 3 * 5 * 7 * 11, 2 ** 20 + 3]


@pytest.mark.parametrize("count", AWKWARD)
def test_conv_launch_covers_every_element_once(count):
    (grid,), (block,) = conv_cupy.launch_shape(count)
    assert grid * block >= count, "elements without a thread"
    assert (grid - 1) * block < count, "a block with no element (wasted, and a sign of an off-by-one)"


@pytest.mark.parametrize("size", [0, *AWKWARD, losses_cupy.THREADS * losses_cupy.MAX_BLOCKS + 1, 10 ** 8])
def test_loss_launch_blocks_fit_the_partial_sums(size):
    blocks = losses_cupy.launch_blocks(size)
    assert 1 <= blocks <= losses_cupy.MAX_BLOCKS
    assert losses_cupy.THREADS <= 256, "block_sum's shared array holds 256 partial sums"
    if size <= losses_cupy.THREADS * losses_cupy.MAX_BLOCKS:      # below the cap: one element per thread at most
        assert blocks * losses_cupy.THREADS >= size and (blocks - 1) * losses_cupy.THREADS < max(size, 1)


# ---- the kernels run on the host, against the references ---------------------------------------

CONV_CASES = [((2, 3, 5, 4), (4, 3, 3, 2), (2, 1), (1, 0)),
              ((1, 2, 7, 6), (3, 2, 3, 3), (3, 2), (2, 1)),
              ((3, 1, 4, 4), (2, 1, 1, 1), (1, 1), (0, 0))]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("x_shape,w_shape,stride,padding", CONV_CASES)
def test_conv_kernels_match_the_reference(compiled, dtype, x_shape, w_shape, stride, padding):
    run, tol = compiled["conv_cupy", dtype], (1e-4 if dtype == "float32" else 1e-10)
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal(x_shape).astype(dtype), rng.standard_normal(w_shape).astype(dtype)
    (n, c, h, wd), (o, _, kh, kw) = x_shape, w_shape
    ho, wo = conv_reference.out_hw((h, wd), (kh, kw), stride, padding)
    cols = np.full((c * kh * kw, n * ho * wo), np.nan, dtype)        # NaN shows any element left unwritten
    run("im2col", *conv_cupy.launch_shape(cols.size), x, cols, n, c, h, wd, kh, kw, *stride, *padding, ho, wo)
    y = (w.reshape(o, -1) @ cols).reshape(o, n, ho, wo).transpose(1, 0, 2, 3)
    np.testing.assert_allclose(y, conv_reference.conv2d_forward(x, w, stride, padding), rtol=tol, atol=tol)

    gy = rng.standard_normal((n, o, ho, wo)).astype(dtype)
    gcols = np.ascontiguousarray(w.reshape(o, -1).T @ gy.transpose(1, 0, 2, 3).reshape(o, -1))
    gx = np.full(x_shape, np.nan, dtype)
    run("col2im", *conv_cupy.launch_shape(gx.size), gcols, gx, n, c, h, wd, kh, kw, *stride, *padding, ho, wo)
    np.testing.assert_allclose(gx, conv_reference.conv2d_backward_data(gy, w, stride, padding, (h, wd)),
                               rtol=tol, atol=tol)


LOSS_OUTPUTS = {"bce_with_logits": (2, 1), "mse": (2, 1), "gaussian_kl": (2, 1), "reparameterize_kl": (3, 3)}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(LOSS_OUTPUTS))
@pytest.mark.parametrize("size,grid", [(1, None), (300, None), (1000, None), (1000, 2)])   # grid 2: the stride loop
def test_loss_kernels_match_the_reference(compiled, dtype, name, size, grid):
    run, tol = compiled["losses_cupy", dtype], (1e-4 if dtype == "float32" else 1e-10)
    n_inputs, n_outputs = LOSS_OUTPUTS[name]
    rng = np.random.default_rng(1)
    inputs = [rng.standard_normal(size).astype(dtype) * 3 for _ in range(n_inputs)]
    if name == "bce_with_logits":
        inputs[1] = rng.uniform(0, 1, size).astype(dtype)
    blocks = grid or losses_cupy.launch_blocks(size)
    outputs = [np.full(size, np.nan, dtype) for _ in range(n_outputs)]
    partial = np.full(blocks, np.nan)
    run(name, blocks, losses_cupy.THREADS, *inputs, *outputs, partial, size)
    expected = list(getattr(losses_reference, name)(*inputs))
    if name == "gaussian_kl":
        del expected[1]                  # d/dmu = mu: the reference returns it, the kernel has no array for it
    np.testing.assert_allclose(partial.sum(), expected[0], rtol=tol, atol=tol * size)
    for got, want in zip(outputs, expected[1:]):
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol)
