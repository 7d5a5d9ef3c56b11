"""Maxout (Goodfellow, Warde-Farley, Mirza, Courville & Bengio 2013, "Maxout networks"): a unit is
the largest of its k linear pieces, so a layer of maxout units learns its own convex, piecewise-
linear activation. PacGAN's 2-D discriminator is built of them (Lin et al. 2018)."""
from tinygan import autograd
from tinygan.backend import get_array_module
from tinygan.errors import ShapeError
from tinygan.kernels import kernel, register
from tinygan.ops.elementwise import where
from tinygan.tensor import Function, Tensor

register("maxout_forward", "numba_cpu", "tinygan.kernels.maxout_numba_cpu:maxout_forward", ("numpy",),
         "one pass over the pieces per row")
register("maxout_forward", "reference", "tinygan.kernels.maxout_reference:maxout_forward", ("numpy", "cupy"),
         "argmax + take_along_axis")
register("maxout_backward", "numba_cpu", "tinygan.kernels.maxout_numba_cpu:maxout_backward", ("numpy",),
         "scatter to the winners per row")
register("maxout_backward", "reference", "tinygan.kernels.maxout_reference:maxout_backward", ("numpy", "cupy"),
         "where over a one-hot mask")


class MaxoutPieces(Function):
    """(..., units·k) -> (..., units): each unit's value is the largest of its k consecutive entries
    (pieces j·k .. j·k + k − 1 belong to unit j, the layout of Blocks' LinearMaxout that PacGAN's code
    uses). The gradient goes to that one winning piece only (the first on a tie, as argmax), the
    subgradient Goodfellow et al. use; the other k − 1 pieces get zero."""

    def __init__(self, pieces):
        self.pieces = pieces

    def forward(self, h):
        y, self.winner = kernel("maxout_forward", h)(h, self.pieces)
        return y

    def backward(self, gy):
        if autograd.is_grad_enabled():      # create_graph: the same routing as recorded ops, so it differentiates
            xp = get_array_module(gy.array)
            winners = xp.arange(self.pieces) == self.winner[..., None]                      # (..., units, k)
            return where(winners, gy.reshape(gy.shape + (1,)), 0.0).reshape(self.inputs[0].shape)
        return Tensor(kernel("maxout_backward", gy.array)(gy.array, self.winner, self.pieces))


def maxout_pieces(h, pieces):
    """The maxout nonlinearity alone: (..., units·pieces) -> (..., units), the maximum over each
    group of `pieces` consecutive entries of the last axis."""
    if not isinstance(pieces, int) or pieces < 1:
        raise ValueError(f"maxout: pieces must be a positive int, got {pieces!r}")
    if h.ndim < 1 or h.shape[-1] % pieces:
        raise ShapeError(f"maxout: the last dimension of {h.shape} is not a multiple of pieces={pieces}")
    return MaxoutPieces(pieces)(h)
