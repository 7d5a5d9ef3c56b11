"""Fused losses: the forward kernel returns the summed loss *and* its gradient in one pass, so
the backward is one multiply. Under create_graph (double backward, e.g. unrolled GANs) the
saved gradient would be a constant, so the backward then rebuilds it from differentiable ops.
Each Function's kernels are registered just above it, in preference order.
"""
import contextlib

from tinygan import autograd
from tinygan.backend import get_array_module
from tinygan.kernels import kernel, register
from tinygan.ops.side_outputs import with_side_outputs
from tinygan.tensor import Function, Tensor
from tinygan.ops.activation import sigmoid
from tinygan.ops.elementwise import exp


def _scalar(total, like):
    return get_array_module(like).asarray(total, dtype=like.dtype)


register("bce_with_logits", "numba_cpu", "tinygan.kernels.losses_numba_cpu:bce_with_logits", ("numpy",),
         "one parallel pass: loss sum and d/dlogits")
register("bce_with_logits", "numba_cuda", "tinygan.kernels.losses_numba_cuda:bce_with_logits", ("cupy",),
         "grid-stride pass + block sums")
register("bce_with_logits", "cupy", "tinygan.kernels.losses_cupy:bce_with_logits", ("cupy",),
         "RawKernel: grid-stride pass + block sums")
register("bce_with_logits", "reference", "tinygan.kernels.losses_reference:bce_with_logits", ("numpy", "cupy"),
         "array expressions: loss sum and d/dlogits")


class BCEWithLogits(Function):
    """scale * Σ max(x,0) - x t + log(1 + e^-|x|);  d/dx = scale (σ(x) - t), d/dt = -scale x."""
    def __init__(self, scale): self.scale = scale
    def forward(self, x, t):
        total, self.dx = kernel("bce_with_logits", x)(x, t)
        return _scalar(total * self.scale, x)
    def backward(self, gy):
        x, t = self.inputs
        dx = sigmoid(x) - t if autograd.is_grad_enabled() else Tensor(self.dx)
        g = gy * self.scale
        return g * dx, (-g * x if self.needs_input_grad[1] else None)


register("mse", "numba_cpu", "tinygan.kernels.losses_numba_cpu:mse", ("numpy",),
         "one parallel pass: loss sum and d/dinput")
register("mse", "numba_cuda", "tinygan.kernels.losses_numba_cuda:mse", ("cupy",), "grid-stride pass + block sums")
register("mse", "cupy", "tinygan.kernels.losses_cupy:mse", ("cupy",), "RawKernel: grid-stride pass + block sums")
register("mse", "reference", "tinygan.kernels.losses_reference:mse", ("numpy", "cupy"),
         "array expressions: loss sum and d/dinput")


class MSE(Function):
    """scale * Σ (x - t)²;  d/dx = 2 scale (x - t) = -d/dt."""
    def __init__(self, scale): self.scale = scale
    def forward(self, x, t):
        total, self.dx = kernel("mse", x)(x, t)
        return _scalar(total * self.scale, x)
    def backward(self, gy):
        x, t = self.inputs
        dx = 2 * (x - t) if autograd.is_grad_enabled() else Tensor(self.dx)
        gx = gy * self.scale * dx
        return gx, (-gx if self.needs_input_grad[1] else None)


register("gaussian_kl", "numba_cpu", "tinygan.kernels.losses_numba_cpu:gaussian_kl", ("numpy",),
         "one parallel pass: loss sum and d/dmu, d/dlogvar")
register("gaussian_kl", "numba_cuda", "tinygan.kernels.losses_numba_cuda:gaussian_kl", ("cupy",),
         "grid-stride pass + block sums")
register("gaussian_kl", "cupy", "tinygan.kernels.losses_cupy:gaussian_kl", ("cupy",),
         "RawKernel: grid-stride pass + block sums")
register("gaussian_kl", "reference", "tinygan.kernels.losses_reference:gaussian_kl", ("numpy", "cupy"),
         "array expressions: loss sum and d/dmu, d/dlogvar")


class GaussianKL(Function):
    """scale * Σ ½(μ² + e^logvar − logvar − 1);  d/dμ = scale μ, d/dlogvar = scale ½(e^logvar − 1).
    fused = (sum, d/dlogvar) already computed by Reparameterize's kernel (its side outputs) skips
    the KL kernel."""
    def __init__(self, scale, fused=None): self.scale, self.fused = scale, fused
    def forward(self, mu, logvar):
        total, self.dlogvar = self.fused or kernel("gaussian_kl", mu)(mu, logvar)[::2]
        self.fused = None
        return _scalar(total * self.scale, mu)
    def backward(self, gy):
        mu, logvar = self.inputs
        dlogvar = 0.5 * (exp(logvar) - 1) if autograd.is_grad_enabled() else Tensor(self.dlogvar)
        g = gy * self.scale
        return g * mu, g * dlogvar


register("reparameterize_kl", "numba_cpu", "tinygan.kernels.losses_numba_cpu:reparameterize_kl", ("numpy",),
         "one parallel pass: loss sum and z = mu + e^(logvar/2) eps, KL sum, both d/dlogvar")
register("reparameterize_kl", "numba_cuda", "tinygan.kernels.losses_numba_cuda:reparameterize_kl", ("cupy",),
         "grid-stride pass + block sums")
register("reparameterize_kl", "cupy", "tinygan.kernels.losses_cupy:reparameterize_kl", ("cupy",),
         "RawKernel: grid-stride pass + block sums")
register("reparameterize_kl", "reference", "tinygan.kernels.losses_reference:reparameterize_kl", ("numpy", "cupy"),
         "array expressions: loss sum and z = mu + e^(logvar/2) eps, KL sum, both d/dlogvar")


class Reparameterize(Function):
    """z = μ + e^(logvar/2) ε (Kingma & Welling 2014, eq. 10);  d/dμ = 1, d/dlogvar = ½ e^(logvar/2) ε.
    Its kernel also computes the KL of (μ, logvar) in the same pass: the side outputs (sum, d/dlogvar),
    the forward of a GaussianKL node (reparameterize_kl below), so the VAE reads its encoder's
    output once for both."""
    def __init__(self, eps): self.eps = eps
    def forward(self, mu, logvar):
        total, z, self.dz, dkl = kernel("reparameterize_kl", mu)(mu, logvar, self.eps)
        self.side_outputs = (total, dkl)
        return z
    def backward(self, gz):
        mu, logvar = self.inputs
        dz = 0.5 * exp(0.5 * logvar) * Tensor(self.eps) if autograd.is_grad_enabled() else Tensor(self.dz)
        return gz, gz * dz


def reparameterize_kl(mu, logvar, eps, kl_scale):
    """(z, kl_scale · Σ KL) from one kernel pass: z is Reparameterize's output, the KL a GaussianKL
    node whose forward is Reparameterize's side outputs (ops/side_outputs.py)."""
    z, fused = with_side_outputs(Reparameterize(eps), mu, logvar)
    return z, GaussianKL(kl_scale, fused=fused)(mu, logvar)


class BinaryCrossEntropy(Function):
    """Elementwise −[t log p + (1−t) log(1−p)] with each log clamped at −100 (as PyTorch),
    so p = 0 or 1 gives a finite loss; d/dp = (p − t) / max(p(1−p), 1e-12)."""
    def forward(self, p, t):
        xp = get_array_module(p)
        with xp.errstate(divide="ignore") if xp.__name__ == "numpy" else contextlib.nullcontext():
            log_p, log_q = xp.maximum(xp.log(p), -100), xp.maximum(xp.log(1 - p), -100)
        return -(t * log_p + (1 - t) * log_q)
    def backward(self, gy):
        from tinygan.ops.elementwise import log, maximum
        p, t = self.inputs
        gp = gy * (p - t) / maximum(p * (1 - p), 1e-12)
        gt = gy * (maximum(log(1 - p), -100) - maximum(log(p), -100)) if self.needs_input_grad[1] else None
        return gp, gt
