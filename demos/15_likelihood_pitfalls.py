"""Is likelihood a good measure of model quality? Two counterexamples (Theis, van den Oord & Bethge
2016, "A note on the evaluation of generative models", ICLR; the lecture's "Likelihood based models").

    python demos/15_likelihood_pitfalls.py [--quick] [--out DIR]      # default DIR: runs/theory/15_likelihood_pitfalls

Data (both bundled or procedural, no download), scaled to the unit cube and dequantised:
  - digits: scikit-learn's 8×8 digits (tinygan.data.digits.load_digits; its stratified 75/25
    train/test split), D = 64, integer levels v ∈ {0, …, 16};
  - dSprites: tinygan.data.dsprites at 16×16 (D = 256), random factors, binary pixels v ∈ {0, 1}.
  Each pixel becomes x = (v + u)/L with u ∼ U[0, 1) and L levels (17 or 2): uniform dequantisation
  (Theis et al. 2016, §3.1), so every model below is a density on [0, 1]^D and log-likelihoods of
  different models are comparable; E_u log p(x) − D log L is a lower bound on the log-probability
  of the discrete image. A fifth of the training images is held out for validation. All
  log-likelihoods are in nats per dimension (log p(x)/D), averaged over a set, computed with
  logsumexp.

(a) "Poor likelihood, great samples": p₁(x) = (1/n) Σᵢ N(x | xᵢ, σ² I), a Gaussian KDE on the n
    training images (the lecture's ε I is σ² I). For tiny σ the training log-likelihood is
    excellent (each xᵢ sits on its own kernel: ≈ −½ log(2πσ²) − (log n)/D per dimension) and the
    test log-likelihood terrible (≈ −d²/(2σ²D), d the distance to the nearest training image).
    Printed for a few tiny σ and for σ* chosen on the validation images, whose test value is
    far better. Its samples xᵢ + σz are copies of training images: a grid shows samples beside
    their nearest training images; the nearest-neighbour distances sample→train (≈ σ√D) are
    compared with test→train (and train→train, leave-one-out), and the fraction of samples whose
    nearest training image is the one they were drawn from is printed.
(b) "Great likelihood, poor samples": p₂ = 0.01·p + 0.99·noise with p the validated KDE (σ*) and
    noise = U[0, 1]^D (log-density 0 on the cube). Since log p₂(x) ≥ log 0.01 + log p(x), its
    test log-likelihood per dimension is within log(100)/D of p's (0.072 for digits, 0.018 for
    dSprites) — and it still beats the tiny-σ KDE by a wide margin — while 99 % of its samples
    are uniform noise: the measured noise fraction is printed twice, from the drawn mixture
    components and by classifying each sample by its posterior responsibility
    0.99·noise(x)/p₂(x) > ½ (which needs no labels).

Writes DIR/likelihood_digits.png, DIR/likelihood_dsprites.png and DIR/likelihood.json. --quick
uses fewer dSprites images, a coarser σ grid and fewer samples.
"""
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)         # for _theory_common_2, also when a test loads this file by path

import tinygan  # noqa: E402,F401,I001  (first: threading defaults before NumPy loads its BLAS)
import numpy as np  # noqa: E402
from scipy.spatial.distance import cdist  # noqa: E402
from scipy.special import logsumexp  # noqa: E402

from tinygan.data.digits import load_digits  # noqa: E402
from tinygan.data.dsprites import DSprites  # noqa: E402
import _theory_common_2 as common  # noqa: E402

MODEL_WEIGHT = 0.01          # p₂ = MODEL_WEIGHT · p + (1 − MODEL_WEIGHT) · noise
TINY_SIGMAS = (0.005, 0.01, 0.02, 0.05)
SAMPLE_SIGMA = 0.01          # the tiny-σ KDE whose samples are shown and measured


def dequantise(levels, num_levels, rng):
    """Integer images (n, D) with values in {0, …, L−1} -> (v + u)/L in [0, 1)^D, u ∼ U[0, 1)."""
    return (levels + rng.uniform(size=levels.shape)) / num_levels


def split_validation(x, fraction, rng):
    order = rng.permutation(len(x))
    k = int(round(fraction * len(x)))
    return x[order[k:]], x[order[:k]]


def load(name, quick, rng):
    """(train, val, test, image side, levels L, note) with x in [0, 1)^D, dequantised."""
    if name == "digits":
        x_tr, _, x_te, _ = load_digits(test_fraction=0.25, seed=0, image_shape=False)
        v_tr, v_te = (np.rint(a.astype(np.float64) * 16) for a in (x_tr, x_te))      # back to 0..16
        v_tr, v_val = split_validation(v_tr, 0.2, rng)
        side, levels, note = 8, 17, "scikit-learn digits 8×8, levels 0..16"
        exact = None
    else:
        n_tr, n_val, n_te = (1000, 250, 250) if quick else (3000, 600, 600)
        _, images = DSprites(size=16).sample(n_tr + n_val + n_te, random_state=int(rng.integers(2 ** 31)))
        v = images.reshape(len(images), -1).astype(np.float64)
        v_tr, v_val, v_te = v[:n_tr], v[n_tr:n_tr + n_val], v[n_tr + n_val:]
        side, levels, note = 16, 2, "procedural dSprites 16×16, binary"
        seen = {row.tobytes() for row in v_tr.astype(np.uint8)}
        exact = float(np.mean([row.tobytes() in seen for row in v_te.astype(np.uint8)]))
    return (dequantise(v_tr, levels, rng), dequantise(v_val, levels, rng), dequantise(v_te, levels, rng),
            side, levels, note, exact)


def kde_log_density(sq_dist, sigma, dim):
    """log (1/n) Σᵢ N(x | xᵢ, σ² I) from the squared distances (m, n), by logsumexp over i."""
    n = sq_dist.shape[1]
    return logsumexp(-sq_dist / (2 * sigma ** 2), axis=1) - np.log(n) - 0.5 * dim * np.log(2 * np.pi * sigma ** 2)


def uniform_log_density(x):
    """log U[0, 1]^D (x): 0 inside the cube, −∞ outside."""
    inside = np.all((x >= 0) & (x <= 1), axis=1)
    return np.where(inside, 0.0, -np.inf)


def mixture_log_density(log_p, log_noise, model_weight=MODEL_WEIGHT):
    """log p₂ = log(w·p + (1 − w)·noise), stably (logaddexp)."""
    return np.logaddexp(np.log(model_weight) + log_p, np.log1p(-model_weight) + log_noise)


def nn_distances(queries, train, exclude_self=False):
    """(distance to the nearest training point, its index) for each query."""
    d2 = cdist(queries, train, "sqeuclidean")
    if exclude_self:
        np.fill_diagonal(d2, np.inf)
    idx = d2.argmin(axis=1)
    return np.sqrt(np.maximum(d2[np.arange(len(queries)), idx], 0)), idx


def summary(values):
    values = np.asarray(values)
    return {"mean": float(values.mean()), "median": float(np.median(values)),
            "min": float(values.min()), "max": float(values.max())}


def study(name, quick, rng, n_samples):
    train, val, test, side, levels, note, exact_dupes = load(name, quick, rng)
    dim = train.shape[1]
    d2 = {"train": cdist(train, train, "sqeuclidean"), "val": cdist(val, train, "sqeuclidean"),
          "test": cdist(test, train, "sqeuclidean")}
    grid = np.geomspace(0.005, 0.5, 16 if quick else 31)
    curve = {split: [float(kde_log_density(d, s, dim).mean() / dim) for s in grid] for split, d in d2.items()}
    best = float(grid[int(np.argmax(curve["val"]))])
    rows = {}
    for sigma in list(TINY_SIGMAS) + [best]:
        rows[f"{sigma:.4g}"] = {"sigma": float(sigma), "validated": sigma == best,
                                "train": float(kde_log_density(d2["train"], sigma, dim).mean() / dim),
                                "val": float(kde_log_density(d2["val"], sigma, dim).mean() / dim),
                                "test": float(kde_log_density(d2["test"], sigma, dim).mean() / dim)}

    # (a) samples of the tiny-σ KDE: pick a training image, add σ noise
    source = rng.integers(0, len(train), n_samples)
    samples = train[source] + SAMPLE_SIGMA * rng.standard_normal((n_samples, dim))
    dist_sample, nn_sample = nn_distances(samples, train)
    dist_test, nn_test = nn_distances(test, train)
    dist_train, _ = nn_distances(train, train, exclude_self=True)
    copies = {"sigma": SAMPLE_SIGMA, "expected_sample_distance": SAMPLE_SIGMA * np.sqrt(dim),
              "sample_to_train": summary(dist_sample), "test_to_train": summary(dist_test),
              "train_to_train_loo": summary(dist_train),
              "fraction_nn_is_source": float(np.mean(nn_sample == source)),
              "test_images_also_in_train": exact_dupes}

    # (b) p₂ = 0.01 p + 0.99 noise, p = the validated KDE
    log_p = kde_log_density(d2["test"], best, dim)
    log_p2 = mixture_log_density(log_p, uniform_log_density(test))
    gap = (log_p - log_p2) / dim
    from_model = rng.uniform(size=n_samples) < MODEL_WEIGHT
    p2_samples = rng.uniform(size=(n_samples, dim))                  # noise: U[0, 1]^D
    k = int(from_model.sum())
    p2_samples[from_model] = train[rng.integers(0, len(train), k)] + best * rng.standard_normal((k, dim))
    log_p_s = kde_log_density(cdist(p2_samples, train, "sqeuclidean"), best, dim)
    log_noise_s = uniform_log_density(p2_samples)
    log_p2_s = mixture_log_density(log_p_s, log_noise_s)
    noise_posterior = np.exp(np.log1p(-MODEL_WEIGHT) + log_noise_s - log_p2_s)
    classified_noise = noise_posterior > 0.5
    mixture = {"model_weight": MODEL_WEIGHT, "noise": "uniform on [0, 1]^D", "model_sigma": best,
               "bound_per_dim": float(np.log(1 / MODEL_WEIGHT) / dim),
               "gap_per_dim_mean": float(gap.mean()), "gap_per_dim_max": float(gap.max()),
               "gap_per_dim_min": float(gap.min()),
               "test_ll_p": float(log_p.mean() / dim), "test_ll_p2": float(log_p2.mean() / dim),
               "samples": n_samples, "noise_fraction_drawn": float(1 - from_model.mean()),
               "noise_fraction_classified": float(classified_noise.mean()),
               "classification_agrees": float(np.mean(classified_noise == ~from_model)),
               "log_p_test": log_p.tolist(), "log_p2_test": log_p2.tolist()}
    result = {"data": note, "dim": dim, "levels": levels, "n_train": len(train), "n_val": len(val),
              "n_test": len(test), "sigma_grid": grid.tolist(), "ll_curve": curve, "validated_sigma": best,
              "kde": rows, "copies": copies, "mixture": mixture}
    figure_data = {"train": train, "test": test, "side": side, "samples": samples, "nn_sample": nn_sample,
                   "nn_test": nn_test, "dist": (dist_sample, dist_test, dist_train),
                   "p2_samples": p2_samples, "from_model": from_model}
    return result, figure_data


def report(name, r):
    d = r["dim"]
    print(f"\n=== {name}: {r['data']}, D = {d}; {r['n_train']} train / {r['n_val']} validation / {r['n_test']} test "
          "images, dequantised to [0, 1]^D ===")
    print("(a) Gaussian KDE p₁ = (1/n) Σ N(x | x_i, σ² I): log-likelihood per dimension (nats)")
    rows = [[f"{v['sigma']:.4g}" + (" (σ* by validation)" if v["validated"] else ""), v["train"], v["val"], v["test"],
             v["train"] - v["test"]] for v in r["kde"].values()]
    print(common.table(["σ", "train", "validation", "test", "train − test"], rows, digits=3))
    c = r["copies"]
    print(f"    samples of p₁ at σ = {c['sigma']} (expected distance to their source σ√D = "
          f"{c['expected_sample_distance']:.3f}) — nearest-training-image distances:")
    rows = [[what, c[key]["mean"], c[key]["median"], c[key]["min"], c[key]["max"]]
            for what, key in (("sample → train", "sample_to_train"), ("test → train", "test_to_train"),
                              ("train → train (leave-one-out)", "train_to_train_loo"))]
    print(common.table(["", "mean", "median", "min", "max"], rows, digits=3))
    print(f"    {100 * c['fraction_nn_is_source']:.1f} % of the samples have their source image as nearest "
          "training image (copies)")
    if c["test_images_also_in_train"] is not None:
        print(f"    ({100 * c['test_images_also_in_train']:.1f} % of the binary test images also occur in the "
              "training set before dequantisation)")
    m = r["mixture"]
    print(f"(b) p₂ = {m['model_weight']}·p + {1 - m['model_weight']:.2f}·U[0,1]^D, p = the KDE at σ* = "
          f"{m['model_sigma']:.4g}, on the test images:")
    print(f"    test log-likelihood per dim: p {m['test_ll_p']:.4f}, p₂ {m['test_ll_p2']:.4f}; "
          f"gap (log p − log p₂)/D = {m['gap_per_dim_mean']:.5f} (min {m['gap_per_dim_min']:.5f}, max "
          f"{m['gap_per_dim_max']:.5f}) ≤ log(100)/D = {m['bound_per_dim']:.5f}")
    tiny = r["kde"][f"{SAMPLE_SIGMA:.4g}"]["test"]
    print(f"    (p₂, 99 % noise, scores {m['test_ll_p2'] - tiny:.1f} nats/dim more on test data than the "
          f"copying KDE at σ = {SAMPLE_SIGMA})")
    print(f"    of {m['samples']} samples of p₂: noise fraction {m['noise_fraction_drawn']:.4f} (drawn components), "
          f"{m['noise_fraction_classified']:.4f} (posterior 0.99·noise/p₂ > ½; agrees with the components on "
          f"{100 * m['classification_agrees']:.1f} %)")


def plot(name, r, f, folder):
    plt = common.pyplot()
    side = f["side"]

    def img(a):
        """Images as the models see them: dequantised, in [0, 1) (so copies share even their noise)."""
        return np.asarray(a).reshape(-1, side, side)
    fig, axes = plt.subplots(2, 2, figsize=(12, 9.5))
    cols = 8
    panel = np.concatenate([img(f["samples"][:cols]), img(f["train"][f["nn_sample"][:cols]]),
                            img(f["test"][:cols]), img(f["train"][f["nn_test"][:cols]])])
    common.show_grid(axes[0, 0], panel, cols,
                     f"rows: p₁ samples (σ = {SAMPLE_SIGMA}) | their nearest training image |\n"
                     "test images | their nearest training image   (dequantised, as modelled)")
    ax = axes[0, 1]
    ds, dt, dtr = f["dist"]
    bins = np.linspace(0, max(dt.max(), dtr.max()) * 1.05, 50)
    ax.hist(ds, bins=bins, alpha=0.7, density=True, label=f"p₁ sample → train (σ = {SAMPLE_SIGMA})", color="C3")
    ax.hist(dt, bins=bins, alpha=0.6, density=True, label="test → train", color="C0")
    ax.hist(dtr, bins=bins, alpha=0.4, density=True, label="train → train (leave-one-out)", color="C2")
    ax.set_xlabel("distance to the nearest training image (in [0, 1]^D)")
    ax.set_ylabel("density")
    ax.legend(fontsize=8)
    ax.set_title("samples of the tiny-σ KDE are copies", fontsize=10)
    ax = axes[1, 0]
    grid = np.array(r["sigma_grid"])
    for split, color in (("train", "C3"), ("val", "C2"), ("test", "C0")):
        y = np.array(r["ll_curve"][split])
        ax.semilogx(grid, np.maximum(y, -50), color=color, label={"val": "validation"}.get(split, split))
    ax.axvline(r["validated_sigma"], color="k", lw=0.8, ls="--", label=f"σ* = {r['validated_sigma']:.3g}")
    ax.axhline(r["mixture"]["test_ll_p2"], color="C1", lw=0.8, ls=":", label="test LL of p₂ (99 % noise)")
    ax.set_ylim(-50, None)
    ax.set_xlabel("KDE bandwidth σ")
    ax.set_ylabel("log-likelihood per dimension (nats; clipped at −50)")
    ax.legend(fontsize=8)
    ax.set_title("train LL grows without bound as σ → 0, test LL collapses", fontsize=10)
    ax = axes[1, 1]
    shown = min(100, len(f["p2_samples"]))
    cols = 10
    common.show_grid(ax, img(f["p2_samples"][:shown]), cols,
                     f"{shown} samples of p₂ = 0.01·p + 0.99·noise (red: drawn from p)")
    for k in np.flatnonzero(f["from_model"][:shown]):
        row, col = divmod(int(k), cols)
        ax.add_patch(plt.Rectangle((col * (side + 1) - 1, row * (side + 1) - 1), side + 1, side + 1,
                                   fill=False, edgecolor="red", lw=1.5))
    m = r["mixture"]
    fig.suptitle(f"{name} (D = {r['dim']}): test LL/dim — p₁ at σ = {SAMPLE_SIGMA}: "
                 f"{r['kde'][f'{SAMPLE_SIGMA:.4g}']['test']:.1f}, validated p: {m['test_ll_p']:.3f}, "
                 f"p₂: {m['test_ll_p2']:.3f} (gap ≤ log 100 / D = {m['bound_per_dim']:.4f})", fontsize=11)
    fig.tight_layout()
    return common.save_png(fig, folder, f"likelihood_{name}.png", dpi=100)


def main(argv=None):
    args = common.parser("15_likelihood_pitfalls", __doc__).parse_args(argv)
    rng = np.random.default_rng(args.seed)
    n_samples = 1000 if args.quick else 4000
    os.makedirs(args.out, exist_ok=True)
    results, pngs = {"quick": bool(args.quick), "seed": args.seed}, []
    for name in ("digits", "dsprites"):
        r, f = study(name, args.quick, rng, n_samples)
        results[name] = r
        report(name, r)
        pngs.append(plot(name, r, f, args.out))
    js = common.write_json(args.out, "likelihood.json", results)
    print(f"\nwrote {', '.join(pngs)} and {js}")
    return results


if __name__ == "__main__":
    main()
