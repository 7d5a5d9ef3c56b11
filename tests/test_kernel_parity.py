"""Every registered implementation that runs on NumPy arrays agrees with the `reference` one.
(Conv kernels have their own shape sweep in test_conv.py; CUDA kernels in test_cuda_kernels.py.)"""
import numpy as np
import pytest

from tinygan.kernels import registry


def _inputs(op, dtype, rng):
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
    gamma, beta = rng.uniform(0.5, 1.5, 5).astype(dtype), rng.standard_normal(5).astype(dtype)
    if op == "batch_norm_forward":
        return x, gamma, beta, 1e-5
    _, mean, invstd = registry._table["batch_norm_forward"]["reference"].load()(x, gamma, beta, 1e-5)
    return rng.standard_normal(x.shape).astype(dtype), x, gamma, mean, invstd


CASES = [(op, impl) for op, impls in registry._table.items() if not op.startswith("conv2d")
         for impl, entry in impls.items() if impl != "reference" and "numpy" in entry.backends]


@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-10), (np.float32, 2e-5)])
@pytest.mark.parametrize("op,impl", CASES)
def test_matches_reference(op, impl, dtype, tol):
    if not registry._table[op][impl].loadable():
        pytest.skip(f"{impl} needs a package that is not installed")
    args = _inputs(op, dtype, np.random.default_rng(0))
    expected = registry._table[op]["reference"].load()(*args)
    got = registry._table[op][impl].load()(*args)
    for e, g in zip(expected, got):
        g, e = np.asarray(g), np.asarray(e)
        assert np.all(np.isfinite(g))
        if g.ndim:
            assert g.dtype == dtype and g.shape == e.shape
        np.testing.assert_allclose(g, e, rtol=tol, atol=tol * max(1.0, float(np.abs(e).max())))


def test_parity_cases_cover_every_fused_op():
    assert {op for op, _ in CASES} == {"bce_with_logits", "mse", "gaussian_kl", "reparameterize_kl", "batch_norm_forward", "batch_norm_backward"}


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
