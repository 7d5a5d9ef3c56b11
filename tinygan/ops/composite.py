"""PyTorch tensor methods written from other ops, so none needs a backward of its own."""
import builtins
import collections

from tinygan.backend import get_array_module
from tinygan.errors import ShapeError
from tinygan.tensor import Tensor
from tinygan.ops.elementwise import abs, exp, log, maximum, minimum, sqrt
from tinygan.ops.reduce import max, min, sum
from tinygan.ops.shape import broadcast_to, getitem, reshape

# what x.max(dim) returns, as torch.return_types.max: a tuple with names
MaxResult = collections.namedtuple("max", ["values", "indices"])
MinResult = collections.namedtuple("min", ["values", "indices"])


def max_or_min(x, take_max, dim=None, keepdim=False):
    """PyTorch's three forms: x.max() a value, x.max(dim) (values, indices), x.max(y) elementwise."""
    if isinstance(dim, Tensor):
        return maximum(x, dim) if take_max else minimum(x, dim)
    if dim is None:
        return max(x) if take_max else min(x)
    if not isinstance(dim, int):
        raise ShapeError(f"{'max' if take_max else 'min'}: dim must be one int to get (values, indices), got "
                         f"{dim!r}; use amax/amin to reduce over several dims")
    values = max(x, dim, keepdim) if take_max else min(x, dim, keepdim)
    picked = x.array.argmax(axis=dim) if take_max else x.array.argmin(axis=dim)
    indices = Tensor(picked.reshape(values.shape))
    return (MaxResult if take_max else MinResult)(values, indices)


def logsumexp(x, dim, keepdim=False):
    """log Σ exp(x) over dim, shifted by the (constant) maximum so no exp overflows."""
    top = Tensor(x.array.max(axis=dim, keepdims=True))
    out = log(sum(exp(x - top), dim, keepdims=True)) + top
    return out if keepdim else reshape(out, [n for i, n in enumerate(out.shape) if i != dim % x.ndim])


def norm(x, p="fro", dim=None, keepdim=False):
    """The p-norm (Σ|x|^p)^(1/p) over dim (all elements by default); 'fro' and 2 are the same,
    1 is Σ|x| and inf is max |x|. Vector norms only (no 'nuc' or spectral norm); the gradient of
    the 2-norm at x = 0 is NaN (PyTorch gives 0)."""
    if p in ("fro", 2):
        return sqrt(sum(x * x, dim, keepdim))
    if p == 1:
        return sum(abs(x), dim, keepdim)
    if p == float("inf"):
        return max(abs(x), dim, keepdim)
    if not isinstance(p, (int, float)) or p <= 0:
        raise ValueError(f"norm: p must be a positive number, 'fro' or inf, got {p!r}")
    return sum(abs(x) ** p, dim, keepdim) ** (1.0 / p)


def repeat(x, sizes):
    """PyTorch's x.repeat(*sizes), NumPy's tile: copies of x laid side by side along each dim."""
    sizes = tuple(sizes)
    if len(sizes) < x.ndim:
        raise ShapeError(f"repeat: {len(sizes)} repeat counts for a {x.ndim}-d tensor of shape {x.shape}; "
                         "give at least one per dim")
    shape = (1,) * (len(sizes) - x.ndim) + x.shape
    interleaved = [n for pair in zip([1] * len(shape), shape) for n in pair]       # (1, a, 1, b, ...)
    tiled = [n for pair in zip(sizes, shape) for n in pair]                        # (ra, a, rb, b, ...)
    out = broadcast_to(reshape(x, interleaved), tiled)
    return reshape(out, [r * n for r, n in zip(sizes, shape)])


def split(x, split_size_or_sections, dim=0):
    """Pieces along dim: of split_size each (the last may be smaller), or of the listed sizes."""
    length = x.shape[dim]
    if isinstance(split_size_or_sections, int):
        if split_size_or_sections <= 0:
            raise ValueError(f"split: split_size must be positive, got {split_size_or_sections}")
        sizes = [builtins.min(split_size_or_sections, length - s) for s in range(0, length, split_size_or_sections)]
    else:
        sizes = list(split_size_or_sections)
        if builtins.sum(sizes) != length:
            raise ShapeError(f"split: sections {sizes} sum to {builtins.sum(sizes)}, but dim {dim} of shape "
                             f"{x.shape} has {length}")
    pieces, start = [], 0
    for size in sizes:
        key = (slice(None),) * (dim % x.ndim) + (slice(start, start + size),)
        pieces.append(getitem(x, key))
        start += size
    return tuple(pieces)


def chunk(x, chunks, dim=0):
    """At most `chunks` pieces of equal size ceil(n / chunks) along dim, as torch.chunk."""
    if chunks <= 0:
        raise ValueError(f"chunk: chunks must be positive, got {chunks}")
    return split(x, -(-x.shape[dim] // chunks) or 1, dim)


def diag(x):
    """A 1-D tensor becomes a diagonal matrix; a matrix gives its diagonal."""
    xp = get_array_module(x.array)
    if x.ndim == 1:
        return reshape(x, (1, -1)) * Tensor(xp.eye(x.shape[0], dtype=x.dtype))
    if x.ndim == 2:
        k = builtins.min(x.shape)
        return getitem(x, (xp.arange(k), xp.arange(k)))
    raise ShapeError(f"diag: expects a 1-d or 2-d tensor, got shape {x.shape}")


def meshgrid(*tensors, indexing="ij"):
    """Coordinate grids: output i holds tensors[i]'s values along axis i, broadcast over the
    others ('xy' swaps the first two axes, as NumPy's default). Differentiable."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    sizes = [t.shape[0] for t in tensors]
    axes = list(range(len(tensors)))
    if indexing == "xy" and len(tensors) > 1:
        axes[0], axes[1] = 1, 0
    shape = [sizes[a] for a in axes]
    grids = []
    for i, t in enumerate(tensors):
        where = axes.index(i)
        grids.append(broadcast_to(reshape(t, [-1 if k == where else 1 for k in range(len(shape))]), shape))
    return tuple(grids)
