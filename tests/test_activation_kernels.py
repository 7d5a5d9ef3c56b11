"""The activation kernels (kernels/activations_*.py) on the inputs parity tests do not reach:
infinities, NaNs and signed zeros, element by element against the reference and against PyTorch,
through the layers a user calls. (Ordinary values: tests/test_kernel_parity.py; first and second
derivatives: tests/test_gradcheck_ops.py.)"""
import numpy as np
import pytest

import tinygan
import tinygan.nn.functional as F
from nonfinite_cases import SPECIAL, pattern
from tinygan.kernels import registry

ACTIVATIONS = registry.FAMILIES["activations"]
CPU = [(op, impl) for op in ACTIVATIONS for impl in registry.implementations(op)
       if impl != "reference" and "numpy" in registry.get(op, impl).backends]


def _special_args(op, dtype):
    x = np.array(SPECIAL + [-0.0], dtype)
    gy = np.resize(np.array([1.0, -2.0, np.inf, np.nan, 0.5], dtype), x.shape)
    with np.errstate(all="ignore"):
        y = np.tanh(x) if op == "tanh_backward" else (0.5 + 0.5 * np.tanh(0.5 * x.astype(np.float64))).astype(dtype)
    return {"leaky_relu_forward": [(x, 0.2), (x, 0.0)], "leaky_relu_backward": [(gy, x, 0.2), (gy, x, 0.0)],
            "sigmoid_forward": [(x,)], "tanh_forward": [(x,)], "tanh_backward": [(gy, y)],
            "sigmoid_backward": [(gy, y)]}[op]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("op,impl", CPU)
def test_kernels_give_the_reference_inf_nan_pattern_and_values(op, impl, dtype):
    fn, ref = registry.get(op, impl).load(), registry.get(op, "reference").load()
    for args in _special_args(op, dtype):
        with np.errstate(all="ignore"):
            expected, got = ref(*args), fn(*args)
        where = f"{impl} {op}{tuple(getattr(a, 'dtype', a) for a in args)} on {args[-2] if len(args) > 1 else args[0]}"
        assert got.dtype == dtype and got.shape == expected.shape, where
        np.testing.assert_array_equal(pattern(got), pattern(expected), err_msg=where)
        finite = np.isfinite(expected)
        np.testing.assert_allclose(got[finite], expected[finite], rtol=2e-6 if dtype == np.float32 else 1e-12,
                                   atol=1e-37, err_msg=where)


def test_relu_of_minus_infinity_is_zero_and_nan_stays_nan():
    """ReLU is LeakyReLU with slope 0, where −inf·0 would be NaN; PyTorch gives 0."""
    x = tinygan.tensor(np.array([-np.inf, np.nan, -0.0, 2.0], np.float32))
    y = F.relu(x).numpy()
    assert y[0] == 0 and np.isnan(y[1]) and y[2] == 0 and y[3] == 2


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "tanh", "sigmoid"])
def test_layers_match_torch_forward_and_backward_with_nonfinite_values(name):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.standard_normal(50_000) * 5, [0.0, 30.0, -30.0, 100.0, -100.0, np.inf, -np.inf]])
    x = x.astype(np.float32)       # 50 000 elements: big enough to run the kernels on both threads
    gy = rng.standard_normal(x.shape).astype(np.float32)
    ours = tinygan.tensor(x, requires_grad=True)
    theirs = torch.tensor(x, requires_grad=True)
    call = {"relu": (F.relu, torch.relu), "leaky_relu": (lambda t: F.leaky_relu(t, 0.2),
                                                        lambda t: torch.nn.functional.leaky_relu(t, 0.2)),
            "tanh": (F.tanh, torch.tanh), "sigmoid": (F.sigmoid, torch.sigmoid)}[name]
    y_ours, y_theirs = call[0](ours), call[1](theirs)
    y_ours.backward(tinygan.tensor(gy))
    y_theirs.backward(torch.tensor(gy))
    np.testing.assert_allclose(y_ours.numpy(), y_theirs.detach().numpy(), rtol=2e-6, atol=1e-7)
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=2e-5, atol=1e-6)


def test_float32_tanh_kernel_keeps_relative_accuracy_near_zero_and_in_the_tails():
    """tanh x = 1 − 2/(e^{2x} + 1) is 1 minus a number near 1 for small x: without the series
    branch its relative error at x = 1e-4 is ~1e-3. Checked in ulps against float64 tanh, on
    magnitudes from 1e-30 to 40 and both signs, through the branch point at 0.55."""
    fn = registry.get("tanh_forward", "numba_cpu").load()
    mags = np.concatenate([np.geomspace(1e-30, 40, 40_000), np.linspace(0.5, 0.6, 2001)])
    x = np.concatenate([mags, -mags]).astype(np.float32)
    exact = np.tanh(x.astype(np.float64))
    got = fn(x)
    ulps = np.abs(got - exact) / np.spacing(np.abs(exact).astype(np.float32)).astype(np.float64)
    assert ulps.max() <= 2, f"tanh_forward float32: {ulps.max():.1f} ulps at x = {x[ulps.argmax()]!r}"
    np.testing.assert_array_equal(np.signbit(fn(np.array([-0.0, 0.0], np.float32))), [True, False])   # tanh(−0) = −0


@pytest.mark.parametrize("name", ["tanh", "sigmoid"])
def test_integer_input_gives_float64_as_numpy(name):
    """The kernels take floats only; integer and bool tensors are computed in float64, as np.tanh
    and np.exp give them (an int64 tanh would silently truncate every value to 0)."""
    ints = np.array([-3, 0, 1, 2])
    expected = np.tanh(ints) if name == "tanh" else 1 / (1 + np.exp(-ints))
    for data in (ints, ints > 0):
        got = getattr(tinygan.tensor(data), name)()
        assert got.dtype == np.float64, (name, data.dtype, got.dtype)
        want = expected if data.dtype != bool else (np.tanh(data.astype(float)) if name == "tanh"
                                                     else 1 / (1 + np.exp(-data.astype(float))))
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-12)
