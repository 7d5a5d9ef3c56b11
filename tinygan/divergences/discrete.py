"""KL and Jensen–Shannon divergences between discrete distributions, and KL between Gaussians.

The lecture's point (Arjovsky & Bottou 2017; Weng, "From GAN to WGAN"): on disjoint supports
KL(π‖p) = ∞ and JSD(π‖p) = log 2 whatever the distance between the supports, so neither
gives a gradient that says "move closer" — the Wasserstein distance (transport.py) does.
"""
import numpy as np

from tinygan.divergences._common import as_float_array, probabilities
from tinygan.errors import ShapeError

LOG2 = float(np.log(2))


def _pair(name, p, q, tol):
    p, q = probabilities(name, "p", p, tol), probabilities(name, "q", q, tol)
    if p.shape != q.shape:
        raise ShapeError(f"{name}: p has shape {p.shape}, q has shape {q.shape}")
    return p, q


def _kl(p, q):
    """Σ p log(p/q) over p > 0 (0·log 0 = 0); +inf if q = 0 somewhere p > 0."""
    support = p > 0
    if np.any(q[support] == 0):
        return float("inf")
    return float(np.sum(p[support] * np.log(p[support] / q[support])))


def kl(p, q, tol=1e-6):
    """KL(p ‖ q) = Σ_i p_i log(p_i / q_i) in nats, for probability arrays of any (equal) shape,
    summed over all axes. +inf where q_i = 0 < p_i; terms with p_i = 0 count 0.
    p and q must be ≥ 0, finite and sum to 1 within tol."""
    return _kl(*_pair("kl", p, q, tol))


def jsd(p, q, tol=1e-6):
    """Jensen–Shannon divergence ½ KL(p ‖ m) + ½ KL(q ‖ m), m = (p + q)/2, in nats.

    Always finite (m > 0 wherever p or q is), 0 iff p = q and log 2 iff the supports are
    disjoint: the value the optimal GAN discriminator turns into V(G, D*) = 2 JSD − log 4
    (Goodfellow et al. 2014)."""
    p, q = _pair("jsd", p, q, tol)
    m = 0.5 * (p + q)
    value = 0.5 * _kl(p, m) + 0.5 * _kl(q, m)
    return min(max(value, 0.0), LOG2)      # rounding may step a hair outside [0, log 2]


def _gaussian(name, which, mu, cov):
    mu = np.atleast_1d(as_float_array(name, f"mu{which}", mu))
    cov = as_float_array(name, f"cov{which}", cov)
    cov = np.atleast_1d(cov) if cov.ndim == 0 else cov
    k = mu.shape[0]
    if mu.ndim != 1 or cov.shape not in ((k,), (k, k)):
        raise ShapeError(f"kl_gaussian: mu{which} {mu.shape} needs cov{which} of shape ({k},) "
                         f"(variances) or ({k}, {k}), got {cov.shape}")
    if cov.ndim == 1 and np.any(cov <= 0):
        raise ValueError(f"kl_gaussian: cov{which} has non-positive variances (min {cov.min():.3g})")
    if cov.ndim == 2 and not np.allclose(cov, cov.T, rtol=1e-10, atol=1e-12):
        raise ValueError(f"kl_gaussian: cov{which} {cov.shape} is not symmetric")
    return mu, cov


def _cholesky(cov, which):
    try:
        return np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        raise ValueError(f"kl_gaussian: cov{which} {cov.shape} is not positive definite") from None


def kl_gaussian(mu1, cov1, mu2, cov2):
    """KL(N(μ₁, Σ₁) ‖ N(μ₂, Σ₂)) in nats, closed form:

        ½ [ tr(Σ₂⁻¹Σ₁) + (μ₂ − μ₁)ᵀ Σ₂⁻¹ (μ₂ − μ₁) − k + log det Σ₂ − log det Σ₁ ].

    A covariance given as a 1-d array is diagonal (the variances); scalars are univariate.
    Full matrices go through Cholesky factors, so nothing is inverted explicitly."""
    mu1, cov1 = _gaussian("kl_gaussian", 1, mu1, cov1)
    mu2, cov2 = _gaussian("kl_gaussian", 2, mu2, cov2)
    if mu1.shape != mu2.shape:
        raise ShapeError(f"kl_gaussian: mu1 has shape {mu1.shape}, mu2 has shape {mu2.shape}")
    diff = mu2 - mu1
    if cov1.ndim == 1 and cov2.ndim == 1:
        return float(0.5 * np.sum(cov1 / cov2 + diff ** 2 / cov2 - 1 + np.log(cov2 / cov1)))
    cov1, cov2 = (np.diag(c) if c.ndim == 1 else c for c in (cov1, cov2))
    l1, l2 = _cholesky(cov1, 1), _cholesky(cov2, 2)
    a = np.linalg.solve(l2, l1)                      # ‖L₂⁻¹L₁‖²_F = tr(Σ₂⁻¹Σ₁)
    z = np.linalg.solve(l2, diff)                    # ‖L₂⁻¹Δ‖² = ΔᵀΣ₂⁻¹Δ
    logdet = 2 * (np.log(np.diag(l2)).sum() - np.log(np.diag(l1)).sum())
    return float(0.5 * (np.sum(a * a) + z @ z - mu1.shape[0] + logdet))
