"""`tinygan bench --soak STEPS`: resident memory over a long training loop, to show it does not grow
(the kernels' scratch buffers are reused, graphs are released after backward).

The loop: a small conv net with every hot kernel family (conv, BatchNorm, LeakyReLU, transposed
conv, Linear, a fused loss) trained with Adam on batch 32; RSS is read from /proc/self/statm
(Linux) at 1 %, 10 %, 25 %, 50 %, 75 % and 100 % of the steps.
"""
import os
import time


def rss_mb():
    """This process's resident set size in MB (None where /proc is missing)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20
    except OSError:
        return None


def run(steps):
    import tinygan
    import tinygan.nn.functional as F
    from tinygan import nn, optim
    tinygan.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 16, 4, 2, 1), nn.BatchNorm2d(16), nn.LeakyReLU(0.2),
                        nn.ConvTranspose2d(16, 8, 4, 2, 1), nn.LeakyReLU(0.2), nn.Flatten(), nn.Linear(8 * 8 * 8, 1))
    opt = optim.Adam(net.parameters(), lr=1e-4)
    x, target = tinygan.rand(32, 1, 8, 8), tinygan.ones(32, 1)
    marks = sorted({max(1, round(steps * f)) for f in (0.01, 0.1, 0.25, 0.5, 0.75, 1.0)})
    rows, start = [], time.perf_counter()
    for step in range(1, steps + 1):
        loss = F.binary_cross_entropy_with_logits(net(x), target)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step in marks:
            rows.append((step, rss_mb(), time.perf_counter() - start))
    print(f"{'step':>8} {'RSS MB':>9} {'seconds':>9}")
    for step, rss, seconds in rows:
        print(f"{step:8d} {rss if rss is None else f'{rss:9.1f}'} {seconds:9.1f}")
    first, last = rows[0][1], rows[-1][1]
    if first is not None:
        print(f"RSS from step {rows[0][0]} to {rows[-1][0]}: {last - first:+.1f} MB")
    return rows
