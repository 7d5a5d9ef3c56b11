"""`import tinygan` keeps freed memory in the heap (tinygan/_malloc.py), so arrays freed in one
training step are reused by the next instead of being page-faulted in again."""
import os
import platform
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
                                reason="the mallopt settings are glibc's")

# Eight 1 MiB arrays made and freed six times, the minor page faults of each round printed. glibc's
# defaults give 8 MiB freed at the top of the heap back to the kernel, so every round faults ~2 000
# pages in again.
ROUNDS = """
import resource, sys
import tinygan, numpy as np
faults = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_minflt
counts = []
for _ in range(6):
    before = faults()
    arrays = [np.ones(2 ** 18, np.float32) for _ in range(8)]
    del arrays
    counts.append(faults() - before)
print(tinygan._malloc.status)
print(*counts)
"""


def run_rounds(**env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_") and k != "GLIBC_TUNABLES"}
    done = subprocess.run([sys.executable, "-c", ROUNDS], env={**clean, **env}, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    out = done.stdout.splitlines()
    return out[0], [int(c) for c in out[1].split()]


def test_freed_arrays_are_reused_without_page_faults():
    status, counts = run_rounds()
    assert "keeps freed memory" in status
    assert counts[0] > 1000, counts            # the first round does touch 8 MiB of new pages
    assert max(counts[1:]) < counts[0] / 20, counts


@pytest.mark.parametrize("variable", ["MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_"])
def test_a_users_malloc_variable_wins(variable):
    """Left alone, and the counter above does see the faults: either variable fixes glibc's
    thresholds at 128 KiB here, so the 1 MiB arrays come back as fresh pages every round."""
    status, counts = run_rounds(**{variable: "131072"})
    assert status == f"malloc left as it is ({variable} set by the user)"
    assert min(counts[1:]) > 1000, counts


def test_glibc_tunables_win_too():
    status, _ = run_rounds(GLIBC_TUNABLES="glibc.malloc.trim_threshold=131072")
    assert status == "malloc left as it is (glibc.malloc.trim_threshold set by the user)"
