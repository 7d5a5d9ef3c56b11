"""One central random generator: every random op and initialiser draws from it.

Numbers are always drawn on the CPU with NumPy's PCG64 and then moved to the tensor's backend,
so one seed gives the same initial weights on NumPy and on CuPy.
"""
import json

import numpy as np

_generator = np.random.default_rng(0)


def manual_seed(seed):
    """Reseed the generator used by randn/rand/dropout/init/DataLoader shuffling."""
    global _generator
    _generator = np.random.default_rng(int(seed))
    return _generator


def generator():
    """The central NumPy Generator (PCG64) every random op and initialiser draws from."""
    return _generator


def get_rng_state():
    """The generator's state as a JSON string (safe to store in a checkpoint without pickle)."""
    return json.dumps(_generator.bit_generator.state)


def set_rng_state(state):
    """Restore a state returned by get_rng_state (a JSON string), so the same numbers follow."""
    _generator.bit_generator.state = json.loads(state)


class Generator:
    """PyTorch's torch.Generator: a random stream of its own, for DataLoader(generator=g) and
    random_split(..., generator=g). `g.manual_seed(s)` reseeds it (and returns it); the methods
    of numpy.random.Generator (permutation, standard_normal, ...) draw from it."""

    def __init__(self, device="cpu"):
        self._rng = np.random.default_rng()

    def manual_seed(self, seed):
        """Restart this generator's stream from `seed`; returns the generator (as PyTorch's)."""
        self._rng = np.random.default_rng(int(seed))
        return self

    def __getattr__(self, name):
        return getattr(self._rng, name)
