"""Sample quality for image GANs, judged by a small classifier trained on the real data with this
engine (an MNIST-sized stand-in for the Inception network of FID, Heusel et al. 2017):

- Fréchet distance between Gaussians fitted to the classifier's penultimate features of real and
  generated images: ‖μ_r − μ_g‖² + Tr(Σ_r + Σ_g − 2 (Σ_r Σ_g)^½). Values are only comparable
  between runs that use the same classifier and data, not with published FIDs.
- class coverage: the histogram of predicted classes of generated images, the number of classes
  that appear, and KL(histogram ‖ uniform) — the image analogue of PacGAN's mode counts.
"""
import numpy as np

import tinygan
from tinygan import nn, optim
import tinygan.nn.functional as F

FEATURES = 64


class FeatureClassifier(nn.Module):
    """(N, 1, S, S) in [−1, 1] -> class logits; features() is the 64-d penultimate layer."""

    def __init__(self, num_classes, image_size=32):
        self.body = nn.Sequential(
            nn.Conv2d(1, 16, 4, 2, 1), nn.ReLU(), nn.Conv2d(16, 32, 4, 2, 1), nn.ReLU(),
            nn.Conv2d(32, 32, 4, 2, 1), nn.ReLU(), nn.Flatten(),
            nn.Linear(32 * (image_size // 8) ** 2, FEATURES), nn.ReLU())
        self.out = nn.Linear(FEATURES, num_classes)

    def features(self, x):
        return self.body(x)

    def forward(self, x):
        return self.out(self.body(x))


def train_classifier(data, steps=600, batch=64, seed=1234):
    """A FeatureClassifier fitted to data's training split; returns (model, held-out accuracy).
    Uses its own seed and restores tinygan's random state after, so evaluating a GAN run never
    changes the run's own random stream."""
    if data.labels is None:
        raise ValueError(f"image metrics: dataset {data.name} has no labels; the classifier needs them")
    saved = tinygan.get_rng_state()
    tinygan.manual_seed(seed)
    try:
        model = FeatureClassifier(data.num_classes, data.images.shape[-1])
        opt = optim.Adam(model.parameters(), lr=1e-3)
        train_idx, test_idx = data.split()
        rng = np.random.default_rng(seed)
        for _ in range(steps):
            index = rng.choice(train_idx, batch)
            x = tinygan.tensor(data.images[index] * 2 - 1)
            loss = F.cross_entropy(model(x), tinygan.tensor(data.labels[index]))
            opt.zero_grad()
            loss.backward()
            opt.step()
    finally:
        tinygan.set_rng_state(saved)
    model.eval()
    accuracy = float((predict(model, data.images[test_idx] * 2 - 1).argmax(1) == data.labels[test_idx]).mean())
    return model, accuracy


def predict(model, images, batch=500):
    """(logits, features) as NumPy arrays for images in [−1, 1]; logits first."""
    return _run(model, images, batch)[0]


def features(model, images, batch=500):
    return _run(model, images, batch)[1]


def _run(model, images, batch):
    logits, feats = [], []
    with tinygan.no_grad():
        for start in range(0, len(images), batch):
            h = model.features(tinygan.tensor(np.asarray(images[start:start + batch], np.float32)))
            feats.append(h.numpy())
            logits.append(model.out(h).numpy())
    return np.concatenate(logits), np.concatenate(feats)


def frechet_distance(features_a, features_b):
    """Fréchet (2-Wasserstein) distance between Gaussians fitted to two (n, d) feature sets."""
    import warnings
    from scipy import linalg
    a, b = np.asarray(features_a, np.float64), np.asarray(features_b, np.float64)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1] or min(len(a), len(b)) < 2:
        raise ValueError(f"frechet_distance: need two (n, d) arrays with n >= 2 and one d, got {a.shape} and {b.shape}")
    mu_a, mu_b = a.mean(0), b.mean(0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    with warnings.catch_warnings():       # a collapsed generator gives a singular Σ_g: still defined
        warnings.simplefilter("ignore", linalg.LinAlgWarning)
        root = linalg.sqrtm(cov_a @ cov_b)
    root = root.real          # tiny imaginary parts come from round-off of a near-singular product
    return float(((mu_a - mu_b) ** 2).sum() + np.trace(cov_a + cov_b - 2 * root))


def class_coverage(logits, num_classes):
    """{"classes": classes predicted at least once, "class_kl": KL(histogram ‖ uniform),
    "class_counts": the histogram}."""
    counts = np.bincount(np.asarray(logits).argmax(1), minlength=num_classes)
    p = counts / counts.sum()
    seen = p > 0
    kl = float((p[seen] * np.log(p[seen] * num_classes)).sum())
    return {"classes": int(seen.sum()), "class_kl": kl, "class_counts": counts.tolist()}


class ImageJudge:
    """Everything image metrics need for one dataset: the classifier and the held-out real
    features. evaluate(generated) -> {"fd", "classes", "class_kl", "class_counts"}."""

    def __init__(self, data, num_samples=1000, classifier_steps=600):
        self.data = data
        self.classifier, self.accuracy = train_classifier(data, classifier_steps)
        train_idx, held_out = data.split()
        self.real_features = features(self.classifier, data.images[held_out[:num_samples]] * 2 - 1)
        # what a perfect generator would score: real training images against the held-out ones,
        # at the sample size evaluate() uses (the estimate is biased upwards for small n)
        self.real_floor = self.evaluate(data.images[train_idx[:num_samples]] * 2 - 1)["fd"]

    def evaluate(self, generated):
        logits, feats = _run(self.classifier, generated, 500)
        return {"fd": frechet_distance(self.real_features, feats),
                **class_coverage(logits, self.data.num_classes)}
