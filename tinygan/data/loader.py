"""A minimal DataLoader over in-memory arrays: shuffle, batch, drop_last, seeded."""
import numpy as np

from tinygan import random
from tinygan.creation import tensor


class DataLoader:
    """Iterate over aligned arrays in minibatches of Tensors.

    Shuffling draws from tinygan's central generator (so a checkpoint's RNG state covers it),
    or from a private generator when `seed` is given.
    """

    def __init__(self, *arrays, batch_size=64, shuffle=False, drop_last=False, seed=None):
        if not arrays or any(len(a) != len(arrays[0]) for a in arrays):
            raise ValueError(f"DataLoader: need arrays of one length, got {[len(a) for a in arrays]}")
        self.arrays, self.batch_size, self.shuffle, self.drop_last = arrays, batch_size, shuffle, drop_last
        self._rng = np.random.default_rng(seed) if seed is not None else None

    def __len__(self):
        n = len(self.arrays[0])
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self):
        n = len(self.arrays[0])
        rng = self._rng or random.generator()
        order = rng.permutation(n) if self.shuffle else np.arange(n)
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            index = order[start:start + self.batch_size]
            batch = tuple(tensor(a[index]) for a in self.arrays)
            yield batch if len(batch) > 1 else batch[0]
