"""VAE, β-VAE, DIP-VAE-I and DIP-VAE-II on procedural dSprites: does DIP bring Cov q(z) to I,
and what do the disentanglement metrics say?

    python demos/06_dip_vae.py [--quick] [--steps N] [--arch mlp|conv] [--out DIR]

Prints, per model: final loss terms, the off-diagonal norm of Cov q(z) (DIP-VAE's target: 0),
and MIG / SAP / DCI disentanglement with small sample sizes (--quick: DCI with 20 boosting stages, not
100). Pictures are in each run folder.
"""
import argparse
import os

from tinygan.metrics import disentanglement as dm
from tinygan.vae import train

MODELS = [("vae", {}), ("beta-vae", {"beta": 4.0}), ("dip-vae-1", {"lambda_od": 10.0}), ("dip-vae-2", {"lambda_od": 10.0})]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few steps: the smoke test the tests run")
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--arch", default="mlp", choices=("mlp", "conv"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="runs/dip-vae")
    args = parser.parse_args(argv)
    steps = 6 if args.quick else args.steps
    sizes = dict(num_train=300, num_test=150) if args.quick else dict(num_train=1000, num_test=500)
    trees = dict(n_estimators=20) if args.quick else {}         # DCI's boosting stages (default 100)
    rows = {}
    for name, options in MODELS:
        cfg = train.Config(model=name, arch=args.arch, size=32, steps=steps, seed=args.seed, lr=1e-3,
                           batch=16 if args.quick else 64, eval_every=max(steps // 3, 1), checkpoint_every=steps, **options)
        folder = os.path.join(args.out, name)
        final = train.train(cfg, folder, progress=not args.quick, overwrite=True)      # the demo's own runs
        run = train.load_run(folder)
        rows[name] = {**final, "mig": dm.mig(run.data, run.representation, 0, num_train=sizes["num_train"])["discrete_mig"],
                      "sap": dm.sap(run.data, run.representation, 0, **sizes)["SAP_score"],
                      "dci": dm.dci(run.data, run.representation, 0, **sizes, **trees)["disentanglement"]}
    print(f"{'model':10} {'recon':>8} {'KL':>7} {'offdiag':>8} {'MIG':>6} {'SAP':>6} {'DCI':>6}")
    for name, r in rows.items():
        print(f"{name:10} {r['reconstruction']:8.1f} {r['kl']:7.2f} {r['offdiag_norm']:8.3f} {r['mig']:6.3f} "
              f"{r['sap']:6.3f} {r['dci']:6.3f}")
    return rows


if __name__ == "__main__":
    main()
