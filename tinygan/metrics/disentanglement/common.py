"""Disentanglement metrics with disentanglement_lib's definitions (Locatello et al. 2019).

Every metric is `metric(dataset, representation_fn, random_state, **sizes) -> dict of floats`;
`dataset` has the ground-truth interface of tinygan.data.dsprites.DSprites and
`representation_fn` maps a batch of observations to an (n, d) array (e.g. the encoder means).
Degenerate codes (constant or dead dimensions, a single dimension) give defined scores, never NaN.
So far: MIG and SAP. (BetaVAE, FactorVAE, DCI and Modularity/Explicitness are still to come.)
"""
import numpy as np
from sklearn.metrics import mutual_info_score
from sklearn.svm import LinearSVC


def factor_codes(dataset, representation_fn, num, rng, batch_size=64):
    """(codes (num, d), factor indices (num, F)) for num random observations."""
    codes, factors = [], []
    for start in range(0, num, batch_size):
        f, x = dataset.sample(min(batch_size, num - start), rng)
        codes.append(np.asarray(representation_fn(x), dtype=np.float64).reshape(len(f), -1))
        factors.append(f)
    return np.concatenate(codes), np.concatenate(factors)


def _discretize(codes, num_bins):
    """Each code dimension into num_bins equal-width bins over its observed range."""
    out = np.zeros(codes.shape, dtype=np.int64)
    for j in range(codes.shape[1]):
        edges = np.histogram(codes[:, j], num_bins)[1][:-1]
        out[:, j] = np.digitize(codes[:, j], edges)
    return out


def _gap_top_two(matrix, floor):
    """Mean over columns (factors) of best − second best row (code); `floor` stands in for a
    missing second row (a one-dimensional code)."""
    ranked = np.sort(matrix, axis=0)[::-1]
    second = ranked[1] if len(ranked) > 1 else np.broadcast_to(floor, ranked[0].shape)
    return float(np.mean(ranked[0] - second))


def mig(dataset, representation_fn, random_state, num_train=10000, num_bins=20, batch_size=64):
    """Mutual Information Gap (Chen et al. 2018): for each factor, the gap between the two code
    dimensions that share the most mutual information with it, divided by the factor's entropy."""
    rng = np.random.default_rng(random_state)
    codes, factors = factor_codes(dataset, representation_fn, num_train, rng, batch_size)
    binned = _discretize(codes, num_bins)
    mi = np.array([[mutual_info_score(factors[:, k], binned[:, j]) for k in range(factors.shape[1])]
                   for j in range(binned.shape[1])])                     # (codes, factors)
    entropy = np.array([mutual_info_score(factors[:, k], factors[:, k]) for k in range(factors.shape[1])])
    normalised = np.divide(mi, entropy, out=np.zeros_like(mi), where=entropy > 0)
    return {"discrete_mig": _gap_top_two(normalised, 0.0)}


def sap(dataset, representation_fn, random_state, num_train=10000, num_test=5000, batch_size=64):
    """Separated Attribute Predictability (Kumar et al. 2018), discrete factors: for each code
    dimension and factor, the test accuracy of a 1-D linear SVM (C = 0.01, balanced classes);
    the score is the mean over factors of the gap between the two most predictive dimensions.
    A one-dimensional code is compared against chance (1 / number of values)."""
    rng = np.random.default_rng(random_state)
    train_codes, train_factors = factor_codes(dataset, representation_fn, num_train, rng, batch_size)
    test_codes, test_factors = factor_codes(dataset, representation_fn, num_test, rng, batch_size)
    scores = np.zeros((train_codes.shape[1], train_factors.shape[1]))
    for j in range(train_codes.shape[1]):
        for k in range(train_factors.shape[1]):
            if np.ptp(train_codes[:, j]) == 0 or len(np.unique(train_factors[:, k])) < 2:
                scores[j, k] = np.mean(test_factors[:, k] == np.bincount(train_factors[:, k]).argmax())
                continue
            clf = LinearSVC(C=0.01, class_weight="balanced").fit(train_codes[:, j:j + 1], train_factors[:, k])
            scores[j, k] = np.mean(clf.predict(test_codes[:, j:j + 1]) == test_factors[:, k])
    chance = 1.0 / np.array(dataset.factors_num_values, dtype=float)
    return {"SAP_score": _gap_top_two(scores, chance)}
