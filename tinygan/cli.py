"""The `tinygan` command: version, environment info and the kernel registry."""
import argparse
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
    print(f"backend: {backend.get_backend()}  (switch with tinygan.set_backend or TINYGAN_BACKEND)")
    for name, state in backend.usable_gpu_stack().items():
        print(f"gpu: {name}: {state}")
    print("\nkernel registry (tinygan.kernels.use(op, impl) or TINYGAN_KERNELS=op:impl,...):")
    print(kernels.table(backend.get_backend()))
    return 0


def cmd_bench(args):
    from tinygan import benchmark
    return benchmark.main(args, sys.argv[2:] if args.argv is None else args.argv)


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
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = None if argv is None else list(argv)[1:]
    if not getattr(args, "run", None):
        parser.print_help()
        return 0
    try:
        return args.run(args)
    except Exception as exc:  # one clear line for user-facing errors
        from tinygan import errors
        if isinstance(exc, (errors.ShapeError, errors.DTypeError, errors.BackendError, errors.KernelError,
                            errors.CheckpointError, FileNotFoundError, ValueError)):
            print(f"tinygan: error: {exc}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
