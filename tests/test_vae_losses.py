"""VAE objectives: DIP regulariser against a direct NumPy formula, gradcheck (1st and 2nd order)."""
import numpy as np
import pytest

import tinygan
import tinygan.nn.functional as F
from tinygan.testing import gradcheck, gradgradcheck
from tinygan.vae import losses


def _inputs(seed=0, n=12, d=4):
    rng = np.random.default_rng(seed)
    mu = tinygan.tensor(rng.standard_normal((n, d)) * 1.5, requires_grad=True, dtype=np.float64)
    logvar = tinygan.tensor(rng.standard_normal((n, d)) * 0.3, requires_grad=True, dtype=np.float64)
    return mu, logvar


def _dip_numpy(mu, logvar, lambda_od, lambda_d, kind):
    cov = np.cov(mu, rowvar=False, bias=True)
    if kind == "ii":
        cov = cov + np.diag(np.exp(logvar).mean(axis=0))
    off = cov - np.diag(np.diag(cov))
    return lambda_od * (off ** 2).sum() + lambda_d * ((np.diag(cov) - 1) ** 2).sum()


@pytest.mark.parametrize("kind", ["i", "ii"])
def test_dip_regularizer_matches_direct_formula(kind):
    mu, logvar = _inputs()
    total, off, diag = losses.dip_regularizer(mu, logvar, lambda_od=2.0, lambda_d=3.0, kind=kind)
    assert total.item() == pytest.approx(_dip_numpy(mu.numpy(), logvar.numpy(), 2.0, 3.0, kind), rel=1e-12)
    assert total.item() == pytest.approx(off.item() + diag.item())


def test_dip_default_diagonal_weights_follow_locatello():
    mu, logvar = _inputs(1)
    _, off1, diag1 = losses.dip_regularizer(mu, logvar, 1.0, kind="i")
    _, off2, diag2 = losses.dip_regularizer(mu, logvar, 1.0, kind="ii")
    assert diag1.item() == pytest.approx(_dip_numpy(mu.numpy(), logvar.numpy(), 0.0, 10.0, "i"), rel=1e-12)
    assert diag2.item() == pytest.approx(_dip_numpy(mu.numpy(), logvar.numpy(), 0.0, 1.0, "ii"), rel=1e-12)


@pytest.mark.parametrize("kind", ["i", "ii"])
def test_dip_regularizer_gradcheck_first_and_second_order(kind):
    mu, logvar = _inputs(2, n=6, d=3)
    fn = lambda m, lv: losses.dip_regularizer(m, lv, 1.5, 2.5, kind)[0]  # noqa: E731
    assert gradcheck(fn, [mu, logvar])
    assert gradgradcheck(fn, [mu, logvar], atol=1e-4, rtol=1e-3)


def test_identity_covariance_has_zero_regularizer():
    rng = np.random.default_rng(3)
    z = rng.standard_normal((4000, 3))
    z = (z - z.mean(0)) @ np.linalg.inv(np.linalg.cholesky(np.cov(z, rowvar=False, bias=True))).T
    mu = tinygan.tensor(z, dtype=np.float64)
    total, _, _ = losses.dip_regularizer(mu, mu * 0, 1.0, 1.0, "i")
    assert total.item() == pytest.approx(0.0, abs=1e-18)


def test_vae_loss_terms_and_beta():
    rng = np.random.default_rng(4)
    x = tinygan.tensor((rng.uniform(size=(5, 1, 4, 4)) > 0.5).astype(np.float64), dtype=np.float64)
    logits = tinygan.tensor(rng.standard_normal((5, 1, 4, 4)), dtype=np.float64)
    mu, logvar = _inputs(5, n=5, d=3)
    plain = losses.vae_loss(logits, x, mu, logvar)
    beta = losses.vae_loss(logits, x, mu, logvar, beta=4.0)
    dip = losses.vae_loss(logits, x, mu, logvar, dip="ii", lambda_od=1.0)
    p = 1 / (1 + np.exp(-logits.numpy()))
    expected_rec = -(x.numpy() * np.log(p) + (1 - x.numpy()) * np.log(1 - p)).sum() / 5
    assert plain["reconstruction"].item() == pytest.approx(expected_rec, rel=1e-10)
    assert beta["total"].item() == pytest.approx(plain["reconstruction"].item() + 4 * plain["kl"].item())
    assert dip["total"].item() == pytest.approx(plain["total"].item() + dip["off_diagonal"].item() + dip["diagonal"].item())
    with pytest.raises(ValueError, match="kind"):
        losses.dip_covariance(mu, logvar, "iii")
    _, fused_kl = F.reparameterize_kl(mu, logvar)     # the trainer's path: KL from the sampling kernel
    fused = losses.vae_loss(logits, x, mu, logvar, kl=fused_kl)
    assert fused["total"].item() == pytest.approx(plain["total"].item(), rel=1e-12)
