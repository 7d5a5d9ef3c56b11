"""Procedural dSprites: deterministic factor -> image map that reacts to every factor value."""
import numpy as np
import pytest

from tinygan.data.dsprites import DSprites


@pytest.fixture(scope="module")
def data():
    return DSprites(size=32)


def _image(data, shape=0, scale=5, orient=0, x=16, y=16):
    return data.sample_observations_from_factors(np.array([[shape, scale, orient, x, y]]))[0, 0]


def test_interface_matches_disentanglement_lib(data):
    assert data.num_factors == 5 and data.factors_num_values == [3, 6, 40, 32, 32]
    assert data.observation_shape == (1, 32, 32)
    factors = data.sample_factors(1000, 0)
    assert factors.shape == (1000, 5) and factors.dtype.kind == "i"
    assert all(factors[:, i].max() == n - 1 and factors[:, i].min() == 0 for i, n in enumerate(data.factors_num_values))
    f, obs = data.sample(8, 1)
    assert obs.shape == (8, 1, 32, 32) and obs.dtype == np.float32 and set(np.unique(obs)) <= {0.0, 1.0}
    np.testing.assert_allclose(data.values[1], np.linspace(0.5, 1, 6))
    assert data.values[2][-1] < 2 * np.pi and data.values[2][0] == 0


def test_deterministic(data):
    f = data.sample_factors(16, 3)
    np.testing.assert_array_equal(data.sample_observations_from_factors(f), data.sample_observations_from_factors(f))


def test_every_value_of_every_factor_changes_the_image():
    data = DSprites(size=64)
    base = [2, 2, 3, 10, 20]     # the heart: no rotational symmetry, so all 40 orientations differ
    for factor, count in enumerate(data.factors_num_values):
        images = []
        for value in range(count):
            f = list(base)
            f[factor] = value
            images.append(data.sample_observations_from_factors(np.array([f]))[0, 0])
        distinct = {img.tobytes() for img in images}
        assert len(distinct) == count, f"factor {data.factor_names[factor]}: {len(distinct)} of {count} values distinct"
        assert all(img.sum() > 20 for img in images)          # a visible sprite, never clipped away
    # as in the original dSprites, symmetric shapes repeat: the ellipse under θ and θ + π
    ellipses = {data.sample_observations_from_factors(np.array([[1, 2, o, 10, 20]]))[0, 0].tobytes() for o in range(40)}
    assert len(ellipses) == 20


def test_factors_act_as_named(data):
    small, big = _image(data, scale=0).sum(), _image(data, scale=5).sum()
    assert big > 2.5 * small                                   # area grows with scale² (0.5 -> 1)
    left, right = _image(data, x=0), _image(data, x=31)
    assert np.argwhere(left)[:, 1].mean() < np.argwhere(right)[:, 1].mean()
    top, bottom = _image(data, y=0), _image(data, y=31)
    assert np.argwhere(top)[:, 0].mean() < np.argwhere(bottom)[:, 0].mean()
    square, ellipse, heart = (_image(data, shape=s) for s in range(3))
    assert square.sum() > ellipse.sum() and len({square.tobytes(), ellipse.tobytes(), heart.tobytes()}) == 3


def test_noisy_variant_keeps_the_sprite_and_fills_the_background():
    clean, noisy = DSprites(size=32), DSprites(size=32, noisy=True)
    f = clean.sample_factors(4, 5)
    a, b = clean.sample_observations_from_factors(f), noisy.sample_observations_from_factors(f, 7)
    assert np.all(b[a == 1] == 1) and 0.4 < b[a == 0].mean() < 0.6


def test_bad_factors_are_refused(data):
    with pytest.raises(ValueError, match="out of range"):
        data.sample_observations_from_factors(np.array([[3, 0, 0, 0, 0]]))
    with pytest.raises(ValueError, match=r"shape \(n, 5\)"):
        data.sample_observations_from_factors(np.zeros((2, 4), int))
