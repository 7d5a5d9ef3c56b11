"""Every registered implementation that runs on NumPy arrays agrees with the `reference` one.
(Conv kernels have their own shape sweep in test_conv.py; CUDA kernels in test_cuda_kernels.py.)"""
import numpy as np
import pytest

from tinygan.kernels import registry


def _inputs(op, dtype, rng):
    if op in registry.FAMILIES["activations"]:   # zeros, ±0 and values where e^-x over/underflows included
        x = np.concatenate([rng.standard_normal(3001) * 4, [0.0, -0.0, 90.0, -90.0, 200.0, -200.0]]).astype(dtype)
        gy = rng.standard_normal(x.shape).astype(dtype)
        y = np.tanh(x) if op == "tanh_backward" else (0.5 + 0.5 * np.tanh(0.5 * x.astype(np.float64))).astype(dtype)
        return {"leaky_relu_forward": (x, 0.2), "leaky_relu_backward": (gy, x, 0.2), "sigmoid_forward": (x,),
                "tanh_forward": (x,), "tanh_backward": (gy, y), "sigmoid_backward": (gy, y)}[op]
    if op.startswith("maxout"):      # 3 pieces; units with a tie, a NaN first or last piece, two NaN pieces, +inf
        h = rng.standard_normal((5, 7, 12)).astype(dtype)
        h[0, 0, 4], h[1, 2, 3], h[2, 1, 5], h[1, 3, 0:2], h[4, 6, 11] = h[0, 0, 5], np.nan, np.nan, np.nan, np.inf
        if op == "maxout_forward":
            return h, 3
        return rng.standard_normal((5, 7, 4)).astype(dtype), registry.get("maxout_forward", "reference").load()(h, 3)[1], 3
    if op == "matmul":    # m·n·k = 2^19.4: above the size where numba_cpu leaves the product to NumPy
        return rng.standard_normal((97, 130)).astype(dtype), rng.standard_normal((130, 55)).astype(dtype)
    if op == "bce_with_logits":
        x = np.concatenate([rng.standard_normal(997) * 3, [150.0, -150.0, 1e4, -1e4, 0.0]])
        return x.astype(dtype), rng.uniform(0, 1, x.shape).astype(dtype)
    if op == "mse":
        return rng.standard_normal((7, 13)).astype(dtype), rng.standard_normal((7, 13)).astype(dtype)
    if op == "gaussian_kl":
        return rng.standard_normal((16, 10)).astype(dtype), (rng.standard_normal((16, 10)) * 2).astype(dtype)
    if op == "reparameterize_kl":   # logvar down to -40: std e^-20 must not flush the noise to 0 early
        logvar = np.concatenate([rng.standard_normal(157) * 3, [-40.0, 20.0, 0.0]])
        return tuple(a.astype(dtype) for a in (rng.standard_normal(160), logvar, rng.standard_normal(160)))
    x = (rng.standard_normal((6, 5, 4, 3)) * 3 + 1).astype(dtype)
    if op == "conv_bias_grad":       # a NaN in channel 2 and an inf in channel 4 must reach their sums
        x[1, 2, 0, 0], x[3, 4, 1, 1] = np.nan, np.inf
        return (x,)
    gamma, beta = rng.uniform(0.5, 1.5, 5).astype(dtype), rng.standard_normal(5).astype(dtype)
    if op == "batch_norm_forward":
        return x, gamma, beta, 1e-5
    _, mean, invstd = registry.get("batch_norm_forward", "reference").load()(x, gamma, beta, 1e-5)
    return rng.standard_normal(x.shape).astype(dtype), x, gamma, mean, invstd


IN_PLACE = ("adam_update", "conv_bias_add")    # ops that change their arguments instead of returning arrays
CASES = [(op, impl) for op in registry.ops() if not op.startswith("conv2d") and op not in IN_PLACE
         for impl in registry.implementations(op) if impl != "reference" and "numpy" in registry.get(op, impl).backends]
IN_PLACE_CASES = [(op, impl) for op in IN_PLACE for impl in registry.implementations(op)
                  if impl != "reference" and "numpy" in registry.get(op, impl).backends]
PARITY_CASES = CASES + IN_PLACE_CASES     # read by test_parity_coverage.py: the (op, impl) pairs this file checks


def _as_tuple(out):
    return out if isinstance(out, tuple) else (out,)


def _other_layout(a):
    """The same values in memory that is not C-contiguous: F order (2-D and up), every other element
    of a buffer twice as long (1-D); scalars as they are."""
    if not isinstance(a, np.ndarray) or a.ndim == 0:
        return a
    if a.ndim >= 2:
        return np.asfortranarray(a)
    spread = np.repeat(a, 2)
    return spread[::2]


@pytest.mark.parametrize("layout", ["C", "F or strided"])
@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-10), (np.float32, 2e-5)])
@pytest.mark.parametrize("op,impl", CASES)
def test_matches_reference(op, impl, dtype, tol, layout):
    """The reference on C-ordered inputs against the kernel on the same inputs, or on the same values
    laid out otherwise (a kernel that wrote through a flat view of an output shaped like an F-ordered
    input wrote into a copy: the losses and BatchNorm once returned such unwritten gradients)."""
    if not registry.get(op, impl).loadable():
        pytest.skip(f"{impl} needs a package that is not installed")
    args = _inputs(op, dtype, np.random.default_rng(0))
    if layout != "C":
        args = tuple(_other_layout(a) for a in args)
    pristine = [np.copy(a) for a in args]
    expected = _as_tuple(registry.get(op, "reference").load()(*[np.ascontiguousarray(a) if isinstance(a, np.ndarray)
                                                                 else a for a in args]))
    for a, p in zip(args, pristine):
        np.testing.assert_array_equal(a, p, err_msg=f"reference {op} changed its input")
    got = _as_tuple(registry.get(op, impl).load()(*args))
    for a, p in zip(args, pristine):    # a kernel writing into its input would also fool the comparison
        np.testing.assert_array_equal(a, p, err_msg=f"{impl} {op} changed its input")
    assert len(got) == len(expected), f"{impl} {op} returned {len(got)} outputs, the reference {len(expected)}"
    for k, (e, g) in enumerate(zip(expected, got)):
        if any(e is a for a in args):
            # an output that *is* an input (gaussian_kl's d/dmu = mu) would be compared with
            # itself: compare it with the untouched copy of that input instead
            e = pristine[next(i for i, a in enumerate(args) if e is a)]
        g, e = np.asarray(g), np.asarray(e)
        np.testing.assert_array_equal(np.isfinite(g), np.isfinite(e), err_msg=f"output {k}: inf/NaN pattern")
        if g.ndim and e.dtype.kind == "f":
            assert g.dtype == dtype and g.shape == e.shape, f"output {k}"
        scale = max(1.0, float(np.abs(e[np.isfinite(e)]).max(initial=0)))
        np.testing.assert_allclose(g, e, rtol=tol, atol=tol * scale, err_msg=f"output {k}")


def test_gaussian_kl_gradient_with_respect_to_mu_is_mu():
    """d/dmu of 0.5 (mu² + e^logvar − logvar − 1) is mu: every kernel's second output, checked
    against a central difference of the reference's sum (not against the input it returns)."""
    rng = np.random.default_rng(3)
    mu, logvar = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    ref = registry.get("gaussian_kl", "reference").load()
    h, numeric = 1e-6, np.empty_like(mu)
    for i in np.ndindex(mu.shape):
        step = np.zeros_like(mu)
        step[i] = h
        numeric[i] = (ref(mu + step, logvar)[0] - ref(mu - step, logvar)[0]) / (2 * h)
    for impl in registry.implementations("gaussian_kl"):
        entry = registry.get("gaussian_kl", impl)
        if "numpy" in entry.backends and entry.loadable():
            np.testing.assert_allclose(entry.load()(mu.copy(), logvar.copy())[1], numeric, rtol=1e-7, atol=1e-8,
                                       err_msg=impl)


def test_parity_cases_cover_every_fused_op():
    assert {op for op, _ in CASES} == {"bce_with_logits", "mse", "gaussian_kl", "reparameterize_kl", "batch_norm_forward",
                                       "batch_norm_backward", "matmul", "maxout_forward", "maxout_backward",
                                       "conv_bias_grad", *registry.FAMILIES["activations"]}


def test_conftest_reset_1_a_test_leaves_kernel_choices_and_a_backend_behind():
    """With the next test: the autouse fixture in conftest.py really resets what a test changed."""
    from tinygan import backend, kernels
    kernels.use("conv2d", "reference")                # no context manager: the choice stays
    kernels.use("losses", "reference")
    backend._active = "cupy"                           # as set_backend("cupy") would, without a GPU


def test_conftest_reset_2_the_next_test_starts_from_the_automatic_choice():
    import os

    import conftest
    from tinygan import backend, kernels
    assert registry.choices() == conftest._START_CHOICES
    assert backend.get_backend() == conftest._START_BACKEND
    if not os.environ.get("TINYGAN_KERNELS"):
        assert registry.choices() == {}
        assert kernels.selected("conv2d_forward") != "reference" and kernels.selected("mse") != "reference"
    if not os.environ.get("TINYGAN_BACKEND"):
        assert backend.get_backend() == "numpy"


def test_vectorisable_float32_exp_and_log1p_are_accurate_to_a_few_ulps():
    from numba import njit
    from tinygan.kernels.fastmath_numba import exp32, log1p_unit32

    @njit
    def evaluate(y, z, exp_out, log_out):
        for i in range(y.size):
            exp_out[i] = exp32(y[i])
            log_out[i] = log1p_unit32(z[i])

    y = np.linspace(-87, 88, 100_001).astype(np.float32)
    z = np.linspace(0, 1, 100_001).astype(np.float32)
    e, lg = np.empty_like(y), np.empty_like(z)
    evaluate(y, z, e, lg)
    exact_e, exact_l = np.exp(y.astype(np.float64)), np.log1p(z.astype(np.float64))
    normal = exact_e > np.finfo(np.float32).tiny
    assert np.max(np.abs(e - exact_e)[normal] / exact_e[normal]) < 4 * np.finfo(np.float32).eps
    assert np.max(np.abs(lg - exact_l)[1:] / exact_l[1:]) < 4 * np.finfo(np.float32).eps and lg[0] == 0


@pytest.mark.parametrize("impl", [i for i in registry.implementations("batch_norm_forward") if i != "reference"
                                  and "numpy" in registry.get("batch_norm_forward", i).backends])
def test_batch_norm_statistics_of_data_far_from_zero(impl):
    """One-pass variance formulas cancel catastrophically when the mean is large against the spread
    (Σx² − (Σx)²/m for x ≈ 1e4 ± 1 in float32 loses every digit); the kernel must not. The exact
    statistics come from float64 two-pass sums of the same float32 values."""
    rng = np.random.default_rng(0)
    x = (1e4 + rng.standard_normal((8, 3, 5, 5)) * np.array([1.0, 1e-2, 1e2]).reshape(1, 3, 1, 1)).astype(np.float32)
    x[0, 0, 0, 0] = 1e4 + 5.0         # the channel's first value (a natural pivot) away from its mean
    gamma, beta = np.ones(3, np.float32), np.zeros(3, np.float32)
    _, mean, invstd = registry.get("batch_norm_forward", impl).load()(x, gamma, beta, 1e-12)
    x64 = x.astype(np.float64)
    exact_mean, exact_var = x64.mean(axis=(0, 2, 3)), x64.var(axis=(0, 2, 3))
    np.testing.assert_allclose(mean, exact_mean, rtol=1e-7)
    np.testing.assert_allclose(1 / invstd.astype(np.float64) ** 2, exact_var, rtol=1e-4)


@pytest.mark.parametrize("shape", [(37, 5), (9, 130), (1, 3)])     # 130: two full channel blocks and a partial one
@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-10), (np.float32, 2e-5)])
@pytest.mark.parametrize("impl", [i for i in registry.implementations("batch_norm_forward") if i != "reference"
                                  and "numpy" in registry.get("batch_norm_forward", i).backends])
def test_batch_norm_of_2d_inputs_matches_reference(impl, dtype, tol, shape):
    """BatchNorm1d's (N, C) inputs, which numba_cpu walks in channel blocks instead of channel by channel;
    far from zero, so the shifted sums matter here too."""
    rng = np.random.default_rng(1)
    x = (rng.standard_normal(shape) * 3 + 100).astype(dtype)
    gamma, beta = rng.uniform(0.5, 1.5, shape[1]).astype(dtype), rng.standard_normal(shape[1]).astype(dtype)
    gy = rng.standard_normal(shape).astype(dtype)
    ref_f, ref_b = (registry.get(op, "reference").load() for op in ("batch_norm_forward", "batch_norm_backward"))
    got_f = registry.get("batch_norm_forward", impl).load()(x, gamma, beta, 1e-5)
    want_f = ref_f(x, gamma, beta, 1e-5)
    for g, w in zip(got_f, want_f):
        np.testing.assert_allclose(g, w, rtol=tol, atol=tol)
    _, mean, invstd = want_f
    got_b = registry.get("batch_norm_backward", impl).load()(gy, x, gamma, mean, invstd)
    for g, w in zip(got_b, ref_b(gy, x, gamma, mean, invstd)):
        np.testing.assert_allclose(g, w, rtol=tol, atol=tol * 10)


@pytest.mark.parametrize("layout", ["C", "strided"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("op,impl", [case for case in IN_PLACE_CASES if case[0] == "conv_bias_add"])
def test_conv_bias_add_writes_into_its_output_as_the_reference_computes(op, impl, dtype, layout):
    """y += b per channel, in y itself (also when y is a strided view: a kernel that wrote into a
    contiguous copy would leave y unchanged), with a NaN and an inf among the biases."""
    rng = np.random.default_rng(5)
    base = rng.standard_normal((4, 5, 6, 14)).astype(dtype)
    y = base if layout == "C" else base[:, :, ::2, 3:10]
    b = rng.standard_normal(5).astype(dtype)
    b[1], b[3] = np.nan, np.inf
    want = registry.get(op, "reference").load()(np.array(y), b.copy())
    pristine_b = b.copy()
    got = registry.get(op, impl).load()(y, b)
    assert got is y, f"{impl} {op} must return the array it was given"
    np.testing.assert_array_equal(b, pristine_b)
    np.testing.assert_array_equal(y, want)      # one addition per element: exact


@pytest.mark.parametrize("b1,b2", [(0.5, 0.999), (0.9, 0.999)])        # 0.9, 0.999: 1 − β not exact in float32
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("op,impl", [case for case in IN_PLACE_CASES if case[0] == "adam_update"])
def test_in_place_kernels_match_reference(op, impl, dtype, b1, b2):
    """Adam's update, 5 steps from zero moments, as Adam starts: the parameter
    and both moments, compared relatively (v is ~1e-3 of g² at first), with gradients that change
    sign and a zero-gradient entry (v stays 0 there: ε keeps the step finite)."""
    rng = np.random.default_rng(4)
    p0 = rng.standard_normal((6, 7)).astype(dtype)
    runs = {name: [p0.copy(), np.zeros_like(p0), np.zeros_like(p0)] for name in ("reference", impl)}
    lr, eps = 1e-3, 1e-8
    for t in range(1, 6):
        g = rng.standard_normal((6, 7)).astype(dtype)
        g[0, 0] = 0
        for name, (p, m, v) in runs.items():
            registry.get(op, name).load()(p, g, m, v, lr / (1 - b1 ** t), b1, b2, eps, (1 - b2 ** t) ** 0.5)
    for got, want in zip(runs[impl], runs["reference"]):
        assert got.dtype == dtype
        np.testing.assert_allclose(got, want, rtol=8 * np.finfo(dtype).eps, atol=0)
