"""MIG, the Mutual Information Gap (Chen et al. 2018), as in disentanglement_lib."""
import numpy as np

from tinygan.metrics.disentanglement.common import _discretize, _gap_top_two, entropies, factor_codes, mutual_information


def mig(dataset, representation_fn, random_state, num_train=10000, num_bins=20, batch_size=64):
    """Mutual Information Gap (Chen et al. 2018): for each factor, the gap between the two code
    dimensions that share the most mutual information with it, divided by the factor's entropy."""
    rng = np.random.default_rng(random_state)
    codes, factors = factor_codes(dataset, representation_fn, num_train, rng, batch_size)
    mi = mutual_information(_discretize(codes, num_bins), factors)        # (codes, factors)
    entropy = entropies(factors)
    normalised = np.divide(mi, entropy, out=np.zeros_like(mi), where=entropy > 0)
    return {"discrete_mig": _gap_top_two(normalised, 0.0)}
