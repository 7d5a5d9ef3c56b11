"""Reference fused losses: each returns the summed loss and the gradient w.r.t. its inputs
in one call, so the backward needs no second pass over the data. Written with array
expressions of the input's module (NumPy or CuPy). The faster kernels compute the same in
one loop over memory and are tested against these.
"""
from tinygan.backend import get_array_module


def bce_with_logits(x, t):
    """sum of max(x,0) - x t + log(1 + e^-|x|)  (stable for any |x|);  d/dx = sigmoid(x) - t."""
    xp = get_array_module(x)
    z = xp.exp(-xp.abs(x))                                   # in (0, 1]: never overflows
    loss = xp.maximum(x, 0) - x * t + xp.log1p(z)
    sigmoid = xp.where(x >= 0, 1 / (1 + z), z / (1 + z))     # keeps σ(x) ≈ e^x for x ≪ 0 (tanh rounds it to 0)
    return loss.sum(), sigmoid - t


def mse(x, t):
    """sum of (x - t)^2;  d/dx = 2 (x - t)."""
    diff = x - t
    return (diff * diff).sum(), 2 * diff


def gaussian_kl(mu, logvar):
    """sum of KL(N(mu, e^logvar) || N(0, 1)) = 0.5 (mu^2 + e^logvar - logvar - 1);
    d/dmu = mu, d/dlogvar = 0.5 (e^logvar - 1)."""
    xp = get_array_module(mu)
    var = xp.exp(logvar)
    return 0.5 * (mu * mu + var - logvar - 1).sum(), mu, 0.5 * (var - 1)


def reparameterize_kl(mu, logvar, eps):
    """The VAE's sample and KL in one pass (Kingma & Welling 2014, eq. 10): z = mu + e^(logvar/2) eps
    and sum KL(N(mu, e^logvar) || N(0, 1)). Returns (kl sum, z, dz/dlogvar = ½ e^(logvar/2) eps,
    dKL/dlogvar = ½ (e^logvar - 1)); dz/dmu = 1 and dKL/dmu = mu need no array."""
    xp = get_array_module(mu)
    std = xp.exp(0.5 * logvar)
    noise = std * eps
    return 0.5 * (mu * mu + std * std - logvar - 1).sum(), mu + noise, 0.5 * noise, 0.5 * (std * std - 1)
