"""Keep freed memory in the process, so that a training step does not page-fault its arrays in.

A training step allocates and frees the same few hundred arrays every step. glibc's malloc hands
out large blocks as fresh pages (above its mmap threshold, which it raises on the fly from 128 KiB)
and gives freed memory at the top of its heap back to the kernel (above its trim threshold), so the
next step's arrays land on new pages, each zero-filled by the kernel on first touch. Measured on
the project's 2-core EPYC VM, one process after another: the 32×32 DCGAN step took 2 000-6 000 page
faults and 66-68 ms; with both thresholds fixed high, ~0 faults and 58-61 ms (the 64×64 VAE step
91-96 -> 72-76 ms). The same cost is why PyTorch's CPU tuning guide suggests preloading jemalloc or
tcmalloc; tinygan needs no preload, only two mallopt(3) settings made at `import tinygan`:

- M_MMAP_THRESHOLD = 32 MiB (glibc's maximum on 64-bit): blocks below it come from the heap, so they are reused;
- M_TRIM_THRESHOLD = 1 GiB: up to that much freed memory stays in the heap for the next step.

The price is that the process keeps its peak heap instead of returning it (the trim threshold
bounds only the free memory at the top of the main heap). A user's own MALLOC_MMAP_THRESHOLD_ or
MALLOC_TRIM_THRESHOLD_ (glibc's variables), or the same thresholds in GLIBC_TUNABLES, win: then
nothing is changed. Other C libraries are left alone (an allocator preloaded with LD_PRELOAD is
not detected: mallopt then configures glibc's, which that process does not use).
"""
import ctypes
import os
import platform

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3        # from glibc's <malloc.h>
MMAP_THRESHOLD, TRIM_THRESHOLD = 32 * 2 ** 20, 2 ** 30
SETTINGS = {M_MMAP_THRESHOLD: MMAP_THRESHOLD, M_TRIM_THRESHOLD: TRIM_THRESHOLD}   # mmap first: see below
# the same settings as glibc's environment variables: what a user sets to override ours, and what the
# bench gives a second PyTorch worker, so that the allocator's share of the ratio is visible
ENVIRONMENT = {"MALLOC_MMAP_THRESHOLD_": str(MMAP_THRESHOLD), "MALLOC_TRIM_THRESHOLD_": str(TRIM_THRESHOLD)}


def keep_freed_memory():
    """Apply SETTINGS through glibc's mallopt; returns (applied, a short phrase saying what was done)."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False, "malloc left as it is (not glibc)"
    tunables = [t for t in ("glibc.malloc.mmap_threshold", "glibc.malloc.trim_threshold")
                if t in os.environ.get("GLIBC_TUNABLES", "")]
    chosen = [k for k in ENVIRONMENT if k in os.environ] + tunables
    if chosen:
        return False, f"malloc left as it is ({', '.join(chosen)} set by the user)"
    mallopt = ctypes.CDLL(None).mallopt
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    # in order, stopping at a refusal: a fixed trim threshold without the mmap one turns off glibc's
    # raising of the mmap threshold, and every large array would then be mmap'ed afresh (the mmap
    # call is the one that can be refused: 32 MiB is the cap on 64-bit glibc)
    if not all(mallopt(param, value) == 1 for param, value in SETTINGS.items()):
        return False, "malloc left as it is (mallopt refused)"
    return True, "glibc malloc keeps freed memory (mallopt: mmap threshold 32 MiB, trim threshold 1 GiB)"


applied, status = keep_freed_memory()
