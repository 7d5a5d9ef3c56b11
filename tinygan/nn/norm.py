"""Batch normalisation (Ioffe & Szegedy 2015) and virtual batch normalisation (Salimans et al. 2016)."""
import numpy as np

from tinygan.creation import empty_parameter, zeros
from tinygan.errors import ShapeError
from tinygan.nn import functional as F, init
from tinygan.nn.module import Module
from tinygan.ops import concatenate


class _BatchNorm(Module):
    input_ndims = ()
    optional_state = ("num_batches_tracked",)    # absent from checkpoints made before it existed

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True):
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.weight = init.ones_(empty_parameter(num_features)) if affine else None
        self.bias = empty_parameter(num_features) if affine else None
        if track_running_stats:
            self.register_buffer("running_mean", empty_parameter(num_features).detach())
            self.register_buffer("running_var", init.ones_(empty_parameter(num_features).detach()))
            self.register_buffer("num_batches_tracked", zeros((), dtype=np.int64))
        else:
            self.running_mean = self.running_var = self.num_batches_tracked = None

    def forward(self, x):
        if x.ndim not in self.input_ndims or x.shape[1] != self.num_features:
            raise ShapeError(f"{type(self).__name__}: expected {self.input_ndims[-1]}-d input with "
                             f"{self.num_features} channels on axis 1, got {x.shape}")
        momentum, counting = self.momentum, self.training and self.num_batches_tracked is not None
        if counting and momentum is None:     # momentum=None: the cumulative average of all batches seen
            momentum = 1.0 / (int(self.num_batches_tracked) + 1)
        y = F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                         self.training, momentum, self.eps)
        if counting:
            self.num_batches_tracked.add_(1)
        return y

    def extra_repr(self):
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}"


class BatchNorm1d(_BatchNorm):
    """Input (N, C) or (N, C, L)."""
    input_ndims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Input (N, C, H, W)."""
    input_ndims = (4,)


class VirtualBatchNorm(Module):
    """Virtual batch normalisation (Salimans et al. 2016, "Improved techniques for training GANs").

    BatchNorm makes each generated sample depend on the others in its minibatch. VBN instead
    normalises example x_i with statistics of a *fixed reference batch* R (n examples) mixed
    with x_i itself, as if x_i were one more member of R:

        μ_i = (m(x_i) + n·m(R)) / (n+1),   σ²_i = (m(x_i²) + n·m(R²)) / (n+1) − μ_i²
        y_i = γ (x_i − μ_i) / √(σ²_i + ε) + β

    where m(·) averages over the spatial axes (and, for R, over its n examples too). The
    reference rows themselves are normalised with R's own statistics.

    Usage: the reference batch must pass through the network with the *current* parameters,
    so the caller concatenates it in front of every batch: the input is
    [reference (reference_size rows); batch], and the output keeps the same layout (drop the
    first reference_size rows at the network's end).
    Cost: every forward and backward also processes the reference batch, i.e. (n+m)/m times
    the work of plain BatchNorm for a batch of m — twice the generator's compute when n = m.
    """

    def __init__(self, num_features, reference_size, eps=1e-5):
        self.num_features, self.reference_size, self.eps = num_features, reference_size, eps
        self.weight = init.ones_(empty_parameter(num_features))
        self.bias = empty_parameter(num_features)

    def forward(self, x):
        n = self.reference_size
        if x.ndim not in (2, 4) or x.shape[1] != self.num_features or x.shape[0] < n:
            raise ShapeError(f"VirtualBatchNorm: expected (reference {n} + batch, {self.num_features}, ...) "
                             f"input of 2 or 4 dims, got {x.shape}")
        spatial = tuple(range(2, x.ndim))
        shape = (1, -1) + (1,) * (x.ndim - 2)
        ref, batch = x[:n], x[n:]
        ref_mean = ref.mean(axis=(0,) + spatial, keepdims=True)
        ref_sq = (ref * ref).mean(axis=(0,) + spatial, keepdims=True)
        parts = [(ref - ref_mean) / (ref_sq - ref_mean * ref_mean + self.eps).sqrt()]
        if batch.shape[0]:
            own_mean = batch.mean(axis=spatial, keepdims=True) if spatial else batch
            own_sq = (batch * batch).mean(axis=spatial, keepdims=True) if spatial else batch * batch
            mean = (own_mean + n * ref_mean) * (1.0 / (n + 1))
            var = (own_sq + n * ref_sq) * (1.0 / (n + 1)) - mean * mean
            parts.append((batch - mean) / (var + self.eps).sqrt())
        y = concatenate(parts, axis=0) if len(parts) > 1 else parts[0]
        return y * self.weight.reshape(shape) + self.bias.reshape(shape)

    def extra_repr(self):
        return f"{self.num_features}, reference_size={self.reference_size}, eps={self.eps}"
