"""Pictures of a GAN run: generated samples (a scatter over the modes for 2-D data, an image grid
otherwise) and the loss curves. samples.png and losses.png show the latest state;
progress/samples-STEP.png keeps one picture per evaluation; image runs also get classes.png."""
import os

import numpy as np

from tinygan import files


def _pyplot():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def image_grid(images, columns=8):
    """(N, 1, H, W) in [−1, 1] -> one (rows·(H+1), columns·(W+1)) array in [0, 1], 1-pixel gaps."""
    n, _, h, w = images.shape
    rows = -(-n // columns)
    grid = np.ones((rows * (h + 1) - 1, columns * (w + 1) - 1), dtype=np.float32)
    for i, image in enumerate(np.clip((images[:, 0] + 1) / 2, 0, 1)):
        r, c = divmod(i, columns)
        grid[r * (h + 1):r * (h + 1) + h, c * (w + 1):c * (w + 1) + w] = image
    return grid


def save_image_grid(images, path, columns=8, title=None):
    plt = _pyplot()
    grid = image_grid(images, columns)
    fig, ax = plt.subplots(figsize=(grid.shape[1] / 40, grid.shape[0] / 40 + (0.3 if title else 0)))
    ax.imshow(grid, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=7)
    files.save_figure(fig, path, dpi=100, bbox_inches="tight")
    plt.close(fig)


def _title(run):
    last = run.history["eval"][-1] if run.history["eval"] else {}
    head = f"{run.cfg.loss} pack {run.cfg.pack}, step {run.step}"
    if "modes" in last:
        return f"{head}: {last['modes']} modes, HQ {100 * last['hq']:.1f} %"
    if "fd" in last:
        return f"{head}: FD {last['fd']:.1f}, {last['classes']} classes"
    return head


def save_samples(run, path):
    plt = _pyplot()
    if run.cfg.images:
        save_image_grid(run.sample(64, seed=0), path, 8, _title(run))
        return
    from tinygan.metrics.toy2d import NUM_SAMPLES
    pts, centers = run.sample(NUM_SAMPLES, seed=0), run.dataset.centers
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.scatter(pts[:, 0], pts[:, 1], s=2, alpha=0.4, label="generated")
    ax.scatter(centers[:, 0], centers[:, 1], c="red", marker="x", label="modes")
    ax.set_title(_title(run), fontsize=9)
    ax.set_aspect("equal")
    ax.legend(loc="upper right", fontsize=7)
    files.save_figure(fig, path, dpi=100)
    plt.close(fig)


def save_losses(run, path):
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for key, label in (("loss_d", "D / critic"), ("loss_g", "G")):
        if run.history["losses"] and key in run.history["losses"][0]:     # fixed-test runs have no D
            ax.plot(run.history["step"], [x[key] for x in run.history["losses"]], label=label, lw=0.7)
    ax.set_xlabel("step")
    ax.legend()
    fig.tight_layout()
    files.save_figure(fig, path, dpi=100)
    plt.close(fig)


def save_class_histogram(run, path):
    """How the judge classifies generated images: a collapsed G shows up as missing bars."""
    last = run.history["eval"][-1]
    plt = _pyplot()
    counts = last["class_counts"]
    fig, ax = plt.subplots(figsize=(4.5, 2.6))
    ax.bar(range(len(counts)), counts)
    ax.axhline(sum(counts) / len(counts), color="gray", ls="--", lw=0.8, label="uniform")
    ax.set_xticks(range(len(counts)))
    ax.set_xlabel("predicted class of generated images")
    ax.set_title(f"step {last['step']}: {last['classes']} of {len(counts)} classes, KL {last['class_kl']:.3f}", fontsize=8)
    ax.legend(fontsize=7)
    fig.tight_layout()
    files.save_figure(fig, path, dpi=100)
    plt.close(fig)


def save_run_pictures(run, out):
    os.makedirs(os.path.join(out, "progress"), exist_ok=True)
    if run.history["eval"] and "class_counts" in run.history["eval"][-1]:
        save_class_histogram(run, os.path.join(out, "classes.png"))
    save_samples(run, os.path.join(out, "samples.png"))
    with open(os.path.join(out, "samples.png"), "rb") as src, \
            files.atomic_open(os.path.join(out, "progress", f"samples-{run.step:06d}.png")) as dst:
        dst.write(src.read())
    save_losses(run, os.path.join(out, "losses.png"))
