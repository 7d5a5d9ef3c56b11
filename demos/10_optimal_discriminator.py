"""The optimal discriminator D* = π/(π + p), and V(G, D*) = 2 JSD(π‖p) − log 4, measured in 1-D.

    python demos/10_optimal_discriminator.py [--quick] [--alpha 0.1] [--seed 0] [--out DIR]

For a fixed generator, D's objective V(G, D) = E_π log D + E_p log(1 − D) is maximised pointwise
by D*(x) = π(x)/(π(x) + p(x)), and its value there is 2 JSD(π‖p) − log 4 (Goodfellow et al. 2014,
"Generative Adversarial Nets", Proposition 1 and Theorem 1). Here π (data) and p (model) are fixed
two-Gaussian mixtures; a small MLP discriminator is trained by Adam on fresh samples of both, and
compared with the closed form. One-sided label smoothing — real target 1 − α — moves the optimum
to (1 − α) π/(π + p) (Salimans et al. 2016, "Improved Techniques for Training GANs", §3.4); the
same network trained that way is compared with that.

Prints V(G, D) of the trained D (Monte Carlo on many fresh samples, and by quadrature on a fine
grid) beside 2 JSD − log 4 (adaptive quadrature, checked with tinygan.divergences.jsd on the
discretised densities), and the largest |D − D*| over the bulk of the mass (the highest-density
region of (π + p)/2 that holds 95 % of it: outside it neither sample shows D much). Writes
discriminator.png and results.json to --out (default runs/theory/optimal_discriminator).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))     # for _theory_common

import _theory_common as common  # noqa: E402
import numpy as np  # noqa: E402

import tinygan  # noqa: E402
from tinygan.divergences import jsd  # noqa: E402
from tinygan.gan import losses  # noqa: E402
from tinygan.gan.models import MLPDiscriminator  # noqa: E402

DATA = common.Mixture1D(weights=(0.5, 0.5), means=(-2.0, 1.0), stds=(0.5, 0.8))      # π
MODEL = common.Mixture1D(weights=(0.7, 0.3), means=(-1.0, 2.5), stds=(0.7, 0.5))     # p
BULK_MASS = 0.95


def bulk(x, mixture_density, mass=BULK_MASS):
    """Mask of the grid points in the highest-density region of the mixture holding `mass`."""
    order = np.argsort(mixture_density)[::-1]
    cumulative = np.cumsum(mixture_density[order]) / mixture_density.sum()
    mask = np.zeros(len(x), bool)
    mask[order[:np.searchsorted(cumulative, mass) + 1]] = True
    return mask


def log_d_terms(logits):
    """log D and log(1 − D) from logits, without rounding D to 0 or 1 first."""
    return -np.logaddexp(0, -logits), -np.logaddexp(0, logits)


def train(real_target, steps, batch, seed):
    """A fresh MLP discriminator trained on the BCE loss (= −V(G, D) for real_target 1)."""
    tinygan.manual_seed(seed)
    rng = np.random.default_rng(seed)
    d = MLPDiscriminator(dim=1, hidden=64, layers=2)
    history = common.train_against(
        d, lambda n: DATA.sample(n, rng)[:, None].astype(np.float32),
        lambda n: MODEL.sample(n, rng)[:, None].astype(np.float32),
        lambda d, real, fake: losses.d_loss(d(real), d(fake), real_target), steps=steps, lr=2e-3, batch=batch)
    return d, history


def main(argv=None):
    args = common.parse_args(argv, __doc__, "optimal_discriminator", lambda p: p.add_argument(
        "--alpha", type=float, default=0.1, help="one-sided label smoothing: real target 1 − α"))
    steps, batch, n_mc = (1500, 512, 100_000) if args.quick else (6000, 1024, 1_000_000)
    lo, hi = min(DATA.support()[0], MODEL.support()[0]), max(DATA.support()[1], MODEL.support()[1])
    x = np.linspace(lo, hi, 20001)
    pi, p = DATA.pdf(x), MODEL.pdf(x)
    d_star = losses.optimal_discriminator(pi, p)
    d_star_smooth = losses.optimal_discriminator(pi, p, smoothing=args.alpha)
    mask = bulk(x, 0.5 * (pi + p))

    # The theory: 2 JSD − log 4, by adaptive quadrature and, as a check, on the discretised densities
    modes = sorted(DATA.means + MODEL.means)
    jsd_quad = common.jsd_quadrature(DATA.pdf, MODEL.pdf, lo, hi, points=modes)
    jsd_grid = jsd(common.grid_masses(pi, x), common.grid_masses(p, x))
    v_star = 2 * jsd_quad - common.LOG4

    with common.one_blas_thread():
        d_plain, hist_plain = train(1.0, steps, batch, args.seed)
        d_smooth, hist_smooth = train(1.0 - args.alpha, steps, batch, args.seed)
        rng = np.random.default_rng(args.seed + 1)                 # fresh samples, not the training ones
        real, fake = DATA.sample(n_mc, rng)[:, None], MODEL.sample(n_mc, rng)[:, None]
        log_d_real, _ = log_d_terms(common.logits_of(d_plain, real.astype(np.float32)))
        _, log_1md_fake = log_d_terms(common.logits_of(d_plain, fake.astype(np.float32)))
        d_grid, logits_grid = common.probabilities(d_plain, x[:, None].astype(np.float32))
        d_smooth_grid, _ = common.probabilities(d_smooth, x[:, None].astype(np.float32))

    v_mc = float(log_d_real.mean() + log_1md_fake.mean())
    v_mc_se = float(np.sqrt(log_d_real.var() / n_mc + log_1md_fake.var() / n_mc))
    log_d, log_1md = log_d_terms(logits_grid)
    v_quad = common.trapezoid(pi * log_d + p * log_1md, x)
    v_at_d_star = common.trapezoid(pi * np.log(d_star) + p * np.log1p(-d_star), x)  # = 2 JSD − log 4 again
    err = float(np.abs(d_grid - d_star)[mask].max())
    err_smooth = float(np.abs(d_smooth_grid - d_star_smooth)[mask].max())
    bulk_lo, bulk_hi = float(x[mask].min()), float(x[mask].max())

    results = {
        "steps": steps, "batch": batch, "alpha": args.alpha, "mc_samples": n_mc,
        "jsd_quadrature": jsd_quad, "jsd_grid": jsd_grid, "v_star": v_star, "v_at_d_star_grid": v_at_d_star,
        "v_mc": v_mc, "v_mc_se": v_mc_se, "v_quadrature": v_quad,
        "max_abs_err": err, "max_abs_err_smooth": err_smooth, "bulk_interval": [bulk_lo, bulk_hi],
        "d_final_loss": hist_plain[-1], "d_smooth_final_loss": hist_smooth[-1],
        "curve": {"x": x[::50].tolist(), "pi": pi[::50].tolist(), "p": p[::50].tolist(),
                  "d": d_grid[::50].tolist(), "d_star": d_star[::50].tolist(),
                  "d_smooth": d_smooth_grid[::50].tolist(), "d_star_smooth": d_star_smooth[::50].tolist()},
    }
    print(f"π = {DATA}\np = {MODEL}")
    print(f"D: MLP 1-64-64-1 (LeakyReLU), Adam, {steps} steps of {batch} + {batch} fresh samples")
    print(f"JSD(π‖p): quadrature {jsd_quad:.6f}, tinygan.divergences.jsd on the grid {jsd_grid:.6f}")
    print(f"V(G, D*) = 2 JSD − log 4 = {v_star:.5f}   (quadrature of V at the closed-form D*: {v_at_d_star:.5f})")
    print(f"V(G, D_trained): Monte Carlo on {n_mc} + {n_mc} fresh samples {v_mc:.5f} ± {v_mc_se:.5f}, "
          f"quadrature {v_quad:.5f}")
    print(f"max |D − π/(π+p)| over the {BULK_MASS:.0%} bulk (x in [{bulk_lo:.2f}, {bulk_hi:.2f}]): {err:.4f}")
    print(f"one-sided smoothing α = {args.alpha}: max |D_α − (1−α)π/(π+p)| over the bulk: {err_smooth:.4f} "
          f"(max D_α over the bulk {d_smooth_grid[mask].max():.3f}, theory ≤ {1 - args.alpha:.3f})")
    print(common.table(["x", "pi", "p", "D", "D*", "D_alpha", "D*_alpha"],
                       [(x[i], pi[i], p[i], d_grid[i], d_star[i], d_smooth_grid[i], d_star_smooth[i])
                        for i in np.searchsorted(x, np.arange(-3.0, 3.5, 1.0))], [".1f"] + [".4f"] * 6))

    plot(args.out, x, pi, p, d_grid, d_star, d_smooth_grid, d_star_smooth, args.alpha, mask)
    results["figure"] = os.path.join(args.out, "discriminator.png")
    common.write_json(args.out, "results.json", results)
    return results


def plot(out, x, pi, p, d, d_star, d_smooth, d_star_smooth, alpha, mask):
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    for ax, trained, theory, title, label in (
            (axes[0], d, d_star, "trained D vs D* = π/(π+p)", "π/(π+p)"),
            (axes[1], d_smooth, d_star_smooth, f"one-sided smoothing, real target {1 - alpha:g}",
             f"{1 - alpha:g}·π/(π+p)")):
        scale = 1 / max(pi.max(), p.max())
        ax.fill_between(x, pi * scale, alpha=0.25, color="tab:blue", label="π (data), scaled")
        ax.fill_between(x, p * scale, alpha=0.25, color="tab:orange", label="p (model), scaled")
        ax.plot(x, theory, "k--", lw=2, label=label)
        ax.plot(x, trained, color="tab:red", lw=1.5, label="trained D")
        ax.fill_between(x, 0, 1, where=mask, color="0.92", zorder=-1, label=f"{BULK_MASS:.0%} bulk")
        ax.set(title=title, xlabel="x", xlim=(-5, 5), ylim=(-0.02, 1.02))
        ax.legend(fontsize=8, loc="upper right")
    common.save_figure(fig, out, "discriminator.png")


if __name__ == "__main__":
    main()
