"""Convergence in W vs JSD vs KL (Arjovsky, Chintala & Bottou 2017, "Wasserstein GAN", Theorem 2).

    python demos/14_convergence_theorem.py [--quick] [--out DIR]      # default DIR: runs/theory/14_convergence_theorem

Theorem 2 (the lecture's form): for distributions on a compact space, KL(π‖p_t) → 0 (or
KL(p_t‖π) → 0) implies JSD(π‖p_t) → 0, which implies W(π, p_t) → 0. The converses fail, and
three sequences p_t → π with θ_t = 1/t (t = 1, 2, 4, …, 1024, then the limit t = ∞) show where:

  A. disjoint supports (the lecture's example, WGAN's Example 1): π = (0, U[0, 1]) and
     p_t = (θ_t, U[0, 1]), two parallel segments in the plane. W = θ_t → 0, yet KL = ∞ and
     JSD = log 2 for every t: the sequence converges in W only. The uniform law on the segment
     is represented by n equal atoms at the midpoints y_i = (i + ½)/n (its exact n-point
     quantisation, the same for both), so the distributions are probability vectors on the union
     of the 2n atoms and tinygan.divergences.kl / jsd evaluate them exactly; W is the exact OT cost
     of tinygan.divergences.wasserstein1_points (Euclidean ground cost in the plane).
  B. Gaussians N(θ_t, 1) → N(0, 1): KL = θ_t²/2 (kl_gaussian, closed form), JSD by adaptive
     quadrature of ½∫π log(2π/(π+p)) + ½∫p log(2p/(π+p)) (≈ θ²/8 for small θ, the Fisher
     information of a unit Gaussian over 8), cross-checked with jsd on 8 000 bins of width
     0.0025, and W = |θ_t| (wasserstein_1d on 4 000-point quantile grids, exact for a location
     shift). All three → 0.
  C. overlapping uniforms U[θ_t, 1 + θ_t] → U[0, 1] on the line: KL = ∞ both ways (each has
     mass where the other has none) while JSD = θ_t log 2 → 0 and W = θ_t → 0 — JSD (and W)
     converge but KL does not, so (2) does not imply (1) either. Computed with kl / jsd /
     wasserstein_1d on bins of width 2⁻¹⁴, on which every θ_t = 2⁻ᵏ is an exact bin shift.

It prints one table (t, θ_t, W, KL(π‖p_t), KL(p_t‖π), JSD) per sequence, plots W, KL and JSD as
functions of θ for sequence A (WGAN's Figure 1: only W is continuous at θ = 0) and against t for
all three, and writes DIR/convergence.json and DIR/convergence.png. --quick uses fewer atoms
(the values do not depend on it).
"""
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)         # for _theory_common_2, also when a test loads this file by path

import tinygan  # noqa: E402,F401,I001  (first: threading defaults before NumPy loads its BLAS)
import numpy as np  # noqa: E402
from scipy import integrate, stats  # noqa: E402

from tinygan.divergences import jsd, kl, kl_gaussian, wasserstein1_points, wasserstein_1d  # noqa: E402
import _theory_common_2 as common  # noqa: E402

LOG2 = float(np.log(2))


def disjoint_segments(theta, atoms):
    """Sequence A: π = (0, U[0,1]) and p = (θ, U[0,1]), each as `atoms` equal point masses.
    Returns W, KL(π‖p), KL(p‖π), JSD(π‖p)."""
    y = (np.arange(atoms) + 0.5) / atoms
    pi_pts = np.column_stack([np.zeros(atoms), y])
    p_pts = np.column_stack([np.full(atoms, theta), y])
    # both laws as probability vectors on the union of their atoms (one set of atoms when θ = 0)
    support = np.unique(np.concatenate([pi_pts, p_pts]), axis=0)
    index = {tuple(s): k for k, s in enumerate(support)}
    pi_prob, p_prob = np.zeros(len(support)), np.zeros(len(support))
    for probs, pts in ((pi_prob, pi_pts), (p_prob, p_pts)):
        for point in pts:
            probs[index[tuple(point)]] += 1.0 / atoms
    w = wasserstein1_points(pi_pts, p_pts)
    return w, kl(pi_prob, p_prob), kl(p_prob, pi_prob), jsd(pi_prob, p_prob)


def gaussian_jsd_quad(theta):
    """JSD(N(0,1) ‖ N(θ,1)) by adaptive quadrature, with log-densities for stability."""
    if theta == 0:
        return 0.0

    def integrand(x):
        lf, lg = stats.norm.logpdf(x), stats.norm.logpdf(x, loc=theta)
        lm = np.logaddexp(lf, lg) - LOG2
        return 0.5 * np.exp(lf) * (lf - lm) + 0.5 * np.exp(lg) * (lg - lm)

    centre = theta / 2
    value, _ = integrate.quad(integrand, centre - 40, centre + 40, points=[centre], epsabs=0, epsrel=1e-11,
                              limit=400)
    return float(value)


def gaussian_jsd_binned(theta, width=0.0025, half_range=10.0):
    """The same JSD with tinygan.divergences.jsd on the bin probabilities of both laws."""
    edges = np.arange(-half_range, half_range + theta + width / 2, width)
    cdf_pi, cdf_p = stats.norm.cdf(edges), stats.norm.cdf(edges, loc=theta)
    pi_prob, p_prob = np.diff(cdf_pi), np.diff(cdf_p)
    return jsd(pi_prob / pi_prob.sum(), p_prob / p_prob.sum())


def gaussians(theta, quantiles):
    """Sequence B: π = N(0,1), p = N(θ,1). Returns W, KL(π‖p), KL(p‖π), JSD (quad), JSD (binned)."""
    grid = stats.norm.ppf((np.arange(quantiles) + 0.5) / quantiles)
    w = wasserstein_1d(grid, grid + theta)
    return (w, kl_gaussian(0.0, 1.0, theta, 1.0), kl_gaussian(theta, 1.0, 0.0, 1.0),
            gaussian_jsd_quad(theta), gaussian_jsd_binned(theta))


def overlapping_uniforms(theta, log2_bins=14):
    """Sequence C: π = U[0,1], p = U[θ, 1+θ] on bins of width 2^-log2_bins (θ a multiple of it).
    Returns W, KL(π‖p), KL(p‖π), JSD."""
    width = 2.0 ** -log2_bins
    shift = int(round(theta / width))
    if abs(shift * width - theta) > 1e-12:
        raise ValueError(f"overlapping_uniforms: θ = {theta} is not a multiple of the bin width {width}")
    per = 2 ** log2_bins                                  # bins in [0, 1)
    pi_prob, p_prob = np.zeros(per + shift), np.zeros(per + shift)
    pi_prob[:per] = 1.0 / per
    p_prob[shift:shift + per] = 1.0 / per
    centres = (np.arange(per + shift) + 0.5) * width
    w = wasserstein_1d(centres, centres, pi_prob, p_prob)
    return w, kl(pi_prob, p_prob), kl(p_prob, pi_prob), jsd(pi_prob, p_prob)


def run_sequence(fn, ts):
    rows = []
    for t in ts:
        theta = 0.0 if np.isinf(t) else 1.0 / t
        rows.append((t, theta) + tuple(float(v) for v in fn(theta)))
    cols = list(zip(*rows))
    out = {"t": list(cols[0]), "theta": list(cols[1]), "W": list(cols[2]), "KL": list(cols[3]),
           "KL_reverse": list(cols[4]), "JSD": list(cols[5])}
    if len(cols) > 6:
        out["JSD_binned"] = list(cols[6])
    return out


def print_sequence(title, theory, seq):
    print(f"\n{title}\n  theory: {theory}")
    headers = ["t", "θ_t", "W", "KL(π‖p_t)", "KL(p_t‖π)", "JSD"]
    headers += ["JSD (binned)"] if "JSD_binned" in seq else []
    rows = []
    for k, t in enumerate(seq["t"]):
        row = ["∞" if np.isinf(t) else str(int(t)), seq["theta"][k], seq["W"][k], seq["KL"][k],
               seq["KL_reverse"][k], seq["JSD"][k]]
        if "JSD_binned" in seq:
            row.append(seq["JSD_binned"][k])
        rows.append(row)
    print(common.table(headers, rows, digits=4))


def plot(results, path_folder):
    plt = common.pyplot()
    fig, axes = plt.subplots(1, 4, figsize=(17, 3.8))
    sweep = results["theta_sweep"]
    ax = axes[0]
    th = np.array(sweep["theta"])
    ax.plot(th, sweep["W"], "-", color="C0", label="W(π, p_θ) = |θ|")
    jsd_curve = np.array(sweep["JSD"])
    nonzero = th != 0
    ax.plot(th[nonzero & (th < 0)], jsd_curve[nonzero & (th < 0)], "-", color="C2", label="JSD = log 2 (θ ≠ 0)")
    ax.plot(th[nonzero & (th > 0)], jsd_curve[nonzero & (th > 0)], "-", color="C2")
    ax.plot([0], [0], "o", color="C2", ms=5)
    ax.plot([0], [LOG2], "o", mfc="white", color="C2", ms=5)
    ax.annotate("KL = ∞ for θ ≠ 0", (0.02, 0.93), xycoords="axes fraction", color="C3", fontsize=9)
    ax.set_xlabel("θ")
    ax.set_title("A: segments (0, U) vs (θ, U)", fontsize=10)
    ax.legend(fontsize=8, loc="center right")
    top = 1e3
    for ax, key, title in ((axes[1], "disjoint", "A: disjoint supports"),
                           (axes[2], "gaussian", "B: N(1/t, 1) → N(0, 1)"),
                           (axes[3], "overlap", "C: U[1/t, 1 + 1/t] → U[0, 1]")):
        seq = results[key]
        t = np.array([v for v in seq["t"] if np.isfinite(v)])
        finite = len(t)
        for name, color, marker in (("W", "C0", "o"), ("KL", "C3", "s"), ("JSD", "C2", "^")):
            y = np.array(seq[name][:finite], dtype=float)
            shown = np.where(np.isinf(y), top, y)
            label = f"{name} = ∞ (drawn at {top:g})" if np.all(np.isinf(y)) else name
            ax.loglog(t, shown, marker=marker, color=color, ms=4, label=label,
                      ls="--" if np.all(np.isinf(y)) else "-")
        ax.set_xlabel("t   (θ_t = 1/t)")
        ax.set_ylim(1e-8, 3e3)
        ax.axhline(LOG2, color="grey", lw=0.6, ls=":")
        ax.set_title(title, fontsize=10)
        ax.legend(fontsize=8, loc="lower left")
    fig.suptitle("Theorem 2 (Arjovsky et al. 2017): KL → 0 ⇒ JSD → 0 ⇒ W → 0, not conversely", fontsize=11)
    fig.tight_layout()
    return common.save_png(fig, path_folder, "convergence.png", dpi=110)


def main(argv=None):
    args = common.parser("14_convergence_theorem", __doc__).parse_args(argv)
    atoms = 100 if args.quick else 400
    quantiles = 1000 if args.quick else 4000
    ts = [2.0 ** k for k in range(0, 11)] + [np.inf]
    results = {"atoms": atoms, "quantiles": quantiles, "quick": bool(args.quick)}
    results["disjoint"] = run_sequence(lambda th: disjoint_segments(th, atoms), ts)
    results["gaussian"] = run_sequence(lambda th: gaussians(th, quantiles), ts)
    results["overlap"] = run_sequence(overlapping_uniforms, ts)
    sweep = np.linspace(-1, 1, 41 if args.quick else 81)
    values = [disjoint_segments(float(th), atoms // 4) for th in sweep]
    results["theta_sweep"] = {"theta": sweep.tolist(), "W": [v[0] for v in values], "KL": [v[1] for v in values],
                              "JSD": [v[3] for v in values]}
    print_sequence("A. disjoint supports: π = (0, U[0,1]), p_t = (1/t, U[0,1])",
                   f"W = θ_t → 0, KL = ∞ and JSD = log 2 = {LOG2:.4f} for every finite t; all 0 at t = ∞",
                   results["disjoint"])
    print_sequence("B. Gaussians: π = N(0, 1), p_t = N(1/t, 1)",
                   "W = θ_t, KL = θ_t²/2 both ways, JSD ≈ θ_t²/8 for small θ_t: all → 0", results["gaussian"])
    print_sequence("C. overlapping uniforms: π = U[0, 1], p_t = U[1/t, 1 + 1/t]",
                   "W = θ_t, JSD = θ_t log 2, KL = ∞ for every finite t", results["overlap"])
    os.makedirs(args.out, exist_ok=True)
    png = plot(results, args.out)
    js = common.write_json(args.out, "convergence.json", results)
    print(f"\nwrote {png} and {js}")
    return results


if __name__ == "__main__":
    main()
