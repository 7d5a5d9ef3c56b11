"""Batch normalisation (Ioffe & Szegedy 2015): the one owner of its math.

Training mode is one fused Function (the kernel computes the statistics and the output in one
call; the backward kernel all three gradients in one call), and `batch_norm_train` also updates
the running statistics from the statistics that kernel returned (its side outputs:
ops/side_outputs.py). `batch_norm_eval` normalises with the running statistics. F.batch_norm
checks the arguments and picks one of the two; nn.BatchNorm1d/2d hold the buffers.

Under create_graph the backward must itself be differentiable, so it then takes the gradient
of the composite definition (mean, var, arithmetic — all recorded ops) with tinygan.grad.
"""
from tinygan import autograd
from tinygan.kernels import kernel, register
from tinygan.ops.side_outputs import with_side_outputs
from tinygan.tensor import Function, Tensor

register("batch_norm_forward", "numba_cpu", "tinygan.kernels.batchnorm_numba_cpu:batch_norm_forward", ("numpy",),
         "prange over channels, two passes, float64 sums")
register("batch_norm_forward", "numba_cuda", "tinygan.kernels.batchnorm_numba_cuda:batch_norm_forward", ("cupy",),
         "a block per channel, shared-memory sums")
register("batch_norm_forward", "reference", "tinygan.kernels.batchnorm_reference:batch_norm_forward",
         ("numpy", "cupy"), "array expressions")
register("batch_norm_backward", "numba_cpu", "tinygan.kernels.batchnorm_numba_cpu:batch_norm_backward", ("numpy",),
         "prange over channels, two passes, float64 sums")
register("batch_norm_backward", "numba_cuda", "tinygan.kernels.batchnorm_numba_cuda:batch_norm_backward", ("cupy",),
         "a block per channel, shared-memory sums")
register("batch_norm_backward", "reference", "tinygan.kernels.batchnorm_reference:batch_norm_backward",
         ("numpy", "cupy"), "array expressions")


def _channel_shape(x):
    return (1, -1) + (1,) * (x.ndim - 2)


def batch_norm_composite(x, gamma, beta, eps):
    axes = (0,) + tuple(range(2, x.ndim))
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True, correction=0)
    return (x - mean) / (var + eps).sqrt() * gamma.reshape(_channel_shape(x)) + beta.reshape(_channel_shape(x))


class BatchNormTrain(Function):
    """y = (x − mean) / √(var + eps) · γ + β with the batch's mean and biased variance per channel.
    Side outputs: (mean, 1/√(var + eps)) per channel, which the backward kernel reuses."""
    def __init__(self, eps): self.eps = eps
    def forward(self, x, gamma, beta):
        y, self.mean, self.invstd = kernel("batch_norm_forward", x)(x, gamma, beta, self.eps)
        self.side_outputs = (self.mean, self.invstd)
        return y
    def backward(self, gy):
        x, gamma, beta = self.inputs
        if autograd.is_grad_enabled():
            return autograd.grad(batch_norm_composite(x, gamma, beta, self.eps), [x, gamma, beta], gy,
                                 create_graph=True, allow_unused=True)
        dx, dgamma, dbeta = kernel("batch_norm_backward", x)(gy.array, x.array, gamma.array, self.mean, self.invstd)
        return Tensor(dx), Tensor(dgamma), Tensor(dbeta)


def batch_norm_train(x, gamma, beta, eps, running_mean=None, running_var=None, momentum=0.1):
    """Training-mode BatchNorm of x (N, C, ...) with γ, β of shape (C,). With running_mean and
    running_var (buffers, changed in place): running ← (1 − momentum)·running + momentum·batch,
    storing the *unbiased* batch variance (as PyTorch) recovered from the kernel's 1/std."""
    y, (mean, invstd) = with_side_outputs(BatchNormTrain(eps), x, gamma, beta)
    if running_mean is not None:
        count = x.numel() // x.shape[1]
        var = 1 / (invstd * invstd) - eps
        running_mean.array[...] = (1 - momentum) * running_mean.array + momentum * mean
        running_var.array[...] = (1 - momentum) * running_var.array + momentum * var * count / (count - 1)
    return y


def batch_norm_eval(x, running_mean, running_var, weight=None, bias=None, eps=1e-5):
    """Eval-mode BatchNorm: normalise with the running statistics (recorded ops, so differentiable)."""
    shape = _channel_shape(x)
    y = (x - running_mean.reshape(shape)) / (running_var.reshape(shape) + eps).sqrt()
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y
