"""Elementwise ops. Binary ops broadcast like NumPy; their backward sums the gradient back
over the broadcast axes (`unbroadcast`), so every input receives a gradient of its own shape."""
import numpy as np

from tinygan.backend import get_array_module
from tinygan.errors import DTypeError, ShapeError
from tinygan.tensor import Function, Tensor, make_array
from tinygan.ops.shape import sum_to


def unbroadcast(grad, shape):
    """grad summed back to shape over the axes broadcasting added or stretched."""
    return grad if grad.shape == shape else sum_to(grad, shape)


def _as_tensor(value, like):
    """Python/NumPy scalars take the dtype of the float tensor they meet; arrays keep their own."""
    if isinstance(value, Tensor):
        return value
    xp = get_array_module(like.array)
    is_scalar = isinstance(value, (bool, int, float, np.generic))
    dtype = like.dtype if is_scalar and like.dtype.kind == "f" else None
    return Tensor(make_array(value, dtype, xp))


def operands(op, a, b):
    """Coerce a, b to Tensors of one dtype with broadcastable shapes, or raise one clear line."""
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        raise TypeError(f"{op}: at least one argument must be a Tensor")
    a = _as_tensor(a, b) if not isinstance(a, Tensor) else a
    b = _as_tensor(b, a)
    if a.dtype != b.dtype:
        fa, fb = a.dtype.kind == "f", b.dtype.kind == "f"
        if fa and fb:
            raise DTypeError(f"{op}: cannot mix {a.dtype} {a.shape} with {b.dtype} {b.shape}; "
                             "convert one with .float() or .double()")
        if fa != fb:  # integer/bool data meeting floats is promoted, as in PyTorch
            a, b = (a, b.astype(a.dtype)) if fa else (a.astype(b.dtype), b)
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ShapeError(f"{op}: shapes {a.shape} and {b.shape} cannot be broadcast together") from None
    return a, b


class Add(Function):
    def forward(self, x, y): return x + y
    def backward(self, gy):
        x, y = self.inputs
        return unbroadcast(gy, x.shape), unbroadcast(gy, y.shape)


class Sub(Function):
    def forward(self, x, y): return x - y
    def backward(self, gy):
        x, y = self.inputs
        return unbroadcast(gy, x.shape), unbroadcast(-gy, y.shape)


class Mul(Function):
    def forward(self, x, y): return x * y
    def backward(self, gy):
        x, y = self.inputs
        return unbroadcast(gy * y, x.shape), unbroadcast(gy * x, y.shape)


class Div(Function):
    def forward(self, x, y): return x / y
    def backward(self, gy):
        x, y = self.inputs
        gx = gy / y
        return unbroadcast(gx, x.shape), unbroadcast(-gx * x / y, y.shape)


class Neg(Function):
    def forward(self, x): return -x
    def backward(self, gy): return -gy


class Pow(Function):
    """x ** p for a constant exponent p: d/dx = p x^(p-1)."""
    def __init__(self, p): self.p = p
    def forward(self, x): return x ** self.p
    def backward(self, gy):
        x, = self.inputs
        return gy * (self.p * x ** (self.p - 1)) if self.p != 1 else gy


def add(a, b):
    """a + b with broadcasting (a Python number takes the tensor's dtype)."""
    return Add()(*operands("add", a, b))


def sub(a, b):
    """a − b with broadcasting."""
    return Sub()(*operands("sub", a, b))


def mul(a, b):
    """a · b elementwise with broadcasting."""
    return Mul()(*operands("mul", a, b))


def div(a, b):
    """a / b elementwise with broadcasting (true division)."""
    return Div()(*operands("div", a, b))


def neg(x):
    """−x."""
    return Neg()(x)


def pow(x, exponent):
    """xᵖ for a constant Python number p (TypeError for a Tensor exponent); d/dx = p xᵖ⁻¹."""
    if isinstance(exponent, Tensor):
        raise TypeError(f"pow: the exponent must be a Python number, got a Tensor of shape {exponent.shape}")
    return Pow(float(exponent) if not float(exponent).is_integer() else int(exponent))(x)


def rpow(x, base):
    """base ** x = exp(x ln base) for a positive constant base (NaN for base < 0)."""
    return exp(x * float(np.log(base)))


class Exp(Function):
    def forward(self, x): return get_array_module(x).exp(x)
    def backward(self, gy): return gy * self.output()


class Log(Function):
    def forward(self, x): return get_array_module(x).log(x)
    def backward(self, gy): return gy / self.inputs[0]


class Sqrt(Function):
    def forward(self, x): return get_array_module(x).sqrt(x)
    def backward(self, gy): return gy / (2 * self.output())


class Abs(Function):
    def forward(self, x): return get_array_module(x).abs(x)
    def backward(self, gy):
        x = self.inputs[0].array
        return gy * Tensor(get_array_module(x).sign(x))  # 0 at x = 0, as in PyTorch


class Clip(Function):
    """Gradient passes where lo <= x <= hi (inclusive, as torch.clamp)."""
    def __init__(self, lo, hi): self.lo, self.hi = lo, hi
    def forward(self, x): return get_array_module(x).clip(x, self.lo, self.hi)
    def backward(self, gy):
        x = self.inputs[0].array
        inside = get_array_module(x).ones(x.shape, dtype=bool)
        if self.lo is not None:
            inside &= x >= self.lo
        if self.hi is not None:
            inside &= x <= self.hi
        return gy * Tensor(inside.astype(x.dtype))


class Where(Function):
    def __init__(self, condition): self.condition = condition
    def forward(self, x, y): return get_array_module(x).where(self.condition, x, y)
    def backward(self, gy):
        x, y = self.inputs
        zero = Tensor(get_array_module(gy.array).zeros((), dtype=gy.dtype))
        return (unbroadcast(where(self.condition, gy, zero), x.shape),
                unbroadcast(where(self.condition, zero, gy), y.shape))


def exp(x):
    """eˣ elementwise; d/dx = eˣ."""
    return Exp()(x)


def log(x):
    """The natural logarithm ln x elementwise; d/dx = 1/x (−inf at 0 and NaN below, as NumPy)."""
    return Log()(x)


def sqrt(x):
    """√x elementwise; d/dx = 1 / (2√x), inf at 0."""
    return Sqrt()(x)


def abs(x):
    """|x| elementwise; d/dx = sign(x), 0 at x = 0 (as PyTorch)."""
    return Abs()(x)


def clip(x, min=None, max=None):
    """Clamp x into [min, max] (numbers; either may be None, not both: ValueError). The gradient
    is 1 where min ≤ x ≤ max, ends included (as torch.clamp), else 0. tinygan.clamp is the same."""
    if min is None and max is None:
        raise ValueError("clip: give at least one of min and max")
    return Clip(min, max)(x)


def where(condition, x, y):
    """x where condition else y, all three broadcast together; condition is a bool array or
    Tensor outside the graph (no gradient). x or y may be a Python number. The gradient goes to
    x where condition holds and to y elsewhere."""
    cond = condition.array if isinstance(condition, Tensor) else condition
    x, y = operands("where", x, y)
    try:
        np.broadcast_shapes(tuple(cond.shape), x.shape, y.shape)
    except ValueError:
        raise ShapeError(f"where: condition {tuple(cond.shape)} and values {x.shape}, {y.shape} "
                         "cannot be broadcast together") from None
    return Where(get_array_module(x.array).asarray(cond, dtype=bool))(x, y)


class Maximum(Function):
    """Elementwise max (or min); at ties each input gets half the gradient, as torch.maximum."""
    def __init__(self, take_max): self.take_max = take_max
    def forward(self, x, y):
        xp = get_array_module(x)
        return xp.maximum(x, y) if self.take_max else xp.minimum(x, y)
    def backward(self, gy):
        x, y = self.inputs
        wins = x.array > y.array if self.take_max else x.array < y.array
        share = Tensor((wins + 0.5 * (x.array == y.array)).astype(gy.dtype))  # x's share of gy
        return unbroadcast(gy * share, x.shape), unbroadcast(gy * (1 - share), y.shape)


def maximum(a, b):
    """Elementwise max(a, b) with broadcasting; at ties each input gets half the gradient."""
    return Maximum(True)(*operands("maximum", a, b))


def minimum(a, b):
    """Elementwise min(a, b) with broadcasting; at ties each input gets half the gradient."""
    return Maximum(False)(*operands("minimum", a, b))
