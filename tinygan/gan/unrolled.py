"""Unrolled GAN (Metz et al. 2017): G is trained against D_K, the discriminator after K more
(simulated) updates on the current batch, instead of against D itself:

    θ_D^0 = θ_D,   θ_D^{k+1} = θ_D^k − η ∇_θ L_D(θ_D^k, θ_G),   L_G = L_G(θ_G, θ_D^K)

With gradients through the unrolling (create_graph=True), ∂L_G/∂θ_G includes how D would react
to G's move, which discourages G from hopping between modes. The cheaper variant stops those
gradients: D_K is then just a look-ahead copy. We unroll with plain SGD (Metz et al. unroll
Adam) to keep the recorded graph small; θ_D itself is not changed.
"""
import tinygan
from tinygan.gan import losses
from tinygan.nn import functional_call


def unrolled_parameters(d, real, fake, steps, lr, through=True, real_target=1.0):
    """θ_D^K as a dict name -> Tensor, from K SGD steps on D's cross-entropy loss."""
    params = dict(d.named_parameters())
    for _ in range(steps):
        loss = losses.d_loss(functional_call(d, params, real), functional_call(d, params, fake), real_target)
        grads = tinygan.grad(loss, list(params.values()), create_graph=through)
        params = {name: (p - lr * g) if through else (p - lr * g).detach().requires_grad_()
                  for (name, p), g in zip(params.items(), grads)}
    return params


def unrolled_generator_loss(d, g_loss, real, fake, steps, lr, through=True, real_target=1.0):
    """L_G evaluated against D after K unrolled steps. `fake` must be G's output (in the graph)."""
    params = unrolled_parameters(d, real, fake if through else fake.detach(), steps, lr, through, real_target)
    return g_loss(functional_call(d, params, fake))
