"""tinygan.utils.data: map-style datasets, default_collate (against torch's), the DataLoader's
batching, shuffling from the central generator, and its one-line refusals."""
import collections

import numpy as np
import pytest

import tinygan
import tinygan.data
from tinygan.utils.data import DataLoader, Dataset, TensorDataset, default_collate

Point = collections.namedtuple("Point", "xy label")


class Squares(Dataset):
    """Sample i: (float32 array [i, i²], int label i % 3)."""
    def __init__(self, n):
        self.n = n

    def __getitem__(self, i):
        return np.array([i, i * i], dtype=np.float32), i % 3

    def __len__(self):
        return self.n


def test_map_style_dataset_batches_like_torch():
    torch = pytest.importorskip("torch")
    ours = list(DataLoader(Squares(10), batch_size=4))
    theirs = list(torch.utils.data.DataLoader(Squares(10), batch_size=4))
    assert len(ours) == len(theirs) == 3
    for (x, y), (xt, yt) in zip(ours, theirs):
        assert x.dtype == np.float32 and y.dtype == np.int64 and str(yt.dtype) == "torch.int64"
        np.testing.assert_array_equal(x.numpy(), xt.numpy())
        np.testing.assert_array_equal(y.numpy(), yt.numpy())


def test_default_collate_structures_match_torch():
    torch = pytest.importorskip("torch")
    samples = [{"image": np.full((2, 2), i, dtype=np.float64), "tags": (i, str(i)), "w": np.float32(i / 2),
                "flag": i % 2 == 0, "t": tinygan.tensor([i, -i])} for i in range(3)]
    torch_samples = [{**s, "t": torch.tensor(s["t"].numpy())} for s in samples]
    ours, theirs = default_collate(samples), torch.utils.data.default_collate(torch_samples)
    assert set(ours) == set(theirs)
    assert isinstance(ours["tags"], tuple) and ours["tags"][1] == list(theirs["tags"][1]) == ["0", "1", "2"]
    for key, got, want in [("image", ours["image"], theirs["image"]), ("w", ours["w"], theirs["w"]),
                           ("flag", ours["flag"], theirs["flag"]), ("t", ours["t"], theirs["t"]),
                           ("tags", ours["tags"][0], theirs["tags"][0])]:
        assert got.shape == tuple(want.shape), key
        assert np.dtype(got.dtype) == want.numpy().dtype, key
        np.testing.assert_array_equal(got.numpy(), want.numpy(), err_msg=key)


def test_default_collate_floats_namedtuples_lists_and_errors():
    floats = default_collate([1.5, 2.0])
    assert floats.dtype == np.float32 and floats.tolist() == [1.5, 2.0]    # tinygan's default float (torch: float64)
    point = default_collate([Point(np.zeros(2), 1), Point(np.ones(2), 2)])
    assert isinstance(point, Point) and point.xy.shape == (2, 2) and point.label.tolist() == [1, 2]
    assert isinstance(default_collate([[1, 2], [3, 4]]), list)
    with pytest.raises(ValueError, match=r"cannot stack samples of shapes \[\(2,\), \(3,\)\] into one batch; pad"):
        default_collate([np.zeros(2), np.zeros(3)])
    with pytest.raises(ValueError, match="cannot stack samples of shapes"):
        default_collate([tinygan.zeros(2), tinygan.zeros(3)])
    with pytest.raises(ValueError, match=r"different lengths \[2, 3\]"):
        default_collate([(1, 2), (1, 2, 3)])
    with pytest.raises(ValueError, match="different keys"):
        default_collate([{"a": 1}, {"b": 1}])
    with pytest.raises(TypeError, match="found object"):
        default_collate([object(), object()])


def test_tensor_dataset_and_arrays_give_the_same_batches():
    x, y = np.arange(20, dtype=np.float32).reshape(10, 2), np.arange(10)
    ds = TensorDataset(tinygan.tensor(x), y)
    assert len(ds) == 10 and [a.tolist() for a in ds[3]] == [[6.0, 7.0], 3]
    from_arrays = list(DataLoader(x, y, batch_size=4, shuffle=True, seed=1))
    from_dataset = list(DataLoader(ds, batch_size=4, shuffle=True, seed=1))
    slow = list(DataLoader(ds, batch_size=4, shuffle=True, seed=1, collate_fn=default_collate))
    for (a, b), (c, d), (e, f) in zip(from_arrays, from_dataset, slow):
        assert a.tolist() == c.tolist() == e.tolist() and b.tolist() == d.tolist() == f.tolist()
        assert c.dtype == e.dtype == np.float32 and d.dtype == f.dtype == np.int64
    single = next(iter(DataLoader(TensorDataset(y), batch_size=4)))
    assert isinstance(single, tuple) and single[0].tolist() == [0, 1, 2, 3]     # 1-tuples, as torch
    assert next(iter(DataLoader(y, batch_size=4))).tolist() == [0, 1, 2, 3]      # bare tensor, as before
    with pytest.raises(ValueError, match=r"TensorDataset: need arrays of one length, got \[3, 2\]"):
        TensorDataset(np.zeros(3), np.zeros(2))


def test_shuffle_draws_from_the_central_generator():
    tinygan.manual_seed(5)
    order = np.random.default_rng(5).permutation(7)
    loader = DataLoader(Squares(7), batch_size=3, shuffle=True)
    epoch1 = np.concatenate([y.numpy() for _, y in loader])
    np.testing.assert_array_equal(epoch1, order % 3)
    firsts = np.concatenate([x.numpy()[:, 0] for x, _ in loader])                # a new order each epoch
    assert sorted(firsts.tolist()) == list(range(7)) and not np.array_equal(firsts, order)
    tinygan.manual_seed(5)
    again = np.concatenate([x.numpy()[:, 0] for x, _ in loader])
    np.testing.assert_array_equal(again, order)
    own = DataLoader(Squares(7), batch_size=7, shuffle=True, generator=np.random.default_rng(2))
    np.testing.assert_array_equal(next(iter(own))[0].numpy()[:, 0], np.random.default_rng(2).permutation(7))


def test_defaults_drop_last_lists_and_collate_fn():
    loader = DataLoader(Squares(5))
    assert loader.batch_size == 1 and len(loader) == 5 and next(iter(loader))[0].shape == (1, 2)
    assert [x.shape[0] for x, _ in DataLoader(Squares(10), batch_size=4, drop_last=True)] == [4, 4]
    assert [b.tolist() for b in DataLoader([1, 2, 3], batch_size=2)] == [[1, 2], [3]]     # a list is a dataset
    sums = list(DataLoader(Squares(4), batch_size=2, collate_fn=lambda batch: sum(s[1] for s in batch)))
    assert sums == [1, 2 + 0]
    assert tinygan.data.DataLoader is DataLoader


def test_dataloader_refusals_are_one_clear_line():
    with pytest.raises(ValueError, match=r"^DataLoader: num_workers=2 is not supported: tinygan builds batches in "
                                         r"the calling process .*; use num_workers=0$"):
        DataLoader(Squares(4), num_workers=2)
    for bad in (0, None, 2.5):
        with pytest.raises(ValueError, match="batch_size must be a positive integer"):
            DataLoader(Squares(4), batch_size=bad)
    with pytest.raises(TypeError, match="iterable-style datasets are not supported"):
        DataLoader(iter(range(3)))
    with pytest.raises(TypeError, match="pass batch_size and the other options by keyword"):
        DataLoader(Squares(4), 2)
    with pytest.raises(TypeError, match="positional data must all be arrays/tensors"):
        DataLoader(np.zeros(3), [1, 2, 3])
    with pytest.raises(ValueError, match="seed or generator, not both"):
        DataLoader(Squares(4), seed=1, generator=np.random.default_rng(1))
    with pytest.raises(NotImplementedError, match="Dataset must define __getitem__"):
        Dataset()[0]
