"""The activations' forward and backward formulas as array expressions: the definition every
other implementation is checked against (tests/test_kernel_parity.py). NumPy or CuPy arrays.

    leaky_relu:  y = x if x > 0 else s·x  (0 ≤ s ≤ 1; ReLU is s = 0);   gx = gy if x > 0 else s·gy
    tanh:        y = tanh x;                        gx = gy · (1 − y²)   (y saved by the forward)
    sigmoid:     y = ½(1 + tanh(x/2)) = 1/(1 + e⁻ˣ); gx = gy · y(1 − y)
"""
from tinygan.backend import get_array_module


def leaky_relu_forward(x, slope):
    xp = get_array_module(x)
    if slope == 0:
        return xp.maximum(x, x.dtype.type(0))       # not max(x, 0·x): 0·(−inf) is NaN
    return xp.maximum(x, x * x.dtype.type(slope))   # max(x, s·x) is the formula for 0 < s ≤ 1


def leaky_relu_backward(gy, x, slope):
    factor = (x > 0).astype(gy.dtype)
    factor *= gy.dtype.type(1 - slope)
    factor += gy.dtype.type(slope)
    return gy * factor


def tanh_forward(x):
    return get_array_module(x).tanh(x)


def tanh_backward(gy, y):
    return gy * (1 - y * y)


def sigmoid_forward(x):
    # the tanh form never overflows, unlike 1 / (1 + exp(-x)) evaluated naively for x << 0
    return x.dtype.type(0.5) * (1 + get_array_module(x).tanh(x.dtype.type(0.5) * x))


def sigmoid_backward(gy, y):
    return gy * y * (1 - y)
