"""The kernel registry: for each hot op, the named implementations that can compute it.

Each op registers its implementations next to its Function, with literal targets
(tinygan/ops/activation.py, conv.py, losses.py, maxout.py, norm.py; tinygan/optim/adam.py):

    register("mse", "numba_cpu", "tinygan.kernels.losses_numba_cpu:mse", ("numpy",), "one parallel pass")

A target "module:function" is imported only on first use, so `import tinygan` never pays for
Numba or CuPy. Registration order is preference order. Selection per op: the implementation
chosen with `use()` (or env TINYGAN_KERNELS="conv2d:im2col,bce_with_logits:reference"), else the
first one in registration order that runs on the array's backend and whose packages import.

Public API (what the bench and the tests use; `_table` is private):
    ops()                      the registered op names, in registration order
    implementations(op)        its implementation names, in preference order
    get(op, name)              one Impl: .target, .backends, .about, .load(), .loadable()
    kernel(op, array)          the function that computes op for this array (what the Functions call)
    selected(op, backend)      the name kernel() would pick;  use(op, impl): choose one
    rows() / table() / available()   the table `tinygan info` prints
"""
import importlib
import os
from dataclasses import dataclass

from tinygan import profiler
from tinygan.backend import is_cupy
from tinygan.errors import KernelError

# A family name selects every op of the family at once (TINYGAN_KERNELS=conv2d:im2col).
FAMILIES = {"conv2d": ("conv2d_forward", "conv2d_backward_data", "conv2d_backward_weight"),
            "conv_bias": ("conv_bias_add", "conv_bias_grad"),
            "batch_norm": ("batch_norm_forward", "batch_norm_backward"),
            "losses": ("bce_with_logits", "mse", "gaussian_kl", "reparameterize_kl"),
            "maxout": ("maxout_forward", "maxout_backward"),
            "activations": ("leaky_relu_forward", "leaky_relu_backward", "tanh_forward", "tanh_backward", "sigmoid_forward",
                            "sigmoid_backward")}


@dataclass
class Impl:
    op: str
    name: str
    target: str          # "module:function", imported lazily
    backends: tuple      # array modules it accepts: ("numpy",), ("cupy",) or both
    about: str
    _fn: object = None

    def load(self):
        if self._fn is None:
            module, func = self.target.split(":")
            try:
                self._fn = getattr(importlib.import_module(module), func)
            except ImportError as exc:
                raise KernelError(f"{self.op}: kernel '{self.name}' needs a missing package ({exc})") from None
        return self._fn

    def loadable(self):
        try:
            self.load()
            return True
        except KernelError:
            return False


_table = {}      # op -> {impl name -> Impl}, in preference order
_chosen = {}     # op -> impl name picked by the user
env_error = None  # a bad TINYGAN_KERNELS, raised by kernel() (set by apply_env_at_import)


def register(op, name, target, backends=("numpy",), about=""):
    """Add implementation `name` of `op`: target "module:function" (imported on first use),
    the array modules it accepts, one line for the table. Later registrations rank lower."""
    _table.setdefault(op, {})[name] = Impl(op, name, target, tuple(backends), about)


def ops():
    """The registered op names, in registration order."""
    return list(_table)


def implementations(op):
    """The names of op's implementations, in preference order."""
    _ops_named(op)                   # one clear KernelError for an unknown op
    return list(_table[op])


def get(op, name):
    """The Impl registered as `name` for `op` (a KernelError naming the choices if there is none)."""
    if name not in implementations(op):
        raise KernelError(f"kernels: op {op!r} has no implementation {name!r}; choose one of {implementations(op)}")
    return _table[op][name]


def choices():
    """The user's kernel choices (op -> implementation name) now in force: a copy, so a test or
    a script can put them back with restore_choices()."""
    return dict(_chosen)


def restore_choices(saved):
    """Make `saved` (from choices()) the choices in force again, dropping any made since."""
    _chosen.clear()
    _chosen.update(saved)


def _ops_named(op):
    if op in FAMILIES:
        return FAMILIES[op]
    if op not in _table:
        raise KernelError(f"kernels: unknown op {op!r}; known ops: {', '.join(list(_table) + list(FAMILIES))}")
    return (op,)


def kernel(op, array):
    """The function that computes `op` for arrays like `array` (NumPy or CuPy)."""
    if env_error:
        raise env_error
    impl = _pick(op, "cupy" if is_cupy(array) else "numpy")
    if profiler._active is not None:
        profiler.note_kernel(op, impl.name)
    return impl.load()


def _pick(op, backend):
    impls = _table[op]
    if op in _chosen:
        impl = impls[_chosen[op]]
        if backend not in impl.backends:
            others = [n for n, i in impls.items() if backend in i.backends]
            raise KernelError(f"{op}: kernel '{impl.name}' cannot run on {backend} arrays; "
                              f"for {backend} use one of {others}")
        return impl
    for impl in impls.values():
        if backend in impl.backends and impl.loadable():
            return impl
    raise KernelError(f"{op}: no kernel is available for {backend} arrays")


def selected(op, backend="numpy"):
    """Name of the implementation `kernel` would pick for this op on this backend (None if none can)."""
    try:
        return _pick(op, backend).name
    except KernelError:
        return None


class use:
    """Select an implementation: `use("conv2d", "reference")`, or as a context manager
    `with use("conv2d", "reference"): ...` which restores the previous choice on exit.
    `use(op, None)` returns the op to automatic selection."""

    def __init__(self, op, impl):
        names = _ops_named(op)
        for name in names:
            if impl is not None and impl not in _table[name]:
                raise KernelError(f"kernels.use: op {name!r} has no implementation {impl!r}; "
                                  f"choose one of {list(_table[name])}")
        self._previous = {name: _chosen.get(name) for name in names}
        for name in names:
            _set(name, impl)
        global env_error
        env_error = None            # an explicit choice in code replaces a bad TINYGAN_KERNELS

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for name, impl in self._previous.items():
            _set(name, impl)


def _set(op, impl):
    if impl is None:
        _chosen.pop(op, None)
    else:
        _chosen[op] = impl


def rows(backend="numpy"):
    """One dict per (op, implementation) for tables: op, impl, backends, loadable, selected."""
    out = []
    for op, impls in _table.items():
        pick = selected(op, backend)
        for impl in impls.values():
            here = backend in impl.backends
            out.append({"op": op, "impl": impl.name, "backends": ",".join(impl.backends),
                        "loadable": here and impl.loadable(), "other_backend": not here,
                        "selected": impl.name == pick, "about": impl.about})
    return out


def table(backend="numpy"):
    lines = [f"active backend: {backend}",
             f"{'op':24} {'implementation':18} {'backends':12} {'status':10} about",
             "-" * 90]
    for r in rows(backend):
        status = ("* in use" if r["selected"] else "ready") if r["loadable"] else \
            ("(" + r["backends"] + ")" if r["other_backend"] else "missing")
        lines.append(f"{r['op']:24} {r['impl']:18} {r['backends']:12} {status:10} {r['about']}")
    return "\n".join(lines)


def available(backend="numpy"):
    """Print the registry table (which kernel each op uses now) and return its rows."""
    print(table(backend))
    return rows(backend)


def apply_env_at_import():
    """Apply TINYGAN_KERNELS once every op has registered its kernels (tinygan/__init__.py calls it
    last). As with TINYGAN_BACKEND (tinygan/backend.py), a bad value is kept in env_error instead of
    breaking `import tinygan`: kernel() raises it at the first use of a kernel, `tinygan info` shows it."""
    global env_error
    try:
        apply_env()
    except KernelError as exc:
        env_error = KernelError(f"TINYGAN_KERNELS={os.environ.get('TINYGAN_KERNELS')!r}: {exc}")


def apply_env(spec=None):
    """Parse TINYGAN_KERNELS='op:impl,op:impl' into use() calls."""
    spec = os.environ.get("TINYGAN_KERNELS", "") if spec is None else spec
    for item in filter(None, (s.strip() for s in spec.split(","))):
        op, sep, impl = item.partition(":")
        if not sep:
            raise KernelError(f"TINYGAN_KERNELS: expected 'op:impl', got {item!r}")
        use(op, impl)
