"""LayerNorm (Ba, Kiros & Hinton 2016) and InstanceNorm (Ulyanov, Vedaldi & Lempitsky 2016) in
PyTorch's names and defaults (the math: tinygan/ops/normalization.py). BatchNorm: tinygan/nn/norm.py."""
import warnings

import numpy as np

from tinygan.creation import empty_parameter
from tinygan.errors import ShapeError
from tinygan.nn import functional as F, init
from tinygan.nn.module import Module


class LayerNorm(Module):
    """y = (x − E[x]) / √(Var[x] + eps) · weight + bias over the trailing `normalized_shape` axes
    of each example (Ba et al. 2016), biased variance; weight = 1 and bias = 0 of that shape
    (elementwise_affine=True; bias=False drops the bias), as torch.nn.LayerNorm. The statistics
    are the example's own, so train and eval mode compute the same thing."""

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True):
        shape = (int(normalized_shape),) if np.isscalar(normalized_shape) else tuple(int(n) for n in normalized_shape)
        self.normalized_shape, self.eps, self.elementwise_affine = shape, eps, elementwise_affine
        self.weight = init.ones_(empty_parameter(*shape)) if elementwise_affine else None
        self.bias = empty_parameter(*shape) if elementwise_affine and bias else None

    def forward(self, x):
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"


class _InstanceNorm(Module):
    spatial_dims = 2

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=False, track_running_stats=False):
        if momentum is None:
            raise ValueError(f"{type(self).__name__}: momentum=None (a cumulative average) is not supported")
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        self.weight = init.ones_(empty_parameter(num_features)) if affine else None
        self.bias = empty_parameter(num_features) if affine else None
        if track_running_stats:
            self.register_buffer("running_mean", empty_parameter(num_features).detach())
            self.register_buffer("running_var", init.ones_(empty_parameter(num_features).detach()))
        else:
            self.running_mean = self.running_var = None

    def forward(self, x):
        name, batched = type(self).__name__, self.spatial_dims + 2
        if x.ndim not in (batched, batched - 1):
            raise ShapeError(f"{name}: expected a {batched}-d input (N, C, ...) or an unbatched {batched - 1}-d one, "
                             f"got {x.shape}")
        unbatched = x.ndim == batched - 1
        if unbatched:
            x = x.reshape((1,) + x.shape)
        if x.shape[1] != self.num_features:
            if self.affine or self.track_running_stats:
                raise ShapeError(f"{name}: expected {self.num_features} channels on axis 1, got input {x.shape}")
            warnings.warn(f"{name}: input {x.shape} has {x.shape[1]} channels, but num_features is "
                          f"{self.num_features} (ignored, as affine=False)", stacklevel=2)
        y = F.instance_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                            self.training or not self.track_running_stats, self.momentum, self.eps)
        return y.reshape(y.shape[1:]) if unbatched else y

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"track_running_stats={self.track_running_stats}")


class InstanceNorm1d(_InstanceNorm):
    """InstanceNorm over the length axis of input (N, C, L) or (C, L); see InstanceNorm2d."""
    spatial_dims = 1


class InstanceNorm2d(_InstanceNorm):
    """Instance normalisation (Ulyanov et al. 2016, used by CycleGAN and style transfer): each
    (n, c) plane of input (N, C, H, W) (or unbatched (C, H, W)) is normalised by its own mean and
    biased variance, y = (x − μ_nc) / √(σ²_nc + eps) [· weight_c + bias_c].

    PyTorch's defaults: affine=False (no weight, bias) and track_running_stats=False (train and
    eval both use the instance statistics). With track_running_stats=True, training updates
    running_mean/running_var with `momentum` (batch averages of μ_nc and unbiased σ²_nc) and
    eval mode normalises with them. momentum=None is not supported."""
    spatial_dims = 2
