"""Do the six disentanglement metrics agree? Train a sweep of VAE / β-VAE / DIP-VAE-I/II models on
dSprites, score each model with all six metrics, and compare the Spearman rank-correlation matrix
over models with the one in the lecture (Locatello et al. 2019, Fig. 2, noisy dSprites).

    python demos/08_metric_agreement.py [--quick | --full] [--data D] [--seeds N] [--steps N] [--workers N] [--out DIR]

Default: 7 configurations × 2 seeds on clean dSprites, 32×32 images, MLP encoder/decoder, 1 500
steps each and reduced metric sample sizes — about half an hour on 2 CPU cores. Why not noisy
dSprites by default: at CPU budgets a VAE there barely encodes anything (5 000 steps: KL 4 nats,
MIG 0.02, DCI 0.03), so every metric sits at chance and their ranks are noise. --full: 9
configurations × 3 seeds on noisy dSprites (the lecture's data), conv architecture, 5 000 steps
and disentanglement_lib's sample sizes (hours on CPU; for a GPU). The lecture-scale study is the
spec tinygan/sweep/studies/metric-agreement.toml (`tinygan sweep metric-agreement --out DIR`).

A thin wrapper over a study spec (SWEEPS below) run by the sweep runner (`--workers N`: N models
at a time on a local Dask cluster; models already trained and scored in DIR are kept) and the
tables of tinygan.sweep.report. Writes DIR/scores.json, DIR/spearman.md and DIR/spearman.png.
"""
import argparse
import os

from tinygan import files
from tinygan.sweep import report, runner
from tinygan.sweep import spec as sweep_spec

METRICS = report.AGREEMENT_METRICS       # lecture name -> (tinygan.metrics.disentanglement name, score)
LECTURE = report.LECTURE
spearman_matrix = report.spearman_matrix
SWEEPS = {  # mode -> methods (a list multiplies within its method)
    "quick": {"vae": {"model": "vae"}, "beta-vae": {"model": "beta-vae", "beta": [4.0, 16.0]}},
    "default": {"vae": {"model": "vae"}, "beta-vae": {"model": "beta-vae", "beta": [4.0, 16.0]},
                "dip-vae-1": {"model": "dip-vae-1", "lambda_od": [1.0, 10.0]},
                "dip-vae-2": {"model": "dip-vae-2", "lambda_od": [1.0, 10.0]}},
    "full": {"vae": {"model": "vae"}, "beta-vae": {"model": "beta-vae", "beta": [4.0, 8.0, 16.0]},
             "dip-vae-1": {"model": "dip-vae-1", "lambda_od": [1.0, 10.0, 50.0]},
             "dip-vae-2": {"model": "dip-vae-2", "lambda_od": [1.0, 10.0]}},
}


def study(mode, seeds, steps, data):
    full, quick = mode == "full", mode == "quick"
    return sweep_spec.from_dict({
        "kind": "vae", "name": f"metric-agreement ({mode})", "methods": SWEEPS[mode],
        "config": {"data": data, "size": 32, "arch": "conv" if full else "mlp", "steps": steps,
                   "lr": 1e-4 if full else 1e-3, "batch": 16 if quick else 64, "eval_every": steps,
                   "checkpoint_every": steps},
        "grid": {"seed": list(range(seeds))},
        "evaluate": {"metrics": "all", "sizes": {"quick": "quick", "default": "reduced", "full": "full"}[mode]},
    }, source=f"demos/08_metric_agreement.py ({mode})")


def run_sweep(mode, seeds, steps, out, data, progress=True, workers=1):
    """Train and score every model; one row per model: configuration, seed, the six scores,
    offdiag_norm and reconstruction."""
    spec = study(mode, seeds, steps, data)
    result = runner.run_sweep(spec, out, workers=workers, progress=progress,
                              echo=None if progress else (lambda line: None))
    failed = [r for r in result["results"] if r["status"] == "failed"]
    if failed:
        raise RuntimeError(f"{len(failed)} run(s) failed, e.g. {failed[0]['name']}: {failed[0]['error']}")
    return report.agreement_rows(report.collect(out, names={run.name for run in spec.runs()}))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="3 models, a few steps: a smoke test")
    size.add_argument("--full", action="store_true", help="the larger sweep (conv, 5 000 steps, full metric sizes)")
    parser.add_argument("--data", choices=("dsprites", "noisy-dsprites"), default=None,
                        help="default: dsprites, or noisy-dsprites with --full")
    parser.add_argument("--seeds", type=int, default=None)
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--workers", type=int, default=1, help="models at a time (N > 1: a local Dask cluster)")
    parser.add_argument("--out", default="runs/metric-agreement")
    args = parser.parse_args(argv)
    mode = "quick" if args.quick else "full" if args.full else "default"
    seeds = args.seeds or {"quick": 1, "default": 2, "full": 3}[mode]
    steps = args.steps or {"quick": 4, "default": 1500, "full": 5000}[mode]
    data = args.data or ("noisy-dsprites" if mode == "full" else "dsprites")
    rows = run_sweep(mode, seeds, steps, args.out, data, progress=not args.quick, workers=args.workers)
    rho = spearman_matrix(rows)
    text = report.agreement_table(rows, rho, data)
    files.write_json(os.path.join(args.out, "scores.json"),
                     {"rows": rows, "spearman": rho.tolist(), "lecture": LECTURE.tolist()})
    files.write_text(os.path.join(args.out, "spearman.md"), text + "\n")
    report.plot_spearman(rho, os.path.join(args.out, "spearman.png"))
    print(text)
    return rows, rho


if __name__ == "__main__":
    main()
