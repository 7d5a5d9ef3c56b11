"""Grad mode and the backward engine.

`run_backward` walks the graph of Functions in a topological order built *iteratively*
(micrograd's recursive sort overflows the stack on a 100 000-op chain). Each Function's
backward is written with Tensor ops, so running it with grad mode on records a graph of
the backward pass itself: that is all double backward needs (DeZero's design).
"""
import contextlib

from tinygan.errors import GraphError
from tinygan.profiler import timed_backward

_grad_enabled = True
_anomaly_mode = False


def is_grad_enabled():
    """True when ops record the graph (the default; False inside no_grad)."""
    return _grad_enabled


class _GradMode:
    """Context manager and decorator that sets grad mode on entry and restores it on exit."""
    mode = True

    def __enter__(self):
        global _grad_enabled
        self._previous, _grad_enabled = _grad_enabled, self.mode
        return self

    def __exit__(self, *exc):
        global _grad_enabled
        _grad_enabled = self._previous

    def __call__(self, function):
        def wrapper(*args, **kwargs):
            with type(self)():
                return function(*args, **kwargs)
        wrapper.__name__, wrapper.__doc__, wrapper.__wrapped__ = function.__name__, function.__doc__, function
        return wrapper


class no_grad(_GradMode):
    """Ops inside record no graph (inference, optimiser updates); `with` block or decorator.
    tinygan.inference_mode is the same class (none of PyTorch's inference-tensor rules)."""
    mode = False


class enable_grad(_GradMode):
    """Turn recording back on inside a no_grad region."""
    mode = True


inference_mode = no_grad


class set_grad_enabled:
    """Set grad mode now, as PyTorch does: `set_grad_enabled(False)` as a plain call switches
    recording off until switched back; used as `with set_grad_enabled(mode):` the previous mode
    returns when the block ends."""

    def __init__(self, mode):
        global _grad_enabled
        self._previous, _grad_enabled = _grad_enabled, bool(mode)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        global _grad_enabled
        _grad_enabled = self._previous


def is_anomaly_enabled():
    """True inside detect_anomaly()."""
    return _anomaly_mode


@contextlib.contextmanager
def detect_anomaly():
    """Raise AnomalyError naming the first op whose forward or backward makes NaN/Inf."""
    global _anomaly_mode
    previous, _anomaly_mode = _anomaly_mode, True
    try:
        yield
    finally:
        _anomaly_mode = previous


def _topological_order(root_fns):
    """Functions reachable from root_fns, each listed before every Function it depends on."""
    order, visited = [], set()
    stack = [(fn, False) for fn in root_fns]
    while stack:
        fn, children_done = stack.pop()
        if children_done:
            order.append(fn)
            continue
        if fn in visited:
            continue
        visited.add(fn)
        if fn.inputs is None:
            raise GraphError(f"backward: the graph through '{fn.name}' was already freed by an "
                             "earlier backward; pass retain_graph=True to the first one")
        stack.append((fn, True))
        for t in fn.inputs:
            if t.grad_fn is not None and t.grad_fn not in visited:
                stack.append((t.grad_fn, False))
    order.reverse()  # post-order reversed: consumers come before producers
    return order


def _leading_to(order, wanted):
    """Keep only the Functions through which some wanted tensor is reached (grad() skips the rest)."""
    needed = set()
    for fn in reversed(order):           # producers before consumers
        if any(id(t) in wanted or t.grad_fn in needed for t in fn.inputs):
            needed.add(fn)
    return [fn for fn in order if fn in needed]


def run_backward(roots, root_grads, retain_graph, create_graph, leaves=None):
    """Propagate root_grads from roots back through the graph.

    leaves=None: accumulate into .grad of every leaf that requires grad (Tensor.backward).
    leaves=[tensors]: return their gradients instead and touch no .grad (tinygan.grad).
    """
    wanted = None if leaves is None else {id(t): None for t in leaves}
    grads_by_fn = {}       # Function -> gradient of its (single) output
    leaf_grads = {}        # id(leaf) -> (leaf, gradient)

    def deposit(tensor, g):
        if wanted is not None and id(tensor) in wanted:
            wanted[id(tensor)] = g if wanted[id(tensor)] is None else wanted[id(tensor)] + g
        if tensor.grad_fn is not None:
            fn = tensor.grad_fn
            grads_by_fn[fn] = g if fn not in grads_by_fn else grads_by_fn[fn] + g
        elif tensor.requires_grad and wanted is None:
            old = leaf_grads.get(id(tensor))
            leaf_grads[id(tensor)] = (tensor, g if old is None else old[1] + g)

    with set_grad_enabled(create_graph):
        for root, g in zip(roots, root_grads):
            deposit(root, g)
        order = _topological_order([r.grad_fn for r in roots if r.grad_fn is not None])
        if wanted is not None:
            order = _leading_to(order, wanted)
        for fn in order:
            gy = grads_by_fn.pop(fn, None)
            if gy is None:
                continue
            _check_versions(fn)
            out = fn.output()
            if out is not None and out._retains_grad and wanted is None:
                out.grad = gy if out.grad is None else out.grad + gy
            gxs = _run_function_backward(fn, gy)
            if not isinstance(gxs, tuple):
                gxs = (gxs,)
            for t, gx, needed in zip(fn.inputs, gxs, fn.needs_input_grad):
                if needed and gx is not None:
                    if _anomaly_mode:
                        _check_finite(gx.array, f"backward of '{fn.name}'")
                    deposit(t, gx)
        if not retain_graph:
            for fn in order:
                fn.release()

    if wanted is not None:
        return [wanted[id(t)] for t in leaves]
    handed_out = set()
    for leaf, g in leaf_grads.values():
        g = g if create_graph else _own_array(g, handed_out)
        leaf.grad = g if leaf.grad is None else leaf.grad + g
    return None


def _own_array(g, handed_out):
    """g detached, on an array no other .grad shares and that may be written: `p.grad.zero_()`,
    gradient clipping in place. Backward formulas hand out read-only broadcast views (the
    gradient of x.sum()) and one array to several inputs (both sides of w + b)."""
    array = g.array
    if array.base is not None or not getattr(array.flags, "writeable", True) or id(array) in handed_out:
        array = array.copy()
    handed_out.add(id(array))
    return type(g)(array)


def _check_versions(fn):
    """Refuse to differentiate an op whose input was changed in place after the op read it."""
    for i, (t, seen) in enumerate(zip(fn.inputs, fn.input_versions)):
        if t._version[0] != seen:
            raise GraphError(f"backward: input {i} (shape {t.shape}) of '{fn.name}' was modified by an "
                             f"in-place operation after '{fn.name}' used it (version {seen}, now "
                             f"{t._version[0]}); change a copy, or do the in-place change after backward")


def _run_function_backward(fn, gy):
    if not _anomaly_mode:
        return timed_backward(fn, gy)
    from tinygan.errors import AnomalyError
    try:
        return timed_backward(fn, gy)
    except AnomalyError as exc:  # an op inside the backward formula: name the op being differentiated
        raise AnomalyError(f"detect_anomaly: backward of '{fn.name}' failed: {exc}") from None


def _check_finite(array, where):
    from tinygan.backend import get_array_module
    from tinygan.errors import AnomalyError
    xp = get_array_module(array)
    if array.dtype.kind == "f" and not bool(xp.isfinite(array).all()):
        kind = "NaN" if bool(xp.isnan(array).any()) else "Inf"
        raise AnomalyError(f"detect_anomaly: {where} produced {kind} (shape {tuple(array.shape)})")


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=False):
    """d(outputs)/d(inputs) as a tuple of Tensors, without touching any .grad.
    (`only_inputs` is accepted for old PyTorch code and, as in PyTorch, has no effect.)

    With create_graph=True the returned gradients are themselves part of the graph, so a
    penalty on them (WGAN-GP's ‖∇D(x̂)‖) can be backpropagated.
    """
    from tinygan.tensor import Tensor, _grad_like
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    single = isinstance(inputs, Tensor)
    inputs = [inputs] if single else list(inputs)
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif isinstance(grad_outputs, Tensor):
        grad_outputs = [grad_outputs]
    seeds = []
    for out, g in zip(outputs, grad_outputs):
        if not out.requires_grad:
            raise GraphError(f"grad: an output of shape {out.shape} does not require grad")
        if g is None:
            if out.array.size != 1:
                raise GraphError(f"grad: grad_outputs can be implicit only for scalar outputs, got shape {out.shape}")
            g = Tensor(out.array * 0 + 1)
        seeds.append(_grad_like(g, out, "grad"))
    retain = create_graph if retain_graph is None else retain_graph
    grads = run_backward(outputs, seeds, retain, create_graph, leaves=inputs)
    for i, (t, g) in enumerate(zip(inputs, grads)):
        if g is None and not allow_unused:
            raise GraphError(f"grad: input {i} (shape {t.shape}) was not used to compute the outputs; "
                             "pass allow_unused=True to get None for it")
    return tuple(grads)
