"""The end-to-end comparison: each contender's training step in its own fresh process, timed in
alternating rounds of back-to-back steps.

PyTorch runs as a plain PyTorch user runs it (torch_worker.py: a script that never imports
tinygan, with the environment the user had before tinygan touched it). tinygan runs the same
way in tinygan_worker.py, once per import order, so `import numpy; import tinygan` is measured
as users write it. Rounds alternate between the workers so that slow drift of a shared machine
cancels out of the ratios; the first step of every round is dropped as re-warm-up.
"""
import json
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(__file__)


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


def tinygan_environment(kernels=None):
    """A fresh tinygan process's environment: this one's without what tinygan set (so the worker's
    own import decides, as in a user's script) and with the kernel choice, if any."""
    from tinygan import _runtime
    env = {k: v for k, v in os.environ.items() if k not in _runtime.set_by_tinygan and k != "TINYGAN_KERNELS"}
    if kernels:
        env["TINYGAN_KERNELS"] = kernels
    return env


def start(script, args, env):
    """Start a worker script; returns (process, its info line parsed, or None when it cannot run)."""
    worker = subprocess.Popen([sys.executable, os.path.join(HERE, script), *args], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, env=env, cwd=HERE)
    return worker, json.loads(worker.stdout.readline() or "null")


def start_torch_worker(device, workload, extra_env=None):
    """extra_env: variables on top of the plain user's environment (the bench's second PyTorch
    worker gets glibc's variables for tinygan's allocator settings, tinygan/_malloc.py)."""
    return start("torch_worker.py", [device, workload], {**worker_environment(), **(extra_env or {})})


def start_tinygan_worker(order, device, workload, kernels=None):
    return start("tinygan_worker.py", [order, device, workload], tinygan_environment(kernels))


def _steps(worker, n):
    worker.stdin.write(f"{n}\n")
    worker.stdin.flush()
    return json.loads(worker.stdout.readline())


def spread(times):
    """(median, min, max) in ms."""
    return tuple(1e3 * float(f(times)) for f in (np.median, np.min, np.max)) if times else None


def interleaved(workers, rounds, per_round=10, warmup=3):
    """workers: {label: (process, info)}. Every worker with info runs `warmup` untimed steps, then
    `rounds` rounds of `per_round` steps each in turn. Returns {label: (median, min, max) ms or None}.
    The workers are closed afterwards."""
    try:
        live = {label: w for label, (w, info) in workers.items() if info is not None}
        for w in live.values():
            _steps(w, warmup)
        times = {label: [] for label in live}
        for _ in range(rounds):
            for label, w in live.items():
                times[label] += _steps(w, per_round)[1:]
        return {label: spread(times.get(label)) for label in workers}
    finally:
        for w, _ in workers.values():
            w.stdin.close()
            w.wait(timeout=60)
