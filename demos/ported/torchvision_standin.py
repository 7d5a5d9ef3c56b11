"""What the ported examples take from torchvision and their run folders, shared by all four:
`save_image` (torchvision.utils.save_image's grid PNG), `make_out_dir` (a folder that already
holds files is refused unless --overwrite) and `save_losses` (the loss curves as one PNG).
Every file goes through tinygan.files' atomic writers, on either engine."""
import os
import sys

import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from tinygan.files import atomic_open, remove_temp_files, save_figure  # noqa: E402


def make_out_dir(path, overwrite):
    """The run folder; a folder that already holds files is refused unless overwrite."""
    if os.path.isdir(path) and [f for f in os.listdir(path) if not f.startswith('.')] and not overwrite:
        sys.exit(f'{path} is not empty: pass --overwrite to write over it, or choose another --out')
    os.makedirs(path, exist_ok=True)
    remove_temp_files(path)


def save_image(tensor, path, nrow=8, normalize=False, padding=2):
    """torchvision.utils.save_image: a batch (N, C, H, W) in [0, 1] as one PNG grid, atomically."""
    x = tensor.detach().cpu().numpy().astype(np.float64)
    if normalize:
        x = (x - x.min()) / max(x.max() - x.min(), 1e-12)
    n, c, h, w = x.shape
    cols, rows = min(nrow, n), -(-n // min(nrow, n))
    grid = np.zeros((rows * (h + padding) + padding, cols * (w + padding) + padding, c))
    for i in range(n):
        r, q = divmod(i, cols)
        top, left = padding + r * (h + padding), padding + q * (w + padding)
        grid[top:top + h, left:left + w] = x[i].transpose(1, 2, 0)
    grid = np.clip(grid[..., 0] if c == 1 else grid, 0, 1)
    with atomic_open(path) as f:
        plt.imsave(f, grid, cmap='gray', vmin=0, vmax=1, format='png')


def save_losses(curves, path, xlabel):
    """One line per loss curve ({name: [values]}, the first value at x = 1), as a PNG; short
    curves (per-epoch ones) get a marker at every point."""
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for name, values in curves.items():
        ax.plot(range(1, len(values) + 1), values, label=name, lw=0.8, marker='o' if len(values) <= 50 else None, ms=3)
    ax.set_xlabel(xlabel)
    ax.legend()
    fig.tight_layout()
    save_figure(fig, path, dpi=100)
    plt.close(fig)
