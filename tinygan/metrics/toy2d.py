"""Mode coverage on the 2-D mixtures, as defined by VEEGAN (Srivastava et al. 2017) and used by
PacGAN (Lin et al. 2018, Table 1), on 2 500 generated samples:

- a sample is *high quality* (HQ) if it lies within 3σ (Euclidean) of its nearest mode centre
  (for a perfect sampler in 2-D that is P(χ₂ < 3) = 1 − e^(−9/2) ≈ 98.9 % of samples);
- a mode is *recovered* if at least one HQ sample is assigned to it;
- the reverse KL is KL(p̂ ‖ uniform) with p̂ the histogram of HQ samples over the modes
  (finite when modes are missing; log K, its maximum, when no sample is HQ).
"""
import numpy as np

NUM_SAMPLES = 2500


def assign(samples, dataset):
    """(nearest mode index, distance to it in units of σ) for each sample."""
    x = np.asarray(samples, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"mode_stats: samples must have shape (n, 2), got {x.shape}")
    d2 = ((x[:, None, :] - dataset.centers[None]) ** 2).sum(-1)
    nearest = d2.argmin(axis=1)
    return nearest, np.sqrt(d2[np.arange(len(x)), nearest]) / dataset.std


def mode_stats(samples, dataset, threshold=3.0):
    """{"modes": recovered modes, "hq": HQ fraction, "kl": KL(p̂ ‖ uniform), "counts": HQ per mode}."""
    nearest, dist = assign(samples, dataset)
    good = dist < threshold
    counts = np.bincount(nearest[good], minlength=dataset.num_modes)
    k = dataset.num_modes
    if counts.sum() == 0:
        kl = float(np.log(k))
    else:
        p = counts / counts.sum()
        nz = p > 0
        kl = float((p[nz] * np.log(p[nz] * k)).sum())
    return {"modes": int((counts > 0).sum()), "hq": float(good.mean()), "kl": kl, "counts": counts.tolist()}
