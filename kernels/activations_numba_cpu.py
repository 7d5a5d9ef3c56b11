"""Numba CPU activations: one parallel pass that reads each input once and writes the output
once (NumPy's versions take 2-4 passes, and np.where was ~15× slower than a ufunc here).
Formulas in activations_reference. Index mapping: element e of the flattened arrays belongs to
one thread's contiguous block; the branches compile to vector selects, so the loops vectorise.
The sigmoid uses fastmath_numba's vectorisable float32 exp (libm's is scalar), libm for float64;
1/(1 + e⁻ˣ) is safe there: e⁻ˣ overflows to inf for x ≪ 0 and the result is 0, as it should be.
"""
import numpy as np
from numba import njit, prange

from tinygan.kernels.fastmath_numba import exp32
from tinygan.kernels.numba_threads import run

_jit = njit(parallel=True, cache=True)


@_jit
def _leaky_forward(x, slope, y):
    zero = slope * 0
    for e in prange(x.size):
        v = x[e]
        # NaN passes through (not NaN <= 0); ReLU (slope 0) maps -inf to 0, where -inf·0 would be NaN
        y[e] = v if not v <= 0 else (v * slope if slope > 0 else zero)


@_jit
def _leaky_backward(gy, x, slope, gx):
    for e in prange(x.size):
        gx[e] = gy[e] if x[e] > 0 else gy[e] * slope


@_jit
def _tanh_backward(gy, y, gx):
    for e in prange(y.size):
        gx[e] = gy[e] * (1 - y[e] * y[e])


@_jit
def _sigmoid_backward(gy, y, gx):
    for e in prange(y.size):
        gx[e] = gy[e] * y[e] * (1 - y[e])


@njit(parallel=True, cache=True, fastmath={"contract", "afn"})
def _sigmoid_forward32(x, y):
    one = np.float32(1.0)
    for e in prange(x.size):
        y[e] = one / (one + exp32(-x[e]))


@_jit
def _sigmoid_forward64(x, y):
    for e in prange(x.size):
        y[e] = 1.0 / (1.0 + np.exp(-x[e]))


def _flat(a):
    return np.ascontiguousarray(a).reshape(-1)


def _unary(kernel, x, *scalars):
    out = np.empty_like(x, order="C")
    run(kernel, x.size, _flat(x), *scalars, out.reshape(-1))
    return out


def _binary(kernel, gy, other, *scalars):
    out = np.empty_like(other, order="C")
    run(kernel, other.size, _flat(gy), _flat(other), *scalars, out.reshape(-1))
    return out


def leaky_relu_forward(x, slope):
    return _unary(_leaky_forward, x, x.dtype.type(slope))


def leaky_relu_backward(gy, x, slope):
    return _binary(_leaky_backward, gy, x, gy.dtype.type(slope))


def tanh_backward(gy, y):
    return _binary(_tanh_backward, gy, y)


def sigmoid_forward(x):
    return _unary(_sigmoid_forward32 if x.dtype == np.float32 else _sigmoid_forward64, x)


def sigmoid_backward(gy, y):
    return _binary(_sigmoid_backward, gy, y)
