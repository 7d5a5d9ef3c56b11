"""PacGAN's mode metrics on samplers whose answers are known in closed form."""
import math

import numpy as np
import pytest

from tinygan.data import toy2d
from tinygan.metrics.toy2d import NUM_SAMPLES, mode_stats

PERFECT_HQ = 1 - math.exp(-4.5)   # P(‖N(0, I₂)‖ < 3) = 0.98889


@pytest.mark.parametrize("name,modes", [("ring", 8), ("grid", 25)])
def test_perfect_sampler(name, modes):
    ds = toy2d.get(name)
    stats = mode_stats(ds.sample(NUM_SAMPLES, 0), ds)
    assert stats["modes"] == modes
    assert abs(stats["hq"] - PERFECT_HQ) < 0.01          # binomial sd at n = 2500 is 0.002
    assert stats["kl"] < 0.03                            # only sampling noise in the histogram
    big = mode_stats(ds.sample(200_000, 1), ds)
    assert abs(big["hq"] - PERFECT_HQ) < 0.001 and big["kl"] < 1e-3


def test_collapsed_sampler_has_one_mode_and_maximal_kl():
    ds = toy2d.ring()
    rng = np.random.default_rng(0)
    samples = ds.centers[3] + ds.std * rng.standard_normal((NUM_SAMPLES, 2))
    stats = mode_stats(samples, ds)
    assert stats["modes"] == 1 and stats["counts"][3] == sum(stats["counts"])
    assert stats["kl"] == pytest.approx(math.log(8))


def test_half_the_modes_gives_log_two():
    ds = toy2d.grid()
    keep = np.arange(0, 25, 2)[:12]                     # 12 of 25 modes, equally often
    samples = np.repeat(ds.centers[keep], 50, axis=0)   # exactly at the centres: all HQ
    stats = mode_stats(samples, ds)
    assert stats["modes"] == 12 and stats["hq"] == 1.0
    assert stats["kl"] == pytest.approx(math.log(25 / 12))


def test_samples_far_from_every_mode():
    ds = toy2d.ring()
    stats = mode_stats(np.full((100, 2), 5.0), ds)
    assert stats == {"modes": 0, "hq": 0.0, "kl": pytest.approx(math.log(8)), "counts": [0] * 8}


def test_hq_uses_three_sigma_in_euclidean_distance():
    ds = toy2d.ring()
    just_in = ds.centers[0] + np.array([[2.99 * ds.std, 0.0]])
    just_out = ds.centers[0] + np.array([[0.0, 3.01 * ds.std]])
    assert mode_stats(just_in, ds)["hq"] == 1.0 and mode_stats(just_out, ds)["hq"] == 0.0


def test_bad_shapes_and_names():
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        mode_stats(np.zeros((5, 3)), toy2d.ring())
    with pytest.raises(ValueError, match="unknown dataset"):
        toy2d.get("spiral")


def test_datasets_match_pacgan_layout():
    ring, grid = toy2d.ring(), toy2d.grid()
    np.testing.assert_allclose(np.linalg.norm(ring.centers, axis=1), 1.0)
    assert ring.std == 0.01 and grid.std == 0.05
    assert sorted(set(grid.centers[:, 0])) == [-4, -2, 0, 2, 4]
