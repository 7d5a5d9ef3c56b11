"""Pictures of a VAE run: reconstructions, latent traversals, covariance of q(z), loss curves."""
import os

import numpy as np

import tinygan
from tinygan import files


def _decoded(run):
    """8 data images (a fixed private stream), their reconstructions, the traversal values and the
    traversals: each latent swept over [-2, 2] from the first image's code."""
    rng = np.random.default_rng(0)
    x = run.data.sample_observations(8, rng)
    with tinygan.no_grad():
        mu, _ = run.model.encode(tinygan.tensor(x))
        recon = tinygan.sigmoid(run.model.decode(mu)).numpy()
        values = np.linspace(-2, 2, 9)
        base = mu.numpy()[:1]
        codes = np.repeat(base, run.cfg.latents * len(values), axis=0)
        for j in range(run.cfg.latents):
            codes[j * len(values):(j + 1) * len(values), j] = values
        sweep = tinygan.sigmoid(run.model.decode(tinygan.tensor(codes.astype(np.float32)))).numpy()
    return x, recon, values, sweep


def picture_grids(run):
    """The reconstructions (data row over reconstruction row) and traversals (a row per latent) as
    2-D arrays in [0, 1], drawn without matplotlib: what TensorBoard shows at each evaluation."""
    from tinygan.tensorboard import grid
    x, recon, values, sweep = _decoded(run)
    return {"reconstructions": grid(np.concatenate([x[:, 0], recon[:, 0]]), len(x)),
            "traversals": grid(sweep[:, 0], len(values))}


def save_all(run, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from tinygan.tensorboard import grid
    x, recon, values, sweep = _decoded(run)
    # each picture is one image of the tiles (white 1-pixel gaps): a subplot per tile took a second
    fig, ax = plt.subplots(figsize=(8, 2.2))
    ax.imshow(grid(np.concatenate([x[:, 0], recon[:, 0]]), len(x)), cmap="gray", vmin=0, vmax=1)
    ax.axis("off")
    fig.suptitle(f"{run.cfg.model}, step {run.step}: data (top) and reconstructions", fontsize=8)
    files.save_figure(fig, os.path.join(out, "reconstructions.png"), dpi=90)
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(len(values) * 0.8, run.cfg.latents * 0.8))
    ax.imshow(grid(sweep[:, 0], len(values)), cmap="gray", vmin=0, vmax=1)
    ax.axis("off")
    fig.suptitle("latent traversals: row j sweeps z_j over [-2, 2]", fontsize=8)
    files.save_figure(fig, os.path.join(out, "traversals.png"), dpi=80)
    plt.close(fig)
    cov = run.posterior_covariance()
    fig, ax = plt.subplots(figsize=(4, 3.4))
    im = ax.imshow(cov, cmap="coolwarm", vmin=-1, vmax=1)
    fig.colorbar(im)
    ax.set_title("covariance of q(z) (DIP-VAE pushes it to I)", fontsize=8)
    files.save_figure(fig, os.path.join(out, "covariance.png"), dpi=90)
    plt.close(fig)
    if not run.history["losses"]:          # a run not trained yet has pictures but no curves
        return
    fig, ax = plt.subplots(figsize=(6, 3.5))
    steps = run.history["step"]
    for key in run.history["losses"][0]:
        ax.plot(steps, [t[key] for t in run.history["losses"]], lw=0.7, label=key)
    ax.set_yscale("symlog")
    ax.set_xlabel("step")
    ax.legend(fontsize=7)
    fig.tight_layout()
    files.save_figure(fig, os.path.join(out, "losses.png"), dpi=90)
    plt.close(fig)
