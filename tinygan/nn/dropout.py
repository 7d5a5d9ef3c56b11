"""Channel dropout (Dropout2d); element dropout is nn.Dropout in tinygan/nn/layers.py."""
from tinygan.nn import functional as F
from tinygan.nn.module import Module


class Dropout2d(Module):
    """In training mode, zero each whole feature map (n, c) of input (N, C, H, W) with probability
    p and scale the others by 1/(1−p) (Tompson et al. 2015); the identity in eval mode.
    inplace=True is accepted but computed out of place."""

    def __init__(self, p=0.5, inplace=False):
        if not 0 <= p <= 1:
            raise ValueError(f"Dropout2d: p must be in [0, 1], got {p}")
        self.p, self.inplace = p, inplace

    def forward(self, x):
        return F.dropout2d(x, self.p, self.training)

    def extra_repr(self):
        return f"p={self.p}" + (", inplace=True" if self.inplace else "")
