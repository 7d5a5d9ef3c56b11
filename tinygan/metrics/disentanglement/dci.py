"""DCI (Eastwood & Williams 2018), as in disentanglement_lib: gradient-boosted trees predict each
factor from the code; their feature importances R (codes × factors) give
  disentanglement: Σ_j ρ_j (1 − H_F(R_j·)),  ρ_j = R_j· summed / R summed  (each code for one factor)
  completeness:    Σ_k ρ_k (1 − H_D(R_·k))                                (each factor in one code)
  informativeness: the trees' mean accuracy (train and test).
H_F, H_D are entropies with log base #factors, #codes. n_estimators: boosting stages per factor
(disentanglement_lib's 100; fewer only for smoke runs: each stage fits one tree per class)."""
import numpy as np
from scipy import stats
from sklearn.ensemble import GradientBoostingClassifier

from tinygan.metrics.disentanglement.common import factor_codes


def _weighted_one_minus_entropy(importance):
    """Rows are the units scored; columns the categories their importance spreads over."""
    if importance.shape[1] < 2 or importance.sum() == 0:
        return float(importance.sum() > 0)
    totals = importance.sum(axis=1)
    per_row = np.array([1 - stats.entropy(row, base=importance.shape[1]) if t > 0 else 0.0
                        for row, t in zip(importance, totals)])
    return float((per_row * totals / totals.sum()).sum())


def dci(dataset, representation_fn, random_state, num_train=10000, num_test=5000, batch_size=64, n_estimators=100):
    rng = np.random.default_rng(random_state)
    x_train, y_train = factor_codes(dataset, representation_fn, num_train, rng, batch_size)
    x_test, y_test = factor_codes(dataset, representation_fn, num_test, rng, batch_size)
    importance = np.zeros((x_train.shape[1], y_train.shape[1]))
    train_acc, test_acc = [], []
    for k in range(y_train.shape[1]):
        if len(np.unique(y_train[:, k])) < 2:
            train_acc.append(1.0)
            test_acc.append(1.0)
            continue
        model = GradientBoostingClassifier(n_estimators=n_estimators, random_state=0).fit(x_train, y_train[:, k])
        importance[:, k] = np.abs(model.feature_importances_)
        train_acc.append(model.score(x_train, y_train[:, k]))
        test_acc.append(model.score(x_test, y_test[:, k]))
    return {"disentanglement": _weighted_one_minus_entropy(importance),
            "completeness": _weighted_one_minus_entropy(importance.T),
            "informativeness_train": float(np.mean(train_acc)), "informativeness_test": float(np.mean(test_acc))}
