"""Training-mode BatchNorm as one fused Function (the kernel computes statistics and output
in one call; the backward kernel all three gradients in one call).

Under create_graph the backward must itself be differentiable, so it then takes the gradient
of the composite definition (mean, var, arithmetic — all recorded ops) with tinygan.grad.
"""
from tinygan import autograd
from tinygan.kernels import kernel
from tinygan.tensor import Function, Tensor


def batch_norm_composite(x, gamma, beta, eps):
    axes, shape = (0,) + tuple(range(2, x.ndim)), (1, -1) + (1,) * (x.ndim - 2)
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True, correction=0)
    return (x - mean) / (var + eps).sqrt() * gamma.reshape(shape) + beta.reshape(shape)


class BatchNormTrain(Function):
    def __init__(self, eps): self.eps = eps
    def forward(self, x, gamma, beta):
        y, self.mean, self.invstd = kernel("batch_norm_forward", x)(x, gamma, beta, self.eps)
        return y
    def backward(self, gy):
        x, gamma, beta = self.inputs
        if autograd.is_grad_enabled():
            return autograd.grad(batch_norm_composite(x, gamma, beta, self.eps), [x, gamma, beta], gy,
                                 create_graph=True, allow_unused=True)
        dx, dgamma, dbeta = kernel("batch_norm_backward", x)(gy.array, x.array, gamma.array, self.mean, self.invstd)
        return Tensor(dx), Tensor(dgamma), Tensor(dbeta)
