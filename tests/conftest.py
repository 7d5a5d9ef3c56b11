import tinygan  # noqa: I001  (first: its threading defaults must be set before NumPy loads its BLAS)
import numpy as np
import pytest

from tinygan import backend
from tinygan.kernels import registry

# The state every test starts from, taken once at import: the kernel choices TINYGAN_KERNELS made
# (none when it is unset, i.e. automatic selection for every op) and the backend (numpy unless
# TINYGAN_BACKEND says otherwise).
_START_CHOICES = registry.choices()
_START_BACKEND = backend.get_backend()


def reset_kernels_and_backend():
    """Undo any kernels.use(...) a test left behind (with or without a context manager) and any
    set_backend(...): back to the choices and backend of the session's start."""
    registry.restore_choices(_START_CHOICES)
    backend._active = _START_BACKEND


@pytest.fixture(autouse=True)
def _seed_and_defaults():
    """Every test starts from the same generator state, the automatic kernel choice (or the one
    TINYGAN_KERNELS asked for) and the starting backend, and leaves them so for the next test."""
    reset_kernels_and_backend()
    tinygan.manual_seed(0)
    yield
    reset_kernels_and_backend()


def t64(*shape, low=None, requires_grad=True, seed=None):
    """A float64 leaf tensor of standard normals (shifted to > low if given)."""
    rng = np.random.default_rng(seed if seed is not None else sum(shape) + len(shape))
    data = rng.standard_normal(shape)
    if low is not None:
        data = low + np.abs(data) + 0.1
    return tinygan.tensor(data, requires_grad=requires_grad, dtype=np.float64)


@pytest.fixture
def cheap_judge(monkeypatch):
    """Image GAN runs judged by a 20-step classifier on 100 samples: their plumbing is under test,
    not the judge (test_gan_images.py tests the judge itself at its full training)."""
    from tinygan.gan import train as gan_train
    from tinygan.metrics import images as image_metrics
    monkeypatch.setattr(gan_train, "IMAGE_EVAL_SAMPLES", 100)
    original = image_metrics.ImageJudge.__init__
    monkeypatch.setattr(image_metrics.ImageJudge, "__init__",
                        lambda self, data, num_samples=100, classifier_steps=20: original(self, data, num_samples, classifier_steps))
