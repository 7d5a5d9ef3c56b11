"""Locatello et al. 2019 ("Challenging common assumptions in the unsupervised learning of
disentangled representations"), Theorem 1, made concrete: for any factorised p(z) = Π p(z_i)
there is a map f with f(z) distributed exactly like z, yet every output depending on every input.
So a model that has learned z and one that has learned f(z) fit the data equally well, and no
unsupervised criterion can prefer the disentangled one.

    f(u) = g⁻¹( h⁻¹( A · h(g(u)) ) )

g: each coordinate through its own CDF (to the uniform cube), h: Φ⁻¹ per coordinate (to N(0, I)),
A: a rotation — N(0, I) is rotation invariant — with every entry nonzero, so ∂f_i/∂u_j ≠ 0.
"""
import numpy as np
from scipy import stats

_EDGE = 1e-12   # keeps Φ⁻¹ finite for samples at the very edge of a marginal's support


def random_rotation(d, rng, min_entry=1e-3):
    """A Haar-random orthogonal d×d matrix whose entries all exceed min_entry in magnitude."""
    while True:
        q, r = np.linalg.qr(rng.standard_normal((d, d)))
        q = q * np.sign(np.diag(r))            # the sign fix makes the distribution Haar (uniform)
        if d == 1 or np.all(np.abs(q) > min_entry):
            return q


def entangling_map(marginals, random_state):
    """(f, A) for per-dimension distributions `marginals` (objects with cdf and ppf, e.g. frozen
    scipy.stats distributions). f maps an (n, d) array of samples of z to samples of f(z)."""
    rng = np.random.default_rng(random_state)
    marginals = list(marginals)
    a = random_rotation(len(marginals), rng)

    def f(u):
        u = np.asarray(u, dtype=np.float64)
        if u.ndim != 2 or u.shape[1] != len(marginals):
            raise ValueError(f"entangling_map: expected samples of shape (n, {len(marginals)}), got {u.shape}")
        uniform = np.column_stack([m.cdf(u[:, i]) for i, m in enumerate(marginals)])
        gaussian = stats.norm.ppf(np.clip(uniform, _EDGE, 1 - _EDGE))
        mixed = stats.norm.cdf(gaussian @ a.T)
        return np.column_stack([m.ppf(mixed[:, i]) for i, m in enumerate(marginals)])

    return f, a
