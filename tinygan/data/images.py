"""The labelled image datasets the GAN trainer and its evaluation use, by name:

    shapes      procedural circles / squares / triangles (tinygan.data.shapes), 3 classes
    digits      scikit-learn's 1 797 bundled 8×8 digits, resized, 10 classes
    idx:PATH    an MNIST / Fashion-MNIST IDX image file the user has (labels read from the file
                beside it under MNIST's name, if there)

Images are float32 in [0, 1], shape (N, 1, size, size); generators see them scaled to [−1, 1].
"""
from dataclasses import dataclass

import numpy as np

SHAPES_COUNT = 8000     # drawn once per run (seed 0), about 33 MB at 32×32
CHANNELS = 1            # every dataset here is grayscale (a saved generator's shape needs no data)


@dataclass
class ImageData:
    name: str
    images: np.ndarray              # (N, 1, size, size) float32 in [0, 1]
    labels: np.ndarray | None       # (N,) int64, or None when the source has no labels
    num_classes: int

    @property
    def image_shape(self):
        return self.images.shape[1:]

    def sample(self, n, rng):
        """n images drawn uniformly (with replacement), scaled to [−1, 1] for a tanh generator."""
        index = np.random.default_rng(rng).integers(0, len(self.images), n)
        return self.images[index] * 2.0 - 1.0

    def split(self, fraction=0.2, seed=0):
        """(train, held_out) index arrays: a fixed random split for the evaluation classifier."""
        order = np.random.default_rng(seed).permutation(len(self.images))
        cut = int(len(order) * (1 - fraction))
        return order[:cut], order[cut:]


def resize(images, size):
    """(N, 1, h, w) -> (N, 1, size, size) by bilinear interpolation (scipy.ndimage.zoom, order 1)."""
    from scipy.ndimage import zoom
    h, w = images.shape[2:]
    if (h, w) == (size, size):
        return images
    return np.clip(zoom(images, (1, 1, size / h, size / w), order=1), 0.0, 1.0).astype(np.float32)


def is_image_data(name):
    return name in ("shapes", "digits") or name.startswith("idx:")


def get(name, size=32):
    if name == "shapes":
        from tinygan.data.shapes import CLASSES, make_shapes
        images, labels = make_shapes(SHAPES_COUNT, size, seed=0)
        return ImageData(name, images, labels, len(CLASSES))
    if name == "digits":
        from sklearn.datasets import load_digits
        bunch = load_digits()
        images = resize((bunch.images / 16.0).astype(np.float32)[:, None], size)
        return ImageData(name, images, bunch.target.astype(np.int64), 10)
    if name.startswith("idx:"):
        from tinygan.data.idx import load_idx_images
        images, labels = load_idx_images(name[4:])
        classes = int(labels.max()) + 1 if labels is not None else 0
        return ImageData(name, resize(images, size), labels, classes)
    raise ValueError(f"images: unknown dataset {name!r}; choose shapes, digits or idx:PATH")
