"""Run as a script by tests/test_import_order.py: `python import_order_probe.py numpy-first|tinygan-first [conv-impl]`.

Imports the two packages in the given order, notes the threads NumPy's OpenBLAS started, trains
a small conv net + Linear layer for a few steps and prints one JSON line: the kernels the
registry picked, the thread settings, and the CPU time NumPy's OpenBLAS threads used meanwhile.
"""
import json
import os
import sys


def _threads():
    return set(os.listdir("/proc/self/task")) - {str(os.getpid())}


def _cpu_seconds(tids):
    total = 0
    for tid in tids:
        try:
            with open(f"/proc/self/task/{tid}/schedstat") as f:
                total += int(f.read().split()[0])
        except FileNotFoundError:
            pass
    return total / 1e9


order = sys.argv[1]
if order == "numpy-first":
    import numpy as np
    blas_threads = _threads()
    import tinygan
else:
    import tinygan
    import numpy as np
    blas_threads = _threads()
import numba
import threadpoolctl

import tinygan.nn as nn
import tinygan.nn.functional as F
from tinygan.kernels import registry

if len(sys.argv) > 2:
    registry.use("conv2d", sys.argv[2])
    registry.use("matmul", sys.argv[2] if sys.argv[2] == "reference" else "reference")
tinygan.manual_seed(0)
net = nn.Sequential(nn.Conv2d(16, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.LeakyReLU(0.2), nn.Flatten(),
                    nn.Linear(64 * 8 * 8, 256))
opt = tinygan.optim.Adam(net.parameters())
x = tinygan.randn(64, 16, 16, 16)
busy_before = _cpu_seconds(blas_threads)
for _ in range(10):
    loss = (net(x) ** 2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
numpy_blas = [lib.num_threads for lib in threadpoolctl.ThreadpoolController().select(user_api="blas").lib_controllers
              if "numpy" in lib.filepath]
print(json.dumps({
    "kernels": {op: registry.selected(op, "numpy") for op in registry.ops()},
    "numba_threads": numba.get_num_threads(), "threading_layer": numba.threading_layer(),
    "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"), "gomp_spincount": os.environ.get("GOMP_SPINCOUNT"),
    "numpy_blas_threads": numpy_blas,
    "numpy_blas_pool_threads": len(blas_threads), "numpy_blas_pool_cpu_s": _cpu_seconds(blas_threads) - busy_before}))
