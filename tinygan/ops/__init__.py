"""Differentiable ops, by family. Each op is a Function (forward on arrays, backward on
Tensors) plus a plain function that checks its arguments and calls it."""
from tinygan.ops.shape import (astype, broadcast_to, clone, concatenate, flatten, getitem, pad, reshape,  # noqa: F401
                               squeeze, stack, sum_to, swap_last, transpose, unsqueeze)
from tinygan.ops.elementwise import (abs, add, clip, div, exp, leaky_relu, log, log_softmax,  # noqa: F401
                                     maximum, minimum, mul, neg, pow, relu, rpow, sigmoid, softmax,
                                     softplus, sqrt, sub, tanh, where)
from tinygan.ops.reduce import max, mean, min, sum, var  # noqa: F401
from tinygan.ops.linalg import matmul  # noqa: F401
from tinygan.ops.composite import chunk, diag, logsumexp, max_or_min, meshgrid, repeat, split  # noqa: F401
from tinygan.ops.composite import norm as vector_norm  # noqa: F401  (ops.norm is the BatchNorm module)
