"""A strict, NumPy-backed stand-in for CuPy, so the GPU path (tinygan.set_backend("cupy")) runs in
tests on a machine without a GPU (issue #13).

Its arrays behave as CuPy's do where a CPU-only bug would hide (read from CuPy's own source,
cupy/_core/core.pyx and _kernel.pyx):
  * `__array__` raises TypeError, so `np.asarray(device_array)` and every NumPy call that converts
    its argument fails, as on a GPU ("Implicit conversion to a NumPy array is not allowed");
  * NumPy ufuncs and functions given a device array dispatch to this module (`__array_ufunc__`,
    `__array_function__`) as CuPy's do, and fail when CuPy has no such function;
  * device functions refuse NumPy arrays (and lists) as operands: no silent host-to-device copy;
  * reductions and integer indexing give 0-d device arrays, not NumPy scalars;
  * `a[...] = numpy_array` is refused (CuPy gh-2079).
Only the names tinygan uses are provided (each checked against cupy/__init__.py); anything else
raises AttributeError naming the stand-in, so a new call is noticed and checked. RawKernel and
ElementwiseKernel exist but raise when launched: there is no device to run CUDA C on.

`installed()` puts the stand-in into sys.modules (cupy, cupyx, ...) and takes it out again.
"""
import contextlib
import sys
import types

import numpy as _np

_FUNCTIONS = """
abs absolute add all allclose amax amin any arange argmax argmin argsort array_equal ascontiguousarray
broadcast_arrays broadcast_to ceil clip concatenate copyto count_nonzero cos cosh cumprod cumsum diag
diagonal divide dot einsum empty empty_like equal exp expand_dims expm1 eye flip floor full full_like
greater greater_equal hypot identity isclose isfinite isinf isnan less less_equal linspace log log10
log1p log2 logaddexp logical_and logical_not logical_or matmul maximum mean meshgrid minimum moveaxis
multiply negative nonzero not_equal ones ones_like outer pad power prod ravel reciprocal repeat reshape
round rint sign sin sinh sort split sqrt square squeeze stack std subtract sum swapaxes take
take_along_axis tanh tensordot tile transpose tril triu true_divide unique var where zeros zeros_like
""".split()
_HOST_OK = ("asarray", "array", "asanyarray")       # the explicit host-to-device copies
_UFUNCS = {name for name in _FUNCTIONS if isinstance(getattr(_np, name), _np.ufunc)}
_SCATTER_UFUNCS = {"add", "maximum", "minimum"}      # CuPy's ufunc.at supports only these
_METHODS = """
all any argmax argmin argsort astype clip conj copy cumprod cumsum diagonal dot fill flatten max mean
min nonzero prod ravel repeat reshape round sort squeeze std sum swapaxes take trace transpose var view
""".split()


class _HostArrayError(TypeError):
    pass


def _operand(x):
    """A device function's argument as NumPy data; host arrays are refused, as CuPy does."""
    if isinstance(x, ndarray):
        return x._a
    if isinstance(x, _np.ndarray):
        raise _HostArrayError(f"strict_cupy: Unsupported type {type(x)} (a NumPy array given to a device "
                              "function; copy it with cupy.asarray first)")
    if isinstance(x, (list, tuple)):
        return type(x)(_operand(v) for v in x)
    if isinstance(x, dict):
        return {k: _operand(v) for k, v in x.items()}
    return x


def _scalar_or_array(x):
    """A ufunc operand: a device array or a scalar; lists and host arrays are refused (CuPy's CScalar)."""
    if isinstance(x, ndarray) or x is None:
        return x._a if isinstance(x, ndarray) else x
    if isinstance(x, (bool, int, float, complex, _np.generic)):
        return x
    raise _HostArrayError(f"strict_cupy: Unsupported type {type(x)} as a ufunc operand")


def _wrap(r):
    if isinstance(r, _np.ndarray) or (isinstance(r, _np.generic) and not isinstance(r, _np.object_)):
        return ndarray._of(_np.asarray(r))
    if isinstance(r, tuple):
        return tuple(_wrap(v) for v in r)
    if isinstance(r, list):
        return [_wrap(v) for v in r]
    return r


class _Device:
    def __init__(self, device=None):
        self.id = 0 if device is None else int(device)
        if self.id != 0:
            raise RuntimeError(f"strict_cupy: only device 0 exists, not {self.id}")

    def synchronize(self):
        pass

    def use(self):
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __eq__(self, other):
        return isinstance(other, _Device) and other.id == self.id

    def __hash__(self):
        return self.id


class ndarray:
    """A device array: a NumPy array behind CuPy's stricter interface."""

    __module__ = "cupy._core.core"    # tinygan.backend.is_cupy looks at this
    __slots__ = ("_a",)
    __array_priority__ = 100

    def __init__(self, shape, dtype=float):
        self._a = _np.zeros(shape, dtype=dtype)

    @classmethod
    def _of(cls, array):
        out = object.__new__(cls)
        out._a = array
        return out

    # the explicit ways to the host, and the implicit one refused
    def get(self, stream=None, order="C", out=None):
        return self._a.copy()

    def set(self, arr):
        self._a[...] = arr

    def __array__(self, dtype=None, copy=None):
        raise TypeError("Implicit conversion to a NumPy array is not allowed. "
                        "Please use `.get()` to construct a NumPy array explicitly.")

    def item(self):
        return self._a.item()

    def tolist(self):
        return self._a.tolist()

    def tobytes(self, order="C"):
        return self._a.tobytes(order)

    def __int__(self):
        return int(self._a)

    def __float__(self):
        return float(self._a)

    def __bool__(self):
        return bool(self._a)

    def __repr__(self):
        return repr(self._a)

    def __str__(self):
        return str(self._a)

    def __format__(self, spec):
        return format(self._a, spec)

    def __copy__(self):
        return ndarray._of(self._a.copy())

    def __deepcopy__(self, memo):
        return ndarray._of(self._a.copy())

    # attributes
    shape = property(lambda self: self._a.shape)
    dtype = property(lambda self: self._a.dtype)
    ndim = property(lambda self: self._a.ndim)
    size = property(lambda self: self._a.size)
    itemsize = property(lambda self: self._a.itemsize)
    nbytes = property(lambda self: self._a.nbytes)
    strides = property(lambda self: self._a.strides)
    flags = property(lambda self: self._a.flags)
    T = property(lambda self: ndarray._of(self._a.T))
    real = property(lambda self: ndarray._of(self._a.real))
    imag = property(lambda self: ndarray._of(self._a.imag))
    device = property(lambda self: _Device(0))

    @property
    def base(self):
        return None if self._a.base is None else ndarray._of(self._a.base)

    # containers
    def __len__(self):
        return len(self._a)

    def __iter__(self):
        if self._a.ndim == 0:
            raise TypeError("iteration over a 0-d array")
        return (self[i] for i in range(len(self._a)))

    def __getitem__(self, key):
        return _wrap(self._a[_index(key)])

    def __setitem__(self, key, value):
        if isinstance(value, _np.ndarray) and value.ndim:
            raise ValueError("strict_cupy: non-scalar numpy.ndarray cannot be assigned to a device array "
                             "(CuPy gh-2079); copy it with cupy.asarray first")
        if isinstance(value, list):
            raise TypeError("strict_cupy: a list cannot be assigned to a device array")
        self._a[_index(key)] = _operand(value)

    # NumPy's entry points, dispatched here as CuPy's ndarray does
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        func = _module_attr(ufunc.__name__)
        if func is None:
            return NotImplemented
        if method != "__call__":
            func = getattr(func, method, None)
            if func is None:
                return NotImplemented
        if "out" in kwargs:
            kwargs["out"], = kwargs["out"]
        if ufunc.__name__ in ("greater", "greater_equal", "less", "less_equal", "equal", "not_equal"):
            inputs = [x.item() if isinstance(x, _np.ndarray) and x.ndim == 0 else x for x in inputs]  # as CuPy
        return func(*inputs, **kwargs)

    def __array_function__(self, func, types, args, kwargs):
        target = func.__name__
        path = func.__module__.split(".")[1:]
        module = cupy
        for part in path:
            module = getattr(module, part, None)
        impl = getattr(module, target, None) if module is not None else None
        if impl is None or impl is func:
            return NotImplemented
        return impl(*args, **kwargs)


def _index(key):
    """An index for the NumPy array behind: device arrays unwrapped (CuPy also accepts host index arrays)."""
    if isinstance(key, tuple):
        return tuple(_index(k) for k in key)
    return key._a if isinstance(key, ndarray) else key


def _method(name):
    def method(self, *args, **kwargs):
        return _wrap(getattr(self._a, name)(*_operand(args), **_operand(kwargs)))
    method.__name__ = name
    return method


for _name in _METHODS:
    setattr(ndarray, _name, _method(_name))


def _inplace_fill(self, value):
    if isinstance(value, _np.ndarray) and value.ndim:
        raise ValueError("non-scalar numpy.ndarray cannot be used for fill")
    self._a.fill(_operand(value))


ndarray.fill = _inplace_fill


def _binary(ufunc_name, reflected=False):
    def op(self, other):
        if not isinstance(other, ndarray) and getattr(other, "__array_ufunc__", 0) is None:
            return NotImplemented            # e.g. a tinygan Tensor: its reflected op runs (core.pyx _should_use_rop)
        ufunc = _ufunc_objects[ufunc_name]
        return ufunc(other, self) if reflected else ufunc(self, other)
    return op


def _inplace(ufunc_name):
    def op(self, other):
        getattr(_np, ufunc_name)(self._a, _scalar_or_array(other), out=self._a)
        return self
    return op


for _dunder, _uf in {"add": "add", "sub": "subtract", "mul": "multiply", "truediv": "true_divide",
                     "floordiv": "floor_divide", "mod": "remainder", "pow": "power", "matmul": "matmul",
                     "and": "bitwise_and", "or": "bitwise_or", "xor": "bitwise_xor"}.items():
    setattr(ndarray, f"__{_dunder}__", _binary(_uf))
    setattr(ndarray, f"__r{_dunder}__", _binary(_uf, reflected=True))
    setattr(ndarray, f"__i{_dunder}__", _inplace(_uf))
for _dunder, _uf in {"lt": "less", "le": "less_equal", "gt": "greater", "ge": "greater_equal",
                     "eq": "equal", "ne": "not_equal"}.items():
    setattr(ndarray, f"__{_dunder}__", _binary(_uf))
ndarray.__hash__ = None
ndarray.__neg__ = lambda self: ndarray._of(-self._a)
ndarray.__pos__ = lambda self: ndarray._of(+self._a)
ndarray.__abs__ = lambda self: ndarray._of(abs(self._a))
ndarray.__invert__ = lambda self: ndarray._of(~self._a)


class ufunc:
    """A device ufunc: operands must be device arrays or scalars (CuPy's _kernel.ufunc)."""

    def __init__(self, name):
        self.__name__ = self.name = name
        self._np = getattr(_np, name)

    def __call__(self, *args, **kwargs):
        args = [_scalar_or_array(a) for a in args]
        kwargs = {k: _scalar_or_array(v) if k == "out" else v for k, v in kwargs.items()}
        return _wrap(self._np(*args, **kwargs))

    def outer(self, a, b, **kwargs):
        return _wrap(self._np.outer(_scalar_or_array(a), _scalar_or_array(b), **kwargs))

    def at(self, a, indices, b=None):
        if self.name not in _SCATTER_UFUNCS:
            raise NotImplementedError(f"`{self.name}.at` is not supported yet")
        self._np.at(a._a, _index(indices), _scalar_or_array(b))

    def reduce(self, array, axis=0, dtype=None, out=None, keepdims=False):
        if self.name not in ("add", "multiply"):
            raise NotImplementedError(f"`{self.name}.reduce` is not supported yet")
        return _wrap(self._np.reduce(_scalar_or_array(array), axis, dtype, None, keepdims))


_ufunc_objects = {name: ufunc(name) for name in _UFUNCS | {"floor_divide", "remainder", "bitwise_and",
                                                            "bitwise_or", "bitwise_xor"}}


def _function(name):
    np_func = getattr(_np, name)

    def func(*args, **kwargs):
        return _wrap(np_func(*_operand(args), **_operand(kwargs)))
    func.__name__ = name
    return func


def asarray(a, dtype=None, order=None, *, blocking=False):
    """The explicit host-to-device copy (or the array itself when it is already on the device)."""
    if isinstance(a, ndarray):
        return a if dtype is None or a.dtype == dtype else a.astype(dtype)
    if isinstance(a, (list, tuple)) and any(isinstance(v, ndarray) for v in _flat(a)):
        a = _operand(a)                  # CuPy builds an array from device arrays nested in a list
    return ndarray._of(_np.array(a, dtype=dtype, order=order or "K"))


def array(obj, dtype=None, copy=True, order="K", ndmin=0, *, blocking=False):
    out = asarray(obj, dtype)
    out = ndarray._of(_np.array(out._a, copy=True, order=order, ndmin=ndmin)) if copy or ndmin else out
    return out


asanyarray = asarray


def _flat(seq):
    for v in seq:
        if isinstance(v, (list, tuple)):
            yield from _flat(v)
        else:
            yield v


def asnumpy(a, stream=None, order="C", out=None, *, blocking=True):
    return a.get() if isinstance(a, ndarray) else _np.asarray(a, order=order)


def get_array_module(*args):
    return cupy if any(isinstance(a, ndarray) for a in args) else _np


def _as_strided(x, shape=None, strides=None):
    return ndarray._of(_np.lib.stride_tricks.as_strided(x._a, shape, strides))


def _norm(x, ord=None, axis=None, keepdims=False):
    return _wrap(_np.linalg.norm(_operand(x), ord, axis, keepdims))


def _scatter_add(a, slices, value):
    _np.add.at(a._a, _index(slices), _scalar_or_array(value))


class _Kernel:
    """RawKernel / ElementwiseKernel: compiling and launching CUDA C needs a GPU."""

    def __init__(self, *args, **kwargs):
        self.args = args

    def __call__(self, *args, **kwargs):
        raise NotImplementedError("strict_cupy: a RawKernel/ElementwiseKernel cannot run without a GPU; "
                                  "select a kernel that runs on both backends (registry.use)")


class _MemoryPool:
    def free_all_blocks(self):
        pass

    def used_bytes(self):
        return 0

    def total_bytes(self):
        return 0


_pool = _MemoryPool()


def _module(name, **attrs):
    module = types.ModuleType(name, f"strict_cupy stand-in for {name}")
    module.__dict__.update(attrs)
    return module


def _random_module():
    rng = _np.random.default_rng(0)

    def seed(s=None):
        nonlocal rng
        rng = _np.random.default_rng(s)

    def draw(name):
        return lambda *args, **kwargs: _wrap(_np.asarray(getattr(rng, name)(*args, **kwargs)))
    return _module("cupy.random", seed=seed, standard_normal=draw("standard_normal"), normal=draw("normal"),
                   uniform=draw("uniform"), random=draw("random"), integers=draw("integers"),
                   permutation=draw("permutation"),
                   randn=lambda *shape, dtype=float: _wrap(rng.standard_normal(shape).astype(dtype)),
                   rand=lambda *shape, dtype=float: _wrap(rng.random(shape).astype(dtype)))


_runtime = _module("cupy.cuda.runtime", getDeviceCount=lambda: 1, getDevice=lambda: 0,
                   deviceSynchronize=lambda: None, CUDARuntimeError=RuntimeError)
_cuda = _module("cupy.cuda", runtime=_runtime, Device=_Device, get_device_id=lambda: 0,
                is_available=lambda: True)
_stride_tricks = _module("cupy.lib.stride_tricks", as_strided=_as_strided)
_lib = _module("cupy.lib", stride_tricks=_stride_tricks)
_linalg = _module("cupy.linalg", norm=_norm)
_random = _random_module()

cupy = _module(
    "cupy", ndarray=ndarray, ufunc=ufunc, asarray=asarray, array=array, asanyarray=asanyarray,
    asnumpy=asnumpy, get_array_module=get_array_module, cuda=_cuda, lib=_lib, linalg=_linalg, random=_random,
    RawKernel=_Kernel, ElementwiseKernel=_Kernel, ReductionKernel=_Kernel, RawModule=_Kernel,
    get_default_memory_pool=lambda: _pool, get_default_pinned_memory_pool=lambda: _pool,
    inf=_np.inf, nan=_np.nan, pi=_np.pi, e=_np.e, newaxis=None, dtype=_np.dtype, finfo=_np.finfo,
    iinfo=_np.iinfo, result_type=_np.result_type, promote_types=_np.promote_types, can_cast=_np.can_cast,
    issubdtype=_np.issubdtype, isscalar=_np.isscalar, float16=_np.float16, float32=_np.float32,
    float64=_np.float64, int8=_np.int8, int16=_np.int16, int32=_np.int32, int64=_np.int64, uint8=_np.uint8,
    intp=_np.intp, bool_=_np.bool_, floating=_np.floating, integer=_np.integer, number=_np.number,
    generic=_np.generic,
)
for _name in _FUNCTIONS:
    if _name in _UFUNCS:
        setattr(cupy, _name, _ufunc_objects[_name])
    elif not hasattr(cupy, _name):
        setattr(cupy, _name, _function(_name))


def _module_attr(name):
    return getattr(cupy, name, None) or getattr(_special, name, None)


def _missing(name):
    raise AttributeError(f"strict_cupy: cupy.{name} is not provided by the stand-in (check that CuPy has it, "
                         "then add it to tests/strict_cupy.py)")


cupy.__getattr__ = _missing
_special = _module("cupyx.scipy.special",
                   erf=lambda x: _wrap(__import__("scipy.special", fromlist=["erf"]).erf(_scalar_or_array(x))))
_scipy = _module("cupyx.scipy", special=_special)
cupyx = _module("cupyx", scatter_add=_scatter_add, scipy=_scipy)

MODULES = {"cupy": cupy, "cupy.cuda": _cuda, "cupy.cuda.runtime": _runtime, "cupy.lib": _lib,
           "cupy.lib.stride_tricks": _stride_tricks, "cupy.linalg": _linalg, "cupy.random": _random,
           "cupyx": cupyx, "cupyx.scipy": _scipy, "cupyx.scipy.special": _special}


@contextlib.contextmanager
def installed():
    """The stand-in as `cupy`/`cupyx` in sys.modules for the duration; what was there before comes back."""
    saved = {name: sys.modules.get(name) for name in MODULES}
    sys.modules.update(MODULES)
    try:
        yield cupy
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
