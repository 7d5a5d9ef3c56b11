"""RMSprop (Hinton's lecture 6e) with PyTorch's centered and momentum variants."""
from tinygan.backend import get_array_module
from tinygan.optim.optimizer import Optimizer


class RMSprop(Optimizer):
    """Hinton's RMSprop as in PyTorch: s ← αs + (1−α)g², p ← p − lr·g / (√s + ε)
    (centered: √(s − ḡ²); momentum: b ← μb + g/(√s + ε), p ← p − lr·b). WGAN uses lr 5e-5."""
    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False):
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=centered))

    def _update(self, p, g, state, group):
        xp = get_array_module(p.array)
        a = group["alpha"]
        if group["weight_decay"]:
            g = g + group["weight_decay"] * p.array
        if "square_avg" not in state:
            state["square_avg"] = xp.zeros_like(p.array)
            if group["centered"]:
                state["grad_avg"] = xp.zeros_like(p.array)
            if group["momentum"]:
                state["momentum_buffer"] = xp.zeros_like(p.array)
        s = state["square_avg"]
        s *= a
        s += (1 - a) * (g * g)
        if group["centered"]:
            state["grad_avg"] *= a
            state["grad_avg"] += (1 - a) * g
            avg = xp.sqrt(s - state["grad_avg"] ** 2) + group["eps"]
        else:
            avg = xp.sqrt(s) + group["eps"]
        if group["momentum"]:
            buf = state["momentum_buffer"]
            buf *= group["momentum"]
            buf += g / avg
            p.array -= group["lr"] * buf
        else:
            p.array -= group["lr"] * (g / avg)
