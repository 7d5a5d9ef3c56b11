"""Locatello et al.'s entangling map: same distribution, fully entangled, a rotation for Gaussians."""
import numpy as np
import pytest
from scipy import stats

from tinygan.theory import entangling_map, random_rotation

MARGINALS = [stats.uniform(0, 1), stats.expon(scale=2.0), stats.beta(2, 5), stats.norm(1, 3)]


def test_gaussian_marginals_reduce_to_a_rotation():
    f, a = entangling_map([stats.norm()] * 3, 0)
    z = np.random.default_rng(1).standard_normal((500, 3))
    np.testing.assert_allclose(f(z), z @ a.T, atol=1e-8)


def test_rotation_is_orthogonal_with_every_entry_nonzero():
    for d in (1, 2, 5, 10):
        a = random_rotation(d, np.random.default_rng(d))
        np.testing.assert_allclose(a @ a.T, np.eye(d), atol=1e-12)
        assert np.all(np.abs(a) > 1e-3)


def test_marginals_are_preserved_ks():
    f, _ = entangling_map(MARGINALS, 2)
    rng = np.random.default_rng(3)
    z = np.column_stack([m.rvs(size=4000, random_state=rng) for m in MARGINALS])
    fz = f(z)
    for i, m in enumerate(MARGINALS):
        assert stats.kstest(fz[:, i], m.cdf).pvalue > 0.01, f"marginal {i} changed"
        assert not np.allclose(fz[:, i], z[:, i])                 # but the values did move


def test_joint_distribution_is_preserved_but_coordinates_are_mixed():
    """Joint check via a rotation-free statistic: independent coordinates stay uncorrelated in rank,
    while each output coordinate correlates with the other inputs."""
    f, _ = entangling_map(MARGINALS, 4)
    rng = np.random.default_rng(5)
    z = np.column_stack([m.rvs(size=4000, random_state=rng) for m in MARGINALS])
    fz = f(z)
    rank_corr = stats.spearmanr(fz).statistic
    assert np.max(np.abs(rank_corr - np.eye(4))) < 0.06          # outputs independent, like z
    cross = stats.spearmanr(z, fz).statistic[:4, 4:]
    assert np.sum(np.abs(cross) > 0.05) >= 12                     # inputs leak into many outputs


def test_every_jacobian_entry_is_nonzero():
    f, _ = entangling_map(MARGINALS, 6)
    point = np.array([[0.3, 1.0, 0.2, 0.5]])
    h = 1e-6
    jac = np.column_stack([(f(point + h * e) - f(point - h * e))[0] / (2 * h) for e in np.eye(4)])
    assert np.all(np.abs(jac) > 1e-4)


def test_bad_shape():
    f, _ = entangling_map(MARGINALS, 0)
    with pytest.raises(ValueError, match=r"shape \(n, 4\)"):
        f(np.zeros((3, 2)))
