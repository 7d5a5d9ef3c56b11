"""Two-sample tests — the lecture's "likelihood-free" view of generative models: is a sample
from the model distinguishable from a sample of the data?

- mmd2 / mmd_test: the kernel maximum mean discrepancy (Gretton et al. 2012, JMLR, "A Kernel
  Two-Sample Test"), differentiable in tinygan ops so it can train a generator (GMMN: Li,
  Swersky & Zemel 2015), with a permutation test;
- c2st: the classifier two-sample test (Lopez-Paz & Oquab 2017, ICLR);
- nn1_accuracy: leave-one-out 1-nearest-neighbour accuracy (Lopez-Paz & Oquab 2017; used as a
  GAN metric by Xu et al. 2018, "An empirical study on evaluation metrics of GANs").
"""
from typing import NamedTuple

import numpy as np
from scipy.spatial.distance import pdist

from tinygan.autograd import no_grad
from tinygan.divergences._common import point_pair, positive, sq_dists
from tinygan.tensor import Tensor

_BLOCK_ENTRIES = 1 << 21     # kernel rows are summed in blocks of ≤ 2M entries (16 MB in float64):
                             # they stay under glibc's mmap threshold, so no page faults per block


class TwoSampleResult(NamedTuple):
    statistic: float
    pvalue: float
    reject: bool             # pvalue ≤ alpha


def median_bandwidth(x, y, max_points=1000, random_state=0):
    """The median heuristic (Gretton et al. 2012, §8): σ = median ‖z_i − z_j‖ over pairs of the
    pooled sample, on at most max_points of it drawn without replacement (a fixed seed keeps
    mmd2 a deterministic function of its inputs). Never differentiated."""
    _, _, ax, ay = point_pair("median_bandwidth", x, y)
    z = np.concatenate([ax, ay])
    if len(z) > max_points:
        z = z[np.random.default_rng(random_state).choice(len(z), max_points, replace=False)]
    sigma = float(np.median(pdist(z))) if len(z) > 1 else 0.0
    if not sigma > 0:
        raise ValueError(f"median_bandwidth: the median pairwise distance of the {len(z)} pooled points is 0; "
                         "pass a bandwidth")
    return sigma


def _bandwidths(name, bandwidth, x, y):
    if isinstance(bandwidth, str):
        if bandwidth != "median":
            raise ValueError(f"{name}: bandwidth must be 'median', a positive float or a list of them, "
                             f"got {bandwidth!r}")
        return [median_bandwidth(x, y)]
    values = list(bandwidth) if isinstance(bandwidth, (list, tuple, np.ndarray)) else [bandwidth]
    if not values:
        raise ValueError(f"{name}: bandwidth list is empty")
    return [positive(name, "bandwidth", s) for s in values]


def _kernel_sum(a, b, sigmas):
    """Σ_ij Σ_σ exp(−‖a_i − b_j‖² / (2σ²)) as a 0-d Tensor, over row blocks of a."""
    rows = max(1, _BLOCK_ENTRIES // max(b.shape[0], 1))
    total = 0.0
    for start in range(0, a.shape[0], rows):
        block = a[start:start + rows] if a.shape[0] > rows else a
        d2 = sq_dists(block, b)                          # once per block, shared by every σ
        for s in sigmas:
            total = total + (d2 * (-0.5 / s ** 2)).exp().sum()
    return total


def _check_kernel(name, kernel):
    if kernel != "gaussian":
        raise ValueError(f"{name}: only kernel='gaussian' is implemented, got {kernel!r}")


def mmd2(x, y, kernel="gaussian", bandwidth="median"):
    """Unbiased estimate of MMD²(p, q) from x ∼ p (n, d) and y ∼ q (m, d), n, m ≥ 2
    (Gretton et al. 2012, eq. 3, the U-statistic):

        MMD²_u = Σ_{i≠j} k(x_i, x_j) / (n(n−1)) + Σ_{i≠j} k(y_i, y_j) / (m(m−1))
                 − 2 Σ_{i,j} k(x_i, y_j) / (nm),

    with the Gaussian kernel k(x, y) = exp(−‖x − y‖²/(2σ²)). bandwidth: σ, a list of σ's (the
    kernel is then their sum, as in GMMN, Li et al. 2015), or "median" (median_bandwidth,
    computed without gradient). Its expectation is exactly MMD²(p, q), so it can be negative
    when p = q. Returns a 0-d Tensor, differentiable in x and y, if either is a Tensor; else a
    float. Written in tinygan ops, so it can serve as a training loss."""
    name = "mmd2"
    _check_kernel(name, kernel)
    tx, ty, ax, ay = point_pair(name, x, y, min_points=2)
    sigmas = _bandwidths(name, bandwidth, ax, ay)
    n, m, q = ax.shape[0], ay.shape[0], len(sigmas)
    # k(z, z) = q for every point (one per bandwidth): the i = j terms are removed exactly
    value = ((_kernel_sum(tx, tx, sigmas) - n * q) * (1.0 / (n * (n - 1)))
             + (_kernel_sum(ty, ty, sigmas) - m * q) * (1.0 / (m * (m - 1)))
             - _kernel_sum(tx, ty, sigmas) * (2.0 / (n * m)))
    return value if isinstance(x, Tensor) or isinstance(y, Tensor) else value.item()


def mmd_test(x, y, permutations=1000, alpha=0.05, random_state=None, kernel="gaussian", bandwidth="median"):
    """Permutation test of H0: p = q with the statistic mmd2 (Gretton et al. 2012, §8).

    The joint kernel matrix K of the pooled sample is built once; a relabelling is an indicator
    vector s of the "x" points, and with K₀ = K minus its diagonal, T = 1ᵀK₀1 and r = K₀1:
        S_xx = sᵀK₀s,   S_xy = sᵀr − S_xx,   S_yy = T − 2 sᵀr + S_xx,
    so all permutations cost one (N × N)·(N × P) product. p-value = (1 + #{T_π ≥ T}) / (1 + P),
    which is exactly valid under H0 (Phipson & Smyth 2010). Returns TwoSampleResult."""
    name = "mmd_test"
    _check_kernel(name, kernel)
    if int(permutations) < 1:
        raise ValueError(f"{name}: permutations must be ≥ 1, got {permutations}")
    if not 0 < alpha < 1:
        raise ValueError(f"{name}: alpha must be in (0, 1), got {alpha}")
    _, _, ax, ay = point_pair(name, x, y, min_points=2)
    sigmas = _bandwidths(name, bandwidth, ax, ay)
    n, m = len(ax), len(ay)
    z = Tensor(np.concatenate([ax, ay]))
    with no_grad():
        gram = sum(sq_dists(z, z, scale=-0.5 / s ** 2).exp().array for s in sigmas)
    np.fill_diagonal(gram, 0.0)
    rng = np.random.default_rng(random_state)
    labels = np.zeros((n + m, int(permutations) + 1))
    labels[:n, 0] = 1                                               # column 0: the observed split
    for k in range(1, labels.shape[1]):
        labels[rng.permutation(n + m)[:n], k] = 1
    r, total = gram.sum(axis=1), gram.sum()
    s_xx = np.einsum("ip,ip->p", labels, gram @ labels)
    s_r = labels.T @ r
    stats = (s_xx / (n * (n - 1)) + (total - 2 * s_r + s_xx) / (m * (m - 1)) - 2 * (s_r - s_xx) / (n * m))
    pvalue = float((1 + np.sum(stats[1:] >= stats[0])) / labels.shape[1])
    return TwoSampleResult(float(stats[0]), pvalue, pvalue <= alpha)


def _pooled(ax, ay):
    """The pooled sample and its labels: 0 for x, 1 for y."""
    return np.concatenate([ax, ay]), np.r_[np.zeros(len(ax), int), np.ones(len(ay), int)]


def c2st(x, y, classifier="knn", test_fraction=0.5, alpha=0.05, random_state=None):
    """Classifier two-sample test (Lopez-Paz & Oquab 2017): label x 0 and y 1, train a
    classifier on a stratified part of the pooled sample, measure its accuracy on the rest.
    Under H0 (p = q) no classifier beats chance, so the number of correct held-out predictions
    is Binomial(n_test, ½); the p-value is one-sided, P(Bin ≥ correct) (scipy's binomtest).
    The larger sample is first subsampled to the smaller one's size, so chance is exactly ½.

    classifier: "knn" (default: k-nearest neighbours with k the largest odd number ≤ √n_train —
    no training loop, no seed sensitivity, consistent for any pair of laws), "logistic"
    (detects mean shifts only), "mlp" (scikit-learn's MLPClassifier, 2 × 32 units; slower), or
    any scikit-learn classifier (cloned). Returns TwoSampleResult with statistic = the accuracy."""
    from sklearn.base import clone
    from scipy.stats import binomtest                  # here, not at the top: scipy.stats takes ~0.7 s to import
    from sklearn.model_selection import train_test_split

    name = "c2st"
    if not 0 < test_fraction < 1:
        raise ValueError(f"{name}: test_fraction must be in (0, 1), got {test_fraction}")
    _, _, ax, ay = point_pair(name, x, y, min_points=2)
    rng = np.random.default_rng(random_state)
    size = min(len(ax), len(ay))
    ax, ay = (s[rng.choice(len(s), size, replace=False)] if len(s) > size else s for s in (ax, ay))
    z, labels = _pooled(ax, ay)
    seed = int(rng.integers(2 ** 31))
    z_tr, z_te, l_tr, l_te = train_test_split(z, labels, test_size=test_fraction, stratify=labels,
                                              random_state=seed)
    model = clone(_classifier(name, classifier, len(z_tr), seed)).fit(z_tr, l_tr)
    correct = int(np.sum(model.predict(z_te) == l_te))
    pvalue = float(binomtest(correct, len(l_te), 0.5, alternative="greater").pvalue)
    return TwoSampleResult(correct / len(l_te), pvalue, pvalue <= alpha)


def _classifier(name, classifier, n_train, seed):
    if not isinstance(classifier, str):
        return classifier
    if classifier == "knn":
        from sklearn.neighbors import KNeighborsClassifier
        k = max(1, int(np.sqrt(n_train)))
        return KNeighborsClassifier(n_neighbors=k if k % 2 else k - 1)
    if classifier == "logistic":
        from sklearn.linear_model import LogisticRegression
        return LogisticRegression()
    if classifier == "mlp":
        from sklearn.neural_network import MLPClassifier
        return MLPClassifier((32, 32), max_iter=500, random_state=seed)
    raise ValueError(f"{name}: classifier must be 'knn', 'logistic', 'mlp' or a scikit-learn classifier, "
                     f"got {classifier!r}")


def nn1_accuracy(x, y):
    """Leave-one-out accuracy of the 1-nearest-neighbour classifier on the pooled, labelled
    sample (Lopez-Paz & Oquab 2017; Xu et al. 2018): each point is classified by its nearest
    *other* point. ≈ ½ when x and y come from one law (exactly (n−1)/(2n−1) in expectation for
    n = m, since a point's own sample has one candidate fewer), → 1 as they separate; near 0
    means memorisation (each generated point sits on a training point)."""
    from sklearn.neighbors import NearestNeighbors

    _, _, ax, ay = point_pair("nn1_accuracy", x, y, min_points=2)
    z, labels = _pooled(ax, ay)
    _, index = NearestNeighbors(n_neighbors=1).fit(z).kneighbors()     # no X: a point is not its own neighbour
    return float(np.mean(labels[index[:, 0]] == labels))
