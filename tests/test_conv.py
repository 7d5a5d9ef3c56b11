"""conv2d / conv_transpose2d: im2col against the reference loops over a shape sweep, the
adjoint identity, and shape errors."""
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


def _arrays(n, c, h, w, o, k, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, c, h, w)), rng.standard_normal((o, c, k, k))


CPU_IMPLS = [name for name in ("im2col", "numba_cpu")]


def _impl(name, op):
    return registry._table[op][name].load()


@pytest.mark.parametrize("impl", CPU_IMPLS)
@pytest.mark.parametrize("n,c,h,w,o,k,s,p", SWEEP)
def test_cpu_kernels_match_reference(impl, n, c, h, w, o, k, s, p):
    x, wt = _arrays(n, c, h, w, o, k)
    stride, pad = (s, s), (p, p)
    y_ref = conv_reference.conv2d_forward(x, wt, stride, pad)
    y = _impl(impl, "conv2d_forward")(x, wt, stride, pad)
    np.testing.assert_allclose(y, y_ref, rtol=1e-10, atol=1e-10)
    gy = np.random.default_rng(1).standard_normal(y.shape)
    np.testing.assert_allclose(_impl(impl, "conv2d_backward_data")(gy, wt, stride, pad, (h, w)),
                               conv_reference.conv2d_backward_data(gy, wt, stride, pad, (h, w)), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(_impl(impl, "conv2d_backward_weight")(x, gy, stride, pad, (k, k)),
                               conv_reference.conv2d_backward_weight(x, gy, stride, pad, (k, k)), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("impl", CPU_IMPLS)
def test_cpu_kernels_float32_and_chunked_batches(impl, monkeypatch):
    """float32 inputs give float32 outputs close to the float64 reference; a batch split into
    several chunks (forced by a tiny scratch budget) gives the same answer."""
    from tinygan.kernels import conv_numba_cpu
    monkeypatch.setattr(conv_numba_cpu, "MIN_SCRATCH", 1)
    x, wt = _arrays(5, 3, 9, 7, 4, 3)
    gy = np.random.default_rng(2).standard_normal((5, 4, 5, 4))
    args = ((2, 2), (2, 1))
    for op, a, b, extra in [("conv2d_forward", x, wt, ()), ("conv2d_backward_data", gy, wt, ((9, 7),)),
                            ("conv2d_backward_weight", x, gy, ((3, 3),))]:
        ref = getattr(conv_reference, op)(a, b, *args, *extra)
        got = _impl(impl, op)(a.astype(np.float32), b.astype(np.float32), *args, *extra)
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, ref, rtol=1e-4, atol=1e-4)


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
