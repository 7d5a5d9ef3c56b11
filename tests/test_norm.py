"""BatchNorm train/eval and running statistics; VirtualBatchNorm against a direct formula."""
import numpy as np
import pytest

import tinygan
from tinygan import nn
from tinygan.testing import gradcheck


def test_batchnorm_train_normalises_and_updates_running_stats():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((16, 3, 5, 5)) * 3 + 2
    bn = nn.BatchNorm2d(3).double()
    y = bn(tinygan.tensor(x, dtype=np.float64)).numpy()
    np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), 0, atol=1e-10)
    np.testing.assert_allclose(y.var(axis=(0, 2, 3)), 1, atol=1e-3)   # eps = 1e-5 shrinks it a hair
    mean, var_unbiased = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3), ddof=1)
    np.testing.assert_allclose(bn.running_mean.numpy(), 0.1 * mean, rtol=1e-12)
    np.testing.assert_allclose(bn.running_var.numpy(), 0.9 + 0.1 * var_unbiased, rtol=1e-12)


def test_batchnorm_eval_uses_running_stats_and_is_per_example():
    bn = nn.BatchNorm1d(4).double()
    bn.running_mean.data[...] = [1, 2, 3, 4]
    bn.running_var.data[...] = [4, 4, 1, 1]
    bn.eval()
    x = np.arange(8.0).reshape(2, 4)
    expected = (x - [1, 2, 3, 4]) / np.sqrt(np.array([4, 4, 1, 1]) + 1e-5)
    np.testing.assert_allclose(bn(tinygan.tensor(x, dtype=np.float64)).numpy(), expected)
    np.testing.assert_allclose(bn(tinygan.tensor(x[:1], dtype=np.float64)).numpy(), expected[:1])


def test_batchnorm_rejects_single_value_per_channel_and_wrong_channels():
    with pytest.raises(tinygan.ShapeError, match="more than one value"):
        nn.BatchNorm1d(3)(tinygan.zeros(1, 3))
    with pytest.raises(tinygan.ShapeError, match="BatchNorm2d"):
        nn.BatchNorm2d(3)(tinygan.zeros(2, 4, 2, 2))


def vbn_numpy(x, n, gamma, beta, eps=1e-5):
    """Salimans et al. 2016, written out per example with explicit loops."""
    out = np.empty_like(x)
    spatial = tuple(range(1, x.ndim - 1))  # spatial axes of one example (C, H, W) -> (1, 2)
    ref = x[:n]
    ref_axes = (0,) + tuple(range(2, x.ndim))
    ref_mean, ref_sq = ref.mean(axis=ref_axes), (ref ** 2).mean(axis=ref_axes)
    bshape = (-1,) + (1,) * (x.ndim - 2)
    for i in range(x.shape[0]):
        xi = x[i]
        if i < n:
            mean, var = ref_mean, ref_sq - ref_mean ** 2
        else:
            own_mean = xi.mean(axis=spatial) if spatial else xi
            own_sq = (xi ** 2).mean(axis=spatial) if spatial else xi ** 2
            mean = (own_mean + n * ref_mean) / (n + 1)
            var = (own_sq + n * ref_sq) / (n + 1) - mean ** 2
        out[i] = (xi - mean.reshape(bshape)) / np.sqrt(var.reshape(bshape) + eps)
        out[i] = out[i] * gamma.reshape(bshape) + beta.reshape(bshape)
    return out


@pytest.mark.parametrize("shape", [(7, 3), (6, 2, 3, 3)])
def test_virtual_batchnorm_matches_the_direct_formula(shape):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(shape) * 2 + 0.5
    vbn = nn.VirtualBatchNorm(shape[1], reference_size=4).double()
    vbn.weight.data[...] = rng.uniform(0.5, 1.5, shape[1])
    vbn.bias.data[...] = rng.standard_normal(shape[1])
    y = vbn(tinygan.tensor(x, dtype=np.float64)).numpy()
    np.testing.assert_allclose(y, vbn_numpy(x, 4, vbn.weight.numpy(), vbn.bias.numpy()), rtol=1e-10, atol=1e-12)


def test_virtual_batchnorm_output_of_an_example_does_not_depend_on_the_rest_of_its_batch():
    rng = np.random.default_rng(2)
    ref, a, b = rng.standard_normal((4, 3)), rng.standard_normal((1, 3)), rng.standard_normal((5, 3))
    vbn = nn.VirtualBatchNorm(3, reference_size=4).double()
    alone = vbn(tinygan.tensor(np.concatenate([ref, a]), dtype=np.float64)).numpy()[-1]
    crowd = vbn(tinygan.tensor(np.concatenate([ref, a, b]), dtype=np.float64)).numpy()[4]
    np.testing.assert_allclose(alone, crowd, rtol=1e-12)


def test_virtual_batchnorm_gradcheck():
    rng = np.random.default_rng(3)
    vbn = nn.VirtualBatchNorm(2, reference_size=3).double()
    x = tinygan.tensor(rng.standard_normal((5, 2, 2, 2)), requires_grad=True, dtype=np.float64)
    assert gradcheck(lambda x, g, b: vbn(x), [x, vbn.weight, vbn.bias])
