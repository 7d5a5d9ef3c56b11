"""Stabilisers for GAN training: Salimans et al. 2016 ("Improved techniques for training GANs")
and instance noise (Sønderby et al. 2017; Arjovsky & Bottou 2017)."""
import tinygan
from tinygan import nn


def feature_matching_loss(real_features, fake_features):
    """‖E_π d(x) − E d(G(z))‖²₂ with d an intermediate layer of D: G matches the statistics D
    looks at instead of maximising D's output (the lecture's L_G for feature matching)."""
    diff = real_features.detach().mean(axis=0) - fake_features.mean(axis=0)
    return (diff * diff).sum()


class MinibatchDiscrimination(nn.Module):
    """Lets D look across the batch (Salimans et al. 2016, §3.2). With M_i = x_i T reshaped to
    (B, C): c_b(i, j) = exp(−‖M_{i,b} − M_{j,b}‖₁), o(x_i)_b = Σ_{j≠i} c_b(i, j); output [x, o(x)].
    A collapsed generator makes every o large, which D can detect. Cost O(N² B C) per batch."""

    def __init__(self, in_features, num_kernels=16, kernel_dim=8):
        self.num_kernels, self.kernel_dim = num_kernels, kernel_dim
        self.T = nn.Parameter(tinygan.randn(in_features, num_kernels * kernel_dim) * 0.1)

    def forward(self, x):
        m = (x @ self.T).reshape(x.shape[0], self.num_kernels, self.kernel_dim)
        l1 = (m.unsqueeze(1) - m.unsqueeze(0)).abs().sum(axis=3)        # (N, N, B)
        o = (-l1).exp().sum(axis=1) - 1.0                          # drop j = i (exp(0) = 1)
        return tinygan.cat([x, o], axis=1)


class HistoricalAverage:
    """Penalty ‖θ − (1/t) Σ_{i≤t} θ_i‖² (Salimans et al. 2016, §3.3): call penalty() in the loss
    and update() after each optimiser step; the running mean is a constant (no gradient)."""

    def __init__(self, module):
        self.params = list(module.parameters())
        self.mean = [p.array.copy() for p in self.params]
        self.count = 1

    def update(self):
        self.count += 1
        for mean, p in zip(self.mean, self.params):
            mean += (p.array - mean) / self.count

    def penalty(self):
        total = 0.0
        for mean, p in zip(self.mean, self.params):
            diff = p - tinygan.Tensor(mean)
            total = total + (diff * diff).sum()
        return total


def instance_noise(x, sigma):
    """x + N(0, σ²): blurs real and fake alike so their supports overlap and D's gradients stay
    informative early on; anneal σ to 0 (annealed_sigma)."""
    if sigma <= 0:
        return x
    return x + tinygan.randn(*x.shape, dtype=x.dtype) * float(sigma)


def annealed_sigma(step, total_steps, sigma0=0.1):
    """σ decays linearly from sigma0 at step 0 to 0 at total_steps."""
    return float(sigma0 * max(0.0, 1.0 - step / max(total_steps, 1)))
