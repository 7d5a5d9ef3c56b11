"""Devices: PyTorch's spelling of the backend switch. "cpu" is NumPy, "cuda" (or "cuda:N") is CuPy.

tinygan has one array library per device, so a device is only a name for a backend (plus a
GPU index); `tinygan.set_backend` chooses where new tensors go, `device=` chooses for one call.
"""
from tinygan import backend
from tinygan.errors import BackendError
from tinygan.tensor import Function

_BACKEND_OF_TYPE = {"cpu": "numpy", "cuda": "cupy"}
_TYPE_OF_BACKEND = {"numpy": "cpu", "cupy": "cuda"}          # tinygan's own names are accepted too


class device:
    """`tinygan.device("cpu")`, `device("cuda")`, `device("cuda:1")` or `device("cuda", 1)`."""

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            type, index = type.type, type.index if index is None else index
        name, colon, number = str(type).partition(":")
        name = _TYPE_OF_BACKEND.get(name, name)
        if name not in _BACKEND_OF_TYPE or (colon and not number.isdigit()) or (name == "cpu" and number):
            raise BackendError(f"device: unknown device {type!r}; use 'cpu', 'cuda' or 'cuda:N'")
        if colon:
            index = int(number)
        self.type, self.index = name, (None if name == "cpu" else index)

    @property
    def backend(self):
        """The tinygan backend that holds this device's arrays: 'numpy' or 'cupy'."""
        return _BACKEND_OF_TYPE[self.type]

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self):
        index = "" if self.index is None else f", index={self.index}"
        return f"device(type={self.type!r}{index})"

    def __eq__(self, other):
        if isinstance(other, str):
            try:
                other = device(other)
            except BackendError:
                return False
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and (self.index is None or other.index is None or self.index == other.index)

    def __hash__(self):
        return hash(self.type)


def of_array(array):
    """The device an array lives on: cpu for NumPy, cuda:N for CuPy."""
    if backend.get_array_module(array).__name__ == "numpy":
        return device("cpu")
    return device("cuda", array.device.id)


def as_device(value, op):
    """A device from a str or device, with the op named in the error."""
    try:
        return value if isinstance(value, device) else device(value)
    except BackendError:
        raise BackendError(f"{op}: unknown device {value!r}; use 'cpu', 'cuda' or 'cuda:N'") from None


def xp_of(target, op):
    """The array module of a device; one clear line naming op when CuPy or the GPU is missing."""
    return backend.xp_of_backend(as_device(target, op).backend, op=f"{op}(device='{target}')")


def move_array(array, target):
    """A copy of the array on the target device."""
    if target.type == "cpu":
        return backend.to_numpy(array)
    cupy = xp_of(target, "to")
    with cupy.cuda.Device(target.index or 0):
        return cupy.asarray(array)


class ToDevice(Function):
    """Copy to another device inside the graph: the gradient is copied back (PyTorch's .to)."""
    def __init__(self, target): self.target = target
    def forward(self, x):
        self.source = of_array(x)
        return move_array(x, self.target)
    def backward(self, gy): return ToDevice(self.source)(gy)


def to_device(x, target):
    return x if of_array(x.array) == target else ToDevice(target)(x)
