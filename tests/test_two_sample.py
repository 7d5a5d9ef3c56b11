"""tinygan.metrics.two_sample: MMD² against a brute-force double sum and its closed form for
Gaussians, unbiasedness, gradients, and the calibration and power of the three tests."""
import math

import numpy as np
import pytest

import tinygan
from tinygan.errors import ShapeError
from tinygan.metrics.two_sample import c2st, median_bandwidth, mmd2, mmd_test, nn1_accuracy
from tinygan.testing import gradcheck


def brute_mmd2(x, y, sigmas):
    """Gretton et al. 2012, eq. 3, term by term."""
    def k(u, v):
        return sum(math.exp(-float(np.sum((u - v) ** 2)) / (2 * s * s)) for s in sigmas)
    n, m = len(x), len(y)
    xx = sum(k(x[i], x[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    yy = sum(k(y[i], y[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    xy = sum(k(x[i], y[j]) for i in range(n) for j in range(m)) / (n * m)
    return xx + yy - 2 * xy


def gaussian_mmd2(shift, s, sigma, d):
    """Population MMD² between N(0, s²I) and N(shift, s²I) in d dims with the Gaussian kernel σ:
    x − x' ∼ N(0, 2s²I) gives E k = (σ²/(σ² + 2s²))^{d/2}, and the cross term has e^{−‖Δ‖²/(2(σ² + 2s²))}."""
    c = (sigma ** 2 / (sigma ** 2 + 2 * s ** 2)) ** (d / 2)
    return 2 * c * (1 - math.exp(-float(np.sum(np.square(shift))) / (2 * (sigma ** 2 + 2 * s ** 2))))


def t64(array):
    return tinygan.tensor(np.asarray(array, dtype=np.float64), requires_grad=True, dtype=np.float64)


def test_mmd2_equals_the_double_sum():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((7, 3)), rng.standard_normal((5, 3)) + 0.5
    for bandwidth in (1.3, [0.5, 1.0, 4.0]):
        sigmas = bandwidth if isinstance(bandwidth, list) else [bandwidth]
        assert mmd2(x, y, bandwidth=bandwidth) == pytest.approx(brute_mmd2(x, y, sigmas), rel=1e-12)
    sigma = median_bandwidth(x, y)
    z = np.concatenate([x, y])
    pairs = [np.linalg.norm(z[i] - z[j]) for i in range(len(z)) for j in range(i + 1, len(z))]
    assert sigma == pytest.approx(np.median(pairs), rel=1e-14)
    assert mmd2(x, y) == pytest.approx(brute_mmd2(x, y, [sigma]), rel=1e-12)


def test_mmd2_is_unbiased():
    rng = np.random.default_rng(1)
    reps, n = 400, 12
    null = [mmd2(rng.standard_normal((n, 2)), rng.standard_normal((n, 2)), bandwidth=1.0) for _ in range(reps)]
    se = np.std(null) / math.sqrt(reps)
    assert abs(np.mean(null)) < 3 * se                       # E MMD²_u = 0 under p = q
    shift = np.array([0.8, 0.0])
    alt = [mmd2(rng.standard_normal((n, 2)), rng.standard_normal((n, 2)) + shift, bandwidth=1.0) for _ in range(reps)]
    se = np.std(alt) / math.sqrt(reps)
    assert abs(np.mean(alt) - gaussian_mmd2(shift, 1.0, 1.0, 2)) < 3 * se


def test_mmd2_gradcheck_and_tensor_output():
    rng = np.random.default_rng(2)
    x, y = t64(rng.standard_normal((6, 2))), t64(rng.standard_normal((5, 2)) + 0.3)
    assert gradcheck(lambda x, y: mmd2(x, y, bandwidth=0.8), [x, y])
    assert gradcheck(lambda x, y: mmd2(x, y, bandwidth=[0.3, 1.0, 3.0]), [x, y])
    # "median" is computed without gradient: the gradient is that of the fixed bandwidth
    value = mmd2(x, y)
    assert isinstance(value, tinygan.Tensor) and value.requires_grad
    gx, gy = tinygan.grad(value, [x, y])
    fx, fy = tinygan.grad(mmd2(x, y, bandwidth=median_bandwidth(x, y)), [x, y])
    np.testing.assert_allclose(gx.numpy(), fx.numpy(), rtol=1e-12)
    np.testing.assert_allclose(gy.numpy(), fy.numpy(), rtol=1e-12)
    assert isinstance(mmd2(x.numpy(), y.numpy()), float)
    out = mmd2(tinygan.tensor(x.numpy().astype(np.float32), requires_grad=True), y.numpy(), bandwidth=1.0)
    assert out.dtype == np.float32


def test_mmd_test_statistic_calibration_and_power():
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((15, 2)), rng.standard_normal((11, 2))
    result = mmd_test(x, y, permutations=50, random_state=0, bandwidth=0.7)
    assert result.statistic == pytest.approx(mmd2(x, y, bandwidth=0.7), rel=1e-10, abs=1e-14)
    assert result.pvalue >= 1 / 51
    pvalues = np.array([mmd_test(rng.standard_normal((20, 2)), rng.standard_normal((20, 2)),
                                 permutations=100, random_state=i).pvalue for i in range(100)])
    assert np.mean(pvalues <= 0.05) <= 0.12                  # Binomial(100, 0.05): P(> 12) ≈ 2e-4
    assert 0.4 < pvalues.mean() < 0.6                        # p-values ≈ uniform, not stuck at 1
    power = [mmd_test(rng.standard_normal((20, 2)), rng.standard_normal((20, 2)) + [1.5, 0],
                      permutations=100, random_state=i).reject for i in range(20)]
    assert np.mean(power) >= 0.9


def test_c2st_calibration_and_power():
    rng = np.random.default_rng(4)
    null = [c2st(rng.standard_normal((50, 2)), rng.standard_normal((50, 2)), random_state=i) for i in range(100)]
    assert np.mean([r.reject for r in null]) <= 0.12
    assert 0.44 < np.mean([r.statistic for r in null]) < 0.56
    shifted = c2st(rng.standard_normal((100, 2)), rng.standard_normal((120, 2)) + [2.0, 0], random_state=0)
    assert shifted.statistic > 0.8 and shifted.pvalue < 1e-6 and shifted.reject
    # the logistic classifier sees a mean shift; any scikit-learn classifier may be passed
    from sklearn.tree import DecisionTreeClassifier
    x, y = rng.standard_normal((80, 2)), rng.standard_normal((80, 2)) + [2.0, 0]
    assert c2st(x, y, classifier="logistic", random_state=0).pvalue < 1e-6
    assert c2st(x, y, classifier=DecisionTreeClassifier(max_depth=2), random_state=0).pvalue < 1e-4


def test_nn1_accuracy_under_the_null_separation_and_memorisation():
    rng = np.random.default_rng(5)
    n = 25
    null = [nn1_accuracy(rng.standard_normal((n, 2)), rng.standard_normal((n, 2))) for _ in range(100)]
    se = np.std(null) / math.sqrt(len(null))
    assert abs(np.mean(null) - (n - 1) / (2 * n - 1)) < 3 * se   # a point's own sample has one point fewer
    x = rng.standard_normal((n, 2))
    assert nn1_accuracy(x, x + 50.0) == 1.0
    assert nn1_accuracy(x, x + 1e-6) == 0.0                      # "generated" points copy the data


@pytest.mark.parametrize("fn", [mmd2, mmd_test, c2st, nn1_accuracy])
def test_two_sample_bad_inputs(fn):
    name = fn.__name__
    x = np.zeros((5, 3))
    with pytest.raises(ShapeError, match=f"^{name}: x has 3 columns, y has 2$"):
        fn(x, np.zeros((5, 2)))
    with pytest.raises(ValueError, match=f"{name}: y has 0 points"):
        fn(x, np.zeros((0, 3)))
    with pytest.raises(ValueError, match=f"{name}: x has 1 points, needs at least 2"):
        fn(np.zeros((1, 3)), x)
    with pytest.raises(ValueError, match=f"{name}: y contains NaN or inf"):
        fn(x, np.full((4, 3), np.nan))


def test_two_sample_bad_parameters():
    rng = np.random.default_rng(6)
    x, y = rng.standard_normal((5, 2)), rng.standard_normal((6, 2))
    with pytest.raises(ValueError, match="mmd2: bandwidth must be a positive finite number, got 0"):
        mmd2(x, y, bandwidth=0)
    with pytest.raises(ValueError, match="mmd2: bandwidth must be a positive finite number, got -1"):
        mmd2(x, y, bandwidth=[1.0, -1.0])
    with pytest.raises(ValueError, match="mmd2: bandwidth must be 'median'"):
        mmd2(x, y, bandwidth="mean")
    with pytest.raises(ValueError, match="mmd2: only kernel='gaussian'"):
        mmd2(x, y, kernel="laplacian")
    with pytest.raises(ValueError, match="median_bandwidth: the median pairwise distance .* is 0"):
        mmd2(np.zeros((5, 2)), np.zeros((5, 2)))
    with pytest.raises(ValueError, match="mmd_test: permutations must be ≥ 1"):
        mmd_test(x, y, permutations=0)
    with pytest.raises(ValueError, match="c2st: classifier must be 'knn'"):
        c2st(x, y, classifier="svm")
    with pytest.raises(ValueError, match="c2st: test_fraction must be in"):
        c2st(x, y, test_fraction=1.0)
