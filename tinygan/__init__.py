"""tinygan — a small, readable deep-learning engine on NumPy (and CuPy), built to study
deep generative models. The public surface follows PyTorch's names."""
__version__ = "0.1.0"

from tinygan import _runtime  # noqa: F401,E402  (first: threading defaults before NumPy loads)

from tinygan.errors import (AnomalyError, BackendError, CheckpointError, DTypeError,  # noqa: F401
                            GraphError, KernelError, ShapeError)
from tinygan.backend import get_backend, set_backend  # noqa: F401
from tinygan.tensor import Function, Tensor  # noqa: F401
from tinygan.autograd import detect_anomaly, enable_grad, grad, is_grad_enabled, no_grad, set_grad_enabled  # noqa: F401
from tinygan.random import get_rng_state, manual_seed, set_rng_state  # noqa: F401
from tinygan.creation import (arange, eye, full, ones, ones_like, rand, randint, randn, tensor,  # noqa: F401
                              zeros, zeros_like)
from tinygan.ops import (abs, clip, concatenate, exp, log, matmul, maximum, mean, minimum, pad,  # noqa: F401
                         sigmoid, sqrt, stack, sum, tanh, var, where)
from tinygan.ops import max as amax, min as amin  # noqa: F401
from tinygan.serialization import load, save  # noqa: F401
from tinygan.profiler import profile  # noqa: F401
from tinygan import nn, optim  # noqa: F401

cat = concatenate
clamp = clip
float32, float64 = "float32", "float64"
