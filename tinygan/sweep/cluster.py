"""The Dask side of a sweep (runner.py runs the runs): the embedded LocalCluster of single-threaded
workers, and what every worker, local or started with `dask worker`, reports before the first run.

Worker processes get one BLAS / OpenMP / Numba thread each, set before they import NumPy (THREAD_ENV
through Dask's `distributed.nanny.pre-spawn-environ`), so N runs share N cores without
oversubscription; Dask defaults that cost a training loop are left out (DROPPED_ENV, WORKER_CONFIG).
"""
import contextlib
import os
import socket
import uuid

from tinygan import files

# one BLAS / OpenMP / Numba thread per worker process: set before the worker imports NumPy
THREAD_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "1"}
# Dask's nanny also gives its workers MALLOC_TRIM_THRESHOLD_=65536: glibc then hands freed memory back
# to the kernel after nearly every op and takes it again with page faults (a PacGAN4 run: 3.2 M faults
# and 1.5x the wall time of the same run without it), and a user's MALLOC_* variable would also stop
# `import tinygan` from keeping freed memory (tinygan/_malloc.py). The local cluster's workers go without.
DROPPED_ENV = ("MALLOC_TRIM_THRESHOLD_",)
# Dask's workers sample their running task's Python stack every 10 ms for the dashboard's profile
# (distributed.worker.profile), holding the GIL while they walk it: a sweep's runs are Python-heavy
# training loops, and a 2-D ring run took ~7 % more CPU time with it on (noisy; docs/sweeps.md). No one looks at
# that profile in a sweep, so the local cluster's workers run without it.
WORKER_CONFIG = {"distributed.worker.profile.enabled": False}


def require_dask():
    try:
        import dask
        import distributed
    except ImportError:
        raise ValueError("sweep: --workers N > 1 and --scheduler run on Dask, which is not installed: "
                         "pip install 'tinygan[sweep]' (or run in this process with --workers 1)") from None
    return dask, distributed


@contextlib.contextmanager
def local_cluster(workers):
    """A LocalCluster of `workers` processes, one thread each, with THREAD_ENV in every worker's
    environment before it starts (Dask sets `pre-spawn-environ` in this process's environment
    while it spawns them: that is undone once they are up)."""
    import logging
    dask, distributed = require_dask()
    before = dict(os.environ)
    dask_environ = dask.config.get("distributed.nanny.pre-spawn-environ", {})
    environ = {**{k: v for k, v in dask_environ.items() if k not in DROPPED_ENV}, **THREAD_ENV}
    try:
        with dask.config.set({"distributed.nanny.pre-spawn-environ": environ, **WORKER_CONFIG}):
            cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                               dashboard_address=None, silence_logs=logging.ERROR)
    finally:
        for key in set(os.environ) - set(before):
            del os.environ[key]
        os.environ.update(before)
    with cluster:
        yield cluster


def worker_info(out, probe, token):
    """Run on every worker before the first run: what it is and whether it sees DIR."""
    import dask
    import numba
    import tinygan
    from tinygan import backend, tensorboard
    try:
        from threadpoolctl import threadpool_info
        blas = max((p["num_threads"] for p in threadpool_info() if p.get("user_api") == "blas"), default=None)
    except ImportError:
        blas = None
    try:
        with open(probe) as f:
            sees = f.read() == token
    except OSError:
        sees = False
    return {"host": socket.gethostname(), "tinygan": tinygan.__version__, "backend": backend.get_backend(),
            "blas_threads": blas, "numba_threads": numba.get_num_threads(), "sees_out": sees,
            "tensorboardX": tensorboard.available(), "env": {k: os.environ.get(k) for k in THREAD_ENV},
            "dropped_env": {k: os.environ[k] for k in DROPPED_ENV if k in os.environ},
            "config": {k: dask.config.get(k) for k in WORKER_CONFIG}, "malloc": tinygan._malloc.status}


def check_workers(client, out):
    """Every worker's worker_info; one line if a worker cannot see DIR (no shared filesystem)."""
    token = uuid.uuid4().hex
    probe = os.path.join(out, f".sweep-probe-{token}")
    files.write_text(probe, token)
    try:
        info = client.run(worker_info, out, probe, token)
    finally:
        with contextlib.suppress(OSError):
            os.remove(probe)
    blind = [address for address, i in info.items() if not i["sees_out"]]
    if blind:
        raise ValueError(f"sweep: worker(s) {', '.join(blind)} cannot see {out}; --out must be on a filesystem "
                         "every worker mounts at the same path (docs/sweeps.md)")
    return info


def describe_workers(info, client, where):
    threads = client.nthreads()
    hosts = sorted({i["host"] for i in info.values()})
    blas = sorted({str(i["blas_threads"]) for i in info.values()})
    numba_threads = sorted({str(i["numba_threads"]) for i in info.values()})
    per = sorted({str(n) for n in threads.values()})
    backends = sorted({i["backend"] for i in info.values()})
    line = (f"sweep: {len(info)} worker(s) on {len(hosts)} host(s) ({where}): {'/'.join(per)} thread(s), "
            f"{'/'.join(blas)} BLAS and {'/'.join(numba_threads)} Numba thread(s) each, backend {'/'.join(backends)}")
    crowded = [a for a, i in info.items()
               if threads.get(a, 1) > 1 or (i["blas_threads"] or 1) > 1 or (i["numba_threads"] or 1) > 1]
    if crowded:
        line += (f"\nsweep: warning: {len(crowded)} worker(s) run several threads (tasks, BLAS or Numba) per "
                 "process; start them as `NUMBA_NUM_THREADS=1 dask worker ADDRESS --nthreads 1` (docs/sweeps.md)")
    return line
