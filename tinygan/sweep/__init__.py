"""Studies of many models: `tinygan sweep SPEC --out DIR` trains every config of a study spec as an
ordinary run folder under DIR (on Dask distributed, or in this process), `tinygan report DIR`
aggregates them into results.csv / results.json and the study's tables.

    spec.py    the TOML study spec and its expansion into checked, named configs
    runner.py  running them: skip finished, resume interrupted, record failures; Dask or in-process
    cluster.py the Dask side: a local cluster of one-thread workers, what every worker reports
    report.py  the aggregation and the tables (mode collapse vs PacGAN, metric agreement vs the lecture)
    studies/   the shipped specs (tinygan sweep mode-collapse ...)

docs/sweeps.md has the spec format, the cluster setup and what workers need. This file only
registers the two commands with the `tinygan` parser (tinygan/cli.py calls add_commands).
"""


def add_commands(sub):
    """Add `sweep` and `report` to the `tinygan` command's subparsers."""
    from tinygan import tensorboard
    sweep = sub.add_parser("sweep", help="train every config of a study spec as a run folder under --out "
                                         "(Dask distributed, or in this process with --workers 1)")
    sweep.add_argument("spec", help="a TOML study spec (docs/sweeps.md), or a shipped study: mode-collapse, "
                                    "metric-agreement, ...")
    sweep.add_argument("--out", required=True, help="the sweep's folder: one run folder per config (with --scheduler: "
                                                    "on a filesystem every worker mounts at the same path)")
    sweep.add_argument("--workers", type=int, default=1,
                       help="N > 1: a local Dask cluster of N processes, one BLAS/Numba thread each (needs "
                            "tinygan[sweep]); 1: one run after another in this process")
    sweep.add_argument("--scheduler", metavar="ADDRESS", default=None,
                       help="run on an existing Dask cluster (tcp://host:8786, started with `dask scheduler` and "
                            "`dask worker`)")
    tensorboard.add_flag(sweep)
    sweep.add_argument("--dry-run", action="store_true", help="expand and check the spec, list its runs, train nothing")
    sweep.add_argument("--quiet", action="store_true", help="no progress bar (the one line per run stays)")
    sweep.set_defaults(run=cmd_sweep)
    report = sub.add_parser("report", help="aggregate a sweep's metrics.json files into results.csv / results.json "
                                           "and the study's tables")
    report.add_argument("dir", help="a sweep's --out (or any folder of run folders)")
    report.add_argument("--no-pictures", action="store_true", help="tables only (no sample panels, no Spearman plot)")
    report.set_defaults(run=cmd_report)


def cmd_sweep(args):
    import time
    from tinygan.sweep import runner, spec
    started = time.perf_counter()
    study = spec.load(args.spec)
    if args.dry_run:
        runs = study.runs()
        for run in runner.start_order(runs):      # the order a sweep starts them in
            print(run.name)
        print(f"sweep: {study.source}: {len(runs)} runs of train {study.kind}, every config checked "
              f"({time.perf_counter() - started:.2f} s with the imports); nothing trained")
        return 0
    result = runner.run_sweep(study, args.out, workers=args.workers, scheduler=args.scheduler,
                              tensorboard=args.tensorboard, progress=not args.quiet)
    done = ", ".join(f"{result[k]} {k}" for k in ("trained", "resumed", "evaluated") if result[k])
    failed = f"{result['failed']} failed (DIR/{runner.FAILURES}), " if result["failed"] else ""
    print(f"sweep: {result['runs']} runs: {done + ', ' if done else ''}{result['skipped']} already finished, {failed}"
          f"in {result['seconds']:.1f} s -> {args.out}; tables: tinygan report {args.out}")
    return 1 if result["failed"] else 0


def cmd_report(args):
    from tinygan.sweep import report
    result = report.report(args.dir, pictures=not args.no_pictures)
    counts = result["counts"]
    print(result["text"])
    print(f"\nreport: {len(result['rows'])} runs ({counts['done']} finished, {counts['failed']} failed, "
          f"{counts['missing']} not finished) -> {', '.join(result['written'])} in {args.dir}")
    return 0
