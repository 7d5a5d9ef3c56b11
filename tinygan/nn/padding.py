"""Padding layers in PyTorch's names (the math: F.pad, tinygan/ops/padding.py)."""
from tinygan.nn import functional as F
from tinygan.nn.module import Module


def _quad(padding, layer):
    values = (padding,) * 4 if isinstance(padding, int) else tuple(padding)
    if len(values) != 4 or any(int(p) != p or p < 0 for p in values):
        raise ValueError(f"{layer}: padding must be an int or 4 non-negative ints (left, right, top, bottom), "
                         f"got {padding!r}")
    return tuple(int(p) for p in values)


class _Pad2d(Module):
    mode = "constant"

    def __init__(self, padding):
        self.padding = _quad(padding, type(self).__name__)

    def forward(self, x):
        return F.pad(x, self.padding, self.mode)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad2d(_Pad2d):
    """Pad the last two axes with zeros: padding int or (left, right, top, bottom), as PyTorch."""


class ConstantPad2d(_Pad2d):
    """Pad the last two axes with `value`: padding int or (left, right, top, bottom)."""

    def __init__(self, padding, value):
        super().__init__(padding)
        self.value = value

    def forward(self, x):
        return F.pad(x, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ReflectionPad2d(_Pad2d):
    """Pad the last two axes with their reflection about the edge (widths smaller than the axes),
    as CycleGAN/pix2pix generators do: padding int or (left, right, top, bottom)."""
    mode = "reflect"


class ReplicationPad2d(_Pad2d):
    """Pad the last two axes by repeating the edge values: padding int or (left, right, top, bottom)."""
    mode = "replicate"
