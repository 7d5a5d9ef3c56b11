"""The one seam between NumPy and CuPy.

Every op asks its *input's* array module (DeZero's get_array_module idea), so a tensor made
on one backend stays there; `set_backend` only chooses where new tensors are created.
"""
import os

import numpy as np

from tinygan.errors import BackendError

BACKENDS = ("numpy", "cupy")
_active = "numpy"


def cupy_problem():
    """None if CuPy can run here, else a short reason."""
    try:
        import cupy
        cupy.cuda.runtime.getDeviceCount()
    except ImportError:
        return "CuPy is not installed"
    except Exception as exc:  # CUDA driver or GPU missing
        return f"no usable GPU ({(str(exc).splitlines() or [type(exc).__name__])[0]})"
    return None


def _import_cupy(op="set_backend('cupy')"):
    problem = cupy_problem()
    if problem:
        raise BackendError(f"{op}: {problem}; install tinygan[gpu] on a machine "
                           "with an NVIDIA GPU")
    import cupy
    return cupy


def set_backend(name):
    """Choose where new tensors live: 'numpy' (CPU, default) or 'cupy' (NVIDIA GPU)."""
    global _active, env_error
    if name not in BACKENDS:
        raise BackendError(f"set_backend: unknown backend {name!r}; choose one of {BACKENDS}")
    if name == "cupy":
        _import_cupy()
    _active, env_error = name, None       # an explicit choice replaces a bad TINYGAN_BACKEND


def get_backend():
    """The active backend's name, 'numpy' or 'cupy' (raises the error of a bad TINYGAN_BACKEND)."""
    if env_error:
        raise env_error
    return _active


def xp_of_backend(name=None, op=None):
    """The array module for a backend name (the active one by default); op names the caller in
    the error when CuPy cannot run."""
    if name is None and env_error:
        raise env_error
    name = name or _active
    if name not in BACKENDS:
        raise BackendError(f"{op or 'xp_of_backend'}: unknown backend {name!r}; choose one of {BACKENDS}")
    return _import_cupy(op or "set_backend('cupy')") if name == "cupy" else np


def is_cupy(array):
    """True for a CuPy array, told by its type's module, so CuPy is never imported to ask (the one
    test for this: the kernel registry, kernels/cuda_arrays.py and get_array_module use it)."""
    return type(array).__module__.startswith("cupy")


def get_array_module(array):
    """numpy for NumPy arrays (and Python scalars), cupy for CuPy arrays."""
    if is_cupy(array):
        import cupy
        return cupy
    return np


def to_numpy(array):
    """A NumPy array of the values: a CuPy array is copied to the host, anything else is np.asarray'd."""
    return array.get() if is_cupy(array) else np.asarray(array)


def scatter_add(target, index, values):
    """target[index] += values, accumulating repeated indices (np.add.at / cupyx.scatter_add)."""
    if get_array_module(target) is np:
        np.add.at(target, index, values)
    else:
        import cupyx
        cupyx.scatter_add(target, index, values)


def usable_gpu_stack():
    """{'cupy': bool|reason, 'numba.cuda': bool|reason} for `tinygan info`, never raising."""
    status = {}
    problem = cupy_problem()
    status["cupy"] = f"not usable: {problem}" if problem else "usable"
    try:
        from numba import cuda
        status["numba.cuda"] = "usable" if cuda.is_available() else "not usable: no CUDA GPU/driver"
    except Exception as exc:
        status["numba.cuda"] = f"not usable: {type(exc).__name__}"
    if os.environ.get("NUMBA_ENABLE_CUDASIM") == "1":
        status["numba.cuda"] += " (CUDA simulator enabled)"
    return status


# A bad TINYGAN_BACKEND must not break `import tinygan` (then `tinygan info` and `--version`, which
# exist to diagnose it, would fail too): it is kept here, raised by the first new tensor and by
# every CLI command but `info`, and shown by `info`.
env_error = None
if os.environ.get("TINYGAN_BACKEND"):
    try:
        set_backend(os.environ["TINYGAN_BACKEND"])
    except BackendError as exc:
        env_error = BackendError(f"TINYGAN_BACKEND={os.environ['TINYGAN_BACKEND']!r}: {exc}; unset it to use numpy")
