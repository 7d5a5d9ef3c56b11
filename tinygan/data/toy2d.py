"""The 2-D mixtures of the mode-collapse literature (VEEGAN, Srivastava et al. 2017; PacGAN,
Lin et al. 2018): equal-weight isotropic Gaussians at known centres, so every sample can be
assigned to a mode and judged."""
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Toy2D:
    name: str
    centers: np.ndarray     # (K, 2)
    std: float              # σ of every component

    @property
    def num_modes(self):
        return len(self.centers)

    def sample(self, n, rng):
        """n points: a uniformly chosen centre plus N(0, σ² I) noise; float32 (n, 2)."""
        rng = np.random.default_rng(rng)
        modes = rng.integers(0, self.num_modes, n)
        return (self.centers[modes] + self.std * rng.standard_normal((n, 2))).astype(np.float32)

    def log_density(self, x):
        """log π(x) of the mixture, for the optimal discriminator D* = π / (π + p)."""
        d2 = ((np.asarray(x, float)[:, None, :] - self.centers[None]) ** 2).sum(-1)
        log_comp = -d2 / (2 * self.std ** 2) - np.log(2 * np.pi * self.std ** 2)
        top = log_comp.max(axis=1, keepdims=True)
        return (top + np.log(np.exp(log_comp - top).mean(axis=1, keepdims=True)))[:, 0]


def ring(num_modes=8, radius=1.0, std=0.01):
    """8 Gaussians evenly spaced on the unit circle, σ = 0.01 (PacGAN's 2D-ring)."""
    angles = 2 * np.pi * np.arange(num_modes) / num_modes
    return Toy2D("ring", radius * np.stack([np.cos(angles), np.sin(angles)], axis=1), std)


def grid(std=0.05):
    """25 Gaussians at {−4, −2, 0, 2, 4}², σ = 0.05 (PacGAN's 2D-grid)."""
    axis = np.arange(-4.0, 5.0, 2.0)
    return Toy2D("grid", np.array([(a, b) for a in axis for b in axis]), std)


DATASETS = {"ring": ring, "grid": grid}


def get(name):
    if name not in DATASETS:
        raise ValueError(f"toy2d: unknown dataset {name!r}; choose one of {sorted(DATASETS)}")
    return DATASETS[name]()
