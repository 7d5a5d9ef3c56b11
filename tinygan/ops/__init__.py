"""Differentiable ops, by family. Each op is a Function (forward on arrays, backward on
Tensors) plus a plain function that checks its arguments and calls it."""
from tinygan.ops.shape import (astype, broadcast_to, clone, concatenate, flatten, getitem, pad, reshape,  # noqa: F401
                               squeeze, stack, sum_to, swap_last, transpose, unsqueeze)
from tinygan.ops.elementwise import (abs, add, clip, div, exp, log, maximum, minimum, mul, neg, pow,  # noqa: F401
                                     rpow, sqrt, sub, where)
from tinygan.ops.activation import leaky_relu, log_softmax, relu, sigmoid, softmax, softplus, tanh  # noqa: F401
from tinygan.ops.reduce import max, mean, min, sum, var  # noqa: F401
from tinygan.ops.linalg import matmul  # noqa: F401
from tinygan.ops.composite import chunk, diag, logsumexp, max_or_min, meshgrid, repeat, split  # noqa: F401
from tinygan.ops.composite import norm as vector_norm  # noqa: F401  (ops.norm is the BatchNorm module)
