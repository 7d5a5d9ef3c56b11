"""Spectral normalisation (Miyato, Kataoka, Koyama & Yoshida 2018, "Spectral normalization for
generative adversarial networks"), as torch.nn.utils.spectral_norm.

The layer's weight W (reshaped to a matrix, out × rest) is replaced by W / σ(W), σ the largest
singular value, so the layer is 1-Lipschitz (in the spectral norm) — SN-GAN's discriminator
constraint. σ is estimated by power iteration on two persistent vectors u (out) and v (rest):

    v ← Wᵀu / ‖Wᵀu‖,   u ← Wv / ‖Wv‖       (n_power_iterations times per training forward)
    σ = uᵀ W v

u and v are buffers, updated only in training mode and outside the graph (constants, as in the
paper and in PyTorch); the division by σ is part of the graph, so gradients flow through σ too
(∂σ/∂W = u vᵀ). With one iteration per step, u tracks W as training changes it slowly.

Mechanics (tinygan's Module has no forward hooks): the original weight becomes the Parameter
`<name>_orig`, u and v the buffers `<name>_u` and `<name>_v` (PyTorch's state_dict names, so
checkpoints interchange), and a callable object assigned to the instance's `forward` attribute
computes `<name>` = W / σ before running the layer's own forward. copy.deepcopy of the module
copies that object with it (a generator's EMA copy keeps working).
"""
from tinygan import random
from tinygan.autograd import no_grad
from tinygan.backend import get_array_module
from tinygan.errors import ShapeError
from tinygan.nn.module import Module, Parameter
from tinygan.tensor import Tensor


def _normalize(vector, eps):
    xp = get_array_module(vector)
    return vector / xp.maximum(xp.linalg.norm(vector), eps)


class SpectralNorm:
    """The object spectral_norm puts in a module's `forward`: computes <name> = <name>_orig / σ,
    then calls the forward it replaced."""

    def __init__(self, module, name, n_power_iterations, dim, eps, inner):
        self.module, self.name, self.n_power_iterations = module, name, n_power_iterations
        self.dim, self.eps, self.inner = dim, eps, inner

    def weight_matrix(self, weight):
        """The weight as a (shape[dim], rest) matrix Tensor (a recorded reshape of the Parameter)."""
        if self.dim != 0:
            weight = weight.permute(self.dim, *[d for d in range(weight.ndim) if d != self.dim])
        return weight.reshape(weight.shape[0], -1)

    def compute_weight(self, do_power_iteration):
        """W / σ(W) for the module's current <name>_orig; updates u and v first if asked to."""
        module = self.module
        weight = getattr(module, self.name + "_orig")
        u, v = getattr(module, self.name + "_u"), getattr(module, self.name + "_v")
        matrix = self.weight_matrix(weight)
        if do_power_iteration:
            w, uu, vv = matrix.array, u.array, v.array
            for _ in range(self.n_power_iterations):
                vv = _normalize(w.T @ uu, self.eps)
                uu = _normalize(w @ vv, self.eps)
            with no_grad():
                u.copy_(uu)
                v.copy_(vv)
        # copies: a later training forward updates the buffers in place, which must not change
        # (and, by the version check, would refuse) the backward of this forward's graph
        u_const, v_const = Tensor(u.array.copy()), Tensor(v.array.copy())
        sigma = (u_const * (matrix @ v_const)).sum()
        return weight / sigma

    def __call__(self, *args, **kwargs):
        module = self.module
        setattr(module, self.name, self.compute_weight(do_power_iteration=module.training))
        if self.inner is not None:
            return self.inner(*args, **kwargs)
        return type(module).forward(module, *args, **kwargs)


def _chain(module):
    """The SpectralNorm objects installed on module, outermost first."""
    found, fn = [], vars(module).get("forward")
    while isinstance(fn, SpectralNorm):
        found.append(fn)
        fn = fn.inner
    return found


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    """Spectrally normalise `module`'s parameter `name` in place and return the module, as
    torch.nn.utils.spectral_norm: nn.utils.spectral_norm(nn.Conv2d(64, 128, 4, 2, 1)).

    Each forward in training mode runs n_power_iterations (≥ 1) of the power iteration on the
    buffers <name>_u, <name>_v (initialised to normalised N(0, 1) draws from tinygan's
    generator), then uses <name> = <name>_orig / σ; eval mode uses the stored u, v unchanged.
    dim: the output axis of the weight (default 0; 1 for ConvTranspose layers, whose weight is
    (in, out, kh, kw)). eps guards the normalisations: x / max(‖x‖, eps).
    The optimiser must be given the parameters after this call (<name>_orig replaces <name>).
    Not supported: torch.nn.utils.parametrizations.spectral_norm (the newer API).
    """
    if not isinstance(module, Module):
        raise TypeError(f"spectral_norm: expected a Module, got {type(module).__name__}")
    weight = vars(module).get(name)
    if any(sn.name == name for sn in _chain(module)):
        raise RuntimeError(f"spectral_norm: {type(module).__name__}.{name} is already spectrally normalised")
    if not isinstance(weight, Parameter):
        raise ValueError(f"spectral_norm: {type(module).__name__} has no parameter {name!r}")
    if int(n_power_iterations) != n_power_iterations or n_power_iterations < 1:
        raise ValueError(f"spectral_norm: n_power_iterations must be a positive integer, got {n_power_iterations}")
    if dim is None:
        dim = 1 if type(module).__name__.startswith("ConvTranspose") else 0
    if weight.ndim < 1 or not -weight.ndim <= dim < weight.ndim:
        raise ShapeError(f"spectral_norm: dim {dim} is out of range for {name} of shape {weight.shape}")
    dim %= weight.ndim
    sn = SpectralNorm(module, name, int(n_power_iterations), dim, eps, vars(module).get("forward"))
    h = weight.shape[dim]
    w = weight.numel() // h if h else 0
    xp = get_array_module(weight.array)
    u = _normalize(xp.asarray(random.generator().standard_normal(h), dtype=weight.dtype), eps)
    v = _normalize(xp.asarray(random.generator().standard_normal(w), dtype=weight.dtype), eps)
    delattr(module, name)
    setattr(module, name + "_orig", weight)
    setattr(module, name, weight.detach())      # PyTorch's weight.data until the first forward
    module.register_buffer(name + "_u", Tensor(u))
    module.register_buffer(name + "_v", Tensor(v))
    module.forward = sn
    return module


def remove_spectral_norm(module, name="weight"):
    """Undo spectral_norm: <name> becomes a Parameter again holding W / σ computed with the
    current u, v (no power iteration), and <name>_orig, <name>_u, <name>_v are removed. Returns
    the module. Like PyTorch, the new Parameter is a new object: rebuild the optimiser."""
    chain = _chain(module)
    found = [sn for sn in chain if sn.name == name]
    if not found:
        raise ValueError(f"remove_spectral_norm: spectral_norm of {name!r} not found in {type(module).__name__}")
    sn = found[0]
    with no_grad():
        weight = sn.compute_weight(do_power_iteration=False)
    for suffix in ("_orig", "_u", "_v"):
        delattr(module, name + suffix)
    module._buffer_names = [b for b in module._buffer_names if b not in (name + "_u", name + "_v")]
    setattr(module, name, Parameter(weight.array))
    outer = chain[chain.index(sn) - 1] if chain.index(sn) > 0 else None
    if outer is not None:
        outer.inner = sn.inner
    elif sn.inner is not None:
        module.forward = sn.inner
    else:
        del module.forward
    return module

