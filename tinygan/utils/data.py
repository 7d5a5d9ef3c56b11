"""tinygan.utils.data: map-style datasets and the DataLoader, in torch.utils.data's names.

    loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)
    loader = DataLoader(x, y, batch_size=32, shuffle=True)        # the same, straight from arrays
    loader = DataLoader(my_dataset, batch_size=32)                  # any __getitem__/__len__ object
    for xb, yb in loader: ...

Shuffling draws one permutation per epoch (when iteration starts) from tinygan's central
generator, so tinygan.manual_seed makes it reproducible and a checkpoint's RNG state covers it;
`seed=` or `generator=` (a numpy.random.Generator) give the loader a generator of its own.
Batches are assembled in the calling process: no worker processes, samplers or pinned memory.
tinygan.data.DataLoader is this same class.
"""
import bisect
import collections.abc
import numbers

import numpy as np

from tinygan import random
from tinygan.backend import get_array_module
from tinygan.creation import tensor
from tinygan.ops import stack
from tinygan.tensor import Tensor, _is_array


def _is_data_array(obj):
    return isinstance(obj, Tensor) or _is_array(obj)


class Dataset:
    """A map-style dataset: subclasses define __getitem__(index) -> sample and __len__().
    Samples may be tensors, arrays, numbers, or tuples/lists/dicts of them (what default_collate
    stacks). Iterable-style datasets (torch's IterableDataset) are not supported."""

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __len__")


class TensorDataset(Dataset):
    """Samples are tuples (t[i] for t in tensors) of tensors/arrays sharing their first axis.

    Items and batches are new Tensors outside the graph (the loader indexes the raw arrays, one
    fancy-index per batch instead of stacking samples one by one)."""

    def __init__(self, *tensors):
        if not tensors or any(not _is_data_array(t) for t in tensors):
            raise TypeError("TensorDataset: expected one or more tensors or arrays, got "
                            f"{[type(t).__name__ for t in tensors]}")
        if any(t.ndim == 0 or len(t) != len(tensors[0]) for t in tensors):
            raise ValueError("TensorDataset: need arrays of one length, got "
                             f"{[len(t) if t.ndim else '0-d' for t in tensors]}")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(tensor(_raw(t)[index]) for t in self.tensors)

    def __len__(self):
        return len(self.tensors[0])


class Subset(Dataset):
    """The samples of `dataset` at `indices`, in that order."""

    def __init__(self, dataset, indices):
        self.dataset, self.indices = dataset, [int(i) for i in indices]

    def __getitem__(self, index):
        return self.dataset[self.indices[index]]

    def __len__(self):
        return len(self.indices)


class ConcatDataset(Dataset):
    """The datasets one after another: index len(a) is the first sample of the second one."""

    def __init__(self, datasets):
        self.datasets = list(datasets)
        self.ends = np.cumsum([len(d) for d in self.datasets]).tolist()

    def __getitem__(self, index):
        index = index + len(self) if index < 0 else index
        if not 0 <= index < len(self):
            raise IndexError(f"ConcatDataset: index {index} out of range for {len(self)} samples")
        part = bisect.bisect_right(self.ends, index)
        return self.datasets[part][index - (self.ends[part - 1] if part else 0)]

    def __len__(self):
        return self.ends[-1] if self.ends else 0


def random_split(dataset, lengths, generator=None):
    """Disjoint random Subsets of the given lengths (or fractions summing to 1, rounded as torch
    does: the remainder goes one by one to the first subsets), from tinygan's central generator
    unless `generator` is given."""
    n = len(dataset)
    lengths = list(lengths)
    if lengths and all(0 <= f <= 1 for f in lengths) and abs(sum(lengths) - 1) < 1e-9 and sum(lengths) != n:
        counts = [int(f * n) for f in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        lengths = counts
    if sum(lengths) != n:
        raise ValueError(f"random_split: lengths {lengths} sum to {sum(lengths)}, but the dataset has {n} samples")
    order = (generator if generator is not None else random.generator()).permutation(n)
    ends = np.cumsum(lengths)
    return [Subset(dataset, order[end - length:end]) for end, length in zip(ends, lengths)]


def _raw(t):
    return t.array if isinstance(t, Tensor) else t


def default_collate(batch):
    """Stack a list of samples into one batch, recursively, as torch's default_collate:

    - tensors / arrays of one shape -> a tensor with a new leading batch axis (dtype kept);
    - Python ints -> an int64 tensor (N,), bools -> bool, floats -> a float32 tensor (N,)
      (tinygan's default float dtype; torch makes float64 here), NumPy scalars keep their dtype;
    - tuples, lists, namedtuples, dicts -> the same structure of collated fields
      (a tuple stays a tuple: torch returns a list there); strings -> a list of strings.
    Raises TypeError (unknown types) or ValueError (ragged shapes or lengths) in one line."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        _same_shapes(batch, [tuple(t.shape) for t in batch])
        return stack(list(batch))
    if _is_array(elem) or isinstance(elem, np.generic):
        if getattr(elem, "dtype", None) is not None and elem.dtype.kind in "OSUV":
            raise TypeError(f"default_collate: cannot batch arrays of dtype {elem.dtype}")
        _same_shapes(batch, [tuple(np.shape(a)) for a in batch])
        xp = get_array_module(elem)
        return Tensor(xp.stack([xp.asarray(a) for a in batch]))
    if isinstance(elem, (bool, numbers.Integral)):
        return tensor(np.array(batch, dtype=bool if isinstance(elem, bool) else np.int64))
    if isinstance(elem, numbers.Real):
        return tensor(np.array(batch, dtype=np.float32))
    if isinstance(elem, str):
        return list(batch)
    if isinstance(elem, collections.abc.Mapping):
        if any(set(d) != set(elem) for d in batch):
            raise ValueError("default_collate: the dict samples of a batch have different keys")
        return {key: default_collate([d[key] for d in batch]) for key in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):            # namedtuple
        return type(elem)(*(default_collate(list(field)) for field in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        if any(len(s) != len(elem) for s in batch):
            raise ValueError(f"default_collate: the samples of a batch have different lengths "
                             f"{sorted({len(s) for s in batch})}")
        fields = [default_collate(list(field)) for field in zip(*batch)]
        return tuple(fields) if isinstance(elem, tuple) else fields
    raise TypeError(f"default_collate: batch must contain tensors, arrays, numbers, strings, dicts or "
                    f"sequences; found {type(elem).__name__}")


def _same_shapes(batch, shapes):
    if len(set(shapes)) > 1:
        raise ValueError(f"default_collate: cannot stack samples of shapes {sorted(set(shapes))} into one "
                         "batch; pad them or pass a collate_fn")


class DataLoader:
    """Iterate over a map-style dataset in minibatches, PyTorch-style.

    dataset: a Dataset or any object with __getitem__ and __len__ (a list works), or one or
    more aligned arrays/tensors passed positionally (DataLoader(x, y, ...), tinygan's original
    form, equal to DataLoader(TensorDataset(x, y), ...) except that a single array gives
    batches that are bare tensors, not 1-tuples).
    batch_size: samples per batch (the last one is smaller unless drop_last=True).
    shuffle: a new random order each epoch, from tinygan's central generator unless `seed`
    (a private numpy generator made once) or `generator` (a numpy.random.Generator) is given.
    collate_fn: list of samples -> batch; default_collate when None.
    num_workers: only 0 (batches are built in the calling process).

    Not supported from PyTorch: worker processes, samplers/batch_sampler, batch_size=None,
    iterable-style datasets, pin_memory, timeouts, prefetching.
    """

    def __init__(self, dataset, *arrays, batch_size=1, shuffle=False, drop_last=False, num_workers=0,
                 collate_fn=None, generator=None, seed=None, pin_memory=False):
        # pin_memory is accepted (PyTorch's CUDA examples pass it) and has nothing to do here: batches
        # are made where they are used, with no host-to-GPU copy to overlap
        if num_workers != 0:
            raise ValueError(f"DataLoader: num_workers={num_workers} is not supported: tinygan builds batches in "
                             "the calling process (no worker processes, so no per-worker seeding of the central "
                             "generator and no pickling of the dataset); use num_workers=0")
        if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be a positive integer, got {batch_size!r} "
                             "(batch_size=None, unbatched loading, is not supported)")
        if seed is not None and generator is not None:
            raise ValueError("DataLoader: give seed or generator, not both")
        self._single = False
        if _is_data_array(dataset):
            arrays = (dataset,) + arrays
            if any(not _is_data_array(a) for a in arrays):
                raise TypeError("DataLoader: positional data must all be arrays/tensors, got "
                                f"{[type(a).__name__ for a in arrays]}")
            lengths = [len(a) if a.ndim else "0-d" for a in arrays]
            if len(set(lengths)) > 1 or "0-d" in lengths:
                raise ValueError(f"DataLoader: need arrays of one length, got {lengths}")
            dataset, self._single = TensorDataset(*arrays), len(arrays) == 1
        elif arrays:
            raise TypeError(f"DataLoader: got a {type(dataset).__name__} dataset and {len(arrays)} more positional "
                            "arguments; pass batch_size and the other options by keyword")
        elif not (hasattr(dataset, "__getitem__") and hasattr(dataset, "__len__")):
            raise TypeError(f"DataLoader: dataset must be a map-style Dataset (with __getitem__ and __len__) or "
                            f"arrays/tensors, got {type(dataset).__name__} (iterable-style datasets are not supported)")
        self.dataset, self.batch_size, self.shuffle, self.drop_last = dataset, int(batch_size), shuffle, drop_last
        self.num_workers, self.collate_fn = 0, collate_fn
        self._rng = generator if generator is not None else np.random.default_rng(seed) if seed is not None else None

    def __len__(self):
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self):
        n = len(self.dataset)
        rng = self._rng if self._rng is not None else random.generator()
        order = rng.permutation(n) if self.shuffle else np.arange(n)
        fast = type(self.dataset) is TensorDataset and self.collate_fn is None
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            index = order[start:start + self.batch_size]
            if fast:      # what default_collate would stack, taken with one fancy index per array
                batch = tuple(Tensor(_raw(t)[index]) for t in self.dataset.tensors)   # fresh copies
                yield batch[0] if self._single else batch
            else:
                yield (self.collate_fn or default_collate)([self.dataset[int(i)] for i in index])
