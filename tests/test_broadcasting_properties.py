"""Property tests: for any pair of broadcastable shapes, each elementwise op matches NumPy and
each input's gradient has that input's shape and equals the broadcast-reduced NumPy gradient."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import tinygan

OPS = {
    "add": (lambda a, b: a + b, lambda a, b, g: (g, g)),
    "sub": (lambda a, b: a - b, lambda a, b, g: (g, -g)),
    "mul": (lambda a, b: a * b, lambda a, b, g: (g * b, g * a)),
    "div": (lambda a, b: a / b, lambda a, b, g: (g / b, -g * a / b ** 2)),
    "maximum": (lambda a, b: tinygan.maximum(a, b) if isinstance(a, tinygan.Tensor) else np.maximum(a, b),
                lambda a, b, g: (g * (a > b), g * (a < b))),
}


def reduce_to(grad, shape):
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, n in enumerate(shape):
        if n == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


@settings(max_examples=40, deadline=None)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=4),
       op=st.sampled_from(sorted(OPS)), seed=st.integers(0, 2 ** 16))
def test_broadcast_forward_and_backward(shapes, op, seed):
    rng = np.random.default_rng(seed)
    (sa, sb), out_shape = shapes.input_shapes, shapes.result_shape
    a_np = rng.standard_normal(sa)
    b_np = rng.standard_normal(sb) + (3.0 if op == "div" else 0.0)   # keep divisors away from 0
    if op == "maximum":
        b_np = b_np + 0.5 * (np.abs(a_np - b_np) < 1e-3) if a_np.shape == b_np.shape else b_np
    fn, grads = OPS[op]
    a = tinygan.tensor(a_np, requires_grad=True, dtype=np.float64)
    b = tinygan.tensor(b_np, requires_grad=True, dtype=np.float64)
    y = fn(a, b)
    np.testing.assert_allclose(y.numpy(), fn(a_np, b_np), rtol=1e-12)
    g = rng.standard_normal(out_shape)
    y.backward(tinygan.tensor(g, dtype=np.float64))
    ga, gb = grads(np.broadcast_to(a_np, out_shape), np.broadcast_to(b_np, out_shape), g)
    assert a.grad.shape == tuple(sa) and b.grad.shape == tuple(sb)
    np.testing.assert_allclose(a.grad.numpy(), reduce_to(np.asarray(ga, float), sa), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b.grad.numpy(), reduce_to(np.asarray(gb, float), sb), rtol=1e-10, atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=1, max_dims=3, max_side=4))
def test_incompatible_shapes_raise_a_shape_error(shapes):
    sa = shapes.input_shapes[0]
    bad = tuple(n + 1 if n > 1 else 2 for n in sa)  # every axis > 1 and different, so never broadcastable
    a = tinygan.zeros(*sa) if sa else tinygan.zeros(1)
    b = tinygan.zeros(*(bad + (3,)))
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        with pytest.raises(tinygan.ShapeError, match="cannot be broadcast"):
            a + b


def test_mixing_float32_and_float64_is_an_error():
    with pytest.raises(tinygan.DTypeError, match=r"add: cannot mix float32 \(2,\) with float64 \(2,\)"):
        tinygan.ones(2) + tinygan.ones(2, dtype=np.float64)


def test_python_scalars_keep_the_tensor_dtype_and_ints_promote():
    assert (tinygan.ones(2) * 3.5).dtype == np.float32
    assert (tinygan.ones(2, dtype=np.float64) + 1).dtype == np.float64
    labels = tinygan.tensor([0, 1, 1])
    assert labels.dtype == np.int64
    smoothed = labels * 0.9
    assert smoothed.dtype == np.float32 and np.allclose(smoothed.numpy(), [0, 0.9, 0.9])
