"""Helpers shared by the theory-lab demos 14–16 (command line, tables, figures, JSON).

Each demo puts its own folder on sys.path and imports this module, so it works both as
`python demos/1x_....py` and when a test loads the demo file with importlib.
"""
import argparse
import math
import os

import numpy as np

from tinygan import files


def parser(name, doc):
    """--quick, --out DIR (default runs/theory/<name>) and --seed, described by the docstring's first paragraph."""
    p = argparse.ArgumentParser(description=" ".join(doc.strip().split("\n\n")[0].split()),
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="small sizes, a few seconds (the tests run this)")
    p.add_argument("--out", default=os.path.join("runs", "theory", name), help="folder for the PNGs and JSON")
    p.add_argument("--seed", type=int, default=0)
    return p


def pyplot():
    """matplotlib.pyplot on the Agg backend (no display needed)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def save_png(fig, folder, name, dpi=110):
    """Write fig to folder/name atomically (tinygan.files.save_figure), close it, return the path."""
    plt = pyplot()
    path = os.path.join(folder, name)
    files.save_figure(fig, path, dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return path


def number(value, digits=4):
    """A float for a table: inf as ∞, large/small magnitudes in scientific notation."""
    if value is None:
        return "-"
    value = float(value)
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    if math.isnan(value):
        return "nan"
    if value != 0 and (abs(value) < 10 ** -(digits - 1) or abs(value) >= 10 ** (digits + 2)):
        return f"{value:.{digits - 1}e}"
    return f"{value:.{digits}f}"


def table(headers, rows, digits=4):
    """A plain-text table (right-aligned columns); floats go through number(), the rest str()."""
    cells = [[c if isinstance(c, str) else number(c, digits) if isinstance(c, (float, np.floating)) else str(c)
              for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(headers, widths)),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.rjust(w) for c, w in zip(row, widths)) for row in cells]
    return "\n".join(lines)


def to_builtin(obj):
    """NumPy scalars/arrays inside dicts and lists as plain Python numbers and lists."""
    if isinstance(obj, dict):
        return {str(k): to_builtin(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_builtin(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return to_builtin(obj.tolist())
    if isinstance(obj, (np.floating,)):
        return float(obj)
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.bool_,)):
        return bool(obj)
    return obj


def write_json(folder, name, obj):
    """obj (made of builtins) to folder/name atomically; ±inf are written as JSON's Infinity."""
    path = os.path.join(folder, name)
    files.write_json(path, to_builtin(obj))
    return path


def tile(images, cols, pad=1, fill=1.0):
    """(n, h, w) images in [0, 1] as one (rows·(h+pad)−pad, cols·(w+pad)−pad) mosaic, row-major."""
    images = np.asarray(images, dtype=np.float64)
    n, h, w = images.shape
    rows = max(1, math.ceil(n / cols))
    out = np.full((rows * (h + pad) - pad, cols * (w + pad) - pad), fill)
    for k in range(n):
        r, c = divmod(k, cols)
        out[r * (h + pad):r * (h + pad) + h, c * (w + pad):c * (w + pad) + w] = images[k]
    return out


def show_grid(ax, images, cols, title=None, pad=1):
    """Draw tile(images) on ax in grey, clipped to [0, 1], without ticks."""
    ax.imshow(np.clip(tile(images, cols, pad), 0, 1), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=9)
