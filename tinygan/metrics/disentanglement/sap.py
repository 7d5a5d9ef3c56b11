"""SAP, Separated Attribute Predictability (Kumar et al. 2018), as in disentanglement_lib."""
import numpy as np
from sklearn.svm import LinearSVC

from tinygan.metrics.disentanglement.common import _gap_top_two, factor_codes


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
