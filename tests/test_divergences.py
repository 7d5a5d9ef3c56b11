"""tinygan.divergences against independent oracles: hand-computed values, scipy (stats, linprog,
linear_sum_assignment), POT when installed, Monte Carlo, and bounds that the theory guarantees."""
import math
import warnings

import numpy as np
import pytest
from scipy import stats
from scipy.optimize import linear_sum_assignment, linprog
from scipy.spatial.distance import cdist

import tinygan
from tinygan.divergences import (earth_movers_example, emd, jsd, kl, kl_gaussian, sinkhorn,
                                 sinkhorn_divergence, wasserstein1_points, wasserstein_1d)
from tinygan.errors import ShapeError
from tinygan.testing import gradcheck

LOG2 = math.log(2)


def dense_lp(a, b, M):
    """The transport LP with a dense constraint matrix, written out independently of emd."""
    n, m = M.shape
    A = np.zeros((n + m, n * m))
    for i in range(n):
        A[i, i * m:(i + 1) * m] = 1
    for j in range(m):
        A[n + j, j::m] = 1
    res = linprog(M.ravel(), A_eq=A, b_eq=np.concatenate([a, b]), bounds=(0, None), method="highs")
    assert res.status == 0
    return res.fun


def simplex(rng, n):
    w = rng.random(n) + 0.05
    return w / w.sum()


def t64(array, requires_grad=True):
    return tinygan.tensor(np.asarray(array, dtype=np.float64), requires_grad=requires_grad, dtype=np.float64)


# ---- KL and JSD ---------------------------------------------------------------------------------
def test_kl_hand_computed_cases():
    assert kl([0.5, 0.5], [0.9, 0.1]) == pytest.approx(0.5 * math.log(0.5 / 0.9) + 0.5 * math.log(0.5 / 0.1), abs=1e-15)
    assert kl([0.0, 1.0], [0.5, 0.5]) == pytest.approx(LOG2, abs=1e-15)          # 0·log 0 = 0
    assert kl([0.5, 0.5], [1.0, 0.0]) == math.inf                               # q = 0 < p
    assert kl([0.2, 0.3, 0.5], [0.2, 0.3, 0.5]) == 0.0
    # any shape, summed over all axes
    p = np.array([[0.1, 0.2], [0.3, 0.4]])
    q = np.array([[0.25, 0.25], [0.25, 0.25]])
    assert kl(p, q) == pytest.approx(sum(v * math.log(v / 0.25) for v in (0.1, 0.2, 0.3, 0.4)), abs=1e-15)


def test_jsd_hand_computed_and_the_log2_bound():
    # the lecture: disjoint supports give exactly log 2 whatever the distance between them
    assert jsd([0.5, 0.5, 0, 0], [0, 0, 0.3, 0.7]) == pytest.approx(LOG2, abs=1e-15)
    assert jsd([1, 0], [0, 1]) == pytest.approx(LOG2, abs=1e-15)
    assert jsd([0.3, 0.7], [0.3, 0.7]) == 0.0
    expected = 0.5 * math.log(1 / 0.75) + 0.5 * (0.5 * math.log(0.5 / 0.75) + 0.5 * math.log(0.5 / 0.25))
    assert jsd([1, 0], [0.5, 0.5]) == pytest.approx(expected, abs=1e-15)
    rng = np.random.default_rng(0)
    for _ in range(50):
        p, q = simplex(rng, 6), simplex(rng, 6)
        value = jsd(p, q)
        assert 0 < value < LOG2
        assert value == pytest.approx(jsd(q, p), abs=1e-15)
        assert value <= 0.25 * (kl(p, q) + kl(q, p)) + 1e-15      # KL(p‖m) ≤ ½ KL(p‖q) by convexity


@pytest.mark.parametrize("fn", [kl, jsd])
def test_kl_jsd_bad_inputs(fn):
    name = fn.__name__
    with pytest.raises(ValueError, match=f"{name}: p has negative entries"):
        fn([1.2, -0.2], [0.5, 0.5])
    with pytest.raises(ValueError, match=f"{name}: q contains NaN"):
        fn([0.5, 0.5], [np.nan, 1.0])
    with pytest.raises(ShapeError, match=rf"{name}: p has shape \(2,\), q has shape \(3,\)"):
        fn([0.5, 0.5], [0.2, 0.3, 0.5])
    with pytest.raises(ValueError, match=f"{name}: q sums to 0.9"):
        fn([0.5, 0.5], [0.4, 0.5])
    fn([0.5, 0.5], [0.4, 0.605], tol=1e-2)                       # within a looser tol


def test_kl_gaussian_univariate_and_diagonal_formulas():
    def univariate(m1, s1, m2, s2):
        return math.log(s2 / s1) + (s1 ** 2 + (m1 - m2) ** 2) / (2 * s2 ** 2) - 0.5
    assert kl_gaussian(0.3, 1.5 ** 2, -1.0, 0.7 ** 2) == pytest.approx(univariate(0.3, 1.5, -1.0, 0.7), rel=1e-13)
    # diagonal = sum of univariate terms, given as variances or as a full diagonal matrix
    m1, v1, m2, v2 = np.array([0.0, 1.0]), np.array([1.0, 4.0]), np.array([1.0, -1.0]), np.array([2.0, 0.5])
    expected = sum(univariate(m1[i], math.sqrt(v1[i]), m2[i], math.sqrt(v2[i])) for i in range(2))
    assert kl_gaussian(m1, v1, m2, v2) == pytest.approx(expected, rel=1e-13)
    assert kl_gaussian(m1, np.diag(v1), m2, np.diag(v2)) == pytest.approx(expected, rel=1e-12)
    assert kl_gaussian(m1, v1, m2, np.diag(v2)) == pytest.approx(expected, rel=1e-12)
    assert kl_gaussian(m1, v1, m1, v1) == 0.0


def test_kl_gaussian_full_covariance_against_monte_carlo():
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((3, 3)), rng.standard_normal((3, 3))
    cov1, cov2 = a @ a.T + 0.5 * np.eye(3), b @ b.T + 0.5 * np.eye(3)
    mu1, mu2 = rng.standard_normal(3), rng.standard_normal(3)
    x = rng.multivariate_normal(mu1, cov1, size=200_000)
    log_ratio = stats.multivariate_normal(mu1, cov1).logpdf(x) - stats.multivariate_normal(mu2, cov2).logpdf(x)
    se = log_ratio.std() / math.sqrt(len(x))
    assert abs(kl_gaussian(mu1, cov1, mu2, cov2) - log_ratio.mean()) < 4 * se


def test_kl_gaussian_bad_inputs():
    with pytest.raises(ValueError, match="kl_gaussian: cov2 .* not positive definite"):
        kl_gaussian([0, 0], np.eye(2), [0, 0], np.array([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(ValueError, match="kl_gaussian: cov1 has non-positive variances"):
        kl_gaussian([0, 0], [1.0, 0.0], [0, 0], [1.0, 1.0])
    with pytest.raises(ShapeError, match=r"kl_gaussian: mu1 \(2,\) needs cov1 of shape"):
        kl_gaussian([0, 0], np.eye(3), [0, 0], np.eye(2))
    with pytest.raises(ShapeError, match="kl_gaussian: mu1 has shape"):
        kl_gaussian([0, 0], [1, 1], [0, 0, 0], [1, 1, 1])
    with pytest.raises(ValueError, match="kl_gaussian: mu2 contains NaN"):
        kl_gaussian([0.0], [1.0], [np.nan], [1.0])


# ---- 1-d Wasserstein -----------------------------------------------------------------------------
def test_wasserstein_1d_scipy_documented_examples():
    assert wasserstein_1d([0, 1, 3], [5, 6, 8]) == pytest.approx(5.0, abs=1e-14)
    assert wasserstein_1d([0, 1], [0, 1], [3, 1], [2, 2]) == pytest.approx(0.25, abs=1e-14)
    assert wasserstein_1d([3.4, 3.9, 7.5, 7.8], [4.5, 1.4], [1.4, 0.9, 3.1, 7.2], [3.2, 3.5]) == \
        pytest.approx(4.0781331438047861, rel=1e-13)


def test_wasserstein_1d_matches_scipy_on_weighted_unequal_samples():
    rng = np.random.default_rng(2)
    for n, m in [(1, 1), (1, 5), (7, 3), (40, 25), (200, 333)]:
        u, v = rng.standard_normal(n) * 2, rng.standard_normal(m) + 1
        wu, wv = rng.random(n), rng.random(m)
        if m > 2:
            wv[::3] = 0.0                                            # zero weights too
        u[: n // 3] = np.round(u[: n // 3])                          # and ties
        expected = stats.wasserstein_distance(u, v, wu, wv)
        assert wasserstein_1d(u, v, wu, wv) == pytest.approx(expected, rel=1e-10, abs=1e-13)
        assert wasserstein_1d(u, v) == pytest.approx(stats.wasserstein_distance(u, v), rel=1e-10, abs=1e-13)


@pytest.mark.parametrize("p", [1, 2])
def test_wasserstein_1d_equal_sizes_is_the_sorted_matching(p):
    rng = np.random.default_rng(3)
    u, v = rng.standard_normal(101), rng.exponential(size=101)
    expected = np.mean(np.abs(np.sort(u) - np.sort(v)) ** p) ** (1 / p)
    assert wasserstein_1d(u, v, p=p) == pytest.approx(expected, rel=1e-12)


def test_wasserstein_1d_p2_weighted_against_the_lp():
    rng = np.random.default_rng(4)
    for n, m in [(4, 6), (9, 5)]:
        u, v = rng.standard_normal(n), rng.standard_normal(m) + 0.5
        a, b = simplex(rng, n), simplex(rng, m)
        w2 = math.sqrt(dense_lp(a, b, (u[:, None] - v[None, :]) ** 2))
        assert wasserstein_1d(u, v, a, b, p=2) == pytest.approx(w2, rel=1e-7)


def test_wasserstein_1d_bad_inputs():
    with pytest.raises(ValueError, match="wasserstein_1d: u_values must be a non-empty 1-d array"):
        wasserstein_1d([], [1.0])
    with pytest.raises(ValueError, match="wasserstein_1d: v_values contains NaN"):
        wasserstein_1d([0.0], [np.nan])
    with pytest.raises(ValueError, match="wasserstein_1d: u_weights must be nonnegative"):
        wasserstein_1d([0.0, 1.0], [1.0], [1.0, -1.0])
    with pytest.raises(ShapeError, match=r"wasserstein_1d: v_weights has shape \(2,\), expected \(1,\)"):
        wasserstein_1d([0.0], [1.0], None, [0.5, 0.5])
    with pytest.raises(ValueError, match="wasserstein_1d: p must be ≥ 1"):
        wasserstein_1d([0.0], [1.0], p=0.5)


# ---- exact discrete OT -----------------------------------------------------------------------------
def test_emd_matches_a_dense_lp_and_its_plan_has_the_marginals():
    rng = np.random.default_rng(5)
    for n, m, d in [(1, 4, 2), (5, 7, 2), (8, 3, 3)]:
        a, b = simplex(rng, n), simplex(rng, m)
        M = cdist(rng.standard_normal((n, d)), rng.standard_normal((m, d)))
        cost, plan = emd(a, b, M)
        assert cost == pytest.approx(dense_lp(a, b, M), rel=1e-9)
        np.testing.assert_allclose(plan.sum(axis=1), a, atol=1e-9)
        np.testing.assert_allclose(plan.sum(axis=0), b, atol=1e-9)
        assert plan.min() >= 0
        assert np.sum(plan * M) == pytest.approx(cost, rel=1e-12)


def test_emd_matches_pot():
    ot = pytest.importorskip("ot")
    rng = np.random.default_rng(6)
    for n, m in [(6, 9), (20, 15)]:
        a, b = simplex(rng, n), simplex(rng, m)
        M = cdist(rng.standard_normal((n, 2)), rng.standard_normal((m, 2)) + 1) ** 2
        assert emd(a, b, M)[0] == pytest.approx(ot.emd2(a, b, M), rel=1e-9)


def test_emd_in_one_dimension_is_wasserstein_1d():
    rng = np.random.default_rng(7)
    u, v = rng.standard_normal(9), rng.standard_normal(12) * 2
    a, b = simplex(rng, 9), simplex(rng, 12)
    assert emd(a, b, np.abs(u[:, None] - v[None, :]))[0] == pytest.approx(wasserstein_1d(u, v, a, b), rel=1e-9)


def test_assignment_path_equals_the_lp():
    rng = np.random.default_rng(8)
    for n in (1, 2, 6, 12):
        w = np.full(n, 1.0 / n)
        M = rng.random((n, n)) * 3
        cost_a, plan_a = emd(w, w, M, method="assignment")
        cost_lp, _ = emd(w, w, M, method="lp")
        assert cost_a == pytest.approx(cost_lp, rel=1e-9)
        assert cost_a == pytest.approx(dense_lp(w, w, M), rel=1e-9)
        np.testing.assert_allclose(plan_a.sum(axis=0), w)
        assert emd(w, w, M)[0] == cost_a                             # "auto" takes this path


def test_warm_started_assignment_is_still_the_exact_optimum():
    # n ≥ 256 subtracts entropic potentials first; compare with the solver on the raw costs
    rng = np.random.default_rng(9)
    x, y = rng.standard_normal((300, 2)), rng.standard_normal((300, 2)) + 1.5
    M = cdist(x, y)
    rows, cols = linear_sum_assignment(M)
    w = np.full(300, 1 / 300)
    assert emd(w, w, M)[0] == pytest.approx(M[rows, cols].mean(), rel=1e-12)


def test_earth_movers_example_of_the_lecture():
    result = earth_movers_example()
    assert result.cost == pytest.approx(5.0, abs=1e-9)               # 2 + 2 + 1
    assert result.moves == (2.0, 2.0, 1.0)
    np.testing.assert_allclose(result.plan.sum(axis=1), [3, 2, 1, 4], atol=1e-9)
    np.testing.assert_allclose(result.plan.sum(axis=0), [1, 2, 4, 3], atol=1e-9)
    cells = np.arange(4)
    assert np.sum(result.plan * np.abs(cells[:, None] - cells[None, :])) == pytest.approx(5.0, abs=1e-9)


def test_wasserstein1_points_of_a_translation_is_its_length():
    # the lecture's π = (0, U[0, 1]) vs p = (θ, U[0, 1]): W = |θ| (and any translate: W1 = ‖t‖)
    rng = np.random.default_rng(10)
    u = rng.random(400)
    for theta in (0.0, 0.3, -2.0):
        x, y = np.c_[np.zeros(400), u], np.c_[np.full(400, theta), u]
        assert wasserstein1_points(x, y) == pytest.approx(abs(theta), abs=1e-9)
    x = rng.standard_normal((50, 3))
    assert wasserstein1_points(x, x + [0.3, -0.4, 1.2]) == pytest.approx(1.3, rel=1e-9)


def test_wasserstein1_points_unequal_sizes_and_pot():
    rng = np.random.default_rng(11)
    x, y = rng.standard_normal((12, 2)), rng.standard_normal((7, 2)) + 1
    a, b = np.full(12, 1 / 12), np.full(7, 1 / 7)
    assert wasserstein1_points(x, y) == pytest.approx(dense_lp(a, b, cdist(x, y)), rel=1e-9)
    ot = pytest.importorskip("ot")
    x, y = rng.standard_normal((40, 2)), rng.standard_normal((40, 2)) * 2
    w = np.full(40, 1 / 40)
    assert wasserstein1_points(x, y) == pytest.approx(ot.emd2(w, w, cdist(x, y)), rel=1e-9)


def test_emd_bad_inputs():
    M = np.ones((2, 3))
    with pytest.raises(ValueError, match="emd: a and b must have equal total mass"):
        emd([0.5, 0.5], [0.2, 0.2, 0.2], M)
    with pytest.raises(ShapeError, match=r"emd: a \(2,\) and b \(3,\) need M of shape \(2, 3\), got \(3, 2\)"):
        emd([0.5, 0.5], [0.2, 0.3, 0.5], M.T)
    with pytest.raises(ValueError, match="emd: a must be nonnegative"):
        emd([1.5, -0.5], [0.2, 0.3, 0.5], M)
    with pytest.raises(ValueError, match="emd: M contains NaN"):
        emd([0.5, 0.5], [0.2, 0.3, 0.5], np.full((2, 3), np.nan))
    with pytest.raises(ValueError, match="emd: method='assignment' needs equal sizes and uniform weights"):
        emd([0.5, 0.5], [0.2, 0.3, 0.5], M, method="assignment")
    with pytest.raises(ShapeError, match="wasserstein1_points: x has 3 columns, y has 2"):
        wasserstein1_points(np.zeros((4, 3)), np.zeros((4, 2)))
    with pytest.raises(ValueError, match="wasserstein1_points: y has 0 points"):
        wasserstein1_points(np.zeros((4, 2)), np.zeros((0, 2)))


# ---- Sinkhorn --------------------------------------------------------------------------------------
def test_sinkhorn_plan_and_value_match_pot():
    ot = pytest.importorskip("ot")
    rng = np.random.default_rng(12)
    x, y = rng.standard_normal((9, 2)), rng.standard_normal((6, 2)) + 0.5
    a, b = simplex(rng, 9), simplex(rng, 6)
    eps = 0.2
    value, plan = sinkhorn(x, y, eps, a, b, tol=1e-12, return_plan=True)
    M = ot.dist(x, y)                                         # squared Euclidean, as p = 2
    ref = ot.sinkhorn(a, b, M, eps, method="sinkhorn_log", stopThr=1e-14, numItermax=100_000)
    np.testing.assert_allclose(plan, ref, atol=1e-10)
    # POT minimises ⟨P, M⟩ − ε H(P); the minimiser is the same, so compare the value of one
    # objective, ⟨P, M⟩ + ε KL(P ‖ a⊗b), at POT's plan
    assert value == pytest.approx(np.sum(ref * M) + eps * np.sum(ref * np.log(ref / np.outer(a, b))), rel=1e-9)
    # ot.sinkhorn2 reports the transport part ⟨P, M⟩ of that plan alone
    pot_cost = ot.sinkhorn2(a, b, M, eps, method="sinkhorn_log", stopThr=1e-14, numItermax=100_000)
    assert np.sum(plan * M) == pytest.approx(float(pot_cost), rel=1e-9)


@pytest.mark.filterwarnings("ignore:sinkhorn. marginal error")      # ε = 1e-3 converges slowly here
def test_sinkhorn_tends_to_emd_within_the_entropy_bound():
    # 0 ≤ OT_ε − W ≤ ε KL(P* ‖ a⊗b) ≤ ε log n for uniform weights (P* a permutation / n)
    rng = np.random.default_rng(13)
    n = 30
    x, y = rng.random((n, 2)), rng.random((n, 2)) + [0.3, 0]
    w = np.full(n, 1 / n)
    for p in (1, 2):
        exact, _ = emd(w, w, cdist(x, y) ** p)
        gaps = []
        for eps in (1e-1, 1e-2, 1e-3):
            value = sinkhorn(x, y, eps, p=p, tol=1e-6, max_iter=2000)
            assert exact - 1e-9 <= value <= exact + eps * math.log(n)
            gaps.append(value - exact)
        assert gaps[0] > gaps[1] > gaps[2]
        divergence = sinkhorn_divergence(x, y, 1e-3, p=p, tol=1e-6, max_iter=2000)
        assert divergence == pytest.approx(exact, abs=1e-3 * math.log(n))


def test_sinkhorn_is_stable_at_small_epsilon():
    # ε = 1e-3 of the largest cost: a plain kernel e^{-C/ε} would underflow to 0 everywhere
    rng = np.random.default_rng(14)
    x, y = rng.standard_normal((50, 2)) * 5, rng.standard_normal((40, 2)) * 5 + 10
    scale = cdist(x, y).max() ** 2
    a, b = np.full(50, 1 / 50), np.full(40, 1 / 40)
    exact, _ = emd(a, b, cdist(x, y) ** 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")                            # converges: no warning either
        value = sinkhorn(x, y, 1e-3 * scale, tol=1e-6, max_iter=5000)
    assert math.isfinite(value)
    assert exact <= value <= exact + 1e-3 * scale * math.log(50)


def test_sinkhorn_gradcheck_with_respect_to_both_clouds():
    rng = np.random.default_rng(15)
    x, y = t64(rng.standard_normal((5, 2))), t64(rng.standard_normal((4, 2)) + 0.5)
    a, b = simplex(rng, 5), simplex(rng, 4)
    assert gradcheck(lambda x, y: sinkhorn(x, y, 0.5, a, b, tol=1e-13), [x, y])
    assert gradcheck(lambda x, y: sinkhorn(x, y, 0.3, p=1, tol=1e-13), [x, y])
    assert gradcheck(lambda x, y: sinkhorn_divergence(x, y, 0.5, tol=1e-13), [x, y])


def test_sinkhorn_symmetry_types_and_zero_weights():
    rng = np.random.default_rng(16)
    x, y = rng.standard_normal((8, 3)), rng.standard_normal((5, 3))
    assert isinstance(sinkhorn(x, y, 0.5), float)
    assert sinkhorn(x, y, 0.5, tol=1e-12) == pytest.approx(sinkhorn(y, x, 0.5, tol=1e-12), rel=1e-10)
    out = sinkhorn(tinygan.tensor(x.astype(np.float32), requires_grad=True), y, 0.5)
    assert isinstance(out, tinygan.Tensor) and out.dtype == np.float32 and out.requires_grad
    # a point of weight 0 takes no part (and gets no gradient)
    a = np.r_[np.full(7, 1 / 7), 0.0]
    tx = t64(x)
    value = sinkhorn(tx, y, 0.5, a=a, tol=1e-12)
    value.backward()
    assert value.item() == pytest.approx(sinkhorn(x[:7], y, 0.5, tol=1e-12), rel=1e-10)
    assert np.all(tx.grad.numpy()[7] == 0)
    assert sinkhorn_divergence(x, x, 0.5, tol=1e-12) == pytest.approx(0.0, abs=1e-10)
    # points on a line may come as 1-d arrays; one point against one costs its distance²
    assert sinkhorn(np.array([0.0, 1.0]), np.array([[0.0], [1.0]]), 0.01, tol=1e-12) < 0.01 * math.log(2) + 1e-9
    assert sinkhorn(np.array([0.0]), np.array([3.0]), 0.1) == pytest.approx(9.0, rel=1e-12)
    assert sinkhorn_divergence(x, y, 0.5, tol=1e-12) > 0


def test_sinkhorn_bad_inputs():
    x, y = np.zeros((4, 3)), np.zeros((5, 2))
    with pytest.raises(ShapeError, match="^sinkhorn: x has 3 columns, y has 2$"):
        sinkhorn(x, y, 0.1)
    with pytest.raises(ValueError, match="sinkhorn: epsilon must be a positive finite number, got 0"):
        sinkhorn(x, x, 0)
    with pytest.raises(ValueError, match="sinkhorn: epsilon must be a positive finite number"):
        sinkhorn(x, x, -1.0)
    with pytest.raises(ValueError, match="sinkhorn: y has 0 points"):
        sinkhorn(x, np.zeros((0, 3)), 0.1)
    with pytest.raises(ValueError, match="sinkhorn: x contains NaN"):
        sinkhorn(np.full((2, 3), np.nan), x, 0.1)
    with pytest.raises(ValueError, match="sinkhorn: a sums to 0.8"):
        sinkhorn(x, x, 0.1, a=[0.2, 0.2, 0.2, 0.2])
    with pytest.raises(ValueError, match="sinkhorn: b has negative entries"):
        sinkhorn(x, x, 0.1, b=[0.5, 0.6, 0.1, -0.2])
    with pytest.raises(ShapeError, match=r"sinkhorn: a has shape \(2,\), expected \(4,\)"):
        sinkhorn(x, x, 0.1, a=[0.5, 0.5])
    with pytest.raises(ShapeError, match="sinkhorn: x must be a point cloud of shape"):
        sinkhorn(np.zeros((2, 2, 2)), x, 0.1)
    with pytest.raises(ShapeError, match="^sinkhorn: x has 3 columns, y has 2$"):
        sinkhorn_divergence(x, y, 0.1)
