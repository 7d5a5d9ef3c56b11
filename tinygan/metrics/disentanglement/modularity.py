"""Modularity and explicitness (Ridgeway & Mozer 2018), as in disentanglement_lib.
Modularity: each code dimension should carry information about one factor only —
  1 − Σ_k (m_jk − t_jk)² / (θ_j² (K − 1)),  m = mutual information, θ_j = max_k m_jk, t = m with
  only its maximum kept; averaged over the dimensions that carry any information at all.
Explicitness: per factor, the mean one-vs-rest ROC-AUC of a logistic regression on the whole code."""
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from tinygan.metrics.disentanglement.common import _discretize, factor_codes, mutual_information


def modularity(mi):
    theta = mi.max(axis=1)
    alive = theta > 0
    if not alive.any() or mi.shape[1] < 2:
        return 0.0 if not alive.any() else 1.0
    template = np.zeros_like(mi)
    template[np.arange(len(mi)), mi.argmax(axis=1)] = theta
    deviation = ((mi - template) ** 2).sum(axis=1)[alive] / (theta[alive] ** 2 * (mi.shape[1] - 1))
    return float(np.mean(1 - deviation))


def _explicitness(x_train, y_train, x_test, y_test):
    classes = np.unique(y_train)
    if len(classes) < 2:
        return 1.0, 1.0
    model = LogisticRegression(max_iter=1000).fit(x_train, y_train)

    def auc(x, y):
        proba = model.predict_proba(x)
        onehot = (y[:, None] == model.classes_[None]).astype(int)
        usable = [c for c in range(len(model.classes_)) if 0 < onehot[:, c].sum() < len(y)]
        return float(np.mean([roc_auc_score(onehot[:, c], proba[:, c]) for c in usable])) if usable else 0.5
    return auc(x_train, y_train), auc(x_test, y_test)


def modularity_explicitness(dataset, representation_fn, random_state, num_train=10000, num_test=5000,
                            num_bins=20, batch_size=64):
    rng = np.random.default_rng(random_state)
    x_train, y_train = factor_codes(dataset, representation_fn, num_train, rng, batch_size)
    x_test, y_test = factor_codes(dataset, representation_fn, num_test, rng, batch_size)
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    std[std == 0] = 1.0
    x_train, x_test = (x_train - mean) / std, (x_test - mean) / std
    scores = [_explicitness(x_train, y_train[:, k], x_test, y_test[:, k]) for k in range(y_train.shape[1])]
    return {"modularity_score": modularity(mutual_information(_discretize(x_train, num_bins), y_train)),
            "explicitness_score_train": float(np.mean([s[0] for s in scores])),
            "explicitness_score_test": float(np.mean([s[1] for s in scores]))}
