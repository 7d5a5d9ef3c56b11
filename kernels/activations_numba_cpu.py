"""Numba CPU activations: one parallel pass that reads each input once and writes the output
once (NumPy's versions take 2-4 passes, and np.where was ~15× slower than a ufunc here).
Formulas in activations_reference. Index mapping: element e of the flattened arrays belongs to
one thread's contiguous block; the branches compile to vector selects, so the loops vectorise.
The sigmoid and tanh use fastmath_numba's vectorisable float32 exp (libm's is scalar), libm for
float64; 1/(1 + e⁻ˣ) is safe there: e⁻ˣ overflows to inf for x ≪ 0 and the result is 0, as it
should be. tanh |x| = 1 − 2/(e^{2|x|} + 1) loses relative accuracy as |x| → 0 (1 minus a number
near 1), so below |x| = 0.55 its odd Taylor series takes over (8 terms: the next one is < 3e-8 of
the sum there); both are computed and one selected, so the loop stays branch-free and vectorises.
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


# tanh's Taylor coefficients: tanh x = x · Σ c_i x^{2i} (c_i = 2^{2n}(2^{2n} − 1) B_{2n} / (2n)!, n = i + 1)
_TANH_SERIES = tuple(np.float32(c) for c in (1.0, -1 / 3, 2 / 15, -17 / 315, 62 / 2835, -1382 / 155925, 21844 / 6081075,
                                             -929569 / 638512875))
TANH_SERIES_BELOW = np.float32(0.55)


@njit(parallel=True, cache=True, fastmath={"contract", "afn"})
def _tanh_forward32(x, y):
    c0, c1, c2, c3, c4, c5, c6, c7 = _TANH_SERIES
    one, two = np.float32(1.0), np.float32(2.0)
    for e in prange(x.size):
        v = x[e]
        a = abs(v)
        s = a * a
        series = a * (c0 + s * (c1 + s * (c2 + s * (c3 + s * (c4 + s * (c5 + s * (c6 + s * c7)))))))
        large = one - two / (exp32(two * a) + one)
        t = series if a < TANH_SERIES_BELOW else large
        y[e] = v if v != v else np.copysign(t, v)          # NaN stays NaN; tanh is odd (tanh(−0) = −0)


@_jit
def _tanh_forward64(x, y):
    for e in prange(x.size):
        y[e] = np.tanh(x[e])


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


def tanh_forward(x):
    return _unary(_tanh_forward32 if x.dtype == np.float32 else _tanh_forward64, x)


def tanh_backward(gy, y):
    return _binary(_tanh_backward, gy, y)


def sigmoid_forward(x):
    return _unary(_sigmoid_forward32 if x.dtype == np.float32 else _sigmoid_forward64, x)


def sigmoid_backward(gy, y):
    return _binary(_sigmoid_backward, gy, y)
