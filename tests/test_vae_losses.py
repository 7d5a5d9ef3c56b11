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


def _cov_q_z(mu, logvar, kind):
    """Kumar et al. 2018: DIP-VAE-I regularises Cov_p(x)[μ(x)] (their eq. 6); DIP-VAE-II the
    covariance of the aggregate posterior q(z) = E_x q(z|x), by the law of total covariance
    Cov_q(z)[z] = E_x[Σ(x)] + Cov_x[μ(x)] with Σ(x) = diag(e^logvar(x)) (their eq. 7). Population
    covariances over the batch, written out element by element."""
    n, d = mu.shape
    mean = mu.sum(axis=0) / n
    cov = np.array([[sum((mu[k, i] - mean[i]) * (mu[k, j] - mean[j]) for k in range(n)) / n for j in range(d)]
                    for i in range(d)])
    if kind == "ii":
        for i in range(d):
            cov[i, i] += sum(np.exp(logvar[k, i]) for k in range(n)) / n
    return cov


def _dip_terms(mu, logvar, lambda_od, lambda_d, kind):
    """(off-diagonal, diagonal) terms: λ_od Σ_{i≠j} C_ij² and λ_d Σ_i (C_ii − 1)²."""
    cov = _cov_q_z(mu, logvar, kind)
    d = cov.shape[0]
    off = sum(cov[i, j] ** 2 for i in range(d) for j in range(d) if i != j)
    diag = sum((cov[i, i] - 1) ** 2 for i in range(d))
    return lambda_od * off, lambda_d * diag


def _dip_numpy(mu, logvar, lambda_od, lambda_d, kind):
    return sum(_dip_terms(mu, logvar, lambda_od, lambda_d, kind))


@pytest.mark.parametrize("kind", ["i", "ii"])
def test_dip_regularizer_matches_direct_formula(kind):
    mu, logvar = _inputs()
    total, off, diag = losses.dip_regularizer(mu, logvar, lambda_od=2.0, lambda_d=3.0, kind=kind)
    want_off, want_diag = _dip_terms(mu.numpy(), logvar.numpy(), 2.0, 3.0, kind)
    assert off.item() == pytest.approx(want_off, rel=1e-12)
    assert diag.item() == pytest.approx(want_diag, rel=1e-12)
    assert total.item() == pytest.approx(want_off + want_diag, rel=1e-12)


def test_dip_ii_covariance_is_the_covariance_of_samples_from_the_aggregate_posterior():
    """Monte Carlo, no formula: draw many z ~ q(z|x_k) = N(μ_k, diag e^logvar_k) for every k, pool
    them (that is a sample of q(z)), and compare their covariance with dip_covariance(..., "ii")."""
    rng = np.random.default_rng(7)
    mu = tinygan.tensor(rng.standard_normal((5, 3)) * 1.5, dtype=np.float64)
    logvar = tinygan.tensor(rng.uniform(-1, 1, (5, 3)), dtype=np.float64)     # σ² from 0.4 to 2.7
    draws = 40000
    z = mu.numpy()[:, None, :] + np.exp(0.5 * logvar.numpy())[:, None, :] * rng.standard_normal((5, draws, 3))
    sampled = np.cov(z.reshape(-1, 3), rowvar=False)
    np.testing.assert_allclose(losses.dip_covariance(mu, logvar, "ii").numpy(), sampled, atol=0.05)  # ~4 std errors
    np.testing.assert_allclose(losses.dip_covariance(mu, logvar, "i").numpy(), np.cov(mu.numpy(), rowvar=False, bias=True),
                               rtol=1e-12, atol=1e-12)


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
    want_off, want_diag = _dip_terms(mu.numpy(), logvar.numpy(), 1.0, 1.0, "ii")   # λ_d defaults to λ_od for II
    assert dip["off_diagonal"].item() == pytest.approx(want_off, rel=1e-12)
    assert dip["diagonal"].item() == pytest.approx(want_diag, rel=1e-12)
    assert dip["total"].item() == pytest.approx(expected_rec + plain["kl"].item() + want_off + want_diag, rel=1e-12)
    with pytest.raises(ValueError, match="kind"):
        losses.dip_covariance(mu, logvar, "iii")
    _, fused_kl = F.reparameterize_kl(mu, logvar)     # the trainer's path: KL from the sampling kernel
    fused = losses.vae_loss(logits, x, mu, logvar, kl=fused_kl)
    assert fused["total"].item() == pytest.approx(plain["total"].item(), rel=1e-12)
