"""A fixed two-sample test against a learned one as the generator's training signal, on PacGAN's
2-D ring and grid: GMMN (G minimises MMD² with a sum of Gaussian kernels, Li, Swersky & Zemel
2015), the Sinkhorn divergence (Genevay, Peyré & Cuturi 2018) and NS-GAN, whose discriminator is
the learned test (the lecture's "GAN as a two-sample test"; Goodfellow et al. 2014). One table of
modes / HQ % / reverse KL / W₁ / MMD² over seeds, and a sample panel per dataset.

    python demos/17_fixed_vs_learned_test.py [--quick] [--seeds 3] [--steps 200] [--out DIR]

The default (200 steps, 3 seeds, both datasets; about 2.5 minutes of CPU on 2 cores) shows
the ordering only roughly; docs/theory.md has the table at the longer budget it quotes. This is a
thin wrapper over demos/04_mode_collapse_table.py, which trains and tabulates every method.
"""
import argparse
import importlib.util
import os
import pathlib

from tinygan import files

METHODS = ("NS-GAN", "GMMN", "Sinkhorn")


def _mode_collapse_demo():
    path = pathlib.Path(__file__).resolve().parent / "04_mode_collapse_table.py"
    spec = importlib.util.spec_from_file_location("mode_collapse_table", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 seed, 20 steps, ring only: a smoke test")
    parser.add_argument("--data", nargs="+", default=["ring", "grid"], choices=("ring", "grid"))
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--out", default="runs/theory/fixed-vs-learned")
    args = parser.parse_args(argv)
    datasets, seeds, steps, batch = args.data, args.seeds, args.steps, args.batch
    if args.quick:
        datasets, seeds, steps, batch = ["ring"], 1, 20, 32
    table = _mode_collapse_demo()
    results = table.run_all(datasets, seeds, steps, args.out, batch, not args.quick, METHODS)
    text = table.table(results, seeds, steps, 0, batch)
    os.makedirs(args.out, exist_ok=True)
    files.write_json(os.path.join(args.out, "results.json"), results)
    files.write_text(os.path.join(args.out, "table.md"), text + "\n")
    for data in datasets:
        table.sample_panel(data, args.out, os.path.join(args.out, f"{data}-samples.png"), METHODS)
    print(text)
    return results


if __name__ == "__main__":
    main()
