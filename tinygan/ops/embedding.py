"""Embedding lookup: a gather of weight rows (getitem with an integer array), whose backward
scatter-adds each output row's gradient into its weight row (repeated indices accumulate)."""
from tinygan.backend import get_array_module, to_numpy
from tinygan.errors import DTypeError, ShapeError
from tinygan.ops.elementwise import where
from tinygan.ops.shape import getitem
from tinygan.tensor import Tensor


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """y[..., :] = weight[input[...], :], as torch's F.embedding: input is an integer tensor or
    array of any shape, weight (num_embeddings, embedding_dim); y has shape input.shape + (dim,).

    The rows at padding_idx (negative counts from the end) receive no gradient. Not supported:
    max_norm (renormalising rows in place), scale_grad_by_freq, sparse gradients.
    """
    if max_norm is not None or scale_grad_by_freq or sparse:
        raise NotImplementedError("embedding: max_norm, scale_grad_by_freq and sparse are not supported")
    if weight.ndim != 2:
        raise ShapeError(f"embedding: weight must be 2-d (num_embeddings, embedding_dim), got {weight.shape}")
    xp = get_array_module(weight.array)
    index = input.array if isinstance(input, Tensor) else xp.asarray(input)
    if index.dtype.kind not in "iu":
        raise DTypeError(f"embedding: indices must be integers, got {index.dtype} {tuple(index.shape)}")
    num = weight.shape[0]
    if index.size and (int(index.min()) < 0 or int(index.max()) >= num):
        bad = to_numpy(index)[(to_numpy(index) < 0) | (to_numpy(index) >= num)].flat[0]
        raise IndexError(f"embedding: index {int(bad)} is out of range for {num} embeddings")
    rows = getitem(weight, index)
    if padding_idx is not None:
        if not -num <= padding_idx < num:
            raise ValueError(f"embedding: padding_idx {padding_idx} is out of range for {num} embeddings")
        keep = (index != padding_idx % num)[..., None]
        rows = where(keep, rows, rows.detach())
    return rows
