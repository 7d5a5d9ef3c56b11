"""Facts about the machine the bench runs on, and its measured peaks (same run, same process)."""
import itertools
import os
import platform
import time

import numba
import numpy as np


def timer(fn, sync=None, warmup=2, repeats=5):
    """Median wall time of fn() in seconds, after `warmup` untimed calls (JIT compile, caches)."""
    for _ in range(warmup):
        fn()
    if sync:
        sync()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        if sync:
            sync()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def rotating_inputs(args, xp, total_bytes=256 * 2 ** 20):
    """An endless cycle of distinct copies of a kernel's arguments, as many as make `total_bytes`
    of arrays in all (at least one), so that a memory-bound kernel timed on them reads from memory,
    as it does inside a training step and as copy_bandwidth's 256 MB arrays do, not from a cache
    that one repeated input stays in. Each copy of an array is rolled by its own offset: the same
    values at other places, so that a data-dependent branch cannot learn one input (maxout's winner)."""
    def is_array(a):
        return getattr(a, "ndim", 0) > 0
    per_set = sum(a.nbytes for a in args if is_array(a)) or 1
    return itertools.cycle([tuple(xp.roll(a.reshape(-1), 7919 * i).reshape(a.shape) if is_array(a) else a for a in args)
                            for i in range(max(1, -(-total_bytes // per_set)))])


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def blas_info():
    """Which BLAS NumPy uses and which of its kernels (architecture) runs, via threadpoolctl."""
    try:
        from threadpoolctl import threadpool_info
        return [{k: str(v) for k, v in i.items() if k in ("internal_api", "architecture", "num_threads", "version")}
                for i in threadpool_info() if i.get("user_api") == "blas"]
    except Exception as exc:  # threadpoolctl missing or failing: say so instead of guessing
        return [{"error": f"threadpoolctl unavailable ({type(exc).__name__})"}]


def gemm_peak(xp, sync, quick):
    """float32 GEMM FLOP/s of an n×n×n product (the best of the medians of two sizes)."""
    best = 0.0
    for n in ((1024,) if quick else (1024, 2048)):
        a = xp.asarray(np.random.default_rng(0).standard_normal((n, n)), dtype=np.float32)
        best = max(best, 2 * n ** 3 / timer(lambda: a @ a, sync, 1, 3 if quick else 5))
    return best


@numba.njit(parallel=True, cache=True)
def parallel_copy(src, dst, chunks):
    """dst[:] = src[:] in `chunks` pieces spread over Numba's threads."""
    step = (src.size + chunks - 1) // chunks
    for c in numba.prange(chunks):
        dst[c * step:min(src.size, (c + 1) * step)] = src[c * step:min(src.size, (c + 1) * step)]


def copy_bandwidth(xp, sync, quick):
    """Bytes/s of a large array copy, counting the read and the write. On the CPU the copy runs on
    Numba's threads, as the memory-bound kernels do: NumPy's own copy uses one thread (27 against
    34 GB/s on the project's 2-core VM), which let two-thread kernels show 150 % of it."""
    n = (64 if quick else 256) * 2 ** 20 // 4
    src, dst = xp.ones(n, dtype=np.float32), xp.empty(n, dtype=np.float32)
    copy = (lambda: parallel_copy(src, dst, 64)) if xp is np else (lambda: xp.copyto(dst, src))
    return 2 * src.nbytes / timer(copy, sync, 1, 3 if quick else 5)


def describe(device):
    from tinygan import _malloc, _runtime
    info = {"cpu": cpu_name(), "cores": os.cpu_count(), "python": platform.python_version(),
            "numpy": np.__version__, "threading": _runtime.status(), "malloc": _malloc.status, "blas": blas_info(),
            "device": device}
    try:
        import numba
        info["numba"] = numba.__version__
    except ImportError:
        info["numba"] = "not installed"
    if device == "gpu":
        import cupy
        props = cupy.cuda.runtime.getDeviceProperties(cupy.cuda.Device().id)
        info["gpu"] = props["name"].decode() if isinstance(props["name"], bytes) else str(props["name"])
        info["cupy"] = cupy.__version__
    return info
