"""nn.Module: a tree of modules holding Parameters and buffers, PyTorch-style.

Parameters, buffers and child modules are ordinary attributes; the tree is found by looking
at the attribute values (no __getattr__ magic), in the order they were assigned.
"""
from collections import OrderedDict

import numpy as np

from tinygan import backend
from tinygan.autograd import no_grad
from tinygan.errors import ShapeError
from tinygan.tensor import Tensor


class Parameter(Tensor):
    """A Tensor that a Module registers as trainable (requires_grad=True by default).

    `Parameter(data)` takes a Tensor's array (shared, not copied) or array-like data; a Module
    finds it by scanning its attributes, so assigning it is all the registration needed."""
    __slots__ = ()

    def __init__(self, data, requires_grad=True):
        super().__init__(data.array if isinstance(data, Tensor) else data)
        self.requires_grad_(requires_grad)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()


class Module:
    """Base class of layers and models, as torch.nn.Module: define `forward` and assign
    Parameters, buffers (register_buffer) and child Modules as attributes (calling
    `super().__init__()` is allowed but not needed). `module(x)` calls forward.

    The tree is found from the attribute values, in assignment order, so there is no
    register_parameter/add_module and no `recurse=` argument. Not supported: hooks,
    `state_dict(prefix=...)`, `requires_grad_()` on a module, `named_modules` de-duplication of
    a module shared under two names."""

    training = True

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def forward(self, *args, **kwargs):
        """The computation; every subclass defines it (NotImplementedError here)."""
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    # ---- the tree ---------------------------------------------------------------------------
    def register_buffer(self, name, tensor):
        """A tensor that belongs to the state (saved, moved) but is not trained: BN running stats."""
        self.__dict__.setdefault("_buffer_names", [])
        if name not in self._buffer_names:
            self._buffer_names.append(name)
        setattr(self, name, tensor)

    def named_children(self):
        """Yield (attribute name, module) for each direct child Module, in assignment order."""
        for name, value in vars(self).items():
            if isinstance(value, Module):
                yield name, value

    def children(self):
        """The direct child Modules, in assignment order (a generator)."""
        return (m for _, m in self.named_children())

    def named_modules(self, prefix=""):
        """Yield (dotted name, module) for self (named prefix, "" by default) and every module
        below it, depth first in assignment order. A module reachable under two names is
        yielded twice (PyTorch yields it once)."""
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            yield name, module
            kids = [(f"{name}.{n}" if name else n, m) for n, m in module.named_children()]
            stack.extend(reversed(kids))

    def modules(self):
        """self and every module below it, as named_modules without the names."""
        return (m for _, m in self.named_modules())

    def named_parameters(self, prefix=""):
        """Yield (dotted name, Parameter) for every Parameter in the tree, each once even when
        shared ("0.weight", "encoder.fc.bias"). A plain Tensor attribute is not a parameter."""
        seen = set()
        for mod_name, module in self.named_modules(prefix):
            for name, value in vars(module).items():
                if isinstance(value, Parameter) and id(value) not in seen:
                    seen.add(id(value))
                    yield (f"{mod_name}.{name}" if mod_name else name), value

    def parameters(self):
        """Every Parameter in the tree, each once (a generator, as PyTorch's; pass it to an optimiser)."""
        return (p for _, p in self.named_parameters())

    def named_buffers(self, prefix=""):
        """Yield (dotted name, tensor) for every registered buffer in the tree that is not None."""
        for mod_name, module in self.named_modules(prefix):
            for name in getattr(module, "_buffer_names", ()):
                value = getattr(module, name)
                if value is not None:
                    yield (f"{mod_name}.{name}" if mod_name else name), value

    def buffers(self):
        """Every registered buffer in the tree that is not None (a generator)."""
        return (b for _, b in self.named_buffers())

    # ---- modes and housekeeping ------------------------------------------------------------
    def train(self, mode=True):
        """Set `training` on self and every submodule (Dropout, BatchNorm read it); returns self."""
        for m in self.modules():
            m.training = mode
        return self

    def eval(self):
        """train(False): inference behaviour for Dropout and BatchNorm; returns self. It does not
        turn off gradient recording (use tinygan.no_grad)."""
        return self.train(False)

    def zero_grad(self, set_to_none=True):
        """Reset every parameter's .grad: to None (default, as PyTorch 2), or with
        set_to_none=False to zeros where a gradient exists."""
        for p in self.parameters():
            p.grad = None if set_to_none or p.grad is None else Tensor(p.grad.array * 0)

    def apply(self, fn):
        """Call fn on every submodule (children first) and on self, e.g. to initialise weights."""
        for m in reversed(list(self.modules())):
            fn(m)
        return self

    def to(self, *args, **kwargs):
        """Move every parameter and buffer in place to a device ('cpu', 'cuda') and/or float
        dtype, as PyTorch's Module.to; returns self. Gradients are dropped."""
        from tinygan.devices import move_array, of_array
        from tinygan.tensor import _to_arguments
        target, dtype, _ = _to_arguments(args, kwargs)
        for t in list(self.parameters()) + list(self.buffers()):
            array = t.array
            if target is not None and of_array(array) != target:
                array = move_array(array, target)
            if dtype is not None and array.dtype.kind == "f":
                array = array.astype(dtype)
            t.array = array
            t.grad = None
        return self

    def cpu(self):
        """to('cpu'): move parameters and buffers to NumPy in place; returns self."""
        return self.to("cpu")

    def cuda(self, device=None):
        """to('cuda') or to(device): move parameters and buffers to CuPy in place; returns self."""
        return self.to("cuda" if device is None else device)

    def double(self):
        """Cast float parameters and buffers to float64 in place (others keep their dtype); returns self."""
        return self.to(dtype=np.float64)

    def float(self):
        """Cast float parameters and buffers to float32 in place (others keep their dtype); returns self."""
        return self.to(dtype=np.float32)

    # ---- state -------------------------------------------------------------------------------
    def state_dict(self):
        """Parameters and buffers by dotted name, as detached tensors sharing their data (an
        OrderedDict: all parameters first, then all buffers, where PyTorch orders by module)."""
        state = OrderedDict((n, p.detach()) for n, p in self.named_parameters())
        state.update((n, b.detach()) for n, b in self.named_buffers())
        return state

    def load_state_dict(self, state_dict, strict=True):
        """Copy values in place (optimisers keep their references). With strict=True, missing or
        unexpected keys raise; shapes must always match. Returns (missing, unexpected)."""
        own = OrderedDict(self.named_parameters())
        own.update(self.named_buffers())
        optional = {f"{m}.{n}" if m else n for m, module in self.named_modules()   # e.g. BatchNorm's
                    for n in getattr(module, "optional_state", ())}                 # num_batches_tracked
        missing = [k for k in own if k not in state_dict and k not in optional]
        unexpected = [k for k in state_dict if k not in own]
        if strict and (missing or unexpected):
            raise KeyError(f"load_state_dict: {type(self).__name__} missing keys {missing}, "
                           f"unexpected keys {unexpected}")
        for name, target in own.items():
            if name not in state_dict:
                continue
            value = state_dict[name]
            value = value.array if isinstance(value, Tensor) else value if hasattr(value, "shape") else np.asarray(value)
            if tuple(value.shape) != target.shape:
                raise ShapeError(f"load_state_dict: {name} has shape {tuple(value.shape)} in the state "
                                 f"but {target.shape} in the model")
            with no_grad():                          # an in-place change: graphs that used the old value refuse backward
                target.copy_(value)
        return missing, unexpected

    # ---- printing ------------------------------------------------------------------------------
    def extra_repr(self):
        """The text inside this module's parentheses in repr(module); layers override it."""
        return ""

    def __repr__(self):
        kids = list(self.named_children())
        if not kids:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = [f"  ({n}): " + repr(m).replace("\n", "\n  ") for n, m in kids]
        return f"{type(self).__name__}(\n" + "\n".join(lines) + "\n)"


class Sequential(Module):
    """Modules applied in order: Sequential(m0, m1, ...)(x) = ...m1(m0(x)). Children are named
    "0", "1", ... Indexing with an int gives a module, with a slice a list (not a Sequential);
    PyTorch's OrderedDict form and append are not supported."""

    def __init__(self, *modules):
        for i, m in enumerate(modules):
            setattr(self, str(i), m)

    def __iter__(self):
        return iter(list(self.children()))

    def __len__(self):
        return len(list(self.children()))

    def __getitem__(self, index):
        return list(self.children())[index]

    def forward(self, x):
        for m in self.children():
            x = m(x)
        return x


class ModuleList(Module):
    """A list of modules whose parameters belong to the owner (children "0", "1", ...); it has
    no forward. Supports append, len, iteration and indexing (a slice gives a list); not
    extend, insert or deletion."""

    def __init__(self, modules=()):
        for m in modules:
            self.append(m)

    def append(self, module):
        """Add module at the end (named str(len(self))); returns self."""
        setattr(self, str(len(self)), module)
        return self

    def __iter__(self):
        return iter(list(self.children()))

    def __len__(self):
        return sum(1 for _ in self.children())

    def __getitem__(self, index):
        return list(self.children())[index]


def functional_call(module, parameters, *args, **kwargs):
    """Call `module` with some parameters replaced by the given tensors, named as in
    named_parameters() (as torch.func.functional_call). The replacements can be graph tensors,
    e.g. θ − η∇L(θ) built with create_graph=True: that is how an unrolled GAN differentiates
    through the discriminator's future updates."""
    swapped = []
    try:
        for name, value in parameters.items():
            owner = module
            *path, attr = name.split(".")
            for part in path:
                owner = getattr(owner, part)
            if not isinstance(getattr(owner, attr, None), Tensor):
                raise KeyError(f"functional_call: {type(module).__name__} has no parameter {name!r}")
            swapped.append((owner, attr, getattr(owner, attr)))
            object.__setattr__(owner, attr, value)
        return module(*args, **kwargs)
    finally:
        for owner, attr, original in reversed(swapped):
            object.__setattr__(owner, attr, original)
