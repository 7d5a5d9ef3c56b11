"""Maxout (Goodfellow, Warde-Farley, Mirza, Courville & Bengio 2013, "Maxout networks"): a unit is
the largest of its k linear pieces, so a layer of maxout units learns its own convex, piecewise-
linear activation. PacGAN's 2-D discriminator is built of them (Lin et al. 2018)."""
from tinygan.backend import get_array_module
from tinygan.errors import ShapeError
from tinygan.tensor import Function, Tensor


class MaxoutPieces(Function):
    """(..., units·k) -> (..., units): each unit's value is the largest of its k consecutive entries
    (pieces j·k .. j·k + k − 1 belong to unit j, the layout of Blocks' LinearMaxout that PacGAN's code
    uses). The gradient goes to that one winning piece only (the first on a tie, as argmax), the
    subgradient Goodfellow et al. use; the other k − 1 pieces get zero."""

    def __init__(self, pieces):
        self.pieces = pieces

    def forward(self, h):
        xp = get_array_module(h)
        grouped = h.reshape(h.shape[:-1] + (h.shape[-1] // self.pieces, self.pieces))
        self.winner = grouped.argmax(axis=-1)
        return xp.take_along_axis(grouped, self.winner[..., None], axis=-1)[..., 0]

    def backward(self, gy):
        xp = get_array_module(gy.array)
        one_hot = (xp.arange(self.pieces) == self.winner[..., None]).astype(gy.dtype)   # (..., units, k)
        return (gy.reshape(gy.shape + (1,)) * Tensor(one_hot)).reshape(self.inputs[0].shape)


def maxout_pieces(h, pieces):
    """The maxout nonlinearity alone: (..., units·pieces) -> (..., units), the maximum over each
    group of `pieces` consecutive entries of the last axis."""
    if not isinstance(pieces, int) or pieces < 1:
        raise ValueError(f"maxout: pieces must be a positive int, got {pieces!r}")
    if h.ndim < 1 or h.shape[-1] % pieces:
        raise ShapeError(f"maxout: the last dimension of {h.shape} is not a multiple of pieces={pieces}")
    return MaxoutPieces(pieces)(h)
