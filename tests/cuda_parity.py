"""CUDA kernels against the reference on tiny shapes. Not collected by the normal run: Numba reads
NUMBA_ENABLE_CUDASIM when it is first imported, so test_cuda_kernels.py runs this file in a fresh
process, under the simulator (CI) or on a real GPU. By hand on a GPU machine:
    python -m pytest -q tests/cuda_parity.py
Simulator shapes stay at ~1e4 multiply-adds: it runs every CUDA thread as a Python thread.
"""
import numpy as np
import pytest

cuda = pytest.importorskip("numba.cuda")
if not cuda.is_available():
    pytest.skip("no CUDA GPU and NUMBA_ENABLE_CUDASIM is not set", allow_module_level=True)

from tinygan.kernels import conv_numba_cuda as cc, conv_reference as ref  # noqa: E402

SHAPES = [  # (N, C, H, W, O, K, stride, padding): odd, non-square, stride 1/2, padding 0/1/2
    (1, 2, 5, 4, 3, 3, 1, 1), (2, 2, 6, 5, 2, 4, 2, 1), (1, 3, 5, 5, 2, 1, 2, 0), (2, 1, 4, 7, 3, 5, 1, 2),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n,c,h,w,o,k,s,p", SHAPES)
def test_conv_kernels_match_reference(n, c, h, w, o, k, s, p, dtype):
    rng = np.random.default_rng(0)
    x, wt = rng.standard_normal((n, c, h, w)), rng.standard_normal((o, c, k, k))
    stride, pad = (s, s), (p, p)
    y = ref.conv2d_forward(x, wt, stride, pad)
    gy = rng.standard_normal(y.shape)
    tol = dict(rtol=1e-10, atol=1e-10) if dtype == np.float64 else dict(rtol=1e-4, atol=1e-4)
    xd, wd, gyd = x.astype(dtype), wt.astype(dtype), gy.astype(dtype)
    for forward in (cc.conv2d_forward, cc.conv2d_forward_direct):
        got = forward(xd, wd, stride, pad)
        assert got.dtype == dtype
        np.testing.assert_allclose(got, y, **tol)
    np.testing.assert_allclose(cc.conv2d_backward_data(gyd, wd, stride, pad, (h, w)),
                               ref.conv2d_backward_data(gy, wt, stride, pad, (h, w)), **tol)
    np.testing.assert_allclose(cc.conv2d_backward_weight(xd, gyd, stride, pad, (k, k)),
                               ref.conv2d_backward_weight(x, gy, stride, pad, (k, k)), **tol)


from tinygan.kernels import (batchnorm_numba_cuda as bnc, batchnorm_reference as bnr,  # noqa: E402
                             losses_numba_cuda as lc, losses_reference as lr)


@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-10), (np.float32, 1e-4)])
def test_fused_losses_match_reference(dtype, tol):
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.standard_normal(300) * 3, [150.0, -150.0, 1e4, -1e4, 0.0]])
    t = rng.uniform(0, 1, x.shape)
    for name, args in [("bce_with_logits", (x, t)), ("mse", (x, t)), ("gaussian_kl", (x / 50, t)),
                       ("reparameterize_kl", (x / 50, t * 8 - 4, x[::-1] / 100))]:
        expected = getattr(lr, name)(*args)
        got = getattr(lc, name)(*(a.astype(dtype) for a in args))
        for e, g in zip(expected, got):
            np.testing.assert_allclose(g, e, rtol=tol, atol=tol * max(1.0, float(np.abs(e).max())), err_msg=name)


@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-10), (np.float32, 1e-4)])
def test_fused_batch_norm_matches_reference(dtype, tol):
    rng = np.random.default_rng(2)
    x = (rng.standard_normal((3, 4, 3, 5)) * 2 + 1).astype(dtype)
    gamma, beta = rng.uniform(0.5, 1.5, 4).astype(dtype), rng.standard_normal(4).astype(dtype)
    expected = bnr.batch_norm_forward(x, gamma, beta, 1e-5)
    for e, g in zip(expected, bnc.batch_norm_forward(x, gamma, beta, 1e-5)):
        np.testing.assert_allclose(g, e, rtol=tol, atol=tol)
    gy = rng.standard_normal(x.shape).astype(dtype)
    for e, g in zip(bnr.batch_norm_backward(gy, x, gamma, *expected[1:]),
                    bnc.batch_norm_backward(gy, x, gamma, *expected[1:])):
        np.testing.assert_allclose(g, e, rtol=tol, atol=tol * 10)
