"""ModuleDict, ParameterList and ParameterDict, PyTorch's containers.

A Module finds its children and parameters by looking at its attribute values (vars(module),
tinygan/nn/module.py), so these containers keep each entry as an ordinary attribute named by
its key ("0", "1", ... for the list): named_parameters() and state_dict() then call them
"heads.real", "scales.0", as PyTorch does. A key that would hide an attribute or method of the
container ("training", "keys", "forward", ...) is refused.
"""
from tinygan.nn.module import Module, Parameter
from tinygan.tensor import Tensor


def _as_parameter(value, container):
    if isinstance(value, Parameter):
        return value
    if isinstance(value, Tensor):
        return Parameter(value)               # requires_grad=True, as PyTorch wraps a Tensor
    raise TypeError(f"{container}: entries must be Parameters or Tensors, got {type(value).__name__}")


class _AttributeDict(Module):
    """Shared by ModuleDict and ParameterDict: entries are the attributes of type `entry_type`."""
    entry_type = Module

    def _entries(self):
        return [(k, v) for k, v in vars(self).items() if isinstance(v, self.entry_type)]

    def _coerce(self, value):
        return value

    def _check_key(self, key):
        name = type(self).__name__
        if not isinstance(key, str):
            raise TypeError(f"{name}: keys must be strings, got {type(key).__name__} {key!r}")
        if not key or "." in key:
            raise KeyError(f"{name}: key {key!r} must be non-empty and contain no '.'")
        if key not in vars(self) and hasattr(self, key):
            raise KeyError(f"{name}: key {key!r} would hide the attribute {name}.{key}; choose another key")

    def __setitem__(self, key, value):
        self._check_key(key)
        setattr(self, key, self._coerce(value))

    def __getitem__(self, key):
        value = vars(self).get(key) if isinstance(key, str) else None
        if not isinstance(value, self.entry_type):
            raise KeyError(f"{type(self).__name__}: no key {key!r}; keys are {self.keys()}")
        return value

    def __delitem__(self, key):
        self[key]                                 # KeyError if absent
        delattr(self, key)

    def __contains__(self, key):
        return isinstance(key, str) and isinstance(vars(self).get(key), self.entry_type)

    def __len__(self):
        return len(self._entries())

    def __iter__(self):
        return iter(self.keys())

    def keys(self):
        """The keys, in insertion order."""
        return [k for k, _ in self._entries()]

    def values(self):
        """The entries, in insertion order."""
        return [v for _, v in self._entries()]

    def items(self):
        """(key, entry) pairs, in insertion order."""
        return self._entries()

    def update(self, entries):
        """Add or replace entries from a mapping or from (key, entry) pairs."""
        pairs = entries.items() if hasattr(entries, "items") else entries
        for pair in pairs:
            if len(pair) != 2:
                raise ValueError(f"{type(self).__name__}.update: expected (key, value) pairs, got {pair!r}")
            self[pair[0]] = pair[1]

    def pop(self, key):
        """Remove the entry `key` and return it."""
        value = self[key]
        delattr(self, key)
        return value

    def clear(self):
        """Remove every entry."""
        for key in self.keys():
            delattr(self, key)


class ModuleDict(_AttributeDict):
    """An ordered dict of child modules, e.g. one output head per dataset, or per-class
    discriminators: nn.ModuleDict({"real": nn.Linear(8, 1), "aux": nn.Linear(8, 10)}). Its modules
    are registered (parameters, state_dict "name.key.weight", train/eval, to); it has no forward."""

    def __init__(self, modules=None):
        if modules is not None:
            self.update(modules)

    def _coerce(self, value):
        if not isinstance(value, Module):
            raise TypeError(f"ModuleDict: values must be Modules, got {type(value).__name__}")
        return value


class ParameterDict(_AttributeDict):
    """An ordered dict of Parameters (Tensors are wrapped as Parameters), registered with the
    module that holds it: state_dict names "name.key"."""
    entry_type = Parameter

    def __init__(self, parameters=None):
        if parameters is not None:
            self.update(parameters)

    def _coerce(self, value):
        return _as_parameter(value, "ParameterDict")


class ParameterList(Module):
    """A list of Parameters (Tensors are wrapped as Parameters), registered with the module that
    holds it: named_parameters() and state_dict() call them "name.0", "name.1", ... as PyTorch.
    Supports indexing (negative too), slicing (a new ParameterList of the same Parameters),
    assignment to an existing index, len, iteration, append and extend."""

    def __init__(self, values=None):
        if values is not None:
            self.extend(values)

    def _values(self):
        return [v for k, v in vars(self).items() if isinstance(v, Parameter)]

    def __len__(self):
        return len(self._values())

    def __iter__(self):
        return iter(self._values())

    def _index(self, index):
        n = len(self)
        if not isinstance(index, int) or not -n <= index < n:
            raise IndexError(f"ParameterList: index {index!r} is out of range for {n} parameters")
        return index % n

    def __getitem__(self, index):
        if isinstance(index, slice):
            return ParameterList(self._values()[index])
        return self._values()[self._index(index)]

    def __setitem__(self, index, value):
        setattr(self, str(self._index(index)), _as_parameter(value, "ParameterList"))

    def append(self, value):
        """Add one Parameter (or Tensor, wrapped) at the end; returns self."""
        setattr(self, str(len(self)), _as_parameter(value, "ParameterList"))
        return self

    def extend(self, values):
        """Append each of `values`; returns self."""
        if isinstance(values, Tensor):
            raise TypeError("ParameterList.extend: expected an iterable of Parameters, got one Tensor; use append")
        for value in values:
            self.append(value)
        return self

    def extra_repr(self):
        lines = [f"  ({i}): Parameter of shape {p.shape}, dtype {p.dtype}" for i, p in enumerate(self)]
        return "\n" + "\n".join(lines) + "\n" if lines else ""

