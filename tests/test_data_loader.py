"""The minimal DataLoader: batching, shuffling (seeded / central RNG), drop_last, errors."""
import numpy as np
import pytest

import tinygan
from tinygan.data import DataLoader, load_digits


def test_batches_cover_the_data_once_and_keep_pairs_aligned():
    x, y = np.arange(10, dtype=np.float32)[:, None], np.arange(10)
    batches = list(DataLoader(x, y, batch_size=4, shuffle=True, seed=0))
    assert [len(b[1]) for b in batches] == [4, 4, 2]
    seen = np.concatenate([b[1].numpy() for b in batches])
    assert sorted(seen.tolist()) == list(range(10)) and seen.tolist() != list(range(10))
    for bx, by in batches:
        np.testing.assert_array_equal(bx.numpy()[:, 0], by.numpy())


def test_drop_last_len_and_single_array():
    loader = DataLoader(np.zeros((10, 2)), batch_size=4, drop_last=True)
    assert len(loader) == 2 and [b.shape for b in loader] == [(4, 2), (4, 2)]
    assert len(DataLoader(np.zeros(10), batch_size=4)) == 3


def test_seeded_and_central_shuffles_are_reproducible():
    x = np.arange(20)
    first = [b.numpy().tolist() for b in DataLoader(x, batch_size=5, shuffle=True, seed=3)]
    again = [b.numpy().tolist() for b in DataLoader(x, batch_size=5, shuffle=True, seed=3)]
    assert first == again
    tinygan.manual_seed(8)
    a = [b.numpy().tolist() for b in DataLoader(x, batch_size=5, shuffle=True)]
    tinygan.manual_seed(8)
    b = [b.numpy().tolist() for b in DataLoader(x, batch_size=5, shuffle=True)]
    assert a == b


def test_mismatched_lengths_are_refused():
    with pytest.raises(ValueError, match=r"one length, got \[3, 4\]"):
        DataLoader(np.zeros(3), np.zeros(4))


def test_digits_split_is_stratified_and_scaled():
    x_tr, y_tr, x_te, y_te = load_digits()
    assert x_tr.shape[1:] == (1, 8, 8) and x_tr.dtype == np.float32 and 0 <= x_tr.min() and x_tr.max() <= 1
    assert len(x_te) == 450 and set(np.unique(y_te)) == set(range(10))
