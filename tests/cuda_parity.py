"""CUDA kernels against the reference on tiny shapes. Not collected by the normal run: Numba reads
NUMBA_ENABLE_CUDASIM when it is first imported, so test_cuda_kernels.py runs this file in a fresh
process, under the simulator (CI) or on a real GPU. By hand on a GPU machine:
    python -m pytest -q tests/cuda_parity.py
Simulator shapes stay at ~1e4 multiply-adds: it runs every CUDA thread as a Python thread.

Every registered numba_cuda* implementation is a case here (PARITY_CASES, read by
test_parity_coverage.py). Importing this module needs neither Numba's CUDA nor a GPU: the check
that one of them is there runs when the tests do.
"""
import numpy as np
import pytest

from tinygan.kernels import registry

PARITY_CASES = [(op, impl) for op in registry.ops() for impl in registry.implementations(op)
                if impl.startswith("numba_cuda")]
CONV_CASES = [(op, impl) for op, impl in PARITY_CASES if op in registry.FAMILIES["conv2d"]]
LOSS_CASES = [(op, impl) for op, impl in PARITY_CASES if op in registry.FAMILIES["losses"]]
BN_CASES = [(op, impl) for op, impl in PARITY_CASES if op in registry.FAMILIES["batch_norm"]]


@pytest.fixture(autouse=True, scope="module")
def _cuda_or_its_simulator():
    cuda = pytest.importorskip("numba.cuda")
    if not cuda.is_available():
        pytest.skip("no CUDA GPU and NUMBA_ENABLE_CUDASIM is not set")


def _impl(op, impl):
    return registry.get(op, impl).load()


def _as_tuple(out):
    return out if isinstance(out, tuple) else (out,)


def _check_outputs(op, impl, args, host_args, expected, got, tol):
    """Same number of outputs as the reference, each close to it; inputs left untouched. An output
    that is an input (gaussian_kl's d/dmu = mu) is compared with the float64 input, never with itself."""
    expected, got = _as_tuple(expected), _as_tuple(got)
    assert len(got) == len(expected), f"{impl} {op} returned {len(got)} outputs, the reference {len(expected)}"
    for a, h in zip(host_args, args):
        if isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, h.astype(a.dtype), err_msg=f"{impl} {op} changed its input")
    for k, (e, g) in enumerate(zip(expected, got)):
        g = np.asarray(g)
        assert g.dtype == host_args[0].dtype or not g.ndim, f"output {k}"
        np.testing.assert_allclose(g, e, rtol=tol, atol=tol * max(1.0, float(np.abs(e).max())),
                                   err_msg=f"{impl} {op} output {k}")


SHAPES = [  # (N, C, H, W, O, K, stride, padding): odd, non-square, stride 1/2, padding 0/1/2
    (1, 2, 5, 4, 3, 3, 1, 1), (2, 2, 6, 5, 2, 4, 2, 1), (1, 3, 5, 5, 2, 1, 2, 0), (2, 1, 4, 7, 3, 5, 1, 2),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n,c,h,w,o,k,s,p", SHAPES)
@pytest.mark.parametrize("op,impl", CONV_CASES)
def test_conv_kernels_match_reference(op, impl, n, c, h, w, o, k, s, p, dtype):
    from tinygan.kernels import conv_reference as ref
    rng = np.random.default_rng(0)
    x, wt = rng.standard_normal((n, c, h, w)), rng.standard_normal((o, c, k, k))
    stride, pad = (s, s), (p, p)
    gy = rng.standard_normal(ref.conv2d_forward(x, wt, stride, pad).shape)
    args = {"conv2d_forward": (x, wt, stride, pad), "conv2d_backward_data": (gy, wt, stride, pad, (h, w)),
            "conv2d_backward_weight": (x, gy, stride, pad, (k, k))}[op]
    tol = 1e-10 if dtype == np.float64 else 1e-4
    host = [a.astype(dtype) if isinstance(a, np.ndarray) else a for a in args]
    got = _impl(op, impl)(*host)
    _check_outputs(op, impl, args, host, getattr(ref, op)(*args), got, tol)


def _loss_inputs(op):
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.standard_normal(300) * 3, [150.0, -150.0, 1e4, -1e4, 0.0]])
    t = rng.uniform(0, 1, x.shape)
    return {"bce_with_logits": (x, t), "mse": (x, t), "gaussian_kl": (x / 50, t),
            "reparameterize_kl": (x / 50, t * 8 - 4, x[::-1] / 100)}[op]


@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-10), (np.float32, 1e-4)])
@pytest.mark.parametrize("op,impl", LOSS_CASES)
def test_fused_losses_match_reference(op, impl, dtype, tol):
    args = _loss_inputs(op)
    host = [a.astype(dtype) for a in args]
    got = _impl(op, impl)(*host)
    _check_outputs(op, impl, args, host, _impl(op, "reference")(*args), got, tol)


@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-10), (np.float32, 1e-4)])
@pytest.mark.parametrize("op,impl", BN_CASES)
def test_fused_batch_norm_matches_reference(op, impl, dtype, tol):
    rng = np.random.default_rng(2)
    x = (rng.standard_normal((3, 4, 3, 5)) * 2 + 1).astype(dtype)
    gamma, beta = rng.uniform(0.5, 1.5, 4).astype(dtype), rng.standard_normal(4).astype(dtype)
    _, mean, invstd = _impl("batch_norm_forward", "reference")(x, gamma, beta, 1e-5)
    if op == "batch_norm_forward":
        args = (x, gamma, beta, 1e-5)
    else:
        args, tol = (rng.standard_normal(x.shape).astype(dtype), x, gamma, mean, invstd), tol * 10
    host = [np.copy(a) if isinstance(a, np.ndarray) else a for a in args]
    got = _impl(op, impl)(*host)
    _check_outputs(op, impl, args, host, _impl(op, "reference")(*args), got, tol)
