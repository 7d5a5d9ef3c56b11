"""Every differentiable op passes a float64 finite-difference check of its first derivative,
and of its second derivative (the graph recorded by create_graph=True)."""
import numpy as np
import pytest

import tinygan
import tinygan.nn.functional as F
from tinygan.ops.conv import ConvBiasGrad
from tinygan.testing import GradcheckError, gradcheck, gradgradcheck
from conftest import t64


def _distinct(*shape, seed=0):
    """Values at least 0.05 apart, so max/min/relu kinks are not within finite-difference reach."""
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    values = (rng.permutation(n) - n / 2) * 0.1 + 0.03
    return tinygan.tensor(values.reshape(shape), requires_grad=True, dtype=np.float64)


CASES = {
    # name: (function, input factory)
    "add_broadcast": (lambda a, b: a + b, lambda: [t64(3, 4), t64(4)]),
    "sub_broadcast": (lambda a, b: a - b, lambda: [t64(2, 1, 3), t64(4, 1)]),
    "mul_broadcast": (lambda a, b: a * b, lambda: [t64(3, 4), t64(3, 1)]),
    "div_broadcast": (lambda a, b: a / b, lambda: [t64(3, 4), t64(1, 4, low=0.5)]),
    "scalar_arith": (lambda a: (2.0 - a) * 3 / (a * a + 1) + 1, lambda: [t64(5)]),
    "neg": (lambda a: -a, lambda: [t64(4)]),
    "pow_int": (lambda a: a ** 3, lambda: [t64(2, 3)]),
    "pow_frac": (lambda a: a ** 1.5, lambda: [t64(2, 3, low=0.2)]),
    "rpow": (lambda a: 2.0 ** a, lambda: [t64(4)]),
    "matmul_2d": (lambda a, b: a @ b, lambda: [t64(3, 4), t64(4, 2)]),
    "matmul_batched_broadcast": (lambda a, b: a @ b, lambda: [t64(2, 3, 4), t64(4, 5)]),
    "matmul_vec": (lambda a, b: a @ b, lambda: [t64(4), t64(4, 3)]),
    "mat_vec": (lambda a, b: a @ b, lambda: [t64(2, 4), t64(4)]),
    "exp": (lambda a: a.exp(), lambda: [t64(3, 2)]),
    "log": (lambda a: a.log(), lambda: [t64(3, 2, low=0.3)]),
    "sqrt": (lambda a: a.sqrt(), lambda: [t64(3, 2, low=0.3)]),
    "abs": (lambda a: a.abs(), lambda: [_distinct(3, 4)]),
    "clip": (lambda a: a.clip(-0.5, 0.4), lambda: [_distinct(3, 4)]),
    "clip_low_only": (lambda a: tinygan.clamp(a, min=0.0), lambda: [_distinct(6)]),
    "maximum": (lambda a, b: tinygan.maximum(a, b), lambda: [_distinct(3, 4), _distinct(4, seed=1)]),
    "minimum": (lambda a, b: tinygan.minimum(a, b), lambda: [_distinct(3, 4), _distinct(3, 1, seed=2)]),
    "where": (lambda a, b: tinygan.where(np.array([True, False, True]), a, b), lambda: [t64(2, 3), t64(3)]),
    "sum_all": (lambda a: a.sum(), lambda: [t64(3, 4)]),
    "sum_axis": (lambda a: a.sum(axis=1), lambda: [t64(2, 3, 4)]),
    "sum_axes_keep": (lambda a: a.sum(axis=(0, 2), keepdims=True), lambda: [t64(2, 3, 4)]),
    "mean_axis": (lambda a: a.mean(axis=-1), lambda: [t64(3, 5)]),
    "var_axis": (lambda a: a.var(axis=0), lambda: [t64(4, 3)]),
    "var_biased": (lambda a: a.var(correction=0), lambda: [t64(6)]),
    "max_axis": (lambda a: a.max(dim=1).values, lambda: [_distinct(3, 4)]),
    "min_all": (lambda a: a.min(), lambda: [_distinct(3, 4)]),
    "amax_keepdims": (lambda a: a.amax(dim=(1, 2), keepdim=True), lambda: [_distinct(2, 3, 2)]),
    "reshape": (lambda a: a.reshape(6, 2) * 1.5, lambda: [t64(3, 4)]),
    "transpose": (lambda a: a.transpose(2, 0, 1), lambda: [t64(2, 3, 4)]),
    "T": (lambda a: a.T @ a, lambda: [t64(3, 2)]),
    "flatten": (lambda a: a.flatten(1), lambda: [t64(2, 3, 2)]),
    "getitem_basic": (lambda a: a[1:, ::2], lambda: [t64(4, 5)]),
    "getitem_int_array_repeats": (lambda a: a[[0, 2, 0, 0]], lambda: [t64(3, 2)]),
    "getitem_mixed": (lambda a: a[np.array([1, 1, 0]), np.array([2, 2, 1])], lambda: [t64(2, 3)]),
    "getitem_bool_mask": (lambda a: a[np.array([True, False, True])], lambda: [t64(3, 2)]),
    "concatenate": (lambda a, b: tinygan.cat([a, b, a], axis=1), lambda: [t64(2, 3), t64(2, 1)]),
    "stack": (lambda a, b: tinygan.stack([a, b], axis=1), lambda: [t64(2, 3), t64(2, 3, seed=3)]),
    "pad": (lambda a: F.pad(a, (1, 2, 0, 1)), lambda: [t64(2, 3, 3)]),
    "broadcast_to": (lambda a: a.expand(3, 2, 4), lambda: [t64(2, 1)]),
    "relu": (lambda a: F.relu(a), lambda: [_distinct(3, 4)]),
    "leaky_relu": (lambda a: F.leaky_relu(a, 0.2), lambda: [_distinct(3, 4)]),
    "sigmoid": (lambda a: F.sigmoid(a), lambda: [t64(3, 4)]),
    "tanh": (lambda a: F.tanh(a), lambda: [t64(3, 4)]),
    "softplus": (lambda a: F.softplus(a), lambda: [t64(3, 4)]),
    "softmax": (lambda a: F.softmax(a, axis=1), lambda: [t64(3, 4)]),
    "log_softmax": (lambda a: F.log_softmax(a, axis=0), lambda: [t64(3, 4)]),
    "linear": (lambda x, w, b: F.linear(x, w, b), lambda: [t64(3, 4), t64(2, 4), t64(2)]),
    "linear_no_bias": (lambda x, w: F.linear(x, w), lambda: [t64(3, 4), t64(2, 4)]),
    "linear_batched": (lambda x, w, b: F.linear(x, w, b), lambda: [t64(2, 3, 4), t64(2, 4), t64(2)]),
    "conv2d": (lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1), lambda: [t64(2, 2, 5, 4), t64(3, 2, 3, 3), t64(3)]),
    "conv2d_stride1": (lambda x, w: F.conv2d(x, w, padding=(0, 1)), lambda: [t64(1, 2, 4, 4), t64(2, 2, 2, 3)]),
    # a conv bias's gradient as an op of its own: conv2d's double backward above keeps gy fixed,
    # so this is where the op's backward (a broadcast) is checked
    "conv_bias_grad": (lambda g: ConvBiasGrad()(g), lambda: [t64(2, 3, 2, 4)]),
    "conv_transpose2d": (lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1),
                         lambda: [t64(2, 3, 3, 2), t64(3, 2, 3, 3), t64(2)]),
    "batch_norm_train": (lambda x, g, b: F.batch_norm(x, None, None, g, b, training=True),
                         lambda: [t64(4, 3, 2, 2), t64(3), t64(3)]),
    "batch_norm_1d": (lambda x: F.batch_norm(x, None, None, training=True), lambda: [t64(5, 3)]),
    "bce_with_logits": (lambda x, t: F.binary_cross_entropy_with_logits(x, t), lambda: [t64(4, 3), _probs(4, 3)]),
    "bce_with_logits_sum": (lambda x: F.binary_cross_entropy_with_logits(x, _probs(5, requires_grad=False), reduction="sum"),
                            lambda: [t64(5)]),
    "bce_with_logits_none": (lambda x, t: F.binary_cross_entropy_with_logits(x, t, reduction="none"),
                             lambda: [t64(4), _probs(4)]),
    "bce": (lambda p, t: F.binary_cross_entropy(p, t), lambda: [_probs(3, 4, seed=5), _probs(3, 4)]),
    "mse": (lambda x, t: F.mse_loss(x, t), lambda: [t64(3, 4), t64(3, 4, seed=9)]),
    "mse_none": (lambda x, t: F.mse_loss(x, t, reduction="none"), lambda: [t64(3), t64(3, seed=9)]),
    "cross_entropy_index": (lambda x: F.cross_entropy(x, tinygan.tensor([2, 0, 1, 2])), lambda: [t64(4, 3)]),
    "cross_entropy_probs": (lambda x, t: F.cross_entropy(x, t, reduction="sum"), lambda: [t64(4, 3), _probs(4, 3)]),
    "gaussian_kl": (lambda m, lv: F.gaussian_kl(m, lv), lambda: [t64(4, 3), t64(4, 3, seed=4)]),
    "gaussian_kl_none": (lambda m, lv: F.gaussian_kl(m, lv, reduction="none"), lambda: [t64(4, 3), t64(4, 3, seed=4)]),
    "reparameterize_kl": (lambda m, lv: _sample_and_kl(m, lv, "mean"), lambda: [t64(4, 3), t64(4, 3, seed=4)]),
    "reparameterize_kl_sum": (lambda m, lv: _sample_and_kl(m, lv, "sum"), lambda: [t64(2, 3), t64(2, 3, seed=4)]),
    # the whole value goes through float64 -> float32 -> float64 (then a square, so the 2nd order
    # has something to check); finite differences need a step far above float32 rounding: OPTIONS
    "astype_roundtrip": (lambda a: a.astype(np.float32).astype(np.float64) ** 2, lambda: [t64(3)]),
    "dropout": (lambda a: _seeded_dropout(a), lambda: [t64(4, 5)]),
}


def _probs(*shape, seed=7, requires_grad=True):
    data = np.random.default_rng(seed).uniform(0.05, 0.95, shape)
    return tinygan.tensor(data, requires_grad=requires_grad, dtype=np.float64)


def _sample_and_kl(mu, logvar, reduction):
    """Both outputs of the fused op in one tensor (z scaled so neither term hides the other)."""
    eps = tinygan.tensor(np.random.default_rng(11).standard_normal(mu.shape), dtype=np.float64)
    z, kl = F.reparameterize_kl(mu, logvar, eps, reduction=reduction)
    return z * 3 + kl


def _seeded_dropout(a):
    tinygan.manual_seed(3)  # the same mask on every finite-difference evaluation
    return F.dropout(a, 0.4)


# Per-case gradcheck settings. astype_roundtrip rounds its input to float32 (relative error
# 6e-8), so a 1e-6 step would measure rounding, not slope: with a 1e-2 step the rounding adds at
# most ~1e-5 to a difference quotient (central differences are exact on the square itself).
OPTIONS = {"astype_roundtrip": dict(eps=1e-2, atol=1e-4)}


@pytest.mark.parametrize("name", list(CASES))
def test_first_order(name):
    fn, make = CASES[name]
    assert gradcheck(fn, make(), **OPTIONS.get(name, {}))


@pytest.mark.parametrize("name", list(CASES))
def test_second_order(name):
    fn, make = CASES[name]
    assert gradgradcheck(fn, make(), **{"atol": 1e-4, "rtol": 1e-3, **OPTIONS.get(name, {})})


def test_astype_really_casts_and_its_gradient_comes_back_in_the_input_dtype():
    a = t64(3)
    b = a.astype(np.float32)
    assert b.dtype == np.float32 and b.requires_grad
    np.testing.assert_array_equal(b.numpy(), a.numpy().astype(np.float32))
    g, = tinygan.grad((b * b).sum(), a)
    assert g.dtype == np.float64                      # not the float32 of the value it flowed through
    np.testing.assert_allclose(g.numpy(), 2 * a.numpy(), rtol=1e-6)
    c = tinygan.tensor(np.array([1.5, -2.0], dtype=np.float32), requires_grad=True)
    g32, = tinygan.grad((c.astype(np.float64) * 3).sum(), c)
    assert g32.dtype == np.float32 and np.all(g32.numpy() == 3)


def test_gradcheck_catches_a_wrong_backward():
    class BadSquare(tinygan.Function):
        def forward(self, x): return x * x
        def backward(self, gy): return gy * self.inputs[0] * 3  # should be 2x

    with pytest.raises(GradcheckError):
        gradcheck(lambda a: BadSquare()(a), [t64(3)])


def test_gradgradcheck_catches_a_constant_backward():
    class ConstantExp(tinygan.Function):
        """Right first derivative, but computed from a saved array: no second derivative."""
        def forward(self, x):
            self.y = np.exp(x)
            return self.y
        def backward(self, gy): return gy * tinygan.Tensor(self.y)

    assert gradcheck(lambda a: ConstantExp()(a), [t64(3)])
    with pytest.raises(GradcheckError):
        gradgradcheck(lambda a: ConstantExp()(a), [t64(3)])
