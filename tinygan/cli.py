"""The `tinygan` command: version, environment info and the kernel registry."""
import argparse
import os
import platform
import sys


def cmd_info(args):
    import numpy as np
    import tinygan
    from tinygan import backend, kernels
    print(f"tinygan {tinygan.__version__}  python {platform.python_version()}  ({platform.machine()})")
    versions = {"numpy": np.__version__}
    for name in ("numba", "scipy", "sklearn", "matplotlib", "cupy"):
        try:
            versions[name] = __import__(name).__version__
        except Exception:
            versions[name] = "not installed"
    print("packages: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    active = "numpy" if backend.env_error else backend.get_backend()
    print(f"backend: {active}  (switch with tinygan.set_backend or TINYGAN_BACKEND)")
    print(f"threads: {tinygan._runtime.status()}")
    print(f"malloc: {tinygan._malloc.status}")
    for problem in _environment_problems():
        print(f"problem: {problem}")
    for name, state in backend.usable_gpu_stack().items():
        print(f"gpu: {name}: {state}")
    print("\nkernel registry (tinygan.kernels.use(op, impl) or TINYGAN_KERNELS=op:impl,...):")
    print(kernels.table(active))
    return 0


def cmd_bench(args):
    from tinygan import benchmark
    return benchmark.main(args, sys.argv[2:] if args.argv is None else args.argv)


def cmd_train_gan(args):
    from tinygan.gan import train
    from tinygan.options import config_from_args
    cfg = config_from_args(train.Config, args)
    final = train.train(cfg, args.out, resume=args.resume, progress=not args.quiet, overwrite=args.overwrite,
                        extend=args.extend, tensorboard=args.tensorboard)
    if "modes" in final:
        summary = f"{final['modes']} modes, HQ {100 * final['hq']:.1f} %, reverse KL {final['kl']:.3f}"
    elif "fd" in final:
        summary = f"Frechet distance {final['fd']:.1f}, {final['classes']} classes (class KL {final['class_kl']:.3f})"
    else:
        summary = "no labels, no scores"
    print(f"{args.data} {args.loss} pack {args.pack}: {summary}  ->  {args.out}/metrics.json")
    return 0


def cmd_sample(args):
    from tinygan import files
    from tinygan.gan import plots, train
    if args.n < 1:
        raise ValueError(f"sample: --n must be >= 1, got {args.n}")
    if not args.out.endswith(".npy"):
        raise ValueError(f"sample: --out {args.out!r} must name a .npy file (e.g. {args.out}.npy)")
    picture = args.out[:-len(".npy")] + ".png"
    folder = os.path.dirname(os.path.abspath(args.out))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"sample: the folder of --out, {folder}, does not exist")
    run = train.load_run(args.run_dir)
    targets = [args.out] + ([picture] if run.cfg.images else [])
    existing = [t for t in targets if os.path.exists(t)]
    if existing and not args.overwrite:
        raise ValueError(f"sample: {', '.join(existing)} already exists; add --overwrite to replace it")
    samples = run.sample(args.n, seed=args.seed)
    files.save_npy(args.out, samples)
    extra = ""
    if samples.ndim == 4:
        plots.save_image_grid(samples[:64], picture, 8, f"{args.run_dir}, step {run.step}")
        extra = f" and a grid of the first {min(64, args.n)} to {picture}"
    print(f"wrote {args.n} samples of shape {samples.shape[1:]} to {args.out}{extra}")
    return 0


def cmd_train_vae(args):
    from tinygan.vae import train
    from tinygan.options import config_from_args
    cfg = config_from_args(train.Config, args)
    final = train.train(cfg, args.out, resume=args.resume, progress=not args.quiet, overwrite=args.overwrite,
                        extend=args.extend, tensorboard=args.tensorboard)
    print(f"{args.model} on {args.data}: loss {final['total']:.1f} (reconstruction {final['reconstruction']:.1f}, "
          f"KL {final['kl']:.2f}), off-diagonal norm of Cov q(z) {final['offdiag_norm']:.3f}  ->  {args.out}/metrics.json")
    return 0


def cmd_evaluate(args):
    import json
    from tinygan import files, rundir
    from tinygan.metrics import disentanglement as dm
    from tinygan.metrics.disentanglement_sizes import sizes_for
    from tinygan.vae.train import load_run
    names = list(dm.ALL) if args.metrics == "all" else args.metrics.split(",")
    unknown = [n for n in names if n not in dm.ALL]
    if unknown:
        raise ValueError(f"evaluate: unknown metric(s) {unknown}; choose from {sorted(dm.ALL)} or all")
    if not os.path.isdir(args.run_dir):
        raise FileNotFoundError(f"evaluate: {args.run_dir} is not a run folder")
    with rundir.open_run(args.run_dir, "evaluate", resume=True):     # locked: no trainer writes meanwhile
        run = load_run(args.run_dir)
        path = os.path.join(args.run_dir, "metrics.json")
        metrics = {}
        if os.path.exists(path):      # read before the (long) scoring, so a bad file costs nothing
            try:
                with open(path) as f:
                    metrics = json.load(f)
            except ValueError:
                metrics = None
            if not isinstance(metrics, dict):
                raise ValueError(f"evaluate: {path} is not a JSON object; move it away and evaluate again")
        sizes = args.sizes
        scores = {name: dm.ALL[name](run.data, run.representation, args.seed, **sizes_for(name, sizes))
                  for name in names}
        metrics["disentanglement"] = {**metrics.get("disentanglement", {}), **scores}
        # what a sweep's [evaluate] compares before it scores again (tinygan/sweep/runner.py)
        metrics["disentanglement_settings"] = {**metrics.get("disentanglement_settings", {}),
                                               **{n: {"sizes": sizes, "seed": args.seed} for n in names}}
        files.write_json(path, metrics)
    for name, result in scores.items():
        print(f"{name:24} " + ", ".join(f"{k} {v:.3f}" for k, v in result.items()))
    return 0


class _ConfigOptions(argparse.ArgumentParser):
    """A `train` subcommand with one option per field of its trainer's Config (tinygan/options.py:
    defaults and help are written once, in the Config). `config` returns that class; it is called
    when the subcommand is used, so `tinygan info` and `--version` never import the trainers (~1.5 s)."""

    def __init__(self, *args, config=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._config = config

    def parse_known_args(self, args=None, namespace=None):
        if self._config:
            from tinygan.options import add_options
            self._config, config = None, self._config
            add_options(self, config())
        return super().parse_known_args(args, namespace)


def _gan_config():
    from tinygan.gan.train import Config
    return Config


def _vae_config():
    from tinygan.vae.train import Config
    return Config


def build_parser():
    import tinygan
    from tinygan import sweep, tensorboard
    from tinygan.metrics.disentanglement_sizes import METRIC_SIZES
    parser = argparse.ArgumentParser(prog="tinygan", description="tinygan: a small autograd engine for generative models")
    parser.add_argument("--version", action="version", version=f"tinygan {tinygan.__version__}")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("info", help="backend, package versions, GPU availability, kernel registry").set_defaults(run=cmd_info)
    bench = sub.add_parser("bench", help="time every kernel and a DCGAN training step; write bench.json/csv/png")
    bench.add_argument("--quick", action="store_true", help="smaller sizes and fewer repeats (under a minute on 2 cores)")
    bench.add_argument("--device", choices=("cpu", "gpu"), default="cpu")
    bench.add_argument("--out", default="bench-out", help="folder for bench.json, bench.csv, bench.png")
    bench.add_argument("--soak", type=int, metavar="STEPS",
                       help="instead: train a small conv net for STEPS steps and print resident memory along the way")
    bench.set_defaults(run=cmd_bench)
    train = sub.add_parser("train", help="train a model").add_subparsers(dest="what", required=True,
                                                                          parser_class=_ConfigOptions)
    gan = train.add_parser("gan", help="train a GAN and score its mode coverage / sample quality",
                           config=_gan_config)
    gan.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint.npz")
    gan.add_argument("--extend", action="store_true",
                     help="with a --steps other than the run's: continue it to the new horizon (schedules restart)")
    gan.add_argument("--overwrite", action="store_true", help="delete the run in OUT first (its run files only)")
    gan.add_argument("--quiet", action="store_true", help="no progress bar")
    gan.add_argument("--out", required=True)
    gan.set_defaults(run=cmd_train_gan)
    tensorboard.add_flag(gan)                     # --tensorboard / --no-tensorboard (tinygan/tensorboard.py)
    vae = train.add_parser("vae", help="train a VAE / beta-VAE / DIP-VAE on procedural dSprites",
                           config=_vae_config)
    vae.add_argument("--resume", action="store_true")
    vae.add_argument("--extend", action="store_true",
                     help="with a --steps other than the run's: continue it to the new horizon (schedules restart)")
    vae.add_argument("--overwrite", action="store_true", help="delete the run in OUT first (its run files only)")
    vae.add_argument("--quiet", action="store_true")
    vae.add_argument("--out", required=True)
    vae.set_defaults(run=cmd_train_vae)
    tensorboard.add_flag(vae)
    evaluate = sub.add_parser("evaluate", help="disentanglement metrics of a trained VAE run")
    evaluate.add_argument("run_dir")
    evaluate.add_argument("--metrics", default="all", help="all, or a comma list of " + ",".join(
        ["beta_vae", "factor_vae", "mig", "dci", "modularity_explicitness", "sap"]))
    sizes = evaluate.add_mutually_exclusive_group()
    sizes.add_argument("--sizes", choices=tuple(METRIC_SIZES), default="full",
                       help="metric sample sizes: disentanglement_lib's own (full), the CPU studies' (reduced), "
                            "a smoke test's (quick); tinygan/metrics/disentanglement_sizes.py")
    sizes.add_argument("--quick", dest="sizes", action="store_const", const="quick", help="the same as --sizes quick")
    evaluate.add_argument("--seed", type=int, default=0)
    evaluate.set_defaults(run=cmd_evaluate)
    sample = sub.add_parser("sample", help="draw samples from a trained generator")
    sample.add_argument("run_dir")
    sample.add_argument("--n", type=int, default=2500)
    sample.add_argument("--out", required=True, help="a .npy file (images also get a .png grid beside it)")
    sample.add_argument("--seed", type=int, default=0)
    sample.add_argument("--overwrite", action="store_true", help="replace --out (and its .png) if they exist")
    sample.set_defaults(run=cmd_sample)
    sweep.add_commands(sub)                       # tinygan sweep / tinygan report (tinygan/sweep/)
    return parser


def _environment_problems():
    from tinygan import backend
    from tinygan.kernels import registry
    return [str(e) for e in (backend.env_error, registry.env_error) if e]


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = None if argv is None else list(argv)[1:]
    if not getattr(args, "run", None):
        parser.print_help()
        return 0
    from tinygan import errors
    problems = _environment_problems()
    if problems and args.run is not cmd_info:
        print(f"tinygan: error: {problems[0]}", file=sys.stderr)
        return 2
    try:
        return args.run(args)
    except errors.TrainingInterrupted as stop:      # SIGINT/SIGTERM: checkpoint written (training.fit)
        print(f"tinygan: {stop}", file=sys.stderr)
        return 128 + stop.signum
    except KeyboardInterrupt:                       # a second Ctrl-C, or one outside training
        print("tinygan: interrupted", file=sys.stderr)
        return 130
    except (ValueError, errors.DTypeError, errors.BackendError, errors.KernelError, errors.DivergenceError,
            FileNotFoundError) as exc:             # one clear line for user-facing errors
        print(f"tinygan: error: {exc}", file=sys.stderr)
        return 2
    except MemoryError:
        print(f"tinygan: error: {args.command}: out of memory; try a smaller --batch or model", file=sys.stderr)
        return 2
    except OSError as exc:                          # disk full, read-only filesystem, permissions
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"tinygan: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
