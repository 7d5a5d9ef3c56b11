"""Gradient checks in float64 by central differences (the discipline of Chainer's check_backward).

gradcheck compares the vector-Jacobian products the engine computes with finite differences:
along random directions always, and element by element (the full Jacobian) when the inputs
are tiny. gradgradcheck applies gradcheck to the gradient function itself, i.e. it checks
the graph that backward(create_graph=True) records.
"""
import numpy as np

from tinygan import autograd
from tinygan.backend import to_numpy
from tinygan.tensor import Tensor


class GradcheckError(AssertionError):
    pass


def _outputs(fn, inputs):
    out = fn(*inputs)
    return list(out) if isinstance(out, (tuple, list)) else [out]


def _scalar_projection(fn, inputs, cotangents):
    """<fn(inputs), cotangents> as a float. Grad mode stays on: fn may itself call grad()."""
    outs = _outputs(fn, inputs)
    return sum(float((to_numpy(o.array) * c).sum()) for o, c in zip(outs, cotangents) if o is not None)


def gradcheck(fn, inputs, eps=1e-6, atol=1e-5, rtol=1e-4, directions=3, full_jacobian_max=64, seed=0):
    """Raise GradcheckError unless analytic and numeric gradients agree; return True otherwise.

    fn: callable of Tensors returning a Tensor or a tuple of Tensors.
    inputs: float64 Tensors; those with requires_grad=True are checked.
    """
    rng = np.random.default_rng(seed)
    checked = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    for i in checked:
        if inputs[i].dtype != np.float64:
            raise GradcheckError(f"gradcheck: input {i} is {inputs[i].dtype}; use float64 for finite differences")
    outs = _outputs(fn, inputs)
    cotangents = [rng.standard_normal(o.shape) for o in outs]
    # outputs outside the graph contribute an analytic gradient of zero; if they really vary
    # with the inputs (a backward that used a constant), the finite differences will say so
    pairs = [(o, Tensor(_like(o.array, c))) for o, c in zip(outs, cotangents) if o.requires_grad]
    grads = (autograd.grad([o for o, _ in pairs], [inputs[i] for i in checked], [c for _, c in pairs],
                           allow_unused=True) if pairs else [None] * len(checked))
    analytic = {i: (to_numpy(g.array) if g is not None else np.zeros(inputs[i].shape)) for i, g in zip(checked, grads)}

    for i in checked:
        x = inputs[i]
        base = x.array.copy()
        probes = [rng.standard_normal(x.shape) for _ in range(directions)]
        if x.array.size <= full_jacobian_max:
            probes += [np.eye(x.array.size)[k].reshape(x.shape) for k in range(x.array.size)]
        for k, v in enumerate(probes):
            x.array = base + eps * _like(base, v)
            plus = _scalar_projection(fn, inputs, cotangents)
            x.array = base - eps * _like(base, v)
            minus = _scalar_projection(fn, inputs, cotangents)
            x.array = base
            numeric = (plus - minus) / (2 * eps)
            exact = float((analytic[i] * v).sum())
            if not abs(numeric - exact) <= atol + rtol * abs(numeric):
                what = "random direction" if k < directions else f"element {np.unravel_index(k - directions, x.shape)}"
                raise GradcheckError(f"gradcheck: input {i} {x.shape}, {what}: analytic {exact:.8g} "
                                     f"vs numeric {numeric:.8g}")
    return True


def _like(array, values):
    """values as an array of `array`'s backend and dtype."""
    from tinygan.backend import get_array_module
    return get_array_module(array).asarray(values, dtype=array.dtype)


def gradgradcheck(fn, inputs, seed=1, **kwargs):
    """gradcheck of x ↦ ∂<fn(x), u>/∂x for a fixed random u: checks double backward."""
    rng = np.random.default_rng(seed)
    checked = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    outs = _outputs(fn, inputs)
    us = [Tensor(_like(o.array, rng.standard_normal(o.shape))) for o in outs]

    def first_grads(*xs):
        pairs = [(o, u) for o, u in zip(_outputs(fn, xs), us) if o.requires_grad]
        grads = autograd.grad([o for o, _ in pairs], [xs[i] for i in checked], [u for _, u in pairs],
                              create_graph=True, allow_unused=True)
        return tuple(g if g is not None else Tensor(xs[i].array * 0) for g, i in zip(grads, checked))

    return gradcheck(first_grads, inputs, seed=seed, **kwargs)
