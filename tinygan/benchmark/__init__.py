"""`tinygan bench [--quick] [--device cpu|gpu] [--out DIR]`: kernel table, end-to-end DCGAN
step per kernel set (and PyTorch on the same device, as a ratio), bench.json/csv/png.

Timing is measured, never asserted: medians after warm-up, peaks measured in the same run.
OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE force NumPy's BLAS onto an older kernel on some
machines; the bench re-runs itself with both unset (in its own process only) and says so.
"""
import os
import subprocess
import sys

from tinygan.benchmark import machine, report, suites

BLAS_OVERRIDES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def _rerun_without_blas_overrides(argv):
    found = {k: os.environ[k] for k in BLAS_OVERRIDES if k in os.environ}
    if not found or os.environ.get("TINYGAN_BENCH_CHILD"):
        return None
    from tinygan import _runtime
    env = {k: v for k, v in os.environ.items() if k not in BLAS_OVERRIDES and k not in _runtime.set_by_tinygan}
    env["TINYGAN_BENCH_CHILD"] = ";".join(f"{k}={v}" for k, v in found.items())
    print(f"bench: re-running with {', '.join(found)} unset (in this process only; tests and CI keep them)")
    return subprocess.call([sys.executable, "-m", "tinygan.cli", "bench", *argv], env=env)


def worker_environment():
    """The environment a plain PyTorch user has on this machine: this process's, without what
    tinygan set for itself (its threading defaults, TINYGAN_* variables) and with the BLAS
    overrides the bench unset for its own timing put back."""
    from tinygan import _runtime
    env = {k: v for k, v in os.environ.items() if k not in _runtime.set_by_tinygan and not k.startswith("TINYGAN_")}
    for item in filter(None, os.environ.get("TINYGAN_BENCH_CHILD", "").split(";")):
        key, _, value = item.partition("=")
        env[key] = value
    return env


def start_torch_worker(device, size):
    """The PyTorch baseline as a script in a clean process (see torch_worker.py): (process, info)."""
    import json
    worker = subprocess.Popen([sys.executable, os.path.join(os.path.dirname(__file__), "torch_worker.py"), device,
                               str(size)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                              env=worker_environment(), cwd=os.path.dirname(__file__))
    return worker, json.loads(worker.stdout.readline() or "null")


def _interleaved_with_torch(step, sync, device, size, rounds, per_round=10):
    """tinygan's step and PyTorch's (in its own clean process) timed as training loops run:
    `rounds` alternating rounds of `per_round` back-to-back steps each, the first step of every
    round dropped as re-warm-up, so slow drift of a shared machine cancels out of the ratio.
    Returns ((median, min, max) ms of tinygan, the same for PyTorch or None, the worker's info)."""
    import json
    import numpy as np
    worker, info = start_torch_worker(device, size)
    try:
        ours, theirs = [], []
        for _ in range(3):                    # warm-up: JIT kernels, caches, allocator
            step()
        if info:
            worker.stdin.write("3\n")
            worker.stdin.flush()
            worker.stdout.readline()
        for _ in range(rounds):
            ours += [machine.timer(step, sync, warmup=0, repeats=1) for _ in range(per_round)][1:]
            if info:
                worker.stdin.write(f"{per_round}\n")
                worker.stdin.flush()
                theirs += json.loads(worker.stdout.readline())[1:]
    finally:
        worker.stdin.close()
        worker.wait(timeout=60)

    def spread(times):
        return tuple(1e3 * float(f(times)) for f in (np.median, np.min, np.max)) if times else None
    return spread(ours), spread(theirs), info


def run(quick=False, device="cpu", out="bench-out", progress=True):
    import numpy as np
    import tinygan
    from tqdm import tqdm
    from tinygan.kernels import registry
    if device == "gpu":
        tinygan.set_backend("cupy")     # one clear BackendError line where there is no GPU
        import cupy
        xp, sync, backend = cupy, cupy.cuda.Device().synchronize, "cupy"
    else:
        xp, sync, backend = np, None, "numpy"
    info = machine.describe(device)
    info["blas_overrides_unset"] = os.environ.get("TINYGAN_BENCH_CHILD", "") or "none were set"
    peaks = {"gemm_gflops": machine.gemm_peak(xp, sync, quick) / 1e9, "copy_gbs": machine.copy_bandwidth(xp, sync, quick) / 1e9}

    jobs = [(case, impl) for case in suites.kernel_cases(xp, quick) for impl in suites.implementations(case[0], backend, quick)]
    steps = [(name, 32) for name in suites.KERNEL_SETS] + ([("default", 64)] if device == "gpu" and not quick else [])
    bar = tqdm(total=len(jobs) + len(steps) + 1, desc="bench", disable=not progress, leave=False)
    kernels = []
    for (op, shape, args, flops, nbytes), impl in jobs:
        bar.set_postfix_str(f"{op} {impl}")
        fn = registry.get(op, impl).load()
        reps = 1 if impl == "reference" and op.startswith("conv") else (3 if quick else 7)
        seconds = machine.timer(lambda: fn(*args), sync, warmup=1 if reps == 1 else 2, repeats=reps)
        bound = "compute" if op.startswith("conv") else "memory"
        row = {"op": op, "shape": shape, "impl": impl, "ms": seconds * 1e3, "flops": flops, "bytes": nbytes,
               "gflops": flops / seconds / 1e9, "gbs": nbytes / seconds / 1e9, "bound": bound}
        row["pct_peak"] = 100 * (row["gflops"] / peaks["gemm_gflops"] if bound == "compute" else row["gbs"] / peaks["copy_gbs"])
        kernels.append(row)
        bar.update()

    step_rows = []
    for name, size in steps:
        bar.set_postfix_str(f"DCGAN {size}x{size} {name}")
        with suites.kernel_set(suites.KERNEL_SETS[name]):
            step = suites.tinygan_dcgan_step(image_size=size)
            if name == "default":   # alternate with PyTorch so that machine drift cancels in the ratio
                ours, theirs, worker = _interleaved_with_torch(step, sync, device, size, rounds=3 if quick else 5)
            else:
                ours, theirs = (machine.timer(step, sync, warmup=2, repeats=3 if quick else 10) * 1e3,) * 3, None
        row = {"name": f"tinygan {backend} DCGAN {size}x{size} [{name}]", "ms": ours[0], "min_ms": ours[1],
               "max_ms": ours[2], "size": size}
        if theirs:
            row["vs_torch"] = ours[0] / theirs[0]
            step_rows += [row, {"name": f"PyTorch {worker['torch']} {device} DCGAN {size}x{size} (clean process, "
                                        f"{worker['threads']} threads)", "ms": theirs[0], "min_ms": theirs[1],
                                "max_ms": theirs[2], "size": size, "worker": worker}]
        else:
            step_rows.append(row)
        bar.update()
    if device == "gpu":   # the same step on the CPU backend, for the GPU speed-up
        tinygan.set_backend("numpy")
        ms = machine.timer(suites.tinygan_dcgan_step(image_size=32), None, warmup=2, repeats=3) * 1e3
        step_rows.append({"name": "tinygan numpy DCGAN 32x32 [default]", "ms": ms, "size": 32})
        tinygan.set_backend("cupy")
        for r in step_rows:
            if r["size"] == 32 and r["name"].startswith("tinygan cupy"):
                r["speedup_vs_numpy"] = ms / r["ms"]
    bar.update()
    bar.close()

    result = {"machine": info, "peaks": peaks, "quick": quick, "kernels": kernels, "steps": step_rows}
    print(f"machine: {info['cpu']}, {info['cores']} cores, numpy {info['numpy']}, numba {info['numba']}"
          + (f", GPU {info['gpu']}" if device == "gpu" else ""))
    print(f"BLAS: {info['blas']}; overrides unset for timing: {info['blas_overrides_unset']}")
    print(f"threads: {info['threading']}")
    print(report.kernel_table(kernels, peaks))
    print()
    print(report.step_table(step_rows))
    report.write(out, result)
    print(f"\nwrote {out}/bench.json, bench.csv, bench.png")
    tinygan.set_backend("numpy")
    return result


def main(args, argv):
    code = _rerun_without_blas_overrides(argv)
    if code is not None:
        return code
    run(quick=args.quick, device=args.device, out=args.out)
    return 0
