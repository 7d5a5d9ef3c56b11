"""Stochastic gradient descent with PyTorch's momentum and Nesterov conventions."""
from tinygan.optim.optimizer import Optimizer


class SGD(Optimizer):
    """p ← p − lr·d, with d = g + wd·p, or the momentum buffer b ← μ b + d (Nesterov: d + μ b).
    PyTorch's `dampening`, `maximize` and closures are not supported."""
    def __init__(self, params, lr=1e-3, momentum=0.0, weight_decay=0.0, nesterov=False):
        if nesterov and momentum <= 0:
            raise ValueError("SGD: nesterov=True needs momentum > 0")
        super().__init__(params, dict(lr=lr, momentum=momentum, weight_decay=weight_decay, nesterov=nesterov))

    def _update(self, p, g, state, group):
        if group["weight_decay"]:
            g = g + group["weight_decay"] * p.array
        mu = group["momentum"]
        if mu:
            if "momentum_buffer" not in state:
                state["momentum_buffer"] = g.copy()
            else:
                state["momentum_buffer"] *= mu
                state["momentum_buffer"] += g
            g = g + mu * state["momentum_buffer"] if group["nesterov"] else state["momentum_buffer"]
        p.array -= group["lr"] * g
