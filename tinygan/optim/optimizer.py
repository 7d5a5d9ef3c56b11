"""The Optimizer base class: parameter groups, zero_grad, step, state_dict, as in PyTorch.

Updates are applied in place to each Parameter's raw array (`p.array`), outside the graph.
"""
from tinygan.backend import get_array_module
from tinygan.errors import ShapeError
from tinygan.tensor import Tensor


class Optimizer:
    """Base class: holds `param_groups` (dicts of hyperparameters plus 'params') and `state`
    (per-parameter dicts, keyed by id(param)); subclasses define `_update(p, g, state, group)`,
    one parameter's update from its raw gradient array g.

    params: an iterable of Parameters, or of dicts {'params': [...], hyperparameter: value}
    whose missing hyperparameters come from `defaults`. A parameter may appear only once.
    Not supported from PyTorch: closures in step(), hooks, sparse gradients, `foreach`/`fused`.
    """

    def __init__(self, params, defaults):
        if isinstance(params, Tensor):
            raise TypeError(f"{type(self).__name__}: params must be an iterable of Parameters or of dicts, "
                            "got a single Tensor; wrap it in a list")
        params = list(params)
        if not params:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        self.defaults = dict(defaults)
        self.param_groups = []
        self.state = {}  # id(param) -> per-parameter state dict
        for group in params if isinstance(params[0], dict) else [{"params": params}]:
            self.add_param_group(group)

    def add_param_group(self, param_group):
        """Append a group {'params': Parameter or iterable of them, hyperparameter: value, ...};
        unspecified hyperparameters take the optimiser's defaults (as in PyTorch, e.g. to start
        training layers that were frozen). A parameter already in a group is refused."""
        if not isinstance(param_group, dict) or "params" not in param_group:
            raise TypeError(f"{type(self).__name__}.add_param_group: expected a dict with a 'params' entry, "
                            f"got {type(param_group).__name__}")
        params = param_group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        if not params:
            raise ValueError(f"{type(self).__name__}.add_param_group: the group has no parameters")
        for p in params:
            if not isinstance(p, Tensor) or not p.is_leaf:
                raise TypeError(f"{type(self).__name__}: can only optimise leaf Tensors (Parameters), got "
                                f"{'a non-leaf Tensor' if isinstance(p, Tensor) else type(p).__name__}")
        seen = {id(p) for p in self._params()}
        if len({id(p) for p in params}) != len(params) or any(id(p) in seen for p in params):
            raise ValueError(f"{type(self).__name__}: a parameter appears in more than one parameter group "
                             "(or twice in one)")
        self.param_groups.append({**self.defaults, **param_group, "params": params})

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
        """Update every parameter that has a gradient (those with grad None are skipped).

        Each update is an in-place change, so it bumps the parameter's version counter: a graph
        built before the step can no longer be differentiated (as in PyTorch), instead of
        silently giving gradients of weights that are gone (tinygan/inplace.py)."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    if p.grad.shape != p.shape:     # a kernel's flat pass would read past a short gradient
                        raise ShapeError(f"{type(self).__name__}.step: a parameter of shape {tuple(p.shape)} has a "
                                         f"gradient of shape {tuple(p.grad.shape)}")
                    self._update(p, p.grad.array, self.state.setdefault(id(p), {}), group)
                    p._version[0] += 1

    def _update(self, p, g, state, group):
        raise NotImplementedError

    def state_dict(self):
        """{'state': {index: {name: array or number}}, 'param_groups': [{hyper..., 'params': [index]}]},
        parameters numbered in group order (PyTorch's layout). The arrays are shared, not copied."""
        index = {id(p): i for i, p in enumerate(self._params())}
        groups = [{**{k: v for k, v in g.items() if k != "params"}, "params": [index[id(p)] for p in g["params"]]}
                  for g in self.param_groups]
        state = {index[pid]: dict(s) for pid, s in self.state.items() if s and pid in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Restore hyperparameters and per-parameter state saved by state_dict() from an optimiser
        built the same way (same groups, same sizes); state arrays are copied to each parameter's
        backend and dtype."""
        params = self._params()
        name = type(self).__name__
        if len(state_dict["param_groups"]) != len(self.param_groups):
            raise ValueError(f"{name}.load_state_dict: {len(state_dict['param_groups'])} "
                             f"parameter groups in the state, {len(self.param_groups)} here")
        for i, (group, saved) in enumerate(zip(self.param_groups, state_dict["param_groups"])):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(f"{name}.load_state_dict: parameter group {i} has {len(saved['params'])} "
                                 f"parameters in the state, {len(group['params'])} here")
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
                        raise ShapeError(f"{name}.load_state_dict: state {k!r} of parameter {i} "
                                         f"has shape {tuple(v.shape)}, parameter has {p.shape}")
                    v = xp.array(v, dtype=p.dtype)
                restored[k] = v
            self.state[id(p)] = restored
