"""`tinygan bench [--quick] [--device cpu|gpu] [--out DIR]`: the kernel table (every
implementation, against the GEMM peak or the copy bandwidth), the fastest implementation per op,
every conv layer of the benchmarked networks, and end-to-end training steps (workers.py: tinygan
in both import orders and PyTorch on the same device, each in a fresh process), written to
bench.json/csv/png.

Timing is measured, never asserted: medians after warm-up, peaks measured in the same run;
memory-bound kernels cycle through 256 MB of distinct inputs (machine.rotating_inputs), so they
read from memory as the copy peak does.
OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE force NumPy's BLAS onto an older kernel on some
machines; the bench re-runs itself with both unset (in its own process only) and says so.
"""
import itertools
import os
import subprocess
import sys

import numpy as np

from tinygan import _malloc
from tinygan.benchmark import machine, report, suites, workers

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


def _layer_rows(workloads, peaks, xp, sync, quick):
    """Every conv layer of the workloads' networks: its three kernels (the registry's choice for
    the backend) timed and set against the GEMM peak. A transposed conv's forward is the
    backward-data kernel of the conv it transposes, so each layer runs the same three kernels."""
    from tinygan.kernels import registry
    from tinygan.kernels.conv_reference import out_hw
    rng = np.random.default_rng(0)
    rows = []
    for workload in workloads:
        for label, x_shape, w_shape, stride, padding, transposed, y_shape in suites.conv_layers(workload):
            conv_x, conv_w = (y_shape if transposed else x_shape), w_shape   # y = backward_data(x, w): a conv from y to x
            x = xp.asarray(rng.standard_normal(conv_x), dtype=np.float32)
            w = xp.asarray(rng.standard_normal(conv_w), dtype=np.float32)
            ho, wo = out_hw(conv_x[2:], conv_w[2:], stride, padding)
            gy = xp.asarray(rng.standard_normal((conv_x[0], conv_w[0], ho, wo)), dtype=np.float32)
            flops = 2 * conv_x[0] * conv_w[0] * ho * wo * conv_w[1] * conv_w[2] * conv_w[3]
            calls = {"forward": ("conv2d_forward", (x, w, stride, padding)),
                     "backward_data": ("conv2d_backward_data", (gy, w, stride, padding, conv_x[2:])),
                     "backward_weight": ("conv2d_backward_weight", (x, gy, stride, padding, conv_w[2:]))}
            row = {"layer": label + (" (transposed)" if transposed else ""), "x": list(x_shape), "w": list(w_shape),
                   "gflop": flops / 1e9}
            for part, (op, args) in calls.items():
                fn = registry.kernel(op, args[0])
                seconds = machine.timer(lambda: fn(*args), sync, warmup=1, repeats=3 if quick else 7)
                row[f"{part}_ms"] = seconds * 1e3
                row[f"{part}_pct"] = 100 * flops / seconds / 1e9 / peaks["gemm_gflops"]
            rows.append(row)
    return rows


def _step_rows(device, quick):
    """The end-to-end table: per workload, tinygan (per import order, in fresh processes) and
    PyTorch on the same device, interleaved (workers.py)."""
    backend = "cupy" if device == "gpu" else "numpy"
    names = ["dcgan32", "mlp2d"] if quick else (["dcgan32", "dcgan64"] if device == "gpu" else list(suites.WORKLOADS))
    rows = []
    for name in names:
        label = suites.WORKLOADS[name][0]
        contenders = {"tinygan-first": workers.start_tinygan_worker("tinygan-first", device, name)}
        if device == "cpu":
            contenders["numpy-first"] = workers.start_tinygan_worker("numpy-first", device, name)
        if name == "dcgan32" and not quick and device == "cpu":
            contenders["im2col"] = workers.start_tinygan_worker("tinygan-first", device, name,
                                                                "conv2d:im2col,batch_norm:reference,losses:reference,"
                                                                "activations:reference,matmul:reference")
        if device == "gpu":   # the same step on the CPU backend, for the GPU speed-up
            contenders["numpy backend"] = workers.start_tinygan_worker("tinygan-first", "cpu", name)
        contenders["torch"] = workers.start_torch_worker(device, name)
        if device == "cpu" and not quick and _malloc.applied:   # PyTorch with tinygan's allocator settings
            contenders["torch same malloc"] = workers.start_torch_worker(device, name, _malloc.ENVIRONMENT)
        torch_info = contenders["torch"][1]
        heavy = name in ("dcgan64", "vae64")
        result = workers.interleaved(contenders, rounds=2 if quick else 5, per_round=4 if quick else (6 if heavy else 10),
                                     warmup=2 if quick else 3)
        baselines = {who: result.pop(who, None) for who in ("torch", "torch same malloc")}
        theirs, same_malloc, ours = baselines["torch"], baselines["torch same malloc"], result["tinygan-first"]
        for who, spread in result.items():
            if spread is None:
                continue
            what = {"tinygan-first": "import tinygan first", "numpy-first": "import numpy first",
                    "im2col": "NumPy im2col + reference kernels", "numpy backend": "NumPy backend, CPU"}[who]
            row = {"name": f"tinygan {'numpy' if who == 'numpy backend' else backend} {label} [{what}]", "ms": spread[0],
                   "min_ms": spread[1], "max_ms": spread[2], "workload": name, "contender": who}
            if theirs and who != "numpy backend":
                row["vs_torch"] = spread[0] / theirs[0]
            if same_malloc:
                row["vs_torch_same_malloc"] = spread[0] / same_malloc[0]
            if who == "numpy-first":
                row["vs_tinygan_first"] = spread[0] / ours[0]
            rows.append(row)
        if device == "gpu" and result.get("numpy backend"):
            rows[-len(result)]["speedup_vs_numpy"] = result["numpy backend"][0] / ours[0]
        for who, spread in baselines.items():
            if spread:       # a spread means the worker ran, so torch_info is there
                what = (f"clean process, {torch_info['threads']} threads" if who == "torch"
                        else "+ tinygan's malloc settings")
                rows.append({"name": f"PyTorch {torch_info['torch']} {device} {label} ({what})", "ms": spread[0],
                             "min_ms": spread[1], "max_ms": spread[2], "workload": name, "contender": who,
                             "worker": contenders[who][1]})
    return rows


def run(quick=False, device="cpu", out="bench-out", progress=True):
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
    bar = tqdm(total=len(jobs) + 2, desc="bench", disable=not progress, leave=False)
    kernels = []
    for (op, shape, args, flops, nbytes), impl in jobs:
        bar.set_postfix_str(f"{op} {impl}")
        fn = registry.get(op, impl).load()
        reps = 1 if impl == "reference" and op.startswith("conv") else (3 if quick else 7)
        bound = "compute" if op.startswith("conv") or op == "matmul" else "memory"
        inputs = machine.rotating_inputs(args, xp) if bound == "memory" else itertools.repeat(args)
        seconds = machine.timer(lambda: fn(*next(inputs)), sync, warmup=1 if reps == 1 else 2, repeats=reps)
        row = {"op": op, "shape": shape, "impl": impl, "ms": seconds * 1e3, "flops": flops, "bytes": nbytes,
               "gflops": flops / seconds / 1e9, "gbs": nbytes / seconds / 1e9, "bound": bound}
        row["pct_peak"] = 100 * (row["gflops"] / peaks["gemm_gflops"] if bound == "compute" else row["gbs"] / peaks["copy_gbs"])
        kernels.append(row)
        bar.update()
    bar.set_postfix_str("conv layers")
    layers = _layer_rows(["dcgan32"] if quick else ["dcgan32", "dcgan64", "vae64"], peaks, xp, sync, quick)
    bar.update()
    bar.set_postfix_str("training steps")
    step_rows = _step_rows(device, quick)
    bar.update()
    bar.close()

    result = {"machine": info, "peaks": peaks, "quick": quick, "kernels": kernels, "layers": layers, "steps": step_rows}
    print(f"machine: {info['cpu']}, {info['cores']} cores, numpy {info['numpy']}, numba {info['numba']}"
          + (f", GPU {info['gpu']}" if device == "gpu" else ""))
    print(f"BLAS: {info['blas']}; overrides unset for timing: {info['blas_overrides_unset']}")
    print(f"threads: {info['threading']}")
    print(f"malloc: {info['malloc']}")
    print(report.kernel_table(kernels, peaks))
    print()
    print(report.fastest_table(kernels, backend))
    print()
    print(report.layer_table(layers))
    print()
    print(report.step_table(step_rows))
    report.write(out, result)
    print(f"\nwrote {out}/bench.json, bench.csv, bench.png")
    tinygan.set_backend("numpy")
    return result


def main(args, argv):
    if args.soak:
        from tinygan.benchmark import soak
        soak.run(args.soak)
        return 0
    code = _rerun_without_blas_overrides(argv)
    if code is not None:
        return code
    run(quick=args.quick, device=args.device, out=args.out)
    return 0
