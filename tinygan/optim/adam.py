"""Adam (Kingma & Ba 2015) with L2 weight decay, and AdamW (Loshchilov & Hutter 2019) with
decoupled weight decay, following PyTorch's update rules (no amsgrad)."""
from tinygan.backend import get_array_module
from tinygan.kernels import kernel, register
from tinygan.optim.optimizer import Optimizer

register("adam_update", "numba_cpu", "tinygan.kernels.adam_numba_cpu:adam_update", ("numpy",),
         "one parallel pass, in place")
register("adam_update", "reference", "tinygan.kernels.adam_reference:adam_update", ("numpy", "cupy"),
         "array ops, in place")


class Adam(Optimizer):
    """Kingma & Ba 2015: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²,
    p ← p − lr · (m / (1−β₁ᵗ)) / (√(v / (1−β₂ᵗ)) + ε). weight_decay adds wd·p to g (L2)."""
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay))

    def _update(self, p, g, state, group):
        if group["weight_decay"]:
            g = g + group["weight_decay"] * p.array
        self._adam_step(p, g, state, group)

    def _adam_step(self, p, g, state, group):
        xp = get_array_module(p.array)
        b1, b2 = group["betas"]
        if "step" not in state:
            state.update(step=0, exp_avg=xp.zeros_like(p.array), exp_avg_sq=xp.zeros_like(p.array))
        state["step"] += 1
        t = state["step"]
        kernel("adam_update", p.array)(p.array, g, state["exp_avg"], state["exp_avg_sq"], group["lr"] / (1 - b1 ** t),
                                       b1, b2, group["eps"], (1 - b2 ** t) ** 0.5)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter 2019, "Decoupled Weight Decay
    Regularization", Algorithm 2 with the schedule multiplier folded into lr, as PyTorch):

        p ← p · (1 − lr·wd),   then the Adam step on the raw gradient g (wd·p never enters m, v).

    With L2 (Adam's weight_decay) the decay is rescaled by 1/√v like the gradient, so weights
    with large gradients are barely decayed; here every weight shrinks by the same factor.
    Defaults as torch.optim.AdamW: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 1e-2.
    amsgrad is not supported."""
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)

    def _update(self, p, g, state, group):
        if group["weight_decay"]:
            p.array *= 1 - group["lr"] * group["weight_decay"]
        self._adam_step(p, g, state, group)
