"""Disjoint supports: KL, JSD and W on the parallel lines; a saturating discriminator vs a WGAN-GP
critic; instance noise.

    python demos/13_disjoint_supports.py [--quick] [--seed 0] [--out DIR]

Arjovsky, Chintala & Bottou 2017 ("Wasserstein GAN", Example 1): P₀ = (0, U[0, 1]) and
P_θ = (θ, U[0, 1]) in the plane. For θ ≠ 0 the supports are disjoint, so KL(P₀‖P_θ) = ∞ and
JSD(P₀‖P_θ) = log 2 whatever θ is, while W(P₀, P_θ) = |θ| — the only one of the three that tells
the generator which way to move (their Theorems 1 and 2).

1. The three on samples, with tinygan.divergences: wasserstein1_points (exact W1 between the
   samples) ≈ |θ|; kl and jsd between 2-D histograms of small cells (0.01 wide in x): inf and log 2.
2. At each θ, (a) a standard discriminator (BCE, tinygan.gan.losses.d_loss) and (b) a WGAN-GP
   critic (critic_loss_wasserstein + gradient_penalty, λ = 10: Gulrajani et al. 2017, "Improved
   Training of Wasserstein GANs"), each trained on fresh samples of the two lines. The generator's
   loss is then differentiated with respect to θ by autograd (P_θ's points are (θ, u) with θ a
   Tensor): D saturates (D → 1 on P₀, → 0 on P_θ) and the minimax generator's gradient
   ∂/∂θ E log(1 − D(θ, u)) vanishes — the longer D trains, the smaller it gets (Arjovsky & Bottou
   2017, "Towards Principled Methods for Training GANs", Theorem 2.4, and their Fig. 2); the
   non-saturating −log D(θ, u) keeps a gradient, but its size is set by how sharp D became, not by
   the distance (their §2.2.2). The critic's E_P₀ f − E_Pθ f tracks |θ| and ∂/∂θ (−E f(θ, u))
   stays ≈ ±1 (exactly: |θ|(1 + |θ|/2λ) and ±(1 + |θ|/2λ) for the penalised critic, gp_optimum).
3. Instance noise (Sønderby et al. 2017, "Amortised MAP Inference for Image Super-resolution";
   Arjovsky & Bottou 2017, §3.1): add N(0, σ²) to both distributions' x coordinate. The noised
   densities are N(x; 0, σ²)·1[0 ≤ y ≤ 1] and N(x; θ, σ²)·1[0 ≤ y ≤ 1]: the y factor is common, so
   their JSD is the JSD of two 1-D Gaussians — by quadrature, finite (< log 2) and smooth in θ.
Writes divergences.png, discriminator_vs_critic.png, instance_noise.png and results.json to --out
(default runs/theory/disjoint_supports).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))     # for _theory_common

import _theory_common as common  # noqa: E402
import numpy as np  # noqa: E402

import tinygan  # noqa: E402
from tinygan.divergences import jsd, kl, wasserstein1_points  # noqa: E402
from tinygan.gan import losses  # noqa: E402
from tinygan.gan.models import MLPDiscriminator  # noqa: E402

BIN = 0.01                         # histogram cell width in x
TRACK = 0.5                        # the θ at which the gradient is followed through training
SIGMAS = (0.1, 0.3, 1.0)           # instance-noise widths
LAMBDA = 10.0                      # WGAN-GP's penalty weight (Gulrajani et al.)


def line(theta, n, rng):
    """n points of P_θ = (θ, U[0, 1]), float32 (n, 2)."""
    return np.stack([np.full(n, theta), rng.random(n)], axis=1).astype(np.float32)


def histogram(points, x_edges, y_edges):
    counts, _, _ = np.histogram2d(points[:, 0], points[:, 1], bins=(x_edges, y_edges))
    return counts / counts.sum()


def sample_divergences(thetas, n, rng):
    """KL, JSD (histograms of BIN-wide cells) and exact W1 between n samples of P₀ and of each P_θ."""
    k = np.arange(np.floor(min(thetas) / BIN) - 5, np.ceil(max(thetas) / BIN) + 6)
    x_edges, y_edges = (k - 0.5) * BIN, np.linspace(0, 1, 11)       # every θ in the grid is a cell's centre
    p0 = line(0.0, n, rng)
    rows = []
    for theta in thetas:
        pt = line(theta, n, rng)
        h0, ht = histogram(p0, x_edges, y_edges), histogram(pt, x_edges, y_edges)
        rows.append({"theta": theta, "kl": kl(h0, ht), "jsd": jsd(h0, ht), "w": wasserstein1_points(p0, pt)})
    return rows


def theta_gradient(model, theta, loss, rng, n=2048):
    """∂ loss(model(P_θ points)) / ∂θ by autograd: the points are (0, u) + θ·(1, 0), θ a Tensor."""
    th = tinygan.tensor(np.array([[theta]], np.float32), requires_grad=True)
    points = tinygan.tensor(line(0.0, n, rng)) + th * tinygan.tensor(np.array([[1.0, 0.0]], np.float32))
    grad, = tinygan.grad(loss(model(points)), th)
    return float(grad.numpy().ravel()[0])


def bce_loss(d, real, fake):
    return losses.d_loss(d(real), d(fake))


def wgan_gp_loss(f, real, fake):
    return losses.critic_loss_wasserstein(f(real), f(fake)) + losses.gradient_penalty(f, real, fake, LAMBDA)


def duel(theta, d_steps, critic_steps, seed, track):
    """Train a standard D and a WGAN-GP critic on P₀ (real) vs P_θ (fake); what each says about θ.
    With track, the θ-gradients are also recorded every few steps of training."""
    rng = np.random.default_rng([seed, int(round(theta * 1000)) % 2 ** 31])
    real, fake = (lambda n: line(0.0, n, rng)), (lambda n: line(theta, n, rng))
    trace = {"d": [], "critic": []}

    tinygan.manual_seed(seed)
    d = MLPDiscriminator(hidden=64, layers=2)
    record_d = (lambda step: trace["d"].append((step, theta_gradient(d, theta, losses.g_loss_minimax, rng),
                                                theta_gradient(d, theta, losses.g_loss_nonsaturating, rng))))
    common.train_against(d, real, fake, bce_loss, d_steps, batch=256, every=d_steps // 20 if track else 0,
                         callback=record_d if track else None)
    d_real, logits_real = common.probabilities(d, real(20000))
    d_fake, logits_fake = common.probabilities(d, fake(20000))
    v = float(np.mean(-np.logaddexp(0, -logits_real)) + np.mean(-np.logaddexp(0, logits_fake)))   # V(G, D)

    tinygan.manual_seed(seed)
    f = MLPDiscriminator(hidden=64, layers=2)
    record_f = (lambda step: trace["critic"].append((step, theta_gradient(f, theta, losses.g_loss_wasserstein, rng))))
    common.train_against(f, real, fake, wgan_gp_loss, critic_steps, betas=(0.5, 0.9), batch=256,
                         every=critic_steps // 20 if track else 0, callback=record_f if track else None)
    w_estimate = float(common.logits_of(f, real(20000)).mean() - common.logits_of(f, fake(20000)).mean())
    return {
        "theta": theta, "d_on_p0": float(d_real.mean()), "d_on_ptheta": float(d_fake.mean()),
        "jsd_from_d": 0.5 * (v + common.LOG4),                      # V(G, D) = 2 JSD − log 4 at D = D*
        "grad_minimax": theta_gradient(d, theta, losses.g_loss_minimax, rng),
        "grad_ns": theta_gradient(d, theta, losses.g_loss_nonsaturating, rng),
        "w_critic": w_estimate, "grad_critic": theta_gradient(f, theta, losses.g_loss_wasserstein, rng),
        **({"trace": trace} if track else {}),
    }


def gp_optimum(theta, lam=LAMBDA):
    """E_P0 f − E_Pθ f at the critic f that maximises E_P0 f − E_Pθ f − λ E(‖∇f(x̂)‖ − 1)² here.
    The interpolates x̂ are uniform in x on [0, |θ|] and the objective only sees the slope g = |∂f/∂x|
    there: ∫ g − (λ/|θ|) ∫ (g − 1)², maximised pointwise by g = 1 + |θ|/(2λ). So the critic's
    estimate is |θ| g: it over-estimates W = |θ| by θ²/(2λ), and its θ-gradient is ±g."""
    return abs(theta) * (1 + abs(theta) / (2 * lam))


def gaussian(mean, sigma):
    return lambda x: np.exp(-0.5 * ((x - mean) / sigma) ** 2) / (sigma * np.sqrt(2 * np.pi))


def noised_jsd(theta, sigma):
    """JSD between P₀ and P_θ, both blurred by N(0, σ²) in x (= that of N(0, σ²) and N(θ, σ²))."""
    if theta == 0:
        return 0.0
    lo, hi = min(0.0, theta) - 12 * sigma, max(0.0, theta) + 12 * sigma
    return common.jsd_quadrature(gaussian(0.0, sigma), gaussian(theta, sigma), lo, hi, points=sorted({0.0, theta}))


def noised_jsd_on_grid(theta, sigma):
    """The same JSD from tinygan.divergences.jsd on the discretised 2-D densities (a check)."""
    x = np.linspace(min(0.0, theta) - 12 * sigma, max(0.0, theta) + 12 * sigma, 4001)
    y = np.full(10, 0.1)                                           # U[0, 1] on 10 cells
    p = np.outer(common.grid_masses(gaussian(0.0, sigma)(x), x), y)
    q = np.outer(common.grid_masses(gaussian(theta, sigma)(x), x), y)
    return jsd(p, q)


def main(argv=None):
    args = common.parse_args(argv, __doc__, "disjoint_supports")
    if args.quick:     # the discriminators cost seconds per θ: fewer of them than of the (cheap) divergences
        thetas, duel_thetas, n, d_steps, critic_steps = (-0.5, 0.0, 0.1, 0.25, 0.5, 1.0), (0.0, 0.5, 1.0), 400, 600, 300
        dense = np.linspace(-2, 2, 41)
    else:
        thetas = duel_thetas = (-1.0, -0.5, -0.25, -0.1, 0.0, 0.1, 0.25, 0.5, 0.75, 1.0)
        n, d_steps, critic_steps = 1000, 2000, 1000
        dense = np.linspace(-2, 2, 161)
    rng = np.random.default_rng(args.seed)

    # 1. KL, JSD and W on samples
    divergences = sample_divergences(thetas, n, rng)
    print(f"P0 = (0, U[0,1]), P_theta = (theta, U[0,1]); {n} samples each; histogram cells {BIN} wide in x, 0.1 in y")
    print(common.table(["theta", "KL (hist)", "KL theory", "JSD (hist)", "JSD theory", "W1 (samples)", "W = |theta|"],
                       [(r["theta"], r["kl"], 0.0 if r["theta"] == 0 else float("inf"), r["jsd"],
                         0.0 if r["theta"] == 0 else common.LOG2, r["w"], abs(r["theta"])) for r in divergences],
                       [".2f", ".4g", ".4g", ".4f", ".4f", ".4f", ".4f"]))

    # 2. a standard discriminator vs a WGAN-GP critic at each θ
    with common.one_blas_thread():
        duels = [duel(theta, d_steps, critic_steps, args.seed, track=theta == TRACK) for theta in duel_thetas]
    print(f"\nstandard D (BCE, {d_steps} Adam steps) vs WGAN-GP critic (λ = {LAMBDA:g}, {critic_steps} steps), "
          "MLP 2-64-64-1, 256 + 256 fresh samples a step;")
    print("gradients w.r.t. theta by autograd through G's loss on 2048 points of P_theta:")
    print(common.table(["theta", "E_P0 D", "E_Pt D", "JSD via D", "dθ minimax", "dθ non-sat", "critic W est",
                        "GP optimum", "dθ critic"],
                       [(r["theta"], r["d_on_p0"], r["d_on_ptheta"], r["jsd_from_d"], r["grad_minimax"], r["grad_ns"],
                         r["w_critic"], gp_optimum(r["theta"]), r["grad_critic"]) for r in duels],
                       [".2f", ".4f", ".2e", ".4f", ".2e", ".3g", ".4f", ".4f", ".3f"]))
    print("(JSD via D = ½ (V(G, D) + log 4), V on fresh samples: log 2 = 0.6931 at the optimum for theta ≠ 0.\n"
          " GP optimum = |θ| (1 + |θ|/2λ), E_P0 f − E_Pθ f at the best penalised critic (gp_optimum);\n"
          " W = |θ| as λ → ∞. The critic's θ-gradient is that of −E f(θ, u): ±(1 + |θ|/2λ) at that optimum,\n"
          " |dW/dθ| = 1 in the limit; at θ = 0, where |θ| has its kink, any value in [−1, 1] is a subgradient)")
    tracked = next(r for r in duels if r["theta"] == TRACK)["trace"]
    print(f"\nat theta = {TRACK}, |dθ| during training (step: minimax, non-saturating | step: critic):")
    for (s_d, g_mm, g_ns), (s_f, g_f) in zip(tracked["d"][::4], tracked["critic"][::4]):
        print(f"  D step {s_d:5d}: {abs(g_mm):9.2e} {abs(g_ns):9.3g}   | critic step {s_f:5d}: {abs(g_f):6.3f}")

    # 3. instance noise: the JSD between the blurred lines
    noised = {sigma: [noised_jsd(float(t), sigma) for t in dense] for sigma in SIGMAS}
    check = {sigma: (noised_jsd(TRACK, sigma), noised_jsd_on_grid(TRACK, sigma)) for sigma in SIGMAS}
    shown = [0.0, 0.1, 0.25, 0.5, 1.0, 2.0]
    print("\ninstance noise: JSD(P0 * N(0, σ²), P_theta * N(0, σ²)) by quadrature (log 2 = 0.6931):")
    print(common.table(["theta", *(f"sigma={s:g}" for s in SIGMAS)],
                       [(t, *(noised_jsd(t, s) for s in SIGMAS)) for t in shown], [".2f"] + [".5f"] * len(SIGMAS)))
    print(f"check at theta = {TRACK}, tinygan.divergences.jsd on the discretised 2-D densities: "
          + ", ".join(f"σ={s:g}: {q:.6f} vs {g:.6f}" for s, (q, g) in check.items()))

    results = {"thetas": list(thetas), "duel_thetas": list(duel_thetas), "samples": n, "bin": BIN,
               "d_steps": d_steps, "critic_steps": critic_steps, "lambda": LAMBDA,
               "divergences": divergences, "duels": duels,
               "instance_noise": {"theta": dense.tolist(), **{str(s): v for s, v in noised.items()}},
               "instance_noise_check": {str(s): list(v) for s, v in check.items()}}
    plot(args.out, divergences, duels, tracked, dense, noised)
    common.write_json(args.out, "results.json", results)
    return results


def plot(out, divergences, duels, tracked, dense, noised):
    import matplotlib.pyplot as plt
    thetas = np.array([r["theta"] for r in divergences])
    theory_x = np.linspace(thetas.min(), thetas.max(), 401)

    def theory_jsd(ax, x, label):
        ax.plot(x, common.LOG2 * np.where(np.abs(x) < 1e-9, np.nan, 1.0), "k--", lw=1, label=label)
        ax.plot([0], [0], "ko", mfc="none", ms=7)

    fig, axes = plt.subplots(1, 3, figsize=(14, 3.8))
    kl_values = np.array([r["kl"] for r in divergences])
    top = 1.0
    axes[0].plot(thetas[np.isfinite(kl_values)], kl_values[np.isfinite(kl_values)], "o", color="tab:blue",
                 label="histograms (finite)")
    axes[0].plot(thetas[~np.isfinite(kl_values)], np.full((~np.isfinite(kl_values)).sum(), top), "^",
                 color="tab:blue", ms=9, label="histograms: ∞ (drawn at the top)")
    axes[0].set(title="KL(P0‖Pθ): ∞ for θ ≠ 0", ylim=(-0.05, top + 0.1), xlabel="θ")
    theory_jsd(axes[1], theory_x, "theory: log 2 for θ ≠ 0, 0 at θ = 0")
    axes[1].plot(thetas, [r["jsd"] for r in divergences], "o", color="tab:green", label="histograms")
    axes[1].set(title="JSD(P0‖Pθ)", xlabel="θ", ylim=(-0.05, 0.8))
    axes[2].plot(theory_x, np.abs(theory_x), "k-", lw=1, label="theory: |θ|")
    axes[2].plot(thetas, [r["w"] for r in divergences], "o", color="tab:red", label="exact W1 between samples")
    axes[2].set(title="W(P0, Pθ)", xlabel="θ")
    for ax in axes:
        ax.legend(fontsize=8)
    common.save_figure(fig, out, "divergences.png")

    fig, axes = plt.subplots(1, 3, figsize=(15, 4))
    t = [r["theta"] for r in duels]
    axes[0].plot(theory_x, np.abs(theory_x), "k-", lw=1, label="|θ|")
    axes[0].plot(theory_x, [gp_optimum(v) for v in theory_x], ":", color="tab:red", lw=1,
                 label="|θ|(1 + |θ|/2λ): best penalised critic")
    axes[0].plot(t, [r["w_critic"] for r in duels], "o", color="tab:red", label="critic: E_P0 f − E_Pθ f")
    axes[0].plot(t, [r["jsd_from_d"] for r in duels], "s", color="tab:green", label="standard D: ½(V + log 4)")
    axes[0].axhline(common.LOG2, color="tab:green", lw=0.8, ls=":")
    axes[0].set(title="what each one measures", xlabel="θ")
    for key, label, colour in (("grad_minimax", "D, minimax log(1 − D)", "tab:blue"),
                               ("grad_ns", "D, non-saturating −log D", "tab:orange"),
                               ("grad_critic", "critic, −f", "tab:red")):
        axes[1].semilogy(t, [max(abs(r[key]), 1e-12) for r in duels], "o-", color=colour, label=label)
    axes[1].set(title="|∂ loss_G / ∂θ| after training", xlabel="θ")
    steps_d, steps_f = [s for s, _, _ in tracked["d"]], [s for s, _ in tracked["critic"]]
    axes[2].semilogy(steps_d, [abs(g) for _, g, _ in tracked["d"]], "o-", color="tab:blue", label="D, minimax")
    axes[2].semilogy(steps_d, [abs(g) for _, _, g in tracked["d"]], "o-", color="tab:orange", label="D, non-saturating")
    axes[2].semilogy(steps_f, [abs(g) for _, g in tracked["critic"]], "o-", color="tab:red", label="critic")
    axes[2].set(title=f"|∂ loss_G / ∂θ| at θ = {TRACK} while training", xlabel="training step")
    for ax in axes:
        ax.legend(fontsize=8)
    common.save_figure(fig, out, "discriminator_vs_critic.png")

    fig, ax = plt.subplots(figsize=(7, 4))
    theory_jsd(ax, dense, "no noise: log 2 for θ ≠ 0")
    for sigma, values in noised.items():
        ax.plot(dense, values, label=f"σ = {sigma:g}")
    ax.set(title="JSD between the lines blurred by N(0, σ²) in x", xlabel="θ", ylim=(-0.02, 0.75))
    ax.legend(fontsize=8)
    common.save_figure(fig, out, "instance_noise.png")


if __name__ == "__main__":
    main()
