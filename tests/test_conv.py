"""conv2d / conv_transpose2d: the CPU kernels (im2col, numba_cpu) against the reference loops over a
shape sweep, numba_cpu's batch chunking, the adjoint identity, and shape errors."""
import itertools

import numpy as np
import pytest

import tinygan
import tinygan.nn.functional as F
from tinygan import kernels
from tinygan.kernels import conv_reference, registry

SWEEP = [  # (N, C, H, W, O, K, stride, padding)
    (n, c, h, w, o, k, s, p)
    for (n, c, h, w, o), k, s, p in itertools.product(
        [(1, 1, 7, 7, 2), (2, 3, 8, 5, 4), (1, 2, 6, 9, 3)], [1, 3, 4, 5], [1, 2], [0, 1, 2])
    if h + 2 * p >= k and w + 2 * p >= k
]

# kernels that cover the whole unpadded input (one output pixel: numba_cpu multiplies them as a Linear layer)
SWEEP += [(2, 3, 4, 4, 5, 4, s, 0) for s in (1, 2)] + [(3, 2, 1, 1, 4, 1, 1, 0), (1, 1, 3, 3, 1, 3, 1, 0)]


def _arrays(n, c, h, w, o, k, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, c, h, w)), rng.standard_normal((o, c, k, k))


CONV_OPS = ("conv2d_forward", "conv2d_backward_data", "conv2d_backward_weight")
CPU_IMPLS = ["im2col", "numba_cpu"]
PARITY_CASES = [(op, impl) for impl in CPU_IMPLS for op in CONV_OPS]   # read by test_parity_coverage.py


def _impl(name, op):
    return registry.get(op, name).load()


def _op_inputs(op, x, wt, gy, stride, pad):
    """The arguments of `op` for input x, weight wt and output gradient gy."""
    n, c, h, w = x.shape
    return {"conv2d_forward": (x, wt, stride, pad), "conv2d_backward_data": (gy, wt, stride, pad, (h, w)),
            "conv2d_backward_weight": (x, gy, stride, pad, wt.shape[2:])}[op]


def _out_shape(x, wt, stride, pad):
    (n, _, h, w), (o, _, kh, kw) = x.shape, wt.shape
    return n, o, (h + 2 * pad[0] - kh) // stride[0] + 1, (w + 2 * pad[1] - kw) // stride[1] + 1


@pytest.mark.parametrize("op,impl", PARITY_CASES)
@pytest.mark.parametrize("n,c,h,w,o,k,s,p", SWEEP)
def test_cpu_kernels_match_reference(op, impl, n, c, h, w, o, k, s, p):
    x, wt = _arrays(n, c, h, w, o, k)
    stride, pad = (s, s), (p, p)
    gy = np.random.default_rng(1).standard_normal(_out_shape(x, wt, stride, pad))
    args = _op_inputs(op, x, wt, gy, stride, pad)
    np.testing.assert_allclose(_impl(impl, op)(*args), getattr(conv_reference, op)(*args), rtol=1e-10, atol=1e-10)


@pytest.fixture(params=["blocked", "thin"])
def numba_cpu_path(request, monkeypatch):
    """Runs the test once down each of numba_cpu's two paths (row blocks of NHWC columns; thin
    layers' per-sample tap-major columns), whatever the layer."""
    from tinygan.kernels import conv_numba_cpu
    monkeypatch.setattr(conv_numba_cpu, "_thin", lambda k: request.param == "thin")
    return request.param


@pytest.fixture
def always_parallel(monkeypatch):
    """Small kernels normally run on the calling thread alone (numba_threads.run); these tests'
    tiny shapes must go through the parallel loops, per-thread buffers and partial sums."""
    from tinygan.kernels import numba_threads
    monkeypatch.setattr(numba_threads, "PARALLEL_MIN", 0)


@pytest.mark.parametrize("op", CONV_OPS)
@pytest.mark.parametrize("n,c,h,w,o,k,s,p", SWEEP)
def test_numba_cpu_both_paths_match_reference(op, n, c, h, w, o, k, s, p, numba_cpu_path, always_parallel):
    x, wt = _arrays(n, c, h, w, o, k)
    stride, pad = (s, s), (p, p)
    gy = np.random.default_rng(1).standard_normal(_out_shape(x, wt, stride, pad))
    args = _op_inputs(op, x, wt, gy, stride, pad)
    np.testing.assert_allclose(_impl("numba_cpu", op)(*args), getattr(conv_reference, op)(*args), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-10), (np.float32, 1e-4)])
@pytest.mark.parametrize("n,c,h,w,o,k,s,p", SWEEP[::3] + SWEEP[-4:])
def test_numba_cpu_forward_and_backward_weight_in_one_pass_match_reference(n, c, h, w, o, k, s, p, dtype, tol,
                                                                           numba_cpu_path):
    """conv2d_forward_and_backward_weight (one im2col of x for both) against the two reference ops,
    over every third shape of the sweep and the kernels that cover their input, down both paths."""
    from tinygan.kernels.conv_numba_cpu import conv2d_forward_and_backward_weight
    x, wt = _arrays(n, c, h, w, o, k)
    stride, pad = (s, s), (p, p)
    gy = np.random.default_rng(1).standard_normal(_out_shape(x, wt, stride, pad))
    y, gw = conv2d_forward_and_backward_weight(x.astype(dtype), wt.astype(dtype), gy.astype(dtype), stride, pad)
    assert y.dtype == gw.dtype == dtype
    np.testing.assert_allclose(y, conv_reference.conv2d_forward(x, wt, stride, pad), rtol=tol, atol=tol)
    np.testing.assert_allclose(gw, conv_reference.conv2d_backward_weight(x, gy, stride, pad, (k, k)), rtol=tol, atol=tol)


def test_numba_cpu_forward_and_backward_weight_in_one_pass_keep_the_references_nan_and_inf(numba_cpu_path):
    """A NaN in x and an inf in gy reach the same outputs as in the two reference ops (a shared
    column buffer must not carry them into blocks or weights they do not touch)."""
    from tinygan.kernels.conv_numba_cpu import conv2d_forward_and_backward_weight
    x, wt = _arrays(4, 3, 9, 8, 5, 3)
    x[1, 2, 4, 4] = np.nan
    gy = np.random.default_rng(1).standard_normal(_out_shape(x, wt, (2, 2), (1, 1)))
    gy[2, 3, 1, 1] = np.inf
    y, gw = conv2d_forward_and_backward_weight(x, wt, gy, (2, 2), (1, 1))
    want_y = conv_reference.conv2d_forward(x, wt, (2, 2), (1, 1))
    with np.errstate(invalid="ignore"):
        want_gw = conv_reference.conv2d_backward_weight(x, gy, (2, 2), (1, 1), (3, 3))
    for got, want in ((y, want_y), (gw, want_gw)):
        np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
        np.testing.assert_array_equal(np.isinf(got), np.isinf(want))
        finite = np.isfinite(want)
        assert 0 < finite.sum() < want.size
        np.testing.assert_allclose(got[finite], want[finite], rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("op", CONV_OPS)
def test_numba_cpu_ops_keep_the_references_nan_and_inf_and_forget_them_in_the_next_call(op, numba_cpu_path):
    """A NaN in x and an inf in gy reach exactly the outputs they reach in the reference op; the next
    call, on clean inputs, is all finite (the per-thread buffers are reused, so nothing may stay)."""
    x, wt = _arrays(4, 3, 9, 8, 5, 3)
    gy = np.random.default_rng(1).standard_normal(_out_shape(x, wt, (2, 2), (1, 1)))
    bad_x, bad_gy = x.copy(), gy.copy()
    bad_x[1, 2, 4, 4], bad_gy[2, 3, 1, 1] = np.nan, np.inf
    ours = _impl("numba_cpu", op)
    got = ours(*_op_inputs(op, bad_x, wt, bad_gy, (2, 2), (1, 1)))
    with np.errstate(invalid="ignore"):
        want = getattr(conv_reference, op)(*_op_inputs(op, bad_x, wt, bad_gy, (2, 2), (1, 1)))
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_array_equal(np.isinf(got), np.isinf(want))
    assert 0 < np.isfinite(want).sum() < want.size
    clean = ours(*_op_inputs(op, x, wt, gy, (2, 2), (1, 1)))
    np.testing.assert_allclose(clean, getattr(conv_reference, op)(*_op_inputs(op, x, wt, gy, (2, 2), (1, 1))),
                               rtol=1e-10, atol=1e-10)


def _numba_cpu_and_reference(op, x, wt, gy, stride=(2, 2), pad=(1, 1)):
    """(numba_cpu's outputs, the reference's) for one of CONV_OPS or the fused forward and
    backward-weight, as tuples."""
    from tinygan.kernels import conv_numba_cpu
    if op == "conv2d_forward_and_backward_weight":
        return (conv_numba_cpu.conv2d_forward_and_backward_weight(x, wt, gy, stride, pad),
                (conv_reference.conv2d_forward(x, wt, stride, pad),
                 conv_reference.conv2d_backward_weight(x, gy, stride, pad, wt.shape[2:])))
    args = _op_inputs(op, x, wt, gy, stride, pad)
    return (getattr(conv_numba_cpu, op)(*args),), (getattr(conv_reference, op)(*args),)


@pytest.mark.parametrize("op", CONV_OPS + ("conv2d_forward_and_backward_weight",))
def test_numba_cpu_gives_the_references_empty_outputs_for_an_empty_batch(op, numba_cpu_path):
    x, wt = _arrays(0, 2, 9, 8, 4, 3)
    gy = np.zeros(_out_shape(x, wt, (2, 2), (1, 1)))
    for got, want in zip(*_numba_cpu_and_reference(op, x, wt, gy)):
        assert got.shape == want.shape and got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("op", CONV_OPS + ("conv2d_forward_and_backward_weight",))
def test_numba_cpu_thin_path_takes_read_only_inputs(op, monkeypatch):
    """Read-only arrays (a broadcast gradient, a memory-mapped file) give the reference's answer,
    also in chunks, where the thin path copies gy chunk by chunk into a buffer of its own. (The row
    path is not run here: it only reads its inputs, and each read-only signature is one more Numba
    compilation in CI.)"""
    from tinygan.kernels import conv_numba_cpu, conv_thin_numba_cpu
    monkeypatch.setattr(conv_numba_cpu, "_thin", lambda k: True)
    monkeypatch.setattr(conv_thin_numba_cpu, "CHUNK_BYTES", 1)
    x, wt = _arrays(3, 2, 9, 8, 4, 3)
    gy = np.random.default_rng(1).standard_normal(_out_shape(x, wt, (2, 2), (1, 1)))
    for a in (x, wt, gy):
        a.flags.writeable = False
    for got, want in zip(*_numba_cpu_and_reference(op, x, wt, gy)):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)


def test_a_transposed_layers_backward_builds_the_columns_once_and_gets_the_reference_gradients(monkeypatch):
    """Both gradients of conv_transpose2d come from one call of the fused numba_cpu function (the
    pairing Conv2d looks for), and agree with the reference kernels' gradients."""
    from tinygan.kernels import conv_numba_cpu
    paired, both = conv_numba_cpu.conv2d_forward.with_backward_weight
    calls = []
    monkeypatch.setattr(conv_numba_cpu.conv2d_forward, "with_backward_weight",
                        (paired, lambda *args: calls.append(1) or both(*args)))
    rng = np.random.default_rng(4)
    arrays = rng.standard_normal((3, 4, 6, 5)), rng.standard_normal((4, 2, 4, 4)), rng.standard_normal(2)
    gy = rng.standard_normal((3, 2, 12, 10))
    grads = {}
    for impl in ("numba_cpu", "reference"):
        with kernels.use("conv2d", impl):
            x, wt, b = (tinygan.tensor(a, requires_grad=True, dtype=np.float64) for a in arrays)
            F.conv_transpose2d(x, wt, b, stride=2, padding=1).backward(tinygan.tensor(gy, dtype=np.float64))
            grads[impl] = (x.grad.array, wt.grad.array, b.grad.array)
    assert len(calls) == 1
    for got, want in zip(grads["numba_cpu"], grads["reference"]):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("impl", CPU_IMPLS)
def test_cpu_kernels_float32(impl):
    """float32 inputs give float32 outputs close to the float64 reference."""
    x, wt = _arrays(5, 3, 9, 7, 4, 3)
    gy = np.random.default_rng(2).standard_normal((5, 4, 5, 4))
    stride, pad = (2, 2), (2, 1)
    for op in CONV_OPS:
        args = _op_inputs(op, x, wt, gy, stride, pad)
        ref = getattr(conv_reference, op)(*args)
        got = _impl(impl, op)(*[a.astype(np.float32) if isinstance(a, np.ndarray) else a for a in args])
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, ref, rtol=1e-4, atol=1e-4)


BLOCK_CASES = [(op, thin) for op in CONV_OPS for thin in (False, True)]


@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-10), (np.float32, 1e-4)])
@pytest.mark.parametrize("op,thin", BLOCK_CASES, ids=[f"{op[7:]} {'thin' if thin else 'blocked'}"
                                                      for op, thin in BLOCK_CASES])
def test_numba_cpu_blocks_match_reference(op, thin, dtype, tol, monkeypatch, always_parallel):
    """numba_cpu works in blocks of output rows (whole samples for backward-data), each thread
    reusing its own buffers; a tiny block budget forces many blocks per thread, blocks that start
    and end inside a sample, and an uneven last one, and the answer must not change; blocked
    backward-data gets blocks of 2 samples, the last one of 1. Every op also runs down the thin
    path (_thin picks one by the layer's K), whose task is a sample: 5 of them here, so the threads
    get unequal shares, and a tiny chunk budget splits each sample into chunks of one output row."""
    from tinygan.kernels import conv_numba_cpu, conv_thin_numba_cpu
    monkeypatch.setattr(conv_numba_cpu, "_thin", lambda k: thin)
    monkeypatch.setattr(conv_thin_numba_cpu, "CHUNK_BYTES", 1)
    monkeypatch.setattr(conv_numba_cpu, "BLOCK_BYTES", 1)      # 8 rows per block
    if op == "conv2d_backward_data":                            # whole samples: 2 of 30 rows each
        monkeypatch.setattr(conv_numba_cpu, "_rows_per_block", lambda m, k, o, itemsize: 60)
    x, wt = _arrays(5, 3, 9, 7, 4, 3)     # 3x3 kernel, stride 2, padding 2: 5 samples of 6x5 outputs,
    stride, pad = (2, 2), (2, 2)        # 150 rows, an uneven last block of 6
    out_shape = _out_shape(x, wt, stride, pad)
    rows = out_shape[0] * out_shape[2] * out_shape[3]
    assert rows % 8 and rows // 8 > 2 * conv_numba_cpu._threads() and out_shape[0] > conv_numba_cpu._threads()
    gy = np.random.default_rng(2).standard_normal(out_shape)
    args = _op_inputs(op, x, wt, gy, stride, pad)
    got = conv_numba_cpu.__dict__[op](*[a.astype(dtype) if isinstance(a, np.ndarray) else a for a in args])
    assert got.dtype == dtype
    np.testing.assert_allclose(got, getattr(conv_reference, op)(*args), rtol=tol, atol=tol)


@pytest.mark.parametrize("r0,r1", [(3, 9), (10, 20), (7, 31), (0, 48), (44, 48)],
                         ids=["inside one sample", "two samples", "three samples", "all", "the last rows"])
def test_numba_cpu_nchw_copy_touches_exactly_its_rows(r0, r1):
    """_copy_from_nchw moves the rows r0 ≤ r < r1 (row r = n·P + q) of NCHW gy into a channel-major
    block: every cell outside them must stay untouched (NaN here), which the whole-kernel tests
    cannot see when the next block overwrites the damage."""
    from numba import njit
    from tinygan.kernels.conv_numba_cpu import _copy_from_nchw

    @njit
    def from_nchw(g3, r0, r1, gb):
        _copy_from_nchw(g3, r0, r1, gb)

    n, o, p = 4, 3, 12
    rows = np.arange(r0, r1)
    g3 = np.random.default_rng(1).standard_normal((n, o, p))
    gb = np.full((o, r1 - r0 + 2), np.nan)                 # two spare columns must stay NaN
    from_nchw(g3, r0, r1, gb)
    np.testing.assert_array_equal(gb[:, :r1 - r0], g3.transpose(0, 2, 1).reshape(n * p, o)[rows].T)
    assert np.isnan(gb[:, r1 - r0:]).all()


@pytest.mark.parametrize("whole_planes", [False, True])
@pytest.mark.parametrize("h,w", [(5, 7), (32, 33), (40, 26)])
def test_numba_cpu_nhwc_copy_moves_every_value_in_both_loop_orders(h, w, whole_planes):
    """_nchw_to_nhwc has two loop orders (chosen by _whole_planes from the sizes); the conv sweep
    above only meets one of them, so both are checked here, on every value."""
    from tinygan.kernels.conv_numba_cpu import _nchw_to_nhwc
    x = np.random.default_rng(2).standard_normal((3, 4, h, w)).astype(np.float32)
    out = np.full((3, h, w, 4), np.nan, dtype=np.float32)
    _nchw_to_nhwc(x, out, whole_planes)
    np.testing.assert_array_equal(out, x.transpose(0, 2, 3, 1))


def test_numba_cpu_reads_whole_planes_only_for_large_inputs_from_memory_with_a_sample_per_thread():
    from tinygan.kernels.conv_numba_cpu import _threads, _whole_planes
    big = np.empty((64, 64, 32, 32), np.float32)              # 16 MB: DCGAN-64's second layer
    assert _whole_planes(big)
    assert not _whole_planes(np.empty((64, 128, 16, 16), np.float32))   # planes of 16×16
    assert not _whole_planes(np.empty((8, 128, 32, 32), np.float32))    # 4 MB: still in cache
    assert not _whole_planes(np.empty((max(1, _threads() - 1), 2048, 32, 32), np.float32))  # a core idle


@pytest.mark.parametrize("op", CONV_OPS + ("conv2d_forward_and_backward_weight",))
def test_numba_cpu_thin_path_chunks_big_images_without_changing_the_answer(op, monkeypatch, always_parallel):
    """A thin layer's sample is done in chunks of output rows once its columns pass CHUNK_BYTES:
    here chunks of 3 rows of a 13-row output (the last chunk 1 row), against the reference."""
    from tinygan.kernels import conv_thin_numba_cpu
    x, wt = _arrays(3, 2, 25, 11, 4, 3)                      # K = 18 taps, output 13×6
    gy = np.random.default_rng(1).standard_normal(_out_shape(x, wt, (2, 2), (1, 1)))
    assert gy.shape[2:] == (13, 6)
    monkeypatch.setattr(conv_thin_numba_cpu, "CHUNK_BYTES", 3 * 18 * 6 * 8)   # 3 rows of float64 columns
    assert conv_thin_numba_cpu._buffers(wt.shape, (13, 6), np.float64)[0] == 3
    got, want = _numba_cpu_and_reference(op, x, wt, gy)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-10)


def test_reference_matches_a_direct_sum_at_one_pixel():
    """The reference itself, checked against the definition written out for one output element."""
    x, wt = _arrays(2, 3, 6, 5, 4, 3)
    y = conv_reference.conv2d_forward(x, wt, (2, 1), (1, 0))
    xpad = np.pad(x, ((0, 0), (0, 0), (1, 1), (0, 0)))
    n, o, i, j = 1, 2, 2, 1
    expected = sum(xpad[n, c, i * 2 + a, j + b] * wt[o, c, a, b] for c in range(3) for a in range(3) for b in range(3))
    assert np.isclose(y[n, o, i, j], expected)
    assert y.shape == (2, 4, (6 + 2 - 3) // 2 + 1, 5 - 3 + 1)


def test_non_square_kernel_stride_and_padding():
    rng = np.random.default_rng(3)
    x, wt = rng.standard_normal((2, 2, 7, 6)), rng.standard_normal((3, 2, 2, 3))
    args = ((2, 1), (1, 2))
    for impl in CPU_IMPLS:
        np.testing.assert_allclose(_impl(impl, "conv2d_forward")(x, wt, *args), conv_reference.conv2d_forward(x, wt, *args))
    x, wt = rng.standard_normal((2, 2, 3, 5)), rng.standard_normal((4, 2, 3, 5))     # a kernel covering the input
    gy = rng.standard_normal((2, 4, 1, 1))
    for op in CONV_OPS:
        args = _op_inputs(op, x, wt, gy, (1, 1), (0, 0))
        np.testing.assert_allclose(_impl("numba_cpu", op)(*args), getattr(conv_reference, op)(*args), rtol=1e-10)


@pytest.mark.parametrize("s,p,op", [(1, 0, 0), (2, 1, 0), (2, 1, 1), (3, 2, 2)])
def test_adjoint_identity(s, p, op):
    """<conv2d(x, w), y> = <x, conv_transpose2d(y, w)>: the transpose really is the adjoint."""
    rng = np.random.default_rng(s + p)
    w = tinygan.tensor(rng.standard_normal((4, 3, 3, 3)), dtype=np.float64)
    y = tinygan.tensor(rng.standard_normal((2, 4, 4, 5)), dtype=np.float64)
    xt = F.conv_transpose2d(y, w, stride=s, padding=p, output_padding=op)
    x = tinygan.tensor(rng.standard_normal(xt.shape), dtype=np.float64)
    cx = F.conv2d(x, w, stride=s, padding=p)
    assert cx.shape == y.shape
    lhs, rhs = float((cx * y).sum().item()), float((x * xt).sum().item())
    assert abs(lhs - rhs) <= 1e-9 * max(1.0, abs(lhs))


def test_registry_switches_the_kernel_that_runs():
    x = tinygan.randn(2, 3, 6, 6, dtype=np.float64)
    w = tinygan.randn(4, 3, 3, 3, dtype=np.float64)
    with kernels.use("conv2d", "reference"):
        assert kernels.selected("conv2d_forward") == "reference"
        y_ref = F.conv2d(x, w, padding=1).numpy()
    assert kernels.selected("conv2d_forward") == "numba_cpu"
    np.testing.assert_allclose(F.conv2d(x, w, padding=1).numpy(), y_ref, rtol=1e-10)


def test_conv_shape_errors_name_the_op_and_shapes():
    x = tinygan.zeros(2, 3, 8, 8)
    with pytest.raises(tinygan.ShapeError, match=r"conv2d: input \(2, 3, 8, 8\) has 3 channels, but weight \(4, 1, 3, 3\) expects 1"):
        F.conv2d(x, tinygan.zeros(4, 1, 3, 3))
    with pytest.raises(tinygan.ShapeError, match="empty output"):
        F.conv2d(x, tinygan.zeros(4, 3, 9, 9))
    with pytest.raises(tinygan.ShapeError, match="output_padding"):
        F.conv_transpose2d(x, tinygan.zeros(3, 2, 4, 4), stride=2, output_padding=2)
    with pytest.raises(tinygan.ShapeError, match=r"Conv2d: expected input \(N, 1, H, W\)"):
        tinygan.nn.Conv2d(1, 4, 3)(x)
    with pytest.raises(tinygan.DTypeError, match="conv2d"):
        F.conv2d(x, tinygan.zeros(4, 3, 3, 3, dtype=np.float64))


def test_a_bias_that_is_not_one_value_per_output_channel_is_refused():
    """A (1,) bias used to broadcast over every channel without a word; a (5,) one failed deep in NumPy."""
    x = tinygan.zeros(2, 3, 8, 8)
    with pytest.raises(tinygan.ShapeError, match=r"conv2d: bias \(1,\) does not match the weight's 4 output channels"):
        F.conv2d(x, tinygan.zeros(4, 3, 3, 3), tinygan.zeros(1))
    with pytest.raises(tinygan.ShapeError, match=r"conv_transpose2d: bias \(3,\) does not match the weight's 2 output"):
        F.conv_transpose2d(x, tinygan.zeros(3, 2, 4, 4), tinygan.zeros(3), stride=2)
    # a NumPy array of the input's dtype is still a bias, as before the bias moved into the conv node
    b = np.arange(4, dtype=np.float32)
    y = F.conv2d(x, tinygan.zeros(4, 3, 3, 3), b)
    np.testing.assert_array_equal(y.numpy(), np.broadcast_to(b[None, :, None, None], y.shape))


@pytest.mark.parametrize("transposed", [False, True])
def test_the_bias_is_added_once_per_channel_and_its_gradient_sums_over_samples_and_pixels(transposed):
    """Against the definition written out with NumPy, on a layer big enough (y ≥ 2^15 values) for
    the parallel kernels."""
    rng = np.random.default_rng(3)
    x = tinygan.tensor(rng.standard_normal((4, 6, 84, 84)), requires_grad=True, dtype=np.float64)
    w_shape = (6, 5, 4, 4) if transposed else (5, 6, 4, 4)     # 6 input channels, 5 output channels
    w = tinygan.tensor(rng.standard_normal(w_shape), requires_grad=True, dtype=np.float64)
    b = tinygan.tensor(rng.standard_normal(5), requires_grad=True, dtype=np.float64)
    conv = F.conv_transpose2d if transposed else F.conv2d
    y = conv(x, w, b, stride=2, padding=1)
    plain = conv(tinygan.tensor(x.array.copy()), tinygan.tensor(w.array.copy()), stride=2, padding=1).array
    np.testing.assert_allclose(y.array, plain + b.array[None, :, None, None], rtol=1e-12, atol=1e-12)
    gy = rng.standard_normal(y.shape)
    y.backward(tinygan.tensor(gy, dtype=np.float64))
    np.testing.assert_allclose(b.grad.array, [gy[:, o].sum() for o in range(5)], rtol=1e-12)
