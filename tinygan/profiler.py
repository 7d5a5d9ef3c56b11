"""`with tinygan.profile() as prof: ...` then `print(prof.table())`.

Per op (Function class): calls, time in its forward, time in its backward formula, and the
kernels it ran. An op's backward is timed as a whole, including the ops its formula uses;
ops called inside a backward are not listed again, so no time is counted twice.
(Early tinygrad's DEBUG timing, made into an object.)
"""
import contextlib
import time
from collections import defaultdict

_active = None


class Profile:
    """What profile() yields: `stats` per op name (calls, forward_s, backward_s, kernels) and the
    block's wall time `wall_s`."""

    def __init__(self):
        self.stats = defaultdict(lambda: {"calls": 0, "forward_s": 0.0, "backward_s": 0.0, "kernels": set()})
        self._stack = []   # ops being timed, innermost last: kernels are credited to it
        self.wall_s = 0.0

    def rows(self):
        """One dict per op (op, calls, forward_s, backward_s, total_s, kernels), slowest first."""
        out = [{"op": name, **{k: v for k, v in s.items() if k != "kernels"},
                "total_s": s["forward_s"] + s["backward_s"], "kernels": ",".join(sorted(s["kernels"]))}
               for name, s in self.stats.items()]
        return sorted(out, key=lambda r: -r["total_s"])

    def table(self):
        """The rows as a fixed-width text table in milliseconds, with each op's share of the timed total."""
        rows = self.rows()
        timed = sum(r["total_s"] for r in rows) or 1.0
        lines = [f"{'op':24} {'calls':>7} {'forward ms':>11} {'backward ms':>12} {'total ms':>10} {'%':>6}  kernels",
                 "-" * 96]
        for r in rows:
            lines.append(f"{r['op']:24} {r['calls']:7d} {r['forward_s'] * 1e3:11.2f} {r['backward_s'] * 1e3:12.2f} "
                         f"{r['total_s'] * 1e3:10.2f} {100 * r['total_s'] / timed:6.1f}  {r['kernels']}")
        lines.append(f"ops total {timed * 1e3:.1f} ms of {self.wall_s * 1e3:.1f} ms wall time in the profiled block")
        return "\n".join(lines)


@contextlib.contextmanager
def profile():
    """`with tinygan.profile() as prof:` times every op run in the block (see Profile); profiles
    nest, the innermost one records."""
    global _active
    previous, _active = _active, Profile()
    prof, start = _active, time.perf_counter()
    try:
        yield prof
    finally:
        prof.wall_s = time.perf_counter() - start
        _active = previous


def timed_forward(fn, arrays):
    """Run fn.forward(*arrays), timing it when a profile is active and no op is being timed."""
    prof = _active
    if prof is None or prof._stack:
        return fn.forward(*arrays)
    prof._stack.append(fn.name)
    start = time.perf_counter()
    try:
        return fn.forward(*arrays)
    finally:
        entry = prof.stats[prof._stack.pop()]
        entry["calls"] += 1
        entry["forward_s"] += time.perf_counter() - start


def timed_backward(fn, grad):
    """Run fn.backward(grad), timing it when a profile is active and no op is being timed."""
    prof = _active
    if prof is None or prof._stack:
        return fn.backward(grad)
    prof._stack.append(fn.name)
    start = time.perf_counter()
    try:
        return fn.backward(grad)
    finally:
        prof.stats[prof._stack.pop()]["backward_s"] += time.perf_counter() - start


def note_kernel(op, impl):
    """Called by the kernel registry: credit `op:impl` to the op being timed."""
    if _active is not None and _active._stack:
        _active.stats[_active._stack[-1]]["kernels"].add(f"{op}:{impl}")
