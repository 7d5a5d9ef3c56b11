"""Procedural shapes: one filled circle, square or triangle per grayscale image, at a random
position, size and rotation — a labelled image dataset drawn on the spot (no download).

Each shape is drawn from its signed distance function d(p) (negative inside, in pixels), with
intensity clip(0.5 − d, 0, 1): a one-pixel anti-aliased edge, so images are smooth enough for a
small GAN to imitate.
"""
import numpy as np

CLASSES = ("circle", "square", "triangle")


def _signed_distance(kind, u, v, half):
    """Distance to the boundary of a shape of half-width `half` centred at the origin, in its frame."""
    if kind == 0:
        return np.sqrt(u * u + v * v) - half
    if kind == 1:
        return np.maximum(np.abs(u), np.abs(v)) - half
    # equilateral triangle: the largest of its three edge distances; inradius 0.7·half, so that its
    # area is close to the other two shapes'
    angles = 2 * np.pi * np.arange(3) / 3 - np.pi / 2     # outward normals, one per edge
    edges = [u * np.cos(a) + v * np.sin(a) for a in angles]
    return np.maximum(np.maximum(edges[0], edges[1]), edges[2]) - 0.7 * half


def make_shapes(n, size=32, seed=0):
    """(images (n, 1, size, size) float32 in [0, 1], labels (n,) int64 in {0, 1, 2})."""
    if size < 16:
        raise ValueError(f"shapes: size must be at least 16 pixels, got {size}")
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, len(CLASSES), n)
    half = rng.uniform(0.16, 0.3, n) * size                  # half-width in pixels
    cx, cy = (rng.uniform(0.35, 0.65, (2, n)) * size)
    theta = rng.uniform(0, 2 * np.pi, n)
    grid = np.arange(size) + 0.5
    dx = grid[None, None, :] - cx[:, None, None]
    dy = grid[None, :, None] - cy[:, None, None]
    c, s = np.cos(theta)[:, None, None], np.sin(theta)[:, None, None]
    u, v = c * dx + s * dy, -s * dx + c * dy
    images = np.empty((n, size, size), dtype=np.float32)
    for kind in range(len(CLASSES)):
        rows = labels == kind
        d = _signed_distance(kind, u[rows], v[rows], half[rows, None, None])
        images[rows] = np.clip(0.5 - d, 0.0, 1.0)
    return images[:, None], labels.astype(np.int64)
