"""Reference fused BatchNorm for training mode (Ioffe & Szegedy 2015), channel axis 1.

forward:  μ_c, σ²_c over (N, H, W);  x̂ = (x − μ) / √(σ² + ε);  y = γ x̂ + β
backward: with m = N·H·W values per channel,
          dβ = Σ gy,  dγ = Σ gy·x̂,  dx = γ/√(σ²+ε) · (gy − dβ/m − x̂·dγ/m)
Array expressions of the input's module (NumPy or CuPy); the fast kernels are tested against these.
"""
from tinygan.backend import get_array_module


def _axes_shape(x):
    return (0,) + tuple(range(2, x.ndim)), (1, -1) + (1,) * (x.ndim - 2)


def batch_norm_forward(x, gamma, beta, eps):
    """Returns y, the batch mean and 1/√(var + eps) per channel (the latter two for backward)."""
    xp = get_array_module(x)
    axes, shape = _axes_shape(x)
    mean = x.mean(axis=axes)
    var = x.var(axis=axes)
    invstd = 1 / xp.sqrt(var + eps)
    y = (x - mean.reshape(shape)) * (invstd * gamma).reshape(shape) + beta.reshape(shape)
    return y, mean, invstd


def batch_norm_backward(gy, x, gamma, mean, invstd):
    """Returns dx, dγ, dβ."""
    axes, shape = _axes_shape(x)
    m = x.size // x.shape[1]
    xhat = (x - mean.reshape(shape)) * invstd.reshape(shape)
    dbeta = gy.sum(axis=axes)
    dgamma = (gy * xhat).sum(axis=axes)
    dx = (gamma * invstd).reshape(shape) * (gy - (dbeta / m).reshape(shape) - xhat * (dgamma / m).reshape(shape))
    return dx, dgamma, dbeta
