"""Procedural dSprites (Matthey et al. 2017) — drawn, not downloaded — with disentanglement_lib's
ground-truth interface (num_factors, factors_num_values, sample_factors, ...).

Factors (indices into these value lists): shape {square, ellipse, heart}; scale 6 values in
[0.5, 1]; orientation 40 values in [0, 2π); x and y 32 values each in [0, 1]. An image is
`size`×`size` (64 as the original; 32 for fast CPU runs), binary: a pixel is on when its centre,
mapped into the shape's own frame (translate, rotate by −θ, divide by the scale), lies inside the
canonical shape. The noisy variant (Locatello et al. 2019) adds U(0, 1) noise and clips at 1, so
the background is noise and the sprite stays white. As in the original, symmetric shapes make
orientation ambiguous: the ellipse looks the same at θ and θ + π, the square every π/2.
"""
import numpy as np

SHAPES = ("square", "ellipse", "heart")
HALF_SIZE = 0.16      # canonical half-width at scale 1, in units of the image width (≈ 20 px of 64)
MARGIN = HALF_SIZE * 1.45   # keeps every rotated sprite inside the image


def _inside(shape, u, v):
    """Membership in the canonical shape of half-width 1 (u, v in the shape's frame)."""
    if shape == 0:                                   # square
        return (np.abs(u) <= 1) & (np.abs(v) <= 1)
    if shape == 1:                                   # ellipse, 2:1 so that rotation shows
        return (u / 1.0) ** 2 + (v / 0.5) ** 2 <= 1
    x, y = u * 1.1, -v * 1.1 + 0.25                  # heart: (x² + y² − 1)³ − x² y³ ≤ 0, point down
    return (x * x + y * y - 1) ** 3 - x * x * y ** 3 <= 0


class DSprites:
    """Ground-truth data: factors -> images, deterministically."""

    def __init__(self, size=64, noisy=False):
        if size < 16:
            raise ValueError(f"DSprites: size must be at least 16 pixels, got {size}")
        self.size, self.noisy = size, noisy
        self.factor_names = ("shape", "scale", "orientation", "pos_x", "pos_y")
        self.values = (np.arange(3), np.linspace(0.5, 1.0, 6), np.arange(40) * 2 * np.pi / 40,
                       np.linspace(0, 1, 32), np.linspace(0, 1, 32))
        centres = (np.arange(size) + 0.5) / size
        self._grid_y, self._grid_x = np.meshgrid(centres, centres, indexing="ij")

    num_factors = property(lambda self: 5)
    factors_num_values = property(lambda self: [len(v) for v in self.values])
    observation_shape = property(lambda self: (1, self.size, self.size))

    def sample_factors(self, num, random_state):
        """(num, 5) integer factor indices, each uniform over its values."""
        rng = np.random.default_rng(random_state)
        return np.stack([rng.integers(0, n, num) for n in self.factors_num_values], axis=1)

    def sample_observations_from_factors(self, factors, random_state=None):
        """Images (num, 1, size, size) float32 in [0, 1]; deterministic unless noisy."""
        f = np.asarray(factors)
        if f.ndim != 2 or f.shape[1] != 5:
            raise ValueError(f"DSprites: factors must have shape (n, 5), got {f.shape}")
        if (f < 0).any() or (f >= np.array(self.factors_num_values)).any():
            raise ValueError("DSprites: a factor index is out of range; see factors_num_values")
        scale = self.values[1][f[:, 1]][:, None, None]
        theta = self.values[2][f[:, 2]][:, None, None]
        cx = MARGIN + (1 - 2 * MARGIN) * self.values[3][f[:, 3]][:, None, None]
        cy = MARGIN + (1 - 2 * MARGIN) * self.values[4][f[:, 4]][:, None, None]
        dx, dy = self._grid_x[None] - cx, self._grid_y[None] - cy
        u = (np.cos(theta) * dx + np.sin(theta) * dy) / (HALF_SIZE * scale)
        v = (-np.sin(theta) * dx + np.cos(theta) * dy) / (HALF_SIZE * scale)
        images = np.zeros((len(f), self.size, self.size), dtype=np.float32)
        for shape in range(3):
            rows = f[:, 0] == shape
            images[rows] = _inside(shape, u[rows], v[rows])
        if self.noisy:
            noise = np.random.default_rng(random_state).uniform(0, 1, images.shape).astype(np.float32)
            images = np.minimum(images + noise, 1.0)
        return images[:, None]

    def sample(self, num, random_state):
        """(factors, observations) for num random factor combinations."""
        rng = np.random.default_rng(random_state)
        factors = self.sample_factors(num, rng)
        return factors, self.sample_observations_from_factors(factors, rng)

    def sample_observations(self, num, random_state):
        return self.sample(num, random_state)[1]
