"""Helpers shared by the disentanglement metrics: drawing (code, factor) pairs, discretising
codes, mutual information tables, and the top-two gap."""
import numpy as np
from sklearn.metrics import mutual_info_score


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


def mutual_information(binned_codes, factors):
    """(codes, factors) table of discrete mutual information, in nats."""
    return np.array([[mutual_info_score(factors[:, k], binned_codes[:, j]) for k in range(factors.shape[1])]
                     for j in range(binned_codes.shape[1])])


def entropies(factors):
    return np.array([mutual_info_score(factors[:, k], factors[:, k]) for k in range(factors.shape[1])])
