"""BetaVAE score (Higgins et al. 2017), as in disentanglement_lib: pairs of observations share
one factor k; the mean |z₁ − z₂| over a batch of such pairs is a feature vector, and a linear
classifier must guess k from it. A disentangled code has a near-zero coordinate for k."""
import numpy as np
from sklearn.linear_model import LogisticRegression


def _points(dataset, representation_fn, num_points, batch_size, rng):
    features, labels = [], []
    for _ in range(num_points):
        k = rng.integers(dataset.num_factors)
        f1, f2 = dataset.sample_factors(batch_size, rng), dataset.sample_factors(batch_size, rng)
        f2[:, k] = f1[:, k]
        z1 = np.asarray(representation_fn(dataset.sample_observations_from_factors(f1, rng)), float)
        z2 = np.asarray(representation_fn(dataset.sample_observations_from_factors(f2, rng)), float)
        features.append(np.abs(z1 - z2).reshape(batch_size, -1).mean(axis=0))
        labels.append(k)
    return np.array(features), np.array(labels)


def beta_vae_score(dataset, representation_fn, random_state, batch_size=64, num_train=10000, num_eval=5000):
    rng = np.random.default_rng(random_state)
    x_train, y_train = _points(dataset, representation_fn, num_train, batch_size, rng)
    x_eval, y_eval = _points(dataset, representation_fn, num_eval, batch_size, rng)
    if len(np.unique(y_train)) < 2:
        return {"train_accuracy": 1.0, "eval_accuracy": 1.0}
    model = LogisticRegression(max_iter=1000).fit(x_train, y_train)
    return {"train_accuracy": float(model.score(x_train, y_train)), "eval_accuracy": float(model.score(x_eval, y_eval))}
