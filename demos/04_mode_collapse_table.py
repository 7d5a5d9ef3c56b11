"""Mode collapse on PacGAN's 2-D ring and grid: every method over several seeds, the table of
modes / high-quality % / reverse KL (mean ± std) next to the numbers published in PacGAN
(Lin et al. 2018, Table 1).

    python demos/04_mode_collapse_table.py [--quick] [--data ring grid] [--methods NAME ...] [--seeds 5]
                                           [--steps 20000] [--width 64] [--batch 100] [--workers N] [--out DIR]

A thin wrapper over the study spec tinygan/sweep/studies/mode-collapse.toml (its methods are
METHODS here), run by the sweep runner (`--workers N`: N runs at a time on a local Dask cluster)
and tabulated by tinygan.sweep.report; `tinygan sweep mode-collapse --out DIR` and `tinygan report
DIR` do the same from the command line. Runs already finished in DIR are not trained again.
Writes DIR/results.json and DIR/table.md. docs/gan-results.md has the table for 5 seeds × 10 000
steps (about an hour on 2 CPU cores, both datasets in parallel), and the grid run that reaches
PacGAN's quality: --data grid --methods GAN --width 128 --batch 250 --steps 40000.
"""
import argparse
import dataclasses
import os

from tinygan import files
from tinygan.gan import train as gan_train  # noqa: F401  (tests load the runs with demo.gan_train)
from tinygan.sweep import report, runner
from tinygan.sweep import spec as sweep_spec

STUDY = sweep_spec.load("mode-collapse")
METHODS = STUDY.methods                 # name -> trainer options, in the spec's order
PUBLISHED = report.PACGAN_PUBLISHED     # PacGAN Table 1: (data, method) -> (modes, HQ %, reverse KL)


def study(datasets, seeds, steps, batch=100, methods=tuple(METHODS), width=0):
    """The spec with this demo's options: evaluated and checkpointed at the last step only."""
    config = {**STUDY.config, "steps": steps, "batch": batch, "eval_every": steps, "checkpoint_every": steps}
    if width:
        config["width"] = width
    return dataclasses.replace(STUDY, config=config, grid={**STUDY.grid, "data": list(datasets),
                                                           "seed": list(range(seeds))},
                               methods={name: METHODS[name] for name in methods})


def run_folder(out, data, name, seed):
    return os.path.join(out, sweep_spec.run_name(STUDY, name, {"data": data, "seed": seed}))


def run_all(datasets, seeds, steps, out, batch=100, progress=True, methods=tuple(METHODS), width=0, workers=1):
    """Train (or find finished) every run; {"data/method": [final metrics per seed]}."""
    spec = study(datasets, seeds, steps, batch, methods, width)
    result = runner.run_sweep(spec, out, workers=workers, progress=progress,
                              echo=None if progress else (lambda line: None))
    failed = [r for r in result["results"] if r["status"] == "failed"]
    if failed:
        raise RuntimeError(f"{len(failed)} run(s) failed, e.g. {failed[0]['name']}: {failed[0]['error']}")
    return report.mode_collapse_groups(report.collect(out, names={run.name for run in spec.runs()}))


def sample_panel(data, out, path, methods=tuple(METHODS)):
    """One scatter per method (seed 0's generator, 2 500 samples) over the true modes."""
    rows = [r for r in report.collect(out) if r["method"] in methods]
    return report.sample_panel(out, rows, data, path)


def table(results, seeds, steps, width=0, batch=100):
    return report.mode_collapse_table(results, seeds, steps, width, batch)


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
    parser.add_argument("--workers", type=int, default=1, help="runs at a time (N > 1: a local Dask cluster)")
    parser.add_argument("--out", default="runs/mode-collapse")
    args = parser.parse_args(argv)
    datasets, seeds, steps, batch = args.data, args.seeds, args.steps, args.batch
    if args.quick:
        datasets, seeds, steps, batch = ["ring"], 1, 20, 16
    results = run_all(datasets, seeds, steps, args.out, batch, not args.quick, args.methods, args.width, args.workers)
    text = table(results, seeds, steps, args.width, batch)
    files.write_json(os.path.join(args.out, "results.json"), results)
    files.write_text(os.path.join(args.out, "table.md"), text + "\n")
    for data in datasets:
        sample_panel(data, args.out, os.path.join(args.out, f"{data}-samples.png"), args.methods)
    print(text)
    return results


if __name__ == "__main__":
    main()
