"""GAN objectives against hand-computed values, the optimal discriminator, the gradient penalty."""
import math

import numpy as np
import pytest

import tinygan
from tinygan import nn
from tinygan.data import toy2d
from tinygan.gan import losses
from tinygan.testing import gradcheck


def t(values):
    return tinygan.tensor(np.array(values, dtype=np.float64).reshape(-1, 1), requires_grad=True, dtype=np.float64)


def test_losses_hand_values():
    real, fake = t([0.0, 2.0]), t([0.0, -1.0])
    sig = lambda v: 1 / (1 + math.exp(-v))  # noqa: E731
    expected_d = -(math.log(0.5) + math.log(sig(2))) / 2 - (math.log(0.5) + math.log(1 - sig(-1))) / 2
    assert losses.d_loss(real, fake).item() == pytest.approx(expected_d)
    smoothed = -(0.9 * math.log(sig(2)) + 0.1 * math.log(1 - sig(2)) + math.log(0.5)) / 2
    assert losses.d_loss(real, fake, real_target=0.9).item() == pytest.approx(
        smoothed - (math.log(0.5) + math.log(1 - sig(-1))) / 2)
    assert losses.g_loss_minimax(fake).item() == pytest.approx((math.log(0.5) + math.log(1 - sig(-1))) / 2)
    assert losses.g_loss_nonsaturating(fake).item() == pytest.approx(-(math.log(0.5) + math.log(sig(-1))) / 2)
    assert losses.critic_loss_wasserstein(real, fake).item() == pytest.approx(-0.5 - 1.0)
    assert losses.g_loss_wasserstein(fake).item() == pytest.approx(0.5)


def test_minimax_generator_loss_saturates_and_nonsaturating_does_not():
    """The lecture's vanishing-gradient point: when D rejects G's samples (logit ≪ 0)."""
    fake = t([-12.0])
    g_mm, = tinygan.grad(losses.g_loss_minimax(fake), fake)
    g_ns, = tinygan.grad(losses.g_loss_nonsaturating(fake), fake)
    assert abs(g_mm.item()) < 1e-5 and g_ns.item() == pytest.approx(-1.0, abs=1e-5)


def _argmax_pointwise_v(p_data, p_model, smoothing=0.0):
    """D maximising, at each point separately, the integrand of the discriminator's objective
    V(D) = π [(1 − α) log D + α log(1 − D)] + p log(1 − D)   (real targets 1 − α, fake targets 0),
    found numerically: a bounded scalar search over the logit u, D = sigmoid(u). No formula for D*."""
    from scipy.optimize import minimize_scalar
    out = []
    for pi, p in zip(p_data, p_model):
        def negative_v(u):
            log_d, log_1md = -np.logaddexp(0.0, -u), -np.logaddexp(0.0, u)     # log D, log(1 − D)
            return -(pi * ((1 - smoothing) * log_d + smoothing * log_1md) + p * log_1md)
        u = minimize_scalar(negative_v, bounds=(-40.0, 40.0), method="bounded", options={"xatol": 1e-10}).x
        out.append(1 / (1 + np.exp(-u)))
    return np.array(out)


@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_optimal_discriminator_maximises_v_pointwise(smoothing):
    """Goodfellow et al. 2014, Prop. 1: for fixed G the best D maximises V pointwise. Here D* is found
    by maximising V numerically at points where the data density π ranges from ≈ 0 to ≫ p."""
    ring = toy2d.ring()
    x = ring.sample(60, 0) + np.random.default_rng(1).normal(0, 0.02, (60, 2))
    p_data = np.exp(ring.log_density(x))
    p_model = np.full(len(x), 1 / 16.0)                    # uniform on [-2, 2]²
    assert p_data.min() < 0.1 * p_model[0] and p_data.max() > 100 * p_model[0]  # both regimes present
    numeric = _argmax_pointwise_v(p_data, p_model, smoothing)
    np.testing.assert_allclose(losses.optimal_discriminator(p_data, p_model, smoothing=smoothing), numeric,
                               rtol=1e-6, atol=1e-7)


def test_weight_clipping():
    critic = nn.Linear(3, 2)
    critic.weight.data[...] = np.array([[0.5, -0.5, 0.001]] * 2, dtype=np.float32)
    losses.clip_weights(critic, 0.01)
    assert np.abs(critic.weight.numpy()).max() <= 0.01 and critic.weight.numpy()[0, 2] == np.float32(0.001)


def _critic():
    tinygan.manual_seed(3)
    return nn.Sequential(nn.Linear(2, 5), nn.Tanh(), nn.Linear(5, 1)).double()


def test_gradient_penalty_value_and_gradcheck():
    critic = _critic()
    real = tinygan.randn(6, 2, dtype=np.float64)
    fake = tinygan.randn(6, 2, dtype=np.float64)

    def penalty(*params):
        tinygan.manual_seed(7)                 # the same ε on every evaluation
        return losses.gradient_penalty(critic, real, fake, weight=10.0)

    # against a direct computation of the same quantity
    tinygan.manual_seed(7)
    eps = tinygan.rand(6, 1, dtype=np.float64).numpy()
    mixed = tinygan.tensor(eps * real.numpy() + (1 - eps) * fake.numpy(), requires_grad=True, dtype=np.float64)
    g, = tinygan.grad(critic(mixed).sum(), mixed)
    expected = 10 * ((np.linalg.norm(g.numpy(), axis=1) - 1) ** 2).mean()
    assert penalty().item() == pytest.approx(expected, rel=1e-12)
    assert gradcheck(penalty, list(critic.parameters()))


def test_gradient_penalty_with_packing_uses_one_eps_and_one_norm_per_packed_input():
    from tinygan.gan.models import MLPDiscriminator
    tinygan.manual_seed(3)
    critic = MLPDiscriminator(pack=2, hidden=5, layers=1).double()
    real, fake = tinygan.randn(6, 2, dtype=np.float64), tinygan.randn(6, 2, dtype=np.float64)
    tinygan.manual_seed(7)
    value = losses.gradient_penalty(critic, real, fake, weight=10.0, pack=2).item()
    tinygan.manual_seed(7)
    eps = np.repeat(tinygan.rand(3, 1, dtype=np.float64).numpy(), 2, axis=0)   # shared within each pair
    mixed = tinygan.tensor(eps * real.numpy() + (1 - eps) * fake.numpy(), requires_grad=True, dtype=np.float64)
    g, = tinygan.grad(critic(mixed).sum(), mixed)
    expected = 10 * ((np.linalg.norm(g.numpy().reshape(3, 4), axis=1) - 1) ** 2).mean()
    assert value == pytest.approx(expected, rel=1e-12)
    with pytest.raises(ValueError, match="multiple of pack=4"):
        losses.gradient_penalty(critic, real, fake, pack=4)
