"""Locatello et al. 2019, Theorem 1, on dSprites' factors: the same data, opposite verdicts.

    python demos/05_locatello.py [--quick | --full] [--out DIR]

z = the true factor values of dSprites (dequantised within their bins, so every marginal is
continuous). f = tinygan.theory.entangling_map for those marginals. The demo shows that f(z) has
the same marginals (KS tests) and the same joint law (an MMD permutation test against fresh z),
that every ∂f_i/∂z_j is nonzero, and that the disentanglement metrics rate z near-perfect and
f(z) poor — though no unsupervised criterion can tell the two representations apart. For scale,
it also scores a plain rotation of z, Gaussian noise and a constant code (the metrics' sanity check).

Metric sample sizes: --quick is the tests' smoke run (DCI's trees with 20 boosting stages, not 100);
the default uses a fifth of disentanglement_lib's sizes (a few minutes on 2 cores); --full uses the
library's own (DCI's gradient-boosted trees on 10 000 points for 40 orientation classes make that
over half an hour).
"""
import argparse
import os

import numpy as np
from scipy import stats

from tinygan import files
from tinygan.metrics import disentanglement as dm
from tinygan.theory import entangling_map

FACTOR_RANGES = [(0, 3), (0.5, 1.0), (0, 2 * np.pi), (0, 1), (0, 1)]   # shape, scale, orientation, x, y


class FactorValues:
    """dSprites' ground truth whose observations are the (dequantised) factor values themselves."""
    num_factors, factors_num_values = 5, [3, 6, 40, 32, 32]

    def sample_factors(self, num, rng):
        rng = np.random.default_rng(rng)
        return np.stack([rng.integers(0, n, num) for n in self.factors_num_values], axis=1)

    def sample_observations_from_factors(self, factors, rng=None):
        rng = np.random.default_rng(rng)
        width = np.array([(hi - lo) / n for (lo, hi), n in zip(FACTOR_RANGES, self.factors_num_values)])
        low = np.array([lo for lo, _ in FACTOR_RANGES])
        return low + (np.asarray(factors) + rng.uniform(0, 1, np.shape(factors))) * width

    def sample(self, num, rng):
        rng = np.random.default_rng(rng)
        f = self.sample_factors(num, rng)
        return f, self.sample_observations_from_factors(f, rng)

    def sample_observations(self, num, rng):
        return self.sample(num, rng)[1]


def mmd_permutation_test(a, b, permutations, rng):
    """p-value of the RBF-kernel MMD between samples a and b (median-distance bandwidth)."""
    both = np.concatenate([a, b])
    d2 = ((both[:, None] - both[None]) ** 2).sum(-1)
    kernel = np.exp(-d2 / np.median(d2[d2 > 0]))
    n = len(a)

    def mmd(idx):
        x, y = idx[:n], idx[n:]
        return kernel[np.ix_(x, x)].mean() + kernel[np.ix_(y, y)].mean() - 2 * kernel[np.ix_(x, y)].mean()
    observed = mmd(np.arange(len(both)))
    null = [mmd(rng.permutation(len(both))) for _ in range(permutations)]
    return float((1 + sum(v >= observed for v in null)) / (1 + permutations))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="small sample sizes (the tests run this)")
    size.add_argument("--full", action="store_true", help="disentanglement_lib's sample sizes (slow)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="runs/locatello")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    data = FactorValues()
    marginals = [stats.uniform(lo, hi - lo) for lo, hi in FACTOR_RANGES]
    f, a = entangling_map(marginals, args.seed)
    n = 1000 if args.quick else 20000
    z = data.sample_observations(n, rng)
    fz = f(z)
    ks = [float(stats.kstest(fz[:, i], m.cdf).pvalue) for i, m in enumerate(marginals)]
    joint_p = mmd_permutation_test(fz[:400], data.sample_observations(400, rng), 100 if args.quick else 500, rng)
    point, h = z[:1], 1e-6
    jacobian = np.column_stack([(f(point + h * e) - f(point - h * e))[0] / (2 * h) for e in np.eye(5)])
    mode = "quick" if args.quick else "full" if args.full else "default"
    sizes = {"quick": dict(num_train=500, num_test=250), "default": dict(num_train=2000, num_test=1000),
             "full": {}}[mode]
    small = {"quick": dict(batch_size=32, num_train=120, num_eval=60), "default": dict(num_train=2000, num_eval=1000),
             "full": {}}[mode]
    trees = {"quick": {"n_estimators": 20}}.get(mode, {})      # DCI's boosting stages (default 100)
    variance = {"quick": {"num_variance_estimate": 2000}, "default": {"num_variance_estimate": 5000}, "full": {}}[mode]
    results = {}
    centre = np.array([(lo + hi) / 2 for lo, hi in FACTOR_RANGES])
    noise_rng = np.random.default_rng(args.seed + 1)
    representations = {      # the sanity rows: truth near the top, the rest clearly lower
        "z (true factors)": lambda x: x, "f(z) (entangled)": f, "A(z - c) (rotated)": lambda x: (x - centre) @ a.T,
        "noise": lambda x: noise_rng.standard_normal(x.shape), "constant": lambda x: np.zeros_like(x)}
    for name, rep in representations.items():
        results[name] = {
            "mig": dm.mig(data, rep, args.seed, num_train=sizes.get("num_train", 10000))["discrete_mig"],
            "dci_disentanglement": dm.dci(data, rep, args.seed, **sizes, **trees)["disentanglement"],
            "modularity": dm.modularity_explicitness(data, rep, args.seed, **sizes)["modularity_score"],
            "sap": dm.sap(data, rep, args.seed, **sizes)["SAP_score"],
            "factor_vae": dm.factor_vae_score(data, rep, args.seed, **small, **variance)["eval_accuracy"],
            "beta_vae": dm.beta_vae_score(data, rep, args.seed, **small)["eval_accuracy"],
        }
    report = {"ks_pvalues": ks, "joint_mmd_pvalue": joint_p, "min_abs_jacobian_entry": float(np.abs(jacobian).min()),
              "rotation": a.tolist(), "metrics": results}
    os.makedirs(args.out, exist_ok=True)
    files.write_json(os.path.join(args.out, "locatello.json"), report)
    print("marginal KS p-values of f(z):", " ".join(f"{p:.2f}" for p in ks))
    print(f"joint two-sample (MMD) p-value, f(z) vs fresh z: {joint_p:.2f}")
    print(f"smallest |∂f_i/∂z_j| at a sample: {np.abs(jacobian).min():.3g} (all 25 entries nonzero)")
    print(f"{'metric':22}" + "".join(f"{name:>20}" for name in results))
    for metric in results["z (true factors)"]:
        print(f"{metric:22}" + "".join(f"{results[name][metric]:20.3f}" for name in results))
    return report


if __name__ == "__main__":
    main()
