"""In-place tensor methods (`fill_`, `add_`, `x[i] = v`, ...), PyTorch's spelling, outside the graph.

tinygan records no in-place op in the graph: an in-place op is allowed where PyTorch allows it
without autograd's help, i.e. on a tensor that does not require grad (`p.data`, a buffer, any
tensor under `no_grad`). Each one bumps the tensor's version counter, shared by every tensor
that shares the array (`.data`, `.detach()`); an op that used the tensor checks the counter
when backward reaches it, so a value changed after the graph used it raises instead of giving a
silently wrong gradient (PyTorch's "modified by an inplace operation" check).
"""
import numpy as np

from tinygan import autograd, random
from tinygan.backend import get_array_module, to_numpy
from tinygan.errors import GraphError, ShapeError


def _needs_graph(value):
    return getattr(value, "requires_grad", False) and autograd.is_grad_enabled()


def _values(target, value, op):
    """`value` as an array of target's backend and dtype (a Tensor value must not need the graph)."""
    if _needs_graph(value):
        raise GraphError(f"{op}: the value written requires grad, and in-place ops are not recorded in "
                         "the graph; use the out-of-place form (e.g. x = x + y)")
    value = getattr(value, "array", value)
    xp = get_array_module(target.array)
    array = xp.asarray(to_numpy(value) if xp is np else value, dtype=target.dtype)
    return array


class InPlaceMethods:
    """Mixed into Tensor. Every method returns self, as PyTorch's do.

    None is recorded in the graph: each raises GraphError on a tensor that requires grad while
    grad mode is on (use `.data`, `no_grad()` or the out-of-place form), and when the value
    written is a tensor that requires grad."""

    __slots__ = ()

    def _begin_inplace(self, op):
        if self.requires_grad and autograd.is_grad_enabled():
            raise GraphError(f"{op}: in-place change of a tensor that requires grad (shape {self.shape}); "
                             "do it under tinygan.no_grad(), on .data, or write the out-of-place form")

    def _write(self, op, array, index=Ellipsis):
        """Store array into self.array[index] and count the change."""
        self._begin_inplace(op)
        if index is Ellipsis and array.shape != self.shape:
            try:
                fits = np.broadcast_shapes(array.shape, self.shape) == self.shape
            except ValueError:
                fits = False
            if not fits:
                raise ShapeError(f"{op}: a value of shape {tuple(array.shape)} cannot be written into a "
                                 f"tensor of shape {self.shape}")
        self.array[index] = array
        self._version[0] += 1
        return self

    # ---- writes -------------------------------------------------------------------------
    def __setitem__(self, index, value):
        index = tuple(getattr(i, "array", i) for i in index) if isinstance(index, tuple) else getattr(index, "array", index)
        self._write("__setitem__", _values(self, value, "__setitem__"), index)

    def copy_(self, src):
        """Write src's values (broadcast to self's shape, cast to self's dtype, from any device)."""
        return self._write("copy_", _values(self, src, "copy_"))

    def fill_(self, value):
        """Set every element to value (a number or a one-element tensor)."""
        return self._write("fill_", _values(self, value, "fill_"))

    def zero_(self):
        """fill_(0)."""
        return self.fill_(0)

    def normal_(self, mean=0.0, std=1.0):
        """Fill with samples of N(mean, std²) drawn on the CPU from tinygan's central generator."""
        return self._write("normal_", _values(self, random.generator().normal(mean, std, self.shape), "normal_"))

    def uniform_(self, a=0.0, b=1.0):
        """Fill with samples of U[a, b) drawn on the CPU from tinygan's central generator."""
        return self._write("uniform_", _values(self, random.generator().uniform(a, b, self.shape), "uniform_"))

    def clamp_(self, min=None, max=None):
        """Clamp every element into [min, max] (either bound may be None); clip_ is the same."""
        return self._write("clamp_", get_array_module(self.array).clip(self.array, min, max))
    clip_ = clamp_

    def scatter_(self, dim, index, src=None, *, value=None):
        """self[..., index[i, j], ...] = src[i, j] along dim, as torch.scatter_ (src a tensor or
        a number; `value=` is the same as a number). Typical use: one-hot labels."""
        src = value if src is None else src
        index = getattr(index, "array", index)
        xp = get_array_module(self.array)
        if index.ndim != self.ndim:
            raise ShapeError(f"scatter_: index has {index.ndim} dims but the tensor has {self.ndim} (shape {self.shape})")
        where = list(xp.meshgrid(*[xp.arange(n) for n in index.shape], indexing="ij"))
        where[dim] = xp.asarray(index)
        values = _values(self, src, "scatter_")
        if values.ndim:                                      # a tensor src: the part index covers
            values = values[tuple(slice(0, n) for n in index.shape)]
        return self._write("scatter_", values, tuple(where))

    def lerp_(self, end, weight):
        """self += weight · (end − self): the exponential moving average of an EMA generator."""
        return self._write("lerp_", self.array + _values(self, weight, "lerp_") * (_values(self, end, "lerp_") - self.array))

    # ---- arithmetic: x.add_(y) and x += y ------------------------------------------------
    def add_(self, other, *, alpha=1):
        """self += alpha · other (other broadcast to self's shape and cast to its dtype)."""
        return self._write("add_", self.array + alpha * _values(self, other, "add_"))

    def sub_(self, other, *, alpha=1):
        """self −= alpha · other (other broadcast to self's shape and cast to its dtype)."""
        return self._write("sub_", self.array - alpha * _values(self, other, "sub_"))

    def mul_(self, other):
        """self *= other (other broadcast to self's shape and cast to its dtype)."""
        return self._write("mul_", self.array * _values(self, other, "mul_"))

    def div_(self, other):
        """self /= other (other broadcast to self's shape; the quotient is cast back to self's dtype)."""
        return self._write("div_", self.array / _values(self, other, "div_"))

    # `x += y` is in place where it may be (as in PyTorch); on a tensor that requires grad it
    # rebinds x to the out-of-place result, which gives the same values and correct gradients.
    def _augmented(self, inplace, out_of_place, other):
        if _needs_graph(self) or _needs_graph(other):
            return out_of_place(self, other)
        return inplace(self, other)

    def __iadd__(self, other): return self._augmented(InPlaceMethods.add_, type(self).__add__, other)
    def __isub__(self, other): return self._augmented(InPlaceMethods.sub_, type(self).__sub__, other)
    def __imul__(self, other): return self._augmented(InPlaceMethods.mul_, type(self).__mul__, other)
    def __itruediv__(self, other): return self._augmented(InPlaceMethods.div_, type(self).__truediv__, other)
