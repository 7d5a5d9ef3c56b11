"""Mode collapse on PacGAN's 2-D ring and grid: every method over several seeds, the table of
modes / high-quality % / reverse KL (mean ± std) next to the numbers published in PacGAN
(Lin et al. 2018, Table 1).

    python demos/04_mode_collapse_table.py [--quick] [--data ring grid] [--methods NAME ...] [--seeds 5]
                                           [--steps 20000] [--width 64] [--batch 100] [--out DIR]

Writes DIR/results.json and DIR/table.md. docs/gan-results.md has the table for 5 seeds × 10 000
steps (about an hour on 2 CPU cores, both datasets in parallel), and the grid run that reaches
PacGAN's quality: --data grid --methods GAN --width 128 --batch 250 --steps 40000.
"""
import argparse
import os

import numpy as np

from tinygan import files
from tinygan.gan import train as gan_train

METHODS = {   # name -> trainer options
    "GAN": dict(loss="minimax"),
    "NS-GAN": dict(loss="ns"),
    "PacGAN2": dict(loss="ns", pack=2),
    "PacGAN4": dict(loss="ns", pack=4),
    "Unrolled GAN (K=5)": dict(loss="ns", unrolled=5),
    "WGAN-GP": dict(loss="wgan-gp"),
    "NS-GAN + tricks": dict(loss="ns", label_smoothing=True, feature_matching=True, instance_noise=0.05),
    "GMMN": dict(loss="mmd"),            # fixed two-sample tests instead of a learned D (demo 17)
    "Sinkhorn": dict(loss="sinkhorn"),
}
PUBLISHED = {  # PacGAN Table 1: (modes, HQ %, reverse KL). Its "GAN" is trained with the
    # non-saturating generator loss (softplus(−D(G(z))) in its released code), hence the NS-GAN row.
    ("ring", "NS-GAN"): (6.3, 98.2, 0.45), ("ring", "PacGAN2"): (7.9, 95.6, 0.07),
    ("grid", "NS-GAN"): (17.3, 94.8, 0.70), ("grid", "PacGAN4"): (24.8, 93.6, 0.04),
}


def run_folder(out, data, name, seed):
    return os.path.join(out, data, name.replace(" ", "_").replace("(", "").replace(")", ""), f"seed{seed}")


def run_all(datasets, seeds, steps, out, batch=100, progress=True, methods=tuple(METHODS), width=0):
    results = {}
    for data in datasets:
        for name in methods:
            finals = []
            for seed in range(seeds):
                cfg = gan_train.Config(data=data, steps=steps, batch=batch, width=width, seed=seed, eval_every=steps,
                                       checkpoint_every=steps, **METHODS[name])
                finals.append(gan_train.train(cfg, run_folder(out, data, name, seed), progress=progress, overwrite=True))
            results[f"{data}/{name}"] = finals
    return results


def sample_panel(data, out, path, methods=tuple(METHODS)):
    """One scatter per method (seed 0's generator, 2 500 samples) over the true modes."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, len(methods), figsize=(2.3 * len(methods) + 0.4, 2.6), squeeze=False)
    for ax, name in zip(axes[0], methods):
        run = gan_train.load_run(run_folder(out, data, name, 0))
        pts, stats = run.sample(2500, seed=0), run.history["eval"][-1]
        ax.scatter(pts[:, 0], pts[:, 1], s=1, alpha=0.3)
        ax.scatter(*run.dataset.centers.T, c="red", marker="x", s=12)
        ax.set_title(f"{name}\n{stats['modes']} modes, HQ {100 * stats['hq']:.0f} %", fontsize=7)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    files.save_figure(fig, path, dpi=110)
    plt.close(fig)


def table(results, seeds, steps, width=0, batch=100):
    lines = [f"{seeds} seed(s), {steps} steps per run, batch {batch}, "
             f"{f'{width} hidden units' if width else 'default widths'}; published: PacGAN (Lin et al. 2018) Table 1", "",
             "| data | method | seeds | modes | HQ % | reverse KL | W₁ | MMD² | published (modes / HQ % / KL) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for key, finals in results.items():
        data, name = key.split("/", 1)
        cells = []
        for metric, scale, digits in (("modes", 1, 1), ("hq", 100, 1), ("kl", 1, 2), ("w1", 1, 3), ("mmd2", 1, 4)):
            values = scale * np.array([f[metric] for f in finals], float)
            cells.append(f"{values.mean():.{digits}f} ± {values.std():.{digits}f}")
        pub = PUBLISHED.get((data, name))
        pub_text = f"{pub[0]} / {pub[1]} / {pub[2]}" if pub else ""
        lines.append(f"| {data} | {name} | {len(finals)} | {' | '.join(cells)} | {pub_text} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 seed, 20 steps, ring only: a smoke test")
    parser.add_argument("--data", nargs="+", default=["ring", "grid"], choices=("ring", "grid"))
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=list(METHODS), metavar="NAME",
                        help=f"a subset of: {', '.join(METHODS)}")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=20000)
    parser.add_argument("--width", type=int, default=0, help="hidden units of G and D (0: the trainer's default)")
    parser.add_argument("--batch", type=int, default=100, help="PacGAN's 100")
    parser.add_argument("--out", default="runs/mode-collapse")
    args = parser.parse_args(argv)
    datasets, seeds, steps, batch = args.data, args.seeds, args.steps, args.batch
    if args.quick:
        datasets, seeds, steps, batch = ["ring"], 1, 20, 16
    results = run_all(datasets, seeds, steps, args.out, batch, not args.quick, args.methods, args.width)
    text = table(results, seeds, steps, args.width, batch)
    os.makedirs(args.out, exist_ok=True)
    files.write_json(os.path.join(args.out, "results.json"), results)
    files.write_text(os.path.join(args.out, "table.md"), text + "\n")
    for data in datasets:
        sample_panel(data, args.out, os.path.join(args.out, f"{data}-samples.png"), args.methods)
    print(text)
    return results


if __name__ == "__main__":
    main()
