"""Losses against hand-computed values, extreme logits, reductions and shape checks."""
import math

import numpy as np
import pytest

import tinygan
import tinygan.nn.functional as F


def test_bce_with_logits_hand_values_and_extreme_logits():
    x = tinygan.tensor([0.0, 2.0, -300.0, 300.0], requires_grad=True, dtype=np.float64)
    t = tinygan.tensor([1.0, 0.0, 1.0, 0.0], dtype=np.float64)
    per = F.binary_cross_entropy_with_logits(x, t, reduction="none").numpy()
    np.testing.assert_allclose(per, [math.log(2), 2 + math.log1p(math.exp(-2)), 300.0, 300.0], rtol=1e-12)
    loss = F.binary_cross_entropy_with_logits(x, t)
    assert np.isclose(loss.item(), per.mean())
    loss.backward()
    sig = lambda v: 1 / (1 + math.exp(-v)) if v > -50 else 0.0  # noqa: E731
    np.testing.assert_allclose(x.grad.numpy(), [(sig(0) - 1) / 4, sig(2) / 4, -1 / 4, 1 / 4], rtol=1e-12)


def test_bce_with_logits_float32_stays_finite_for_huge_logits():
    x = tinygan.tensor([1e4, -1e4, 150.0], requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(x, tinygan.tensor([0.0, 1.0, 1.0]), reduction="sum")
    loss.backward()
    assert np.isfinite(loss.item()) and np.isclose(loss.item(), 2e4, rtol=1e-6)
    assert np.all(np.isfinite(x.grad.numpy()))


def test_bce_on_probabilities_clamps_log_at_minus_100():
    p = tinygan.tensor([0.0, 1.0, 0.25], requires_grad=True, dtype=np.float64)
    t = tinygan.tensor([1.0, 0.0, 1.0], dtype=np.float64)
    per = F.binary_cross_entropy(p, t, reduction="none")
    np.testing.assert_allclose(per.numpy(), [100.0, 100.0, -math.log(0.25)])
    per.sum().backward()
    assert np.all(np.isfinite(p.grad.numpy()))


def test_mse_and_cross_entropy_hand_values():
    x = tinygan.tensor([[1.0, 2.0], [3.0, 5.0]], dtype=np.float64)
    assert np.isclose(F.mse_loss(x, tinygan.zeros(2, 2, dtype=np.float64)).item(), (1 + 4 + 9 + 25) / 4)
    logits = tinygan.tensor([[0.0, 0.0, math.log(2)]], dtype=np.float64)
    assert np.isclose(F.cross_entropy(logits, tinygan.tensor([2])).item(), -math.log(2 / 4))


def test_gaussian_kl_hand_value_and_reductions():
    mu = tinygan.tensor([[1.0, 0.0], [0.0, 0.0]], dtype=np.float64)
    logvar = tinygan.tensor([[0.0, math.log(2)], [0.0, 0.0]], dtype=np.float64)
    per_example = [0.5 * (1 + 0 + (2 - math.log(2) - 1)), 0.0]
    np.testing.assert_allclose(F.gaussian_kl(mu, logvar, reduction="none").numpy(), per_example)
    assert np.isclose(F.gaussian_kl(mu, logvar).item(), sum(per_example) / 2)
    assert np.isclose(F.gaussian_kl(mu, logvar, reduction="sum").item(), sum(per_example))


def test_reparameterize_kl_hand_values_and_noise_statistics():
    mu = tinygan.tensor([[1.0, 0.0], [0.0, -2.0]], dtype=np.float64)
    logvar = tinygan.tensor([[0.0, math.log(4)], [0.0, 0.0]], dtype=np.float64)
    eps = tinygan.tensor([[0.5, 1.0], [-1.0, 0.0]], dtype=np.float64)
    z, kl = F.reparameterize_kl(mu, logvar, eps)
    np.testing.assert_allclose(z.numpy(), [[1.5, 2.0], [-1.0, -2.0]])           # mu + sigma * eps, sigma(log 4) = 2
    assert np.isclose(kl.item(), (0.5 * (1 + (4 - math.log(4) - 1)) + 0.5 * 4) / 2)
    z_none, kl_none = F.reparameterize_kl(mu, logvar, eps, reduction="none")
    np.testing.assert_allclose(z_none.numpy(), z.numpy())
    np.testing.assert_allclose(kl_none.numpy(), F.gaussian_kl(mu, logvar, reduction="none").numpy())
    # drawn noise: z ~ N(mu, e^logvar)
    tinygan.manual_seed(0)
    z, _ = F.reparameterize_kl(tinygan.full((20000, 1), 3.0), tinygan.full((20000, 1), math.log(0.25)))
    assert abs(z.numpy().mean() - 3) < 0.02 and abs(z.numpy().std() - 0.5) < 0.02
    with pytest.raises(tinygan.ShapeError, match=r"reparameterize_kl: input shape \(2, 2\) and target shape \(2, 1\)"):
        F.reparameterize_kl(mu, logvar, tinygan.zeros(2, 1, dtype=np.float64))


def test_losses_refuse_to_broadcast_mismatched_shapes():
    with pytest.raises(tinygan.ShapeError, match=r"mse_loss: input shape \(4, 1\) and target shape \(4,\) differ"):
        F.mse_loss(tinygan.zeros(4, 1), tinygan.zeros(4))
    with pytest.raises(tinygan.ShapeError, match="binary_cross_entropy_with_logits"):
        F.binary_cross_entropy_with_logits(tinygan.zeros(4, 1), tinygan.zeros(1, 4))
    with pytest.raises(ValueError, match="reduction"):
        F.mse_loss(tinygan.zeros(2), tinygan.zeros(2), reduction="avg")


def test_scalar_target_fills_the_input_shape():
    x = tinygan.tensor([0.0, 0.0])
    assert np.isclose(F.binary_cross_entropy_with_logits(x, 1.0).item(), math.log(2))
