"""Upsampling layers in PyTorch's names and arguments (the math: tinygan/ops/resample.py)."""
from tinygan.nn import functional as F
from tinygan.nn.module import Module


class Upsample(Module):
    """Resize the spatial axes, F.interpolate(x, size, scale_factor, mode, align_corners), e.g.
    nn.Upsample(scale_factor=2) (nearest) or nn.Upsample(scale_factor=2, mode="bilinear").
    Modes: nearest, nearest-exact, linear, bilinear, trilinear, area (not bicubic)."""

    def __init__(self, size=None, scale_factor=None, mode="nearest", align_corners=None,
                 recompute_scale_factor=None):
        self.size, self.scale_factor, self.mode = size, scale_factor, mode
        self.align_corners, self.recompute_scale_factor = align_corners, recompute_scale_factor

    def forward(self, x):
        return F.interpolate(x, self.size, self.scale_factor, self.mode, self.align_corners,
                             self.recompute_scale_factor)

    def extra_repr(self):
        what = f"size={self.size}" if self.size is not None else f"scale_factor={self.scale_factor}"
        return f"{what}, mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """Upsample with mode 'nearest' (PyTorch's legacy layer)."""

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """Upsample with mode 'bilinear' and align_corners=True (PyTorch's legacy layer)."""

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)
