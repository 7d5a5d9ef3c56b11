"""Salimans et al. 2016's techniques and instance noise, against direct formulas."""
import numpy as np
import pytest

import tinygan
from tinygan import nn
from tinygan.gan import MLPDiscriminator, tricks
from tinygan.testing import gradcheck, gradgradcheck


def test_feature_matching_loss_formula_and_no_gradient_to_real_features():
    rng = np.random.default_rng(0)
    real = tinygan.tensor(rng.standard_normal((8, 5)), requires_grad=True, dtype=np.float64)
    fake = tinygan.tensor(rng.standard_normal((6, 5)), requires_grad=True, dtype=np.float64)
    loss = tricks.feature_matching_loss(real, fake)
    assert loss.item() == pytest.approx(((real.numpy().mean(0) - fake.numpy().mean(0)) ** 2).sum())
    loss.backward()
    assert real.grad is None and fake.grad is not None
    assert gradcheck(lambda f: tricks.feature_matching_loss(real, f), [fake])


def test_discriminator_features_feed_its_output():
    d = MLPDiscriminator(pack=2, hidden=16, layers=2)
    x = tinygan.randn(10, 2)
    h = d.features(x)
    assert h.shape == (5, 16)
    np.testing.assert_allclose(d(x).numpy(), list(d.net)[-1](h).numpy())


def _minibatch_numpy(x, T, b, c):
    m = (x @ T).reshape(len(x), b, c)
    out = np.zeros((len(x), b))
    for i in range(len(x)):
        for j in range(len(x)):
            if i != j:
                out[i] += np.exp(-np.abs(m[i] - m[j]).sum(axis=1))
    return np.concatenate([x, out], axis=1)


def test_minibatch_discrimination_formula_gradcheck_and_collapse_signal():
    layer = tricks.MinibatchDiscrimination(4, num_kernels=3, kernel_dim=2).double()
    x = tinygan.tensor(np.random.default_rng(1).standard_normal((5, 4)), requires_grad=True, dtype=np.float64)
    np.testing.assert_allclose(layer(x).numpy(), _minibatch_numpy(x.numpy(), layer.T.numpy(), 3, 2), rtol=1e-12)
    assert gradcheck(lambda x, t: layer(x), [x, layer.T])
    assert gradgradcheck(lambda x, t: layer(x), [x, layer.T], atol=1e-4, rtol=1e-3)
    collapsed = tinygan.tensor(np.ones((5, 4)), dtype=np.float64)
    assert layer(collapsed).numpy()[:, 4:].min() == pytest.approx(4.0)   # N − 1 identical neighbours
    assert layer(x).numpy()[:, 4:].max() < 4.0


def test_historical_average_penalty_and_running_mean():
    lin = nn.Linear(2, 1).double()
    history = tricks.HistoricalAverage(lin)
    snapshots = [np.concatenate([p.numpy().ravel() for p in lin.parameters()])]
    for step in range(3):
        for p in lin.parameters():
            p.data += 0.5 * (step + 1)
        history.update()
        snapshots.append(np.concatenate([p.numpy().ravel() for p in lin.parameters()]))
    now, mean = snapshots[-1], np.mean(snapshots, axis=0)
    penalty = history.penalty()
    assert penalty.item() == pytest.approx(((now - mean) ** 2).sum())
    penalty.backward()
    np.testing.assert_allclose(np.concatenate([p.grad.numpy().ravel() for p in lin.parameters()]), 2 * (now - mean))


def test_instance_noise_and_annealing():
    tinygan.manual_seed(0)
    x = tinygan.zeros(20000, 2)
    noisy = tricks.instance_noise(x, 0.1).numpy()
    assert abs(noisy.std() - 0.1) < 0.003 and abs(noisy.mean()) < 0.003
    assert tricks.instance_noise(x, 0.0) is x
    assert tricks.annealed_sigma(0, 100, 0.2) == pytest.approx(0.2)
    assert tricks.annealed_sigma(50, 100, 0.2) == pytest.approx(0.1)
    assert tricks.annealed_sigma(150, 100, 0.2) == 0.0
