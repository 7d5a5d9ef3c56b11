"""Calibration and power of three two-sample tests: MMD, C2ST and the 1-NN test (the lecture's
"Two sample test": H0: π = p(·|θ) vs H1: π ≠ p(·|θ), with a likelihood-free statistic).

    python demos/16_two_sample_tests.py [--quick] [--out DIR]      # default DIR: runs/theory/16_two_sample_tests

The tests (tinygan.metrics.two_sample), all at α = 0.05 and one-sided:
  - MMD: mmd_test, the unbiased MMD² with a Gaussian kernel of median-heuristic bandwidth and a
    permutation p-value (Gretton, Borgwardt, Rasch, Schölkopf & Smola 2012, "A Kernel Two-Sample
    Test", JMLR);
  - C2ST: c2st with its default k-NN classifier on half of the pooled sample and the exact
    one-sided binomial p-value of its held-out accuracy (Lopez-Paz & Oquab 2017, "Revisiting
    Classifier Two-Sample Tests", ICLR);
  - 1-NN: nn1_accuracy, the leave-one-out 1-nearest-neighbour accuracy on the pooled sample,
    turned into a test by a permutation p-value: the nearest-neighbour graph of the pooled points
    is built once and only the labels are permuted, so the statistic's null distribution is that
    of the number of nearest-neighbour pairs with equal labels given the points — exact under H0,
    where the labels are exchangeable (the nearest-neighbour test of Schilling 1986, JASA, and
    Henze 1988; Friedman & Rafsky 1979 for graph-based two-sample tests). p-value
    (1 + #{acc_π ≥ acc})/(1 + P), as mmd_test's (Phipson & Smyth 2010); accuracy near 0
    (memorisation) is not an alternative it looks for.

Setting: x ∼ N(0, I_d) and y ∼ q in d = 5 dimensions, n points each.
  - Calibration: q = N(0, I) (H0 true), R repetitions at n = 100 (1 000 by default); prints
    the false-positive rate with its Clopper–Pearson 95 % interval and the mean p-value, and plots
    the null p-values' empirical CDFs (a valid test's lies on or below the diagonal; C2ST's
    binomial p-values are discrete, hence conservative).
  - Power: q = N(δ e₁, I) (mean shift, δ = 0.5) and q = N(0, s² I) (scale change, s = 1.5) for
    n = 20 … 640 (doubling), 200 repetitions per point by default; prints and plots the
    rejection rates with their 95 % intervals.
Permutations: 200 for MMD, 500 for 1-NN (its permutations cost only a relabelling).
Measured on 2 cores: the default run takes about 2 minutes, --quick (fewer repetitions, a
smaller grid) about 10 s. Writes DIR/two_sample.png and DIR/two_sample.json.
"""
import os
import sys
import time

_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)         # for _theory_common_2, also when a test loads this file by path

import tinygan  # noqa: E402,F401,I001  (first: threading defaults before NumPy loads its BLAS)
import numpy as np  # noqa: E402
from scipy import stats  # noqa: E402
from sklearn.neighbors import NearestNeighbors  # noqa: E402

from tinygan.metrics.two_sample import c2st, mmd_test, nn1_accuracy  # noqa: E402
import _theory_common_2 as common  # noqa: E402

ALPHA = 0.05
DIM = 5
MEAN_SHIFT = 0.5
SCALE = 1.5
TESTS = ("MMD", "C2ST", "1-NN")
MMD_PERMUTATIONS, NN_PERMUTATIONS = 200, 500


def nn1_test(x, y, permutations, rng, alpha=ALPHA):
    """(1-NN accuracy, permutation p-value): the graph fixed, the labels permuted."""
    accuracy = nn1_accuracy(x, y)
    z = np.concatenate([x, y])
    labels = np.r_[np.zeros(len(x), int), np.ones(len(y), int)]
    _, index = NearestNeighbors(n_neighbors=1).fit(z).kneighbors()     # a point is not its own neighbour
    neighbour = index[:, 0]
    if not np.isclose(np.mean(labels[neighbour] == labels), accuracy):
        raise RuntimeError("nn1_test: the graph's accuracy differs from nn1_accuracy's")
    permuted = rng.permuted(np.tile(labels, (permutations, 1)), axis=1)   # (P, N) random relabellings
    null = np.mean(permuted[:, neighbour] == permuted, axis=1)
    pvalue = float((1 + np.sum(null >= accuracy - 1e-12)) / (1 + permutations))
    return accuracy, pvalue


def draw(kind, n, rng):
    x = rng.standard_normal((n, DIM))
    y = rng.standard_normal((n, DIM))
    if kind == "mean shift":
        y[:, 0] += MEAN_SHIFT
    elif kind == "scale":
        y *= SCALE
    elif kind != "null":
        raise ValueError(kind)
    return x, y


def run_tests(x, y, rng):
    """{test: (statistic, p-value)} for one pair of samples."""
    seed = lambda: int(rng.integers(2 ** 31))       # noqa: E731
    mmd = mmd_test(x, y, permutations=MMD_PERMUTATIONS, alpha=ALPHA, random_state=seed())
    c2 = c2st(x, y, alpha=ALPHA, random_state=seed())
    nn = nn1_test(x, y, NN_PERMUTATIONS, rng)
    return {"MMD": (mmd.statistic, mmd.pvalue), "C2ST": (c2.statistic, c2.pvalue), "1-NN": nn}


def experiment(kind, n, reps, rng):
    """p-values (reps,) per test, and the statistics."""
    pvals = {t: np.empty(reps) for t in TESTS}
    statistics = {t: np.empty(reps) for t in TESTS}
    for r in range(reps):
        for test, (s, p) in run_tests(*draw(kind, n, rng), rng).items():
            pvals[test][r], statistics[test][r] = p, s
    return pvals, statistics


def rate(pvalues):
    """Rejections at α, their rate and its Clopper–Pearson 95 % interval."""
    k, reps = int(np.sum(pvalues <= ALPHA)), len(pvalues)
    ci = stats.binomtest(k, reps).proportion_ci(0.95, method="exact")
    return {"rejections": k, "reps": reps, "rate": k / reps, "ci95": [float(ci.low), float(ci.high)]}


def plot(results, folder):
    plt = common.pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.3))
    ax = axes[0]
    grid = np.linspace(0, 1, 201)
    for k, test in enumerate(TESTS):
        p = np.sort(results["calibration"]["pvalues"][test])
        ax.step(p, np.arange(1, len(p) + 1) / len(p), where="post", color=f"C{k}",
                label=f"{test}: FPR {results['calibration']['tests'][test]['rate']:.3f}")
    ax.plot(grid, grid, color="grey", lw=0.8, ls=":")
    ax.axvline(ALPHA, color="k", lw=0.6, ls="--")
    ax.set_xlabel("p-value")
    ax.set_ylabel("empirical CDF under H0")
    cal = results["calibration"]
    ax.set_title(f"H0 (p = q): {cal['reps']} repetitions, n = {cal['n']}", fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    for ax, kind in zip(axes[1:], ("mean shift", "scale")):
        block = results["power"][kind]
        ns = np.array(block["n"])
        for k, test in enumerate(TESTS):
            r = block["tests"][test]
            rates = np.array([v["rate"] for v in r])
            lo, hi = np.array([v["ci95"][0] for v in r]), np.array([v["ci95"][1] for v in r])
            ax.plot(ns, rates, "o-", color=f"C{k}", ms=4, label=test)
            ax.fill_between(ns, lo, hi, color=f"C{k}", alpha=0.15)
        ax.axhline(ALPHA, color="k", lw=0.6, ls="--")
        ax.set_xscale("log")
        ax.minorticks_off()
        ax.set_xticks(ns)
        ax.set_xticklabels([str(int(n)) for n in ns])
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("n (points per sample)")
        ax.set_ylabel(f"power at α = {ALPHA} (95 % CI shaded)")
        what = f"N(0, I) vs N({MEAN_SHIFT}·e₁, I)" if kind == "mean shift" else f"N(0, I) vs N(0, {SCALE}² I)"
        ax.set_title(f"{kind}: {what}, d = {DIM}, {block['reps']} reps", fontsize=10)
        ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return common.save_png(fig, folder, "two_sample.png", dpi=110)


def main(argv=None):
    args = common.parser("16_two_sample_tests", __doc__).parse_args(argv)
    rng = np.random.default_rng(args.seed)
    start = time.perf_counter()
    if args.quick:
        cal_n, cal_reps, grid, power_reps = 50, 150, [20, 80, 320], 30
    else:
        cal_n, cal_reps, grid, power_reps = 100, 1000, [20, 40, 80, 160, 320, 640], 200
    pvals, statistics = experiment("null", cal_n, cal_reps, rng)
    calibration = {"n": cal_n, "reps": cal_reps, "alpha": ALPHA,
                   "tests": {t: {**rate(pvals[t]), "mean_pvalue": float(pvals[t].mean()),
                                 "mean_statistic": float(statistics[t].mean()),
                                 "sd_statistic": float(statistics[t].std(ddof=1))} for t in TESTS},
                   "pvalues": {t: pvals[t].tolist() for t in TESTS}}
    print(f"Calibration under H0 (x, y ∼ N(0, I_{DIM}), n = {cal_n} each, {cal_reps} repetitions, α = {ALPHA}):")
    rows = [[t, f"{c['rejections']}/{c['reps']}", c["rate"], f"[{c['ci95'][0]:.3f}, {c['ci95'][1]:.3f}]",
             c["mean_pvalue"], c["mean_statistic"]] for t, c in calibration["tests"].items()]
    print(common.table(["test", "rejected", "FPR", "95 % CI (Clopper-Pearson)", "mean p", "mean statistic"],
                       rows, digits=3))
    print("  (statistics: MMD² (unbiased), held-out accuracy, 1-NN accuracy; under H0 ≈ 0, 0.5, "
          f"(n−1)/(2n−1) = {(cal_n - 1) / (2 * cal_n - 1):.3f})")
    power = {}
    for kind in ("mean shift", "scale"):
        block = {"n": grid, "reps": power_reps, "tests": {t: [] for t in TESTS}}
        for n in grid:
            pv, _ = experiment(kind, n, power_reps, rng)
            for t in TESTS:
                block["tests"][t].append(rate(pv[t]))
        power[kind] = block
        what = f"y ∼ N({MEAN_SHIFT}·e₁, I)" if kind == "mean shift" else f"y ∼ N(0, {SCALE}² I)"
        print(f"\nPower against a {kind} ({what}, x ∼ N(0, I), d = {DIM}; {power_reps} repetitions per n):")
        rows = [[str(n)] + [f"{block['tests'][t][i]['rate']:.3f} [{block['tests'][t][i]['ci95'][0]:.2f}, "
                            f"{block['tests'][t][i]['ci95'][1]:.2f}]" for t in TESTS] for i, n in enumerate(grid)]
        print(common.table(["n"] + list(TESTS), rows))
    seconds = time.perf_counter() - start
    results = {"quick": bool(args.quick), "seed": args.seed, "dim": DIM, "mean_shift": MEAN_SHIFT, "scale": SCALE,
               "permutations": {"MMD": MMD_PERMUTATIONS, "1-NN": NN_PERMUTATIONS},
               "calibration": calibration, "power": power, "seconds": seconds}
    os.makedirs(args.out, exist_ok=True)
    png = plot(results, args.out)
    js = common.write_json(args.out, "two_sample.json", results)
    print(f"\n{seconds:.1f} s; wrote {png} and {js}")
    return results


if __name__ == "__main__":
    main()
