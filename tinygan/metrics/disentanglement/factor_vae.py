"""FactorVAE score (Kim & Mnih 2018), as in disentanglement_lib: fix one factor k in a batch,
normalise each active code dimension's variance by its global variance, and vote for the
dimension with the smallest one; a majority-vote classifier from dimensions to factors is scored.
Dimensions whose global standard deviation is below 0.05 are pruned (collapsed latents)."""
import numpy as np


def _votes(dataset, representation_fn, num_points, batch_size, rng, global_var, active):
    votes = np.zeros((int(active.sum()), dataset.num_factors), dtype=np.int64)
    for _ in range(num_points):
        k = rng.integers(dataset.num_factors)
        factors = dataset.sample_factors(batch_size, rng)
        factors[:, k] = factors[0, k]
        z = np.asarray(representation_fn(dataset.sample_observations_from_factors(factors, rng)), float)
        local = z.reshape(batch_size, -1).var(axis=0, ddof=1)
        votes[np.argmin(local[active] / global_var[active]), k] += 1
    return votes


def factor_vae_score(dataset, representation_fn, random_state, batch_size=64, num_train=10000, num_eval=5000,
                     num_variance_estimate=10000, prune_std=0.05):
    rng = np.random.default_rng(random_state)
    sample = np.asarray(representation_fn(dataset.sample_observations(num_variance_estimate, rng)), float)
    global_var = sample.reshape(num_variance_estimate, -1).var(axis=0, ddof=1)
    active = np.sqrt(global_var) >= prune_std
    if not active.any():
        return {"train_accuracy": 0.0, "eval_accuracy": 0.0, "num_active_dims": 0}
    train = _votes(dataset, representation_fn, num_train, batch_size, rng, global_var, active)
    classifier = train.argmax(axis=1)                       # each dimension -> the factor it votes for most
    evals = _votes(dataset, representation_fn, num_eval, batch_size, rng, global_var, active)
    rows = np.arange(len(classifier))
    return {"train_accuracy": float(train[rows, classifier].sum() / train.sum()),
            "eval_accuracy": float(evals[rows, classifier].sum() / evals.sum()),
            "num_active_dims": int(active.sum())}
