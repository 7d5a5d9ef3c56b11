"""Maxout in NumPy/CuPy array ops: the definition the numba_cpu kernels are checked against.

    forward:  h (..., U·k) viewed as (..., U, k);  winner = argmax over the k pieces (the first on
              a tie; a NaN piece wins, as argmax has it, so NaN propagates);  y = h[..., winner]
    backward: gh[..., u, j] = gy[..., u] if j == winner[..., u] else 0
"""
from tinygan.backend import get_array_module


def maxout_forward(h, pieces):
    xp = get_array_module(h)
    grouped = h.reshape(h.shape[:-1] + (h.shape[-1] // pieces, pieces))
    winner = grouped.argmax(axis=-1)
    return xp.take_along_axis(grouped, winner[..., None], axis=-1)[..., 0], winner


def maxout_backward(gy, winner, pieces):
    xp = get_array_module(gy)
    one_hot = xp.arange(pieces) == winner[..., None]
    gh = xp.where(one_hot, gy[..., None], xp.zeros((), gy.dtype))      # a scatter: a NaN in gy stays with its winner
    return gh.reshape(gy.shape[:-1] + (gy.shape[-1] * pieces,))
