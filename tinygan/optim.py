"""Optimisers with PyTorch's update rules, applied in place to Parameter.array (no graph)."""
from tinygan.backend import get_array_module
from tinygan.errors import ShapeError


class Optimizer:
    def __init__(self, params, defaults):
        params = list(params)
        if not params:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        groups = params if isinstance(params[0], dict) else [{"params": params}]
        self.param_groups = [{**defaults, **g, "params": list(g["params"])} for g in groups]
        self.state = {}  # id(param) -> per-parameter state dict

    def _params(self):
        return [p for g in self.param_groups for p in g["params"]]

    def zero_grad(self, set_to_none=True):
        """Forget the gradients: drop them (PyTorch's default) or, with set_to_none=False, fill
        them with zeros in place (a parameter without a gradient keeps none)."""
        for p in self._params():
            if set_to_none or p.grad is None:
                p.grad = None
            else:
                p.grad.array[...] = 0

    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    self._update(p, p.grad.array, self.state.setdefault(id(p), {}), group)

    def _update(self, p, g, state, group):
        raise NotImplementedError

    def state_dict(self):
        """{'state': {index: {name: array or number}}, 'param_groups': [{hyper..., 'params': [index]}]}."""
        index = {id(p): i for i, p in enumerate(self._params())}
        groups = [{**{k: v for k, v in g.items() if k != "params"}, "params": [index[id(p)] for p in g["params"]]}
                  for g in self.param_groups]
        state = {index[pid]: dict(s) for pid, s in self.state.items() if s}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        params = self._params()
        if len(state_dict["param_groups"]) != len(self.param_groups):
            raise ValueError(f"{type(self).__name__}.load_state_dict: {len(state_dict['param_groups'])} "
                             f"parameter groups in the state, {len(self.param_groups)} here")
        for group, saved in zip(self.param_groups, state_dict["param_groups"]):
            group.update({k: v for k, v in saved.items() if k != "params"})
        self.state = {}
        for i, s in state_dict["state"].items():
            p = params[int(i)]
            xp = get_array_module(p.array)
            restored = {}
            for k, v in s.items():
                if hasattr(v, "shape") and v.ndim:
                    if tuple(v.shape) != p.shape:
                        raise ShapeError(f"{type(self).__name__}.load_state_dict: state {k!r} of parameter {i} "
                                         f"has shape {tuple(v.shape)}, parameter has {p.shape}")
                    v = xp.array(v, dtype=p.dtype)
                restored[k] = v
            self.state[id(p)] = restored


class SGD(Optimizer):
    """p ← p − lr·d, with d = g + wd·p, or the momentum buffer b ← μ b + d (Nesterov: d + μ b)."""
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


class Adam(Optimizer):
    """Kingma & Ba 2015: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²,
    p ← p − lr · (m / (1−β₁ᵗ)) / (√(v / (1−β₂ᵗ)) + ε). weight_decay adds wd·p to g (L2)."""
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay))

    def _update(self, p, g, state, group):
        xp = get_array_module(p.array)
        b1, b2 = group["betas"]
        if group["weight_decay"]:
            g = g + group["weight_decay"] * p.array
        if "step" not in state:
            state.update(step=0, exp_avg=xp.zeros_like(p.array), exp_avg_sq=xp.zeros_like(p.array))
        state["step"] += 1
        m, v, t = state["exp_avg"], state["exp_avg_sq"], state["step"]
        m *= b1
        m += (1 - b1) * g
        v *= b2
        v += (1 - b2) * (g * g)
        denom = xp.sqrt(v) / (1 - b2 ** t) ** 0.5 + group["eps"]
        p.array -= (group["lr"] / (1 - b1 ** t)) * (m / denom)


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
