"""tinygan — a small, readable deep-learning engine on NumPy (and CuPy), built to study
deep generative models. The public surface follows PyTorch's names."""
__version__ = "0.1.0"

from tinygan import _runtime  # noqa: F401,E402  (first: threading defaults before NumPy loads)
from tinygan import _malloc  # noqa: F401,E402  (freed memory stays in the heap: no page faults per step)

from tinygan.errors import (AnomalyError, BackendError, CheckpointError, DTypeError,  # noqa: F401
                            GraphError, KernelError, ShapeError)
from tinygan.backend import get_backend, set_backend  # noqa: F401
from tinygan.tensor import Function, Tensor  # noqa: F401
from tinygan.autograd import (detect_anomaly, enable_grad, grad, inference_mode, is_grad_enabled,  # noqa: F401
                              no_grad, set_grad_enabled)
from tinygan.random import Generator, get_rng_state, manual_seed, set_rng_state  # noqa: F401
from tinygan.creation import (arange, as_tensor, empty, eye, from_numpy, full, full_like, linspace,  # noqa: F401
                              ones, ones_like, rand, rand_like, randint, randn, randn_like, randperm, tensor,
                              zeros, zeros_like)
from tinygan.ops import (abs, clip, concatenate, exp, log, matmul, maximum, minimum, pad,  # noqa: F401
                         sigmoid, sqrt, stack, tanh, where)
from tinygan.functions import (allclose, amax, amin, argmax, argmin, bmm, chunk, clone, diag, equal,  # noqa: F401
                               flatten, is_tensor, isfinite, isinf, isnan, log_softmax, logsumexp, max,
                               mean, min, mm, norm, numel, permute, relu, reshape, softmax, split, squeeze,
                               std, sum, t, transpose, unsqueeze, var)
from tinygan.ops import meshgrid  # noqa: F401
from tinygan.devices import device  # noqa: F401
from tinygan.serialization import load, save  # noqa: F401
from tinygan.profiler import profile  # noqa: F401
from tinygan import cuda, data, linalg, nn, optim, utils  # noqa: F401
from tinygan.kernels import registry as _kernel_registry  # noqa: E402

# Last: TINYGAN_KERNELS can name any op once the op modules have registered their kernels
# (tinygan/ops/activation.py, conv.py, losses.py, norm.py, imported above through tinygan.nn.functional).
_kernel_registry.apply_env_at_import()

cat = concatenate
clamp = clip
# dtypes are NumPy's, named as in PyTorch: x.dtype == tinygan.float32 holds for a float32 tensor
float32, float64, int32, int64, uint8 = "float32", "float64", "int32", "int64", "uint8"
float, double, long, int = float32, float64, int64, int32     # noqa: A001 (PyTorch's names)
bool = "bool"                                                  # noqa: A001
