"""scikit-learn's bundled 8×8 digits (1 797 images, no download), as float32 in [0, 1]."""
import numpy as np


def load_digits(test_fraction=0.25, seed=0, image_shape=True):
    """(x_train, y_train, x_test, y_test); x as (N, 1, 8, 8) (or (N, 64)), y as int64 labels.
    The split is stratified and fixed by `seed`."""
    from sklearn.datasets import load_digits as sk_load_digits
    from sklearn.model_selection import train_test_split
    bunch = sk_load_digits()
    x = (bunch.images / 16.0).astype(np.float32)
    x = x[:, None] if image_shape else x.reshape(len(x), -1)
    y = bunch.target.astype(np.int64)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=test_fraction, random_state=seed, stratify=y)
    return x_tr, y_tr, x_te, y_te
