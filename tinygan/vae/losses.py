"""VAE objectives for disentanglement (the lecture's DIP-VAE part).

ELBO terms: a Bernoulli decoder's reconstruction −log p(x|z) (BCE on logits, summed over pixels),
and KL(q(z|x) ‖ N(0, I)) (tinygan.nn.functional.gaussian_kl). β-VAE (Higgins et al. 2017) weighs
the KL by β. DIP-VAE (Kumar et al. 2018) instead pushes the covariance of the aggregate posterior
q(z) towards the identity:
    DIP-VAE-I:  C = Cov_x[μ(x)]                      (λ_d = 10 λ_od by default, as Locatello et al.)
    DIP-VAE-II: C = E_x[diag σ²(x)] + Cov_x[μ(x)]    (λ_d = λ_od by default)
    R(C) = λ_od Σ_{i≠j} C_ij² + λ_d Σ_i (C_ii − 1)²
"""
import tinygan.nn.functional as F
from tinygan.backend import get_array_module
from tinygan.tensor import Tensor


def reconstruction(logits, x):
    """−log p(x|z) for a Bernoulli decoder: BCE on logits summed over pixels, averaged over the batch."""
    return F.binary_cross_entropy_with_logits(logits, x, reduction="sum") * (1.0 / x.shape[0])


def covariance(z):
    """Population covariance of the rows of z (n, d): E[z zᵀ] − E[z] E[z]ᵀ."""
    centred = z - z.mean(axis=0, keepdims=True)
    return centred.T @ centred * (1.0 / z.shape[0])


def dip_covariance(mu, logvar, kind):
    if kind not in ("i", "ii"):
        raise ValueError(f"dip_covariance: kind must be 'i' or 'ii', got {kind!r}")
    cov = covariance(mu)
    if kind == "ii":
        d = mu.shape[1]
        mean_var = F.exp(logvar).mean(axis=0)             # E_x[σ²(x)], one value per latent
        cov = cov + mean_var.reshape(d, 1) * _identity(d, mu)
    return cov


def _identity(d, like):
    """A constant d×d identity on `like`'s backend and dtype."""
    return Tensor(get_array_module(like.array).eye(d, dtype=like.dtype))


def dip_regularizer(mu, logvar, lambda_od, lambda_d=None, kind="i"):
    """(total, off-diagonal term, diagonal term) of DIP-VAE-I or -II; lambda_d defaults as in
    Locatello et al. 2019 (10·λ_od for I, λ_od for II)."""
    if lambda_d is None:
        lambda_d = 10 * lambda_od if kind == "i" else lambda_od
    cov = dip_covariance(mu, logvar, kind)
    eye = _identity(mu.shape[1], mu)
    diag = (cov * eye).sum(axis=1)
    off = cov * (1 - eye)
    off_term = (off * off).sum() * lambda_od
    diag_term = ((diag - 1) ** 2).sum() * lambda_d
    return off_term + diag_term, off_term, diag_term


def vae_loss(logits, x, mu, logvar, beta=1.0, dip=None, lambda_od=0.0, lambda_d=None, kl=None):
    """Loss terms of a VAE step as a dict of Tensors: total, reconstruction, kl, off_diagonal,
    diagonal. beta ≠ 1 is β-VAE; dip = "i" or "ii" adds the DIP-VAE regulariser. kl: the KL term
    when it is already computed (F.reparameterize_kl gives it with the sample)."""
    rec = reconstruction(logits, x)
    kl = F.gaussian_kl(mu, logvar) if kl is None else kl
    total = rec + beta * kl
    terms = {"reconstruction": rec, "kl": kl}
    if dip is not None:
        reg, off, diag = dip_regularizer(mu, logvar, lambda_od, lambda_d, dip)
        total = total + reg
        terms.update(off_diagonal=off, diagonal=diag)
    terms["total"] = total
    return terms
