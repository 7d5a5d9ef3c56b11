import tinygan  # noqa: I001  (first: its threading defaults must be set before NumPy loads its BLAS)
import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _seed_and_defaults():
    """Every test starts from the same generator state and automatic kernel choice."""
    tinygan.manual_seed(0)
    yield
    tinygan.set_backend("numpy")


def t64(*shape, low=None, requires_grad=True, seed=None):
    """A float64 leaf tensor of standard normals (shifted to > low if given)."""
    rng = np.random.default_rng(seed if seed is not None else sum(shape) + len(shape))
    data = rng.standard_normal(shape)
    if low is not None:
        data = low + np.abs(data) + 0.1
    return tinygan.tensor(data, requires_grad=requires_grad, dtype=np.float64)
