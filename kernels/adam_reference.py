"""Adam's update of one parameter in array ops (Kingma & Ba 2015, Algorithm 1, PyTorch's order of
operations), in place; the definition adam_numba_cpu is checked against.

    m ← β₁m + (1−β₁)g,   v ← β₂v + (1−β₂)g²,   p ← p − step_size · m / (√v / bias2_sqrt + ε)
    with step_size = lr / (1 − β₁ᵗ) and bias2_sqrt = √(1 − β₂ᵗ)
"""
from tinygan.backend import get_array_module


def adam_update(p, g, m, v, step_size, b1, b2, eps, bias2_sqrt):
    xp = get_array_module(p)
    m *= b1
    m += (1 - b1) * g
    v *= b2
    v += (1 - b2) * (g * g)
    p -= step_size * (m / (xp.sqrt(v) / bias2_sqrt + eps))
