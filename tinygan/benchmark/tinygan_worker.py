"""tinygan's side of the end-to-end comparison, in a fresh process like PyTorch's (torch_worker.py).

Started as a script: `python .../tinygan_worker.py ORDER DEVICE WORKLOAD`, ORDER numpy-first
(`import numpy` before `import tinygan`, the usual order in a user's script) or tinygan-first,
WORKLOAD a name of suites.WORKLOADS. Same protocol as torch_worker.py: one JSON line of info, then
for each line "N" in, one JSON line of N back-to-back step times. A fresh process per order is
the only way to measure both: once NumPy is loaded, what it read at load time is fixed.
"""
import sys

order, device, workload = sys.argv[1:4]
if order == "numpy-first":
    import numpy  # noqa: F401
import tinygan  # noqa: E402
from tinygan import _runtime  # noqa: E402
from tinygan.benchmark import suites, torch_worker  # noqa: E402

if device == "gpu":
    tinygan.set_backend("cupy")
    import cupy
    sync = cupy.cuda.Device().synchronize
else:
    sync = None
step = suites.WORKLOADS[workload][1]()
torch_worker.serve(step, sync, {"order": order, "numpy_was_first": _runtime.numpy_was_first,
                                "threading": _runtime.status()})
