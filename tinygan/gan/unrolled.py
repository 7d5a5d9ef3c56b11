"""Unrolled GAN (Metz et al. 2017): G is trained against D_K, the discriminator after K more
(simulated) updates on the current batch, instead of against D itself:

    θ_D^0 = θ_D,   θ_D^{k+1} = θ_D^k − step(∇_θ L_D(θ_D^k, θ_G)),   L_G = L_G(θ_G, θ_D^K)

With gradients through the unrolling (create_graph=True), ∂L_G/∂θ_G includes how D would react
to G's move, which discourages G from hopping between modes. The cheaper variant stops those
gradients: D_K is then just a look-ahead copy. θ_D itself is not changed.

The step is D's own Adam update, continuing its moment estimates, as Metz et al. unroll it; plain
SGD (step lr·g) is available for tests. Why Adam: an SGD look-ahead is not scale-invariant — as
D sharpens its gradients grow, and at lr 1e-2 (1e-3 later on) the look-ahead overshot, G's
gradient turned against the plain one (cosine −0.88 after 2 000 ring steps) and every run
collapsed. Adam's steps stay near lr in size however sharp D gets.
"""
import tinygan
from tinygan.gan import losses
from tinygan.nn import functional_call
from tinygan.tensor import Tensor


def _adam_moments(adam, named):
    """(m, v, t) per parameter name from a tinygan.optim.Adam's state (zeros before its first step)."""
    moments = {}
    for name, p in named.items():
        state = adam.state.get(id(p), {})
        if "step" in state:
            moments[name] = (Tensor(state["exp_avg"].copy()), Tensor(state["exp_avg_sq"].copy()), state["step"])
        else:
            moments[name] = (tinygan.zeros_like(p), tinygan.zeros_like(p), 0)
    return moments


def unrolled_parameters(d, real, fake, steps, lr=None, through=True, real_target=1.0, adam=None):
    """θ_D^K as a dict name -> Tensor, from K steps on D's cross-entropy loss: Adam steps continuing
    `adam` (D's optimiser) when given, else SGD with step size lr."""
    params = dict(d.named_parameters())
    if adam is not None:
        group = adam.param_groups[0]
        (b1, b2), eps, lr = group["betas"], group["eps"], group["lr"]
        moments = _adam_moments(adam, params)
    for _ in range(steps):
        loss = losses.d_loss(functional_call(d, params, real), functional_call(d, params, fake), real_target)
        grads = tinygan.grad(loss, list(params.values()), create_graph=through)
        new = {}
        for (name, p), g in zip(params.items(), grads):
            if adam is None:
                step = lr * g
            else:       # the Adam update (optim.Adam), written with Tensor ops so it can be differentiated
                m, v, t = moments[name]
                m, v, t = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * (g * g), t + 1
                moments[name] = (m, v, t)
                step = (lr / (1 - b1 ** t)) * m / ((v / (1 - b2 ** t)).sqrt() + eps)
            new[name] = (p - step) if through else (p - step).detach().requires_grad_()
        params = new
    return params


def unrolled_generator_loss(d, g_loss, real, fake, steps, lr=None, through=True, real_target=1.0, adam=None):
    """L_G evaluated against D after K unrolled steps. `fake` must be G's output (in the graph)."""
    params = unrolled_parameters(d, real, fake if through else fake.detach(), steps, lr, through, real_target, adam)
    return g_loss(functional_call(d, params, fake))
