"""Do the six disentanglement metrics agree? Train a sweep of VAE / β-VAE / DIP-VAE-I/II models on
dSprites, score each model with all six metrics, and compare the Spearman rank-correlation matrix
over models with the one in the lecture (Locatello et al. 2019, Fig. 2, noisy dSprites).

    python demos/08_metric_agreement.py [--quick | --full] [--data D] [--seeds N] [--steps N] [--out DIR]

Default: 7 configurations × 2 seeds on clean dSprites, 32×32 images, MLP encoder/decoder, 1 500
steps each and reduced metric sample sizes — about half an hour on 2 CPU cores. Why not noisy
dSprites by default: at CPU budgets a VAE there barely encodes anything (5 000 steps: KL 4 nats,
MIG 0.02, DCI 0.03), so every metric sits at chance and their ranks are noise. --full: 9
configurations × 3 seeds on noisy dSprites (the lecture's data), conv architecture, 5 000 steps
and disentanglement_lib's sample sizes (hours on CPU; for a GPU). Writes DIR/scores.json,
DIR/spearman.md and DIR/spearman.png.
"""
import argparse
import os

import numpy as np

from tinygan import files
from tinygan.metrics import disentanglement as dm
from tinygan.vae import train

METRICS = {  # name -> (function, the score Locatello et al. report)
    "BetaVAE": (dm.beta_vae_score, "eval_accuracy"), "FactorVAE": (dm.factor_vae_score, "eval_accuracy"),
    "MIG": (dm.mig, "discrete_mig"), "DCI": (dm.dci, "disentanglement"),
    "Modularity": (dm.modularity_explicitness, "modularity_score"), "SAP": (dm.sap, "SAP_score")}
LECTURE = np.array([  # Spearman ×100 on noisy dSprites, rows/columns in METRICS order
    [100, 80, 44, 41, 46, 37], [80, 100, 49, 52, 25, 38], [44, 49, 100, 76, 6, 42],
    [41, 52, 76, 100, -8, 38], [46, 25, 6, -8, 100, 13], [37, 38, 42, 38, 13, 100]])
SWEEP = [("vae", {}), ("beta-vae", {"beta": 4.0}), ("beta-vae", {"beta": 16.0}),
         ("dip-vae-1", {"lambda_od": 1.0}), ("dip-vae-1", {"lambda_od": 10.0}),
         ("dip-vae-2", {"lambda_od": 1.0}), ("dip-vae-2", {"lambda_od": 10.0})]
FULL_EXTRA = [("beta-vae", {"beta": 8.0}), ("dip-vae-1", {"lambda_od": 50.0})]


def metric_sizes(mode):
    if mode == "full":
        return {}                                    # disentanglement_lib's defaults
    few = mode == "quick"
    pairs = dict(num_train=40, num_eval=20) if few else dict(num_train=500, num_eval=250)
    split = dict(num_train=200, num_test=100) if few else dict(num_train=2000, num_test=1000)
    return {"BetaVAE": pairs, "FactorVAE": {**pairs, "num_variance_estimate": 500 if few else 5000},
            "MIG": {"num_train": split["num_train"]}, "DCI": split, "Modularity": split, "SAP": split}


def run_sweep(mode, seeds, steps, out, data, progress=True):
    sweep = SWEEP[:3] if mode == "quick" else SWEEP + (FULL_EXTRA if mode == "full" else [])
    sizes, rows = metric_sizes(mode), []
    for name, options in sweep:
        for seed in range(seeds):
            label = f"{name} " + " ".join(f"{k}={v:g}" for k, v in options.items())
            cfg = train.Config(model=name, data=data, size=32, arch="conv" if mode == "full" else "mlp",
                               steps=steps, seed=seed, lr=1e-4 if mode == "full" else 1e-3,
                               batch=16 if mode == "quick" else 64, eval_every=steps, checkpoint_every=steps, **options)
            folder = os.path.join(out, label.strip().replace(" ", "_").replace("=", ""), f"seed{seed}")
            final = train.train(cfg, folder, progress=progress, overwrite=True)
            run = train.load_run(folder)
            scores = {m: float(fn(run.data, run.representation, seed, **sizes.get(m, {}))[key])
                      for m, (fn, key) in METRICS.items()}
            rows.append({"model": label.strip(), "seed": seed, **scores, "offdiag_norm": final["offdiag_norm"],
                         "reconstruction": final["reconstruction"]})
            if progress:
                print(rows[-1], flush=True)
    return rows


def spearman_matrix(rows):
    """100 × Spearman ρ between metrics over the trained models (NaN where a metric is constant)."""
    from scipy.stats import spearmanr
    scores = np.array([[r[m] for m in METRICS] for r in rows])
    rho = np.full((len(METRICS), len(METRICS)), np.nan)
    for i in range(len(METRICS)):
        for j in range(len(METRICS)):
            if np.ptp(scores[:, i]) > 0 and np.ptp(scores[:, j]) > 0:
                rho[i, j] = spearmanr(scores[:, i], scores[:, j]).statistic
    return 100 * rho


def report(rows, rho, data):
    names = list(METRICS)
    lines = [f"{len(rows)} models on {data}. Spearman ×100 here / in the lecture (Locatello et al. 2019, noisy dSprites):", "",
             "| | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for i, a in enumerate(names):
        cells = [f"{rho[i, j]:.0f} / {LECTURE[i, j]}" if np.isfinite(rho[i, j]) else f"– / {LECTURE[i, j]}"
                 for j in range(len(names))]
        lines.append(f"| {a} | " + " | ".join(cells) + " |")
    upper = np.triu_indices(len(names), 1)
    ok = np.isfinite(rho[upper])
    if ok.sum() > 2:
        from scipy.stats import spearmanr
        agreement = spearmanr(rho[upper][ok], LECTURE[upper][ok]).statistic
        lines += ["", f"Rank agreement of the {ok.sum()} off-diagonal pairs with the lecture's: Spearman {agreement:.2f}"]
    columns = names + ["offdiag_norm", "reconstruction"]
    lines += ["", "Per configuration, mean ± std over seeds (offdiag_norm: ‖off-diagonal of Cov q(z)‖, DIP-VAE's target 0):", "",
              "| model | seeds | " + " | ".join(columns) + " |", "|---|---" + "|---" * len(columns) + "|"]
    for model in dict.fromkeys(r["model"] for r in rows):
        group = [r for r in rows if r["model"] == model]
        cells = [f"{np.mean([r[c] for r in group]):.3f} ± {np.std([r[c] for r in group]):.3f}" for c in columns]
        lines.append(f"| {model} | {len(group)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def plot(rho, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.4))
    for ax, matrix, title in ((axes[0], rho, "this sweep"), (axes[1], LECTURE, "lecture (Locatello et al.)")):
        ax.imshow(matrix, vmin=-100, vmax=100, cmap="RdBu")
        ax.set_xticks(range(len(METRICS)), list(METRICS), rotation=45, ha="right", fontsize=8)
        ax.set_yticks(range(len(METRICS)), list(METRICS), fontsize=8)
        for i in range(len(METRICS)):
            for j in range(len(METRICS)):
                if np.isfinite(matrix[i, j]):
                    ax.text(j, i, f"{matrix[i, j]:.0f}", ha="center", va="center", fontsize=7)
        ax.set_title(f"Spearman ×100, {title}", fontsize=9)
    fig.tight_layout()
    files.save_figure(fig, path, dpi=100)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="3 models, a few steps: a smoke test")
    size.add_argument("--full", action="store_true", help="the larger sweep (conv, 5 000 steps, full metric sizes)")
    parser.add_argument("--data", choices=("dsprites", "noisy-dsprites"), default=None,
                        help="default: dsprites, or noisy-dsprites with --full")
    parser.add_argument("--seeds", type=int, default=None)
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--out", default="runs/metric-agreement")
    args = parser.parse_args(argv)
    mode = "quick" if args.quick else "full" if args.full else "default"
    seeds = args.seeds or {"quick": 1, "default": 2, "full": 3}[mode]
    steps = args.steps or {"quick": 4, "default": 1500, "full": 5000}[mode]
    data = args.data or ("noisy-dsprites" if mode == "full" else "dsprites")
    rows = run_sweep(mode, seeds, steps, args.out, data, progress=not args.quick)
    rho = spearman_matrix(rows)
    os.makedirs(args.out, exist_ok=True)
    text = report(rows, rho, data)
    files.write_json(os.path.join(args.out, "scores.json"),
                     {"rows": rows, "spearman": rho.tolist(), "lecture": LECTURE.tolist()})
    files.write_text(os.path.join(args.out, "spearman.md"), text + "\n")
    plot(rho, os.path.join(args.out, "spearman.png"))
    print(text)
    return rows, rho


if __name__ == "__main__":
    main()
