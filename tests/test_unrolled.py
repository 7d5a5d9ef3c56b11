"""functional_call and the unrolled GAN's generator gradient (second order, by finite differences)."""
import numpy as np
import pytest

import tinygan
from tinygan import nn
from tinygan.gan import losses, unrolled
from tinygan.testing import gradcheck


def _nets():
    tinygan.manual_seed(4)
    g = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 2)).double()
    d = nn.Sequential(nn.Linear(2, 5), nn.LeakyReLU(0.2), nn.Linear(5, 1)).double()
    z = tinygan.randn(6, 2, dtype=np.float64)
    real = tinygan.randn(6, 2, dtype=np.float64)
    return g, d, z, real


def test_functional_call_swaps_and_restores():
    lin = nn.Linear(2, 1).double()
    x = tinygan.ones(3, 2, dtype=np.float64)
    w = tinygan.zeros(1, 2, dtype=np.float64)
    out = nn.functional_call(lin, {"weight": w}, x)
    np.testing.assert_allclose(out.numpy(), np.broadcast_to(lin.bias.numpy(), (3, 1)))
    assert isinstance(lin.weight, nn.Parameter)
    with pytest.raises(KeyError, match="no parameter 'nope'"):
        nn.functional_call(lin, {"nope": w}, x)


def test_zero_unrolled_steps_is_the_plain_generator_loss():
    g, d, z, real = _nets()
    fake = g(z)
    plain = losses.g_loss_nonsaturating(d(fake)).item()
    assert unrolled.unrolled_generator_loss(d, losses.g_loss_nonsaturating, real, fake, 0, 0.1).item() == pytest.approx(plain)


def test_generator_gradient_through_unrolled_steps_passes_gradcheck():
    g, d, z, real = _nets()

    def surrogate(*g_params):
        return unrolled.unrolled_generator_loss(d, losses.g_loss_nonsaturating, real, g(z), steps=2, lr=0.5)
    assert gradcheck(surrogate, list(g.parameters()))


def test_stopping_the_unrolled_gradients_changes_the_generator_gradient():
    g, d, z, real = _nets()
    params = list(g.parameters())
    full = tinygan.grad(unrolled.unrolled_generator_loss(d, losses.g_loss_nonsaturating, real, g(z), 3, 0.5), params)
    cheap = tinygan.grad(unrolled.unrolled_generator_loss(d, losses.g_loss_nonsaturating, real, g(z), 3, 0.5,
                                                          through=False), params)
    assert not np.allclose(full[0].numpy(), cheap[0].numpy())
    assert d[0].weight.grad is None            # θ_D itself is neither updated nor given a gradient


def test_adam_unrolling_matches_the_optimiser_and_passes_gradcheck():
    g, d, z, real = _nets()
    from tinygan import optim
    adam = optim.Adam(d.parameters(), lr=0.05, betas=(0.5, 0.999))
    loss = losses.d_loss(d(real), d(g(z)))
    loss.backward()
    adam.step()                                           # D's optimiser has moments and a step count
    # one look-ahead step without gradients = what the optimiser itself would do next
    look = unrolled.unrolled_parameters(d, real, g(z).detach(), 1, through=False, adam=adam)
    adam.zero_grad()
    losses.d_loss(d(real), d(g(z).detach())).backward()
    adam.step()
    for name, p in d.named_parameters():
        np.testing.assert_allclose(look[name].numpy(), p.numpy(), rtol=1e-10, atol=1e-12)

    g, d, z, real = _nets()
    adam = optim.Adam(d.parameters(), lr=0.05, betas=(0.5, 0.999))
    losses.d_loss(d(real), d(g(z))).backward()
    adam.step()

    def surrogate(*g_params):
        return unrolled.unrolled_generator_loss(d, losses.g_loss_nonsaturating, real, g(z), steps=2, adam=adam)
    assert gradcheck(surrogate, list(g.parameters()))


def test_trainer_unrolling_keeps_the_generator_gradient_aligned_after_training():
    """Regression: an SGD look-ahead of fixed step overshoots once D is sharp (measured at lr 1e-2
    after 2 000 ring steps: K=1 cosine −0.88 with the plain gradient, K=5 11.7× its norm), and every
    unrolled run collapsed. The trainer unrolls D's Adam instead."""
    from tinygan.gan import train as gan_train
    run = gan_train.Run(gan_train.Config(data="ring", loss="ns", steps=4000, seed=0))
    for _ in range(2000):
        run.train_step()
    params = list(run.g.parameters())
    z, real = tinygan.randn(100, 2), run._real(100)

    def flat(loss):
        return np.concatenate([g.numpy().ravel() for g in tinygan.grad(loss, params)])
    plain = flat(losses.g_loss_nonsaturating(run.d(run.g(z))))
    sgd = flat(unrolled.unrolled_generator_loss(run.d, losses.g_loss_nonsaturating, real, run.g(z), 1, 1e-2))
    assert plain @ sgd < 0                                # the failure this guards against, reproduced
    for k in (1, 5):
        grad = flat(unrolled.unrolled_generator_loss(run.d, losses.g_loss_nonsaturating, real, run.g(z), k,
                                                     adam=run.opt_d))
        ratio = np.linalg.norm(grad) / np.linalg.norm(plain)
        cosine = plain @ grad / np.linalg.norm(plain) / np.linalg.norm(grad)
        assert cosine > 0.5 and 0.25 < ratio < 4, (k, cosine, ratio)
