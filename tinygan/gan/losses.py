"""GAN objectives, one small function each; D outputs logits (or critic scores for WGAN).

Goodfellow et al. 2014:  min_G max_D  E_π log D(x) + E_p(z) log(1 − D(G(z))),  D = σ(logit).
"""
import numpy as np

import tinygan
import tinygan.nn.functional as F


def d_loss(real_logits, fake_logits, real_target=1.0):
    """−E_π log D(x) − E log(1 − D(G(z))): D's binary cross-entropy. real_target = 0.9 is
    one-sided label smoothing (Salimans et al. 2016): only real labels are softened."""
    return (F.binary_cross_entropy_with_logits(real_logits, real_target)
            + F.binary_cross_entropy_with_logits(fake_logits, 0.0))


def g_loss_minimax(fake_logits):
    """E log(1 − D(G(z))) = −softplus(logit): the original, *saturating* loss — its gradient
    vanishes when D confidently rejects G's samples (logit ≪ 0), i.e. early in training."""
    return -F.binary_cross_entropy_with_logits(fake_logits, 0.0)


def g_loss_nonsaturating(fake_logits):
    """−E log D(G(z)) = softplus(−logit): same fixed point, strong gradients early on."""
    return F.binary_cross_entropy_with_logits(fake_logits, 1.0)


def optimal_discriminator(p_data, p_model, smoothing=0.0):
    """D*(x) = (1 − α) π(x) / (π(x) + p(x)) for densities π (data) and p (model) at the same
    points; α is one-sided label smoothing (α = 0: the classic p/(p+q))."""
    p_data, p_model = np.asarray(p_data, float), np.asarray(p_model, float)
    return (1 - smoothing) * p_data / (p_data + p_model)


def critic_loss_wasserstein(real_scores, fake_scores):
    """E f(G(z)) − E_π f(x): the critic maximises the Kantorovich–Rubinstein dual (Arjovsky et al. 2017)."""
    return fake_scores.mean() - real_scores.mean()


def g_loss_wasserstein(fake_scores):
    """−E f(G(z))."""
    return -fake_scores.mean()


def clip_weights(module, c=0.01):
    """WGAN's crude Lipschitz constraint: clamp every critic parameter to [−c, c] after each step."""
    for p in module.parameters():
        p.array[...] = p.array.clip(-c, c)


def gradient_penalty(critic, real, fake, weight=10.0, pack=1):
    """WGAN-GP (Gulrajani et al. 2017): λ E (‖∇_x̂ f(x̂)‖₂ − 1)², x̂ = ε x + (1 − ε) G(z), ε ~ U[0, 1]
    per critic input. The gradient is taken with create_graph=True so the penalty trains the critic.
    With PacGAN packing one critic input is `pack` consecutive samples: they share one ε and one
    gradient norm."""
    if real.shape != fake.shape or real.shape[0] % pack:
        raise ValueError(f"gradient_penalty: real {real.shape} and fake {fake.shape} must match, "
                         f"with a batch that is a multiple of pack={pack}")
    groups, tail = real.shape[0] // pack, [1] * (real.ndim - 1)
    eps = tinygan.rand(groups, 1, *tail, dtype=real.dtype) * tinygan.ones(groups, pack, *tail, dtype=real.dtype)
    eps = eps.reshape(real.shape[0], *tail)
    mixed = (eps * real.detach() + (1 - eps) * fake.detach()).requires_grad_()
    grad, = tinygan.grad(critic(mixed).sum(), mixed, create_graph=True)
    norms = (grad.reshape(groups, -1) ** 2).sum(axis=1).sqrt()
    return weight * ((norms - 1) ** 2).mean()
