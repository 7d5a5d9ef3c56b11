"""GPU checks that need CuPy and an NVIDIA GPU; they skip cleanly elsewhere (as in CI).
On a GPU machine: python -m pytest -q tests/test_cupy_kernels.py tests/cuda_parity.py

Every registered implementation that runs on CuPy arrays (but the reference) is a case here
(PARITY_CASES, read by test_parity_coverage.py, which imports this module without a GPU)."""
import numpy as np
import pytest

import tinygan
import tinygan.nn.functional as F
from tinygan import backend
from tinygan.kernels import conv_reference as ref, registry

pytestmark = pytest.mark.skipif(backend.cupy_problem() is not None,
                                reason=f"CuPy GPU tests: {backend.cupy_problem()}")

GPU_IMPLS = sorted({(op, name) for op in registry.ops() for name in registry.implementations(op)
                    if "cupy" in registry.get(op, name).backends and name != "reference"})
PARITY_CASES = GPU_IMPLS


@pytest.mark.parametrize("op,impl", PARITY_CASES)
def test_gpu_kernel_matches_cpu_reference(op, impl):
    import cupy
    rng = np.random.default_rng(0)
    fn = registry.get(op, impl).load()
    ref_fn = registry.get(op, "reference").load()
    if op.startswith("conv2d"):
        x, w = rng.standard_normal((2, 3, 9, 7)), rng.standard_normal((4, 3, 3, 3))
        args = ((2, 2), (1, 1))
        gy = rng.standard_normal(ref.conv2d_forward(x, w, *args).shape)
        inputs = {"conv2d_forward": (x, w, *args), "conv2d_backward_data": (gy, w, *args, (9, 7)),
                  "conv2d_backward_weight": (x, gy, *args, (3, 3))}[op]
    elif op.startswith("batch_norm"):
        x, g, b = rng.standard_normal((4, 3, 5, 5)), rng.uniform(0.5, 1.5, 3), rng.standard_normal(3)
        _, mean, invstd = registry.get("batch_norm_forward", "reference").load()(x, g, b, 1e-5)
        inputs = (x, g, b, 1e-5) if op == "batch_norm_forward" else (rng.standard_normal(x.shape), x, g, mean, invstd)
    elif op == "reparameterize_kl":
        inputs = (rng.standard_normal(5000), rng.uniform(-4, 4, 5000), rng.standard_normal(5000))
    else:
        inputs = (rng.standard_normal(5000) * 30, rng.uniform(0, 1, 5000))
    expected = ref_fn(*inputs)
    expected = expected if isinstance(expected, tuple) else (expected,)
    for dtype, tol in ((np.float64, 1e-9), (np.float32, 1e-4)):
        device_inputs = [cupy.asarray(a, dtype=dtype) if isinstance(a, np.ndarray) else a for a in inputs]
        got = fn(*device_inputs)
        got = got if isinstance(got, tuple) else (got,)
        assert len(got) == len(expected), f"{impl} {op} returned {len(got)} outputs, the reference {len(expected)}"
        for a, d in zip(inputs, device_inputs):      # an output that is an input (gaussian_kl's d/dmu = mu) is
            if isinstance(a, np.ndarray):              # only meaningful if the kernel left that input alone
                np.testing.assert_array_equal(cupy.asnumpy(d), a.astype(dtype), err_msg=f"{impl} {op} changed its input")
        for k, (e, g) in enumerate(zip(expected, got)):
            g = cupy.asnumpy(g) if hasattr(g, "device") else np.asarray(g)
            np.testing.assert_allclose(g, e, rtol=tol, atol=tol * max(1.0, float(np.abs(e).max())),
                                       err_msg=f"{impl} {op} output {k} ({np.dtype(dtype).name})")


def test_training_step_on_cupy_matches_numpy():
    def run():
        tinygan.manual_seed(0)
        model = tinygan.nn.Sequential(tinygan.nn.Conv2d(1, 4, 3, padding=1), tinygan.nn.BatchNorm2d(4),
                                      tinygan.nn.LeakyReLU(0.2), tinygan.nn.Flatten(), tinygan.nn.Linear(64, 1)).double()
        x = tinygan.randn(8, 1, 4, 4, dtype=np.float64)
        loss = F.binary_cross_entropy_with_logits(model(x), tinygan.ones(8, 1, dtype=np.float64))
        loss.backward()
        return loss.item(), model[0].weight.grad.numpy()
    cpu = run()
    tinygan.set_backend("cupy")
    try:
        gpu = run()
    finally:
        tinygan.set_backend("numpy")
    assert abs(cpu[0] - gpu[0]) < 1e-9
    np.testing.assert_allclose(gpu[1], cpu[1], rtol=1e-8, atol=1e-10)
