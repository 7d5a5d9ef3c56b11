"""How fast the theory lab's distances and tests run: tinygan.divergences, tinygan.metrics.two_sample.

    python demos/09_theory_speed.py [--quick] [--repeats N] [--out DIR]

Prints one row per measurement: the median wall time over the repeats and its spread (min–max),
after one untimed warm-up call, and the target from issue #12 where there is one (exact W1 for
the GAN's 2-D evaluation, 2 500 vs 2 500 points, ≤ 10 s; Sinkhorn at ε = 0.01 on 1 000 vs
1 000 points, ≤ 1 s; MMD² on 2 × 5 000 points, ≤ 1 s). --quick uses small sizes (< 10 s in all);
the targets are only judged at full size. --out DIR also writes DIR/theory_speed.json.
"""
import tinygan  # noqa: I001  (first: its threading defaults must be set before NumPy loads its BLAS)
import argparse
import os
import platform
import time

import numpy as np
import scipy

from tinygan import files
from tinygan.benchmark.machine import cpu_name
from tinygan.data import toy2d
from tinygan.divergences import emd, sinkhorn, sinkhorn_divergence, wasserstein1_points, wasserstein_1d
from tinygan.metrics.two_sample import c2st, mmd2, mmd_test, nn1_accuracy


def machine_line():
    return (f"{cpu_name()}, {os.cpu_count()} cores | {platform.platform()} | Python {platform.python_version()}, "
            f"NumPy {np.__version__}, SciPy {scipy.__version__}")


def measure(fn, repeats):
    """(median, min, max) seconds of fn() over `repeats` timed calls after one warm-up call."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times)), float(min(times)), float(max(times))


def sinkhorn_backward(x, y, eps):
    value = sinkhorn(x, y, eps)
    value.backward()
    return value


def mmd2_backward(x, y):
    value = mmd2(x, y)
    value.backward()
    return value


def cases(quick, rng):
    """(name, size label, target seconds or None, callable) for every row."""
    s = 5 if quick else 1                                            # --quick divides the sizes
    n_emd, n_sk, n_mmd = 2500 // s, 1000 // s, 5000 // s
    ring = toy2d.ring()
    collapsed = toy2d.Toy2D("ring-6-modes", ring.centers[:6], ring.std)         # 2 of 8 modes lost
    real, fake = ring.sample(n_emd, rng).astype(np.float64), collapsed.sample(n_emd, rng).astype(np.float64)
    g0, g1 = rng.standard_normal((n_emd, 2)), rng.standard_normal((n_emd, 2)) + [1.0, 0.0]
    n_lp = 200 // s
    a, b = rng.random(n_lp), rng.random(n_lp)
    lp_cost = np.abs(rng.standard_normal((n_lp, 1)) - rng.standard_normal((1, n_lp)))
    # Sinkhorn's cost scale ~1: two clouds of σ = 0.5 half a unit apart (mean ‖x − y‖² ≈ 1.25)
    sx = rng.standard_normal((n_sk, 2)) * 0.5
    sy = rng.standard_normal((n_sk, 2)) * 0.5 + [0.5, 0.0]
    tx = tinygan.tensor(sx, requires_grad=True, dtype=np.float64)
    mx, my = rng.standard_normal((n_mmd, 2)), rng.standard_normal((n_mmd, 2)) + [0.1, 0.0]
    n_train = 1000 // s
    gx = tinygan.tensor(mx[:n_train], requires_grad=True, dtype=np.float64)
    n_test, n_c2 = 500 // s, 2500 // s
    n_1d = 1_000_000 // s
    u, v = rng.standard_normal(n_1d), rng.exponential(size=n_1d)
    emd_target, fast_target = (None, None) if quick else (10.0, 1.0)
    return [
        ("wasserstein1_points: ring vs 6-mode ring", f"{n_emd} × {n_emd}", emd_target,
         lambda: wasserstein1_points(real, fake)),
        ("wasserstein1_points: N(0, I) vs N((1, 0), I)", f"{n_emd} × {n_emd}", emd_target,
         lambda: wasserstein1_points(g0, g1)),
        ("emd (LP, random weights, 1-d cost)", f"{n_lp} × {n_lp}", None,
         lambda: emd(a / a.sum(), b / b.sum(), lp_cost, method="lp")),
        ("sinkhorn ε = 0.01, value", f"{n_sk} × {n_sk}", fast_target, lambda: sinkhorn(sx, sy, 0.01)),
        ("sinkhorn ε = 0.01, value + backward", f"{n_sk} × {n_sk}", None, lambda: sinkhorn_backward(tx, sy, 0.01)),
        ("sinkhorn_divergence ε = 0.01", f"{n_sk} × {n_sk}", None, lambda: sinkhorn_divergence(sx, sy, 0.01)),
        ("mmd2, median bandwidth", f"2 × {n_mmd}", fast_target, lambda: mmd2(mx, my)),
        ("mmd2 + backward (loss-sized)", f"2 × {n_train}", None, lambda: mmd2_backward(gx, my[:n_train])),
        ("mmd_test, 1000 permutations", f"2 × {n_test}", None,
         lambda: mmd_test(mx[:n_test], my[:n_test], permutations=1000, random_state=0)),
        ("c2st (k-NN)", f"2 × {n_c2}", None, lambda: c2st(mx[:n_c2], my[:n_c2], random_state=0)),
        ("nn1_accuracy", f"2 × {n_c2}", None, lambda: nn1_accuracy(mx[:n_c2], my[:n_c2])),
        ("wasserstein_1d, p = 1", f"{n_1d} vs {n_1d}", None, lambda: wasserstein_1d(u, v)),
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, under 10 s in all")
    parser.add_argument("--repeats", type=int, default=None, help="timed calls per row (default 5, --quick 3)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None, help="also write DIR/theory_speed.json")
    args = parser.parse_args(argv)
    repeats = args.repeats or (3 if args.quick else 5)
    rng = np.random.default_rng(args.seed)
    print(machine_line())
    print(f"{'measurement':<46} {'size':>18} {'median':>9} {'min–max':>17} {'target':>8}")
    rows = []
    for name, size, target, fn in cases(args.quick, rng):
        median, low, high = measure(fn, repeats)
        verdict = "" if target is None else (f"≤ {target:g} s " + ("ok" if median <= target else "MISSED"))
        spread = f"{low:.3f}–{high:.3f} s"
        print(f"{name:<46} {size:>18} {median:>8.3f}s {spread:>17}  {verdict}")
        rows.append({"name": name, "size": size, "median_s": median, "min_s": low, "max_s": high,
                     "repeats": repeats, "target_s": target})
    result = {"machine": machine_line(), "quick": args.quick, "rows": rows}
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        files.write_json(os.path.join(args.out, "theory_speed.json"), result)
    return result


if __name__ == "__main__":
    main()
