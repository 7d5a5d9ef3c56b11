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
    cfg = train.Config(data=args.data, model=args.model, loss=args.loss, pack=args.pack, steps=args.steps,
                       batch=args.batch, lr=args.lr, nz=args.nz, width=args.width, image_size=args.image_size,
                       seed=args.seed, label_smoothing=args.label_smoothing, feature_matching=args.feature_matching,
                       instance_noise=args.instance_noise, unrolled=args.unrolled,
                       unrolled_stop_gradient=args.unrolled_stop_gradient, vbn=args.vbn, eval_every=args.eval_every,
                       checkpoint_every=args.checkpoint_every)
    final = train.train(cfg, args.out, resume=args.resume, progress=not args.quiet, overwrite=args.overwrite,
                        extend=args.extend)
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
    cfg = train.Config(model=args.model, data=args.data, size=args.size, arch=args.arch, beta=args.beta,
                       lambda_od=args.lambda_od, steps=args.steps, batch=args.batch, lr=args.lr, seed=args.seed,
                       eval_every=args.eval_every, checkpoint_every=args.checkpoint_every)
    final = train.train(cfg, args.out, resume=args.resume, progress=not args.quiet, overwrite=args.overwrite,
                        extend=args.extend)
    print(f"{args.model} on {args.data}: loss {final['total']:.1f} (reconstruction {final['reconstruction']:.1f}, "
          f"KL {final['kl']:.2f}), off-diagonal norm of Cov q(z) {final['offdiag_norm']:.3f}  ->  {args.out}/metrics.json")
    return 0


def cmd_evaluate(args):
    import json
    from tinygan import files, rundir
    from tinygan.metrics import disentanglement as dm
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
        quick = dict(num_train=500, num_test=250) if args.quick else {}
        pairs = dict(num_train=100, num_eval=50) if args.quick else {}
        sizes = {"mig": {k: v for k, v in quick.items() if k == "num_train"}, "sap": quick, "dci": quick,
                 "modularity_explicitness": quick, "beta_vae": pairs,
                 "factor_vae": {**pairs, **({"num_variance_estimate": 1000} if args.quick else {})}}
        scores = {name: dm.ALL[name](run.data, run.representation, args.seed, **sizes[name]) for name in names}
        metrics["disentanglement"] = {**metrics.get("disentanglement", {}), **scores}
        files.write_json(path, metrics)
    for name, result in scores.items():
        print(f"{name:24} " + ", ".join(f"{k} {v:.3f}" for k, v in result.items()))
    return 0


def build_parser():
    import tinygan
    parser = argparse.ArgumentParser(prog="tinygan", description="tinygan: a small autograd engine for generative models")
    parser.add_argument("--version", action="version", version=f"tinygan {tinygan.__version__}")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("info", help="backend, package versions, GPU availability, kernel registry").set_defaults(run=cmd_info)
    bench = sub.add_parser("bench", help="time every kernel and a DCGAN training step; write bench.json/csv/png")
    bench.add_argument("--quick", action="store_true", help="smaller sizes and fewer repeats (under a minute on 2 cores)")
    bench.add_argument("--device", choices=("cpu", "gpu"), default="cpu")
    bench.add_argument("--out", default="bench-out", help="folder for bench.json, bench.csv, bench.png")
    bench.set_defaults(run=cmd_bench)
    train = sub.add_parser("train", help="train a model").add_subparsers(dest="what", required=True)
    gan = train.add_parser("gan", help="train a GAN and score its mode coverage / sample quality")
    gan.add_argument("--data", default="ring", help="ring | grid (2-D) | shapes | digits | idx:PATH (images)")
    gan.add_argument("--model", default="", help="mlp (2-D data) | dcgan (images); default: the one that fits --data")
    gan.add_argument("--loss", default="ns", choices=("minimax", "ns", "wgan", "wgan-gp", "mmd", "sinkhorn"),
                     help="mmd (GMMN) and sinkhorn train G against a fixed two-sample test, with no D (2-D data)")
    gan.add_argument("--pack", type=int, default=1, help="PacGAN: samples per discriminator input")
    gan.add_argument("--label-smoothing", action="store_true", help="one-sided: real targets 0.9")
    gan.add_argument("--feature-matching", action="store_true", help="G matches D's hidden-layer means")
    gan.add_argument("--vbn", action="store_true", help="virtual batch norm in G (reference batch of --batch codes)")
    gan.add_argument("--unrolled", type=int, default=0, metavar="K", help="unrolled GAN: G's loss against D after K steps")
    gan.add_argument("--unrolled-stop-gradient", action="store_true",
                     help="the cheaper unrolled variant: no gradient through the unrolled D steps")
    gan.add_argument("--instance-noise", type=float, default=0.0, metavar="SIGMA0",
                     help="Gaussian noise on D's inputs, σ annealed from SIGMA0 to 0")
    gan.add_argument("--steps", type=int, default=20000)
    gan.add_argument("--batch", type=int, default=0, help="default: 100 (mlp), 64 (dcgan)")
    gan.add_argument("--lr", type=float, default=0.0, help="default: the method's own (see tinygan/gan/train.py)")
    gan.add_argument("--nz", type=int, default=0, help="latent size; default 2 (mlp), 64 (dcgan)")
    gan.add_argument("--width", type=int, default=0, help="hidden units (mlp, default 64) or ngf = ndf (dcgan, default 32)")
    gan.add_argument("--image-size", type=int, default=32, help="32 or 64 (dcgan)")
    gan.add_argument("--seed", type=int, default=0)
    gan.add_argument("--eval-every", type=int, default=1000)
    gan.add_argument("--checkpoint-every", type=int, default=1000)
    gan.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint.npz")
    gan.add_argument("--extend", action="store_true",
                     help="with a --steps other than the run's: continue it to the new horizon (schedules restart)")
    gan.add_argument("--overwrite", action="store_true", help="delete the run in OUT first (its run files only)")
    gan.add_argument("--quiet", action="store_true", help="no progress bar")
    gan.add_argument("--out", required=True)
    gan.set_defaults(run=cmd_train_gan)
    vae = train.add_parser("vae", help="train a VAE / beta-VAE / DIP-VAE on procedural dSprites")
    vae.add_argument("--model", default="vae", help="vae | beta-vae | dip-vae-1 | dip-vae-2")
    vae.add_argument("--data", default="dsprites", help="dsprites | noisy-dsprites")
    vae.add_argument("--size", type=int, default=32, help="image size (64 as the original dSprites)")
    vae.add_argument("--arch", default="conv", choices=("conv", "mlp"))
    vae.add_argument("--beta", type=float, default=1.0)
    vae.add_argument("--lambda-od", type=float, default=10.0, help="DIP-VAE off-diagonal weight")
    vae.add_argument("--steps", type=int, default=2000)
    vae.add_argument("--batch", type=int, default=64)
    vae.add_argument("--lr", type=float, default=1e-4, help="Adam's learning rate (Locatello et al.: 1e-4)")
    vae.add_argument("--seed", type=int, default=0)
    vae.add_argument("--eval-every", type=int, default=500)
    vae.add_argument("--checkpoint-every", type=int, default=1000)
    vae.add_argument("--resume", action="store_true")
    vae.add_argument("--extend", action="store_true",
                     help="with a --steps other than the run's: continue it to the new horizon (schedules restart)")
    vae.add_argument("--overwrite", action="store_true", help="delete the run in OUT first (its run files only)")
    vae.add_argument("--quiet", action="store_true")
    vae.add_argument("--out", required=True)
    vae.set_defaults(run=cmd_train_vae)
    evaluate = sub.add_parser("evaluate", help="disentanglement metrics of a trained VAE run")
    evaluate.add_argument("run_dir")
    evaluate.add_argument("--metrics", default="all", help="all, or a comma list of " + ",".join(
        ["beta_vae", "factor_vae", "mig", "dci", "modularity_explicitness", "sap"]))
    evaluate.add_argument("--quick", action="store_true", help="small sample sizes instead of disentanglement_lib's")
    evaluate.add_argument("--seed", type=int, default=0)
    evaluate.set_defaults(run=cmd_evaluate)
    sample = sub.add_parser("sample", help="draw samples from a trained generator")
    sample.add_argument("run_dir")
    sample.add_argument("--n", type=int, default=2500)
    sample.add_argument("--out", required=True, help="a .npy file (images also get a .png grid beside it)")
    sample.add_argument("--seed", type=int, default=0)
    sample.add_argument("--overwrite", action="store_true", help="replace --out (and its .png) if they exist")
    sample.set_defaults(run=cmd_sample)
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
