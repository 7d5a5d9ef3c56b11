"""MIG and SAP on representations whose answers are known: ground truth, a rotation of it, noise,
constant codes, one-dimensional codes, and a hand-built two-factor case."""
import math

import numpy as np
import pytest

from tinygan.data.dsprites import DSprites
from tinygan.metrics import disentanglement as dm


class FactorsAsImages:
    """A tiny ground-truth dataset whose 'observations' are the factor indices themselves."""

    def __init__(self, values=(2, 4, 8)):
        self.factors_num_values = list(values)

    def sample(self, num, rng):
        rng = np.random.default_rng(rng)
        f = np.stack([rng.integers(0, n, num) for n in self.factors_num_values], axis=1)
        return f, f.astype(np.float64)


SIZES = dict(num_train=3000)
ROTATION = np.linalg.qr(np.random.default_rng(0).standard_normal((3, 3)))[0]


def test_mig_ground_truth_is_perfect_on_few_valued_factors():
    data = FactorsAsImages()
    assert dm.mig(data, lambda x: x, 0, **SIZES)["discrete_mig"] == pytest.approx(1.0, abs=0.02)


def test_mig_orders_ground_truth_rotation_noise_and_constant():
    data = FactorsAsImages()
    truth = dm.mig(data, lambda x: x, 1, **SIZES)["discrete_mig"]
    rotated = dm.mig(data, lambda x: (x - x.mean(0)) @ ROTATION, 1, **SIZES)["discrete_mig"]
    noise = dm.mig(data, lambda x: np.random.default_rng(len(x)).standard_normal((len(x), 3)), 1, **SIZES)["discrete_mig"]
    constant = dm.mig(data, lambda x: np.zeros((len(x), 4)), 1, **SIZES)["discrete_mig"]
    assert truth > rotated + 0.3 and rotated > noise and noise < 0.05 and constant == 0.0


def test_mig_hand_case_one_dimensional_code():
    data = FactorsAsImages((2, 2))
    # the code copies factor 0 and ignores factor 1: gap 1 for factor 0, 0 for factor 1 -> 0.5
    result = dm.mig(data, lambda x: x[:, :1], 2, **SIZES)["discrete_mig"]
    assert result == pytest.approx(0.5, abs=0.01) and math.isfinite(result)


def test_sap_orders_representations_and_handles_degenerate_codes():
    data = FactorsAsImages((2, 3, 2))
    truth = dm.sap(data, lambda x: x, 0, num_train=1500, num_test=800)["SAP_score"]
    noise = dm.sap(data, lambda x: np.random.default_rng(len(x)).standard_normal((len(x), 3)), 0,
                   num_train=1500, num_test=800)["SAP_score"]
    constant = dm.sap(data, lambda x: np.zeros((len(x), 3)), 0, num_train=1500, num_test=800)["SAP_score"]
    single = dm.sap(data, lambda x: x[:, :1], 0, num_train=1500, num_test=800)["SAP_score"]
    assert truth > 0.3 and abs(noise) < 0.05 and constant == pytest.approx(0.0, abs=1e-12)
    assert math.isfinite(single)


def test_metrics_run_on_dsprites_with_an_image_representation():
    data = DSprites(size=16 * 2)
    # a crude hand-made "encoder": centre of mass (x, y) and area of the sprite
    def encode(x):
        img = x[:, 0]
        ys, xs = np.mgrid[0:img.shape[1], 0:img.shape[2]]
        area = img.sum(axis=(1, 2))
        return np.stack([(img * xs).sum((1, 2)) / area, (img * ys).sum((1, 2)) / area, area], axis=1)
    result = dm.mig(data, encode, 0, num_train=2000)["discrete_mig"]
    assert 0.1 < result < 1.0            # position is captured, shape and orientation are not
